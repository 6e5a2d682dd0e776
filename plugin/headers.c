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

static uint32_t get32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef enum { NET_NONE, NET_IPV4, NET_IPV6, NET_GUESS } net_kind;

static net_kind net_from_ethertype(unsigned type)
{
    return type == ETHERTYPE_IPV4 ? NET_IPV4 : type == ETHERTYPE_IPV6 ? NET_IPV6 : NET_NONE;
}

static net_kind net_from_ppp(unsigned proto)
{
    return proto == PPP_IPV4 ? NET_IPV4 : proto == PPP_IPV6 ? NET_IPV6 : NET_NONE;
}

/* BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 differs
 * by system (Linux 10, the BSDs 24, 28 or 30). */
static net_kind net_from_family(uint32_t af)
{
    if (af == 2)
        return NET_IPV4;
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return NET_IPV6;
    return NET_NONE;
}

/* After an Ethernet type field at 'off': tags and shims down to IP. */
static net_kind walk_ethertype(const uint8_t *p, size_t len, size_t *off)
{
    for (int i = 0; i < MAX_LINK_SHIMS; i++) {
        if (*off + 2 > len)
            return NET_NONE;
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
                return NET_NONE;
            *off += 8;              /* PPPoE header, then the PPP protocol */
            return net_from_ppp(mwg_get16(p + *off - 2));
        case ETHERTYPE_MPLS:
            while (*off + 4 <= len) {
                bool bottom = (p[*off + 2] & 0x01) != 0;
                *off += 4;
                if (bottom)
                    return NET_GUESS;
            }
            return NET_NONE;
        default:
            return net_from_ethertype(type);
        }
    }
    return NET_NONE;
}

static net_kind walk_link(mwg_link link, const uint8_t *p, size_t len, size_t *off)
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
            return NET_NONE;
        *off = 20;
        return net_from_ethertype(mwg_get16(p));
    case MWG_LINK_RAW_IP:
        return NET_GUESS;
    case MWG_LINK_NULL:
        if (len < 4)
            return NET_NONE;
        *off = 4;
        /* The capturing machine's byte order, which the file does not tell. */
        return net_from_family(get32le(p) > 0xffff ? get32be(p) : get32le(p));
    case MWG_LINK_LOOP:
        if (len < 4)
            return NET_NONE;
        *off = 4;
        return net_from_family(get32be(p));
    case MWG_LINK_PPP:
        if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
            *off = 2;
        if (*off + 2 > len)
            return NET_NONE;
        *off += 2;
        return net_from_ppp(mwg_get16(p + *off - 2));
    case MWG_LINK_UNKNOWN:
        break;
    }
    return NET_NONE;
}

/* One IP packet: where its transport header starts and where the packet ends
 * (its own length, not the frame's). */
