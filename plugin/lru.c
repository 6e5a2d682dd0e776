/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lru.c - see lru.h. */
#include "lru.h"

#include <string.h>

static void *key_of(const mwg_lru *t, mwg_lru_entry *e)
{
    return (uint8_t *)e + t->key_offset;
}

static mwg_lru_entry *entry_of(const mwg_lru *t, void *key)
{
    return key ? (mwg_lru_entry *)((uint8_t *)key - t->key_offset) : NULL;
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

void mwg_lru_init(mwg_lru *t, GHashFunc hash, GEqualFunc equal, size_t key_offset, unsigned capacity,
                  int64_t requeue_ns, void (*free_entry)(void *entry))
{
    t->map = g_hash_table_new(hash, equal);
    t->key_offset = key_offset;
    t->head = t->tail = NULL;
    t->capacity = capacity ? capacity : 1;
    t->requeue_ns = requeue_ns > 0 ? requeue_ns : 0;
    t->free_entry = free_entry;
    t->evicted = 0;
}

void mwg_lru_remove(mwg_lru *t, mwg_lru_entry *e)
{
    g_hash_table_remove(t->map, key_of(t, e));
    unlink_entry(t, e);
    t->free_entry(e);
}

void mwg_lru_destroy(mwg_lru *t)
{
    /* The map goes whole: removing the keys one at a time cost a hash
     * lookup per entry whenever a capture is closed. */
    if (t->map)
        g_hash_table_destroy(t->map);
    t->map = NULL;
    while (t->head) {
        mwg_lru_entry *e = t->head;
        t->head = e->next;
        t->free_entry(e);
    }
    t->tail = NULL;
}

void *mwg_lru_lookup(const mwg_lru *t, const void *key)
{
    return entry_of(t, g_hash_table_lookup(t->map, key));
}

void mwg_lru_insert(mwg_lru *t, mwg_lru_entry *e, int64_t now)
{
    while (g_hash_table_size(t->map) >= t->capacity && t->head) {
        mwg_lru_remove(t, t->head);
        t->evicted++;
    }
    e->last = e->queued = now;
    push_tail(t, e);
    g_hash_table_add(t->map, key_of(t, e));
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

void *mwg_lru_obtain(mwg_lru *t, const void *key, size_t key_size, size_t entry_size, int64_t now)
{
    mwg_lru_entry *e = mwg_lru_lookup(t, key);
    if (e) {
        mwg_lru_touch(t, e, now);
        return e;
    }
    e = g_malloc0(entry_size);
    memcpy(key_of(t, e), key, key_size);
    mwg_lru_insert(t, e, now);
    return e;
}

void mwg_lru_expire(mwg_lru *t, int64_t horizon)
{
    while (t->head && t->head->last < horizon)
        mwg_lru_remove(t, t->head);
}

unsigned mwg_lru_size(const mwg_lru *t)
{
    return g_hash_table_size(t->map);
}
