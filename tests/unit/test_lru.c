/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_lru.c - unit tests of the bounded tables (lru.c) on GLib's test
 * framework: eviction order, the eviction count, expiry, the requeue
 * interval that keeps touches cheap (one second here), and the spread of
 * the engine's key hashes over a table's index. */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "engine.h"
#include "lru.h"

#define SEC INT64_C(1000000000)

typedef struct {
    mwg_lru_entry lru;
    char key[8];
} item;

static unsigned freed;

static void free_item(void *ctx, void *p)
{
    g_assert_true(ctx == &freed);
    freed++;
    g_free(p);
}

static void make_key(char k[8], const char *key)
{
    memset(k, 0, 8);
    memcpy(k, key, strnlen(key, 7));
}

static item *get(mwg_lru *t, const char *key, int64_t now)
{
    char k[8];
    make_key(k, key);
    item *e = mwg_lru_lookup(t, k);
    if (e) {
        mwg_lru_touch(t, &e->lru, now);
        return e;
    }
    e = g_new0(item, 1);
    memcpy(e->key, k, sizeof k);
    mwg_lru_insert(t, &e->lru, now);
    return e;
}

static bool has(const mwg_lru *t, const char *key)
{
    char k[8];
    make_key(k, key);
    return mwg_lru_lookup(t, k) != NULL;
}

static guint key_hash(gconstpointer k)
{
    return g_str_hash(k);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
    return strcmp(a, b) == 0;
}

static void init(mwg_lru *t, unsigned capacity)
{
    freed = 0;
    mwg_lru_init(t, key_hash, key_equal, offsetof(item, key), capacity, SEC, free_item, &freed);
}

static void test_full_drops_least_recent(void)
{
    mwg_lru t;
    init(&t, 2);
    item *a = get(&t, "a", 0);
    get(&t, "b", 1 * SEC);
    g_assert_true(get(&t, "a", 3 * SEC) == a);     /* the same entry, moved behind b */
    get(&t, "c", 4 * SEC);
    g_assert_true(has(&t, "a"));
    g_assert_false(has(&t, "b"));
    g_assert_true(has(&t, "c"));
    g_assert_cmpuint(freed, ==, 1);
    g_assert_cmpuint(t.evicted, ==, 1);
    g_assert_cmpuint(mwg_lru_size(&t), ==, 2);

    /* A touch within a second of the last move does not move the entry:
     * the eviction order is exact to within that second. */
    get(&t, "c", 4 * SEC + SEC / 2);    /* c stays where it is, behind a */
    get(&t, "a", 4 * SEC + SEC / 2);    /* a moved at 3 s: moves again */
    get(&t, "d", 5 * SEC);
    g_assert_true(has(&t, "a"));
    g_assert_false(has(&t, "c"));
    g_assert_true(has(&t, "d"));
    g_assert_cmpuint(t.evicted, ==, 2);
    mwg_lru_destroy(&t);
    g_assert_cmpuint(freed, ==, 4);
}

static void test_expiry(void)
{
    mwg_lru t;
    init(&t, 4);
    get(&t, "a", 0);
    get(&t, "d", 5 * SEC);
    /* Expiry drops what was last touched before the horizon... */
    mwg_lru_expire(&t, 5 * SEC);
    g_assert_false(has(&t, "a"));
    g_assert_true(has(&t, "d"));
    /* ... but an entry touched (not moved) recently shields those queued
     * after it, for at most the requeue interval. */
    get(&t, "e", 5 * SEC + SEC / 5);
    get(&t, "d", 5 * SEC + 9 * SEC / 10);     /* within a second of its move */
    mwg_lru_expire(&t, 5 * SEC + SEC / 2);
    g_assert_true(has(&t, "d"));
    g_assert_true(has(&t, "e"));                /* idle past the horizon, kept */
    mwg_lru_expire(&t, 6 * SEC + SEC / 5);
    g_assert_false(has(&t, "d"));
    g_assert_false(has(&t, "e"));
    g_assert_cmpuint(freed, ==, 3);
    mwg_lru_destroy(&t);
}

static void test_evicted_counts_only_a_full_table(void)
{
    /* What expires or is removed left a table that had room: the count
     * says how often the capacity, not time, decided. */
    mwg_lru t;
    init(&t, 2);
    get(&t, "a", 0);
    item *b = get(&t, "b", 0);
    mwg_lru_remove(&t, &b->lru);
    get(&t, "c", 0);
    mwg_lru_expire(&t, SEC);
    g_assert_cmpuint(mwg_lru_size(&t), ==, 0);
    g_assert_cmpuint(freed, ==, 3);
    g_assert_cmpuint(t.evicted, ==, 0);
    get(&t, "x", 2 * SEC);
    get(&t, "y", 2 * SEC);
    get(&t, "z", 2 * SEC);
    g_assert_cmpuint(t.evicted, ==, 1);
    g_assert_false(has(&t, "x"));
    mwg_lru_destroy(&t);
    g_assert_cmpuint(t.evicted, ==, 1);
}

