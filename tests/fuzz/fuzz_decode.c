/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_decode.c - libFuzzer harness for the byte decoders (headers.c,
 * http_message.c, dns_message.c).
 *
 * Input: a selector byte, the wanted flow, then a frame.
 *   selector bits 0-2  the link layer (every mwg_link value);
 *            bit 3     the wanted flow is TCP, else UDP;
 *            bit 4     an ICMP error between its addresses is wanted;
 *            bit 5     its addresses are IPv6, else IPv4;
 *            bits 6-7  the request a response answers: none, HEAD,
 *                      CONNECT, GET.
 *   wanted flow: source and destination address (4 or 16 bytes each),
 *            source and destination port (network order); zeros where the
 *            input ends first.
 * The frame goes to mwg_decode_headers(), and its second half, standing in
 * for a datagram Wireshark reassembled, to mwg_decode_datagram().  The
 * payload found, and the whole frame so that they are fuzzed without valid
 * headers in front, then go where extract.c and http_stream.c send them:
 * to mwg_http_read() message after message (cut and not), each request to
 * mwg_http_request_target(), and to mwg_decode_dns() (after the two length
 * bytes of DNS over TCP).  Each buffer is a heap copy of exactly its
 * length, so that a sanitizer sees a read past it.  A broken invariant
 * aborts, naming itself (REQUIRE, in the check_* functions).
 *
 * Built with clang -fsanitize=fuzzer (target fuzz_decode) or, with any
 * compiler, linked with replay_main.c (target fuzz_decode_replay), which
 * also runs the seed inputs built by fuzz_replay_seeds() below.
 */
#define _GNU_SOURCE             /* memmem */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "dns_message.h"
#include "headers.h"
#include "http_message.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_replay_seeds(void (*emit)(const uint8_t *data, size_t size, const char *name, void *ctx), void *ctx);

/* The selector's three link bits cover the enum exactly. */
_Static_assert(MWG_LINK_UNKNOWN == 0 && MWG_LINK_PPP == 7, "mwg_link no longer fits three bits");

#define SEL_TCP 0x08
#define SEL_ICMP 0x10
#define SEL_IPV6 0x20
#define SEL_ANSWERED_SHIFT 6

static const char *const answered_methods[] = { NULL, "HEAD", "CONNECT", "GET" };

#define REQUIRE(cond)                                                                          \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

static bool inside(const void *p, size_t n, const void *start, size_t len)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)start;
    return a >= s && n <= len && a - s <= len - n;
}

static size_t addr_len(const mwg_addr *a)
{
    return a->family == 4 ? 4 : 16;
}

/* The wanted flow at the start of 'p'; returns the bytes it took. */
static size_t read_wanted(const uint8_t *p, size_t n, unsigned sel, mwg_wanted *w)
{
    uint8_t block[2 * 16 + 4] = { 0 };
    size_t alen = sel & SEL_IPV6 ? 16 : 4, take = MIN(n, 2 * alen + 4);
    memcpy(block, p, take);
    memset(w, 0, sizeof *w);
    w->tcp = (sel & SEL_TCP) != 0;
    w->icmp_error = (sel & SEL_ICMP) != 0;
    w->flow.src.addr.family = w->flow.dst.addr.family = alen == 4 ? 4 : 6;
    memcpy(w->flow.src.addr.bytes, block, alen);
    memcpy(w->flow.dst.addr.bytes, block + alen, alen);
    w->flow.src.port = (uint16_t)mwg_get16(block + 2 * alen);
    w->flow.dst.port = (uint16_t)mwg_get16(block + 2 * alen + 2);
    return take;
}

/* ------------------------------------------------------------- headers */

/* Some IP header in 'p' has the flow's addresses as its own: the packet
 * found (or, for an ICMP error, the error or its quote) must be one. */
static bool has_ip_header(const uint8_t *p, size_t len, const mwg_flow *fl)
{
    size_t alen = addr_len(&fl->src.addr), at = alen == 4 ? 12 : 8;
    unsigned version = alen == 4 ? 4 : 6;
    for (size_t off = 0; off + at + 2 * alen <= len; off++)
        if (p[off] >> 4 == version && memcmp(p + off + at, fl->src.addr.bytes, alen) == 0 &&
            memcmp(p + off + at + alen, fl->dst.addr.bytes, alen) == 0)
            return true;
    return false;
}

/* Whether the transport header at 'off' is the one the facts describe:
 * the wanted ports and, for TCP, the numbers and flags reported. */
static bool is_transport_header(const uint8_t *p, size_t len, size_t off, const mwg_wanted *w, const mwg_facts *f)
{
    if (off + (w->tcp ? 20 : 8) > len || mwg_get16(p + off) != w->flow.src.port ||
        mwg_get16(p + off + 2) != w->flow.dst.port)
        return false;
    return !w->tcp || (mwg_get32(p + off + 4) == f->tcp_seq && mwg_get32(p + off + 8) == f->tcp_ack &&
                       p[off + 13] == f->tcp_flags);
}

/* The payload starts right after such a header (its own length away, for
 * TCP); without payload, such a header is somewhere in the bytes. */
