/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blockpage.h - recognising the gateway's own error pages.
 *
 * When a capture holds only the client leg, the page the gateway sent is the
 * only witness of what failed.  McAfee/Skyhigh Web Gateway names the family
 * in several places (title, template file name, error data); customers
 * rebrand the pages, so any one marker is enough.
 */
#ifndef MWG502_BLOCKPAGE_H
#define MWG502_BLOCKPAGE_H

#include "verdict.h"

/* What a page's first MWG_BLOCKPAGE_SCAN bytes say. */
typedef struct {
    /* The family it names (host_not_resolvable, cannot_connect,
     * bad_response), or MWG_CAT_UNKNOWN. */
    mwg_category family;
    bool recognised;            /* it carries any gateway marker at all */
    mwg_gateway gateway;        /* whose page its marks say it is, if asked */
} mwg_block_page;

/* 'whose': tell whose page it is too, which may mean reading on to the end
 * of the prefix (the caller knows already, from the headers, where not). */
void mwg_blockpage_read(const uint8_t *body, size_t len, bool whose, mwg_block_page *page);

#endif
