/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_decode.c - unit tests of the byte decoders (headers.c,
 * http_message.c, dns_message.c) on GLib's test framework.  No Wireshark.
 *
 * Frames and messages are built by hand and the facts checked field by
 * field.  Every input is decoded from a heap copy of exactly its length, so
 * that a read past its end shows under the sanitizers (MWG502_SANITIZE).
 */
#include <string.h>

#include <glib.h>

#include "dns_message.h"
#include "headers.h"
#include "http_message.h"

#define PROTO_ICMP 1
#define PROTO_IPIP 4
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPV6 41
#define PROTO_GRE 47
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

#define ETH_IPV4 0x0800
#define ETH_ARP 0x0806
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define ETH_IPV6 0x86dd
#define ETH_MPLS 0x8847
#define ETH_PPPOE 0x8864

#define TCP_PSH 0x08

static const mwg_addr CLIENT = { 4, { 10, 10, 67, 4 } };
static const mwg_addr SERVER = { 4, { 192, 0, 2, 80 } };
static const mwg_addr ROUTER = { 4, { 192, 0, 2, 1 } };
static const mwg_addr CLIENT6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x04 } };
static const mwg_addr SERVER6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x80 } };
static const mwg_addr ROUTER6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 0x01 } };
/* Tunnel endpoints: addresses of no flow a test looks for. */
static const mwg_addr TUNNEL_A = { 4, { 198, 51, 100, 1 } };
static const mwg_addr TUNNEL_B = { 4, { 198, 51, 100, 2 } };
static const mwg_addr TUNNEL_C = { 4, { 203, 0, 113, 1 } };
static const mwg_addr TUNNEL_D = { 4, { 203, 0, 113, 2 } };

/* ------------------------------------------------------------ building */

typedef struct {
    uint8_t b[4096];
    size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    g_assert_cmpuint(b->n + n, <=, sizeof b->b);
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put8(buf *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    put(b, &c, 1);
}

static void put16(buf *b, unsigned v)
{
    put8(b, (v >> 8) & 0xff);
    put8(b, v & 0xff);
}

static void put32(buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}

static void put_str(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_addr(buf *b, const mwg_addr *a)
{
    put(b, a->bytes, a->family == 4 ? 4 : 16);
}

static void put_fill(buf *b, unsigned byte, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, byte);
}

static void put_buf(buf *b, const buf *src)
{
    put(b, src->b, src->n);
}

#define SEQ 0x01020304u
#define ACK 0x0a0b0c0du

/* A TCP segment: 'opt' bytes of NOP options, then the payload. */
static buf tcp_seg(unsigned sport, unsigned dport, uint32_t seq, unsigned flags, size_t opt, const void *payload,
                   size_t n)
{
    buf b = { .n = 0 };
    put16(&b, sport);
    put16(&b, dport);
    put32(&b, seq);
    put32(&b, ACK);
    put8(&b, (unsigned)((20 + opt) / 4) << 4);
    put8(&b, flags);
    put16(&b, 64240);               /* window */
    put32(&b, 0);                   /* checksum, urgent pointer */
    put_fill(&b, 0x01, opt);
    put(&b, payload, n);
    return b;
}

static buf udp_dgram(unsigned sport, unsigned dport, unsigned udp_len, const void *payload, size_t n)
{
    buf b = { .n = 0 };
    put16(&b, sport);
    put16(&b, dport);
    put16(&b, udp_len);
    put16(&b, 0);
    put(&b, payload, n);
    return b;
}

/* An IPv4 packet around 'l4': 'total' is the total length as written (0
 * included), 'frag' the flags and fragment offset, 'opt' bytes of options. */
static buf ipv4_ex(unsigned proto, const mwg_addr *s, const mwg_addr *d, const buf *l4, unsigned total, unsigned frag,
                   size_t opt)
{
    buf b = { .n = 0 };
    put8(&b, 0x40 | (unsigned)(5 + opt / 4));
    put8(&b, 0);
    put16(&b, total);
    put16(&b, 0x1234);              /* id */
    put16(&b, frag);
    put8(&b, 64);                   /* ttl */
    put8(&b, proto);
    put16(&b, 0);                   /* checksum: not read */
    put_addr(&b, s);
    put_addr(&b, d);
    put_fill(&b, 0x01, opt);
    put_buf(&b, l4);
    return b;
}

static buf ipv4(unsigned proto, const mwg_addr *s, const mwg_addr *d, const buf *l4)
{
    return ipv4_ex(proto, s, d, l4, (unsigned)(20 + l4->n), 0, 0);
}

/* An IPv6 packet: 'ext' (extension headers, may be NULL), then 'l4'. */
static buf ipv6(unsigned next, const mwg_addr *s, const mwg_addr *d, const buf *ext, const buf *l4)
{
    buf b = { .n = 0 };
    put32(&b, 0x60000000);
    put16(&b, (unsigned)((ext ? ext->n : 0) + l4->n));
    put8(&b, next);
    put8(&b, 64);                   /* hop limit */
    put_addr(&b, s);
    put_addr(&b, d);
    if (ext)
        put_buf(&b, ext);
    put_buf(&b, l4);
    return b;
}

static void put_eth(buf *b, unsigned type)
{
    static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02 };
    put(b, macs, sizeof macs);
    put16(b, type);
}

static buf ethernet(unsigned type, const buf *payload)
{
    buf b = { .n = 0 };
    put_eth(&b, type);
    put_buf(&b, payload);
    return b;
}

/* GRE without options between TUNNEL_A and TUNNEL_B. */
static buf in_gre(unsigned ethertype, const buf *inner)
{
    buf g = { .n = 0 };
    put16(&g, 0);
    put16(&g, ethertype);
    put_buf(&g, inner);
    return ipv4(PROTO_GRE, &TUNNEL_A, &TUNNEL_B, &g);
}

/* VXLAN: UDP to port 4789, its 8-byte header, an Ethernet frame. */
static buf in_vxlan(const mwg_addr *s, const mwg_addr *d, const buf *inner_frame)
{
    buf v = { .n = 0 };
    put32(&v, 0x08000000);          /* flags: VNI valid */
    put32(&v, 0x00138800);          /* VNI 5000 */
    put_buf(&v, inner_frame);
    buf u = udp_dgram(50000, 4789, (unsigned)(8 + v.n), v.b, v.n);
    return ipv4(PROTO_UDP, s, d, &u);
}

/* An ICMP or ICMPv6 message quoting the first 'quote_len' bytes of 'quoted'. */
static buf icmp_msg(unsigned type, unsigned code, const buf *quoted, size_t quote_len)
{
    buf m = { .n = 0 };
    put8(&m, type);
    put8(&m, code);
    put16(&m, 0);
    put32(&m, 0);
    put(&m, quoted->b, MIN(quote_len, quoted->n));
    return m;
}

/* ------------------------------------------------------------ decoding */

static const uint8_t *exact_copy(const void *p, size_t n)
{
    uint8_t *c = g_malloc(n ? n : 1);
    if (n)
        memcpy(c, p, n);
    g_test_queue_free(c);
    return c;
}

static mwg_wanted wanted(bool tcp, const mwg_addr *s, unsigned sport, const mwg_addr *d, unsigned dport)
{
    mwg_wanted w;
    memset(&w, 0, sizeof w);
    w.tcp = tcp;
    w.flow.src.addr = *s;
    w.flow.src.port = (uint16_t)sport;
    w.flow.dst.addr = *d;
    w.flow.dst.port = (uint16_t)dport;
    return w;
}

/* An ICMP error from 'from' to 'to'.  The ports are those Wireshark 4.0
 * leaves (the quoted ones); they do not matter (see headers.h). */
static mwg_wanted icmp_wanted(const mwg_addr *from, const mwg_addr *to)
{
    mwg_wanted w = wanted(true, from, 40000, to, 443);
    w.icmp_error = true;
    return w;
}

typedef struct {
    mwg_found found;
    const uint8_t *frame;       /* the exact-size copy decoded */
    mwg_facts f;
} decoded;

/* The first 'n' bytes of 'b', copied, and a fresh record for them. */
static decoded prepare(const buf *b, size_t n)
{
    decoded d;
    memset(&d, 0, sizeof d);
    mwg_facts_reset(&d.f, 7, 123);
    d.frame = exact_copy(b->b, n);
    return d;
}

static decoded decode_n(mwg_link link, const buf *b, size_t n, const mwg_wanted *want)
{
    decoded d = prepare(b, n);
    d.found = mwg_decode_headers(link, d.frame, n, want, &d.f);
    return d;
}

static decoded decode(mwg_link link, const buf *b, const mwg_wanted *want)
{
    return decode_n(link, b, b->n, want);
}

/* As the caller does after MWG_FOUND_FRAGMENT, with Wireshark's datagram. */
static decoded decode_datagram(const buf *b, size_t n, const mwg_wanted *want)
{
    decoded d = prepare(b, n);
    d.found = mwg_decode_datagram(d.frame, n, want, &d.f) ? MWG_FOUND : MWG_NOT_FOUND;
    return d;
}

static void assert_addr(const mwg_addr *a, const mwg_addr *b)
{
    g_assert_cmpmem(a, sizeof *a, b, sizeof *b);
}

/* 'n' payload bytes equal to 'bytes' at 'at', or none. */
static void assert_payload(const mwg_bytes *pl, const uint8_t *at, const void *bytes, size_t n, bool cut)
{
    if (n == 0) {
        g_assert_null(pl->p);
        g_assert_cmpuint(pl->len, ==, 0);
        return;
    }
    g_assert_true(pl->p == at);
    g_assert_cmpmem(pl->p, pl->len, bytes, n);
    g_assert_cmpint(pl->cut, ==, cut);
}

/* A TCP segment found: flags, sequence number, and 'n' payload bytes at
 * 'payload_at' of the 'sent' bytes the IP length claims. */
static void assert_segment(const decoded *d, unsigned flags, uint32_t seq, size_t payload_at, const void *payload,
                           size_t n, uint32_t sent, bool cut)
{
    g_assert_cmpint(d->found, ==, MWG_FOUND);
    g_assert_true(d->f.is_tcp);
    g_assert_false(d->f.is_udp);
    g_assert_cmpint(d->f.icmp_quote, ==, MWG_ICMP_NONE);
    g_assert_cmphex(d->f.tcp_flags, ==, flags);
    g_assert_cmphex(d->f.tcp_seq, ==, seq);
    g_assert_cmphex(d->f.tcp_ack, ==, ACK);
    g_assert_cmpuint(d->f.payload_len, ==, sent);
    assert_payload(&d->f.payload, d->frame + payload_at, payload, n, cut);
    /* The flow is Wireshark's: the caller sets it. */
    g_assert_cmpuint(d->f.flow.src.addr.family, ==, 0);
}

static void assert_udp(const decoded *d, size_t payload_at, const void *payload, size_t n, uint32_t sent)
{
    g_assert_cmpint(d->found, ==, MWG_FOUND);
    g_assert_true(d->f.is_udp);
    g_assert_false(d->f.is_tcp);
    g_assert_cmpint(d->f.icmp_quote, ==, MWG_ICMP_NONE);
    g_assert_cmpuint(d->f.payload_len, ==, sent);
    assert_payload(&d->f.payload, d->frame + payload_at, payload, n, false);
}

/* An ICMP error found: who sent it and the flow it quotes, as sent. */
static void assert_icmp(const decoded *d, mwg_icmp_quote quote, unsigned version, unsigned type, unsigned code,
                        const mwg_addr *reporter, const mwg_flow *quoted)
{
    g_assert_cmpint(d->found, ==, MWG_FOUND);
    g_assert_cmpint(d->f.icmp_quote, ==, quote);
    g_assert_cmpuint(d->f.icmp.version, ==, version);
    g_assert_cmpuint(d->f.icmp.type, ==, type);
    g_assert_cmpuint(d->f.icmp.code, ==, code);
    assert_addr(&d->f.icmp.reporter, reporter);
    assert_addr(&d->f.icmp_quoted.src.addr, &quoted->src.addr);
    assert_addr(&d->f.icmp_quoted.dst.addr, &quoted->dst.addr);
    g_assert_cmpuint(d->f.icmp_quoted.src.port, ==, quoted->src.port);
    g_assert_cmpuint(d->f.icmp_quoted.dst.port, ==, quoted->dst.port);
    /* An error is no packet of the flow it quotes. */
    g_assert_false(d->f.is_tcp || d->f.is_udp);
    g_assert_null(d->f.payload.p);
}

static void assert_not_found(mwg_link link, const buf *f, const mwg_wanted *want)
{
    decoded d = decode(link, f, want);
    g_assert_cmpint(d.found, ==, MWG_NOT_FOUND);
    g_assert_null(d.f.payload.p);
}

/* The packet most tests look for: CLIENT:40000 -> SERVER:80, ACK|PSH,
 * carrying a whole request. */
static const char GET_REQ[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
#define GET_LEN (sizeof GET_REQ - 1)
#define GET_FLAGS (MWG_TCP_ACK | TCP_PSH)

static buf get_segment(uint32_t seq)
{
    return tcp_seg(40000, 80, seq, GET_FLAGS, 0, GET_REQ, GET_LEN);
}

static buf get_packet(void)
{
    buf t = get_segment(SEQ);
    return ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
}

static buf get_packet6(void)
{
    buf t = get_segment(SEQ);
    return ipv6(PROTO_TCP, &CLIENT6, &SERVER6, NULL, &t);
}

static mwg_wanted get_wanted(void)
{
    return wanted(true, &CLIENT, 40000, &SERVER, 80);
}

static mwg_wanted get_wanted6(void)
{
    return wanted(true, &CLIENT6, 40000, &SERVER6, 80);
}

static void assert_get(const decoded *d, size_t payload_at)
{
    assert_segment(d, GET_FLAGS, SEQ, payload_at, GET_REQ, GET_LEN, GET_LEN, false);
}

/* A SYN with 20 bytes of options, as ICMP errors quote it. */
static buf syn_packet(void)
{
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 20, NULL, 0);
    return ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
}

static buf syn_packet6(void)
{
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 0, NULL, 0);
    return ipv6(PROTO_TCP, &CLIENT6, &SERVER6, NULL, &t);
}

/* --------------------------------------------------------- link layers */

