/* gateway.c - see gateway.h. */
#include "gateway.h"

#include <glib.h>
#include <string.h>

/* The marks sit in a page's first lines (title, template comment) or its
 * signature at the end of a short page. */
#define PAGE_SCAN 8192

typedef struct {
    const char *mark;           /* lower case */
    mwg_gateway gateway;
} mark;

static const mark product_marks[] = {
    { "mcafee", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "trellix", MWG_GW_MWG },
    { "squid", MWG_GW_SQUID }, { "nginx", MWG_GW_NGINX }, { "apache", MWG_GW_APACHE },
};

static const mark page_marks[] = {
    { "mcafee web gateway", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "/mwg-internal/", MWG_GW_MWG },
    { "proxyerrordata", MWG_GW_MWG }, { "titledata", MWG_GW_MWG },
    { "(squid/", MWG_GW_SQUID }, { "<!-- err_", MWG_GW_SQUID }, { "squid error", MWG_GW_SQUID },
    { "<center>nginx", MWG_GW_NGINX },
    { "<address>apache", MWG_GW_APACHE },
};

static bool contains_ci(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (g_ascii_strncasecmp(hay + i, needle, m) == 0)
            return true;
    return false;
}

static mwg_gateway by_product(const char *text, size_t len)
{
    for (size_t i = 0; text && i < G_N_ELEMENTS(product_marks); i++)
        if (contains_ci(text, len, product_marks[i].mark))
            return product_marks[i].gateway;
    return MWG_GW_UNKNOWN;
}

/* "1.1 proxy.example (squid/5.7)": the product is in the comment, the name
 * before it is the host's, whatever it says. */
static mwg_gateway by_via(const char *via)
{
    const char *open = via ? strchr(via, '(') : NULL;
    return open ? by_product(open, strlen(open)) : MWG_GW_UNKNOWN;
}

mwg_gateway mwg_gateway_identify(const char *via, const char *server, const uint8_t *body, size_t len,
                                 bool relayed)
{
    mwg_gateway gw = by_via(via);
    if (gw != MWG_GW_UNKNOWN || relayed)
        return gw;
    gw = server ? by_product(server, strlen(server)) : MWG_GW_UNKNOWN;
    if (gw != MWG_GW_UNKNOWN || !body)
        return gw;
    if (len > PAGE_SCAN)
        len = PAGE_SCAN;
    for (size_t i = 0; i < G_N_ELEMENTS(page_marks); i++)
        if (contains_ci((const char *)body, len, page_marks[i].mark))
            return page_marks[i].gateway;
    return MWG_GW_UNKNOWN;
}
