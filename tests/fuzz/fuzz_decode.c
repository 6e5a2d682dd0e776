/* fuzz_decode.c - libFuzzer harness for the byte decoders (headers.c,
 * http_message.c, dns_message.c).
 *
 * Input: one selector byte, then a frame.  The selector's low three bits
 * pick the link layer (every mwg_link value), the high five a mode:
 *   0x08  one facts record for every decoder call below, so that HTTP
 *         messages pile up to MWG_MAX_HTTP_PER_FRAME and strings from
 *         several buffers share the text storage; otherwise each call gets
 *         a fresh copy of what mwg_decode_headers() found;
 *   0x10  the text storage starts nearly full, with 9 * (selector >> 5)
 *         bytes left (none when the top three bits are 0), so that
 *         mwg_facts_keep() cuts strings short and then fails.
 * The frame goes to mwg_decode_headers() (and, with the second half of the
 * input as the reassembled datagram, to mwg_decode_reassembled()); then, as
 * extract.c does, the transport payload it returns goes to mwg_decode_http()
 * and, for TCP after the two length bytes, to mwg_decode_dns().  The whole frame goes to both
 * as well, so that they are fuzzed without a valid IP header in front.
 * mwg_decode_http() runs with 'cut' false and true.  Each buffer is a heap
 * copy of exactly its length, so that a sanitizer sees a read past the
 * payload even when the frame goes on.  Broken invariants abort(): spans
 * outside the buffer they describe, counts past their arrays, strings that
 * are not NUL-terminated in the used text storage, a failed DNS decode that
 * changed the record, and the like (see the check_* functions).
 *
 * Built with clang -fsanitize=fuzzer (target fuzz_decode) or, with any
 * compiler, linked with replay_main.c (target fuzz_decode_replay), which
 * also runs the seed frames built by fuzz_replay_seeds() below.
 */
#define _GNU_SOURCE             /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_message.h"
#include "facts.h"
#include "headers.h"
#include "http_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_replay_seeds(void (*emit)(const uint8_t *data, size_t size, const char *name, void *ctx), void *ctx);

/* The selector's three link bits cover the enum exactly. */
_Static_assert(MWG_LINK_UNKNOWN == 0 && MWG_LINK_PPP == 7, "mwg_link no longer fits three bits");

#define MODE_ONE_RECORD 0x08
#define MODE_TEXT_FULL 0x10

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    if (n == 0)
        return NULL;
    uint8_t *c = malloc(n);
    if (!c)
        abort();
    memcpy(c, p, n);
    return c;
}

static bool inside(const void *p, size_t n, const void *start, size_t len)
{
    uintptr_t a = (uintptr_t)p, s = (uintptr_t)start;
    return a >= s && n <= len && a - s <= len - n;
}

/* A string kept by mwg_facts_keep(): NUL-terminated within the used text. */
static void check_string(const mwg_facts *f, const char *s)
{
    if (!s)
        return;
    if (!inside(s, 1, f->text, f->text_used))
        abort();
    if (!memchr(s, '\0', f->text_used - (size_t)(s - f->text)))
        abort();
}

static void check_record(const mwg_facts *f)
{
    if (f->text_used > sizeof f->text)
        abort();
    if (f->payload_head_len > MWG_PAYLOAD_HEAD)
        abort();
    if (f->n_requests > MWG_MAX_HTTP_PER_FRAME || f->n_responses > MWG_MAX_HTTP_PER_FRAME ||
        f->n_requests + f->n_responses > MWG_MAX_HTTP_PER_FRAME)
        abort();
    for (unsigned i = 0; i < f->n_requests; i++) {
        check_string(f, f->requests[i].method);
        check_string(f, f->requests[i].uri);
        check_string(f, f->requests[i].host_header);
    }
    check_string(f, f->dns_qname);
    if (f->n_dns_addrs > MWG_MAX_DNS_ADDRS)
        abort();
    for (unsigned i = 0; i < f->n_dns_addrs; i++)
        if (f->dns_addrs[i].family != 4 && f->dns_addrs[i].family != 6)
            abort();
}

