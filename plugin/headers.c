/* SPDX-License-Identifier: GPL-2.0-or-later */
/* headers.c - see headers.h. */
#include "headers.h"

#include <string.h>

#include "wire.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_PPPOE 0x8864
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_V_TCP 6
#define IPPROTO_V_UDP 17
#define IPPROTO_V_ICMP 1
#define IPPROTO_V_ICMPV6 58

/* Deep enough for QinQ in MPLS in PPPoE; a hostile frame cannot loop. */
#define MAX_LINK_SHIMS 8
#define MAX_IPV6_EXTENSIONS 8

static uint32_t get32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The link layers name the protocol they carry; only IP matters here (the
 * IP header's own version says which). */
static bool is_ip_ethertype(unsigned type)
{
    return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6;
}

static bool is_ip_ppp(unsigned proto)
{
    return proto == PPP_IPV4 || proto == PPP_IPV6;
}

/* BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs
 * by system (Linux 10, the BSDs 24, 28 or 30). */
static bool is_ip_family(uint32_t af)
{
    return af == 2 || af == 10 || af == 24 || af == 28 || af == 30;
}

/* After an Ethernet type field at 'off': tags and shims down to IP. */
static bool walk_ethertype(const uint8_t *p, size_t len, size_t *off)
{
    for (int i = 0; i < MAX_LINK_SHIMS; i++) {
        if (*off + 2 > len)
            return false;
        unsigned type = mwg_get16(p + *off);
        *off += 2;
        switch (type) {
        case ETHERTYPE_VLAN:
        case ETHERTYPE_QINQ:
        case ETHERTYPE_QINQ_OLD:
            *off += 2;              /* tag control; the next type follows */
            continue;
        case ETHERTYPE_PPPOE:
            if (*off + 8 > len)
                return false;
            *off += 8;              /* PPPoE header, then the PPP protocol */
            return is_ip_ppp(mwg_get16(p + *off - 2));
        case ETHERTYPE_MPLS:
            while (*off + 4 <= len) {
                bool bottom = (p[*off + 2] & 0x01) != 0;
                *off += 4;
                if (bottom)
                    return true;
            }
            return false;
        default:
            return is_ip_ethertype(type);
        }
    }
    return false;
}

static bool walk_link(mwg_link link, const uint8_t *p, size_t len, size_t *off)
{
    *off = 0;
    switch (link) {
    case MWG_LINK_ETHERNET:
        *off = 12;
        return walk_ethertype(p, len, off);
    case MWG_LINK_LINUX_SLL:
        *off = 14;
        return walk_ethertype(p, len, off);
    case MWG_LINK_LINUX_SLL2:
        if (len < 20)
            return false;
        *off = 20;
        return is_ip_ethertype(mwg_get16(p));
    case MWG_LINK_RAW_IP:
        return true;
    case MWG_LINK_NULL:
        if (len < 4)
            return false;
        *off = 4;
        /* The capturing machine's byte order, which the file does not tell. */
        return is_ip_family(get32le(p) > 0xffff ? mwg_get32(p) : get32le(p));
    case MWG_LINK_LOOP:
        if (len < 4)
            return false;
        *off = 4;
        return is_ip_family(mwg_get32(p));
    case MWG_LINK_PPP:
        if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
            *off = 2;
        if (*off + 2 > len)
            return false;
        *off += 2;
        return is_ip_ppp(mwg_get16(p + *off - 2));
    case MWG_LINK_UNKNOWN:
        break;
    }
    return false;
}

/* One IP packet: where its transport header starts and where the packet ends
 * (its own length, not the frame's). */
typedef struct {
    unsigned version, proto;
    mwg_addr src, dst;
    size_t l4, end;
    bool fragment;              /* one piece of a larger datagram */
    bool later_fragment;        /* ... not the first: no transport header */
} ip_packet;

static bool read_ipv4(const uint8_t *p, size_t len, size_t off, ip_packet *ip)
{
    if (off + 20 > len || p[off] >> 4 != 4)
        return false;
    size_t ihl = (size_t)(p[off] & 0x0f) * 4;
    size_t total = mwg_get16(p + off + 2);
    /* Segmentation offload: the capturing host saw one large packet before
     * the card cut it, and wrote no length. */
    if (total == 0)
        total = len - off;
    if (ihl < 20 || total < ihl || off + ihl > len)
        return false;
    memset(ip, 0, sizeof *ip);
    unsigned frag = mwg_get16(p + off + 6);
    ip->fragment = (frag & 0x3fff) != 0;
    ip->later_fragment = (frag & 0x1fff) != 0;
    ip->version = 4;
    ip->proto = p[off + 9];
    ip->src.family = ip->dst.family = 4;
    memcpy(ip->src.bytes, p + off + 12, 4);
    memcpy(ip->dst.bytes, p + off + 16, 4);
    ip->l4 = off + ihl;
    ip->end = off + total;
    return true;
}

static bool read_ipv6(const uint8_t *p, size_t len, size_t off, ip_packet *ip)
{
    if (off + 40 > len || p[off] >> 4 != 6)
        return false;
    memset(ip, 0, sizeof *ip);
    ip->version = 6;
    ip->src.family = ip->dst.family = 6;
    memcpy(ip->src.bytes, p + off + 8, 16);
    memcpy(ip->dst.bytes, p + off + 24, 16);
    ip->end = off + 40 + mwg_get16(p + off + 4);
    unsigned next = p[off + 6];
    size_t at = off + 40;
    for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
        size_t ext;
        switch (next) {
        case 0:     /* hop-by-hop options */
        case 43:    /* routing */
        case 60:    /* destination options */
            if (at + 2 > len)
                return false;
            ext = ((size_t)p[at + 1] + 1) * 8;
            break;
        case 44:    /* fragment */
            if (at + 8 > len)
                return false;
            /* An atomic fragment (offset 0, no more) is the whole packet:
             * Wireshark reads it in place. */
            ip->later_fragment = (mwg_get16(p + at + 2) & 0xfff8) != 0;
            ip->fragment = ip->later_fragment || (p[at + 3] & 0x01);
            ext = 8;
            break;
        case 51:    /* authentication header */
            if (at + 2 > len)
                return false;
            ext = ((size_t)p[at + 1] + 2) * 4;
            break;
        default:
            ip->proto = next;
            ip->l4 = at;
            return at <= len;
        }
        next = p[at];
        at += ext;
    }
    return false;
}