static void test_ethernet_syn(void)
{
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 0, NULL, 0);
    buf p = ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_wanted w = wanted(true, &CLIENT, 40000, &SERVER, 443);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_segment(&d, MWG_TCP_SYN, SEQ, 54, NULL, 0, 0, false);
    /* The rest of the record is not the decoder's. */
    g_assert_cmpuint(d.f.frame, ==, 7);
    g_assert_cmpint(d.f.ts_ns, ==, 123);
    g_assert_false(d.f.has_dns);
    g_assert_cmpstr(d.f.dns_qname, ==, "");

    /* Another port, the answer's direction, UDP: not this packet. */
    w.flow.dst.port = 444;
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    mwg_wanted answer = wanted(true, &SERVER, 443, &CLIENT, 40000);
    assert_not_found(MWG_LINK_ETHERNET, &f, &answer);
    mwg_wanted udp = wanted(false, &CLIENT, 40000, &SERVER, 443);
    assert_not_found(MWG_LINK_ETHERNET, &f, &udp);
}

static void test_ethernet_padding(void)
{
    /* 14 + 20 + 20 + 3 = 57 bytes: the card pads the frame to 60. */
    buf t = tcp_seg(80, 40000, SEQ, GET_FLAGS, 0, "hi!", 3);
    buf p = ipv4(PROTO_TCP, &SERVER, &CLIENT, &t);
    buf f = ethernet(ETH_IPV4, &p);
    put_fill(&f, 0xaa, 60 - f.n);
    mwg_wanted w = wanted(true, &SERVER, 80, &CLIENT, 40000);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_segment(&d, GET_FLAGS, SEQ, 54, "hi!", 3, 3, false);

    /* A bare ACK padded to 60 bytes: no payload at all. */
    buf a = tcp_seg(80, 40000, SEQ, MWG_TCP_ACK, 0, NULL, 0);
    buf q = ipv4(PROTO_TCP, &SERVER, &CLIENT, &a);
    buf g = ethernet(ETH_IPV4, &q);
    put_fill(&g, 0x00, 6);
    d = decode(MWG_LINK_ETHERNET, &g, &w);
    assert_segment(&d, MWG_TCP_ACK, SEQ, 54, NULL, 0, 0, false);

    buf get = get_packet();
    buf h = ethernet(ETH_IPV4, &get);
    mwg_wanted gw = get_wanted();
    d = decode(MWG_LINK_ETHERNET, &h, &gw);
    assert_get(&d, 54);
}

static void test_vlan_tags(void)
{
    static const unsigned outer[] = { ETH_QINQ, ETH_QINQ_OLD, ETH_VLAN };
    buf get = get_packet();
    mwg_wanted w = get_wanted();

    buf f = { .n = 0 };
    put_eth(&f, ETH_VLAN);
    put16(&f, 0x0064);
    put16(&f, ETH_IPV4);
    put_buf(&f, &get);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 18 + 40);

    /* QinQ: a service tag, then a customer tag. */
    for (size_t i = 0; i < G_N_ELEMENTS(outer); i++) {
        buf q = { .n = 0 };
        put_eth(&q, outer[i]);
        put16(&q, 0x00c8);
        put16(&q, ETH_VLAN);
        put16(&q, 0x0064);
        put16(&q, ETH_IPV4);
        put_buf(&q, &get);
        d = decode(MWG_LINK_ETHERNET, &q, &w);
        assert_get(&d, 22 + 40);
    }

    buf get6 = get_packet6();
    buf v6 = { .n = 0 };
    put_eth(&v6, ETH_VLAN);
    put16(&v6, 0x0064);
    put16(&v6, ETH_IPV6);
    put_buf(&v6, &get6);
    mwg_wanted w6 = get_wanted6();
    d = decode(MWG_LINK_ETHERNET, &v6, &w6);
    assert_get(&d, 18 + 60);

    /* More tags than any real stack: the walk gives up, and what no IP
     * header follows is not found; the search still finds a packet after
     * them. */
    buf deep = { .n = 0 };
    put_eth(&deep, ETH_VLAN);
    for (int i = 0; i < 40; i++) {
        put16(&deep, 0x0064);
        put16(&deep, ETH_VLAN);
    }
    assert_not_found(MWG_LINK_ETHERNET, &deep, &w);
    put16(&deep, 0x0064);
    put16(&deep, ETH_IPV4);
    size_t at = deep.n;
    put_buf(&deep, &get);
    d = decode(MWG_LINK_ETHERNET, &deep, &w);
    assert_get(&d, at + 40);

    buf tag_only = { .n = 0 };
    put_eth(&tag_only, ETH_VLAN);
    put16(&tag_only, 0x0064);
    assert_not_found(MWG_LINK_ETHERNET, &tag_only, &w);
}

static void test_pppoe_and_mpls(void)
{
    buf get = get_packet();
    mwg_wanted w = get_wanted();

    buf f = { .n = 0 };
    put_eth(&f, ETH_PPPOE);
    put8(&f, 0x11);                 /* version, type */
    put8(&f, 0x00);                 /* session data */
    put16(&f, 0x0001);              /* session id */
    put16(&f, (unsigned)(2 + get.n));
    put16(&f, 0x0021);              /* PPP: IPv4 */
    put_buf(&f, &get);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 22 + 40);

    /* LCP in PPPoE: no IP at all. */
    buf lcp = { .n = 0 };
    put_eth(&lcp, ETH_PPPOE);
    put(&lcp, "\x11\0\0\x01\0\x16", 6);
    put16(&lcp, 0xc021);
    put_fill(&lcp, 0x01, 20);
    assert_not_found(MWG_LINK_ETHERNET, &lcp, &w);

    /* Two labels, the second one the bottom of the stack. */
    buf m = { .n = 0 };
    put_eth(&m, ETH_MPLS);
    put32(&m, 0x00010040);
    put32(&m, 0x00020140);
    put_buf(&m, &get);
    d = decode(MWG_LINK_ETHERNET, &m, &w);
    assert_get(&d, 22 + 40);

    buf nb = { .n = 0 };
    put_eth(&nb, ETH_MPLS);
    put32(&nb, 0x00010040);
    put32(&nb, 0x00020040);
    assert_not_found(MWG_LINK_ETHERNET, &nb, &w);
}

static void test_linux_sll(void)
{
    buf get = get_packet();
    mwg_wanted w = get_wanted();

    /* v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
    buf f = { .n = 0 };
    put16(&f, 4);                   /* sent by us */
    put16(&f, 1);                   /* ARPHRD_ETHER */
    put16(&f, 6);
    put_fill(&f, 0x02, 8);
    put16(&f, ETH_IPV4);
    g_assert_cmpuint(f.n, ==, 16);
    put_buf(&f, &get);
    decoded d = decode(MWG_LINK_LINUX_SLL, &f, &w);
    assert_get(&d, 16 + 40);

    /* v1 with a VLAN protocol (the "any" device keeps some tags). */
    buf v = { .n = 0 };
    put16(&v, 0);
    put16(&v, 1);
    put16(&v, 6);
    put_fill(&v, 0x02, 8);
    put16(&v, ETH_VLAN);
    put16(&v, 0x0064);
    put16(&v, ETH_IPV4);
    put_buf(&v, &get);
    d = decode(MWG_LINK_LINUX_SLL, &v, &w);
    assert_get(&d, 20 + 40);

    /* v2: protocol, reserved, interface index, ARPHRD, packet type,
     * address length, 8 address bytes. */
    buf g = { .n = 0 };
    put16(&g, ETH_IPV4);
    put16(&g, 0);
    put32(&g, 3);
    put16(&g, 1);
    put8(&g, 4);
    put8(&g, 6);
    put_fill(&g, 0x02, 8);
    g_assert_cmpuint(g.n, ==, 20);
    put_buf(&g, &get);
    d = decode(MWG_LINK_LINUX_SLL2, &g, &w);
    assert_get(&d, 20 + 40);
    /* Read as v1, offset 14 holds no IP protocol: the search finds the
     * packet where it is all the same. */
    d = decode(MWG_LINK_LINUX_SLL, &g, &w);
    assert_get(&d, 20 + 40);

    buf get6 = get_packet6();
    buf g6 = { .n = 0 };
    put16(&g6, ETH_IPV6);
    put_fill(&g6, 0, 18);
    put_buf(&g6, &get6);
    mwg_wanted w6 = get_wanted6();
    d = decode(MWG_LINK_LINUX_SLL2, &g6, &w6);
    assert_get(&d, 20 + 60);

    buf arp = { .n = 0 };
    put16(&arp, ETH_ARP);
    put_fill(&arp, 0, 18 + 28);
    assert_not_found(MWG_LINK_LINUX_SLL2, &arp, &w);
}

static void test_raw_ip(void)
{
    buf f = get_packet();
    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_RAW_IP, &f, &w);
    assert_get(&d, 40);

    buf g = get_packet6();
    mwg_wanted w6 = get_wanted6();
    d = decode(MWG_LINK_RAW_IP, &g, &w6);
    assert_get(&d, 60);

    /* Neither version 4 nor 6: no IP header anywhere. */
    f.b[0] = 0x55;
    assert_not_found(MWG_LINK_RAW_IP, &f, &w);
    buf empty = { .n = 0 };
    assert_not_found(MWG_LINK_RAW_IP, &empty, &w);
}

static void test_bsd_null_and_loop(void)
{
    buf get = get_packet(), get6 = get_packet6();
    mwg_wanted w = get_wanted(), w6 = get_wanted6();
    static const uint8_t v4_families[][4] = { { 2, 0, 0, 0 }, { 0, 0, 0, 2 } };
    for (size_t i = 0; i < G_N_ELEMENTS(v4_families); i++) {
        buf f = { .n = 0 };
        put(&f, v4_families[i], 4);
        put_buf(&f, &get);
        decoded d = decode(MWG_LINK_NULL, &f, &w);
        assert_get(&d, 44);
    }
    /* AF_INET6 as Linux, the BSDs and macOS number it, in either order. */
    static const uint8_t v6_families[][4] = {
        { 24, 0, 0, 0 }, { 0, 0, 0, 24 }, { 10, 0, 0, 0 }, { 0, 0, 0, 10 }, { 28, 0, 0, 0 }, { 0, 0, 0, 30 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(v6_families); i++) {
        buf f = { .n = 0 };
        put(&f, v6_families[i], 4);
        put_buf(&f, &get6);
        decoded d = decode(MWG_LINK_NULL, &f, &w6);
        assert_get(&d, 64);
    }
    /* A family the walk does not take, or one that misnames the packet:
     * the packet is found where it is. */
    buf odd = { .n = 0 };
    put(&odd, (const uint8_t[]){ 7, 0, 0, 0 }, 4);
    put_buf(&odd, &get);
    decoded d = decode(MWG_LINK_NULL, &odd, &w);
    assert_get(&d, 44);
    buf wrong = { .n = 0 };
    put(&wrong, (const uint8_t[]){ 24, 0, 0, 0 }, 4);
    put_buf(&wrong, &get);
    d = decode(MWG_LINK_NULL, &wrong, &w);
    assert_get(&d, 44);
    buf three = { .n = 3, .b = { 2, 0, 0 } };
    assert_not_found(MWG_LINK_NULL, &three, &w);

    /* LOOP: network byte order. */
    buf lp = { .n = 0 };
    put32(&lp, 2);
    put_buf(&lp, &get);
    d = decode(MWG_LINK_LOOP, &lp, &w);
    assert_get(&d, 44);
    buf lp6 = { .n = 0 };
    put32(&lp6, 24);
    put_buf(&lp6, &get6);
    d = decode(MWG_LINK_LOOP, &lp6, &w6);
    assert_get(&d, 64);
}

static void test_ppp(void)
{
    buf get = get_packet(), get6 = get_packet6();
    mwg_wanted w = get_wanted(), w6 = get_wanted6();

    buf hdlc = { .n = 0 };
    put16(&hdlc, 0xff03);
    put16(&hdlc, 0x0021);
    put_buf(&hdlc, &get);
    decoded d = decode(MWG_LINK_PPP, &hdlc, &w);
    assert_get(&d, 44);

    buf bare = { .n = 0 };
    put16(&bare, 0x0021);
    put_buf(&bare, &get);
    d = decode(MWG_LINK_PPP, &bare, &w);
    assert_get(&d, 42);

    buf v6 = { .n = 0 };
    put16(&v6, 0xff03);
    put16(&v6, 0x0057);
    put_buf(&v6, &get6);
    d = decode(MWG_LINK_PPP, &v6, &w6);
    assert_get(&d, 64);

    buf lcp = { .n = 0 };
    put16(&lcp, 0xff03);
    put16(&lcp, 0xc021);
    put_fill(&lcp, 0x01, 20);
    assert_not_found(MWG_LINK_PPP, &lcp, &w);
    buf two = { .n = 2, .b = { 0xff, 0x03 } };
    assert_not_found(MWG_LINK_PPP, &two, &w);
}

static void test_unknown_link(void)
{
    /* Link types mwg502 does not walk: the packet is searched for. */
    buf get = get_packet();
    buf f = ethernet(ETH_IPV4, &get);
    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_UNKNOWN, &f, &w);
    assert_get(&d, 54);
    /* Ethernet read as raw IP: its first nibble is 0. */
    d = decode(MWG_LINK_RAW_IP, &f, &w);
    assert_get(&d, 54);

    buf get6 = get_packet6();
    buf g = { .n = 0 };
    put(&g, "\x80\x01\x02\x03\x04\x05\x06", 7);    /* some 7-byte header */
    put_buf(&g, &get6);
    mwg_wanted w6 = get_wanted6();
    d = decode(MWG_LINK_UNKNOWN, &g, &w6);
    assert_get(&d, 7 + 60);

    buf arp = { .n = 0 };
    put_eth(&arp, ETH_ARP);
    put_fill(&arp, 0, 28);
    assert_not_found(MWG_LINK_ETHERNET, &arp, &w);
    assert_not_found(MWG_LINK_UNKNOWN, &arp, &w);
}

/* ------------------------------------------------------------ IP layer */

/* IPv6 TCP behind a hop-by-hop options header (a PadN filling its 8 bytes). */
static buf ipv6_hbh_get(void)
{
    buf t = get_segment(SEQ);
    buf hbh = { .n = 0 };
    put8(&hbh, PROTO_TCP);
    put8(&hbh, 0);                  /* 8 bytes */
    put8(&hbh, 1);                  /* PadN */
    put8(&hbh, 4);
    put32(&hbh, 0);
    buf p = ipv6(0, &CLIENT6, &SERVER6, &hbh, &t);
    return ethernet(ETH_IPV6, &p);
}