static void test_clock_backwards(void)
{
    /* Time going backwards (bad captures) still bounds the table. */
    mwg_lru t;
    init(&t, 3);
    for (int i = 0; i < 100; i++) {
        char k[8];
        g_snprintf(k, sizeof k, "k%d", i);
        get(&t, k, (i % 2 ? -1 : 1) * (int64_t)i * SEC);
        g_assert_cmpuint(mwg_lru_size(&t), <=, 3);
    }
    g_assert_cmpuint(freed, ==, 97);
    g_assert_cmpuint(t.evicted, ==, 97);
    mwg_lru_destroy(&t);
    g_assert_cmpuint(freed, ==, 100);
}

/* Few distinct hashes: long probe runs that wrap around the slots, where
 * a deletion must move the right entries back. */
static guint crowded_hash(gconstpointer k)
{
    return g_str_hash(k) % 5 * 0x40000000u;
}

/* Random inserts, removals and evictions, checked against GLib's table
 * after every step: each key present is found, each key gone is not. */
static void churn(GHashFunc hash, unsigned capacity)
{
    mwg_lru t;
    freed = 0;
    mwg_lru_init(&t, hash, key_equal, offsetof(item, key), capacity, 0, free_item, &freed);
    GHashTable *present = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GRand *rand = g_rand_new_with_seed(502);
    unsigned inserted = 0;
    for (int step = 0; step < 20000; step++) {
        char k[8];
        g_snprintf(k, sizeof k, "%u", g_rand_int_range(rand, 0, 3 * (gint32)capacity));
        item *e = mwg_lru_lookup(&t, k);
        g_assert_true((e != NULL) == g_hash_table_contains(present, k));
        if (e && g_rand_boolean(rand)) {
            mwg_lru_remove(&t, &e->lru);
            g_hash_table_remove(present, k);
        } else if (!e) {
            if (mwg_lru_size(&t) == capacity)
                g_hash_table_remove(present, ((item *)t.head)->key);
            get(&t, k, step);
            inserted++;
            g_hash_table_add(present, g_strdup(k));
        }
        g_assert_cmpuint(mwg_lru_size(&t), ==, g_hash_table_size(present));
    }
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, present);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_assert_nonnull(mwg_lru_lookup(&t, key));
    mwg_lru_destroy(&t);
    g_assert_cmpuint(freed, ==, inserted);
    g_rand_free(rand);
    g_hash_table_destroy(present);
}

static void test_index_churn(void)
{
    churn(key_hash, 1000);
    churn(crowded_hash, 200);
}

/* An index takes a hash's low bits: keys that differ in one field only
 * (the gateway's ports to one origin in a storm, a client's requests for
 * numbered names) must still spread over them, or probes run the length of
 * the table (a storm took twice plain tshark's time with a hash whose last
 * word reached only the high bits). */
static unsigned distinct_low_bits(const guint *hashes, unsigned n, unsigned bits)
{
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (unsigned i = 0; i < n; i++)
        g_hash_table_add(seen, GUINT_TO_POINTER(hashes[i] & ((1u << bits) - 1)));
    unsigned d = g_hash_table_size(seen);
    g_hash_table_destroy(seen);
    return d;
}

static void test_key_hash_spread(void)
{
    enum { N = 4096, BITS = 12 };
    /* Thrown at random, 4096 keys take about 2,590 of 4,096 slots. */
    const unsigned enough = 2400;
    static guint h[N];
    for (int v6 = 0; v6 < 2; v6++) {
        mwg_flow fl = { 0 };
        fl.src.addr.family = fl.dst.addr.family = v6 ? 6 : 4;
        fl.src.addr.bytes[0] = 10;
        fl.dst.addr.bytes[0] = 192;
        fl.dst.port = 80;
        for (unsigned i = 0; i < N; i++) {
            flow_key k;
            fl.src.port = (uint16_t)(20000 + i);
            flow_key_make(&fl, &k);
            h[i] = flow_key_hash(&k);
        }
        g_assert_cmpuint(distinct_low_bits(h, N, BITS), >=, enough);
        for (unsigned i = 0; i < N; i++) {
            ep_key k;
            mwg_endpoint ep = fl.dst;
            ep.port = (uint16_t)(1 + i);
            ep_key_make(&ep, &k);
            h[i] = ep_key_hash(&k);
        }
        g_assert_cmpuint(distinct_low_bits(h, N, BITS), >=, enough);
    }
    for (unsigned i = 0; i < N; i++) {
        char name[64];
        g_snprintf(name, sizeof name, "host%u.storm.example", i);
        h[i] = name_hash(name);
    }
    g_assert_cmpuint(distinct_low_bits(h, N, BITS), >=, enough);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lru/full-drops-least-recent", test_full_drops_least_recent);
    g_test_add_func("/lru/expiry", test_expiry);
    g_test_add_func("/lru/evicted-counts-only-a-full-table", test_evicted_counts_only_a_full_table);
    g_test_add_func("/lru/clock-backwards", test_clock_backwards);
    g_test_add_func("/lru/index-churn", test_index_churn);
    g_test_add_func("/lru/key-hash-spread", test_key_hash_spread);
    return g_test_run();
}