static bool payload_follows_header(const uint8_t *p, size_t len, const mwg_wanted *w, const mwg_facts *f)
{
    if (f->payload.p) {
        size_t at = (size_t)(f->payload.p - p);
        if (!w->tcp)
            return at >= 8 && is_transport_header(p, len, at - 8, w, f);
        for (size_t hlen = 20; hlen <= 60 && hlen <= at; hlen += 4)
            if ((size_t)(p[at - hlen + 12] >> 4) * 4 == hlen && is_transport_header(p, len, at - hlen, w, f))
                return true;
        return false;
    }
    for (size_t off = 0; off < len; off++)
        if (is_transport_header(p, len, off, w, f))
            return true;
    return false;
}

static void check_transport(const uint8_t *p, size_t len, const mwg_wanted *w, const mwg_facts *f)
{
    REQUIRE(w->tcp ? f->is_tcp && !f->is_udp : f->is_udp && !f->is_tcp);
    REQUIRE(f->icmp_quote == MWG_ICMP_NONE);
    const mwg_bytes *pl = &f->payload;
    REQUIRE(pl->p ? pl->len > 0 && inside(pl->p, pl->len, p, len) : pl->len == 0 && !pl->cut);
    /* Captured: at most what was sent, and cut exactly when less. */
    REQUIRE(pl->len <= f->payload_len);
    REQUIRE(!pl->p || pl->cut == (pl->len < f->payload_len));
    REQUIRE(payload_follows_header(p, len, w, f));
    /* The flow is Wireshark's, for the caller to set. */
    REQUIRE(f->flow.src.addr.family == 0 && f->flow.dst.addr.family == 0);
}

/* An ICMP error is found by its own addresses alone (headers.h); a message
 * with no TCP or UDP quote to read is found with nothing read. */
static void check_icmp(const uint8_t *p, size_t len, const mwg_wanted *w, const mwg_facts *f)
{
    REQUIRE(has_ip_header(p, len, &w->flow));
    REQUIRE(!f->is_tcp && !f->is_udp && !f->payload.p);
    if (f->icmp_quote == MWG_ICMP_NONE) {
        REQUIRE(f->icmp.version == 0);
        return;
    }
    REQUIRE(f->icmp_quote == MWG_ICMP_QUOTES_TCP || f->icmp_quote == MWG_ICMP_QUOTES_UDP);
    bool v6 = w->flow.src.addr.family == 6;
    REQUIRE(f->icmp.version == (v6 ? 6u : 4u) && f->icmp.type == (v6 ? 1u : 3u) && f->icmp.code <= 0xff);
    REQUIRE(mwg_addr_equal(&f->icmp.reporter, &w->flow.src.addr));
    REQUIRE(f->icmp_quoted.src.addr.family == w->flow.src.addr.family && has_ip_header(p, len, &f->icmp_quoted));
}

static void check_found(mwg_found found, const uint8_t *p, size_t len, const mwg_wanted *w, const mwg_facts *f)
{
    REQUIRE(found == MWG_FOUND || found == MWG_FOUND_FRAGMENT || found == MWG_FOUND_FIRST_FRAGMENT ||
            found == MWG_NOT_FOUND);
    if (found == MWG_NOT_FOUND)
        return;
    if (found == MWG_FOUND_FIRST_FRAGMENT) {
        /* A UDP datagram's start, its header in this packet. */
        REQUIRE(!w->icmp_error && !w->tcp && has_ip_header(p, len, &w->flow));
        check_transport(p, len, w, f);
        return;
    }
    if (found == MWG_FOUND_FRAGMENT) {
        /* The transport facts come from the datagram, later. */
        REQUIRE(!w->icmp_error && has_ip_header(p, len, &w->flow));
        REQUIRE(!f->is_tcp && !f->is_udp && !f->payload.p && f->icmp_quote == MWG_ICMP_NONE);
        return;
    }
    if (w->icmp_error) {
        check_icmp(p, len, w, f);
        return;
    }
    REQUIRE(has_ip_header(p, len, &w->flow));
    check_transport(p, len, w, f);
}

static void check_datagram(bool ok, const uint8_t *p, size_t len, const mwg_wanted *w, const mwg_facts *f)
{
    if (!ok)
        return;
    REQUIRE(!w->icmp_error);
    check_transport(p, len, w, f);
    /* Whole, and its transport header first. */
    REQUIRE(!f->payload.cut && f->payload.len == f->payload_len);
    REQUIRE(is_transport_header(p, len, 0, w, f));
}

/* ---------------------------------------------------------------- HTTP */

static void check_host(const char *host)
{
    size_t n = strnlen(host, MWG_MAX_HOST_LEN + 1);
    REQUIRE(n > 0 && n <= MWG_MAX_HOST_LEN && host[n - 1] != '.');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)host[i];
        REQUIRE(c > ' ' && c < 0x7f && c != '/' && c != '\\' && !g_ascii_isupper(c));
    }
}

static char *span_dup(mwg_span s)
{
    return g_strndup((const char *)s.p, s.len);
}

