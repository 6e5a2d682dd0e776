/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pool.h - where the engine's table records come from.
 *
 * Under a flood the tables turn over thousands of records a second, and
 * the records leave in the order they came (least recently used first).
 * glibc's per-size caches keep only the last few freed chunks, so nearly
 * every one of those frees went to its bins and every allocation split or
 * merged chunks there, between Wireshark's own: malloc and free were a
 * sixth of what the plugin added to a flood.  Here a record is carved from
 * a large block, and when freed goes on the list of its size, where the
 * next record of that size takes it back.  The memory stays with the
 * engine until the capture is closed; what it holds is bounded as the
 * tables that hold the records are.
 *
 * Built with AddressSanitizer, the pool hands every record to malloc, so
 * that a record used after it was freed is still caught.
 */
#ifndef MWG502_POOL_H
#define MWG502_POOL_H

#include <stddef.h>
#include <stdint.h>

#define MWG_POOL_GRAIN 16       /* the smallest grain: sizes are rounded up to the pool's */
#define MWG_POOL_LARGEST 1024   /* larger records come from malloc */
#define MWG_POOL_BLOCK (64 * 1024)

/* 1 when built with AddressSanitizer: every record is malloc's. */
#if defined(__SANITIZE_ADDRESS__)
#define MWG_POOL_TO_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MWG_POOL_TO_MALLOC 1
#endif
#endif
#ifndef MWG_POOL_TO_MALLOC
#define MWG_POOL_TO_MALLOC 0
#endif

typedef struct {
    void *freed[MWG_POOL_LARGEST / MWG_POOL_GRAIN];  /* per size: linked through their first word */
    uint8_t *next, *end;        /* what is left of the newest block */
    void *blocks;               /* the newest block; each starts with a link to the one before */
    size_t grain;
} mwg_pool;

/* 'grain': a power of two, at least MWG_POOL_GRAIN; every record is
 * aligned to it (a cache line for records read as one). */
void mwg_pool_init(mwg_pool *p, size_t grain);
/* Frees every block, whatever was carved from it. */
void mwg_pool_destroy(mwg_pool *p);
/* 'size' bytes, zeroed, aligned to the pool's grain. */
void *mwg_pool_alloc0(mwg_pool *p, size_t size);
/* 'size': what the record was allocated with. */
void mwg_pool_free(mwg_pool *p, void *record, size_t size);
/* As realloc; bytes past 'old_size' are zero. */
void *mwg_pool_resize(mwg_pool *p, void *record, size_t old_size, size_t new_size);

#endif
