/* Unit tests of the byte decoders (headers.c, http_message.c,
 * dns_message.c): frames and messages built by hand, facts checked field by
 * field.  Every input is decoded from an exact-size heap copy, so that a
 * read past its end shows under the sanitizers.  No Wireshark involved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_message.h"
#include "headers.h"
#include "http_message.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, current, #cond); } } while (0)
#define CHECK_EQ(a, b) do { checks++; long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    failures++; fprintf(stderr, "%s:%d: %s: %s == %lld, want %lld\n", __FILE__, __LINE__, current, #a, a_, b_); } } while (0)
#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); if (!a_ || strcmp(a_, b_) != 0) { \
    failures++; fprintf(stderr, "%s:%d: %s: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, current, #a, \
    a_ ? a_ : "(null)", b_); } } while (0)
#define CHECK_ADDR(a, b) do { checks++; if (memcmp(&(a), &(b), sizeof(mwg_addr)) != 0) { failures++; \
    fprintf(stderr, "%s:%d: %s: %s is not %s\n", __FILE__, __LINE__, current, #a, #b); } } while (0)

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const char *current;

static const mwg_addr CLIENT = { 4, { 10, 10, 67, 4 } };
static const mwg_addr SERVER = { 4, { 192, 0, 2, 80 } };
static const mwg_addr ROUTER = { 4, { 192, 0, 2, 1 } };
static const mwg_addr CLIENT6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x04 } };
static const mwg_addr SERVER6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80 } };
static const mwg_addr ROUTER6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [14] = 0xff, [15] = 0x01 } };

/* ---- byte builders ---- */

typedef struct {
    uint8_t b[8192];
    size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    if (b->n + n > sizeof b->b)
        abort();
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

/* A TCP segment: header with 'opt' bytes of NOP options, then the payload. */
static buf tcp_seg(unsigned sport, unsigned dport, unsigned flags, size_t opt, const void *payload, size_t n)
{
    buf b = { .n = 0 };
    put16(&b, sport);
    put16(&b, dport);
    put32(&b, 0x01020304);          /* seq */
    put32(&b, 0x0a0b0c0d);          /* ack */
    put8(&b, (unsigned)((20 + opt) / 4) << 4);
    put8(&b, flags);
    put16(&b, 64240);               /* window */
    put32(&b, 0);                   /* checksum, urgent */
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

/* An IPv4 packet around 'l4'.  'total' is the total length field as
 * written (0 included); 'frag' the flags and fragment offset field. */
static void ipv4_ex(buf *out, unsigned proto, const mwg_addr *s, const mwg_addr *d, const buf *l4, unsigned total,
                    unsigned frag, size_t opt)
{
    put8(out, 0x40 | (unsigned)(5 + opt / 4));
    put8(out, 0);
    put16(out, total);
    put16(out, 0x1234);             /* id */
    put16(out, frag);
    put8(out, 64);                  /* ttl */
    put8(out, proto);
    put16(out, 0);                  /* checksum */
    put_addr(out, s);
    put_addr(out, d);
    put_fill(out, 0x01, opt);
    put(out, l4->b, l4->n);
}

static void ipv4(buf *out, unsigned proto, const mwg_addr *s, const mwg_addr *d, const buf *l4)
{
    ipv4_ex(out, proto, s, d, l4, (unsigned)(20 + l4->n), 0, 0);
}

/* An IPv6 packet around 'ext' (extension headers, may be NULL) and 'l4'. */
static void ipv6(buf *out, unsigned next, const mwg_addr *s, const mwg_addr *d, const buf *ext, const buf *l4)
{
    put32(out, 0x60000000);
    put16(out, (unsigned)((ext ? ext->n : 0) + l4->n));
    put8(out, next);
    put8(out, 64);                  /* hop limit */
    put_addr(out, s);
    put_addr(out, d);
    if (ext)
        put(out, ext->b, ext->n);
    put(out, l4->b, l4->n);
}

static void eth(buf *out, unsigned type)
{
    static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02 };
    put(out, macs, sizeof macs);
    put16(out, type);
}

/* ---- decoding from exact-size copies ---- */

static mwg_facts F;
static uint8_t *held;

static const uint8_t *hold(const void *p, size_t n)
{
    free(held);
    held = malloc(n ? n : 1);
    if (!held)
        abort();
    if (n)
        memcpy(held, p, n);
    return held;
}

static bool hdr_n(mwg_link lk, const buf *b, size_t n, mwg_bytes *pl)
{
    mwg_facts_reset(&F, 7, 123);
    const uint8_t *p = hold(b->b, n);
    return mwg_decode_headers(lk, p, n, &F, pl);
}

static bool hdr(mwg_link lk, const buf *b, mwg_bytes *pl)
{
    return hdr_n(lk, b, b->n, pl);
}

static void expect_tcp_flow(const mwg_addr *s, unsigned sp, const mwg_addr *d, unsigned dp)
{
    CHECK(F.is_tcp);
    CHECK(!F.is_udp);
    CHECK(F.has_tcp_flags);
    CHECK_ADDR(F.flow.src.addr, *s);
    CHECK_EQ(F.flow.src.port, sp);
    CHECK_ADDR(F.flow.dst.addr, *d);
    CHECK_EQ(F.flow.dst.port, dp);
    CHECK_EQ(F.icmp_quote, MWG_ICMP_NONE);
}

static const char GET_LINE[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
#define GET_LEN (sizeof GET_LINE - 1)

/* Ethernet, IPv4, TCP ACK|PSH carrying GET_LINE: client to server. */
static buf eth_ipv4_get(void)
{
    buf f = { .n = 0 };
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    eth(&f, 0x0800);
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    return f;
}

/* Checks that F and pl hold the GET_LINE segment of eth_ipv4_get(). */
static void expect_get(bool ok, const mwg_bytes *pl, size_t payload_at)
{
    CHECK(ok);
    expect_tcp_flow(&CLIENT, 40000, &SERVER, 80);
    CHECK_EQ(F.tcp_flags, MWG_TCP_ACK | 0x08);
    CHECK_EQ(F.tcp_payload_len, GET_LEN);
    CHECK(pl->p == held + payload_at);
    CHECK_EQ(pl->len, GET_LEN);
    CHECK(!pl->cut);
    CHECK(pl->p && memcmp(pl->p, GET_LINE, GET_LEN) == 0);
    CHECK_EQ(F.payload_head_len, MWG_PAYLOAD_HEAD);
    CHECK(memcmp(F.payload_head, GET_LINE, MWG_PAYLOAD_HEAD) == 0);
}

/* ---- headers ---- */

static void test_eth_ipv4_syn(void)
{
    buf f = { .n = 0 };
    buf t = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    eth(&f, 0x0800);
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    mwg_bytes pl = { (const uint8_t *)"x", 1, true };
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    expect_tcp_flow(&CLIENT, 40000, &SERVER, 443);
    CHECK_EQ(F.tcp_flags, MWG_TCP_SYN);
    CHECK_EQ(F.tcp_payload_len, 0);
    CHECK_EQ(F.payload_head_len, 0);
    CHECK(pl.p == NULL);
    CHECK_EQ(pl.len, 0);
    CHECK(!pl.cut);
    CHECK_EQ(F.frame, 7);
    CHECK_EQ(F.ts_ns, 123);
    CHECK(!F.has_dns);
    CHECK_EQ(F.n_requests + F.n_responses, 0);
}

static void test_eth_padding(void)
{
    /* 14 + 20 + 20 + 3 = 57 bytes: the card pads the frame to 60. */
    buf f = { .n = 0 };
    buf t = tcp_seg(80, 40000, MWG_TCP_ACK | 0x08, 0, "hi!", 3);
    eth(&f, 0x0800);
    ipv4(&f, 6, &SERVER, &CLIENT, &t);
    put_fill(&f, 0xaa, 60 - f.n);
    mwg_bytes pl;
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    expect_tcp_flow(&SERVER, 80, &CLIENT, 40000);
    CHECK_EQ(F.tcp_payload_len, 3);
    CHECK_EQ(pl.len, 3);
    CHECK(pl.p == held + 54);
    CHECK(!pl.cut);
    CHECK_EQ(F.payload_head_len, 3);
    CHECK(memcmp(F.payload_head, "hi!", 3) == 0);
    CHECK_EQ(F.payload_head[3], 0);

    /* A bare ACK padded to 60 bytes: no payload at all. */
    buf g = { .n = 0 };
    buf a = tcp_seg(80, 40000, MWG_TCP_ACK, 0, NULL, 0);
    eth(&g, 0x0800);
    ipv4(&g, 6, &SERVER, &CLIENT, &a);
    put_fill(&g, 0x00, 6);
    CHECK(hdr(MWG_LINK_ETHERNET, &g, &pl));
    CHECK_EQ(F.tcp_payload_len, 0);
    CHECK_EQ(pl.len, 0);
    CHECK(pl.p == NULL);
    CHECK_EQ(F.payload_head_len, 0);

    /* A longer payload: the head is its first MWG_PAYLOAD_HEAD bytes. */
    f = eth_ipv4_get();
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    expect_get(true, &pl, 54);
}

static void test_vlan_tags(void)
{
    static const unsigned outer[] = { 0x8100, 0x88a8, 0x9100 };
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    mwg_bytes pl;

    /* 802.1Q */
    buf f = { .n = 0 };
    eth(&f, 0x8100);
    put16(&f, 0x0064);
    put16(&f, 0x0800);
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_ETHERNET, &f, &pl), &pl, 58);

    /* QinQ: an outer service tag, then a customer tag. */
    for (size_t i = 0; i < N_ELEMENTS(outer); i++) {
        buf q = { .n = 0 };
        eth(&q, outer[i]);
        put16(&q, 0x00c8);
        put16(&q, 0x8100);
        put16(&q, 0x0064);
        put16(&q, 0x0800);
        ipv4(&q, 6, &CLIENT, &SERVER, &t);
        expect_get(hdr(MWG_LINK_ETHERNET, &q, &pl), &pl, 62);
    }

    /* A tagged IPv6 packet. */
    buf s = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    buf v6 = { .n = 0 };
    eth(&v6, 0x8100);
    put16(&v6, 0x0064);
    put16(&v6, 0x86dd);
    ipv6(&v6, 6, &CLIENT6, &SERVER6, NULL, &s);
    CHECK(hdr(MWG_LINK_ETHERNET, &v6, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);

    /* Tags without end: more than any real stack; must just stop. */
    buf deep = { .n = 0 };
    eth(&deep, 0x8100);
    for (int i = 0; i < 40; i++) {
        put16(&deep, 0x0064);
        put16(&deep, 0x8100);
    }
    CHECK(!hdr(MWG_LINK_ETHERNET, &deep, &pl));
    /* A tag that ends the frame. */
    buf tag_only = { .n = 0 };
    eth(&tag_only, 0x8100);
    put16(&tag_only, 0x0064);
    CHECK(!hdr(MWG_LINK_ETHERNET, &tag_only, &pl));
}

static void test_pppoe_and_mpls(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    mwg_bytes pl;

    buf f = { .n = 0 };
    eth(&f, 0x8864);
    put8(&f, 0x11);                 /* version, type */
    put8(&f, 0x00);                 /* session data */
    put16(&f, 0x0001);              /* session id */
    put16(&f, (unsigned)(2 + 20 + t.n));
    put16(&f, 0x0021);              /* PPP: IPv4 */
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_ETHERNET, &f, &pl), &pl, 22 + 20 + 20);

    /* Two MPLS labels, the second one the bottom of the stack. */
    buf m = { .n = 0 };
    eth(&m, 0x8847);
    put32(&m, 0x00010040);
    put32(&m, 0x00020140);
    ipv4(&m, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_ETHERNET, &m, &pl), &pl, 22 + 20 + 20);

    /* A label stack with no bottom. */
    buf nb = { .n = 0 };
    eth(&nb, 0x8847);
    put32(&nb, 0x00010040);
    put32(&nb, 0x00020040);
    CHECK(!hdr(MWG_LINK_ETHERNET, &nb, &pl));
}