/* As intake_http.c asks for a request's host. */
static void check_request_target(const mwg_http_message *m)
{
    char *method = span_dup(m->method), *target = span_dup(m->target);
    char *host_header = m->has_host ? span_dup(m->host) : NULL;
    char host[MWG_MAX_HOST_LEN + 1], again[MWG_MAX_HOST_LEN + 1];
    uint16_t port = 0;
    bool connect = g_ascii_strcasecmp(method, "CONNECT") == 0;
    if (mwg_http_request_target(method, target, m->target_cut, host_header, host, &port)) {
        check_host(host);
        REQUIRE(port != 0);
        /* A cut target names no host it may hold only the start of: the
         * host ends before the target does. */
        if (m->target_cut) {
            char *lower = g_ascii_strdown(target, -1);
            const char *at = strstr(lower, host);
            REQUIRE(!connect && at && at[strlen(host)] != '\0');
            g_free(lower);
        }
    }
    /* Normalising is idempotent. */
    if (host_header && mwg_host_normalise(host_header, strlen(host_header), host)) {
        check_host(host);
        REQUIRE(mwg_host_normalise(host, strlen(host), again) && strcmp(host, again) == 0);
    }
    REQUIRE(!connect || mwg_http_is_proxy_form(method, target));
    g_free(method);
    g_free(target);
    g_free(host_header);
}

static bool is_token(mwg_span s)
{
    for (size_t i = 0; i < s.len; i++)
        if (!g_ascii_isalnum(s.p[i]) && s.p[i] != '-' && s.p[i] != '_')
            return false;
    return s.len > 0;
}

static void check_message(const uint8_t *d, size_t len, mwg_http_state st, const mwg_http_message *m)
{
    REQUIRE(st == MWG_HTTP_NOT_A_MESSAGE || st == MWG_HTTP_PARTIAL || st == MWG_HTTP_COMPLETE);
    if (st == MWG_HTTP_NOT_A_MESSAGE)
        return;
    /* The cheap test in front of the reader never turns a message away. */
    REQUIRE(mwg_http_may_start(d, len));
    REQUIRE(m->body ? inside(m->body, m->body_len, d, len) : m->body_len == 0);
    if (st == MWG_HTTP_COMPLETE) {
        REQUIRE(m->length > 0 && m->length <= len);
        REQUIRE(m->body && m->body + m->body_len == d + m->length);
    }
    REQUIRE(!m->until_close || (m->is_response && st == MWG_HTTP_PARTIAL));
    if (m->is_response) {
        REQUIRE(m->status <= 999 && m->method.len == 0 && !m->target_cut);
        return;
    }
    if (m->method.len == 0) {
        /* A start line still arriving: nothing of it read. */
        REQUIRE(st == MWG_HTTP_PARTIAL && m->target.len == 0 && !m->has_host && !m->body);
        return;
    }
    REQUIRE(m->method.len <= 32 && inside(m->method.p, m->method.len, d, len) && is_token(m->method));
    REQUIRE(m->target.len > 0 && inside(m->target.p, m->target.len, d, len));
    REQUIRE(!memchr(m->target.p, ' ', m->target.len));
    REQUIRE(!m->has_host || inside(m->host.p, m->host.len, d, len));
    REQUIRE(!m->target_cut || st == MWG_HTTP_PARTIAL);
    check_request_target(m);
}

/* The messages of 'd' one after the other, as http_stream.c walks a
 * segment; each COMPLETE length is above 0, so the walk ends. */
static void read_messages(const uint8_t *d, size_t len, bool cut, const char *answered)
{
    size_t off = 0;
    while (off < len) {
        mwg_http_message m;
        mwg_http_state st = mwg_http_read(d + off, len - off, cut, answered, &m);
        check_message(d + off, len - off, st, &m);
        if (st != MWG_HTTP_COMPLETE)
            break;
        off += m.length;
    }
}

/* ----------------------------------------------------------------- DNS */

static void check_dns_addr(const uint8_t *msg, size_t len, const mwg_addr *a)
{
    REQUIRE(a->family == 4 || a->family == 6);
    size_t alen = addr_len(a);
    /* Wholly set, so that comparing or hashing the record is exact. */
    for (size_t i = alen; i < sizeof a->bytes; i++)
        REQUIRE(a->bytes[i] == 0);
    REQUIRE(memmem(msg, len, a->bytes, alen));
}

static void check_dns(const uint8_t *msg, size_t len)
{
    /* A record as the plugin reuses it: the arrays past their counts hold
     * what earlier frames left. */
    mwg_facts f, before;
    memset(&f, 0xa5, sizeof f);
    mwg_facts_reset(&f, 502, 0);
    memcpy(&before, &f, sizeof f);
    if (!mwg_decode_dns(msg, len, &f)) {
        REQUIRE(memcmp(&before, &f, sizeof f) == 0);     /* "setting nothing" */
        return;
    }
    REQUIRE(f.has_dns && len >= 12 && f.dns_id == mwg_get16(msg) && f.dns_rcode <= 15);
    size_t n = strnlen(f.dns_qname, sizeof f.dns_qname);
    REQUIRE(n < sizeof f.dns_qname && n <= MWG_MAX_HOST_LEN);
    for (size_t i = 0; i < n; i++)
        REQUIRE(f.dns_qname[i] > 0x20 && f.dns_qname[i] < 0x7f);
    REQUIRE(f.n_dns_addrs <= MWG_MAX_DNS_ADDRS);
    REQUIRE(f.dns_is_response || (f.n_dns_addrs == 0 && !f.dns_answers_cut));
    for (unsigned i = 0; i < f.n_dns_addrs; i++)
        check_dns_addr(msg, len, &f.dns_addrs[i]);
    /* A second message into the same record: the addresses add up to the
     * bound, not past it. */
    mwg_decode_dns(msg, len, &f);
    REQUIRE(f.n_dns_addrs <= MWG_MAX_DNS_ADDRS);
}

/* ---------------------------------------------------------------- input */

/* What extract.c and http_stream.c do with a payload: HTTP, then DNS
 * (behind its two length bytes over TCP). */