static bool read_ip(const uint8_t *p, size_t len, size_t off, ip_packet *ip)
{
    if (off >= len)
        return false;
    return p[off] >> 4 == 4 ? read_ipv4(p, len, off, ip) : read_ipv6(p, len, off, ip);
}

static void set_endpoint(mwg_endpoint *e, const mwg_addr *a, unsigned port)
{
    e->addr = *a;
    e->port = (uint16_t)port;
}

static bool same_addresses(const ip_packet *ip, const mwg_flow *fl)
{
    return mwg_addr_equal(&ip->src, &fl->src.addr) && mwg_addr_equal(&ip->dst, &fl->dst.addr);
}

/* An ICMP error quotes the IP header of the packet that failed and at least
 * the first 8 bytes after it: enough for the ports. */
/* MWG_FOUND also for an ICMP message that is no destination-unreachable
 * error about TCP or UDP (a ping, a time exceeded): nothing to read there. */
static mwg_found read_icmp_error(const uint8_t *p, size_t end, const ip_packet *outer, mwg_facts *f)
{
    size_t icmp = outer->l4;
    bool v6 = outer->version == 6;
    if (outer->proto != (v6 ? IPPROTO_V_ICMPV6 : IPPROTO_V_ICMP) || icmp + 8 > end)
        return MWG_NOT_FOUND;
    unsigned type = p[icmp], code = p[icmp + 1];
    if (v6 ? type != 1 : type != 3)
        return MWG_FOUND;
    ip_packet quoted;
    if (!read_ip(p, end, icmp + 8, &quoted) || quoted.version != outer->version)
        return MWG_NOT_FOUND;
    /* A later fragment quoted has no ports: its first bytes are data. */
    if (quoted.later_fragment)
        return MWG_FOUND;
    bool tcp = quoted.proto == IPPROTO_V_TCP;
    if (!tcp && quoted.proto != IPPROTO_V_UDP)
        return MWG_FOUND;
    if (quoted.l4 + 4 > end)
        return MWG_NOT_FOUND;
    mwg_flow q;
    set_endpoint(&q.src, &quoted.src, mwg_get16(p + quoted.l4));
    set_endpoint(&q.dst, &quoted.dst, mwg_get16(p + quoted.l4 + 2));
    f->icmp_quote = tcp ? MWG_ICMP_QUOTES_TCP : MWG_ICMP_QUOTES_UDP;
    f->icmp.version = v6 ? 6 : 4;
    f->icmp.type = type;
    f->icmp.code = code;
    f->icmp.reporter = outer->src;
    f->icmp_quoted = q;
    return MWG_FOUND;
}

/* The TCP or UDP header at 'l4' in 'p', if it carries the wanted ports.
 * 'end': where the packet's captured bytes end; 'sent_end': where the
 * packet ended as sent. */
