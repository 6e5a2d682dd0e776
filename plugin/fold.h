/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fold.h - searching a page for many marks, whatever their case: the page's
 * first bytes are lower-cased once, then each mark is a plain memmem().
 * Error pages name what they are in their first lines (title, template
 * name, signature); a page of 60 KB costs no more than its prefix. */
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

/* The first MWG_BLOCKPAGE_SCAN bytes of 'p', lower-cased, into 'out'. */
void mwg_fold(const uint8_t *p, size_t n, mwg_folded *out);
/* Where lower-case 'mark' first occurs, or NULL. */
const char *mwg_folded_find(const mwg_folded *f, const char *mark);

#endif
