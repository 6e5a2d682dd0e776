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

mwg_category mwg_blockpage_family(const uint8_t *body, size_t len, bool *is_gateway_page)
{
    *is_gateway_page = false;
    if (!body || len == 0)
        return MWG_CAT_UNKNOWN;
    /* Dissection is single-threaded: the marks are set once, family
     * markers first, then the others. */
    static mwg_mark_set marks;
    G_STATIC_ASSERT(G_N_ELEMENTS(family_markers) + G_N_ELEMENTS(gateway_markers) <= MWG_MAX_MARKS);
    if (!marks.n) {
        for (size_t i = 0; i < G_N_ELEMENTS(family_markers); i++)
            mwg_mark_set_add(&marks, family_markers[i].marker);
        for (size_t i = 0; i < G_N_ELEMENTS(gateway_markers); i++)
            mwg_mark_set_add(&marks, gateway_markers[i]);
    }
    /* The earliest family marker wins: the template name and the title come
     * before any free text the page may quote.  The scan ends there. */
    uint32_t families = (UINT32_C(1) << G_N_ELEMENTS(family_markers)) - 1;
    mwg_mark_hits hits;
    mwg_mark_scan(&marks, body, len, families, &hits);
    *is_gateway_page = hits.found != 0;
    int family = mwg_mark_earliest(&hits, families);
    if (family >= 0)
        return family_markers[family].family;
    return MWG_CAT_UNKNOWN;
}
