/* SPDX-License-Identifier: GPL-2.0-or-later */
/* marks.c - see marks.h. */
#include "marks.h"

#include <string.h>

void mwg_mark_set_add(mwg_mark_set *set, const char *mark)
{
    if (set->n == MWG_MAX_MARKS || !mark[0])
        return;
    uint32_t bit = UINT32_C(1) << set->n;
    uint8_t first = (uint8_t)mark[0];
    set->text[set->n] = mark;
    set->len[set->n] = strlen(mark);
    set->by_first[first] |= bit;
    if (first >= 'a' && first <= 'z')
        set->by_first[first - ('a' - 'A')] |= bit;
    if (!mark[1]) {
        set->one_byte |= bit;
        for (unsigned b = 0; b < 256; b++)
            set->by_second[b] |= bit;
    } else {
        uint8_t second = (uint8_t)mark[1];
        set->by_second[second] |= bit;
        if (second >= 'a' && second <= 'z')
            set->by_second[second - ('a' - 'A')] |= bit;
    }
    set->n++;
}

/* The mark's first two bytes are known to match: from the third on. */
static bool equal_folded(const uint8_t *p, const char *mark, size_t len)
{
    for (size_t i = 2; i < len; i++)
        if (mwg_ascii_lower(p[i]) != (uint8_t)mark[i])
            return false;
    return true;
}

static bool every_stop_found(uint32_t found, const uint32_t *stop, unsigned n_stop)
{
    for (unsigned k = 0; k < n_stop; k++)
        if (!(found & stop[k]))
            return false;
    return n_stop > 0;
}

void mwg_mark_scan(const mwg_mark_set *set, const uint8_t *p, size_t n, const uint32_t *stop, unsigned n_stop,
                   mwg_mark_hits *hits)
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
    uint32_t all = set->n == 32 ? UINT32_MAX : (UINT32_C(1) << set->n) - 1;
    for (size_t at = 0; at < n; at++) {
        /* A mark found once is not looked for again: only its first
         * occurrence counts. */
        uint32_t starting = set->by_first[p[at]] & ~found;
        if (!starting)
            continue;
        starting &= at + 1 < n ? set->by_second[p[at + 1]] : set->one_byte;
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
        if (found != before && (found == all || every_stop_found(found, stop, n_stop)))
            break;
    }
    hits->found = found;
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
