/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gateway.h - which kind of proxy sent an error response: its Server
 * header, or the marks of its error page.  The advice speaks in the terms
 * of that proxy (an MWG menu for MWG, a squid.conf directive for Squid...). */
#ifndef MWG502_GATEWAY_H
#define MWG502_GATEWAY_H

#include "verdict.h"

/* 'via', 'server': the response's Via and Server headers (NULL if none);
 * 'body' the page as the browser gets it.  A Via header names the proxy
 * that relayed a response, where Server and the page may be the origin's;
 * 'relayed': the response is the origin's own, so only Via counts.  Reads
 * a bounded prefix of the page. */
mwg_gateway mwg_gateway_identify(const char *via, const char *server, const uint8_t *body, size_t len,
                                 bool relayed);

#endif
