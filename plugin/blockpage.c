/* blockpage.c - see blockpage.h. */
#include "blockpage.h"

#include <glib.h>
#include <string.h>

#define MAX_SCAN (64 * 1024)

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

/* Case-insensitive search of a lower-case needle in raw bytes. */
static const uint8_t *find_ci(const uint8_t *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0 || n < m)
        return NULL;
    for (size_t i = 0; i + m <= n; i++) {
        if (g_ascii_tolower(hay[i]) != needle[0])
            continue;
        size_t k = 1;
        while (k < m && g_ascii_tolower(hay[i + k]) == needle[k])
            k++;
        if (k == m)
            return hay + i;
    }
    return NULL;
}

mwg_category mwg_blockpage_family(const uint8_t *body, size_t len, bool *is_gateway_page)
{
    *is_gateway_page = false;
    if (!body || len == 0)
        return MWG_CAT_UNKNOWN;
    if (len > MAX_SCAN)
        len = MAX_SCAN;
    for (size_t i = 0; i < G_N_ELEMENTS(gateway_markers); i++)
        if (find_ci(body, len, gateway_markers[i]))
            *is_gateway_page = true;
    /* The earliest family marker wins: the template name and the title come
     * before any free text the page may quote. */
    const uint8_t *first = NULL;
    mwg_category family = MWG_CAT_UNKNOWN;
    for (size_t i = 0; i < G_N_ELEMENTS(family_markers); i++) {
        const uint8_t *at = find_ci(body, len, family_markers[i].marker);
        if (at && (!first || at < first)) {
            first = at;
            family = family_markers[i].family;
        }
    }
    if (family != MWG_CAT_UNKNOWN)
        *is_gateway_page = true;
    return family;
}