static void test_ipv6_extensions(void)
{
    buf f = ipv6_hbh_get();
    mwg_wanted w6 = get_wanted6();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w6);
    assert_get(&d, 14 + 40 + 8 + 20);

    /* Hop-by-hop, routing (24 bytes), authentication (24 bytes), TCP. */
    buf ext = { .n = 0 };
    put8(&ext, 43);
    put8(&ext, 0);
    put8(&ext, 1);
    put8(&ext, 4);
    put32(&ext, 0);
    put8(&ext, 51);
    put8(&ext, 2);                  /* (2 + 1) * 8 bytes */
    put_fill(&ext, 0, 22);
    put8(&ext, PROTO_TCP);
    put8(&ext, 4);                  /* (4 + 2) * 4 bytes */
    put_fill(&ext, 0, 22);
    buf t = get_segment(SEQ);
    buf g = ipv6(0, &CLIENT6, &SERVER6, &ext, &t);
    d = decode(MWG_LINK_RAW_IP, &g, &w6);
    assert_get(&d, 40 + 56 + 20);

    /* Extension headers without end: the walk stops. */
    buf chain = { .n = 0 };
    for (int i = 0; i < 20; i++)
        put_fill(&chain, 0, 8);
    buf loop = ipv6(0, &CLIENT6, &SERVER6, &chain, &t);
    assert_not_found(MWG_LINK_RAW_IP, &loop, &w6);

    /* One that claims to run past the packet. */
    buf big = { .n = 0 };
    put8(&big, PROTO_TCP);
    put8(&big, 255);
    put_fill(&big, 0, 6);
    buf past = ipv6(0, &CLIENT6, &SERVER6, &big, &t);
    assert_not_found(MWG_LINK_RAW_IP, &past, &w6);
}

/* An IPv6 fragment header: offset in bytes, the M flag. */
static buf ipv6_fragment_header(unsigned offset, bool more)
{
    buf b = { .n = 0 };
    put8(&b, PROTO_TCP);
    put8(&b, 0);
    put16(&b, offset | (more ? 1 : 0));
    put32(&b, 0xabcd);
    return b;
}

static void test_ipv6_fragments(void)
{
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 0, NULL, 0);
    mwg_wanted w6 = wanted(true, &CLIENT6, 40000, &SERVER6, 443);

    /* Wireshark reads the datagram once, where it is whole: the fragments
     * only say where to look. */
    buf first_ext = ipv6_fragment_header(0, true);
    buf first = ipv6(44, &CLIENT6, &SERVER6, &first_ext, &t);
    decoded d = decode(MWG_LINK_RAW_IP, &first, &w6);
    g_assert_cmpint(d.found, ==, MWG_FOUND_FRAGMENT);
    g_assert_false(d.f.is_tcp);
    g_assert_null(d.f.payload.p);
    buf later_ext = ipv6_fragment_header(1280, false);
    buf later = ipv6(44, &CLIENT6, &SERVER6, &later_ext, &t);
    d = decode(MWG_LINK_RAW_IP, &later, &w6);
    g_assert_cmpint(d.found, ==, MWG_FOUND_FRAGMENT);

    /* Another flow's fragment. */
    buf other = ipv6(44, &SERVER6, &CLIENT6, &later_ext, &t);
    assert_not_found(MWG_LINK_RAW_IP, &other, &w6);

    d = decode_datagram(&t, t.n, &w6);
    assert_segment(&d, MWG_TCP_SYN, SEQ, 20, NULL, 0, 0, false);
}

static void test_ipv6_atomic_fragment(void)
{
    /* A fragment header with offset 0 and the M flag clear (an "atomic
     * fragment", RFC 6946) is a whole packet: Wireshark dissects its TCP
     * header in the frame, and gives no reassembled datagram. */
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 0, NULL, 0);
    buf atomic_ext = ipv6_fragment_header(0, false);
    buf atomic = ipv6(44, &CLIENT6, &SERVER6, &atomic_ext, &t);
    mwg_wanted w6 = wanted(true, &CLIENT6, 40000, &SERVER6, 443);
    decoded d = decode(MWG_LINK_RAW_IP, &atomic, &w6);
    assert_segment(&d, MWG_TCP_SYN, SEQ, 40 + 8 + 20, NULL, 0, 0, false);
}

static void test_ipv4_fragments(void)
{
    buf t = get_segment(SEQ);
    unsigned total = (unsigned)(20 + t.n);
    mwg_wanted w = get_wanted();

    /* Offset 185 words; the last one (offset 1, no MF); the first (MF). */
    static const unsigned frags[] = { 185, 0x0001, 0x2000 };
    for (size_t i = 0; i < G_N_ELEMENTS(frags); i++) {
        buf p = ipv4_ex(PROTO_TCP, &CLIENT, &SERVER, &t, total, frags[i], 0);
        buf f = ethernet(ETH_IPV4, &p);
        decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
        g_assert_cmpint(d.found, ==, MWG_FOUND_FRAGMENT);
        g_assert_false(d.f.is_tcp);
        g_assert_null(d.f.payload.p);
    }
    /* Fragments of other datagrams: other addresses, or UDP. */
    buf o = ipv4_ex(PROTO_TCP, &SERVER, &CLIENT, &t, total, 185, 0);
    buf of = ethernet(ETH_IPV4, &o);
    assert_not_found(MWG_LINK_ETHERNET, &of, &w);
    buf u = ipv4_ex(PROTO_UDP, &CLIENT, &SERVER, &t, total, 185, 0);
    buf uf = ethernet(ETH_IPV4, &u);
    assert_not_found(MWG_LINK_ETHERNET, &uf, &w);

    /* Don't fragment: a whole packet. */
    buf df = ipv4_ex(PROTO_TCP, &CLIENT, &SERVER, &t, total, 0x4000, 0);
    buf dff = ethernet(ETH_IPV4, &df);
    decoded d = decode(MWG_LINK_ETHERNET, &dff, &w);
    assert_get(&d, 54);
}

/* A first fragment Wireshark could not put together with the rest (cut by
 * the snap length, or reassembly off) it dissects alone: its UDP header
 * and the datagram's first bytes, cut where the fragment ends.  Where the
 * datagram was reassembled, the caller reads that instead. */
static void test_udp_first_fragment(void)
{
    mwg_wanted w = wanted(false, &SERVER, 53, &CLIENT, 40000);
    buf u = udp_dgram(53, 40000, 8 + 1800, "answer", 6);
    buf first = ipv4_ex(PROTO_UDP, &SERVER, &CLIENT, &u, (unsigned)(20 + u.n), 0x2000, 0);
    buf f = ethernet(ETH_IPV4, &first);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    g_assert_cmpint(d.found, ==, MWG_FOUND_FIRST_FRAGMENT);
    g_assert_true(d.f.is_udp);
    g_assert_cmpuint(d.f.payload_len, ==, 1800);
    assert_payload(&d.f.payload, d.frame + 42, "answer", 6, true);

    /* The datagram read after it replaces what the fragment gave. */
    buf whole = udp_dgram(53, 40000, 8 + 3, "abc", 3);
    g_assert_true(mwg_decode_datagram(whole.b, whole.n, &w, &d.f));
    g_assert_cmpuint(d.f.payload_len, ==, 3);
    g_assert_false(d.f.payload.cut);
    g_assert_cmpmem(d.f.payload.p, d.f.payload.len, "abc", 3);

    /* A later fragment has no UDP header; another flow's is not taken. */
    buf later = ipv4_ex(PROTO_UDP, &SERVER, &CLIENT, &u, (unsigned)(20 + u.n), 185, 0);
    buf lf = ethernet(ETH_IPV4, &later);
    g_assert_cmpint(decode(MWG_LINK_ETHERNET, &lf, &w).found, ==, MWG_FOUND_FRAGMENT);
    buf other = udp_dgram(54, 40000, 8 + 1800, "answer", 6);
    buf of = ipv4_ex(PROTO_UDP, &SERVER, &CLIENT, &other, (unsigned)(20 + other.n), 0x2000, 0);
    buf off = ethernet(ETH_IPV4, &of);
    g_assert_cmpint(decode(MWG_LINK_ETHERNET, &off, &w).found, ==, MWG_FOUND_FRAGMENT);
}

static void test_datagram(void)
{
    /* Wireshark's reassembled datagram: the IP payload, whole. */
    buf t = get_segment(SEQ);
    mwg_wanted w = get_wanted();
    decoded d = decode_datagram(&t, t.n, &w);
    assert_get(&d, 20);

    /* UDP: bounded by its own length. */
    buf u = udp_dgram(53, 40000, 8 + 5, "hello1234", 9);
    mwg_wanted uw = wanted(false, &SERVER, 53, &CLIENT, 40000);
    d = decode_datagram(&u, u.n, &uw);
    assert_udp(&d, 8, "hello", 5, 5);

    /* Not the wanted ports, too short for a header, or an ICMP error (which
     * is never fragmented past its quote). */
    mwg_wanted other = wanted(true, &CLIENT, 40001, &SERVER, 80);
    g_assert_cmpint(decode_datagram(&t, t.n, &other).found, ==, MWG_NOT_FOUND);
    g_assert_cmpint(decode_datagram(&t, 19, &w).found, ==, MWG_NOT_FOUND);
    g_assert_cmpint(decode_datagram(&u, 7, &uw).found, ==, MWG_NOT_FOUND);
    mwg_wanted iw = icmp_wanted(&CLIENT, &SERVER);
    g_assert_cmpint(decode_datagram(&t, t.n, &iw).found, ==, MWG_NOT_FOUND);
}

static void test_ipv4_options_and_bad_headers(void)
{
    buf t = get_segment(SEQ);
    mwg_wanted w = get_wanted();

    /* IP options: the TCP header follows the IHL. */
    buf opt = ipv4_ex(PROTO_TCP, &CLIENT, &SERVER, &t, (unsigned)(28 + t.n), 0, 8);
    buf of = ethernet(ETH_IPV4, &opt);
    decoded d = decode(MWG_LINK_ETHERNET, &of, &w);
    assert_get(&d, 62);

    buf get = get_packet();
    buf good = ethernet(ETH_IPV4, &get);
    /* An IHL below 5 words. */
    buf bad = good;
    bad.b[14] = 0x44;
    assert_not_found(MWG_LINK_ETHERNET, &bad, &w);
    /* A total length below the IHL. */
    bad = good;
    bad.b[16] = 0;
    bad.b[17] = 19;
    assert_not_found(MWG_LINK_ETHERNET, &bad, &w);
    /* A total length that ends inside the TCP header. */
    bad = good;
    bad.b[17] = 30;
    assert_not_found(MWG_LINK_ETHERNET, &bad, &w);
    /* The Ethernet type says IPv4, the version 6. */
    bad = good;
    bad.b[14] = 0x65;
    assert_not_found(MWG_LINK_ETHERNET, &bad, &w);
}

static void test_tcp_options(void)
{
    buf t = tcp_seg(40000, 80, SEQ, GET_FLAGS, 12, GET_REQ, GET_LEN);
    buf p = ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 14 + 20 + 32);

    /* Cut inside the options: the fixed header still gives the flags and
     * numbers, the length sent stands, no byte of the options is payload. */
    d = decode_n(MWG_LINK_ETHERNET, &f, 14 + 20 + 24, &w);
    g_assert_cmpint(d.found, ==, MWG_FOUND);
    g_assert_cmphex(d.f.tcp_flags, ==, GET_FLAGS);
    g_assert_cmphex(d.f.tcp_seq, ==, SEQ);
    g_assert_cmpuint(d.f.payload_len, ==, GET_LEN);
    g_assert_null(d.f.payload.p);
    g_assert_cmpuint(d.f.payload.len, ==, 0);

    /* A data offset below 5 words. */
    buf bad = f;
    bad.b[14 + 20 + 12] = 0x40;
    assert_not_found(MWG_LINK_ETHERNET, &bad, &w);
    /* A data offset past the IP length: a header, no payload. */
    bad = f;
    bad.b[14 + 20 + 12] = 0xf0;
    d = decode(MWG_LINK_ETHERNET, &bad, &w);
    assert_segment(&d, GET_FLAGS, SEQ, 0, NULL, 0, 0, false);
}

static void test_udp(void)
{
    /* The UDP length says 5 bytes of data; the IP length says 9. */
    buf u = udp_dgram(40000, 53, 8 + 5, "hello1234", 9);
    buf p = ipv4(PROTO_UDP, &CLIENT, &SERVER, &u);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_wanted w = wanted(false, &CLIENT, 40000, &SERVER, 53);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_udp(&d, 42, "hello", 5, 5);

    /* A short datagram, padded: neither the padding nor a UDP length past
     * the IP length counts. */
    buf v = udp_dgram(53, 40000, 8 + 200, "abc", 3);
    buf q = ipv4(PROTO_UDP, &SERVER, &CLIENT, &v);
    buf g = ethernet(ETH_IPV4, &q);
    put_fill(&g, 0xee, 60 - g.n);
    mwg_wanted answer = wanted(false, &SERVER, 53, &CLIENT, 40000);
    d = decode(MWG_LINK_ETHERNET, &g, &answer);
    assert_udp(&d, 42, "abc", 3, 3);

    /* A UDP length below its own header is no bound. */
    buf x = udp_dgram(53, 40000, 3, "abcd", 4);
    buf h = ipv6(PROTO_UDP, &SERVER6, &CLIENT6, NULL, &x);
    mwg_wanted answer6 = wanted(false, &SERVER6, 53, &CLIENT6, 40000);
    d = decode(MWG_LINK_RAW_IP, &h, &answer6);
    assert_udp(&d, 48, "abcd", 4, 4);

    buf e = udp_dgram(53, 40000, 8, NULL, 0);
    buf k = ipv4(PROTO_UDP, &SERVER, &CLIENT, &e);
    d = decode(MWG_LINK_RAW_IP, &k, &answer);
    assert_udp(&d, 28, NULL, 0, 0);

    /* TCP wanted where UDP is, and another transport (SCTP). */
    mwg_wanted tcp = wanted(true, &SERVER, 53, &CLIENT, 40000);
    assert_not_found(MWG_LINK_RAW_IP, &k, &tcp);
    buf s = ipv4(PROTO_SCTP, &SERVER, &CLIENT, &e);
    assert_not_found(MWG_LINK_RAW_IP, &s, &answer);
}

/* ----------------------------------------------------------- ICMP errors */

/* A destination unreachable error from ROUTER to CLIENT about the SYN. */
static buf syn_unreachable(unsigned code)
{
    buf syn = syn_packet();
    buf m = icmp_msg(3, code, &syn, 28);
    return ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &m);
}

/* A message from ROUTER to CLIENT that is no error about TCP or UDP. */
static void assert_nothing_to_read(const buf *f, const mwg_wanted *w)
{
    decoded d = decode(MWG_LINK_RAW_IP, f, w);
    g_assert_cmpint(d.found, ==, MWG_FOUND);
    g_assert_cmpint(d.f.icmp_quote, ==, MWG_ICMP_NONE);
    g_assert_cmpuint(d.f.icmp.version, ==, 0);
    g_assert_false(d.f.is_tcp || d.f.is_udp);
    g_assert_null(d.f.payload.p);
}

