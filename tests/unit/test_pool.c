/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_pool.c - unit tests of the records' pool (pool.c): a freed record
 * is handed out again for its size only, zeroed; resizing keeps the bytes;
 * records too large for the pool and many blocks' worth of records come
 * and go whole; a pool's grain aligns every record.  (Built with
 * AddressSanitizer, the pool hands everything to malloc: only the contents
 * and the alignment are checked then.) */
#include <string.h>

#include <glib.h>

#include "pool.h"

static gboolean all_zero(const void *p, size_t n)
{
    const guint8 *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return FALSE;
    return TRUE;
}

static void test_reuse_by_size(void)
{
    mwg_pool p;
    mwg_pool_init(&p, MWG_POOL_GRAIN);
    guint8 *a = mwg_pool_alloc0(&p, 40);
    g_assert_true(all_zero(a, 40));
    g_assert_cmpuint((guintptr)a % MWG_POOL_GRAIN, ==, 0);
    memset(a, 0xab, 40);
    mwg_pool_free(&p, a, 40);
    /* Another size class does not take it... */
    guint8 *b = mwg_pool_alloc0(&p, 100);
    if (!MWG_POOL_TO_MALLOC)
        g_assert_true(b != a);
    /* ... one of the same class does, zeroed. */
    guint8 *c = mwg_pool_alloc0(&p, 33);
    if (!MWG_POOL_TO_MALLOC)
        g_assert_true(c == a);
    g_assert_true(all_zero(c, 33));
    mwg_pool_free(&p, b, 100);
    mwg_pool_free(&p, c, 33);
    mwg_pool_destroy(&p);
}

static void test_resize_keeps_bytes(void)
{
    mwg_pool p;
    mwg_pool_init(&p, MWG_POOL_GRAIN);
    guint8 *r = NULL;
    size_t size = 0;
    /* Grown one element at a time past the largest pooled size, as the
     * engine's rings grow, and back. */
    for (size_t n = 1; n <= 100; n++) {
        r = mwg_pool_resize(&p, r, size, n * 24);
        g_assert_true(all_zero(r + size, n * 24 - size));
        memset(r + size, (int)n, n * 24 - size);
        size = n * 24;
    }
    for (size_t n = 1; n <= 100; n++)
        g_assert_cmpuint(r[n * 24 - 1], ==, n);
    r = mwg_pool_resize(&p, r, size, 48);
    g_assert_cmpuint(r[0], ==, 1);
    g_assert_cmpuint(r[47], ==, 2);
    mwg_pool_free(&p, r, 48);
    mwg_pool_destroy(&p);
}

static size_t size_of(guint32 i)
{
    return 16 + (i % 7) * 40;
}

static void test_many_blocks(void)
{
    /* Many blocks' worth, some freed and taken again: every record stays
     * apart from every other (its bytes survive the others' writes). */
    mwg_pool p;
    mwg_pool_init(&p, MWG_POOL_GRAIN);
    enum { N = 20000 };
    guint32 **v = g_new0(guint32 *, N);
    for (guint32 round = 0; round < 3; round++) {
        for (guint32 i = 0; i < N; i++) {
            if (v[i])
                continue;
            v[i] = mwg_pool_alloc0(&p, size_of(i));
            v[i][0] = i;
            v[i][size_of(i) / 4 - 1] = ~i;
        }
        for (guint32 i = 0; i < N; i++) {
            g_assert_cmpuint(v[i][0], ==, i);
            g_assert_cmpuint(v[i][size_of(i) / 4 - 1], ==, ~i);
        }
        for (guint32 i = round; i < N; i += 2 + round) {
            mwg_pool_free(&p, v[i], size_of(i));
            v[i] = NULL;
        }
    }
    for (guint32 i = 0; i < N; i++)
        mwg_pool_free(&p, v[i], size_of(i));
    /* Too large for the pool: malloc's, whole. */
    guint8 *big = mwg_pool_alloc0(&p, MWG_POOL_LARGEST + 1);
    g_assert_true(all_zero(big, MWG_POOL_LARGEST + 1));
    mwg_pool_free(&p, big, MWG_POOL_LARGEST + 1);
    mwg_pool_destroy(&p);
    g_free(v);
}

static void test_grain(void)
{
    /* A pool of cache lines: every record starts one, whatever came
     * before it, and one of 65 bytes takes two. */
    mwg_pool p;
    mwg_pool_init(&p, 64);
    guint8 *a = mwg_pool_alloc0(&p, 65), *b = mwg_pool_alloc0(&p, 8), *c = mwg_pool_alloc0(&p, 64);
    g_assert_cmpuint((guintptr)a % 64, ==, 0);
    g_assert_cmpuint((guintptr)b % 64, ==, 0);
    g_assert_cmpuint((guintptr)c % 64, ==, 0);
    if (!MWG_POOL_TO_MALLOC) {
        g_assert_cmpuint(b - a, ==, 128);
        g_assert_cmpuint(c - b, ==, 64);
    }
    guint8 *big = mwg_pool_alloc0(&p, MWG_POOL_LARGEST + 1);
    g_assert_cmpuint((guintptr)big % 64, ==, 0);
    mwg_pool_free(&p, big, MWG_POOL_LARGEST + 1);
    mwg_pool_free(&p, a, 65);
    mwg_pool_free(&p, b, 8);
    mwg_pool_free(&p, c, 64);
    mwg_pool_destroy(&p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pool/reuse-by-size", test_reuse_by_size);
    g_test_add_func("/pool/resize-keeps-bytes", test_resize_keeps_bytes);
    g_test_add_func("/pool/many-blocks", test_many_blocks);
    g_test_add_func("/pool/grain", test_grain);
    return g_test_run();
}