typedef struct {
    unsigned version, proto;
    mwg_addr src, dst;
    size_t l4, end;
    bool fragment;              /* one piece of a larger datagram */
    bool later_fragment;        /* ... that does not hold the transport header */
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
    ip->later_fragment = (frag & 0x1fff) != 0;
    ip->fragment = ip->later_fragment || (frag & 0x2000) != 0;
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
            ip->fragment = true;
            ip->later_fragment = (mwg_get16(p + at + 2) & 0xfff8) != 0;
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

static bool read_ip(net_kind kind, const uint8_t *p, size_t len, size_t off, ip_packet *ip)
{
    if (kind == NET_GUESS && off < len)
        kind = p[off] >> 4 == 4 ? NET_IPV4 : p[off] >> 4 == 6 ? NET_IPV6 : NET_NONE;
    if (kind == NET_IPV4)
        return read_ipv4(p, len, off, ip);
    if (kind == NET_IPV6)
        return read_ipv6(p, len, off, ip);
    return false;
}

static void set_endpoint(mwg_endpoint *e, const mwg_addr *a, unsigned port)
{
    e->addr = *a;
    e->port = (uint16_t)port;
}

/* An ICMP error quotes the IP header of the packet that failed and at least
 * the first 8 bytes after it: enough for the ports. */
static bool read_icmp_error(const uint8_t *p, size_t end, const ip_packet *outer, mwg_facts *f)
{
    size_t icmp = outer->l4;
    bool v6 = outer->proto == IPPROTO_V_ICMPV6;
    if (icmp + 8 > end)
        return false;
    unsigned type = p[icmp], code = p[icmp + 1];
    if (v6 ? type != 1 : type != 3)
        return false;
    ip_packet quoted;
    if (!read_ip(v6 ? NET_IPV6 : NET_IPV4, p, end, icmp + 8, &quoted) || quoted.later_fragment)
        return false;
    if (quoted.proto != IPPROTO_V_TCP && quoted.proto != IPPROTO_V_UDP)
        return false;
    if (quoted.l4 + 4 > end)
        return false;
    f->icmp_quote = quoted.proto == IPPROTO_V_TCP ? MWG_ICMP_QUOTES_TCP : MWG_ICMP_QUOTES_UDP;
    f->icmp_version = v6 ? 6 : 4;
    f->icmp_type = type;
    f->icmp_code = code;
    f->icmp_reporter = outer->src;
    set_endpoint(&f->icmp_quoted.src, &quoted.src, mwg_get16(p + quoted.l4));
    set_endpoint(&f->icmp_quoted.dst, &quoted.dst, mwg_get16(p + quoted.l4 + 2));
    return true;
}

/* The TCP or UDP header at 'l4' in 'p'.  'end': where the packet's
 * captured bytes end; 'sent_end': where the packet ended as sent. */
static bool read_transport(const uint8_t *p, size_t l4, size_t end, size_t sent_end, const ip_packet *ip,
                           mwg_facts *f, mwg_bytes *payload)
{
    size_t data;
    if (ip->proto == IPPROTO_V_TCP) {
        if (l4 + 20 > end)
            return false;
        size_t hlen = (size_t)(p[l4 + 12] >> 4) * 4;
        if (hlen < 20)
            return false;
        f->is_tcp = true;
        f->has_tcp_flags = true;
        f->tcp_flags = p[l4 + 13];
        data = l4 + hlen;
        /* The length as sent, even when the capture was cut short. */
        if (sent_end > data)
            f->tcp_payload_len = (uint32_t)(sent_end - data);
    } else if (ip->proto == IPPROTO_V_UDP) {
        if (l4 + 8 > end)
            return false;
        f->is_udp = true;
        data = l4 + 8;
        size_t udp_end = l4 + mwg_get16(p + l4 + 4);
        if (udp_end >= data && udp_end < sent_end)
            sent_end = udp_end;
        if (sent_end < end)
            end = sent_end;
    } else {
        return false;
    }
    set_endpoint(&f->flow.src, &ip->src, mwg_get16(p + l4));
    set_endpoint(&f->flow.dst, &ip->dst, mwg_get16(p + l4 + 2));
    if (data < end) {
        payload->p = p + data;
        payload->len = end - data;
        payload->cut = sent_end > end;
        if (f->is_tcp) {
            f->payload_head_len = payload->len < MWG_PAYLOAD_HEAD ? (unsigned)payload->len : MWG_PAYLOAD_HEAD;
            memcpy(f->payload_head, payload->p, f->payload_head_len);
        }
    }
    return true;
}

static void clear_payload(mwg_bytes *payload)
{
    payload->p = NULL;
    payload->len = 0;
    payload->cut = false;
}

static bool read_frame_ip(mwg_link link, const uint8_t *frame, size_t len, ip_packet *ip)
{
    size_t off;
    net_kind kind = walk_link(link, frame, len, &off);
    return kind != NET_NONE && read_ip(kind, frame, len, off, ip);
}

bool mwg_decode_headers(mwg_link link, const uint8_t *frame, size_t len, mwg_facts *f, mwg_bytes *payload)
{
    clear_payload(payload);
    ip_packet ip;
    /* Wireshark reads a fragmented datagram once, where it is whole. */
    if (!read_frame_ip(link, frame, len, &ip) || ip.fragment)
        return false;
    /* What the IP header claims and the frame holds; a short IPv4 packet on
     * Ethernet is followed by padding that is not payload. */
    size_t end = ip.end < len ? ip.end : len;
    if (ip.l4 > end)
        return false;
    if (ip.proto == (ip.version == 4 ? IPPROTO_V_ICMP : IPPROTO_V_ICMPV6))
        return read_icmp_error(frame, end, &ip, f);
    return read_transport(frame, ip.l4, end, ip.end, &ip, f, payload);
}

bool mwg_decode_reassembled(mwg_link link, const uint8_t *frame, size_t len, const uint8_t *datagram,
                            size_t datagram_len, mwg_facts *f, mwg_bytes *payload)
{
    clear_payload(payload);
    ip_packet ip;
    if (!read_frame_ip(link, frame, len, &ip) || !ip.fragment)
        return false;
    return read_transport(datagram, 0, datagram_len, datagram_len, &ip, f, payload);
}