static void test_icmp_ipv4(void)
{
    buf p = syn_unreachable(13);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_wanted w = icmp_wanted(&ROUTER, &CLIENT);
    mwg_flow syn = wanted(true, &CLIENT, 40000, &SERVER, 443).flow;
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_icmp(&d, MWG_ICMP_QUOTES_TCP, 4, 3, 13, &ROUTER, &syn);

    /* Port unreachable about a DNS query: the quote says UDP. */
    buf q = udp_dgram(40001, 53, 8 + 30, NULL, 0);
    put_fill(&q, 0, 30);
    buf query = ipv4(PROTO_UDP, &CLIENT, &SERVER, &q);
    buf um = icmp_msg(3, 3, &query, 28);
    buf up = ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &um);
    buf uf = ethernet(ETH_IPV4, &up);
    mwg_flow dns = wanted(false, &CLIENT, 40001, &SERVER, 53).flow;
    d = decode(MWG_LINK_ETHERNET, &uf, &w);
    assert_icmp(&d, MWG_ICMP_QUOTES_UDP, 4, 3, 3, &ROUTER, &dns);
}

static void test_icmp_ipv6(void)
{
    /* Type 1 code 1: administratively prohibited. */
    buf syn6 = syn_packet6();
    buf m = icmp_msg(1, 1, &syn6, syn6.n);
    buf p = ipv6(PROTO_ICMPV6, &ROUTER6, &CLIENT6, NULL, &m);
    buf f = ethernet(ETH_IPV6, &p);
    mwg_wanted w = icmp_wanted(&ROUTER6, &CLIENT6);
    mwg_flow quoted = wanted(true, &CLIENT6, 40000, &SERVER6, 443).flow;
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_icmp(&d, MWG_ICMP_QUOTES_TCP, 6, 1, 1, &ROUTER6, &quoted);

    /* Echo request, packet too big: no destination unreachable. */
    buf echo = icmp_msg(128, 0, &syn6, syn6.n);
    buf e = ipv6(PROTO_ICMPV6, &ROUTER6, &CLIENT6, NULL, &echo);
    assert_nothing_to_read(&e, &w);
    buf ptb = icmp_msg(2, 0, &syn6, syn6.n);
    buf k = ipv6(PROTO_ICMPV6, &ROUTER6, &CLIENT6, NULL, &ptb);
    assert_nothing_to_read(&k, &w);
    /* ICMP (v4) inside IPv6 is no ICMPv6. */
    buf v4in6 = ipv6(PROTO_ICMP, &ROUTER6, &CLIENT6, NULL, &m);
    assert_not_found(MWG_LINK_RAW_IP, &v4in6, &w);
}

static void test_icmp_anchors(void)
{
    buf p = syn_unreachable(1);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_flow syn = wanted(true, &CLIENT, 40000, &SERVER, 443).flow;

    /* Found by the error's own addresses, whatever ports and transport
     * Wireshark leaves beside them: the quoted ones (4.0), none (4.4), a
     * tunnel's. */
    static const struct {
        bool tcp;
        unsigned sport, dport;
    } ports[] = { { true, 40000, 443 }, { true, 0, 0 }, { false, 50000, 4789 }, { true, 443, 40000 } };
    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        mwg_wanted w = wanted(ports[i].tcp, &ROUTER, ports[i].sport, &CLIENT, ports[i].dport);
        w.icmp_error = true;
        decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
        assert_icmp(&d, MWG_ICMP_QUOTES_TCP, 4, 3, 1, &ROUTER, &syn);
    }

    /* The quoted packet's addresses, the error's reversed, or others: not
     * this error. */
    const mwg_addr *pairs[][2] = { { &CLIENT, &SERVER }, { &CLIENT, &ROUTER }, { &SERVER, &CLIENT } };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++) {
        mwg_wanted w = icmp_wanted(pairs[i][0], pairs[i][1]);
        assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    }
}

static void test_icmp_not_errors(void)
{
    mwg_wanted w = icmp_wanted(&ROUTER, &CLIENT);
    buf syn = syn_packet();
    buf echo_data = { .n = 0 };
    put_fill(&echo_data, 0x61, 56);

    /* Messages with nothing to read: echo request and reply, time
     * exceeded, an error about an echo request. */
    buf echo = ipv4(PROTO_ICMP, &CLIENT, &SERVER, &echo_data);
    struct {
        unsigned type, code;
        const buf *quoted;
    } nothing[] = { { 8, 0, &echo_data }, { 0, 0, &echo_data }, { 11, 0, &syn }, { 3, 1, &echo } };
    for (size_t i = 0; i < G_N_ELEMENTS(nothing); i++) {
        buf m = icmp_msg(nothing[i].type, nothing[i].code, nothing[i].quoted, 28);
        buf p = ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &m);
        assert_nothing_to_read(&p, &w);
    }

    /* An error whose quote stops before the ports, or is no IP packet. */
    buf m = icmp_msg(3, 13, &syn, 22);
    buf p = ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &m);
    assert_not_found(MWG_LINK_RAW_IP, &p, &w);
    m = icmp_msg(3, 13, &echo_data, 28);
    p = ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &m);
    assert_not_found(MWG_LINK_RAW_IP, &p, &w);

    /* An error that is itself a fragment. */
    buf e = icmp_msg(3, 13, &syn, 28);
    buf frag = ipv4_ex(PROTO_ICMP, &ROUTER, &CLIENT, &e, (unsigned)(20 + e.n), 0x2000, 0);
    assert_not_found(MWG_LINK_RAW_IP, &frag, &w);

    /* A TCP packet between the same hosts is no error. */
    buf t = tcp_seg(40000, 443, SEQ, MWG_TCP_SYN, 0, NULL, 0);
    buf plain = ipv4(PROTO_TCP, &ROUTER, &CLIENT, &t);
    assert_not_found(MWG_LINK_RAW_IP, &plain, &w);
}

static void test_icmp_quoting_later_fragment(void)
{
    /* The quoted packet is a later fragment of a TCP datagram: its first
     * bytes are data, not a TCP header; taken for ports they would name a
     * connection the data merely mentions. */
    buf data = { .n = 0 };
    put16(&data, 40000);
    put16(&data, 443);
    put_fill(&data, 0x55, 4);
    buf later = ipv4_ex(PROTO_TCP, &CLIENT, &SERVER, &data, 1500, 0x0010, 0);
    buf m = icmp_msg(3, 4, &later, 28);
    buf p = ipv4(PROTO_ICMP, &ROUTER, &CLIENT, &m);
    mwg_wanted w = icmp_wanted(&ROUTER, &CLIENT);
    decoded d = decode(MWG_LINK_RAW_IP, &p, &w);
    g_assert_cmpint(d.found, ==, MWG_FOUND);
    g_assert_cmpint(d.f.icmp_quote, ==, MWG_ICMP_NONE);
    g_assert_false(d.f.is_tcp || d.f.is_udp);
}

/* ------------------------------------------------------------- tunnels */

static void test_tunnel_gre(void)
{
    buf get = get_packet();
    buf tun = in_gre(ETH_IPV4, &get);
    buf f = ethernet(ETH_IPV4, &tun);
    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 14 + 20 + 4 + 40);

    buf get6 = get_packet6();
    buf tun6 = in_gre(ETH_IPV6, &get6);
    buf g = ethernet(ETH_IPV4, &tun6);
    mwg_wanted w6 = get_wanted6();
    d = decode(MWG_LINK_ETHERNET, &g, &w6);
    assert_get(&d, 14 + 20 + 4 + 60);
}

static void test_tunnel_vxlan(void)
{
    buf get = get_packet();
    buf inner = ethernet(ETH_IPV4, &get);
    buf tun = in_vxlan(&TUNNEL_A, &TUNNEL_B, &inner);
    buf f = ethernet(ETH_IPV4, &tun);
    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 14 + 20 + 8 + 8 + 14 + 40);

    /* The tunnel's own flow is the outer UDP datagram. */
    mwg_wanted outer = wanted(false, &TUNNEL_A, 50000, &TUNNEL_B, 4789);
    d = decode(MWG_LINK_ETHERNET, &f, &outer);
    assert_udp(&d, 14 + 20 + 8, tun.b + 28, tun.n - 28, (uint32_t)(tun.n - 28));
}

static void test_tunnel_ip_in_ip(void)
{
    buf get = get_packet();
    mwg_wanted w = get_wanted();
    buf tun = ipv4(PROTO_IPIP, &TUNNEL_A, &TUNNEL_B, &get);
    buf f = ethernet(ETH_IPV4, &tun);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_get(&d, 14 + 20 + 40);

    /* A tunnel between the very hosts of the flow: the outer packet has
     * the addresses but carries no TCP. */
    buf same = ipv4(PROTO_IPIP, &CLIENT, &SERVER, &get);
    buf g = ethernet(ETH_IPV4, &same);
    d = decode(MWG_LINK_ETHERNET, &g, &w);
    assert_get(&d, 14 + 20 + 40);
}

static void test_tunnel_ipv6_in_ipv4(void)
{
    buf get6 = get_packet6();
    buf tun = ipv4(PROTO_IPV6, &TUNNEL_A, &TUNNEL_B, &get6);
    buf f = ethernet(ETH_IPV4, &tun);
    mwg_wanted w6 = get_wanted6();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w6);
    assert_get(&d, 14 + 20 + 60);
}

static void test_tunnel_icmp(void)
{
    buf err = syn_unreachable(13);
    buf tun = in_gre(ETH_IPV4, &err);
    buf f = ethernet(ETH_IPV4, &tun);
    mwg_wanted w = icmp_wanted(&ROUTER, &CLIENT);
    mwg_flow syn = wanted(true, &CLIENT, 40000, &SERVER, 443).flow;
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    /* The reporter is the router inside, not a tunnel endpoint. */
    assert_icmp(&d, MWG_ICMP_QUOTES_TCP, 4, 3, 13, &ROUTER, &syn);
    /* The tunnel's endpoints exchange no ICMP. */
    mwg_wanted endpoints = icmp_wanted(&TUNNEL_A, &TUNNEL_B);
    assert_not_found(MWG_LINK_ETHERNET, &f, &endpoints);
}

static void test_tunnel_nested(void)
{
    /* GRE from A to B, carrying VXLAN from C to D, carrying the segment. */
    buf t = get_segment(0x77777777);
    buf get = ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
    buf inner = ethernet(ETH_IPV4, &get);
    buf vx = in_vxlan(&TUNNEL_C, &TUNNEL_D, &inner);
    buf gre = in_gre(ETH_IPV4, &vx);
    buf f = ethernet(ETH_IPV4, &gre);

    mwg_wanted w = get_wanted();
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_segment(&d, GET_FLAGS, 0x77777777, 14 + 24 + 28 + 8 + 14 + 40, GET_REQ, GET_LEN, GET_LEN, false);

    /* The middle layer when that is the flow wanted. */
    mwg_wanted middle = wanted(false, &TUNNEL_C, 50000, &TUNNEL_D, 4789);
    d = decode(MWG_LINK_ETHERNET, &f, &middle);
    assert_udp(&d, 14 + 24 + 28, vx.b + 28, vx.n - 28, (uint32_t)(vx.n - 28));

    /* IP in IP in IP, the same hosts outside and inside: the packet that
     * carries the ports is the one. */
    buf mid = ipv4(PROTO_IPIP, &CLIENT, &SERVER, &get);
    buf out = ipv4(PROTO_IPIP, &CLIENT, &SERVER, &mid);
    d = decode(MWG_LINK_RAW_IP, &out, &w);
    assert_segment(&d, GET_FLAGS, 0x77777777, 40 + 40, GET_REQ, GET_LEN, GET_LEN, false);
}

static void test_tunnel_flow_absent(void)
{
    buf get = get_packet();
    buf tun = in_gre(ETH_IPV4, &get);
    buf f = ethernet(ETH_IPV4, &tun);

    mwg_wanted w = wanted(true, &CLIENT, 40001, &SERVER, 80);
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    w = wanted(true, &CLIENT, 40000, &ROUTER, 80);
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    w = wanted(false, &CLIENT, 40000, &SERVER, 80);
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    w = get_wanted6();
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    w = icmp_wanted(&CLIENT, &SERVER);
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
    /* The tunnel endpoints carry GRE, not TCP. */
    w = wanted(true, &TUNNEL_A, 40000, &TUNNEL_B, 80);
    assert_not_found(MWG_LINK_ETHERNET, &f, &w);
}

static void test_copy_in_payload(void)
{
    /* An upload of a capture: the flow CLIENT:40001 -> SERVER:80 carries
     * a whole copy of a packet of CLIENT:40000 -> SERVER:80. */
    buf copy = get_packet();
    buf t = tcp_seg(40001, 80, 0x55555555, GET_FLAGS, 0, copy.b, copy.n);
    buf p = ipv4(PROTO_TCP, &CLIENT, &SERVER, &t);
    buf f = ethernet(ETH_IPV4, &p);
    mwg_wanted carrier = wanted(true, &CLIENT, 40001, &SERVER, 80);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &carrier);
    assert_segment(&d, GET_FLAGS, 0x55555555, 54, copy.b, copy.n, (uint32_t)copy.n, false);

    /* In a tunnel too: the inner packet found is the first with the
     * wanted flow, not the copy in its payload. */
    buf tun = in_gre(ETH_IPV4, &p);
    buf g = ethernet(ETH_IPV4, &tun);
    d = decode(MWG_LINK_ETHERNET, &g, &carrier);
    assert_segment(&d, GET_FLAGS, 0x55555555, 14 + 24 + 40, copy.b, copy.n, (uint32_t)copy.n, false);

    /* A payload that holds the wanted flow's own header (retransmitted
     * inside itself, say): the real one comes first. */
    buf inner = tcp_seg(40000, 80, 0x66666666, GET_FLAGS, 0, copy.b, copy.n);
    buf self = ipv4(PROTO_TCP, &CLIENT, &SERVER, &inner);
    buf tun2 = in_gre(ETH_IPV4, &self);
    buf h = ethernet(ETH_IPV4, &tun2);
    mwg_wanted w = get_wanted();
    d = decode(MWG_LINK_ETHERNET, &h, &w);
    assert_segment(&d, GET_FLAGS, 0x66666666, 14 + 24 + 40, copy.b, copy.n, (uint32_t)copy.n, false);
}

/* ----------------------------------------------- truncation and offload */

/* Decodes every prefix of 'f' shorter than the frame: below 'need' bytes
 * the packet is not found; from there on it is, with the facts of the whole
 * frame and as much of the payload (at 'payload_at') as the prefix holds.
 * The sanitizers see any read past a prefix. */
