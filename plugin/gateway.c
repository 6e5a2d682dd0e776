/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gateway.c - see gateway.h. */
#include "gateway.h"

#include <glib.h>
#include <string.h>

static const mwg_gateway_mark product_marks[] = {
    { "mcafee", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "trellix", MWG_GW_MWG },
    { "squid", MWG_GW_SQUID }, { "nginx", MWG_GW_NGINX }, { "apache", MWG_GW_APACHE },
};

G_STATIC_ASSERT(G_N_ELEMENTS(product_marks) <= MWG_MAX_MARKS);

static mwg_mark_set products;

mwg_gateway mwg_gateway_by_marks(mwg_mark_set *set, const mwg_gateway_mark *table, size_t n, const uint8_t *text,
                                 size_t len)
{
    if (!set->n)
        for (size_t i = 0; i < n; i++)
            mwg_mark_set_add(set, table[i].mark);
    int first = mwg_mark_first(set, text, len);
    return first >= 0 ? table[first].gateway : MWG_GW_UNKNOWN;
}

static mwg_gateway by_product(const uint8_t *text, size_t len)
{
    return mwg_gateway_by_marks(&products, product_marks, G_N_ELEMENTS(product_marks), text, len);
}

/* A header's text ends at a NUL, as the string it is for people. */
static size_t text_len(const uint8_t *p, size_t len)
{
    const uint8_t *nul = p ? memchr(p, '\0', len) : NULL;
    return nul ? (size_t)(nul - p) : len;
}

mwg_gateway_headers mwg_gateway_from_headers(const uint8_t *via, size_t via_len, const uint8_t *server,
                                             size_t server_len)
{
    mwg_gateway_headers h = { MWG_GW_UNKNOWN, MWG_GW_UNKNOWN };
    via_len = text_len(via, via_len);
    /* "1.1 proxy.example (squid/5.7)": the product is in the comment, the
     * name before it is the host's, whatever it says. */
    const uint8_t *open = via_len ? memchr(via, '(', via_len) : NULL;
    if (open)
        h.via = by_product(open, via_len - (size_t)(open - via));
    server_len = text_len(server, server_len);
    if (server_len)
        h.server = by_product(server, server_len);
    return h;
}

mwg_gateway mwg_gateway_identify(mwg_gateway_headers h, mwg_gateway by_page, bool relayed)
{
    if (h.via != MWG_GW_UNKNOWN || relayed)
        return h.via;
    return h.server != MWG_GW_UNKNOWN ? h.server : by_page;
}