static void test_linux_sll(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    mwg_bytes pl;

    /* v1: packet type, ARPHRD, address length, 8 address bytes, protocol. */
    buf f = { .n = 0 };
    put16(&f, 4);                   /* sent by us */
    put16(&f, 1);                   /* ARPHRD_ETHER */
    put16(&f, 6);
    put_fill(&f, 0x02, 8);
    put16(&f, 0x0800);
    CHECK_EQ(f.n, 16);
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_LINUX_SLL, &f, &pl), &pl, 16 + 20 + 20);

    /* v1 with a VLAN protocol (the "any" device keeps some tags). */
    buf v = { .n = 0 };
    put16(&v, 0);
    put16(&v, 1);
    put16(&v, 6);
    put_fill(&v, 0x02, 8);
    put16(&v, 0x8100);
    put16(&v, 0x0064);
    put16(&v, 0x0800);
    ipv4(&v, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_LINUX_SLL, &v, &pl), &pl, 20 + 20 + 20);

    /* v2: protocol, reserved, interface index, ARPHRD, packet type,
     * address length, 8 address bytes. */
    buf g = { .n = 0 };
    put16(&g, 0x0800);
    put16(&g, 0);
    put32(&g, 3);
    put16(&g, 1);
    put8(&g, 4);
    put8(&g, 6);
    put_fill(&g, 0x02, 8);
    CHECK_EQ(g.n, 20);
    ipv4(&g, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_LINUX_SLL2, &g, &pl), &pl, 20 + 20 + 20);

    /* v2 IPv6 */
    buf s = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    buf g6 = { .n = 0 };
    put16(&g6, 0x86dd);
    put_fill(&g6, 0, 18);
    ipv6(&g6, 6, &CLIENT6, &SERVER6, NULL, &s);
    CHECK(hdr(MWG_LINK_LINUX_SLL2, &g6, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);

    /* The same bytes read as v1 have no IP protocol at offset 14. */
    CHECK(!hdr(MWG_LINK_LINUX_SLL, &g, &pl));
    /* An ARP frame in v2. */
    buf arp = { .n = 0 };
    put16(&arp, 0x0806);
    put_fill(&arp, 0, 18 + 28);
    CHECK(!hdr(MWG_LINK_LINUX_SLL2, &arp, &pl));
}

static void test_raw_ip(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    mwg_bytes pl;
    buf f = { .n = 0 };
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_RAW_IP, &f, &pl), &pl, 40);

    buf g = { .n = 0 };
    ipv6(&g, 6, &CLIENT6, &SERVER6, NULL, &t);
    CHECK(hdr(MWG_LINK_RAW_IP, &g, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 80);
    CHECK_EQ(pl.len, GET_LEN);
    CHECK(pl.p == held + 60);

    /* Neither version 4 nor 6. */
    f.b[0] = 0x55;
    CHECK(!hdr(MWG_LINK_RAW_IP, &f, &pl));
    buf empty = { .n = 0 };
    CHECK(!hdr(MWG_LINK_RAW_IP, &empty, &pl));
}

static void test_bsd_null_and_loop(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    buf s = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    mwg_bytes pl;
    static const uint8_t v4_families[][4] = { { 2, 0, 0, 0 }, { 0, 0, 0, 2 } };
    for (size_t i = 0; i < N_ELEMENTS(v4_families); i++) {
        buf f = { .n = 0 };
        put(&f, v4_families[i], 4);
        ipv4(&f, 6, &CLIENT, &SERVER, &t);
        expect_get(hdr(MWG_LINK_NULL, &f, &pl), &pl, 44);
    }
    static const uint8_t v6_families[][4] = {
        { 24, 0, 0, 0 }, { 0, 0, 0, 24 }, { 10, 0, 0, 0 }, { 0, 0, 0, 10 }, { 28, 0, 0, 0 }, { 0, 0, 0, 30 },
    };
    for (size_t i = 0; i < N_ELEMENTS(v6_families); i++) {
        buf f = { .n = 0 };
        put(&f, v6_families[i], 4);
        ipv6(&f, 6, &CLIENT6, &SERVER6, NULL, &s);
        CHECK(hdr(MWG_LINK_NULL, &f, &pl));
        expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);
    }
    /* An unknown family, and a family that says IPv6 over an IPv4 packet. */
    buf odd = { .n = 0 };
    put(&odd, (const uint8_t[]){ 7, 0, 0, 0 }, 4);
    ipv4(&odd, 6, &CLIENT, &SERVER, &t);
    CHECK(!hdr(MWG_LINK_NULL, &odd, &pl));
    buf wrong = { .n = 0 };
    put(&wrong, (const uint8_t[]){ 24, 0, 0, 0 }, 4);
    ipv4(&wrong, 6, &CLIENT, &SERVER, &t);
    CHECK(!hdr(MWG_LINK_NULL, &wrong, &pl));
    buf three = { .n = 3, .b = { 2, 0, 0 } };
    CHECK(!hdr(MWG_LINK_NULL, &three, &pl));

    /* LOOP: network byte order only. */
    buf lp = { .n = 0 };
    put32(&lp, 2);
    ipv4(&lp, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_LOOP, &lp, &pl), &pl, 44);
    buf lp6 = { .n = 0 };
    put32(&lp6, 24);
    ipv6(&lp6, 6, &CLIENT6, &SERVER6, NULL, &s);
    CHECK(hdr(MWG_LINK_LOOP, &lp6, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);
    buf lp_le = { .n = 0 };
    put(&lp_le, (const uint8_t[]){ 2, 0, 0, 0 }, 4);
    ipv4(&lp_le, 6, &CLIENT, &SERVER, &t);
    CHECK(!hdr(MWG_LINK_LOOP, &lp_le, &pl));
}

static void test_ppp(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    buf s = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    mwg_bytes pl;

    buf hdlc = { .n = 0 };
    put8(&hdlc, 0xff);
    put8(&hdlc, 0x03);
    put16(&hdlc, 0x0021);
    ipv4(&hdlc, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_PPP, &hdlc, &pl), &pl, 44);

    buf bare = { .n = 0 };
    put16(&bare, 0x0021);
    ipv4(&bare, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_PPP, &bare, &pl), &pl, 42);

    buf v6 = { .n = 0 };
    put8(&v6, 0xff);
    put8(&v6, 0x03);
    put16(&v6, 0x0057);
    ipv6(&v6, 6, &CLIENT6, &SERVER6, NULL, &s);
    CHECK(hdr(MWG_LINK_PPP, &v6, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);

    /* LCP is not IP. */
    buf lcp = { .n = 0 };
    put8(&lcp, 0xff);
    put8(&lcp, 0x03);
    put16(&lcp, 0xc021);
    put_fill(&lcp, 0x01, 20);
    CHECK(!hdr(MWG_LINK_PPP, &lcp, &pl));
    buf two = { .n = 2, .b = { 0xff, 0x03 } };
    CHECK(!hdr(MWG_LINK_PPP, &two, &pl));
}

