/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lru.c - see lru.h. */
#include "lru.h"

#include <string.h>

void mwg_lru_init(mwg_lru *t, GHashFunc hash, GEqualFunc equal, unsigned capacity, int64_t requeue_ns,
                  void (*free_entry)(void *entry))
{
    t->map = g_hash_table_new(hash, equal);
    g_queue_init(&t->order);
    t->capacity = capacity ? capacity : 1;
    t->requeue_ns = requeue_ns > 0 ? requeue_ns : 0;
    t->free_entry = free_entry;
    t->evicted = 0;
}

void mwg_lru_remove(mwg_lru *t, mwg_lru_entry *e)
{
    g_hash_table_remove(t->map, e->key);
    g_queue_unlink(&t->order, &e->link);
    t->free_entry(e);
}

void mwg_lru_destroy(mwg_lru *t)
{
    while (t->order.head)
        mwg_lru_remove(t, t->order.head->data);
    if (t->map)
        g_hash_table_destroy(t->map);
    t->map = NULL;
}

void *mwg_lru_lookup(const mwg_lru *t, const void *key)
{
    return g_hash_table_lookup(t->map, key);
}

void mwg_lru_insert(mwg_lru *t, mwg_lru_entry *e, const void *key, int64_t now)
{
    while (g_hash_table_size(t->map) >= t->capacity && t->order.head) {
        mwg_lru_remove(t, t->order.head->data);
        t->evicted++;
    }
    e->key = key;
    e->last = e->queued = now;
    e->link.data = e;
    e->link.prev = e->link.next = NULL;
    g_queue_push_tail_link(&t->order, &e->link);
    g_hash_table_insert(t->map, (gpointer)key, e);
}

void mwg_lru_touch(mwg_lru *t, mwg_lru_entry *e, int64_t now)
{
    e->last = now;
    if (now >= e->queued && now - e->queued < t->requeue_ns)
        return;
    e->queued = now;
    if (t->order.tail != &e->link) {
        g_queue_unlink(&t->order, &e->link);
        g_queue_push_tail_link(&t->order, &e->link);
    }
}

void *mwg_lru_obtain(mwg_lru *t, const void *key, size_t key_size, size_t entry_size, size_t key_offset,
                     int64_t now)
{
    mwg_lru_entry *e = g_hash_table_lookup(t->map, key);
    if (e) {
        mwg_lru_touch(t, e, now);
        return e;
    }
    e = g_malloc0(entry_size);
    uint8_t *stored_key = (uint8_t *)e + key_offset;
    memcpy(stored_key, key, key_size);
    mwg_lru_insert(t, e, stored_key, now);
    return e;
}

void mwg_lru_expire(mwg_lru *t, int64_t horizon)
{
    while (t->order.head && ((mwg_lru_entry *)t->order.head->data)->last < horizon)
        mwg_lru_remove(t, t->order.head->data);
}

unsigned mwg_lru_size(const mwg_lru *t)
{
    return g_hash_table_size(t->map);
}
