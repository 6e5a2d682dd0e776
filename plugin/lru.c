/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lru.c - see lru.h. */
#include "lru.h"

static void *key_of(const mwg_lru *t, const mwg_lru_entry *e)
{
    return (uint8_t *)e + t->key_offset;
}

static void unlink_entry(mwg_lru *t, mwg_lru_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        t->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        t->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_tail(mwg_lru *t, mwg_lru_entry *e)
{
    e->prev = t->tail;
    e->next = NULL;
    if (t->tail)
        t->tail->next = e;
    else
        t->head = e;
    t->tail = e;
}

/* -------------------------------------------------------------- the index */

#define MIN_SLOTS 16u

static void index_put(mwg_lru *t, uint32_t hash, mwg_lru_entry *e)
{
    unsigned i = hash & t->mask;
    while (t->slots[i].entry)
        i = (i + 1) & t->mask;
    t->slots[i] = (mwg_lru_slot){ .hash = hash, .entry = e };
}

/* Doubles the slots; the stored hashes place the entries anew without
 * reading them. */
static void index_grow(mwg_lru *t)
{
    mwg_lru_slot *old = t->slots;
    unsigned old_size = old ? t->mask + 1 : 0;
    unsigned size = old ? 2 * old_size : MIN_SLOTS;
    t->slots = g_new0(mwg_lru_slot, size);
    t->mask = size - 1;
    for (unsigned i = 0; i < old_size; i++)
        if (old[i].entry)
            index_put(t, old[i].hash, old[i].entry);
    g_free(old);
}

/* Linear probing with backward-shift deletion: no tombstones, so a table
 * that turns over its entries for hours probes no further than a fresh
 * one.  Each entry after the freed slot, up to the next free one, moves
 * back into it unless its home slot lies after the hole. */
static void index_delete(mwg_lru *t, mwg_lru_entry *e)
{
    unsigned i = (uint32_t)t->hash(key_of(t, e)) & t->mask;
    while (t->slots[i].entry != e)
        i = (i + 1) & t->mask;
    for (unsigned j = (i + 1) & t->mask; t->slots[j].entry; j = (j + 1) & t->mask) {
        unsigned home = t->slots[j].hash & t->mask;
        /* Cyclic distances from the home slot: the entry at j may fill
         * the hole at i only if i is no further from home than j is. */
        if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i] = (mwg_lru_slot){ 0 };
    t->n--;
}

/* ------------------------------------------------------------ the table */

void mwg_lru_init(mwg_lru *t, GHashFunc hash, GEqualFunc equal, size_t key_offset, unsigned capacity,
                  int64_t requeue_ns, void (*free_entry)(void *ctx, void *entry), void *ctx)
{
    t->slots = NULL;
    t->mask = 0;
    t->n = 0;
    t->hash = hash;
    t->equal = equal;
    t->key_offset = key_offset;
    t->head = t->tail = NULL;
    t->capacity = capacity ? capacity : 1;
    t->requeue_ns = requeue_ns > 0 ? requeue_ns : 0;
    t->free_entry = free_entry;
    t->ctx = ctx;
    t->evicted = 0;
}

void mwg_lru_remove(mwg_lru *t, mwg_lru_entry *e)
{
    index_delete(t, e);
    unlink_entry(t, e);
    t->free_entry(t->ctx, e);
}

void mwg_lru_destroy(mwg_lru *t)
{
    g_free(t->slots);
    t->slots = NULL;
    t->mask = t->n = 0;
    while (t->head) {
        mwg_lru_entry *e = t->head;
        t->head = e->next;
        t->free_entry(t->ctx, e);
    }
    t->tail = NULL;
}

void *mwg_lru_lookup(const mwg_lru *t, const void *key)
{
    if (!t->n)
        return NULL;
    uint32_t hash = (uint32_t)t->hash(key);
    for (unsigned i = hash & t->mask; t->slots[i].entry; i = (i + 1) & t->mask)
        if (t->slots[i].hash == hash && t->equal(key_of(t, t->slots[i].entry), key))
            return t->slots[i].entry;
    return NULL;
}

void mwg_lru_insert(mwg_lru *t, mwg_lru_entry *e, int64_t now)
{
    while (t->n >= t->capacity && t->head) {
        mwg_lru_remove(t, t->head);
        t->evicted++;
    }
    e->last = e->queued = now;
    push_tail(t, e);
    if (!t->slots || 4 * (t->n + 1) > 3 * (t->mask + 1))
        index_grow(t);
    index_put(t, (uint32_t)t->hash(key_of(t, e)), e);
    t->n++;
}

void mwg_lru_touch(mwg_lru *t, mwg_lru_entry *e, int64_t now)
{
    e->last = now;
    if (now >= e->queued && now - e->queued < t->requeue_ns)
        return;
    e->queued = now;
    if (t->tail != e) {
        unlink_entry(t, e);
        push_tail(t, e);
    }
}

void mwg_lru_expire(mwg_lru *t, int64_t horizon)
{
    while (t->head && t->head->last < horizon)
        mwg_lru_remove(t, t->head);
}

unsigned mwg_lru_size(const mwg_lru *t)
{
    return t->n;
}