static void read_payload(const uint8_t *p, size_t len, bool tcp, const char *answered)
{
    if (len == 0)
        return;
    read_messages(p, len, false, answered);
    read_messages(p, len, true, answered);
    size_t skip = tcp ? 2 : 0;
    if (len > skip)
        check_dns(p + skip, len - skip);
}

static void fresh_facts(mwg_facts *f)
{
    memset(f, 0, sizeof *f);
    mwg_facts_reset(f, 502, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned sel = data[0];
    mwg_wanted want;
    size_t head = 1 + read_wanted(data + 1, size - 1, sel, &want);
    size_t len = size - head;
    uint8_t *frame = copy_of(data + head, len);
    const char *answered = answered_methods[sel >> SEL_ANSWERED_SHIFT];

    mwg_facts f;
    fresh_facts(&f);
    mwg_found found = mwg_decode_headers((mwg_link)(sel & 7), frame, len, &want, &f);
    check_found(found, frame, len, &want, &f);
    if (found == MWG_FOUND && f.payload.p) {
        uint8_t *payload = copy_of(f.payload.p, f.payload.len);
        read_payload(payload, f.payload.len, f.is_tcp, answered);
        free(payload);
    }
    read_payload(frame, len, false, answered);

    size_t half = len / 2;
    uint8_t *datagram = copy_of(frame + half, len - half);
    fresh_facts(&f);
    check_datagram(mwg_decode_datagram(datagram, len - half, &want, &f), datagram, len - half, &want, &f);
    free(datagram);
    free(frame);
    return 0;
}

/* ---------------------------------------------------------------- seeds
 *
 * Built here rather than kept as binary files: one of each link layer and
 * tunnel, reaching the HTTP and DNS decoders with valid headers, each with
 * the flow Wireshark would report for it. */

typedef struct {
    uint8_t b[4096];
    size_t n;
} frame_buf;

static void put(frame_buf *s, const void *p, size_t n)
{
    if (s->n + n > sizeof s->b)
        abort();
    memcpy(s->b + s->n, p, n);
    s->n += n;
}

static void put8(frame_buf *s, unsigned v)
{
    uint8_t b = (uint8_t)v;
    put(s, &b, 1);
}

static void put16(frame_buf *s, unsigned v)
{
    put8(s, v >> 8);
    put8(s, v);
}

static void put32(frame_buf *s, uint32_t v)
{
    put16(s, v >> 16);
    put16(s, v & 0xffff);
}

static void put_str(frame_buf *s, const char *str)
{
    put(s, str, strlen(str));
}

static void set16(frame_buf *s, size_t at, size_t v)
{
    s->b[at] = (uint8_t)(v >> 8);
    s->b[at + 1] = (uint8_t)v;
}

static void ethernet(frame_buf *s, unsigned type)
{
    static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2 };
    put(s, macs, sizeof macs);
    put16(s, type);
}

/* The seeds' addresses: 10.0.0.x and 2001:db8::x. */
static void set_addr(mwg_addr *a, int family, uint8_t last)
{
    static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
    memset(a, 0, sizeof *a);
    a->family = (uint8_t)family;
    if (family == 4) {
        a->bytes[0] = 10;
        a->bytes[3] = last;
    } else {
        memcpy(a->bytes, v6, sizeof v6);
        a->bytes[15] = last;
    }
}

/* An IPv4 header (don't fragment); ipv4_end() fills in the total length. */
static size_t ipv4(frame_buf *s, unsigned proto, uint8_t src, uint8_t dst)
{
    size_t at = s->n;
    put8(s, 0x45);
    put8(s, 0);
    put16(s, 0);                /* total length */
    put16(s, 0x1234);
    put16(s, 0x4000);           /* don't fragment */
    put8(s, 64);
    put8(s, proto);
    put16(s, 0);                /* checksum: not read */
    put32(s, 0x0a000000u | src);
    put32(s, 0x0a000000u | dst);
    return at;
}

static void ipv4_end(frame_buf *s, size_t at)
{
    set16(s, at + 2, s->n - at);
}

static void ipv6_addr(frame_buf *s, uint8_t last)
{
    mwg_addr a;
    set_addr(&a, 6, last);
    put(s, a.bytes, 16);
}

static size_t ipv6(frame_buf *s, unsigned next, uint8_t src, uint8_t dst)
{
    size_t at = s->n;
    put32(s, 0x60000000);
    put16(s, 0);                /* payload length */
    put8(s, next);
    put8(s, 64);
    ipv6_addr(s, src);
    ipv6_addr(s, dst);
    return at;
}

static void ipv6_end(frame_buf *s, size_t at)
{
    set16(s, at + 4, s->n - at - 40);
}

static void tcp(frame_buf *s, unsigned sport, unsigned dport, unsigned flags)
{
    put16(s, sport);
    put16(s, dport);
    put32(s, 1000);
    put32(s, 2000);
    put8(s, 0x50);
    put8(s, flags);
    put16(s, 65535);
    put32(s, 0);                /* checksum, urgent pointer */
}

static size_t udp(frame_buf *s, unsigned sport, unsigned dport)
{
    size_t at = s->n;
    put16(s, sport);
    put16(s, dport);
    put32(s, 0);                /* length, checksum */
    return at;
}

static void udp_end(frame_buf *s, size_t at)
{
    set16(s, at + 4, s->n - at);
}