/* IPv6 TCP behind a hop-by-hop options header (a PadN filling its 8 bytes). */
static buf ipv6_hbh_get(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    buf hbh = { .n = 0 };
    put8(&hbh, 6);                  /* next: TCP */
    put8(&hbh, 0);                  /* 8 bytes */
    put8(&hbh, 1);                  /* PadN */
    put8(&hbh, 4);
    put32(&hbh, 0);
    buf f = { .n = 0 };
    eth(&f, 0x86dd);
    ipv6(&f, 0, &CLIENT6, &SERVER6, &hbh, &t);
    return f;
}

static void test_ipv6_extensions(void)
{
    mwg_bytes pl;
    buf f = ipv6_hbh_get();
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 80);
    CHECK_EQ(F.tcp_flags, MWG_TCP_ACK | 0x08);
    CHECK_EQ(F.tcp_payload_len, GET_LEN);
    CHECK_EQ(pl.len, GET_LEN);
    CHECK(pl.p == held + 14 + 40 + 8 + 20);
    CHECK(!pl.cut);
    CHECK(memcmp(F.payload_head, GET_LINE, MWG_PAYLOAD_HEAD) == 0);

    /* Hop-by-hop, then destination options of 16 bytes, then TCP. */
    buf t = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    buf ext = { .n = 0 };
    put8(&ext, 60);
    put8(&ext, 0);
    put8(&ext, 1);
    put8(&ext, 4);
    put32(&ext, 0);
    put8(&ext, 6);
    put8(&ext, 1);                  /* 16 bytes */
    put8(&ext, 1);
    put8(&ext, 12);
    put_fill(&ext, 0, 12);
    buf g = { .n = 0 };
    ipv6(&g, 0, &CLIENT6, &SERVER6, &ext, &t);
    CHECK(hdr(MWG_LINK_RAW_IP, &g, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);
    CHECK_EQ(F.tcp_flags, MWG_TCP_SYN);

    /* Fragments: the datagram is read where Wireshark reassembled it,
     * the addresses from the frame, the TCP header from the datagram. */
    buf frag = { .n = 0 };
    put8(&frag, 6);
    put8(&frag, 0);
    put16(&frag, 0x0001);           /* offset 0, more fragments */
    put32(&frag, 0xabcd);
    buf first = { .n = 0 };
    ipv6(&first, 44, &CLIENT6, &SERVER6, &frag, &t);
    CHECK(!hdr(MWG_LINK_RAW_IP, &first, &pl));
    CHECK(!F.is_tcp);
    buf later = first;
    later.b[40 + 2] = 0x05;         /* offset 1280 */
    later.b[40 + 3] = 0x00;
    CHECK(!hdr(MWG_LINK_RAW_IP, &later, &pl));
    CHECK(!F.is_tcp);
    mwg_facts_reset(&F, 7, 123);
    const uint8_t *frame = hold(later.b, later.n);
    CHECK(mwg_decode_reassembled(MWG_LINK_RAW_IP, frame, later.n, t.b, t.n, &F, &pl));
    expect_tcp_flow(&CLIENT6, 40000, &SERVER6, 443);
    CHECK_EQ(F.tcp_flags, MWG_TCP_SYN);

    /* Extension headers without end: must stop. */
    buf chain = { .n = 0 };
    for (int i = 0; i < 20; i++) {
        put8(&chain, 0);
        put8(&chain, 0);
        put_fill(&chain, 0, 6);
    }
    buf loop = { .n = 0 };
    ipv6(&loop, 0, &CLIENT6, &SERVER6, &chain, &t);
    CHECK(!hdr(MWG_LINK_RAW_IP, &loop, &pl));
}

static void test_ipv4_fragments_and_options(void)
{
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    unsigned total = (unsigned)(20 + t.n);
    mwg_bytes pl;

    buf later = { .n = 0 };
    eth(&later, 0x0800);
    ipv4_ex(&later, 6, &CLIENT, &SERVER, &t, total, 185, 0);
    CHECK(!hdr(MWG_LINK_ETHERNET, &later, &pl));
    CHECK(!F.is_tcp);
    CHECK(pl.p == NULL);
    buf last = { .n = 0 };
    eth(&last, 0x0800);
    ipv4_ex(&last, 6, &CLIENT, &SERVER, &t, total, 0x0001, 0);
    CHECK(!hdr(MWG_LINK_ETHERNET, &last, &pl));

    /* More fragments, offset 0: the first fragment has the ports, but
     * Wireshark reads the datagram where it is whole, and so do we. */
    buf first = { .n = 0 };
    eth(&first, 0x0800);
    ipv4_ex(&first, 6, &CLIENT, &SERVER, &t, total, 0x2000, 0);
    CHECK(!hdr(MWG_LINK_ETHERNET, &first, &pl));
    CHECK(!F.is_tcp);
    /* ... in the frame of the last fragment, from the reassembled datagram. */
    mwg_facts_reset(&F, 7, 123);
    const uint8_t *frame = hold(later.b, later.n);
    CHECK(mwg_decode_reassembled(MWG_LINK_ETHERNET, frame, later.n, t.b, t.n, &F, &pl));
    expect_tcp_flow(&CLIENT, 40000, &SERVER, 80);
    CHECK_EQ(F.tcp_payload_len, GET_LEN);
    CHECK(pl.p == t.b + 20);
    CHECK_EQ(pl.len, GET_LEN);
    CHECK(!pl.cut);
    CHECK_EQ(F.payload_head_len, MWG_PAYLOAD_HEAD);
    /* Don't fragment */
    buf df = { .n = 0 };
    eth(&df, 0x0800);
    ipv4_ex(&df, 6, &CLIENT, &SERVER, &t, total, 0x4000, 0);
    expect_get(hdr(MWG_LINK_ETHERNET, &df, &pl), &pl, 54);
    /* A whole packet is not a piece of a reassembled datagram. */
    mwg_facts_reset(&F, 7, 123);
    frame = hold(df.b, df.n);
    CHECK(!mwg_decode_reassembled(MWG_LINK_ETHERNET, frame, df.n, t.b, t.n, &F, &pl));
    CHECK(!F.is_tcp);
    /* A reassembled datagram too short for a TCP header. */
    mwg_facts_reset(&F, 7, 123);
    frame = hold(later.b, later.n);
    CHECK(!mwg_decode_reassembled(MWG_LINK_ETHERNET, frame, later.n, t.b, 19, &F, &pl));

    /* IP options: the TCP header follows the IHL. */
    buf opt = { .n = 0 };
    eth(&opt, 0x0800);
    ipv4_ex(&opt, 6, &CLIENT, &SERVER, &t, total + 8, 0, 8);
    expect_get(hdr(MWG_LINK_ETHERNET, &opt, &pl), &pl, 62);

    /* An IHL below 5, and a total length below the IHL. */
    buf bad = eth_ipv4_get();
    bad.b[14] = 0x44;
    CHECK(!hdr(MWG_LINK_ETHERNET, &bad, &pl));
    bad = eth_ipv4_get();
    bad.b[16] = 0;
    bad.b[17] = 19;
    CHECK(!hdr(MWG_LINK_ETHERNET, &bad, &pl));
    /* Total length that ends inside the TCP header. */
    bad = eth_ipv4_get();
    bad.b[17] = 30;
    CHECK(!hdr(MWG_LINK_ETHERNET, &bad, &pl));
    /* The Ethernet type says IPv4, the version says 6. */
    bad = eth_ipv4_get();
    bad.b[14] = 0x65;
    CHECK(!hdr(MWG_LINK_ETHERNET, &bad, &pl));
}

static void test_tcp_options(void)
{
    mwg_bytes pl;
    /* 12 bytes of options, then the data. */
    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 12, GET_LINE, GET_LEN);
    buf f = { .n = 0 };
    eth(&f, 0x0800);
    ipv4(&f, 6, &CLIENT, &SERVER, &t);
    expect_get(hdr(MWG_LINK_ETHERNET, &f, &pl), &pl, 14 + 20 + 32);

    /* Cut inside the options: the fixed header still gives the flags and
     * ports; no payload is taken from the options. */
    CHECK(hdr_n(MWG_LINK_ETHERNET, &f, 14 + 20 + 24, &pl));
    expect_tcp_flow(&CLIENT, 40000, &SERVER, 80);
    CHECK_EQ(F.tcp_flags, MWG_TCP_ACK | 0x08);
    CHECK_EQ(F.tcp_payload_len, GET_LEN);
    CHECK(pl.p == NULL);
    CHECK_EQ(pl.len, 0);
    CHECK_EQ(F.payload_head_len, 0);

    /* A data offset below 5 words. */
    buf bad = f;
    bad.b[14 + 20 + 12] = 0x40;
    CHECK(!hdr(MWG_LINK_ETHERNET, &bad, &pl));
    /* A data offset past the IP length: a header but no payload. */
    bad = f;
    bad.b[14 + 20 + 12] = 0xf0;
    CHECK(hdr(MWG_LINK_ETHERNET, &bad, &pl));
    CHECK(pl.p == NULL);
    CHECK_EQ(F.tcp_payload_len, 0);
}

