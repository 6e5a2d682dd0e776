/* SPDX-License-Identifier: GPL-2.0-or-later */
/* addr.c - see addr.h. */
#include "addr.h"

#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

bool mwg_flow_equal(const mwg_flow *a, const mwg_flow *b)
{
    return mwg_endpoint_equal(&a->src, &b->src) && mwg_endpoint_equal(&a->dst, &b->dst);
}

bool mwg_flow_same_conversation(const mwg_flow *a, const mwg_flow *b)
{
    mwg_flow r = mwg_flow_reversed(b);
    return mwg_flow_equal(a, b) || mwg_flow_equal(a, &r);
}

mwg_flow mwg_flow_reversed(const mwg_flow *f)
{
    mwg_flow r = { f->dst, f->src };
    return r;
}

/* Dotted quad by hand: the C library's goes through a printf, which costs
 * more than the rest of a summary's wording in a flood of errors. */
static bool ipv4_to_str(const uint8_t *b, char *buf, size_t len)
{
    char text[16], *out = text;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
    if ((size_t)(out - text) > len)
        return false;
    memcpy(buf, text, (size_t)(out - text));
    return true;
}

const char *mwg_addr_to_str(const mwg_addr *a, char *buf, size_t len)
{
    if (a->family == 4 && ipv4_to_str(a->bytes, buf, len))
        return buf;
    if (a->family == 6 && inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len))
        return buf;
    if (len > 1) {
        buf[0] = '?';
        buf[1] = '\0';
    }
    return buf;
}

bool mwg_addr_parse(const char *text, mwg_addr *a)
{
    memset(a, 0, sizeof *a);
    /* Every request's host is asked: a name is told from an address
     * without the C library's parsers, by what an address starts with or
     * holds (a dotted quad starts with a digit, IPv6 text has a colon). */
    if (!g_ascii_isdigit(text[0]) && !strchr(text, ':'))
        return false;
    if (inet_pton(AF_INET, text, a->bytes) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, a->bytes) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}