static void gre(frame_buf *s, unsigned ethertype)
{
    put16(s, 0);
    put16(s, ethertype);
}

static void vxlan(frame_buf *s)
{
    put32(s, 0x08000000);       /* VNI valid */
    put32(s, 0x00138800);       /* VNI 5000 */
}

static void dns_name(frame_buf *s, const char *dotted)
{
    while (*dotted) {
        size_t n = strcspn(dotted, ".");
        put8(s, (unsigned)n);
        put(s, dotted, n);
        dotted += n + (dotted[n] == '.');
    }
    put8(s, 0);
}

static void dns_header(frame_buf *s, unsigned id, unsigned flags, unsigned qd, unsigned an, unsigned ns)
{
    put16(s, id);
    put16(s, flags);
    put16(s, qd);
    put16(s, an);
    put16(s, ns);
    put16(s, 0);
}

/* A response for www.example.com: a CNAME with a compressed target, an A
 * record named by a pointer to that target, an AAAA record for the
 * question's name. */
static void dns_response(frame_buf *s)
{
    size_t msg = s->n;
    dns_header(s, 0x1234, 0x8180, 1, 3, 0);
    dns_name(s, "www.example.com");             /* example.com at msg + 16 */
    put16(s, 1);
    put16(s, 1);
    put16(s, 0xc00c);
    put16(s, 5);                                /* CNAME */
    put16(s, 1);
    put32(s, 300);
    put16(s, 6);
    size_t target = s->n - msg;
    put8(s, 3);
    put_str(s, "web");
    put16(s, 0xc010);
    put16(s, 0xc000 | (unsigned)target);
    put16(s, 1);                                /* A */
    put16(s, 1);
    put32(s, 300);
    put16(s, 4);
    put32(s, 0x0a000003);
    put16(s, 0xc00c);
    put16(s, 28);                               /* AAAA */
    put16(s, 1);
    put32(s, 300);
    put16(s, 16);
    ipv6_addr(s, 3);
}

static void dns_query(frame_buf *s, const char *name, unsigned type)
{
    dns_header(s, 0x4242, 0x0100, 1, 0, 0);
    dns_name(s, name);
    put16(s, type);
    put16(s, 1);
}

/* The flow Wireshark reports for a seed frame, in the seeds' addresses. */
static mwg_wanted seed_flow(bool tcp, int family, uint8_t src, unsigned sport, uint8_t dst, unsigned dport)
{
    mwg_wanted w;
    memset(&w, 0, sizeof w);
    w.tcp = tcp;
    set_addr(&w.flow.src.addr, family, src);
    set_addr(&w.flow.dst.addr, family, dst);
    w.flow.src.port = (uint16_t)sport;
    w.flow.dst.port = (uint16_t)dport;
    return w;
}

/* An ICMP error from 'src' to 'dst', with the quoted ports and transport
 * that Wireshark 4.0 leaves beside its addresses (4.4: none). */
static mwg_wanted seed_icmp(bool tcp, int family, uint8_t src, unsigned sport, uint8_t dst, unsigned dport)
{
    mwg_wanted w = seed_flow(tcp, family, src, sport, dst, dport);
    w.icmp_error = true;
    return w;
}

typedef void emit_fn(const uint8_t *data, size_t size, const char *name, void *ctx);

typedef struct {
    emit_fn *emit;
    void *ctx;
    unsigned count;
} seeds;

/* Each seed as built, and once more with its responses answering a HEAD,
 * a CONNECT or a GET request, in turn. */
static void emit_seed(seeds *out, const frame_buf *s, mwg_link link, const mwg_wanted *w, const char *name)
{
    frame_buf in = { .n = 0 };
    unsigned sel = (unsigned)link | (w->tcp ? SEL_TCP : 0) | (w->icmp_error ? SEL_ICMP : 0) |
                   (w->flow.src.addr.family == 6 ? SEL_IPV6 : 0);
    put8(&in, sel);
    put(&in, w->flow.src.addr.bytes, addr_len(&w->flow.src.addr));
    put(&in, w->flow.dst.addr.bytes, addr_len(&w->flow.dst.addr));
    put16(&in, w->flow.src.port);
    put16(&in, w->flow.dst.port);
    put(&in, s->b, s->n);
    out->emit(in.b, in.n, name, out->ctx);

    unsigned answered = 1 + out->count++ % 3;
    char alt[128];
    in.b[0] = (uint8_t)(sel | answered << SEL_ANSWERED_SHIFT);
    snprintf(alt, sizeof alt, "%s-answering-%s", name, answered_methods[answered]);
    out->emit(in.b, in.n, alt, out->ctx);
}