static void test_udp(void)
{
    mwg_bytes pl;
    /* The UDP length says 5 bytes of data; the IP length says 9. */
    buf u = udp_dgram(40000, 53, 8 + 5, "hello1234", 9);
    buf f = { .n = 0 };
    eth(&f, 0x0800);
    ipv4(&f, 17, &CLIENT, &SERVER, &u);
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    CHECK(F.is_udp);
    CHECK(!F.is_tcp);
    CHECK(!F.has_tcp_flags);
    CHECK_ADDR(F.flow.src.addr, CLIENT);
    CHECK_EQ(F.flow.src.port, 40000);
    CHECK_ADDR(F.flow.dst.addr, SERVER);
    CHECK_EQ(F.flow.dst.port, 53);
    CHECK_EQ(pl.len, 5);
    CHECK(pl.p == held + 42);
    CHECK(pl.p && memcmp(pl.p, "hello", 5) == 0);
    CHECK_EQ(F.tcp_payload_len, 0);
    CHECK_EQ(F.payload_head_len, 0);

    /* Short datagram on Ethernet, padded: neither the padding nor a UDP
     * length beyond the IP length counts. */
    buf v = udp_dgram(53, 40000, 8 + 200, "abc", 3);
    buf g = { .n = 0 };
    eth(&g, 0x0800);
    ipv4(&g, 17, &SERVER, &CLIENT, &v);
    put_fill(&g, 0xee, 60 - g.n);
    CHECK(hdr(MWG_LINK_ETHERNET, &g, &pl));
    CHECK(F.is_udp);
    CHECK_EQ(pl.len, 3);
    CHECK(pl.p && memcmp(pl.p, "abc", 3) == 0);

    /* A UDP length below its own header is ignored. */
    buf w = udp_dgram(53, 40000, 3, "abcd", 4);
    buf h = { .n = 0 };
    ipv6(&h, 17, &SERVER6, &CLIENT6, NULL, &w);
    CHECK(hdr(MWG_LINK_RAW_IP, &h, &pl));
    CHECK(F.is_udp);
    CHECK_ADDR(F.flow.src.addr, SERVER6);
    CHECK_EQ(pl.len, 4);

    /* Empty datagram. */
    buf e = udp_dgram(53, 40000, 8, NULL, 0);
    buf k = { .n = 0 };
    ipv4(&k, 17, &SERVER, &CLIENT, &e);
    CHECK(hdr(MWG_LINK_RAW_IP, &k, &pl));
    CHECK(F.is_udp);
    CHECK(pl.p == NULL);
    CHECK_EQ(pl.len, 0);

    /* Another transport: SCTP. */
    buf x = udp_dgram(1, 2, 8, NULL, 0);
    buf s = { .n = 0 };
    ipv4(&s, 132, &SERVER, &CLIENT, &x);
    CHECK(!hdr(MWG_LINK_RAW_IP, &s, &pl));
    CHECK(!F.is_udp && !F.is_tcp);
}

/* ICMP destination unreachable 'code' from ROUTER about 'quoted' (the
 * invoking IPv4 packet, of which the first 28 bytes are quoted). */
static buf icmp4_frame(unsigned type, unsigned code, const buf *quoted, size_t quote_len)
{
    buf m = { .n = 0 };
    put8(&m, type);
    put8(&m, code);
    put16(&m, 0);
    put32(&m, 0);
    put(&m, quoted->b, quote_len < quoted->n ? quote_len : quoted->n);
    buf f = { .n = 0 };
    eth(&f, 0x0800);
    ipv4(&f, 1, &ROUTER, &CLIENT, &m);
    return f;
}

static void test_icmp(void)
{
    mwg_bytes pl;
    buf syn = tcp_seg(40000, 443, MWG_TCP_SYN, 20, NULL, 0);
    buf inner = { .n = 0 };
    ipv4(&inner, 6, &CLIENT, &SERVER, &syn);
    buf f = icmp4_frame(3, 13, &inner, 28);
    pl.p = (const uint8_t *)"x";
    pl.len = 1;
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_QUOTES_TCP);
    CHECK_EQ(F.icmp_version, 4);
    CHECK_EQ(F.icmp_type, 3);
    CHECK_EQ(F.icmp_code, 13);
    CHECK_ADDR(F.icmp_reporter, ROUTER);
    CHECK_ADDR(F.icmp_quoted.src.addr, CLIENT);
    CHECK_EQ(F.icmp_quoted.src.port, 40000);
    CHECK_ADDR(F.icmp_quoted.dst.addr, SERVER);
    CHECK_EQ(F.icmp_quoted.dst.port, 443);
    CHECK(!F.is_tcp && !F.is_udp && !F.has_tcp_flags);
    CHECK(pl.p == NULL);
    CHECK_EQ(pl.len, 0);

    /* Port unreachable about a DNS query. */
    buf q = udp_dgram(40001, 53, 8 + 30, NULL, 0);
    put_fill(&q, 0, 30);
    buf uinner = { .n = 0 };
    ipv4(&uinner, 17, &CLIENT, &SERVER, &q);
    f = icmp4_frame(3, 3, &uinner, 28);
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_QUOTES_UDP);
    CHECK_EQ(F.icmp_code, 3);
    CHECK_EQ(F.icmp_quoted.src.port, 40001);
    CHECK_EQ(F.icmp_quoted.dst.port, 53);

    /* Not errors, or errors about nothing mwg502 follows. */
    buf echo = { .n = 0 };
    put_fill(&echo, 0x61, 56);
    f = icmp4_frame(8, 0, &echo, 56);
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_NONE);
    f = icmp4_frame(0, 0, &echo, 56);
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));
    f = icmp4_frame(11, 0, &inner, 28);     /* time exceeded */
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));
    buf echo_packet = { .n = 0 };
    ipv4(&echo_packet, 1, &CLIENT, &SERVER, &echo);
    f = icmp4_frame(3, 1, &echo_packet, 28);
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));
    /* Quoting only 2 bytes of the TCP header: no ports. */
    f = icmp4_frame(3, 13, &inner, 22);
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_NONE);
    /* Quoting a later fragment. */
    buf later = inner;
    later.b[6] = 0x00;
    later.b[7] = 0x10;
    f = icmp4_frame(3, 13, &later, 28);
    CHECK(!hdr(MWG_LINK_ETHERNET, &f, &pl));

    /* ICMPv6 type 1 code 1 (administratively prohibited) about a TCP SYN. */
    buf syn6 = tcp_seg(40000, 443, MWG_TCP_SYN, 0, NULL, 0);
    buf inner6 = { .n = 0 };
    ipv6(&inner6, 6, &CLIENT6, &SERVER6, NULL, &syn6);
    buf m6 = { .n = 0 };
    put8(&m6, 1);
    put8(&m6, 1);
    put16(&m6, 0);
    put32(&m6, 0);
    put(&m6, inner6.b, inner6.n);
    buf g = { .n = 0 };
    eth(&g, 0x86dd);
    ipv6(&g, 58, &ROUTER6, &CLIENT6, NULL, &m6);
    CHECK(hdr(MWG_LINK_ETHERNET, &g, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_QUOTES_TCP);
    CHECK_EQ(F.icmp_version, 6);
    CHECK_EQ(F.icmp_type, 1);
    CHECK_EQ(F.icmp_code, 1);
    CHECK_ADDR(F.icmp_reporter, ROUTER6);
    CHECK_ADDR(F.icmp_quoted.src.addr, CLIENT6);
    CHECK_EQ(F.icmp_quoted.src.port, 40000);
    CHECK_ADDR(F.icmp_quoted.dst.addr, SERVER6);
    CHECK_EQ(F.icmp_quoted.dst.port, 443);
    CHECK(!F.is_tcp);
    CHECK(pl.p == NULL);

    /* ICMPv6 echo request, and packet too big (type 2). */
    buf e6 = { .n = 0 };
    put8(&e6, 128);
    put8(&e6, 0);
    put_fill(&e6, 0, 6 + 40 + 20);
    buf h = { .n = 0 };
    ipv6(&h, 58, &ROUTER6, &CLIENT6, NULL, &e6);
    CHECK(!hdr(MWG_LINK_RAW_IP, &h, &pl));
    buf ptb = m6;
    ptb.b[0] = 2;
    buf k = { .n = 0 };
    ipv6(&k, 58, &ROUTER6, &CLIENT6, NULL, &ptb);
    CHECK(!hdr(MWG_LINK_RAW_IP, &k, &pl));
    CHECK_EQ(F.icmp_quote, MWG_ICMP_NONE);
    /* ICMP (v4) inside IPv6 is not ICMPv6. */
    buf v4in6 = { .n = 0 };
    ipv6(&v4in6, 1, &ROUTER6, &CLIENT6, NULL, &m6);
    CHECK(!hdr(MWG_LINK_RAW_IP, &v4in6, &pl));
}

/* Decodes every prefix of 'f' shorter than the frame: never more than the
 * prefix is read (the sanitizers watch), false below 'need' bytes, and above
 * it the facts of the whole frame with the payload cut. */
static void truncations(const char *name, mwg_link lk, const buf *f, size_t need, size_t payload_at, bool icmp)
{
    const char *outer = current;
    char where[96];
    mwg_bytes pl;
    CHECK(hdr(lk, f, &pl));
    mwg_flow whole_flow = icmp ? F.icmp_quoted : F.flow;
    uint32_t whole_len = F.tcp_payload_len;
    for (size_t len = 0; len < f->n; len++) {
        snprintf(where, sizeof where, "%s: %s cut to %zu of %zu", outer, name, len, f->n);
        current = where;
        bool ok = hdr_n(lk, f, len, &pl);
        if (len < need) {
            CHECK(!ok);
            CHECK(pl.p == NULL);
            CHECK_EQ(pl.len, 0);
        } else if (icmp) {
            CHECK(ok);
            CHECK_EQ(F.icmp_quoted.dst.port, whole_flow.dst.port);
            CHECK(pl.p == NULL);
        } else {
            CHECK(ok);
            CHECK_EQ(F.flow.src.port, whole_flow.src.port);
            CHECK_EQ(F.flow.dst.port, whole_flow.dst.port);
            CHECK_EQ(F.tcp_payload_len, whole_len);
            CHECK_EQ(pl.len, len > payload_at ? len - payload_at : 0);
            CHECK(pl.len == 0 ? pl.p == NULL : pl.p == held + payload_at && pl.cut);
            CHECK_EQ(F.payload_head_len, pl.len < MWG_PAYLOAD_HEAD ? pl.len : MWG_PAYLOAD_HEAD);
        }
    }
    current = outer;
}

