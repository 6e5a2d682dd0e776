/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gateway.c - see gateway.h. */
#include "gateway.h"

#include <glib.h>
#include <string.h>

#include "marks.h"

typedef struct {
    const char *mark;           /* lower case */
    mwg_gateway gateway;
} mark;

static const mark product_marks[] = {
    { "mcafee", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "trellix", MWG_GW_MWG },
    { "squid", MWG_GW_SQUID }, { "nginx", MWG_GW_NGINX }, { "apache", MWG_GW_APACHE },
};

G_STATIC_ASSERT(G_N_ELEMENTS(product_marks) <= MWG_MAX_MARKS);

/* Dissection is single-threaded: the set is made once. */
static mwg_mark_set products;

/* The proxy of the first product mark in the table's order. */
static mwg_gateway by_product(const uint8_t *text, size_t len)
{
    if (!products.n)
        for (size_t i = 0; i < G_N_ELEMENTS(product_marks); i++)
            mwg_mark_set_add(&products, product_marks[i].mark);
    int first = mwg_mark_first(&products, text, len);
    return first >= 0 ? product_marks[first].gateway : MWG_GW_UNKNOWN;
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