static void check_headers(bool ok, const mwg_facts *f, const mwg_bytes *payload, const uint8_t *frame, size_t len)
{
    check_record(f);
    if (payload->p ? payload->len == 0 || !inside(payload->p, payload->len, frame, len) : payload->len != 0)
        abort();
    if (!ok && payload->p)
        abort();
    if (ok && !f->is_tcp && !f->is_udp && f->icmp_quote == MWG_ICMP_NONE)
        abort();
    if (f->is_tcp && f->is_udp)
        abort();
    if (f->icmp_quote != MWG_ICMP_NONE && (f->is_tcp || f->is_udp || payload->p))
        abort();
    /* The head is the payload's first bytes, for TCP only. */
    size_t head = f->is_tcp ? (payload->len < MWG_PAYLOAD_HEAD ? payload->len : MWG_PAYLOAD_HEAD) : 0;
    if (f->payload_head_len != head || (head && memcmp(f->payload_head, payload->p, head) != 0))
        abort();
    /* The length sent is at least the length captured. */
    if (f->is_tcp && f->tcp_payload_len < payload->len)
        abort();
}

static bool is_token_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* Strings copied from the buffer, perhaps cut short: found in it. */
static void check_copied(const char *s, const uint8_t *buf, size_t len)
{
    if (s && *s && !memmem(buf, len, s, strlen(s)))
        abort();
}

static void check_http(const mwg_facts *f, unsigned old_requests, unsigned old_responses, const uint8_t *buf,
                       size_t len)
{
    check_record(f);
    if (f->n_requests < old_requests || f->n_responses < old_responses)
        abort();
    for (unsigned i = old_requests; i < f->n_requests; i++) {
        const mwg_http_request *r = &f->requests[i];
        for (const char *c = r->method; c && *c; c++)
            if (!is_token_char(*c))
                abort();
        check_copied(r->method, buf, len);
        check_copied(r->uri, buf, len);
        check_copied(r->host_header, buf, len);
    }
    for (unsigned i = old_responses; i < f->n_responses; i++) {
        const mwg_http_response *r = &f->responses[i];
        if (r->status > 999)
            abort();
        if (r->body ? r->body_len == 0 || !inside(r->body, r->body_len, buf, len) : r->body_len != 0)
            abort();
    }
}

static mwg_facts before;        /* static: the records are 4 KiB and more */

static void check_dns(bool ok, const mwg_facts *f)
{
    check_record(f);
    if (!ok) {
        if (memcmp(&before, f, sizeof *f) != 0)
            abort();            /* "setting nothing" */
        return;
    }
    if (!f->has_dns)
        abort();
    /* A host name as shown, or a shorter cut of it when the text ran out. */
    if (f->dns_qname) {
        size_t n = strlen(f->dns_qname);
        if (n > 255)
            abort();
        for (size_t i = 0; i < n; i++)
            if (f->dns_qname[i] <= 0x20 || f->dns_qname[i] >= 0x7f)
                abort();
    }
}

static mwg_facts base, work;

static mwg_facts *record_for_call(unsigned mode)
{
    if (!(mode & MODE_ONE_RECORD))
        work = base;
    return &work;
}

