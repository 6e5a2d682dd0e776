/* Unit tests of the bounded tables (lru.c): eviction order, expiry, and
 * the requeue interval that keeps touches cheap (one second here). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lru.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)

#define SEC INT64_C(1000000000)

typedef struct {
    mwg_lru_entry lru;
    char key[8];
} item;

static int freed;

static void free_item(void *p)
{
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
    return mwg_lru_obtain(t, k, sizeof k, sizeof(item), offsetof(item, key), now);
}

static bool has(mwg_lru *t, const char *key)
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

int main(void)
{
    mwg_lru t;

    /* Full: the least recently touched goes first. */
    mwg_lru_init(&t, key_hash, key_equal, 2, SEC, free_item);
    get(&t, "a", 0);
    get(&t, "b", 1 * SEC);
    get(&t, "a", 3 * SEC);          /* a moves behind b */
    get(&t, "c", 4 * SEC);
    CHECK(has(&t, "a") && !has(&t, "b") && has(&t, "c"));
    CHECK(freed == 1);
    CHECK(mwg_lru_size(&t) == 2);

    /* A touch within a second of the last move does not move the entry:
     * eviction order is exact only to within that second. */
    get(&t, "c", 4 * SEC + SEC / 2);   /* c stays where it is, behind a */
    get(&t, "a", 4 * SEC + SEC / 2);   /* a moved at 3 s: moves again */
    get(&t, "d", 5 * SEC);
    CHECK(has(&t, "a") && !has(&t, "c") && has(&t, "d"));

    /* Expiry drops what was last touched before the horizon... */
    mwg_lru_expire(&t, 5 * SEC);
    CHECK(!has(&t, "a") && has(&t, "d"));
    /* ... but an entry touched (not moved) recently shields those queued
     * after it, for at most the requeue interval. */
    get(&t, "e", 5 * SEC + SEC / 5);
    get(&t, "d", 5 * SEC + 9 * SEC / 10);  /* within a second of its move */
    mwg_lru_expire(&t, 5 * SEC + SEC / 2);
    CHECK(has(&t, "d") && has(&t, "e"));    /* e idle past the horizon, kept */
    mwg_lru_expire(&t, 6 * SEC + SEC / 5);
    CHECK(!has(&t, "d") && !has(&t, "e"));
    mwg_lru_destroy(&t);

    /* Time going backwards (bad captures) still bounds the table. */
    freed = 0;
    mwg_lru_init(&t, key_hash, key_equal, 3, SEC, free_item);
    char k[8];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%d", i);
        get(&t, k, (i % 2 ? -1 : 1) * (int64_t)i * SEC);
        CHECK(mwg_lru_size(&t) <= 3);
    }
    CHECK(freed == 97);
    mwg_lru_destroy(&t);
    CHECK(freed == 100);

    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