static void link_layer_seeds(seeds *out)
{
    frame_buf s;
    size_t ip, u, dns;
    mwg_wanted w;

    /* Two pipelined requests, then Ethernet padding past the IP length. */
    s.n = 0;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 2, 1);
    tcp(&s, 40000, 9090, 0x18);
    put_str(&s, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n\r\n"
                "CONNECT example.com:443 HTTP/1.1\r\nhost:  example.com:443 \r\nContent-Length: 0\r\n\r\n");
    ipv4_end(&s, ip);
    put32(&s, 0);
    w = seed_flow(true, 4, 2, 40000, 1, 9090);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-ipv4-tcp-http-requests");

    s.n = 0;
    ethernet(&s, 0x8100);
    put16(&s, 7);
    put16(&s, 0x0800);
    ip = ipv4(&s, 17, 53, 2);
    u = udp(&s, 53, 40001);
    dns_response(&s);
    udp_end(&s, u);
    ipv4_end(&s, ip);
    w = seed_flow(false, 4, 53, 53, 2, 40001);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-vlan-ipv4-udp-dns-response");

    /* A 502 with its body and a chunked 200 behind it, after a hop-by-hop
     * extension header and TCP options. */
    s.n = 0;
    put16(&s, 0x86dd);
    put(&s, "\0\0" "\0\0\0\x02" "\0\x01" "\x04" "\x06" "\x02\0\0\0\0\x01\0\0", 18);
    ip = ipv6(&s, 0, 1, 2);
    put8(&s, 6);
    put8(&s, 0);
    put(&s, "\x01\x04\0\0\0\0", 6);
    tcp(&s, 9090, 40000, 0x18);
    s.b[s.n - 8] = 0x80;                        /* 32 bytes of header */
    put(&s, "\x01\x01\x08\x0a\0\0\0\x01\0\0\0\x02", 12);
    put_str(&s, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 33\r\n\r\n"
                "<html>McAfee Web Gateway</html>\r\n"
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    ipv6_end(&s, ip);
    w = seed_flow(true, 6, 1, 9090, 2, 40000);
    emit_seed(out, &s, MWG_LINK_LINUX_SLL2, &w, "sll2-ipv6-tcp-http-responses");

    /* DNS over TCP, behind its length, in PPPoE. */
    s.n = 0;
    ethernet(&s, 0x8864);
    put(&s, "\x11\0\0\x01", 4);
    size_t pppoe = s.n;
    put16(&s, 0);
    put16(&s, 0x0021);
    ip = ipv4(&s, 6, 2, 53);
    tcp(&s, 40004, 53, 0x18);
    size_t dlen = s.n;
    put16(&s, 0);
    dns = s.n;
    dns_query(&s, "example.com", 28);
    set16(&s, dlen, s.n - dns);
    ipv4_end(&s, ip);
    set16(&s, pppoe, s.n - pppoe - 2);
    w = seed_flow(true, 4, 2, 40004, 53, 53);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-pppoe-ipv4-tcp-dns-query");

    s.n = 0;
    put32(&s, 0x02000000);                      /* AF_INET, little-endian */
    ip = ipv4(&s, 17, 2, 53);
    u = udp(&s, 40005, 53);
    dns_query(&s, "nx.example", 1);
    udp_end(&s, u);
    ipv4_end(&s, ip);
    w = seed_flow(false, 4, 2, 40005, 53, 53);
    emit_seed(out, &s, MWG_LINK_NULL, &w, "null-ipv4-udp-dns-query");

    /* NXDOMAIN with an authority record, which is not an answer. */
    s.n = 0;
    put32(&s, 24);                              /* AF_INET6 on NetBSD */
    ip = ipv6(&s, 17, 53, 2);
    u = udp(&s, 53, 40006);
    dns_header(&s, 0x4243, 0x8183, 1, 0, 1);
    dns_name(&s, "nx.example");
    put16(&s, 1);
    put16(&s, 1);
    put16(&s, 0xc00f);                          /* "example" */
    put16(&s, 6);
    put16(&s, 1);
    put32(&s, 60);
    put16(&s, 4);
    put32(&s, 0x0a000001);
    udp_end(&s, u);
    ipv6_end(&s, ip);
    w = seed_flow(false, 6, 53, 53, 2, 40006);
    emit_seed(out, &s, MWG_LINK_LOOP, &w, "loop-ipv6-udp-dns-nxdomain");

    /* A request line the snap length cut: the IP length claims more. */
    s.n = 0;
    put16(&s, 0xff03);
    put16(&s, 0x0021);
    ip = ipv4(&s, 6, 2, 1);
    set16(&s, ip + 2, 1400);
    tcp(&s, 40007, 9090, 0x18);
    put_str(&s, "GET http://example.com/a/long/pa");
    w = seed_flow(true, 4, 2, 40007, 1, 9090);
    emit_seed(out, &s, MWG_LINK_PPP, &w, "ppp-ipv4-tcp-http-cut");

    /* A SYN in MPLS, with IP options. */
    s.n = 0;
    put(&s, "\0\0\0\x01\0\x06\x02\0\0\0\0\x01\0\0", 14);
    put16(&s, 0x8847);
    put32(&s, 0x00010140);                      /* bottom of stack */
    ip = ipv4(&s, 6, 2, 3);
    s.b[ip] = 0x46;
    put32(&s, 0x01010101);                      /* options: no-ops */
    tcp(&s, 40008, 80, 0x02);
    ipv4_end(&s, ip);
    w = seed_flow(true, 4, 2, 40008, 3, 80);
    emit_seed(out, &s, MWG_LINK_LINUX_SLL, &w, "sll-mpls-ipv4-tcp-syn");

    /* Segmentation offload: no IP length. */
    s.n = 0;
    ipv4(&s, 6, 1, 2);
    tcp(&s, 9090, 40000, 0x19);
    put_str(&s, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\nabcde");
    w = seed_flow(true, 4, 1, 9090, 2, 40000);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv4-tcp-tso-http-502");

    /* More addresses than a record holds. */
    s.n = 0;
    ip = ipv4(&s, 17, 53, 2);
    u = udp(&s, 53, 40009);
    dns_header(&s, 0x4244, 0x8180, 1, MWG_MAX_DNS_ADDRS + 2, 0);
    dns_name(&s, "example.com");
    put16(&s, 1);
    put16(&s, 1);
    for (unsigned i = 0; i < MWG_MAX_DNS_ADDRS + 2; i++) {
        put16(&s, 0xc00c);
        put16(&s, i % 2 ? 28 : 1);
        put16(&s, 1);
        put32(&s, 60);
        if (i % 2) {
            put16(&s, 16);
            ipv6_addr(&s, (uint8_t)i);
        } else {
            put16(&s, 4);
            put32(&s, 0x0a000100u | i);
        }
    }
    udp_end(&s, u);
    ipv4_end(&s, ip);
    w = seed_flow(false, 4, 53, 53, 2, 40009);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv4-udp-dns-many-answers");

    /* A first fragment, padded so that the second half of the frame (the
     * harness's datagram) starts with its TCP header. */
    s.n = 0;
    ip = ipv4(&s, 6, 2, 1);
    set16(&s, ip + 6, 0x2000);                  /* more fragments */
    static const char get[] = "GET / HTTP/1.1\r\n\r\n";
    for (size_t i = 0; i < strlen(get); i++)
        put8(&s, 0);
    tcp(&s, 40015, 80, 0x18);
    put_str(&s, get);
    ipv4_end(&s, ip);
    w = seed_flow(true, 4, 2, 40015, 1, 80);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv4-tcp-fragment-datagram");

    /* An IPv6 fragment header that fragments nothing (offset 0, last). */
    s.n = 0;
    ip = ipv6(&s, 44, 2, 1);
    put(&s, "\x06\0\0\0\0\0\xab\xcd", 8);
    tcp(&s, 40016, 443, 0x02);
    ipv6_end(&s, ip);
    w = seed_flow(true, 6, 2, 40016, 1, 443);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv6-tcp-atomic-fragment");
}

static void icmp_seeds(seeds *out)
{
    frame_buf s;
    size_t ip, quoted;
    mwg_wanted w;

    s.n = 0;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 1, 254, 1);
    put32(&s, 0x03010000);                      /* unreachable, host */
    put32(&s, 0);
    quoted = ipv4(&s, 6, 1, 3);
    set16(&s, quoted + 2, 40);
    put16(&s, 40002);
    put16(&s, 80);
    put32(&s, 1000);
    ipv4_end(&s, ip);
    w = seed_icmp(true, 4, 254, 40002, 1, 80);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-ipv4-icmp-unreachable-tcp");
    w = seed_icmp(false, 4, 254, 0, 1, 0);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-ipv4-icmp-unreachable-tcp-no-ports");

    /* A ping: found, nothing to read. */
    s.n = 0;
    ip = ipv4(&s, 1, 254, 1);
    put32(&s, 0x08000000);
    put32(&s, 0x00010001);
    put_str(&s, "abcdefghijklmnopqrstuvwabcdefghi");
    ipv4_end(&s, ip);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv4-icmp-echo");

    s.n = 0;
    ip = ipv6(&s, 58, 254, 1);
    put32(&s, 0x01040000);                      /* unreachable, port */
    put32(&s, 0);
    quoted = ipv6(&s, 17, 1, 3);
    set16(&s, quoted + 4, 8);
    put16(&s, 40003);
    put16(&s, 53);
    put16(&s, 8);
    put16(&s, 0);
    ipv6_end(&s, ip);
    w = seed_icmp(false, 6, 254, 40003, 1, 53);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipv6-icmpv6-unreachable-udp");

    /* An error inside a GRE tunnel. */
    s.n = 0;
    ethernet(&s, 0x0800);
    size_t outer = ipv4(&s, 47, 100, 101);
    gre(&s, 0x0800);
    ip = ipv4(&s, 1, 254, 2);
    put32(&s, 0x030d0000);                      /* unreachable, prohibited */
    put32(&s, 0);
    quoted = ipv4(&s, 6, 2, 3);
    set16(&s, quoted + 2, 60);
    tcp(&s, 40014, 443, 0x02);
    ipv4_end(&s, ip);
    ipv4_end(&s, outer);
    w = seed_icmp(true, 4, 254, 40014, 2, 443);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-gre-ipv4-icmp-unreachable-tcp");
}

