/* fuzz_correlate.c - libFuzzer harness for the correlation engine alone.
 *
 * The fuzz input is decoded into a small configuration (tiny capacities and
 * windows, so that eviction and expiry run all the time) and then into a
 * sequence of mwg_facts records, fed to mwg_correlator_feed() in order.
 * Addresses, ports and names come mostly from small pools so that records
 * meet each other (a SYN, its RST, the DNS answer for the requested host);
 * the rest comes from the input as it is.  Every verdict is checked for
 * basic consistency and freed.
 *
 * Built with clang -fsanitize=fuzzer (target fuzz_correlate) or, with any
 * compiler, linked with replay_main.c (target fuzz_replay).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "correlate.h"
#include "facts.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t n;
} reader;

static uint8_t u8(reader *r)
{
    if (r->n == 0)
        return 0;
    r->n--;
    return *r->p++;
}

static uint16_t u16(reader *r)
{
    uint16_t hi = u8(r);
    return (uint16_t)(hi << 8 | u8(r));
}

static uint32_t u32(reader *r)
{
    uint32_t hi = u16(r);
    return hi << 16 | u16(r);
}

/* Strings: either from a pool or raw input bytes (any byte but NUL). */
static const char *const name_pool[] = {
    "example.com", "EXAMPLE.COM.", "www.example.com", "nx.example", "a.b", "10.0.0.3",
    "[2001:db8::3]", "2001:db8::3", "host:8080", "user@host:81", "x", ".", "",
    "very-long-label-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
    "[::1", "bad name", "h\\x", "0.0.0.0", "10.0.0.1:9090",
};

static const char *const uri_pool[] = {
    "http://example.com/", "https://www.example.com:8443/x", "ftp://a.b/", "/relative",
    "example.com:443", "http://10.0.0.3/", "http://[2001:db8::3]:80/", "http://", "://",
    "HTTP://EXAMPLE.COM.", "http://user@nx.example/?q", "*", "",
};

static const char *const method_pool[] = { "GET", "CONNECT", "connect", "POST", "HEAD", "" };

static const char *const body_pool[] = {
    "", "<html><title>Host Not Resolvable</title>McAfee Web Gateway</html>",
    "<!-- FileName: CannotConnect.html -->", "proxyErrorData :badResponse:",
    "ERR_DNS_FAIL squid", "Skyhigh", "failure description: bad response",
};

typedef struct {
    char buf[8][300];
    unsigned next;
} strings;

static const char *pick_string(reader *r, strings *s, const char *const *pool, size_t pool_n)
{
    uint8_t sel = u8(r);
    if (sel == 0xff)
        return NULL;
    if (sel < 0xc0)
        return pool[sel % pool_n];
    /* raw: a length, then bytes (NUL ends early) */
    char *out = s->buf[s->next++ % 8];
    size_t len = u8(r);
    if (sel >= 0xf0)
        len += 200;             /* long enough to cross MAX_HOST_LEN */
    size_t i = 0;
    while (i < len && i < sizeof s->buf[0] - 1 && r->n) {
        uint8_t ch = u8(r);
        out[i++] = ch ? (char)ch : 'a';
    }
    out[i] = '\0';
    return out;
}

static void pick_addr(reader *r, mwg_addr *a)
{
    uint8_t sel = u8(r);
    memset(a, 0, sizeof *a);
    switch (sel >> 6) {
    case 0:                     /* 10.0.0.x, a small pool */
        a->family = 4;
        a->bytes[0] = 10;
        a->bytes[3] = sel & 7;
        break;
    case 1:                     /* 2001:db8::x */
        a->family = 6;
        a->bytes[0] = 0x20;
        a->bytes[1] = 0x01;
        a->bytes[2] = 0x0d;
        a->bytes[3] = 0xb8;
        a->bytes[15] = sel & 7;
        break;
    case 2:                     /* any IPv4 */
        a->family = 4;
        for (int i = 0; i < 4; i++)
            a->bytes[i] = u8(r);
        break;
    default:                    /* raw family (even invalid) and bytes */
        a->family = (sel & 1) ? 6 : (sel & 2) ? 0 : 4;
        for (int i = 0; i < 16; i++)
            a->bytes[i] = u8(r);
        break;
    }
}