static bool read_transport(const uint8_t *p, size_t l4, size_t end, size_t sent_end, const mwg_wanted *want,
                           mwg_facts *f)
{
    if (l4 + 4 > end || mwg_get16(p + l4) != want->flow.src.port || mwg_get16(p + l4 + 2) != want->flow.dst.port)
        return false;
    size_t data;
    if (want->tcp) {
        if (l4 + 20 > end)
            return false;
        size_t hlen = (size_t)(p[l4 + 12] >> 4) * 4;
        if (hlen < 20)
            return false;
        f->is_tcp = true;
        f->tcp_seq = mwg_get32(p + l4 + 4);
        f->tcp_ack = mwg_get32(p + l4 + 8);
        f->tcp_flags = p[l4 + 13];
        data = l4 + hlen;
    } else {
        if (l4 + 8 > end)
            return false;
        f->is_udp = true;
        data = l4 + 8;
        size_t udp_end = l4 + mwg_get16(p + l4 + 4);
        if (udp_end >= data && udp_end < sent_end)
            sent_end = udp_end;
        if (sent_end < end)
            end = sent_end;
    }
    /* The length as sent, even when the capture was cut short. */
    if (sent_end > data)
        f->payload_len = (uint32_t)(sent_end - data);
    if (data < end) {
        f->payload.p = p + data;
        f->payload.len = end - data;
        f->payload.cut = sent_end > end;
    }
    return true;
}

/* The wanted packet at the IP header at 'off', if it is there. */
static mwg_found try_packet(const uint8_t *p, size_t len, size_t off, const mwg_wanted *want, mwg_facts *f)
{
    ip_packet ip;
    if (!read_ip(p, len, off, &ip))
        return MWG_NOT_FOUND;
    /* What the IP header claims and the frame holds; a short IPv4 packet on
     * Ethernet is followed by padding that is not payload. */
    size_t end = ip.end < len ? ip.end : len;
    if (ip.l4 > end)
        return MWG_NOT_FOUND;
    if (!same_addresses(&ip, &want->flow))
        return MWG_NOT_FOUND;
    if (want->icmp_error)
        return ip.fragment ? MWG_NOT_FOUND : read_icmp_error(p, end, &ip, f);
    if (ip.proto != (want->tcp ? IPPROTO_V_TCP : IPPROTO_V_UDP))
        return MWG_NOT_FOUND;
    /* Wireshark reads a fragmented datagram once, where it is whole; but a
     * first fragment it cannot reassemble (cut by the snap length, or with
     * reassembly off) it reads on its own, as the datagram's start. */
    if (ip.fragment) {
        if (ip.later_fragment || want->tcp || ip.l4 + 8 > end ||
            !read_transport(p, ip.l4, end, ip.l4 + mwg_get16(p + ip.l4 + 4), want, f))
            return MWG_FOUND_FRAGMENT;
        return MWG_FOUND_FIRST_FRAGMENT;
    }
    return read_transport(p, ip.l4, end, ip.end, want, f) ? MWG_FOUND : MWG_NOT_FOUND;
}

/* Whether an IP header at 'off' could carry the wanted packet: the cheap
 * test that lets a search skip almost every offset. */
static bool may_start_wanted(const uint8_t *p, size_t len, size_t off, const mwg_wanted *want)
{
    const mwg_addr *src = &want->flow.src.addr, *dst = &want->flow.dst.addr;
    unsigned version = p[off] >> 4;
    if (version == 4)
        return src->family == 4 && off + 20 <= len && memcmp(p + off + 12, src->bytes, 4) == 0 &&
               memcmp(p + off + 16, dst->bytes, 4) == 0;
    return version == 6 && src->family == 6 && off + 40 <= len && memcmp(p + off + 8, src->bytes, 16) == 0 &&
           memcmp(p + off + 24, dst->bytes, 16) == 0;
}

mwg_found mwg_decode_headers(mwg_link link, const uint8_t *frame, size_t len, const mwg_wanted *want,
                             mwg_facts *f)
{
    size_t off = 0;
    if (link != MWG_LINK_UNKNOWN && walk_link(link, frame, len, &off)) {
        mwg_found r = try_packet(frame, len, off, want, f);
        if (r != MWG_NOT_FOUND)
            return r;
    }
    /* A tunnel or an unknown link layer: the first packet in the frame that
     * carries Wireshark's flow is the one its innermost layers dissected
     * (outer packets of a tunnel carry other addresses). */
    for (size_t at = 0; at < len; at++) {
        if (!may_start_wanted(frame, len, at, want))
            continue;
        mwg_found r = try_packet(frame, len, at, want, f);
        if (r != MWG_NOT_FOUND)
            return r;
    }
    return MWG_NOT_FOUND;
}

bool mwg_decode_datagram(const uint8_t *datagram, size_t len, const mwg_wanted *want, mwg_facts *f)
{
    if (want->icmp_error)
        return false;
    /* What a first fragment left there is not the datagram's. */
    f->payload = (mwg_bytes){ NULL, 0, false };
    f->payload_len = 0;
    return read_transport(datagram, 0, len, len, want, f);
}