static void tunnel_seeds(seeds *out)
{
    frame_buf s;
    size_t outer, mid, ip, u, v;
    mwg_wanted w;

    s.n = 0;
    ethernet(&s, 0x0800);
    outer = ipv4(&s, 47, 100, 101);
    gre(&s, 0x0800);
    ip = ipv4(&s, 6, 2, 1);
    tcp(&s, 40010, 9090, 0x18);
    put_str(&s, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
    ipv4_end(&s, ip);
    ipv4_end(&s, outer);
    w = seed_flow(true, 4, 2, 40010, 1, 9090);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-gre-ipv4-tcp-http-request");

    /* VXLAN: the inner frame has its own Ethernet header. */
    s.n = 0;
    ethernet(&s, 0x0800);
    outer = ipv4(&s, 17, 100, 101);
    u = udp(&s, 50000, 4789);
    vxlan(&s);
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 1, 2);
    tcp(&s, 9090, 40011, 0x18);
    put_str(&s, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 9\r\n\r\nno route.");
    ipv4_end(&s, ip);
    udp_end(&s, u);
    ipv4_end(&s, outer);
    w = seed_flow(true, 4, 1, 9090, 2, 40011);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-vxlan-eth-ipv4-tcp-http-502");
    /* ... and the tunnel's own flow. */
    w = seed_flow(false, 4, 100, 50000, 101, 4789);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-vxlan-outer-udp");

    s.n = 0;
    outer = ipv4(&s, 4, 100, 101);
    ip = ipv4(&s, 17, 53, 2);
    u = udp(&s, 53, 40012);
    dns_response(&s);
    udp_end(&s, u);
    ipv4_end(&s, ip);
    ipv4_end(&s, outer);
    w = seed_flow(false, 4, 53, 53, 2, 40012);
    emit_seed(out, &s, MWG_LINK_RAW_IP, &w, "raw-ipip-ipv4-udp-dns-response");

    s.n = 0;
    ethernet(&s, 0x0800);
    outer = ipv4(&s, 41, 100, 101);
    ip = ipv6(&s, 6, 2, 1);
    tcp(&s, 40013, 443, 0x02);
    ipv6_end(&s, ip);
    ipv4_end(&s, outer);
    w = seed_flow(true, 6, 2, 40013, 1, 443);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-6in4-ipv6-tcp-syn");

    /* GRE carrying VXLAN carrying the segment; behind a link header mwg502
     * does not know. */
    s.n = 0;
    put(&s, "\x80\x01\x02\x03\x04\x05", 6);
    outer = ipv4(&s, 47, 100, 101);
    gre(&s, 0x0800);
    mid = ipv4(&s, 17, 102, 103);
    v = udp(&s, 50001, 4789);
    vxlan(&s);
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 2, 1);
    tcp(&s, 40017, 9090, 0x18);
    put_str(&s, "POST http://example.com/upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4\r\n\r\ndata");
    ipv4_end(&s, ip);
    udp_end(&s, v);
    ipv4_end(&s, mid);
    ipv4_end(&s, outer);
    w = seed_flow(true, 4, 2, 40017, 1, 9090);
    emit_seed(out, &s, MWG_LINK_UNKNOWN, &w, "unknown-gre-vxlan-ipv4-tcp-http");
}

