/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fold.h - searching a page for many marks, whatever their case: the page's
 * first bytes are lower-cased once, then one pass finds the marks of a set
 * (not a search per mark: a flood of error pages would be read twenty times
 * over).  Error pages name what they are in their first lines (title,
 * template name, signature); a page of 60 KB costs no more than its prefix. */
#ifndef MWG502_FOLD_H
#define MWG502_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"

typedef struct {
    char text[MWG_BLOCKPAGE_SCAN];  /* lower case (ASCII) */
    size_t len;
} mwg_folded;

#define MWG_MAX_MARKS 32

/* ASCII lower case, inline: GLib's g_ascii_tolower() is a call per byte. */
static inline uint8_t mwg_ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Marks (lower case, not empty) looked for together; filled once with
 * mwg_mark_set_add, in the order that gives each its index. */
typedef struct {
    const char *text[MWG_MAX_MARKS];
    size_t len[MWG_MAX_MARKS];
    uint32_t by_first[256];     /* bit i: mark i starts with this byte */
    unsigned n;
} mwg_mark_set;

/* The first MWG_BLOCKPAGE_SCAN bytes of 'p', lower-cased, into 'out'. */
void mwg_fold(const uint8_t *p, size_t n, mwg_folded *out);
void mwg_mark_set_add(mwg_mark_set *set, const char *mark);
/* The earliest occurrence at or after 'from' of any mark of 'set' (at one
 * offset, the lowest index): its offset, the mark's index in *which; or
 * SIZE_MAX. */
size_t mwg_folded_scan(const mwg_folded *f, const mwg_mark_set *set, size_t from, unsigned *which);

#endif