static void assert_truncations(mwg_link link, const buf *f, const mwg_wanted *want, size_t need, size_t payload_at)
{
    decoded whole = decode(link, f, want);
    g_assert_cmpint(whole.found, ==, MWG_FOUND);
    for (size_t len = 0; len < f->n; len++) {
        decoded d = decode_n(link, f, len, want);
        if (len < need) {
            g_assert_cmpint(d.found, ==, MWG_NOT_FOUND);
            g_assert_null(d.f.payload.p);
        } else if (want->icmp_error) {
            assert_icmp(&d, whole.f.icmp_quote, whole.f.icmp.version, whole.f.icmp.type, whole.f.icmp.code,
                        &whole.f.icmp.reporter, &whole.f.icmp_quoted);
        } else {
            size_t kept = len > payload_at ? len - payload_at : 0;
            assert_segment(&d, whole.f.tcp_flags, whole.f.tcp_seq, payload_at, whole.f.payload.p, kept,
                           whole.f.payload_len, true);
        }
    }
}

static void test_truncation(void)
{
    buf get = get_packet();
    mwg_wanted w = get_wanted(), w6 = get_wanted6();

    buf f = ethernet(ETH_IPV4, &get);
    assert_truncations(MWG_LINK_ETHERNET, &f, &w, 14 + 20 + 20, 54);

    buf g = ipv6_hbh_get();
    assert_truncations(MWG_LINK_ETHERNET, &g, &w6, 14 + 40 + 8 + 20, 14 + 40 + 8 + 20);

    buf q = { .n = 0 };
    put_eth(&q, ETH_QINQ);
    put16(&q, 0x00c8);
    put16(&q, ETH_VLAN);
    put16(&q, 0x0064);
    put16(&q, ETH_IPV4);
    put_buf(&q, &get);
    assert_truncations(MWG_LINK_ETHERNET, &q, &w, 22 + 20 + 20, 62);

    buf s = { .n = 0 };
    put16(&s, ETH_IPV4);
    put_fill(&s, 0, 18);
    put_buf(&s, &get);
    assert_truncations(MWG_LINK_LINUX_SLL2, &s, &w, 20 + 20 + 20, 60);

    buf p = syn_unreachable(13);
    buf i = ethernet(ETH_IPV4, &p);
    mwg_wanted iw = icmp_wanted(&ROUTER, &CLIENT);
    assert_truncations(MWG_LINK_ETHERNET, &i, &iw, 14 + 20 + 8 + 20 + 4, 0);
}

static void test_truncation_in_tunnels(void)
{
    buf get = get_packet();
    mwg_wanted w = get_wanted();

    buf gre = in_gre(ETH_IPV4, &get);
    buf f = ethernet(ETH_IPV4, &gre);
    assert_truncations(MWG_LINK_ETHERNET, &f, &w, 14 + 24 + 40, 14 + 24 + 40);

    buf inner = ethernet(ETH_IPV4, &get);
    buf vx = in_vxlan(&TUNNEL_A, &TUNNEL_B, &inner);
    buf g = ethernet(ETH_IPV4, &vx);
    assert_truncations(MWG_LINK_ETHERNET, &g, &w, 14 + 28 + 8 + 14 + 40, 14 + 28 + 8 + 14 + 40);
    assert_truncations(MWG_LINK_UNKNOWN, &g, &w, 14 + 28 + 8 + 14 + 40, 14 + 28 + 8 + 14 + 40);
}

static void test_offload_and_snaplen(void)
{
    char data[1400];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    buf t = tcp_seg(80, 40000, SEQ, MWG_TCP_ACK, 0, data, sizeof data);
    mwg_wanted w = wanted(true, &SERVER, 80, &CLIENT, 40000);

    /* Segmentation offload: total length 0, the frame is the packet. */
    buf p = ipv4_ex(PROTO_TCP, &SERVER, &CLIENT, &t, 0, 0x4000, 0);
    buf f = ethernet(ETH_IPV4, &p);
    decoded d = decode(MWG_LINK_ETHERNET, &f, &w);
    assert_segment(&d, MWG_TCP_ACK, SEQ, 54, data, sizeof data, sizeof data, false);

    /* A snap length: the IP length says 1440, the capture kept 96 bytes. */
    buf q = ipv4(PROTO_TCP, &SERVER, &CLIENT, &t);
    buf g = ethernet(ETH_IPV4, &q);
    d = decode_n(MWG_LINK_ETHERNET, &g, 96, &w);
    assert_segment(&d, MWG_TCP_ACK, SEQ, 54, data, 96 - 54, sizeof data, true);
    d = decode(MWG_LINK_ETHERNET, &g, &w);
    assert_segment(&d, MWG_TCP_ACK, SEQ, 54, data, sizeof data, sizeof data, false);
}

/* ------------------------------------------------------------------ DNS */

static void dns_header(buf *b, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns, unsigned ar)
{
    put16(b, id);
    put16(b, flags);
    put16(b, qd);
    put16(b, an);
    put16(b, ns);
    put16(b, ar);
}

static void dns_name(buf *b, const char *dotted)
{
    while (*dotted) {
        size_t n = strcspn(dotted, ".");
        put8(b, (unsigned)n);
        put(b, dotted, n);
        dotted += n + (dotted[n] == '.');
    }
    put8(b, 0);
}

static void dns_question(buf *b, const char *name, unsigned qtype)
{
    dns_name(b, name);
    put16(b, qtype);
    put16(b, 1);
}

/* A record whose name is a pointer to 'name_at'. */
static void dns_rr(buf *b, unsigned name_at, unsigned type, const void *rdata, size_t n)
{
    put16(b, 0xc000 | name_at);
    put16(b, type);
    put16(b, 1);
    put32(b, 300);
    put16(b, (unsigned)n);
    put(b, rdata, n);
}

typedef struct {
    bool ok;
    mwg_facts f;
} dns_read;

static dns_read read_dns_n(const buf *b, size_t n)
{
    /* A record as the plugin reuses it: the arrays past their counts hold
     * what earlier frames left, which no address read may keep. */
    dns_read r;
    memset(&r, 0xa5, sizeof r);
    mwg_facts_reset(&r.f, 9, 0);
    r.ok = mwg_decode_dns(exact_copy(b->b, n), n, &r.f);
    return r;
}

static dns_read read_dns(const buf *b)
{
    return read_dns_n(b, b->n);
}

static void assert_dns_refused(const buf *b)
{
    dns_read r = read_dns(b);
    g_assert_false(r.ok);
    g_assert_false(r.f.has_dns);
    g_assert_cmpstr(r.f.dns_qname, ==, "");
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 0);
}

static void assert_v4(const mwg_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
    mwg_addr want = { 4, { b0, b1, b2, b3 } };
    assert_addr(a, &want);
}

static void test_dns_query(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x1234, 0x0100, 1, 0, 0, 0);
    dns_question(&m, "www.example.com", 1);
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_true(r.f.has_dns);
    g_assert_false(r.f.dns_is_response);
    g_assert_cmphex(r.f.dns_id, ==, 0x1234);
    g_assert_cmpstr(r.f.dns_qname, ==, "www.example.com");
    g_assert_cmpuint(r.f.dns_qtype, ==, 1);
    g_assert_cmpuint(r.f.dns_rcode, ==, 0);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 0);
    g_assert_false(r.f.dns_answers_cut);

    /* A query that carries an answer section (it should not) counts none. */
    buf odd = { .n = 0 };
    dns_header(&odd, 0xffff, 0x0100, 1, 1, 0, 0);
    dns_question(&odd, "a.example", 28);
    dns_rr(&odd, 12, 1, (const uint8_t[]){ 1, 2, 3, 4 }, 4);
    r = read_dns(&odd);
    g_assert_true(r.ok);
    g_assert_cmphex(r.f.dns_id, ==, 0xffff);
    g_assert_cmpuint(r.f.dns_qtype, ==, 28);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 0);

    /* Bytes that cannot be in a host name do not pass as one. */
    buf bin = { .n = 0 };
    dns_header(&bin, 1, 0x0100, 1, 0, 0, 0);
    put8(&bin, 5);
    put(&bin, "a.b\x01 ", 5);
    put8(&bin, 3);
    put_str(&bin, "com");
    put8(&bin, 0);
    put32(&bin, 0x00010001);
    r = read_dns(&bin);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, "a?b??.com");

    buf root = { .n = 0 };
    dns_header(&root, 2, 0x0100, 1, 0, 0, 0);
    dns_question(&root, "", 2);
    r = read_dns(&root);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, "");
    g_assert_cmpuint(r.f.dns_qtype, ==, 2);
}

static void test_dns_nxdomain(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0xbeef, 0x8183, 1, 0, 1, 0);
    dns_question(&m, "nothing.example", 1);
    /* authority: SOA */
    put16(&m, 0xc000 | 20);
    put16(&m, 6);
    put16(&m, 1);
    put32(&m, 60);
    put16(&m, 22);
    put16(&m, 0xc000 | 20);
    put16(&m, 0xc000 | 20);
    put_fill(&m, 0, 18);
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_true(r.f.dns_is_response);
    g_assert_cmphex(r.f.dns_id, ==, 0xbeef);
    g_assert_cmpuint(r.f.dns_rcode, ==, 3);
    g_assert_cmpstr(r.f.dns_qname, ==, "nothing.example");
    g_assert_cmpuint(r.f.dns_qtype, ==, 1);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 0);
    g_assert_false(r.f.dns_answers_cut);

    /* SERVFAIL, REFUSED, NOTAUTH (all four bits); flag bits beside them are
     * no rcode. */
    static const struct {
        uint8_t byte;
        unsigned rcode;
    } codes[] = { { 0x82, 2 }, { 0x85, 5 }, { 0x89, 9 }, { 0xf0, 0 } };
    for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
        m.b[3] = codes[i].byte;
        r = read_dns(&m);
        g_assert_true(r.ok);
        g_assert_cmpuint(r.f.dns_rcode, ==, codes[i].rcode);
    }
}

static void test_dns_cname_chain(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x0102, 0x8180, 1, 5, 0, 0);
    dns_question(&m, "www.example.com", 1);     /* name at 12, "example" at 16 */
    /* www.example.com CNAME cdn.example.com (cdn, then a pointer to 16) */
    buf target = { .n = 0 };
    put8(&target, 3);
    put_str(&target, "cdn");
    put16(&target, 0xc000 | 16);
    dns_rr(&m, 12, 5, target.b, target.n);
    unsigned cdn_at = (unsigned)(m.n - target.n);
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 10 }, 4);
    dns_rr(&m, cdn_at, 16, "\x04text", 5);     /* TXT: no address */
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 11 }, 4);
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 12, 13 }, 5);   /* an A of the wrong size */
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_true(r.f.dns_is_response);
    g_assert_cmpstr(r.f.dns_qname, ==, "www.example.com");
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 2);
    assert_v4(&r.f.dns_addrs[0], 192, 0, 2, 10);
    assert_v4(&r.f.dns_addrs[1], 192, 0, 2, 11);
    g_assert_false(r.f.dns_answers_cut);

    /* The question's name a pointer to a later name. */
    buf p = { .n = 0 };
    dns_header(&p, 3, 0x8180, 1, 0, 0, 0);
    put16(&p, 0xc000 | 18);
    put32(&p, 0x00010001);
    dns_name(&p, "fwd.example");
    r = read_dns(&p);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, "fwd.example");
    g_assert_cmpuint(r.f.dns_qtype, ==, 1);
}

static void test_dns_aaaa(void)
{
    static const uint8_t six[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    buf m = { .n = 0 };
    dns_header(&m, 7, 0x8180, 1, 2, 0, 0);
    dns_question(&m, "v6.example", 28);
    dns_rr(&m, 12, 28, six, 16);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 198, 51, 100, 7 }, 4);
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.dns_qtype, ==, 28);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 2);
    g_assert_cmpuint(r.f.dns_addrs[0].family, ==, 6);
    g_assert_cmpmem(r.f.dns_addrs[0].bytes, 16, six, 16);
    assert_v4(&r.f.dns_addrs[1], 198, 51, 100, 7);
}

static void test_dns_sections(void)
{
    /* One answer; glue in the authority and additional records does not
     * mean the name resolved. */
    buf m = { .n = 0 };
    dns_header(&m, 8, 0x8180, 1, 1, 1, 2);
    dns_question(&m, "ns.example", 1);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 1 }, 4);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 2 }, 4);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 3 }, 4);
    dns_rr(&m, 12, 28, (const uint8_t[16]){ 0x20, 0x01 }, 16);
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 1);
    assert_v4(&r.f.dns_addrs[0], 203, 0, 113, 1);

    /* Two questions: the answers start after the second. */
    buf q = { .n = 0 };
    dns_header(&q, 9, 0x8180, 2, 1, 0, 0);
    dns_question(&q, "one.example", 1);
    dns_question(&q, "two.example", 1);
    dns_rr(&q, 12, 1, (const uint8_t[]){ 203, 0, 113, 9 }, 4);
    r = read_dns(&q);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, "one.example");
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 1);
    assert_v4(&r.f.dns_addrs[0], 203, 0, 113, 9);
}

static void test_dns_many_answers(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 10, 0x8180, 1, 40, 0, 0);
    dns_question(&m, "many.example", 1);
    for (unsigned i = 0; i < 40; i++)
        dns_rr(&m, 12, 1, (const uint8_t[]){ 10, 0, 0, (uint8_t)(i + 1) }, 4);
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, MWG_MAX_DNS_ADDRS);
    for (unsigned i = 0; i < MWG_MAX_DNS_ADDRS; i++)
        assert_v4(&r.f.dns_addrs[i], 10, 0, 0, (uint8_t)(i + 1));
    g_assert_false(r.f.dns_answers_cut);
}

/* A name of labels of 63 'x', then one of 'last' characters. */
static void long_name(char *out, unsigned full_labels, unsigned last)
{
    size_t n = 0;
    for (unsigned i = 0; i < full_labels; i++) {
        memset(out + n, 'x', 63);
        n += 63;
        out[n++] = '.';
    }
    memset(out + n, 'y', last);
    out[n + last] = '\0';
}