static void decode_message(const uint8_t *buf, size_t len, bool strip_dns_length, unsigned mode)
{
    for (int cut = 0; cut < 2; cut++) {
        mwg_facts *f = record_for_call(mode);
        unsigned req = f->n_requests, resp = f->n_responses;
        mwg_decode_http(buf, len, cut, f);
        check_http(f, req, resp, buf, len);
    }
    if (strip_dns_length && len >= 2) {
        buf += 2;
        len -= 2;
    }
    mwg_facts *f = record_for_call(mode);
    memcpy(&before, f, sizeof before);     /* padding too, for memcmp() */
    bool ok = mwg_decode_dns(buf, len, f);
    check_dns(ok, f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    mwg_link link = (mwg_link)(data[0] & 7);
    unsigned mode = data[0];
    uint8_t *frame = copy_of(data + 1, size - 1);
    size_t len = size - 1;

    mwg_facts_reset(&base, 502, 0);
    mwg_bytes payload;
    bool ok = mwg_decode_headers(link, frame, len, &base, &payload);
    check_headers(ok, &base, &payload, frame, len);
    if (mode & MODE_TEXT_FULL)
        base.text_used = sizeof base.text - 9 * (mode >> 5);
    work = base;

    if (ok && payload.p) {
        uint8_t *msg = copy_of(payload.p, payload.len);
        decode_message(msg, payload.len, base.is_tcp, mode);
        free(msg);
    }
    decode_message(frame, len, false, mode);

    /* The frame as the last fragment of a datagram Wireshark reassembled:
     * the input's second half stands in for that datagram. */
    size_t half = len / 2;
    uint8_t *datagram = len ? copy_of(frame + half, len - half) : NULL;
    mwg_facts frag;
    mwg_facts_reset(&frag, 502, 0);
    ok = mwg_decode_reassembled(link, frame, len, datagram, len - half, &frag, &payload);
    check_headers(ok, &frag, &payload, datagram, len - half);
    if (frag.icmp_quote != MWG_ICMP_NONE)
        abort();
    free(datagram);
    free(frame);
    return 0;
}

/* Seed frames, built here rather than kept as binary files: one of each
 * link layer, reaching the HTTP and DNS decoders with valid headers. */

typedef struct {
    uint8_t b[1536];
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

/* An IPv4 header; ipv4_end() fills in the total length (or leaves 0). */
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
    put32(s, 0x20010db8);
    put32(s, 0);
    put32(s, 0);
    put32(s, last);
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

typedef void emit_fn(const uint8_t *data, size_t size, const char *name, void *ctx);

/* Each seed as built, and once more in a mode that shares one record and
 * starts with little text room. */
typedef struct {
    emit_fn *emit;
    void *ctx;
    unsigned count;
} seeds;

static void emit_seed(seeds *out, frame_buf *s, mwg_link link, const char *name)
{
    char alt[96];
    s->b[0] = (uint8_t)link;
    out->emit(s->b, s->n, name, out->ctx);
    s->b[0] = (uint8_t)(link | MODE_ONE_RECORD | MODE_TEXT_FULL | (out->count++ % 8) << 5);
    snprintf(alt, sizeof alt, "%s-one-record-little-text", name);
    out->emit(s->b, s->n, alt, out->ctx);
}

void fuzz_replay_seeds(emit_fn *emit, void *ctx)
{
    seeds out = { emit, ctx, 0 };
    frame_buf s;
    size_t ip, u, dns;

    /* Two pipelined requests, then Ethernet padding past the IP length. */
    s.n = 1;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 6, 2, 1);
    tcp(&s, 40000, 9090, 0x18);
    put_str(&s, "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x\r\n\r\n"
                "CONNECT example.com:443 HTTP/1.1\r\nhost:  example.com:443 \r\nContent-Length: 0\r\n\r\n");
    ipv4_end(&s, ip);
    put32(&s, 0);
    emit_seed(&out, &s, MWG_LINK_ETHERNET, "eth-ipv4-tcp-http-requests");

    s.n = 1;
    ethernet(&s, 0x8100);
    put16(&s, 7);
    put16(&s, 0x0800);
    ip = ipv4(&s, 17, 53, 2);
    u = udp(&s, 53, 40001);
    dns_response(&s);
    udp_end(&s, u);
    ipv4_end(&s, ip);
    emit_seed(&out, &s, MWG_LINK_ETHERNET, "eth-vlan-ipv4-udp-dns-response");

    /* A 502 with its body and a chunked 200 behind it, after a hop-by-hop
     * extension header and TCP options. */
    s.n = 1;
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
    emit_seed(&out, &s, MWG_LINK_LINUX_SLL2, "sll2-ipv6-tcp-http-responses");

    s.n = 1;
    ethernet(&s, 0x0800);
    ip = ipv4(&s, 1, 254, 1);
    put32(&s, 0x03010000);                      /* unreachable, host */
    put32(&s, 0);
    size_t quoted = ipv4(&s, 6, 1, 3);
    set16(&s, quoted + 2, 40);
    put16(&s, 40002);
    put16(&s, 80);
    put32(&s, 1000);
    ipv4_end(&s, ip);
    emit_seed(&out, &s, MWG_LINK_ETHERNET, "eth-ipv4-icmp-unreachable-tcp");

    s.n = 1;
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
    emit_seed(&out, &s, MWG_LINK_RAW_IP, "raw-ipv6-icmpv6-unreachable-udp");

    /* DNS over TCP, behind its length, in PPPoE. */
    s.n = 1;
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
    emit_seed(&out, &s, MWG_LINK_ETHERNET, "eth-pppoe-ipv4-tcp-dns-query");

    s.n = 1;
    put32(&s, 0x02000000);                      /* AF_INET, little-endian */
    ip = ipv4(&s, 17, 2, 53);
    u = udp(&s, 40005, 53);
    dns_query(&s, "nx.example", 1);
    udp_end(&s, u);
    ipv4_end(&s, ip);
    emit_seed(&out, &s, MWG_LINK_NULL, "null-ipv4-udp-dns-query");

    /* NXDOMAIN with an authority record, which is not an answer. */
    s.n = 1;
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
    emit_seed(&out, &s, MWG_LINK_LOOP, "loop-ipv6-udp-dns-nxdomain");

    /* A request line the snap length cut: the IP length claims more. */
    s.n = 1;
    put16(&s, 0xff03);
    put16(&s, 0x0021);
    ip = ipv4(&s, 6, 2, 1);
    set16(&s, ip + 2, 1400);
    tcp(&s, 40007, 9090, 0x18);
    put_str(&s, "GET http://example.com/a/long/pa");
    emit_seed(&out, &s, MWG_LINK_PPP, "ppp-ipv4-tcp-http-cut");

    /* A SYN in MPLS, with IP options. */
    s.n = 1;
    put(&s, "\0\0\0\x01\0\x06\x02\0\0\0\0\x01\0\0", 14);
    put16(&s, 0x8847);
    put32(&s, 0x00010140);                      /* bottom of stack */
    ip = ipv4(&s, 6, 2, 3);
    s.b[ip] = 0x46;
    put32(&s, 0x01010101);                      /* options: no-ops */
    tcp(&s, 40008, 80, 0x02);
    ipv4_end(&s, ip);
    emit_seed(&out, &s, MWG_LINK_LINUX_SLL, "sll-mpls-ipv4-tcp-syn");

    /* Segmentation offload: no IP length. */
    s.n = 1;
    ip = ipv4(&s, 6, 1, 2);
    tcp(&s, 9090, 40000, 0x19);
    put_str(&s, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\nabcde");
    emit_seed(&out, &s, MWG_LINK_RAW_IP, "raw-ipv4-tcp-tso-http-502");

    /* More addresses than a record holds. */
    s.n = 1;
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
    emit_seed(&out, &s, MWG_LINK_RAW_IP, "raw-ipv4-udp-dns-many-answers");

    /* No link layer the decoder knows: only the whole-frame feed reads it. */
    s.n = 1;
    put_str(&s, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcPOST /2 HTTP/1.0\r\n\r\n"
                "HTTP/1.0 404 Not Found\r\n\r\n");
    emit_seed(&out, &s, MWG_LINK_UNKNOWN, "unknown-http-pipeline");

    s.n = 1;
    dns_response(&s);
    emit_seed(&out, &s, MWG_LINK_UNKNOWN, "unknown-dns-response");

    /* A question name that is a pointer to itself. */
    s.n = 1;
    dns_header(&s, 1, 0x8180, 1, 1, 0);
    put16(&s, 0xc00c);
    put32(&s, 0x00010001);
    emit_seed(&out, &s, MWG_LINK_UNKNOWN, "unknown-dns-pointer-loop");
}
