/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fold.c - see fold.h. */
#include "fold.h"

#include <string.h>

void mwg_fold(const uint8_t *p, size_t n, mwg_folded *out)
{
    if (!p)
        n = 0;
    if (n > sizeof out->text)
        n = sizeof out->text;
    for (size_t i = 0; i < n; i++)
        out->text[i] = (char)mwg_ascii_lower(p[i]);
    out->len = n;
}

void mwg_mark_set_add(mwg_mark_set *set, const char *mark)
{
    if (set->n == MWG_MAX_MARKS || !mark[0])
        return;
    set->text[set->n] = mark;
    set->len[set->n] = strlen(mark);
    set->by_first[(uint8_t)mark[0]] |= UINT32_C(1) << set->n;
    set->n++;
}

size_t mwg_folded_scan(const mwg_folded *f, const mwg_mark_set *set, size_t from, unsigned *which)
{
    for (size_t at = from; at < f->len; at++) {
        uint32_t starting = set->by_first[(uint8_t)f->text[at]];
        while (starting) {
            unsigned i = (unsigned)__builtin_ctz(starting);
            starting &= starting - 1;
            if (set->len[i] <= f->len - at && memcmp(f->text + at, set->text[i], set->len[i]) == 0) {
                *which = i;
                return at;
            }
        }
    }
    return SIZE_MAX;
}