static void test_truncated_headers(void)
{
    buf f = eth_ipv4_get();
    truncations("Ethernet IPv4 TCP", MWG_LINK_ETHERNET, &f, 14 + 20 + 20, 54, false);

    buf g = ipv6_hbh_get();
    truncations("Ethernet IPv6 hop-by-hop TCP", MWG_LINK_ETHERNET, &g, 14 + 40 + 8 + 20, 14 + 40 + 8 + 20, false);

    buf t = tcp_seg(40000, 80, MWG_TCP_ACK | 0x08, 0, GET_LINE, GET_LEN);
    buf q = { .n = 0 };
    eth(&q, 0x88a8);
    put16(&q, 0x00c8);
    put16(&q, 0x8100);
    put16(&q, 0x0064);
    put16(&q, 0x0800);
    ipv4(&q, 6, &CLIENT, &SERVER, &t);
    truncations("QinQ IPv4 TCP", MWG_LINK_ETHERNET, &q, 22 + 20 + 20, 62, false);

    buf s = { .n = 0 };
    put16(&s, 0x0800);
    put_fill(&s, 0, 18);
    ipv4(&s, 6, &CLIENT, &SERVER, &t);
    truncations("SLL2 IPv4 TCP", MWG_LINK_LINUX_SLL2, &s, 20 + 20 + 20, 60, false);

    buf syn = tcp_seg(40000, 443, MWG_TCP_SYN, 20, NULL, 0);
    buf inner = { .n = 0 };
    ipv4(&inner, 6, &CLIENT, &SERVER, &syn);
    buf i = icmp4_frame(3, 13, &inner, 28);
    truncations("ICMP about TCP", MWG_LINK_ETHERNET, &i, 14 + 20 + 8 + 20 + 4, 0, true);
}

static void test_offload_and_cut(void)
{
    mwg_bytes pl;
    char data[1400];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);

    /* Segmentation offload: total length 0, the frame is the packet. */
    buf t = tcp_seg(80, 40000, MWG_TCP_ACK, 0, data, sizeof data);
    buf f = { .n = 0 };
    eth(&f, 0x0800);
    ipv4_ex(&f, 6, &SERVER, &CLIENT, &t, 0, 0x4000, 0);
    CHECK(hdr(MWG_LINK_ETHERNET, &f, &pl));
    expect_tcp_flow(&SERVER, 80, &CLIENT, 40000);
    CHECK_EQ(F.tcp_payload_len, sizeof data);
    CHECK_EQ(pl.len, sizeof data);
    CHECK(pl.p == held + 54);
    CHECK(!pl.cut);
    CHECK_EQ(F.payload_head_len, MWG_PAYLOAD_HEAD);
    CHECK(memcmp(F.payload_head, data, MWG_PAYLOAD_HEAD) == 0);

    /* A snap length: the IP length says 1440, the capture kept 96 bytes. */
    buf g = { .n = 0 };
    eth(&g, 0x0800);
    ipv4(&g, 6, &SERVER, &CLIENT, &t);
    CHECK(hdr_n(MWG_LINK_ETHERNET, &g, 96, &pl));
    CHECK_EQ(F.tcp_payload_len, sizeof data);
    CHECK_EQ(pl.len, 96 - 54);
    CHECK(pl.cut);
    CHECK(pl.p == held + 54);
    CHECK(memcmp(pl.p, data, 96 - 54) == 0);
    /* The whole frame: not cut. */
    CHECK(hdr(MWG_LINK_ETHERNET, &g, &pl));
    CHECK(!pl.cut);
    CHECK_EQ(pl.len, sizeof data);
}

static void test_unknown_link(void)
{
    mwg_bytes pl;
    buf f = eth_ipv4_get();
    CHECK(!hdr(MWG_LINK_UNKNOWN, &f, &pl));
    CHECK(!F.is_tcp);
    CHECK(!hdr((mwg_link)99, &f, &pl));
    buf arp = { .n = 0 };
    eth(&arp, 0x0806);
    put_fill(&arp, 0, 28);
    CHECK(!hdr(MWG_LINK_ETHERNET, &arp, &pl));
    /* Ethernet read as raw IP: the first nibble is 0. */
    CHECK(!hdr(MWG_LINK_RAW_IP, &f, &pl));
}

/* ---- DNS ---- */

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
        const char *dot = strchr(dotted, '.');
        size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
        put8(b, (unsigned)n);
        put(b, dotted, n);
        dotted += n + (dot != NULL);
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

static bool dns_n(const buf *b, size_t n)
{
    mwg_facts_reset(&F, 9, 0);
    return mwg_decode_dns(hold(b->b, n), n, &F);
}

static bool dns(const buf *b)
{
    return dns_n(b, b->n);
}

static mwg_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    mwg_addr x = { 4, { a, b, c, d } };
    return x;
}

static void test_dns_query(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x1234, 0x0100, 1, 0, 0, 0);
    dns_question(&m, "www.example.com", 1);
    CHECK(dns(&m));
    CHECK(F.has_dns);
    CHECK(!F.dns_is_response);
    CHECK_EQ(F.dns_id, 0x1234);
    CHECK_STR(F.dns_qname, "www.example.com");
    CHECK_EQ(F.dns_qtype, 1);
    CHECK_EQ(F.dns_rcode, 0);
    CHECK_EQ(F.n_dns_addrs, 0);

    /* A query that carries an answer section (it should not) counts none. */
    buf odd = { .n = 0 };
    dns_header(&odd, 0xffff, 0x0100, 1, 1, 0, 0);
    dns_question(&odd, "a.example", 28);
    dns_rr(&odd, 12, 1, (const uint8_t[]){ 1, 2, 3, 4 }, 4);
    CHECK(dns(&odd));
    CHECK_EQ(F.dns_id, 0xffff);
    CHECK_EQ(F.dns_qtype, 28);
    CHECK_EQ(F.n_dns_addrs, 0);

    /* Bytes that cannot be in a host name do not pass as one. */
    buf bin = { .n = 0 };
    dns_header(&bin, 1, 0x0100, 1, 0, 0, 0);
    put8(&bin, 5);
    put(&bin, "a.b\x01 ", 5);
    put8(&bin, 3);
    put_str(&bin, "com");
    put8(&bin, 0);
    put16(&bin, 1);
    put16(&bin, 1);
    CHECK(dns(&bin));
    CHECK_STR(F.dns_qname, "a?b??.com");

    /* The root. */
    buf root = { .n = 0 };
    dns_header(&root, 2, 0x0100, 1, 0, 0, 0);
    dns_question(&root, "", 2);
    CHECK(dns(&root));
    CHECK_STR(F.dns_qname, "");
    CHECK_EQ(F.dns_qtype, 2);
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
    CHECK(dns(&m));
    CHECK(F.dns_is_response);
    CHECK_EQ(F.dns_id, 0xbeef);
    CHECK_EQ(F.dns_rcode, 3);
    CHECK_STR(F.dns_qname, "nothing.example");
    CHECK_EQ(F.dns_qtype, 1);
    CHECK_EQ(F.n_dns_addrs, 0);

    /* SERVFAIL, REFUSED */
    m.b[3] = 0x82;
    CHECK(dns(&m));
    CHECK_EQ(F.dns_rcode, 2);
    m.b[3] = 0x85;
    CHECK(dns(&m));
    CHECK_EQ(F.dns_rcode, 5);
    /* NOTAUTH (9) takes all four bits; the flag bits beside them are no rcode. */
    m.b[3] = 0x89;
    CHECK(dns(&m));
    CHECK_EQ(F.dns_rcode, 9);
    m.b[3] = 0xf0;
    CHECK(dns(&m));
    CHECK_EQ(F.dns_rcode, 0);
}

static void test_dns_cname_chain(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x0102, 0x8180, 1, 5, 0, 0);
    dns_question(&m, "www.example.com", 1);     /* name at 12, "example" at 16 */
    /* www.example.com CNAME cdn.example.com (cdn + pointer to 16) */
    buf target = { .n = 0 };
    put8(&target, 3);
    put_str(&target, "cdn");
    put16(&target, 0xc000 | 16);
    dns_rr(&m, 12, 5, target.b, target.n);
    unsigned cdn_at = (unsigned)(m.n - target.n);
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 10 }, 4);
    dns_rr(&m, cdn_at, 16, "\x04text", 5);     /* TXT: not an address */
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 11 }, 4);
    dns_rr(&m, cdn_at, 1, (const uint8_t[]){ 192, 0, 2, 12, 13 }, 5);   /* A of the wrong size */
    CHECK(dns(&m));
    CHECK(F.dns_is_response);
    CHECK_EQ(F.dns_rcode, 0);
    CHECK_STR(F.dns_qname, "www.example.com");
    CHECK_EQ(F.n_dns_addrs, 2);
    mwg_addr a = v4(192, 0, 2, 10), b = v4(192, 0, 2, 11);
    CHECK_ADDR(F.dns_addrs[0], a);
    CHECK_ADDR(F.dns_addrs[1], b);

    /* The question's name itself through a pointer to a later name. */
    buf p = { .n = 0 };
    dns_header(&p, 3, 0x8180, 1, 1, 0, 0);
    put16(&p, 0xc000 | 18);         /* the name after this question */
    put16(&p, 1);
    put16(&p, 1);
    dns_name(&p, "fwd.example");
    CHECK(dns(&p));
    CHECK_STR(F.dns_qname, "fwd.example");
    CHECK_EQ(F.dns_qtype, 1);
}

