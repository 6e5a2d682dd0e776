/* SPDX-License-Identifier: GPL-2.0-or-later */
/* marks.h - finding many marks in a text at once, whatever their case: one
 * pass over the text's first bytes tells where each mark of a set first
 * occurs (not a search per mark: a flood of error pages would be read
 * twenty times over, nor a lower-cased copy: that is a second pass).
 * Error pages name what they are in their first lines (title, template
 * name, signature); a page of 60 KB costs no more than its prefix. */
#ifndef MWG502_MARKS_H
#define MWG502_MARKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "constants.h"

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
    uint32_t by_first[256];     /* bit i: mark i starts with this byte, in either case */
    /* bit i: mark i has this second byte, in either case, or has one byte
     * only; by_third the same for the third byte.  Most bytes of a page
     * start some mark (its letters do), and many pairs of them too ("co",
     * "ti", "er"): the three together leave a candidate now and then. */
    uint32_t by_second[256];
    uint32_t by_third[256];
    uint32_t one_byte;          /* bit i: mark i is one byte long */
    uint32_t up_to_two;         /* bit i: mark i is one or two bytes long */
    unsigned n;
} mwg_mark_set;

/* What a scan found. */
typedef struct {
    uint32_t found;             /* bit i: mark i occurs */
    size_t at[MWG_MAX_MARKS];   /* where mark i first occurs, when found */
} mwg_mark_hits;

void mwg_mark_set_add(mwg_mark_set *set, const char *mark);
/* Where each mark of 'set' first occurs, case ignored (ASCII), wholly
 * within the first MWG_BLOCKPAGE_SCAN bytes of 'p'.  Stops at the offset
 * where a mark of 'stop' (bit i: mark i) is found, all marks starting
 * there checked: later ones are then not looked for. */
void mwg_mark_scan(const mwg_mark_set *set, const uint8_t *p, size_t n, uint32_t stop, mwg_mark_hits *hits);
/* Of the set's marks in the text, the first in the set's order (not in the
 * text: a header or page may quote any name), or -1.  The scan ends where
 * mark 0, which cannot be bettered, is found. */
int mwg_mark_first(const mwg_mark_set *set, const uint8_t *p, size_t n);
/* Of the marks in 'among' (bit i: mark i) that were found, the one that
 * occurs first (the lowest index at one offset), or -1. */
int mwg_mark_earliest(const mwg_mark_hits *hits, uint32_t among);

#endif
