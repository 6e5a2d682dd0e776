/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr.h - addresses, endpoints and flows, as every part of mwg502 names
 * them: the decoders fill them, the engine keys its tables on them, the
 * verdict reports them.  Plain C. */
#ifndef MWG502_ADDR_H
#define MWG502_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An IPv4 or IPv6 address; family 0 means "none". */
typedef struct {
    uint8_t family;             /* 0, 4 or 6 */
    uint8_t bytes[16];
} mwg_addr;

typedef struct {
    mwg_addr addr;
    uint16_t port;
} mwg_endpoint;

/* One direction of a transport conversation: as the packet was sent. */
typedef struct {
    mwg_endpoint src, dst;
} mwg_flow;

/* Room for the text of any address, with its terminating NUL. */
#define MWG_ADDR_STRLEN 46

/* Inline: every frame compares a few addresses, and a call through the
 * C library's memcmp costs more than the comparison. */
static inline bool mwg_addr_equal(const mwg_addr *a, const mwg_addr *b)
{
    if (a->family != b->family)
        return false;
    return a->family == 4 ? memcmp(a->bytes, b->bytes, 4) == 0 : memcmp(a->bytes, b->bytes, 16) == 0;
}

static inline bool mwg_endpoint_equal(const mwg_endpoint *a, const mwg_endpoint *b)
{
    return a->port == b->port && mwg_addr_equal(&a->addr, &b->addr);
}
bool mwg_flow_equal(const mwg_flow *a, const mwg_flow *b);
/* The same conversation, whichever way round. */
bool mwg_flow_same_conversation(const mwg_flow *a, const mwg_flow *b);
/* The flow of the answers to 'f'. */
mwg_flow mwg_flow_reversed(const mwg_flow *f);

/* For people; buf must hold MWG_ADDR_STRLEN bytes.  "?" for no address. */
const char *mwg_addr_to_str(const mwg_addr *a, char *buf, size_t len);
/* "10.0.0.1" or "2001:db8::1" -> the address; false for a name. */
bool mwg_addr_parse(const char *text, mwg_addr *a);

#endif