static void test_dns_hostile(void)
{
    /* A pointer to itself; two pointing at each other; a label, then a
     * pointer back to it, so that the name grows with each turn. */
    buf self = { .n = 0 };
    dns_header(&self, 11, 0x8180, 1, 0, 0, 0);
    put16(&self, 0xc000 | 12);
    put32(&self, 0x00010001);
    assert_dns_refused(&self);
    buf pair = { .n = 0 };
    dns_header(&pair, 12, 0x8180, 1, 0, 0, 0);
    put16(&pair, 0xc000 | 14);
    put16(&pair, 0xc000 | 12);
    put32(&pair, 0x00010001);
    assert_dns_refused(&pair);
    buf grow = { .n = 0 };
    dns_header(&grow, 13, 0x8180, 1, 0, 0, 0);
    put8(&grow, 3);
    put_str(&grow, "www");
    put16(&grow, 0xc000 | 12);
    put32(&grow, 0x00010001);
    assert_dns_refused(&grow);

    /* A pointer past the end; one into the header (whose id is 0: the root). */
    buf far = { .n = 0 };
    dns_header(&far, 14, 0x0100, 1, 0, 0, 0);
    put16(&far, 0xc000 | 0x3fff);
    put32(&far, 0x00010001);
    assert_dns_refused(&far);
    buf into = { .n = 0 };
    dns_header(&into, 0, 0x0100, 1, 0, 0, 0);
    put16(&into, 0xc000 | 0);
    put32(&into, 0x00010001);
    dns_read r = read_dns(&into);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, "");

    /* 255 characters are a name; 256 or 257 are not. */
    char name[400];
    long_name(name, 3, 63);
    g_assert_cmpuint(strlen(name), ==, 255);
    buf ok = { .n = 0 };
    dns_header(&ok, 15, 0x0100, 1, 0, 0, 0);
    dns_question(&ok, name, 1);
    r = read_dns(&ok);
    g_assert_true(r.ok);
    g_assert_cmpstr(r.f.dns_qname, ==, name);
    long_name(name, 4, 1);
    g_assert_cmpuint(strlen(name), ==, 257);
    buf big = { .n = 0 };
    dns_header(&big, 16, 0x0100, 1, 0, 0, 0);
    dns_question(&big, name, 1);
    assert_dns_refused(&big);
    long_name(name, 3, 62);
    strcat(name, ".z");
    g_assert_cmpuint(strlen(name), ==, 256);
    buf just = { .n = 0 };
    dns_header(&just, 17, 0x0100, 1, 0, 0, 0);
    dns_question(&just, name, 1);
    assert_dns_refused(&just);

    /* A label length with the reserved top bits 01. */
    buf ext = { .n = 0 };
    dns_header(&ext, 18, 0x0100, 1, 0, 0, 0);
    put8(&ext, 0x41);
    put8(&ext, 0);
    put32(&ext, 0x00010001);
    assert_dns_refused(&ext);

    /* No question, though an answer follows whose name reads as one. */
    buf none = { .n = 0 };
    dns_header(&none, 19, 0x8180, 0, 1, 0, 0);
    dns_name(&none, "x.example");
    put32(&none, 0x00010001);
    put32(&none, 300);
    put16(&none, 4);
    put32(&none, 0x01020304);
    assert_dns_refused(&none);

    /* Shorter than the header. */
    buf q = { .n = 0 };
    dns_header(&q, 20, 0x0100, 1, 0, 0, 0);
    dns_question(&q, "a.example", 1);
    for (size_t len = 0; len < 12; len++) {
        r = read_dns_n(&q, len);
        g_assert_false(r.ok);
        g_assert_false(r.f.has_dns);
    }

    /* An answer that claims more data than the message has, and an answer
     * count of 65535 over two records. */
    buf over = { .n = 0 };
    dns_header(&over, 21, 0x8180, 1, 2, 0, 0);
    dns_question(&over, "o.example", 1);
    dns_rr(&over, 12, 1, (const uint8_t[]){ 1, 1, 1, 1 }, 4);
    put16(&over, 0xc00c);
    put32(&over, 0x00010001);
    put32(&over, 1);
    put16(&over, 0xffff);
    put32(&over, 0x02020202);
    r = read_dns(&over);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 1);
    g_assert_true(r.f.dns_answers_cut);
    over.b[6] = over.b[7] = 0xff;
    r = read_dns(&over);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 1);
    g_assert_true(r.f.dns_answers_cut);
}

static void test_dns_truncated(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x5555, 0x8180, 1, 3, 0, 0);
    dns_question(&m, "cut.example", 1);
    size_t name_end = m.n - 4;
    size_t rr_end[3];
    for (unsigned i = 0; i < 3; i++) {
        dns_rr(&m, 12, 1, (const uint8_t[]){ 172, 16, 0, (uint8_t)(i + 1) }, 4);
        rr_end[i] = m.n;
    }
    dns_read r = read_dns(&m);
    g_assert_true(r.ok);
    g_assert_cmpuint(r.f.n_dns_addrs, ==, 3);
    g_assert_false(r.f.dns_answers_cut);

    for (size_t len = 12; len < m.n; len++) {
        r = read_dns_n(&m, len);
        if (len < name_end) {
            g_assert_false(r.ok);
            g_assert_false(r.f.has_dns);
            continue;
        }
        g_assert_true(r.ok);
        g_assert_cmphex(r.f.dns_id, ==, 0x5555);
        g_assert_cmpstr(r.f.dns_qname, ==, "cut.example");
        g_assert_cmpuint(r.f.dns_qtype, ==, len >= name_end + 2 ? 1 : 0);
        unsigned whole = 0;
        while (whole < 3 && rr_end[whole] <= len)
            whole++;
        g_assert_cmpuint(r.f.n_dns_addrs, ==, whole);
        for (unsigned i = 0; i < whole; i++)
            assert_v4(&r.f.dns_addrs[i], 172, 16, 0, (uint8_t)(i + 1));
        /* Some answer did not fit: the addresses read may not be all. */
        g_assert_true(r.f.dns_answers_cut);
    }
}

/* ----------------------------------------------------------------- HTTP */

typedef struct {
    mwg_http_state state;
    const uint8_t *at;          /* the exact-size copy read */
    mwg_http_message m;
} http_read;

static http_read read_http_n(const void *s, size_t n, bool cut, const char *answered)
{
    http_read r;
    r.at = exact_copy(s, n);
    r.state = mwg_http_read(r.at, n, cut, answered, &r.m);
    return r;
}

static http_read read_http(const char *s, bool cut, const char *answered)
{
    return read_http_n(s, strlen(s), cut, answered);
}

static void assert_span(mwg_span s, const char *text)
{
    g_assert_cmpmem(s.p, s.len, text, strlen(text));
}

/* A message read whole: 'length' bytes, the body the last 'body_len'. */
static void assert_complete(const http_read *r, size_t length, size_t body_len)
{
    g_assert_cmpint(r->state, ==, MWG_HTTP_COMPLETE);
    g_assert_cmpuint(r->m.length, ==, length);
    g_assert_cmpuint(r->m.body_len, ==, body_len);
    g_assert_true(r->m.body == r->at + length - body_len);
    g_assert_false(r->m.until_close);
}

static void assert_not_a_message(const char *s, bool cut)
{
    g_assert_cmpint(read_http(s, cut, NULL).state, ==, MWG_HTTP_NOT_A_MESSAGE);
}

