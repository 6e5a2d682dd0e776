/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fold.c - see fold.h. */
#define _GNU_SOURCE     /* memmem */
#include "fold.h"

#include <string.h>

void mwg_fold(const uint8_t *p, size_t n, mwg_folded *out)
{
    if (!p)
        n = 0;
    if (n > sizeof out->text)
        n = sizeof out->text;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        out->text[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    out->len = n;
}

const char *mwg_folded_find(const mwg_folded *f, const char *mark)
{
    size_t m = strlen(mark);
    return m ? memmem(f->text, f->len, mark, m) : NULL;
}
