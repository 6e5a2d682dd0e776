/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lru.h - a hash table whose entries are dropped when idle or when full.
 *
 * Every table of the correlation engine is one of these, so that its memory
 * stays bounded on long or hostile captures: an entry not touched for the
 * table's window is dropped, and beyond the table's capacity the least
 * recently touched entry goes first.  Expiry only looks at the head of the
 * recency queue, so its cost is O(1) amortised per packet.
 *
 * Moving an entry to the tail of the queue touches its neighbours' memory,
 * which on a busy table costs more than the lookup itself; so a touch moves
 * an entry at most once per the table's requeue interval of capture time.
 * The queue is then in recency order to within that interval, and an idle
 * entry expires at most that much late.
 *
 * The index is an open-addressing table of (hash, entry) slots, four to a
 * cache line: a lookup reads one line of slots and the entry's key.
 * GLib's hash table, which keeps hashes and keys in two arrays, read one
 * line more, and under a flood of names those misses were most of the
 * tables' cost.
 */
#ifndef MWG502_LRU_H
#define MWG502_LRU_H

#include <glib.h>
#include <stdint.h>

/* Embed as the first member of every entry; the entry holds its key too,
 * at the same offset in every entry of a table.  (Tables hold up to
 * hundreds of thousands of entries: no word here is spare.) */
typedef struct mwg_lru_entry {
    struct mwg_lru_entry *prev, *next;  /* the recency queue */
    int64_t last;               /* engine clock at the last touch */
    int64_t queued;             /* ... at the last move to the tail */
} mwg_lru_entry;

typedef struct {
    uint32_t hash;
    struct mwg_lru_entry *entry;    /* NULL: free */
} mwg_lru_slot;

typedef struct {
    mwg_lru_slot *slots;        /* a power of two of them, at most 3/4 used */
    unsigned mask, n;
    GHashFunc hash;
    GEqualFunc equal;
    size_t key_offset;
    mwg_lru_entry *head, *tail; /* least recently touched at the head */
    unsigned capacity;
    int64_t requeue_ns;         /* see above; 0: every touch moves */
    void (*free_entry)(void *ctx, void *entry);
    void *ctx;                  /* passed to free_entry */
    uint64_t evicted;           /* entries dropped because the table was full */
} mwg_lru;

/* 'key_offset': where an entry holds its key; 'free_entry' is called with
 * 'ctx' for every entry dropped. */
void mwg_lru_init(mwg_lru *t, GHashFunc hash, GEqualFunc equal, size_t key_offset, unsigned capacity,
                  int64_t requeue_ns, void (*free_entry)(void *ctx, void *entry), void *ctx);
void mwg_lru_destroy(mwg_lru *t);
void *mwg_lru_lookup(const mwg_lru *t, const void *key);
/* Inserts an entry, its key set, whose key is not in the table; may evict
 * the oldest. */
void mwg_lru_insert(mwg_lru *t, mwg_lru_entry *e, int64_t now);
void mwg_lru_touch(mwg_lru *t, mwg_lru_entry *e, int64_t now);
void mwg_lru_remove(mwg_lru *t, mwg_lru_entry *e);
/* Drops every entry last touched before 'horizon'. */
void mwg_lru_expire(mwg_lru *t, int64_t horizon);
unsigned mwg_lru_size(const mwg_lru *t);

#endif
