/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blockpage.c - see blockpage.h. */
#include "blockpage.h"

#include <glib.h>

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
static const struct {
    const char *mark;           /* lower case */
    mwg_gateway gateway;
} whose_marks[] = {
    { "mcafee web gateway", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "/mwg-internal/", MWG_GW_MWG },
    { "proxyerrordata", MWG_GW_MWG }, { "titledata", MWG_GW_MWG },
    { "(squid/", MWG_GW_SQUID }, { "<!-- err_", MWG_GW_SQUID }, { "squid error", MWG_GW_SQUID },
    { "<center>nginx", MWG_GW_NGINX },
    { "<address>apache", MWG_GW_APACHE },
};

#define N_FAMILY G_N_ELEMENTS(family_markers)
#define N_GATEWAY G_N_ELEMENTS(gateway_markers)
#define N_WHOSE G_N_ELEMENTS(whose_marks)
G_STATIC_ASSERT(N_FAMILY + N_GATEWAY + N_WHOSE <= MWG_MAX_MARKS);

void mwg_blockpage_read(const uint8_t *body, size_t len, bool whose, mwg_block_page *page)
{
    *page = (mwg_block_page){ MWG_CAT_UNKNOWN, false, MWG_GW_UNKNOWN };
    if (!body || len == 0)
        return;
    /* One set, one pass over the page for all three questions: family
     * markers first, gateway markers, then whose-page marks.  Dissection is
     * single-threaded: the set is made once. */
    static mwg_mark_set marks;
    if (!marks.n) {
        for (size_t i = 0; i < N_FAMILY; i++)
            mwg_mark_set_add(&marks, family_markers[i].marker);
        for (size_t i = 0; i < N_GATEWAY; i++)
            mwg_mark_set_add(&marks, gateway_markers[i]);
        for (size_t i = 0; i < N_WHOSE; i++)
            mwg_mark_set_add(&marks, whose_marks[i].mark);
    }
    /* The earliest family marker wins: the template name and the title come
     * before any free text the page may quote.  The scan ends there, or
     * once the best whose-page mark is found too, when that is asked. */
    uint32_t families = (UINT32_C(1) << N_FAMILY) - 1, whose_all = ((UINT32_C(1) << N_WHOSE) - 1)
                                                                   << (N_FAMILY + N_GATEWAY);
    uint32_t stop[2] = { families, UINT32_C(1) << (N_FAMILY + N_GATEWAY) };
    mwg_mark_hits hits;
    mwg_mark_scan(&marks, body, len, stop, whose ? 2 : 1, &hits);
    /* A whose-page mark alone does not make a gateway's block page. */
    page->recognised = (hits.found & ~whose_all) != 0;
    int family = mwg_mark_earliest(&hits, families);
    if (family >= 0)
        page->family = family_markers[family].family;
    if (whose && (hits.found & whose_all))
        page->gateway = whose_marks[__builtin_ctz(hits.found & whose_all) - (N_FAMILY + N_GATEWAY)].gateway;
}