static void test_http_may_start(void)
{
    static const char *const yes[] = {
        "GET / HTTP/1.1\r\n", "HTTP/1.1 502 Bad Gateway\r\n", "CONNECT a:443 HTTP/1.1", "G", "GET", "HTTP",
        "HTTP/", "M-SEARCH * HTTP/1.1", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF /",     /* 32 */
    };
    static const char *const no[] = {
        " GET /", "GET\r\n", "\x16\x03\x01\x02\x00", "G{T / HTTP/1.1", "\r\n",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG /",     /* 33 */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
        g_assert_true(mwg_http_may_start(exact_copy(yes[i], strlen(yes[i])), strlen(yes[i])));
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
        g_assert_false(mwg_http_may_start(exact_copy(no[i], strlen(no[i])), strlen(no[i])));

    /* The cheap test never turns away what mwg_http_read() takes. */
    static const char *const messages[] = {
        "GET / HTTP/1.1\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nab",
        "GET http://example.com/a/b", "HTTP/1.1 502 Bad Gat",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(messages); i++) {
        http_read r = read_http(messages[i], true, NULL);
        g_assert_cmpint(r.state, !=, MWG_HTTP_NOT_A_MESSAGE);
        g_assert_true(mwg_http_may_start(r.at, strlen(messages[i])));
    }
}

static void test_http_request(void)
{
    static const char get[] =
        "GET http://example.com/path?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    http_read r = read_http(get, false, NULL);
    assert_complete(&r, strlen(get), 0);
    g_assert_false(r.m.is_response);
    assert_span(r.m.method, "GET");
    assert_span(r.m.target, "http://example.com/path?q=1");
    g_assert_false(r.m.target_cut);
    g_assert_true(r.m.has_host);
    assert_span(r.m.host, "example.com");
    g_assert_false(r.m.chunked);

    /* No Host header; bare LF line ends; HTTP/1.0. */
    static const char lf[] = "GET /index.html HTTP/1.0\nAccept: */*\n\n";
    r = read_http(lf, false, NULL);
    assert_complete(&r, strlen(lf), 0);
    assert_span(r.m.target, "/index.html");
    g_assert_false(r.m.has_host);

    /* Headers not finished: a message begun, its Host known. */
    r = read_http("POST http://example.com/form HTTP/1.1\r\nHost: example.com\r\nContent-Le", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    assert_span(r.m.method, "POST");
    assert_span(r.m.host, "example.com");
    g_assert_cmpuint(r.m.length, ==, 0);

    /* The first Host header counts. */
    r = read_http("GET / HTTP/1.1\r\nHost: first.example\r\nHost: second.example\r\n\r\n", false, NULL);
    assert_span(r.m.host, "first.example");

    /* A body by Content-Length. */
    static const char post[] = "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc";
    r = read_http(post, false, NULL);
    assert_complete(&r, strlen(post), 3);
    assert_span((mwg_span){ r.m.body, r.m.body_len }, "abc");
}

static void test_http_connect(void)
{
    static const char c[] = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
                            "Proxy-Connection: keep-alive\r\n\r\n";
    http_read r = read_http(c, false, NULL);
    assert_complete(&r, strlen(c), 0);
    assert_span(r.m.method, "CONNECT");
    assert_span(r.m.target, "example.com:443");
    assert_span(r.m.host, "example.com:443");
}

static void test_http_response(void)
{
    static const char head[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n";
    char msg[256];
    g_snprintf(msg, sizeof msg, "%s<b>oops</b>", head);
    http_read r = read_http(msg, false, NULL);
    assert_complete(&r, strlen(msg), 11);
    g_assert_true(r.m.is_response);
    g_assert_cmpuint(r.m.status, ==, 502);
    g_assert_true(r.m.body == r.at + strlen(head));
    g_assert_cmpuint(r.m.method.len, ==, 0);

    /* No reason phrase, no length: the body runs to the close. */
    r = read_http("HTTP/1.0 504\r\n\r\n", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_true(r.m.until_close);
    g_assert_cmpuint(r.m.status, ==, 504);
    g_assert_cmpuint(r.m.body_len, ==, 0);

    /* ... as far as the bytes hold it. */
    r = read_http("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of this", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_true(r.m.until_close);
    g_assert_true(r.m.body == r.at + 38);
    g_assert_cmpuint(r.m.body_len, ==, 11);
}

static void test_http_header_case(void)
{
    http_read r = read_http("GET / HTTP/1.1\r\nHOST: \t Example.COM \t \r\n\r\n", false, NULL);
    assert_span(r.m.host, "Example.COM");
    r = read_http("GET / HTTP/1.1\r\nhOsT:x.example\r\n\r\n", false, NULL);
    assert_span(r.m.host, "x.example");
    /* An empty Host header is there, empty. */
    r = read_http("GET / HTTP/1.1\r\nHost:   \r\n\r\n", false, NULL);
    g_assert_true(r.m.has_host);
    assert_span(r.m.host, "");
    /* Not the Host header: a longer name, a space before the colon. */
    r = read_http("GET / HTTP/1.1\r\nHostname: no\r\nHost : no\r\n\r\n", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_COMPLETE);
    g_assert_false(r.m.has_host);

    static const char cl[] = "HTTP/1.1 502 Bad Gateway\r\ncontent-LENGTH:  4 \r\n\r\nbody";
    r = read_http(cl, false, NULL);
    assert_complete(&r, strlen(cl), 4);
    static const char te[] = "HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: Chunked\r\n\r\n0\r\n\r\n";
    r = read_http(te, false, NULL);
    g_assert_true(r.m.chunked);
    assert_complete(&r, strlen(te), 5);
}

static void test_http_cut_start_line(void)
{
    /* The snap length cut the request line inside the target. */
    static const char line[] = "GET http://example.com/a/very/long/pa";
    http_read r = read_http(line, true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    assert_span(r.m.method, "GET");
    g_assert_true(r.m.target_cut);
    assert_span(r.m.target, "http://example.com/a/very/long/pa");
    g_assert_false(r.m.has_host);

    r = read_http("GET / HTTP/1.1", true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_false(r.m.target_cut);
    assert_span(r.m.target, "/");
    r = read_http("HTTP/1.1 502 Bad Gateway", true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_true(r.m.is_response);
    g_assert_cmpuint(r.m.status, ==, 502);

    /* Cut after the target, inside the version: the target is whole. */
    static const char in_version[] = "GET http://example.com/ HTTP/1.";
    for (size_t n = strlen("GET http://example.com/ "); n <= strlen(in_version); n++) {
        r = read_http_n(in_version, n, true, NULL);
        g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
        assert_span(r.m.target, "http://example.com/");
        g_assert_false(r.m.target_cut);
    }
    /* ... a version that is none. */
    assert_not_a_message("GET http://example.com/ XTTP/1", true);
    /* Cut inside the method, or right after it: no target to speak of. */
    assert_not_a_message("GE", true);
    assert_not_a_message("GET ", true);

    /* A whole line, cut headers: what is there. */
    r = read_http("GET /3 HTTP/1.1\r\nHost: c.example\r\nAcc", true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    assert_span(r.m.host, "c.example");

    /* A status line cut inside the status, then after it. */
    assert_not_a_message("HTTP/1.1 50", true);
    r = read_http("HTTP/1.1 502 Bad Gat", true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_cmpuint(r.m.status, ==, 502);
}

static void test_http_start_line_in_pieces(void)
{
    /* A message sent a few bytes per segment: each prefix of its start
     * line may still become one.  Nothing of it is read yet. */
    static const char *const lines[] = { "GET http://example.com/ HTTP/1.1", "HTTP/1.1 502 Bad Gateway" };
    for (size_t i = 0; i < G_N_ELEMENTS(lines); i++) {
        for (size_t n = 1; n <= strlen(lines[i]); n++) {
            http_read r = read_http_n(lines[i], n, false, NULL);
            g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
            g_assert_false(r.m.is_response);
            g_assert_cmpuint(r.m.status, ==, 0);
            g_assert_cmpuint(r.m.method.len, ==, 0);
            g_assert_cmpuint(r.m.target.len, ==, 0);
            g_assert_true(mwg_http_may_start(r.at, n));
        }
    }
    /* Prefixes that no start line has. */
    static const char *const never[] = {
        "HTTX/1.1", "HTTP/x", "HTTP/1.1 5x", "HTTP/1.1  502", " GET", "G{T", "GET /a\x01", "GET\t/",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG",      /* 33 method characters */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
        assert_not_a_message(never[i], false);
    /* A line that has not ended within the longest a gateway reads. */
    size_t n = MWG_MAX_HTTP_LINE + 10;
    char *s = g_malloc(n + 1);
    memcpy(s, "GET /", 5);
    memset(s + 5, 'a', n - 5);
    s[n] = '\0';
    assert_not_a_message(s, false);
    g_free(s);
}

static void test_http_start_line_split_at_crlf(void)
{
    /* A segment that ends between a start line's CR and LF starts a
     * message all the same, request or response: otherwise http_stream.c
     * would lose the segments before the one Wireshark completes it in. */
    http_read status = read_http("HTTP/1.1 502 Bad Gateway\r", false, NULL);
    g_assert_cmpint(status.state, ==, MWG_HTTP_PARTIAL);
    http_read request = read_http("GET / HTTP/1.1\r", false, NULL);
    g_assert_cmpint(request.state, ==, MWG_HTTP_PARTIAL);
}

static void test_http_garbage(void)
{
    static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, '\n', ' ', '\n' };
    static const char *const bad[] = {
        "HTTP/1.1 50\r\n\r\n",
        "HTTP/1.1 5020 Bad\r\n\r\n",
        "HTTP/1.1 50x Bad\r\n\r\n",
        "HTTP/1.1502 Bad\r\n\r\n",
        "HTTP/x.1 502 Bad\r\n\r\n",
        "hello world\r\n\r\n",
        "GET /\r\n\r\n",
        "GET  / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1 extra\r\n\r\n",
        "GET / HTTP/11\r\n\r\n",
        " GET / HTTP/1.1\r\n\r\n",
        "G{T / HTTP/1.1\r\n\r\n",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / HTTP/1.1\r\n\r\n",    /* a 33-character method */
        "\r\n\r\n",
    };
    for (int cut = 0; cut < 2; cut++) {
        g_assert_cmpint(read_http_n(tls, sizeof tls, cut, NULL).state, ==, MWG_HTTP_NOT_A_MESSAGE);
        for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
            assert_not_a_message(bad[i], cut);
    }
    /* No byte yet: a message may still come, unless the capture ends here. */
    g_assert_cmpint(read_http("", false, NULL).state, ==, MWG_HTTP_PARTIAL);
    assert_not_a_message("", true);

    static const char max_method[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF / HTTP/1.1\r\n\r\n";
    http_read r = read_http(max_method, false, NULL);
    assert_complete(&r, strlen(max_method), 0);
}

static void test_http_content_length(void)
{
    static const char head[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\n";
    char msg[256];
    g_snprintf(msg, sizeof msg, "%sabcde", head);
    http_read r = read_http(msg, false, NULL);
    assert_complete(&r, strlen(msg), 5);

    /* Short of the length: begun, not ended; the body as far as it goes. */
    r = read_http_n(msg, strlen(msg) - 1, false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_false(r.m.until_close);
    g_assert_cmpuint(r.m.body_len, ==, 4);
    r = read_http("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 999999999999999\r\n\r\nshort", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);

    /* Bytes past the length belong to the next message. */
    g_snprintf(msg, sizeof msg, "%sabcdeHTTP/1.1 200 OK\r\n", head);
    r = read_http(msg, false, NULL);
    assert_complete(&r, strlen(head) + 5, 5);
    r = read_http("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\nxyz", false, NULL);
    assert_complete(&r, strlen("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"), 0);

    /* A length that is none: a response then runs to the close, a
     * request has no body. */
    static const char *const no_length[] = { "9999999999999999999999", "-1", "", "12ab", "+5" };
    for (size_t i = 0; i < G_N_ELEMENTS(no_length); i++) {
        g_snprintf(msg, sizeof msg, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: %s\r\n\r\nshort", no_length[i]);
        r = read_http(msg, false, NULL);
        g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
        g_assert_true(r.m.until_close);
        g_assert_cmpuint(r.m.body_len, ==, 5);
        g_snprintf(msg, sizeof msg, "POST / HTTP/1.1\r\nContent-Length: %s\r\n\r\n", no_length[i]);
        r = read_http(msg, false, NULL);
        assert_complete(&r, strlen(msg), 0);
    }

    /* Headers unfinished. */
    r = read_http("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n", false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_cmpuint(r.m.body_len, ==, 0);
}

static void test_http_chunked(void)
{
    /* The body as sent, sizes and all (the caller de-chunks), and where the
     * next message starts. */
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    static const char body[] = "5\r\nHTTP/\r\nA;ext=1\r\n0123456789\r\n0\r\n\r\n";
    char msg[512];
    g_snprintf(msg, sizeof msg, "%s%sHTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n", head, body);
    http_read r = read_http(msg, false, NULL);
    assert_complete(&r, strlen(head) + strlen(body), strlen(body));
    g_assert_true(r.m.chunked);

    /* Not ended yet: inside a chunk, before the last chunk, before the
     * line that ends the last chunk. */
    static const char *const unended[] = {
        "5\r\nHTT", "5\r\nHTTP/\r\n", "5\r\nHTTP/\r\n0\r\n", "5\r\nHTTP/\r\n0\r\nTrailer: x\r\n", "5\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(unended); i++) {
        g_snprintf(msg, sizeof msg, "%s%s", head, unended[i]);
        r = read_http(msg, false, NULL);
        g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
        g_assert_false(r.m.until_close);
    }

    /* Trailers end at their empty line. */
    static const char trailers[] = "3\r\nabc\r\n0\r\nExpires: never\r\nX-Check: 1\r\n\r\n";
    g_snprintf(msg, sizeof msg, "%s%sGET", head, trailers);
    r = read_http(msg, false, NULL);
    assert_complete(&r, strlen(head) + strlen(trailers), strlen(trailers));

    /* A size that is no number ends the message where it stands, as
     * Wireshark's reassembly gives up there and dissects what it has. */
    static const char *const garbage[] = { "zz\r\nabc\r\n0\r\n\r\n", "\r\n0\r\n\r\n", "-3\r\nabc\r\n0\r\n\r\n" };
    for (size_t i = 0; i < G_N_ELEMENTS(garbage); i++) {
        g_snprintf(msg, sizeof msg, "%s%s", head, garbage[i]);
        r = read_http(msg, false, NULL);
        g_assert_cmpint(r.state, ==, MWG_HTTP_COMPLETE);
        g_assert_cmpuint(r.m.length, ==, strlen(msg));
    }

    /* A Content-Length beside chunking does not bound the message. */
    static const char both[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "3\r\nabc\r\n0\r\n\r\n";
    r = read_http(both, false, NULL);
    assert_complete(&r, strlen(both), strlen("3\r\nabc\r\n0\r\n\r\n"));
}

static void test_http_chunk_size_digits(void)
{
    /* RFC 9112 allows leading zeros, and Wireshark reads this size as 5
     * (sscanf %x): the message ends after the 5 bytes and the last chunk,
     * not at the first empty line inside the chunk's data. */
    static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                              "0000000000000005\r\n\r\n\r\nx\r\n0\r\n\r\n";
    http_read r = read_http(msg, false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_COMPLETE);
    g_assert_cmpuint(r.m.length, ==, strlen(msg));
}

static void test_http_transfer_encoding_not_chunked(void)
{
    /* A response whose only coding is gzip (no Content-Length) runs to the
     * close, by RFC 9112 6.3 and by Wireshark's reassembly (which looks for
     * "chunked" at the start of the value): its bytes are no chunk sizes. */
    static const char msg[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\x08\x00";
    http_read r = read_http(msg, false, NULL);
    g_assert_false(r.m.chunked);
    g_assert_true(r.m.until_close);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
}

static void test_http_no_body(void)
{
    /* Answers to HEAD, whatever length they announce; any case of method. */
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    char msg[256];
    g_snprintf(msg, sizeof msg, "%sHTTP/1.1 404 Not Found\r\n\r\n", head);
    http_read r = read_http(msg, false, "HEAD");
    assert_complete(&r, strlen(head), 0);
    r = read_http(msg, false, "head");
    assert_complete(&r, strlen(head), 0);
    /* ... to another method, the body counts. */
    r = read_http(msg, false, "GET");
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);

    /* A tunnel opened: what follows is the tunnel's, not a body. */
    static const char est[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    g_snprintf(msg, sizeof msg, "%s\x16\x03\x01\x02\x05", est);
    r = read_http(msg, false, "CONNECT");
    assert_complete(&r, strlen(est), 0);
    /* ... refused, the answer has its body. */
    static const char refused[] = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny";
    r = read_http(refused, false, "CONNECT");
    assert_complete(&r, strlen(refused), 4);

    /* 1xx, 204 and 304 never have one. */
    static const char *const bodiless[] = {
        "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bodiless); i++) {
        g_snprintf(msg, sizeof msg, "%sHTTP/1.1 200 OK\r\n", bodiless[i]);
        r = read_http(msg, false, NULL);
        assert_complete(&r, strlen(bodiless[i]), 0);
    }
}

static void test_http_until_close(void)
{
    static const char resp[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html>";
    http_read r = read_http(resp, false, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    g_assert_true(r.m.until_close);
    g_assert_cmpuint(r.m.length, ==, 0);
    g_assert_cmpuint(r.m.body_len, ==, 6);

    /* A request without a length has no body: it ends at its headers. */
    static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n<html>";
    r = read_http(req, false, NULL);
    assert_complete(&r, strlen(req) - 6, 0);
}

/* Reads the messages of 's' one after the other, as http_stream.c walks a
 * segment: each starts where the previous one's length ends.  The walk
 * must end exactly at the end of 's'.  Returns the number of messages. */
static unsigned walk(const char *s, const char *answered, mwg_http_message *out, unsigned max)
{
    size_t len = strlen(s), off = 0;
    const uint8_t *p = exact_copy(s, len);
    unsigned n = 0;
    while (off < len) {
        g_assert_cmpuint(n, <, max);
        g_assert_cmpint(mwg_http_read(p + off, len - off, false, answered, &out[n]), ==, MWG_HTTP_COMPLETE);
        g_assert_cmpuint(out[n].length, >, 0);
        off += out[n++].length;
    }
    g_assert_cmpuint(off, ==, len);
    return n;
}

static void test_http_pipelined(void)
{
    static const char ten[] =
        "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n"
        "POST /form HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nx=1&y"
        "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        "DELETE /d HTTP/1.1\r\n\r\n"
        "OPTIONS * HTTP/1.1\r\nHost: c\r\n\r\n"
        "GET /lf HTTP/1.0\nAccept: */*\n\n"
        "PATCH /p HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
        "CONNECT d.example:443 HTTP/1.1\r\nHost: d.example:443\r\n\r\n"
        "HEAD /h HTTP/1.1\r\nHost: e\r\n\r\n"
        "GET /last HTTP/1.1\r\nHost: f\r\nContent-Length: 2\r\n\r\nok";
    static const char *const methods[] = { "GET", "POST", "PUT", "DELETE", "OPTIONS",
                                           "GET", "PATCH", "CONNECT", "HEAD", "GET" };
    mwg_http_message m[16];
    g_assert_cmpuint(walk(ten, NULL, m, G_N_ELEMENTS(m)), ==, 10);
    for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
        g_assert_false(m[i].is_response);
        assert_span(m[i].method, methods[i]);
    }
    assert_span((mwg_span){ m[1].body, m[1].body_len }, "x=1&y");
    assert_span((mwg_span){ m[2].body, m[2].body_len }, "3\r\nabc\r\n0\r\n\r\n");
    assert_span(m[7].target, "d.example:443");
    assert_span((mwg_span){ m[9].body, m[9].body_len }, "ok");

    static const char answers[] =
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.1 204 No Content\r\n\r\n"
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
        "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n4\r\noops\r\n0\r\n\r\n"
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
    static const unsigned statuses[] = { 100, 200, 204, 304, 502, 404 };
    g_assert_cmpuint(walk(answers, NULL, m, G_N_ELEMENTS(m)), ==, G_N_ELEMENTS(statuses));
    for (size_t i = 0; i < G_N_ELEMENTS(statuses); i++) {
        g_assert_true(m[i].is_response);
        g_assert_cmpuint(m[i].status, ==, statuses[i]);
    }

    /* Answers to HEAD requests, one after the other. */
    static const char heads[] = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
                                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    g_assert_cmpuint(walk(heads, "HEAD", m, G_N_ELEMENTS(m)), ==, 2);
}

static void test_http_long_lines(void)
{
    /* A start line longer than any gateway accepts is not looked into. */
    size_t n = 20000;
    char *s = g_malloc(n + 32);
    memcpy(s, "GET /", 5);
    memset(s + 5, 'a', n - 5);
    strcpy(s + n, " HTTP/1.1\r\n\r\n");
    assert_not_a_message(s, false);
    /* Cut by the capture before any line end: the target as far as a line
     * is read. */
    s[n] = '\0';
    http_read r = read_http(s, true, NULL);
    g_assert_cmpint(r.state, ==, MWG_HTTP_PARTIAL);
    assert_span(r.m.method, "GET");
    g_assert_true(r.m.target_cut);
    g_assert_cmpuint(r.m.target.len, ==, MWG_MAX_HTTP_LINE - 4);
    /* A header line as long: the headers never end within reach. */
    g_snprintf(s, 32, "GET / HTTP/1.1\r\nX: ");
    memset(s + 19, 'b', n - 19);
    strcpy(s + n, "\r\n\r\n");
    g_assert_cmpint(read_http(s, false, NULL).state, ==, MWG_HTTP_PARTIAL);
    g_free(s);
}

/* ------------------------------------------------ hosts and targets */

static void assert_normalised(const char *in, const char *want)
{
    char out[MWG_MAX_HOST_LEN + 1];
    bool ok = mwg_host_normalise(in, strlen(in), out);
    if (!want) {
        g_assert_false(ok);
        return;
    }
    g_assert_true(ok);
    g_assert_cmpstr(out, ==, want);
}

static void test_host_normalise(void)
{
    assert_normalised("Example.COM", "example.com");
    assert_normalised("example.com.", "example.com");
    assert_normalised("a...", "a");
    assert_normalised("2001:DB8::1", "2001:db8::1");
    static const char *const bad[] = {
        "", ".", "...", "exa mple.com", "exa\tmple.com", "a/b", "a\\b", "caf\xc3\xa9.example", "x\x7f", "x\x01",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        assert_normalised(bad[i], NULL);
    /* Every byte: refused, or kept lower-cased. */
    for (unsigned ch = 1; ch < 256; ch++) {
        char in[4] = { 'a', (char)ch, 'z', '\0' }, got[MWG_MAX_HOST_LEN + 1];
        bool refused = ch <= ' ' || ch == '/' || ch == '\\' || ch >= 0x7f;
        g_assert_cmpint(mwg_host_normalise(in, 3, got), ==, !refused);
        if (!refused)
            g_assert_cmpint((guint8)got[1], ==, (guint8)g_ascii_tolower((gchar)ch));
    }

    /* Only 'len' bytes are read. */
    char out[MWG_MAX_HOST_LEN + 1];
    g_assert_true(mwg_host_normalise("example.comXYZ", 11, out));
    g_assert_cmpstr(out, ==, "example.com");
    g_assert_false(mwg_host_normalise("a\0b", 3, out));

    /* 255 characters, with a trailing dot too; 256 are too many. */
    char name[300], dotted[300];
    memset(name, 'h', 256);
    name[255] = '\0';
    assert_normalised(name, name);
    g_snprintf(dotted, sizeof dotted, "%s.", name);
    assert_normalised(dotted, name);
    name[255] = 'h';
    name[256] = '\0';
    assert_normalised(name, NULL);
}

/* The host and port a request names, or none (want_host NULL). */
static void assert_target(const char *method, const char *target, bool cut, const char *host_header,
                          const char *want_host, unsigned want_port)
{
    char host[MWG_MAX_HOST_LEN + 1];
    uint16_t port = 0;
    bool ok = mwg_http_request_target(method, target, cut, host_header, host, &port);
    if (!want_host) {
        g_assert_false(ok);
        return;
    }
    g_assert_true(ok);
    g_assert_cmpstr(host, ==, want_host);
    g_assert_cmpuint(port, ==, want_port);
}

static void test_request_target_absolute(void)
{
    assert_target("GET", "http://example.com/x", false, NULL, "example.com", 80);
    assert_target("GET", "http://Example.COM:8080/x", false, NULL, "example.com", 8080);
    assert_target("GET", "http://example.com", false, NULL, "example.com", 80);
    assert_target("GET", "http://example.com?q", false, NULL, "example.com", 80);
    assert_target("GET", "https://example.com/", false, NULL, "example.com", 443);
    assert_target("GET", "HTTPS://example.com/", false, NULL, "example.com", 443);
    assert_target("GET", "https://example.com:8443/", false, NULL, "example.com", 8443);
    assert_target("GET", "ftp://ftp.example/pub/", false, NULL, "ftp.example", 21);
    assert_target("GET", "http://user:secret@example.com:81/", false, NULL, "example.com", 81);
    assert_target("GET", "http://user@example.com/", false, NULL, "example.com", 80);
    assert_target("GET", "http://[2001:db8::1]:8443/", false, NULL, "2001:db8::1", 8443);
    assert_target("GET", "http://[2001:DB8::1]/", false, NULL, "2001:db8::1", 80);
    assert_target("GET", "http://example.com./", false, NULL, "example.com", 80);
    /* The absolute URI names the host, not the Host header. */
    assert_target("GET", "http://a.example/", false, "b.example", "a.example", 80);
}

static void test_request_target_connect(void)
{
    assert_target("CONNECT", "example.com:443", false, NULL, "example.com", 443);
    assert_target("CONNECT", "example.com:8443", false, "other.example", "example.com", 8443);
    assert_target("connect", "Example.com", false, NULL, "example.com", 443);
    assert_target("CONNECT", "[2001:db8::1]:443", false, NULL, "2001:db8::1", 443);
    assert_target("CONNECT", "user@example.com:443", false, NULL, "example.com", 443);
}

static void test_request_target_host_header(void)
{
    assert_target("GET", "/", false, "www.example.com", "www.example.com", 80);
    assert_target("GET", "/", false, "WWW.example.com:8080", "www.example.com", 8080);
    assert_target("GET", "/", false, "[::1]:81", "::1", 81);
    assert_target("POST", "/form", false, NULL, NULL, 0);
    assert_target("GET", NULL, false, "a.example", "a.example", 80);
}

static void test_request_target_cut(void)
{
    /* The snap length cut the target: a host that may be cut is none. */
    assert_target("CONNECT", "example.com:44", true, NULL, NULL, 0);
    assert_target("CONNECT", "example.c", true, NULL, NULL, 0);
    assert_target("GET", "http://examp", true, NULL, NULL, 0);
    assert_target("GET", "http://example.com:80", true, NULL, NULL, 0);
    assert_target("GET", "http://user@ex", true, NULL, NULL, 0);
    assert_target("GET", "http://[2001:db8::1", true, NULL, NULL, 0);
    assert_target("GET", "http:/", true, NULL, NULL, 0);
    assert_target("GET", "/index", true, NULL, NULL, 0);
    assert_target("GET", NULL, true, NULL, NULL, 0);
    /* ... cut after the path began, the authority is whole. */
    assert_target("GET", "http://example.com/a/b", true, NULL, "example.com", 80);
    assert_target("GET", "http://example.com:8080/a", true, NULL, "example.com", 8080);
    assert_target("GET", "http://example.com?q=", true, NULL, "example.com", 80);
}

static void test_request_target_rejected(void)
{
    char host[300];
    memset(host, 'h', 256);
    host[256] = '\0';
    assert_target("GET", "/", false, host, NULL, 0);
    host[255] = '\0';
    assert_target("GET", "/", false, host, host, 80);

    static const char *const bad_hosts[] = { "", "exa mple.com", "example.com\x01", "\xc3\xa9xample.com", "a\\b" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_hosts); i++)
        assert_target("GET", "/", false, bad_hosts[i], NULL, 0);
    static const char *const bad_uris[] = { "http:///x", "http://:80/", "http://[2001:db8::1/", "http://a\\b/" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_uris); i++)
        assert_target("GET", bad_uris[i], false, NULL, NULL, 0);
    assert_target("CONNECT", "", false, "example.com", NULL, 0);
}

static void test_request_target_uri_in_query(void)
{
    /* An origin-form target carrying a URL in its query, as redirects and
     * trackers do, is no absolute URI (no scheme starts it): the host is
     * the Host header's. */
    char host[MWG_MAX_HOST_LEN + 1];
    uint16_t port = 0;
    bool ok = mwg_http_request_target("GET", "/?u=http://a.example/", false, "b.example", host, &port);
    g_assert_true(ok);
    g_assert_cmpstr(host, ==, "b.example");
    g_assert_cmpuint(port, ==, 80);
}

static void test_path_id(void)
{
    /* The client's absolute URI and the gateway's origin form are one page. */
    uint32_t page = mwg_http_target_path_id("GET", "http://a.example:8080/p/1?q=2", false);
    g_assert_cmpuint(page, !=, 0);
    g_assert_cmpuint(mwg_http_target_path_id("GET", "/p/1?q=2", false), ==, page);
    g_assert_cmpuint(mwg_http_target_path_id("GET", "/p/1?q=2#top", false), ==, page);
    g_assert_cmpuint(mwg_http_target_path_id("GET", "/p/1?q=3", false), !=, page);
    g_assert_cmpuint(mwg_http_target_path_id("GET", "http://a.example", false), ==,
                     mwg_http_target_path_id("GET", "/", false));
    g_assert_cmpuint(mwg_http_target_path_id("GET", "http://a.example?x", false), ==,
                     mwg_http_target_path_id("GET", "/?x", false));
    /* None named: no page to tell requests apart by. */
    g_assert_cmpuint(mwg_http_target_path_id("CONNECT", "a.example:443", false), ==, 0);
    g_assert_cmpuint(mwg_http_target_path_id("OPTIONS", "*", false), ==, 0);
    g_assert_cmpuint(mwg_http_target_path_id("GET", "/p/1?q", true), ==, 0);
    g_assert_cmpuint(mwg_http_target_path_id("GET", NULL, false), ==, 0);
}

static void test_proxy_form(void)
{
    g_assert_true(mwg_http_is_proxy_form("CONNECT", "example.com:443"));
    g_assert_true(mwg_http_is_proxy_form("connect", NULL));
    g_assert_true(mwg_http_is_proxy_form("GET", "http://example.com/"));
    g_assert_true(mwg_http_is_proxy_form("GET", "HTTP://example.com/"));
    g_assert_true(mwg_http_is_proxy_form(NULL, "http://example.com/"));
    g_assert_false(mwg_http_is_proxy_form("GET", "/"));
    g_assert_false(mwg_http_is_proxy_form("GET", NULL));
    g_assert_false(mwg_http_is_proxy_form("GET", "/?u=http://a.example/"));
    g_assert_false(mwg_http_is_proxy_form("OPTIONS", "*"));
}

static void test_proxy_form_other_schemes(void)
{
    /* Any absolute URI is proxy form: FTP over an HTTP proxy (GET ftp://...
     * as curl and wget send it) too. */
    g_assert_true(mwg_http_is_proxy_form("GET", "ftp://ftp.example/pub/"));
    g_assert_true(mwg_http_is_proxy_form("GET", "https://example.com/"));
    g_assert_false(mwg_http_is_proxy_form("GET", "/ftp://x"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/headers/link/ethernet-syn", test_ethernet_syn);
    g_test_add_func("/headers/link/ethernet-padding", test_ethernet_padding);
    g_test_add_func("/headers/link/vlan-tags", test_vlan_tags);
    g_test_add_func("/headers/link/pppoe-and-mpls", test_pppoe_and_mpls);
    g_test_add_func("/headers/link/linux-sll", test_linux_sll);
    g_test_add_func("/headers/link/raw-ip", test_raw_ip);
    g_test_add_func("/headers/link/bsd-null-and-loop", test_bsd_null_and_loop);
    g_test_add_func("/headers/link/ppp", test_ppp);
    g_test_add_func("/headers/link/unknown", test_unknown_link);
    g_test_add_func("/headers/ip/ipv6-extensions", test_ipv6_extensions);
    g_test_add_func("/headers/ip/ipv6-fragments", test_ipv6_fragments);
    g_test_add_func("/headers/ip/ipv6-atomic-fragment", test_ipv6_atomic_fragment);
    g_test_add_func("/headers/ip/ipv4-fragments", test_ipv4_fragments);
    g_test_add_func("/headers/ip/udp-first-fragment", test_udp_first_fragment);
    g_test_add_func("/headers/ip/datagram", test_datagram);
    g_test_add_func("/headers/ip/ipv4-options-and-bad-headers", test_ipv4_options_and_bad_headers);
    g_test_add_func("/headers/transport/tcp-options", test_tcp_options);
    g_test_add_func("/headers/transport/udp", test_udp);
    g_test_add_func("/headers/icmp/ipv4", test_icmp_ipv4);
    g_test_add_func("/headers/icmp/ipv6", test_icmp_ipv6);
    g_test_add_func("/headers/icmp/anchors", test_icmp_anchors);
    g_test_add_func("/headers/icmp/not-errors", test_icmp_not_errors);
    g_test_add_func("/headers/icmp/quoting-later-fragment", test_icmp_quoting_later_fragment);
    g_test_add_func("/headers/tunnel/gre", test_tunnel_gre);
    g_test_add_func("/headers/tunnel/vxlan", test_tunnel_vxlan);
    g_test_add_func("/headers/tunnel/ip-in-ip", test_tunnel_ip_in_ip);
    g_test_add_func("/headers/tunnel/ipv6-in-ipv4", test_tunnel_ipv6_in_ipv4);
    g_test_add_func("/headers/tunnel/icmp", test_tunnel_icmp);
    g_test_add_func("/headers/tunnel/nested", test_tunnel_nested);
    g_test_add_func("/headers/tunnel/flow-absent", test_tunnel_flow_absent);
    g_test_add_func("/headers/tunnel/copy-in-payload", test_copy_in_payload);
    g_test_add_func("/headers/truncation", test_truncation);
    g_test_add_func("/headers/truncation-in-tunnels", test_truncation_in_tunnels);
    g_test_add_func("/headers/offload-and-snaplen", test_offload_and_snaplen);

    g_test_add_func("/dns/query", test_dns_query);
    g_test_add_func("/dns/nxdomain", test_dns_nxdomain);
    g_test_add_func("/dns/cname-chain", test_dns_cname_chain);
    g_test_add_func("/dns/aaaa", test_dns_aaaa);
    g_test_add_func("/dns/sections", test_dns_sections);
    g_test_add_func("/dns/many-answers", test_dns_many_answers);
    g_test_add_func("/dns/hostile", test_dns_hostile);
    g_test_add_func("/dns/truncated", test_dns_truncated);

    g_test_add_func("/http/may-start", test_http_may_start);
    g_test_add_func("/http/request", test_http_request);
    g_test_add_func("/http/connect", test_http_connect);
    g_test_add_func("/http/response", test_http_response);
    g_test_add_func("/http/header-case", test_http_header_case);
    g_test_add_func("/http/cut-start-line", test_http_cut_start_line);
    g_test_add_func("/http/start-line-in-pieces", test_http_start_line_in_pieces);
    g_test_add_func("/http/start-line-split-at-crlf", test_http_start_line_split_at_crlf);
    g_test_add_func("/http/garbage", test_http_garbage);
    g_test_add_func("/http/content-length", test_http_content_length);
    g_test_add_func("/http/chunked", test_http_chunked);
    g_test_add_func("/http/chunk-size-digits", test_http_chunk_size_digits);
    g_test_add_func("/http/transfer-encoding-not-chunked", test_http_transfer_encoding_not_chunked);
    g_test_add_func("/http/no-body", test_http_no_body);
    g_test_add_func("/http/until-close", test_http_until_close);
    g_test_add_func("/http/pipelined", test_http_pipelined);
    g_test_add_func("/http/long-lines", test_http_long_lines);
    g_test_add_func("/http/host-normalise", test_host_normalise);
    g_test_add_func("/http/request-target/absolute", test_request_target_absolute);
    g_test_add_func("/http/request-target/connect", test_request_target_connect);
    g_test_add_func("/http/request-target/host-header", test_request_target_host_header);
    g_test_add_func("/http/request-target/cut", test_request_target_cut);
    g_test_add_func("/http/request-target/rejected", test_request_target_rejected);
    g_test_add_func("/http/request-target/uri-in-query", test_request_target_uri_in_query);
    g_test_add_func("/http/request-target/path-id", test_path_id);
    g_test_add_func("/http/proxy-form", test_proxy_form);
    g_test_add_func("/http/proxy-form-other-schemes", test_proxy_form_other_schemes);

    return g_test_run();
}
