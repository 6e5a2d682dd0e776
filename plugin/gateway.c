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

static const mark page_marks[] = {
    { "mcafee web gateway", MWG_GW_MWG }, { "skyhigh", MWG_GW_MWG }, { "/mwg-internal/", MWG_GW_MWG },
    { "proxyerrordata", MWG_GW_MWG }, { "titledata", MWG_GW_MWG },
    { "(squid/", MWG_GW_SQUID }, { "<!-- err_", MWG_GW_SQUID }, { "squid error", MWG_GW_SQUID },
    { "<center>nginx", MWG_GW_NGINX },
    { "<address>apache", MWG_GW_APACHE },
};

G_STATIC_ASSERT(G_N_ELEMENTS(product_marks) <= MWG_MAX_MARKS && G_N_ELEMENTS(page_marks) <= MWG_MAX_MARKS);

typedef struct {
    const mark *marks;
    size_t n;
    mwg_mark_set set;           /* made on first use */
} mark_table;

/* Dissection is single-threaded: the tables' sets are made once. */
static mark_table products = { .marks = product_marks, .n = G_N_ELEMENTS(product_marks) };
static mark_table pages = { .marks = page_marks, .n = G_N_ELEMENTS(page_marks) };

/* Of the table's marks in the text, the first in the table's order, not
 * the first in the text: a header or page may quote any name. */
static mwg_gateway first_mark(mark_table *t, const uint8_t *text, size_t len)
{
    if (!t->set.n)
        for (size_t i = 0; i < t->n; i++)
            mwg_mark_set_add(&t->set, t->marks[i].mark);
    /* The table's first mark cannot be bettered: the scan ends there. */
    mwg_mark_hits hits;
    mwg_mark_scan(&t->set, text, len, UINT32_C(1), &hits);
    return hits.found ? t->marks[__builtin_ctz(hits.found)].gateway : MWG_GW_UNKNOWN;
}

static mwg_gateway by_product(const char *text, size_t len)
{
    return text ? first_mark(&products, (const uint8_t *)text, len) : MWG_GW_UNKNOWN;
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
    return first_mark(&pages, body, len);
}