static void test_dns_aaaa(void)
{
    static const uint8_t six[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
    buf m = { .n = 0 };
    dns_header(&m, 7, 0x8180, 1, 2, 0, 0);
    dns_question(&m, "v6.example", 28);
    dns_rr(&m, 12, 28, six, 16);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 198, 51, 100, 7 }, 4);
    CHECK(dns(&m));
    CHECK_EQ(F.dns_qtype, 28);
    CHECK_EQ(F.n_dns_addrs, 2);
    CHECK_EQ(F.dns_addrs[0].family, 6);
    CHECK(memcmp(F.dns_addrs[0].bytes, six, 16) == 0);
    mwg_addr a = v4(198, 51, 100, 7);
    CHECK_ADDR(F.dns_addrs[1], a);
}

static void test_dns_sections(void)
{
    /* One answer; glue in authority and additional records. */
    buf m = { .n = 0 };
    dns_header(&m, 8, 0x8180, 1, 1, 1, 2);
    dns_question(&m, "ns.example", 1);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 1 }, 4);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 2 }, 4);
    dns_rr(&m, 12, 1, (const uint8_t[]){ 203, 0, 113, 3 }, 4);
    dns_rr(&m, 12, 28, (const uint8_t[16]){ 0x20, 0x01 }, 16);
    CHECK(dns(&m));
    CHECK_EQ(F.n_dns_addrs, 1);
    mwg_addr a = v4(203, 0, 113, 1);
    CHECK_ADDR(F.dns_addrs[0], a);

    /* Two questions: the answers start after the second. */
    buf q = { .n = 0 };
    dns_header(&q, 9, 0x8180, 2, 1, 0, 0);
    dns_question(&q, "one.example", 1);
    dns_question(&q, "two.example", 1);
    dns_rr(&q, 12, 1, (const uint8_t[]){ 203, 0, 113, 9 }, 4);
    CHECK(dns(&q));
    CHECK_STR(F.dns_qname, "one.example");
    CHECK_EQ(F.n_dns_addrs, 1);
    a = v4(203, 0, 113, 9);
    CHECK_ADDR(F.dns_addrs[0], a);
}

static void test_dns_many_answers(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 10, 0x8180, 1, 40, 0, 0);
    dns_question(&m, "many.example", 1);
    for (unsigned i = 0; i < 40; i++)
        dns_rr(&m, 12, 1, (const uint8_t[]){ 10, 0, 0, (uint8_t)(i + 1) }, 4);
    CHECK(dns(&m));
    CHECK_EQ(F.n_dns_addrs, MWG_MAX_DNS_ADDRS);
    CHECK_EQ(MWG_MAX_DNS_ADDRS, 16);
    for (unsigned i = 0; i < MWG_MAX_DNS_ADDRS; i++) {
        mwg_addr a = v4(10, 0, 0, (uint8_t)(i + 1));
        CHECK_ADDR(F.dns_addrs[i], a);
    }
}

static void test_dns_hostile(void)
{
    /* A pointer to itself. */
    buf self = { .n = 0 };
    dns_header(&self, 11, 0x8180, 1, 0, 0, 0);
    put16(&self, 0xc000 | 12);
    put16(&self, 1);
    put16(&self, 1);
    CHECK(!dns(&self));
    CHECK(!F.has_dns);
    CHECK(F.dns_qname == NULL);
    CHECK_EQ(F.text_used, 0);

    /* Two pointers to each other. */
    buf pair = { .n = 0 };
    dns_header(&pair, 12, 0x8180, 1, 0, 0, 0);
    put16(&pair, 0xc000 | 14);
    put16(&pair, 0xc000 | 12);
    put16(&pair, 1);
    put16(&pair, 1);
    CHECK(!dns(&pair));
    CHECK(!F.has_dns);

    /* A label, then a pointer back to it: the name grows with each turn. */
    buf grow = { .n = 0 };
    dns_header(&grow, 13, 0x8180, 1, 0, 0, 0);
    put8(&grow, 3);
    put_str(&grow, "www");
    put16(&grow, 0xc000 | 12);
    put16(&grow, 1);
    put16(&grow, 1);
    CHECK(!dns(&grow));
    CHECK(!F.has_dns);

    /* A pointer past the end, and one into the header. */
    buf far = { .n = 0 };
    dns_header(&far, 14, 0x0100, 1, 0, 0, 0);
    put16(&far, 0xc000 | 0x3fff);
    put16(&far, 1);
    put16(&far, 1);
    CHECK(!dns(&far));
    buf into = { .n = 0 };
    dns_header(&into, 0, 0x0100, 1, 0, 0, 0);
    put16(&into, 0xc000 | 0);
    put16(&into, 1);
    put16(&into, 1);
    CHECK(dns(&into));              /* offset 0 (the id) holds a 0: the root */
    CHECK_STR(F.dns_qname, "");

    /* A name of 253 characters is fine; one longer than 255 is not. */
    char name[400];
    memset(name, 'a', 253);
    name[63] = name[127] = name[191] = '.';
    name[253] = '\0';
    buf ok = { .n = 0 };
    dns_header(&ok, 15, 0x0100, 1, 0, 0, 0);
    dns_question(&ok, name, 1);
    CHECK(dns(&ok));
    CHECK(F.dns_qname && strlen(F.dns_qname) == 253);
    CHECK(F.dns_qname && strcmp(F.dns_qname, name) == 0);
    memset(name, 'b', 319);
    name[63] = name[127] = name[191] = name[255] = '.';
    name[319] = '\0';
    buf big = { .n = 0 };
    dns_header(&big, 16, 0x0100, 1, 0, 0, 0);
    dns_question(&big, name, 1);
    CHECK(!dns(&big));
    CHECK(!F.has_dns);
    /* 256 characters: labels of 63, 63, 63, 62 and 1. */
    memset(name, 'c', 256);
    name[63] = name[127] = name[191] = name[254] = '.';
    name[256] = '\0';
    buf just = { .n = 0 };
    dns_header(&just, 17, 0x0100, 1, 0, 0, 0);
    dns_question(&just, name, 1);
    CHECK(!dns(&just));

    /* A label length with the reserved top bits 01 or 10. */
    buf ext = { .n = 0 };
    dns_header(&ext, 18, 0x0100, 1, 0, 0, 0);
    put8(&ext, 0x41);
    put8(&ext, 0);
    put16(&ext, 1);
    put16(&ext, 1);
    CHECK(!dns(&ext));

    /* No question, though an answer follows whose name reads as one. */
    buf none = { .n = 0 };
    dns_header(&none, 19, 0x8180, 0, 1, 0, 0);
    dns_name(&none, "x.example");
    put16(&none, 1);
    put16(&none, 1);
    put32(&none, 300);
    put16(&none, 4);
    put32(&none, 0x01020304);
    CHECK(!dns(&none));
    CHECK(!F.has_dns);
    CHECK_EQ(F.n_dns_addrs, 0);

    /* Shorter than the header. */
    buf q = { .n = 0 };
    dns_header(&q, 20, 0x0100, 1, 0, 0, 0);
    dns_question(&q, "a.example", 1);
    for (size_t len = 0; len < 12; len++) {
        CHECK(!dns_n(&q, len));
        CHECK(!F.has_dns);
    }

    /* An answer that claims more data than the message has. */
    buf over = { .n = 0 };
    dns_header(&over, 21, 0x8180, 1, 2, 0, 0);
    dns_question(&over, "o.example", 1);
    dns_rr(&over, 12, 1, (const uint8_t[]){ 1, 1, 1, 1 }, 4);
    put16(&over, 0xc00c);
    put16(&over, 1);
    put16(&over, 1);
    put32(&over, 1);
    put16(&over, 0xffff);
    put32(&over, 0x02020202);
    CHECK(dns(&over));
    CHECK_EQ(F.n_dns_addrs, 1);
    /* An answer count of 65535 over two records. */
    over.b[6] = over.b[7] = 0xff;
    CHECK(dns(&over));
    CHECK_EQ(F.n_dns_addrs, 1);
}

static void test_dns_truncated(void)
{
    buf m = { .n = 0 };
    dns_header(&m, 0x5555, 0x8180, 1, 3, 0, 0);
    dns_question(&m, "cut.example", 1);
    size_t question_end = m.n;
    size_t name_end = question_end - 4;
    size_t rr_end[3];
    for (unsigned i = 0; i < 3; i++) {
        dns_rr(&m, 12, 1, (const uint8_t[]){ 172, 16, 0, (uint8_t)(i + 1) }, 4);
        rr_end[i] = m.n;
    }
    CHECK(dns(&m));
    CHECK_EQ(F.n_dns_addrs, 3);

    const char *outer = current;
    char where[64];
    for (size_t len = 12; len < m.n; len++) {
        snprintf(where, sizeof where, "%s: cut to %zu of %zu", outer, len, m.n);
        current = where;
        bool ok = dns_n(&m, len);
        if (len < name_end) {
            CHECK(!ok);
            CHECK(!F.has_dns);
            continue;
        }
        CHECK(ok);
        CHECK_EQ(F.dns_id, 0x5555);
        CHECK_STR(F.dns_qname, "cut.example");
        CHECK_EQ(F.dns_qtype, len >= name_end + 2 ? 1 : 0);
        unsigned want = 0;
        while (want < 3 && rr_end[want] <= len)
            want++;
        CHECK_EQ(F.n_dns_addrs, want);
        for (unsigned i = 0; i < want && i < F.n_dns_addrs; i++) {
            mwg_addr a = v4(172, 16, 0, (uint8_t)(i + 1));
            CHECK_ADDR(F.dns_addrs[i], a);
        }
    }
    current = outer;
}