static void http_seeds(seeds *out)
{
    frame_buf s;
    size_t ip;
    mwg_wanted w;

    s.n = 0;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 2, 1);
    tcp(&s, 40018, 9090, 0x18);
    put_str(&s, "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n"
                "POST /form HTTP/1.1\r\nHost: b\r\nContent-Length: 5\r\n\r\nx=1&y"
                "PUT /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n"
                "DELETE /d HTTP/1.1\r\n\r\n"
                "OPTIONS * HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n"
                "GET /lf HTTP/1.0\nHost: user@c.example.\n\n"
                "PATCH ftp://ftp.example/p HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
                "CONNECT d.example:443 HTTP/1.1\r\nHost: d.example:443\r\n\r\n"
                "HEAD https://e.example:8443/h HTTP/1.1\r\nHost: e\r\n\r\n"
                "GET /?u=http://f.example/ HTTP/1.1\r\nHost: F.Example\r\nContent-Length: 2\r\n\r\nok");
    ipv4_end(&s, ip);
    w = seed_flow(true, 4, 2, 40018, 1, 9090);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-ipv4-tcp-http-10-requests");

    s.n = 0;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 1, 2);
    tcp(&s, 9090, 40018, 0x18);
    put_str(&s, "HTTP/1.1 100 Continue\r\n\r\n"
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                "HTTP/1.1 204 No Content\r\n\r\n"
                "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
                "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\noops\r\n0\r\n\r\n"
                "HTTP/1.1 200 Connection established\r\n\r\n"
                "HTTP/1.0 504 Gateway Timeout\r\nContent-Type: text/html\r\n\r\n<html>timeout");
    ipv4_end(&s, ip);
    w = seed_flow(true, 4, 1, 9090, 2, 40018);
    emit_seed(out, &s, MWG_LINK_ETHERNET, &w, "eth-ipv4-tcp-http-pipelined-responses");

    /* No link layer or IP header: only the whole-frame feed reads these. */
    w = seed_flow(true, 4, 1, 1, 2, 2);
    s.n = 0;
    put_str(&s, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcPOST /2 HTTP/1.0\r\n\r\n"
                "HTTP/1.0 404 Not Found\r\n\r\n");
    emit_seed(out, &s, MWG_LINK_UNKNOWN, &w, "unknown-http-pipeline");

    s.n = 0;
    put_str(&s, "GET http://example.com/a/b HTTP/1.1\r");
    emit_seed(out, &s, MWG_LINK_UNKNOWN, &w, "unknown-http-start-line-in-pieces");

    s.n = 0;
    dns_response(&s);
    emit_seed(out, &s, MWG_LINK_UNKNOWN, &w, "unknown-dns-response");

    /* A question name that is a pointer to itself. */
    s.n = 0;
    dns_header(&s, 1, 0x8180, 1, 1, 0);
    put16(&s, 0xc00c);
    put32(&s, 0x00010001);
    emit_seed(out, &s, MWG_LINK_UNKNOWN, &w, "unknown-dns-pointer-loop");
}

void fuzz_replay_seeds(emit_fn *emit, void *ctx)
{
    seeds out = { emit, ctx, 0 };
    link_layer_seeds(&out);
    icmp_seeds(&out);
    tunnel_seeds(&out);
    http_seeds(&out);
}
