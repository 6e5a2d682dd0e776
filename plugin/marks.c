/* SPDX-License-Identifier: GPL-2.0-or-later */
/* marks.c - see marks.h. */
#include "marks.h"

#include <string.h>

/* Bit 'bit' in the table entry of byte 'b' and, for a letter, of its
 * upper case. */
static void set_folded(uint32_t *table, uint8_t b, uint32_t bit)
{
    table[b] |= bit;
    if (b >= 'a' && b <= 'z')
        table[b - ('a' - 'A')] |= bit;
}

void mwg_mark_set_add(mwg_mark_set *set, const char *mark)
{
    if (set->n == MWG_MAX_MARKS || !mark[0])
        return;
    uint32_t bit = UINT32_C(1) << set->n;
    set->text[set->n] = mark;
    set->len[set->n] = strlen(mark);
    set_folded(set->by_first, (uint8_t)mark[0], bit);
    /* Past its end a mark accepts any byte: the scan checks its length. */
    for (size_t k = 1; k < 3; k++) {
        uint32_t *table = k == 1 ? set->by_second : set->by_third;
        if (k < set->len[set->n])
            set_folded(table, (uint8_t)mark[k], bit);
        else
            for (unsigned b = 0; b < 256; b++)
                table[b] |= bit;
    }
    if (set->len[set->n] == 1)
        set->one_byte |= bit;
    if (set->len[set->n] <= 2)
        set->up_to_two |= bit;
    set->n++;
}

/* The mark's first three bytes are known to match: from the fourth on. */
static bool equal_folded(const uint8_t *p, const char *mark, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (mwg_ascii_lower(p[i]) != (uint8_t)mark[i])
            return false;
    return true;
}

void mwg_mark_scan(const mwg_mark_set *set, const uint8_t *p, size_t n, uint32_t stop, mwg_mark_hits *hits)
{
    /* Kept in locals: the page's bytes may alias anything, and the
     * compiler would otherwise reload the hits at every byte. */
    uint32_t found = 0;
    if (!p || set->n == 0) {
        hits->found = 0;
        return;
    }
    if (n > MWG_BLOCKPAGE_SCAN)
        n = MWG_BLOCKPAGE_SCAN;
    const uint32_t *first = set->by_first, *second = set->by_second, *third = set->by_third;
    uint32_t all = set->n == 32 ? UINT32_MAX : (UINT32_C(1) << set->n) - 1;
    /* A mark found once is not looked for again: only its first occurrence
     * counts. */
    uint32_t wanted = all;
    for (size_t at = 0; at < n; at++) {
        uint32_t starting = first[p[at]] & wanted;
        if (!starting)
            continue;
        starting &= at + 1 < n ? second[p[at + 1]] : set->one_byte;
        if (!starting)
            continue;
        starting &= at + 2 < n ? third[p[at + 2]] : set->up_to_two;
        if (!starting)
            continue;
        uint32_t before = found;
        do {
            unsigned i = (unsigned)__builtin_ctz(starting);
            starting &= starting - 1;
            if (set->len[i] <= n - at && equal_folded(p + at, set->text[i], set->len[i])) {
                found |= UINT32_C(1) << i;
                hits->at[i] = at;
            }
        } while (starting);
        if (found != before) {
            if ((found & stop) || found == all)
                break;
            wanted = all & ~found;
        }
    }
    hits->found = found;
}

int mwg_mark_first(const mwg_mark_set *set, const uint8_t *p, size_t n)
{
    mwg_mark_hits hits;
    mwg_mark_scan(set, p, n, UINT32_C(1), &hits);
    return hits.found ? __builtin_ctz(hits.found) : -1;
}

int mwg_mark_earliest(const mwg_mark_hits *hits, uint32_t among)
{
    int best = -1;
    for (uint32_t left = hits->found & among; left; left &= left - 1) {
        unsigned i = (unsigned)__builtin_ctz(left);
        if (best < 0 || hits->at[i] < hits->at[best])
            best = (int)i;
    }
    return best;
}
