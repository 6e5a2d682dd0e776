/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool.c - see pool.h. */
#include "pool.h"

#include <string.h>

#include <glib.h>

/* The first grain of a block holds the link to the block before, so that
 * what is carved after it keeps the grain's alignment. */

static size_t size_class(const mwg_pool *p, size_t size)
{
    return (size ? size - 1 : 0) / p->grain;
}

void mwg_pool_init(mwg_pool *p, size_t grain)
{
    memset(p, 0, sizeof *p);
    p->grain = grain > MWG_POOL_GRAIN ? grain : MWG_POOL_GRAIN;
}

void mwg_pool_destroy(mwg_pool *p)
{
    while (p->blocks) {
        void *before;
        memcpy(&before, p->blocks, sizeof before);
        g_aligned_free(p->blocks);
        p->blocks = before;
    }
    mwg_pool_init(p, p->grain);
}

void *mwg_pool_alloc0(mwg_pool *p, size_t size)
{
    if (MWG_POOL_TO_MALLOC || size > MWG_POOL_LARGEST)
        return g_aligned_alloc0(1, size ? size : 1, p->grain);
    size_t k = size_class(p, size);
    void *r = p->freed[k];
    if (r) {
        memcpy(&p->freed[k], r, sizeof(void *));
        return memset(r, 0, size);
    }
    size_t carved = (k + 1) * p->grain;
    if (!p->next || (size_t)(p->end - p->next) < carved) {
        uint8_t *block = g_aligned_alloc(1, MWG_POOL_BLOCK, p->grain);
        memcpy(block, &p->blocks, sizeof p->blocks);
        p->blocks = block;
        p->next = block + p->grain;
        p->end = block + MWG_POOL_BLOCK;
    }
    r = p->next;
    p->next += carved;
    return memset(r, 0, size);
}

void mwg_pool_free(mwg_pool *p, void *record, size_t size)
{
    if (!record)
        return;
    if (MWG_POOL_TO_MALLOC || size > MWG_POOL_LARGEST) {
        g_aligned_free(record);
        return;
    }
    size_t k = size_class(p, size);
    memcpy(record, &p->freed[k], sizeof(void *));
    p->freed[k] = record;
}

void *mwg_pool_resize(mwg_pool *p, void *record, size_t old_size, size_t new_size)
{
    if (!record)
        return mwg_pool_alloc0(p, new_size);
    if (!MWG_POOL_TO_MALLOC && old_size <= MWG_POOL_LARGEST && new_size <= MWG_POOL_LARGEST &&
        size_class(p, old_size) == size_class(p, new_size)) {
        if (new_size > old_size)
            memset((uint8_t *)record + old_size, 0, new_size - old_size);
        return record;
    }
    void *r = mwg_pool_alloc0(p, new_size);
    memcpy(r, record, old_size < new_size ? old_size : new_size);
    mwg_pool_free(p, record, old_size);
    return r;
}
