/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gateway.h - which kind of proxy sent an error response: its Via or
 * Server header, or the marks of its error page (blockpage.h).  The advice
 * speaks in the terms of that proxy (an MWG menu for MWG, a squid.conf
 * directive for Squid...). */
#ifndef MWG502_GATEWAY_H
#define MWG502_GATEWAY_H

#include "marks.h"
#include "verdict.h"

/* The proxies a response's headers name. */
typedef struct {
    mwg_gateway via;            /* the proxy that relayed the response */
    mwg_gateway server;         /* the Server header's, which may be the origin's */
} mwg_gateway_headers;

/* Each header's value by its bytes and length (NULL or 0: no such header);
 * a NUL ends it. */
mwg_gateway_headers mwg_gateway_from_headers(const uint8_t *via, size_t via_len, const uint8_t *server,
                                             size_t server_len);

/* Who answered: Via, else Server, else the marks of its page ('by_page',
 * see blockpage.h); 'relayed': the response is the origin's own, so only
 * Via counts. */
mwg_gateway mwg_gateway_identify(mwg_gateway_headers h, mwg_gateway by_page, bool relayed);

/* A mark that names a proxy, lower case. */
typedef struct {
    const char *mark;
    mwg_gateway gateway;
} mwg_gateway_mark;

/* The proxy of the first of the table's marks, in the table's order, found
 * in the text (a text may quote any name).  'set' is made from the table
 * on first use; dissection is single-threaded. */
mwg_gateway mwg_gateway_by_marks(mwg_mark_set *set, const mwg_gateway_mark *table, size_t n, const uint8_t *text,
                                 size_t len);

#endif
