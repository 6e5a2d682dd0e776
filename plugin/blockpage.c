/* SPDX-License-Identifier: GPL-2.0-or-later */
/* blockpage.c - see blockpage.h. */
#include "blockpage.h"

#include <glib.h>

#include "fold.h"

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
    /* Dissection is single-threaded: one buffer serves every page. */
    static mwg_folded page;
    mwg_fold(body, len, &page);
    for (size_t i = 0; i < G_N_ELEMENTS(gateway_markers) && !*is_gateway_page; i++)
        *is_gateway_page = mwg_folded_find(&page, gateway_markers[i]) != NULL;
    /* The earliest family marker wins: the template name and the title come
     * before any free text the page may quote. */
    const char *first = NULL;
    mwg_category family = MWG_CAT_UNKNOWN;
    for (size_t i = 0; i < G_N_ELEMENTS(family_markers); i++) {
        const char *at = mwg_folded_find(&page, family_markers[i].marker);
        if (at && (!first || at < first)) {
            first = at;
            family = family_markers[i].family;
        }
    }
    if (family != MWG_CAT_UNKNOWN)
        *is_gateway_page = true;
    return family;
}
