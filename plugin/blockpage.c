/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blockpage.c - see blockpage.h. */
#include "blockpage.h"

#include <glib.h>

#include "gateway.h"
#include "marks.h"

typedef struct {
    const char *marker;         /* lower case */
    mwg_category family;
} marker;

/* Template names (FileName comment, proxyErrorData ":name:" tokens, rule
 * names) and the titles of the three block pages of the vendor article. */
static const marker family_markers[] = {
    { "cannotconnect", MWG_CAT_CANNOT_CONNECT },
    { "cannot connect", MWG_CAT_CANNOT_CONNECT },
    { "connectionrefused", MWG_CAT_CANNOT_CONNECT },
    { "notresolvable", MWG_CAT_HOST_NOT_RESOLVABLE },
    { "not resolvable", MWG_CAT_HOST_NOT_RESOLVABLE },
    { "hostnotfound", MWG_CAT_HOST_NOT_RESOLVABLE },
    { "badresponse", MWG_CAT_BAD_RESPONSE },
    { "bad response", MWG_CAT_BAD_RESPONSE },
    /* Squid's error templates, which other proxies' captures carry. */
    { "err_dns_fail", MWG_CAT_HOST_NOT_RESOLVABLE },
    { "err_connect_fail", MWG_CAT_CANNOT_CONNECT },
    { "err_invalid_resp", MWG_CAT_BAD_RESPONSE },
    { "err_zero_size_object", MWG_CAT_BAD_RESPONSE },
    { "err_read_timeout", MWG_CAT_BAD_RESPONSE },
};

static const char *const gateway_markers[] = {
    "mcafee web gateway",
    "skyhigh",
    "<!-- filename:",
    "titledata",
    "proxyerrordata",
    "failure description:",
    "/mwg-internal/",
};

/* Whose page it is: of these found, the first in the table's order, not
 * the first in the page (a page may quote any name). */
static const mwg_gateway_mark whose_marks[] = {
    { "mcafee web gateway", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "/mwg-internal/", MWG_GW_MWG },
    { "proxyerrordata", MWG_GW_MWG }, { "titledata", MWG_GW_MWG },
    { "(squid/", MWG_GW_SQUID }, { "<!-- err_", MWG_GW_SQUID }, { "squid error", MWG_GW_SQUID },
    { "<center>nginx", MWG_GW_NGINX },
    { "<address>apache", MWG_GW_APACHE },
};

#define N_FAMILY G_N_ELEMENTS(family_markers)
G_STATIC_ASSERT(N_FAMILY + G_N_ELEMENTS(gateway_markers) <= MWG_MAX_MARKS && G_N_ELEMENTS(whose_marks) <= MWG_MAX_MARKS);

/* Dissection is single-threaded: the sets are made once.  'marks': family
 * markers first (bit i: family_markers[i]), then the others; 'whose_set':
 * bit i is whose_marks[i]. */
static mwg_mark_set marks, whose_set;

void mwg_blockpage_read(const uint8_t *body, size_t len, bool whose, mwg_block_page *page)
{
    *page = (mwg_block_page){ MWG_CAT_UNKNOWN, false, MWG_GW_UNKNOWN };
    if (!body || len == 0)
        return;
    if (!marks.n) {
        for (size_t i = 0; i < N_FAMILY; i++)
            mwg_mark_set_add(&marks, family_markers[i].marker);
        for (size_t i = 0; i < G_N_ELEMENTS(gateway_markers); i++)
            mwg_mark_set_add(&marks, gateway_markers[i]);
    }
    /* The earliest family marker wins: the template name and the title come
     * before any free text the page may quote.  The scan ends there. */
    uint32_t families = (UINT32_C(1) << N_FAMILY) - 1;
    mwg_mark_hits hits;
    mwg_mark_scan(&marks, body, len, families, &hits);
    page->recognised = hits.found != 0;
    int family = mwg_mark_earliest(&hits, families);
    if (family >= 0)
        page->family = family_markers[family].family;
    /* A second scan, with marks of its own: the page's whole prefix may
     * have to be read for them, where the family's scan ends at its first
     * marker (the first lines, mostly). */
    if (whose)
        page->gateway = mwg_gateway_by_marks(&whose_set, whose_marks, G_N_ELEMENTS(whose_marks), body, len);
}