/* ---- HTTP ---- */

static void http_cut(const char *s, bool cut)
{
    mwg_facts_reset(&F, 11, 0);
    size_t n = strlen(s);
    mwg_decode_http(hold(s, n), n, cut, &F);
}

static void http(const char *s)
{
    http_cut(s, false);
}

static void test_http_get(void)
{
    http("GET http://example.com/path?q=1 HTTP/1.1\r\nUser-Agent: t\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
    CHECK_EQ(F.n_requests, 1);
    CHECK_EQ(F.n_responses, 0);
    CHECK_STR(F.requests[0].method, "GET");
    CHECK_STR(F.requests[0].uri, "http://example.com/path?q=1");
    CHECK_STR(F.requests[0].host_header, "example.com");

    /* No Host header; bare LF line ends; HTTP/1.0. */
    http("GET /index.html HTTP/1.0\nAccept: */*\n\n");
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].method, "GET");
    CHECK_STR(F.requests[0].uri, "/index.html");
    CHECK(F.requests[0].host_header == NULL);

    /* Headers not finished in this buffer: still the request. */
    http("POST http://example.com/form HTTP/1.1\r\nHost: example.com\r\nContent-Le");
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].method, "POST");
    CHECK_STR(F.requests[0].host_header, "example.com");

    /* The first Host header counts. */
    http("GET / HTTP/1.1\r\nHost: first.example\r\nHost: second.example\r\n\r\n");
    CHECK_STR(F.requests[0].host_header, "first.example");
}

static void test_http_connect(void)
{
    http("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Connection: keep-alive\r\n\r\n");
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].method, "CONNECT");
    CHECK_STR(F.requests[0].uri, "example.com:443");
    CHECK_STR(F.requests[0].host_header, "example.com:443");
}

static void test_http_response(void)
{
    static const char head[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 11\r\n\r\n";
    char msg[256];
    snprintf(msg, sizeof msg, "%s<b>oops</b>", head);
    http(msg);
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.n_requests, 0);
    CHECK_EQ(F.responses[0].status, 502);
    CHECK(F.responses[0].body == held + strlen(head));
    CHECK_EQ(F.responses[0].body_len, 11);
    CHECK(F.responses[0].body && memcmp(F.responses[0].body, "<b>oops</b>", 11) == 0);

    /* No reason phrase. */
    http("HTTP/1.0 504\r\n\r\n");
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.responses[0].status, 504);
    CHECK(F.responses[0].body == NULL);
    CHECK_EQ(F.responses[0].body_len, 0);

    /* Without a length the body runs to the end of the buffer. */
    http("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of this");
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.responses[0].body_len, 11);
    CHECK(F.responses[0].body == held + 38);

    /* Two pipelined responses, the first with a body. */
    http("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
         "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    CHECK_EQ(F.n_responses, 2);
    CHECK_EQ(F.responses[0].status, 200);
    CHECK_EQ(F.responses[0].body_len, 2);
    CHECK_EQ(F.responses[1].status, 502);
    CHECK(F.responses[1].body == NULL);
    CHECK_EQ(F.responses[1].body_len, 0);

    /* A request with a body, then another request. */
    http("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\nHost: b\r\n\r\n");
    CHECK_EQ(F.n_requests, 2);
    CHECK_STR(F.requests[0].method, "POST");
    CHECK_STR(F.requests[1].uri, "/b");
    CHECK_STR(F.requests[1].host_header, "b");

    /* A response, then bytes that start no message: one response. */
    http("HTTP/1.1 404 Not Found\r\nContent-Length: 1\r\n\r\nxyz garbage\r\n\r\n");
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.responses[0].status, 404);
}

static void test_http_pipelining(void)
{
    http("GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n"
         "GET http://b.example/x HTTP/1.1\r\nHost: b.example\r\n\r\n");
    CHECK_EQ(F.n_requests, 2);
    CHECK_STR(F.requests[0].uri, "http://a.example/");
    CHECK_STR(F.requests[0].host_header, "a.example");
    CHECK_STR(F.requests[1].uri, "http://b.example/x");
    CHECK_STR(F.requests[1].host_header, "b.example");

    char many[1024] = "";
    for (int i = 0; i < 7; i++) {
        char one[64];
        snprintf(one, sizeof one, "GET /%d HTTP/1.1\r\nHost: h%d\r\n\r\n", i, i);
        strcat(many, one);
    }
    http(many);
    CHECK_EQ(F.n_requests, MWG_MAX_HTTP_PER_FRAME);
    CHECK_STR(F.requests[0].uri, "/0");
    CHECK_STR(F.requests[MWG_MAX_HTTP_PER_FRAME - 1].uri, "/3");
    CHECK_STR(F.requests[MWG_MAX_HTTP_PER_FRAME - 1].host_header, "h3");

    /* Two calls on one frame (two reassembled messages) share the cap. */
    mwg_facts_reset(&F, 12, 0);
    const uint8_t *p = hold(many, strlen(many));
    mwg_decode_http(p, strlen(many), false, &F);
    mwg_decode_http(p, strlen(many), false, &F);
    CHECK_EQ(F.n_requests, MWG_MAX_HTTP_PER_FRAME);
}

static void test_http_header_case(void)
{
    http("GET / HTTP/1.1\r\nHOST: \t Example.COM \t \r\n\r\n");
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].host_header, "Example.COM");
    http("GET / HTTP/1.1\r\nhOsT:x.example\r\n\r\n");
    CHECK_STR(F.requests[0].host_header, "x.example");
    /* Empty Host header: present, empty. */
    http("GET / HTTP/1.1\r\nHost:   \r\n\r\n");
    CHECK_STR(F.requests[0].host_header, "");
    /* Not the Host header: a longer name, or a space before the colon. */
    http("GET / HTTP/1.1\r\nHostname: no\r\nHost : no\r\n\r\n");
    CHECK(F.requests[0].host_header == NULL);

    http("HTTP/1.1 502 Bad Gateway\r\ncontent-LENGTH:  4 \r\n\r\nbodyHTTP/1.1 200 OK\r\n\r\n");
    CHECK_EQ(F.n_responses, 2);
    CHECK_EQ(F.responses[0].body_len, 4);
    CHECK_EQ(F.responses[1].status, 200);
}

static void test_http_cut(void)
{
    static const char line[] = "GET http://example.com/a/very/long/pa";
    http_cut(line, true);
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].method, "GET");
    CHECK_STR(F.requests[0].uri, "http://example.com/a/very/long/pa");
    CHECK(F.requests[0].host_header == NULL);
    http_cut(line, false);
    CHECK_EQ(F.n_requests, 0);

    /* A whole start line without its line end is a message only when the
     * capture cut it. */
    http_cut("GET / HTTP/1.1", false);
    CHECK_EQ(F.n_requests, 0);
    http_cut("GET / HTTP/1.1", true);
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].uri, "/");
    http_cut("HTTP/1.1 502 Bad Gateway", false);
    CHECK_EQ(F.n_responses, 0);
    http_cut("HTTP/1.1 502 Bad Gateway", true);
    CHECK_EQ(F.n_responses, 1);

    /* Cut after the target, inside the version. */
    static const char in_version[] = "GET http://example.com/ HTTP/1.";
    for (size_t n = strlen("GET http://example.com/ "); n <= strlen(in_version); n++) {
        char cut[64];
        snprintf(cut, sizeof cut, "%.*s", (int)n, in_version);
        http_cut(cut, true);
        CHECK_EQ(F.n_requests, 1);
        CHECK_STR(F.requests[0].uri, "http://example.com/");
        http_cut(cut, false);
        CHECK_EQ(F.n_requests, 0);
    }
    /* Cut inside a bad version. */
    http_cut("GET http://example.com/ XTTP/1", true);
    CHECK_EQ(F.n_requests, 0);

    /* Cut inside the method, or right after it. */
    http_cut("GE", true);
    CHECK_EQ(F.n_requests, 0);
    http_cut("GET ", true);
    CHECK_EQ(F.n_requests, 0);

    /* A whole request, then the start of the next one cut. */
    http_cut("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HT", true);
    CHECK_EQ(F.n_requests, 2);
    CHECK_STR(F.requests[1].method, "GET");
    CHECK_STR(F.requests[1].uri, "/2");

    /* A whole line and cut headers: the request, with what is there. */
    http_cut("GET /3 HTTP/1.1\r\nHost: c.example\r\nAcc", true);
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].host_header, "c.example");

    /* A status line cut inside the status. */
    http_cut("HTTP/1.1 50", true);
    CHECK_EQ(F.n_responses + F.n_requests, 0);
    http_cut("HTTP/1.1 502 Bad Gat", true);
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.responses[0].status, 502);
}

static void test_http_garbage(void)
{
    static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, '\n', ' ', '\n' };
    for (int cut = 0; cut < 2; cut++) {
        mwg_facts_reset(&F, 13, 0);
        mwg_decode_http(hold(tls, sizeof tls), sizeof tls, cut, &F);
        CHECK_EQ(F.n_requests + F.n_responses, 0);
    }
    static const char *const bad[] = {
        "HTTP/1.1 50",
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
        "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG / HTTP/1.1\r\n\r\n",    /* 33 characters */
        "\r\n\r\n",
        "",
    };
    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        http(bad[i]);
        CHECK_EQ(F.n_requests + F.n_responses, 0);
    }
    http("ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEF / HTTP/1.1\r\n\r\n");   /* 32: allowed */
    CHECK_EQ(F.n_requests, 1);
}