static uint16_t pick_port(reader *r)
{
    static const uint16_t pool[] = { 9090, 80, 443, 53, 8080, 40000, 40001, 0 };
    uint8_t sel = u8(r);
    if (sel < 0xe0)
        return pool[sel % G_N_ELEMENTS(pool)];
    return u16(r);
}

static void pick_flow(reader *r, mwg_flow *fl)
{
    pick_addr(r, &fl->src.addr);
    fl->src.port = pick_port(r);
    pick_addr(r, &fl->dst.addr);
    fl->dst.port = pick_port(r);
}

static void check_verdict(const mwg_verdict *v, const mwg_facts *f)
{
    /* A verdict is about the frame just fed and only looks backwards. */
    if (v->error_frame != f->frame)
        abort();
    /* (equal is possible only for fuzz frames that carry both legs at once) */
    if (v->request_frame > v->error_frame || v->attempt_frame > v->error_frame ||
        v->evidence_frame > v->error_frame)
        abort();
    if ((unsigned)v->cause >= MWG_CAUSE_COUNT || (unsigned)v->category >= MWG_CAT_COUNT)
        abort();
    if (v->n_frames > MWG_MAX_INCIDENT_FRAMES || !v->summary)
        abort();
    if (strcmp(mwg_category_token(v->category), "") == 0 || strcmp(mwg_cause_token(v->cause), "") == 0)
        abort();
    (void)mwg_verdict_advice(v);
    char buf[46];
    (void)mwg_addr_to_str(&v->upstream, buf, sizeof buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = { data, size };
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    uint8_t c0 = u8(&r);
    if (c0 != 0xff) {           /* tiny tables: eviction all the time */
        cfg.max_conns = 1 + (c0 & 15);
        cfg.max_names = 1 + (c0 >> 4);
    }                           /* else the plugin's own capacities */
    uint8_t c1 = u8(&r);
    if (c1 & 1)
        mwg_config_set_proxy_port(&cfg, pick_port(&r), true);
    if (c1 & 2)
        mwg_config_set_error_status(&cfg, 503, true);
    if (c1 & 4)
        mwg_config_set_error_status(&cfg, 200 + u8(&r) * 3u, true);
    if (c1 & 8) {               /* short windows: expiry runs */
        cfg.dns_window_s = 1 + u8(&r) % 8;
        cfg.connect_window_s = 1 + u8(&r) % 8;
        cfg.response_timeout_s = 1 + u8(&r) % 8;
    }
    if (c1 & 16) {              /* degenerate but possible preferences */
        cfg.dns_window_s = 0;
        cfg.connect_window_s = 0;
        cfg.response_timeout_s = 0;
    }

    mwg_correlator *c = mwg_correlator_new(&cfg);
    GPtrArray *out = g_ptr_array_new();
    strings s;
    s.next = 0;
    uint32_t frame = 0;
    uint64_t ts = 1000000000000000000ULL;   /* wraps freely: any int64 may come */
    mwg_flow last_flow;
    memset(&last_flow, 0, sizeof last_flow);

    while (r.n > 0) {
        mwg_facts f;
        memset(&f, 0, sizeof f);
        uint8_t op = u8(&r);
        frame += 1 + ((op & 0x80) ? u8(&r) : 0);
        f.frame = frame;
        uint8_t dt = u8(&r);
        switch (dt >> 5) {
        case 0: ts += dt; break;
        case 1: ts += (uint64_t)dt * 1000000; break;
        case 2: ts += (uint64_t)(dt & 31) * 1000000000ULL; break;
        case 3: ts += (uint64_t)(dt & 31) * 100000000000ULL; break;  /* jumps of minutes */
        case 4: ts -= (uint64_t)(dt & 31) * 1000000000ULL; break;    /* backwards */
        case 5: ts += (uint64_t)u32(&r) * 1000000000ULL; break;      /* years */
        case 6: ts = (uint64_t)u32(&r) << 32 | u32(&r); break;       /* anything */
        default: break;
        }
#ifdef MWG502_FUZZ_ANY_TIME
        f.ts_ns = (int64_t)ts;  /* any int64: pcapng's 64-bit time stamps can */
#else
        /* Within +-2^62 ns (146 years around 1970, more than pcap's 32-bit
         * seconds give), so that differences of two time stamps fit in
         * int64: see the report on elapsed_ns for the full range. */
        f.ts_ns = (int64_t)(ts << 1) >> 1;
#endif
        /* Reuse the previous flow (or its reverse) often, so conversations form. */
        uint8_t fsel = u8(&r);
        if (fsel < 0x60) {
            f.flow = last_flow;
        } else if (fsel < 0xc0) {
            f.flow.src = last_flow.dst;
            f.flow.dst = last_flow.src;
        } else {
            pick_flow(&r, &f.flow);
        }
        last_flow = f.flow;
        f.is_tcp = (fsel & 3) != 3;
        f.is_udp = !f.is_tcp && (fsel & 4);

        switch (op & 7) {
        case 0:                 /* a TCP segment */
        case 1:
            f.has_tcp_flags = true;
            f.tcp_flags = u8(&r);
            f.tcp_payload_len = (op & 8) ? u32(&r) : u8(&r);
            f.payload_head_len = u8(&r) % (MWG_PAYLOAD_HEAD + 1);
            if (op & 0x10)
                memcpy(f.payload_head, "HTTP/1.1 200 OK\r\n", MWG_PAYLOAD_HEAD);
            else
                for (unsigned i = 0; i < MWG_PAYLOAD_HEAD; i++)
                    f.payload_head[i] = u8(&r);
            break;
        case 2:                 /* client or forwarded request(s) */
            f.has_tcp_flags = (op & 8) != 0;
            f.tcp_flags = MWG_TCP_ACK;
            f.n_requests = 1 + u8(&r) % 6;   /* may claim more than the array */
            for (unsigned i = 0; i < MWG_MAX_HTTP_PER_FRAME; i++) {
                f.requests[i].method = pick_string(&r, &s, method_pool, G_N_ELEMENTS(method_pool));
                f.requests[i].uri = pick_string(&r, &s, uri_pool, G_N_ELEMENTS(uri_pool));
                f.requests[i].host_header = pick_string(&r, &s, name_pool, G_N_ELEMENTS(name_pool));
            }
            break;
        case 3:                 /* response(s) */
            f.has_tcp_flags = (op & 8) != 0;
            f.tcp_flags = MWG_TCP_ACK;
            f.n_responses = 1 + u8(&r) % 6;
            for (unsigned i = 0; i < MWG_MAX_HTTP_PER_FRAME; i++) {
                static const unsigned st[] = { 502, 502, 200, 503, 404, 100, 101, 0, 999, 1000, 65535 };
                uint8_t ss = u8(&r);
                f.responses[i].status = ss < 0xf0 ? st[ss % G_N_ELEMENTS(st)] : u16(&r);
                uint8_t b = u8(&r);
                if (b < 0x80) {
                    const char *body = body_pool[b % G_N_ELEMENTS(body_pool)];
                    f.responses[i].body = (const uint8_t *)body;
                    f.responses[i].body_len = strlen(body);
                } else {
                    size_t len = u8(&r);
                    if (len > r.n)
                        len = r.n;
                    f.responses[i].body = len ? r.p : NULL;
                    f.responses[i].body_len = len;
                    r.p += len;
                    r.n -= len;
                }
            }
            break;
        case 4:                 /* DNS query */
        case 5:                 /* DNS response */
            f.has_dns = true;
            f.dns_is_response = (op & 7) == 5;
            f.dns_id = (op & 8) ? u16(&r) : u8(&r) & 3;
            f.dns_qtype = (op & 0x10) ? 28 : 1;
            f.dns_rcode = u8(&r) % 24;
            if (f.dns_rcode > 6)
                f.dns_rcode = 0;
            f.dns_qname = pick_string(&r, &s, name_pool, G_N_ELEMENTS(name_pool));
            if (f.dns_is_response) {
                f.n_dns_addrs = u8(&r) % 40;         /* may claim more than the array */
                unsigned real = f.n_dns_addrs < MWG_MAX_DNS_ADDRS ? f.n_dns_addrs : MWG_MAX_DNS_ADDRS;
                for (unsigned i = 0; i < real; i++)
                    pick_addr(&r, &f.dns_addrs[i]);
            }
            break;
        case 6:                 /* ICMP error quoting a flow */
            f.icmp_quote = (op & 8) ? MWG_ICMP_QUOTES_UDP : MWG_ICMP_QUOTES_TCP;
            if (op & 0x40)
                f.icmp_quote = (mwg_icmp_quote)(u8(&r) % 3);
            f.icmp_version = (op & 0x10) ? 6 : 4;
            f.icmp_type = u8(&r);
            f.icmp_code = u8(&r);
            pick_addr(&r, &f.icmp_reporter);
            /* usually the reverse of the last flow: the error about our own packet */
            if (op & 0x20)
                pick_flow(&r, &f.icmp_quoted);
            else
                f.icmp_quoted = (mwg_flow){ .src = f.flow.dst, .dst = f.flow.src };
            break;
        default:                /* everything at once */
            f.has_tcp_flags = true;
            f.tcp_flags = u8(&r);
            f.tcp_payload_len = u8(&r);
            f.has_dns = (op & 8) != 0;
            f.dns_qname = pick_string(&r, &s, name_pool, G_N_ELEMENTS(name_pool));
            f.dns_is_response = (op & 0x10) != 0;
            f.n_requests = u8(&r) % 3;
            f.n_responses = u8(&r) % 3;
            for (unsigned i = 0; i < f.n_requests; i++) {
                f.requests[i].method = "GET";
                f.requests[i].uri = pick_string(&r, &s, uri_pool, G_N_ELEMENTS(uri_pool));
            }
            for (unsigned i = 0; i < f.n_responses; i++)
                f.responses[i].status = 502;
            break;
        }

        /* A burst: the same kind of frame to many fresh destinations (a
         * busy gateway's SYNs or forwarded requests), more than any per-host
         * bound of the engine. */
        if ((op & 0x47) == 0x40 || (op & 0x47) == 0x42) {
            unsigned k = u8(&r);
            mwg_facts b = f;
            for (unsigned i = 0; i < k; i++) {
                b.frame = ++frame;
                b.flow.src.port = (uint16_t)(20000 + i);
                b.flow.dst.addr.family = 4;
                b.flow.dst.addr.bytes[0] = 172;
                b.flow.dst.addr.bytes[1] = 20;
                b.flow.dst.addr.bytes[2] = (uint8_t)(i >> 8);
                b.flow.dst.addr.bytes[3] = (uint8_t)i;
                mwg_correlator_feed(c, &b, out);
            }
            f.frame = ++frame;
        }

        unsigned before = out->len;
        unsigned n = mwg_correlator_feed(c, &f, out);
        if (n != out->len - before)
            abort();
        for (unsigned i = before; i < out->len; i++)
            check_verdict(g_ptr_array_index(out, i), &f);
        for (unsigned i = 0; i < out->len; i++)
            mwg_verdict_free(g_ptr_array_index(out, i));
        g_ptr_array_set_size(out, 0);

        mwg_correlator_stats st;
        mwg_correlator_get_stats(c, &st);
        if (st.conns > cfg.max_conns || st.names > cfg.max_names || st.dns_flows > cfg.max_names)
            abort();            /* the memory bound */
    }
    g_ptr_array_free(out, TRUE);
    mwg_correlator_free(c);
    return 0;
}
