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

/* The family the page names (host_not_resolvable, cannot_connect,
 * bad_response) or MWG_CAT_UNKNOWN.  *is_gateway_page tells whether the page
 * carries any gateway marker at all.  Reads the first MWG_BLOCKPAGE_SCAN
 * bytes. */
mwg_category mwg_blockpage_family(const uint8_t *body, size_t len, bool *is_gateway_page);

#endif