static void test_http_chunked(void)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    static const char rest[] = "5\r\nHTTP/\r\n0\r\n\r\nHTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
    char msg[256];
    snprintf(msg, sizeof msg, "%s%s", head, rest);
    http(msg);
    CHECK_EQ(F.n_responses, 1);
    CHECK_EQ(F.responses[0].status, 200);
    /* The body as sent, chunk sizes and all: the caller de-chunks. */
    CHECK(F.responses[0].body == held + strlen(head));
    CHECK_EQ(F.responses[0].body_len, strlen(rest));
    /* A Content-Length beside chunking does not bound the message. */
    http("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n"
         "HTTP/1.1 502 Bad Gateway\r\n\r\n");
    CHECK_EQ(F.n_responses, 1);
}

static void test_http_body_bounds(void)
{
    static const char *const msgs[] = {
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 1000\r\n\r\nshort",
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 999999999999999\r\n\r\nshort",
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9999999999999999999999\r\n\r\nshort",
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: -1\r\n\r\nshort",
        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: \r\n\r\nshort",
        "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\nshort",
    };
    for (size_t i = 0; i < N_ELEMENTS(msgs); i++) {
        size_t n = strlen(msgs[i]);
        http(msgs[i]);
        CHECK_EQ(F.n_responses, 1);
        CHECK_EQ(F.responses[0].body_len, 5);
        CHECK(F.responses[0].body == held + n - 5);
        CHECK(F.responses[0].body + F.responses[0].body_len == held + n);
    }
    /* Content-Length 0 with bytes after: the body is empty. */
    http("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\nxyz");
    CHECK_EQ(F.n_responses, 1);
    CHECK(F.responses[0].body == NULL);
    CHECK_EQ(F.responses[0].body_len, 0);
    /* Headers unfinished: no body. */
    http("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n");
    CHECK_EQ(F.n_responses, 1);
    CHECK(F.responses[0].body == NULL);
    CHECK_EQ(F.responses[0].body_len, 0);
}

static void test_http_long_lines(void)
{
    /* A start line longer than any gateway accepts is not looked into. */
    size_t n = 20000;
    char *s = malloc(n + 32);
    if (!s)
        abort();
    memcpy(s, "GET /", 5);
    memset(s + 5, 'a', n - 5);
    strcpy(s + n, " HTTP/1.1\r\n\r\n");
    http(s);
    CHECK_EQ(F.n_requests, 0);
    /* The same, cut by the capture before any line end: a URI as long as
     * the text storage allows. */
    s[n] = '\0';
    http_cut(s, true);
    CHECK_EQ(F.n_requests, 1);
    CHECK_STR(F.requests[0].method, "GET");
    CHECK(F.requests[0].uri && strlen(F.requests[0].uri) == MWG_FACTS_TEXT - 4 - 1);
    CHECK(F.text_used <= MWG_FACTS_TEXT);
    free(s);
}

static void test_text_storage(void)
{
    /* Four requests whose URIs together need more than the storage. */
    static struct {
        mwg_facts f;
        char guard[64];
    } g;
    memset(g.guard, 0x5a, sizeof g.guard);
    size_t uri_len = 1500;
    char *msg = malloc(4 * (uri_len + 64) + 1);
    if (!msg)
        abort();
    msg[0] = '\0';
    for (int i = 0; i < 4; i++) {
        size_t at = strlen(msg);
        sprintf(msg + at, "GET /%d", i);
        at = strlen(msg);
        memset(msg + at, 'u', uri_len - 2);
        sprintf(msg + at + uri_len - 2, " HTTP/1.1\r\nHost: host%d.example\r\n\r\n", i);
    }
    mwg_facts_reset(&g.f, 14, 0);
    mwg_decode_http(hold(msg, strlen(msg)), strlen(msg), false, &g.f);
    CHECK_EQ(g.f.n_requests, 4);
    CHECK(g.f.text_used <= MWG_FACTS_TEXT);
    CHECK(g.f.requests[0].uri && strlen(g.f.requests[0].uri) == uri_len);
    CHECK_STR(g.f.requests[0].host_header, "host0.example");
    CHECK(g.f.requests[1].uri && strlen(g.f.requests[1].uri) == uri_len);
    /* The third URI is cut to what is left; after it nothing fits. */
    CHECK(g.f.requests[2].uri != NULL);
    CHECK(g.f.requests[2].uri && strlen(g.f.requests[2].uri) < uri_len);
    CHECK(g.f.requests[3].uri == NULL);
    CHECK(g.f.requests[3].host_header == NULL);
    CHECK(g.f.requests[3].method == NULL);
    for (unsigned i = 0; i < g.f.n_requests; i++) {
        const char *strs[] = { g.f.requests[i].method, g.f.requests[i].uri, g.f.requests[i].host_header };
        for (size_t j = 0; j < 3; j++) {
            if (!strs[j])
                continue;
            CHECK(strs[j] >= g.f.text && strs[j] < g.f.text + MWG_FACTS_TEXT);
            CHECK(strs[j] + strlen(strs[j]) < g.f.text + MWG_FACTS_TEXT);
        }
    }
    bool guard_ok = true;
    for (size_t i = 0; i < sizeof g.guard; i++)
        guard_ok = guard_ok && g.guard[i] == 0x5a;
    CHECK(guard_ok);
    /* A DNS name in the same frame once the storage is full. */
    buf m = { .n = 0 };
    dns_header(&m, 1, 0x0100, 1, 0, 0, 0);
    dns_question(&m, "late.example", 1);
    CHECK(mwg_decode_dns(hold(m.b, m.n), m.n, &g.f));
    CHECK(g.f.has_dns);
    CHECK(g.f.dns_qname == NULL);
    CHECK(g.f.text_used <= MWG_FACTS_TEXT);
    free(msg);

    /* mwg_facts_keep itself: exact fill, cut, then NULL. */
    mwg_facts_reset(&g.f, 15, 0);
    CHECK_EQ(g.f.text_used, 0);
    static uint8_t big[MWG_FACTS_TEXT * 2];
    memset(big, 'k', sizeof big);
    const char *a = mwg_facts_keep(&g.f, big, MWG_FACTS_TEXT - 11);
    CHECK(a == g.f.text);
    CHECK(a && strlen(a) == MWG_FACTS_TEXT - 11);
    const char *b = mwg_facts_keep(&g.f, big, 100);
    CHECK(b && strlen(b) == 9);
    CHECK_EQ(g.f.text_used, MWG_FACTS_TEXT);
    CHECK(mwg_facts_keep(&g.f, big, 1) == NULL);
    CHECK(mwg_facts_keep(&g.f, big, 0) == NULL);
    mwg_facts_reset(&g.f, 16, 0);
    const char *c = mwg_facts_keep(&g.f, big, sizeof big);
    CHECK(c && strlen(c) == MWG_FACTS_TEXT - 1);
    CHECK(mwg_facts_keep(&g.f, big, 0) == NULL);
    mwg_facts_reset(&g.f, 17, 0);
    const char *e = mwg_facts_keep(&g.f, big, 0);
    CHECK_STR(e, "");
    CHECK_EQ(g.f.text_used, 1);
    for (size_t i = 0; i < sizeof g.guard; i++)
        guard_ok = guard_ok && g.guard[i] == 0x5a;
    CHECK(guard_ok);
}

int main(void)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "eth_ipv4_syn", test_eth_ipv4_syn },
        { "eth_padding", test_eth_padding },
        { "vlan_tags", test_vlan_tags },
        { "pppoe_and_mpls", test_pppoe_and_mpls },
        { "linux_sll", test_linux_sll },
        { "raw_ip", test_raw_ip },
        { "bsd_null_and_loop", test_bsd_null_and_loop },
        { "ppp", test_ppp },
        { "ipv6_extensions", test_ipv6_extensions },
        { "ipv4_fragments_and_options", test_ipv4_fragments_and_options },
        { "tcp_options", test_tcp_options },
        { "udp", test_udp },
        { "icmp", test_icmp },
        { "truncated_headers", test_truncated_headers },
        { "offload_and_cut", test_offload_and_cut },
        { "unknown_link", test_unknown_link },
        { "dns_query", test_dns_query },
        { "dns_nxdomain", test_dns_nxdomain },
        { "dns_cname_chain", test_dns_cname_chain },
        { "dns_aaaa", test_dns_aaaa },
        { "dns_sections", test_dns_sections },
        { "dns_many_answers", test_dns_many_answers },
        { "dns_hostile", test_dns_hostile },
        { "dns_truncated", test_dns_truncated },
        { "http_get", test_http_get },
        { "http_connect", test_http_connect },
        { "http_response", test_http_response },
        { "http_pipelining", test_http_pipelining },
        { "http_header_case", test_http_header_case },
        { "http_cut", test_http_cut },
        { "http_garbage", test_http_garbage },
        { "http_chunked", test_http_chunked },
        { "http_body_bounds", test_http_body_bounds },
        { "http_long_lines", test_http_long_lines },
        { "text_storage", test_text_storage },
    };
    for (size_t i = 0; i < N_ELEMENTS(tests); i++) {
        int before = failures;
        current = tests[i].name;
        tests[i].fn();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", current);
    }
    free(held);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
