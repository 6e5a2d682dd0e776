/* Unit tests of the correlation engine: facts built by hand, verdicts
 * checked field by field.  No Wireshark involved. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blockpage.h"
#include "correlate.h"

static int failures, checks;

#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, current, #cond); } } while (0)
#define CHECK_EQ(a, b) do { checks++; long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    failures++; fprintf(stderr, "%s:%d: %s: %s == %lld, want %lld\n", __FILE__, __LINE__, current, #a, a_, b_); } } while (0)
#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); if (!a_ || strcmp(a_, b_) != 0) { \
    failures++; fprintf(stderr, "%s:%d: %s: %s == \"%s\", want \"%s\"\n", __FILE__, __LINE__, current, #a, \
    a_ ? a_ : "(null)", b_); } } while (0)

static const char *current;

/* A tiny capture builder: frames numbered from 1, one second apart unless
 * told otherwise. */
typedef struct {
    mwg_correlator *c;
    GPtrArray *verdicts;
    uint32_t frame;
    int64_t ts;
} cap;

static const mwg_addr CLIENT = { 4, { 10, 10, 67, 4 } };
static const mwg_addr GATEWAY = { 4, { 10, 10, 67, 161 } };
static const mwg_addr UPLINK = { 4, { 192, 0, 2, 1 } };
static const mwg_addr DNS = { 4, { 10, 10, 65, 1 } };
static const mwg_addr DEST = { 4, { 10, 10, 67, 124 } };
static const mwg_addr DEST2 = { 4, { 10, 10, 67, 125 } };
static const mwg_addr ROUTER = { 4, { 10, 10, 66, 1 } };

static void cap_open(cap *k, const mwg_config *cfg)
{
    mwg_config def;
    mwg_config_defaults(&def);
    k->c = mwg_correlator_new(cfg ? cfg : &def);
    k->verdicts = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    k->frame = 0;
    k->ts = 1700000000LL * 1000000000LL;
}

static void cap_close(cap *k)
{
    mwg_correlator_free(k->c);
    g_ptr_array_free(k->verdicts, TRUE);
}

static mwg_facts base(cap *k, double after_s)
{
    mwg_facts f;
    memset(&f, 0, sizeof f);
    k->ts += (int64_t)(after_s * 1e9);
    f.frame = ++k->frame;
    f.ts_ns = k->ts;
    return f;
}

static mwg_flow flow(mwg_addr s, uint16_t sp, mwg_addr d, uint16_t dp)
{
    mwg_flow fl = { { s, sp }, { d, dp } };
    return fl;
}

static uint32_t feed(cap *k, mwg_facts *f)
{
    mwg_correlator_feed(k->c, f, k->verdicts);
    return f->frame;
}

static uint32_t tcp(cap *k, double after, mwg_flow fl, uint8_t flags, const char *payload)
{
    mwg_facts f = base(k, after);
    f.is_tcp = f.has_tcp_flags = true;
    f.flow = fl;
    f.tcp_flags = flags;
    if (payload) {
        f.tcp_payload_len = (uint32_t)strlen(payload);
        f.payload_head_len = f.tcp_payload_len < MWG_PAYLOAD_HEAD ? f.tcp_payload_len : MWG_PAYLOAD_HEAD;
        memcpy(f.payload_head, payload, f.payload_head_len);
    }
    return feed(k, &f);
}

static uint32_t request(cap *k, double after, mwg_flow fl, const char *method, const char *uri, const char *host)
{
    mwg_facts f = base(k, after);
    f.is_tcp = f.has_tcp_flags = true;
    f.flow = fl;
    f.tcp_flags = MWG_TCP_ACK;
    f.tcp_payload_len = 100;
    f.n_requests = 1;
    f.requests[0] = (mwg_http_request){ method, uri, host };
    return feed(k, &f);
}

static uint32_t response(cap *k, double after, mwg_flow fl, unsigned status, const char *body)
{
    mwg_facts f = base(k, after);
    f.is_tcp = f.has_tcp_flags = true;
    f.flow = fl;
    f.tcp_flags = MWG_TCP_ACK;
    memcpy(f.payload_head, "HTTP/1.1", 8);
    f.payload_head_len = 8;
    f.tcp_payload_len = 200;
    f.n_responses = 1;
    f.responses[0].status = status;
    f.responses[0].body = (const uint8_t *)body;
    f.responses[0].body_len = body ? strlen(body) : 0;
    return feed(k, &f);
}

static uint32_t dns_query(cap *k, double after, uint16_t sport, uint16_t id, const char *name, uint16_t qtype)
{
    mwg_facts f = base(k, after);
    f.is_udp = true;
    f.flow = flow(UPLINK, sport, DNS, 53);
    f.has_dns = true;
    f.dns_id = id;
    f.dns_qtype = qtype;
    f.dns_qname = name;
    return feed(k, &f);
}

static uint32_t dns_answer(cap *k, double after, uint16_t dport, uint16_t id, const char *name, unsigned rcode,
                           const mwg_addr *addrs, unsigned n)
{
    mwg_facts f = base(k, after);
    f.is_udp = true;
    f.flow = flow(DNS, 53, UPLINK, dport);
    f.has_dns = f.dns_is_response = true;
    f.dns_id = id;
    f.dns_qtype = 1;
    f.dns_qname = name;
    f.dns_rcode = rcode;
    for (unsigned i = 0; i < n && i < MWG_MAX_DNS_ADDRS; i++)
        f.dns_addrs[f.n_dns_addrs++] = addrs[i];
    return feed(k, &f);
}

static uint32_t icmp(cap *k, double after, mwg_icmp_quote q, mwg_flow quoted, unsigned type, unsigned code)
{
    mwg_facts f = base(k, after);
    f.icmp_quote = q;
    f.icmp_version = 4;
    f.icmp_type = type;
    f.icmp_code = code;
    f.icmp_reporter = ROUTER;
    f.icmp_quoted = quoted;
    return feed(k, &f);
}

static const mwg_verdict *only_verdict(cap *k)
{
    CHECK_EQ(k->verdicts->len, 1);
    return k->verdicts->len ? g_ptr_array_index(k->verdicts, 0) : NULL;
}

static const mwg_flow C2G = { { { 4, { 10, 10, 67, 4 } }, 50000 }, { { 4, { 10, 10, 67, 161 } }, 9090 } };
static const mwg_flow G2C = { { { 4, { 10, 10, 67, 161 } }, 9090 }, { { 4, { 10, 10, 67, 4 } }, 50000 } };

/* Client connects and asks; returns the request frame. */
static uint32_t client_asks(cap *k, const char *uri)
{
    tcp(k, 0, C2G, MWG_TCP_SYN, NULL);
    tcp(k, 0, G2C, MWG_TCP_SYN | MWG_TCP_ACK, NULL);
    return request(k, 0, C2G, "GET", uri, NULL);
}

static void expect(const mwg_verdict *v, const char *cat, const char *cause, uint32_t req, uint32_t evidence)
{
    if (!v)
        return;
    CHECK_STR(mwg_category_token(v->category), cat);
    CHECK_STR(mwg_cause_token(v->cause), cause);
    CHECK_EQ(v->request_frame, req);
    CHECK_EQ(v->evidence_frame, evidence);
}

static void test_nxdomain_a_and_aaaa(void)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://Example.Local./");
    uint32_t q1 = dns_query(&k, 0, 40000, 0x1111, "example.local", 1);
    dns_query(&k, 0, 40001, 0x2222, "example.local", 28);
    dns_answer(&k, 0, 40000, 0x1111, "example.local", 3, NULL, 0);
    uint32_t last = dns_answer(&k, 0, 40001, 0x2222, "example.local", 3, NULL, 0);
    uint32_t err = response(&k, 0, G2C, 502, "<title>McAfee Web Gateway - Notification</title> Host Not Resolvable");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_nxdomain", req, last);
    if (v) {
        CHECK_EQ(v->error_frame, err);
        CHECK_EQ(v->attempt_frame, q1);
        CHECK_EQ(v->attempts, 2);
        CHECK_STR(v->host, "example.local");
        CHECK(v->upstream.family == 4 && memcmp(v->upstream.bytes, DNS.bytes, 4) == 0);
        CHECK(v->block_page_recognised && v->block_page == MWG_CAT_HOST_NOT_RESOLVABLE);
        CHECK(strstr(v->summary, "No such name") != NULL);
    }
    cap_close(&k);
}

static void test_dns_no_response_and_unreachable(void)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://quiet.example/");
    dns_query(&k, 0, 40000, 7, "quiet.example", 1);
    uint32_t last = dns_query(&k, 5, 40000, 7, "quiet.example", 1);
    response(&k, 5, G2C, 502, NULL);
    expect(only_verdict(&k), "host_not_resolvable", "dns_no_response", req, last);
    const mwg_verdict *v = only_verdict(&k);
    if (v)
        CHECK_EQ(v->attempts, 2);
    cap_close(&k);

    cap_open(&k, NULL);
    req = client_asks(&k, "http://far.example/");
    dns_query(&k, 0, 40002, 9, "far.example", 1);
    uint32_t ic = icmp(&k, 0, MWG_ICMP_QUOTES_UDP, flow(UPLINK, 40002, DNS, 53), 3, 3);
    response(&k, 5, G2C, 502, NULL);
    expect(only_verdict(&k), "host_not_resolvable", "dns_server_unreachable", req, ic);
    cap_close(&k);
}

static void test_dns_rcodes(void)
{
    static const struct { unsigned rcode; const char *cause; } cases[] = {
        { 2, "dns_servfail" }, { 5, "dns_refused" }, { 4, "dns_error" }, { 0, "dns_nodata" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        cap k;
        cap_open(&k, NULL);
        uint32_t req = client_asks(&k, "http://x.example/");
        dns_query(&k, 0, 40000, 1, "x.example", 1);
        uint32_t ans = dns_answer(&k, 0, 40000, 1, "x.example", cases[i].rcode, NULL, 0);
        response(&k, 0, G2C, 502, NULL);
        expect(only_verdict(&k), "host_not_resolvable", cases[i].cause, req, ans);
        cap_close(&k);
    }
}

/* The gateway resolves, then tries to connect: SYN retransmissions. */
static void test_syn_timeout_counts_syns(void)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://example.local/");
    dns_query(&k, 0, 40000, 1, "example.local", 1);
    dns_answer(&k, 0, 40000, 1, "example.local", 0, &DEST, 1);
    mwg_flow up = flow(UPLINK, 41000, DEST, 80);
    uint32_t first = tcp(&k, 0, up, MWG_TCP_SYN, NULL);
    tcp(&k, 1, up, MWG_TCP_SYN, NULL);
    tcp(&k, 2, up, MWG_TCP_SYN, NULL);
    uint32_t last = tcp(&k, 4, up, MWG_TCP_SYN, NULL);
    response(&k, 8, G2C, 502, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_syn_timeout", req, last);
    if (v) {
        CHECK_EQ(v->attempts, 4);
        CHECK_EQ(v->attempt_frame, first);
        CHECK_EQ(v->upstream_port, 80);
        CHECK(memcmp(v->upstream.bytes, DEST.bytes, 4) == 0);
    }
    cap_close(&k);
}

/* Two addresses tried in turn; the last attempt decides.  The name was
 * resolved before the request (cached): no new query. */
static void test_cached_name_two_addresses_rst(void)
{
    cap k;
    cap_open(&k, NULL);
    mwg_addr both[2] = { DEST, DEST2 };
    dns_query(&k, 0, 40000, 1, "multi.example", 1);
    dns_answer(&k, 0, 40000, 1, "multi.example", 0, both, 2);
    uint32_t req = client_asks(&k, "http://multi.example/");
    mwg_flow a = flow(UPLINK, 41000, DEST, 80), b = flow(UPLINK, 41001, DEST2, 80);
    tcp(&k, 0, a, MWG_TCP_SYN, NULL);
    tcp(&k, 0, flow(DEST, 80, UPLINK, 41000), MWG_TCP_RST | MWG_TCP_ACK, NULL);
    tcp(&k, 0, b, MWG_TCP_SYN, NULL);
    uint32_t rst = tcp(&k, 0, flow(DEST2, 80, UPLINK, 41001), MWG_TCP_RST | MWG_TCP_ACK, NULL);
    response(&k, 0, G2C, 502, NULL);
    expect(only_verdict(&k), "cannot_connect", "tcp_rst", req, rst);
    cap_close(&k);
}

/* An ICMP error quotes the SYN: inside the frame the quoted header repeats
 * the SYN's flow, which must not count as a new SYN. */
static void test_icmp_admin_prohibited(void)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://10.10.67.124:8080/x");
    mwg_flow up = flow(UPLINK, 41000, DEST, 8080);
    tcp(&k, 0, up, MWG_TCP_SYN, NULL);
    icmp(&k, 0, MWG_ICMP_QUOTES_TCP, up, 3, 13);
    tcp(&k, 1, up, MWG_TCP_SYN, NULL);
    uint32_t ic = icmp(&k, 0, MWG_ICMP_QUOTES_TCP, up, 3, 13);
    response(&k, 0, G2C, 502, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "icmp_unreachable", req, ic);
    if (v) {
        CHECK_EQ(v->attempts, 2);
        CHECK_EQ(v->icmp_code, 13);
        CHECK_EQ(v->upstream_port, 8080);
        CHECK(memcmp(v->icmp_reporter.bytes, ROUTER.bytes, 4) == 0);
    }
    cap_close(&k);
}

/* Connected and forwarded; then each kind of bad reply. */
static void bad_reply_case(const char *reply, uint8_t flags, unsigned upstream_status, const char *cat,
                           const char *cause, bool evidence_is_forward)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://10.10.67.124/");
    mwg_flow up = flow(UPLINK, 41000, DEST, 80), down = flow(DEST, 80, UPLINK, 41000);
    tcp(&k, 0, up, MWG_TCP_SYN, NULL);
    tcp(&k, 0, down, MWG_TCP_SYN | MWG_TCP_ACK, NULL);
    uint32_t fwd = request(&k, 0, up, "GET", "/", "10.10.67.124");
    uint32_t ev = fwd;
    if (upstream_status)
        ev = response(&k, 1, down, upstream_status, NULL);
    else if (reply || flags)
        ev = tcp(&k, 1, down, (uint8_t)(MWG_TCP_ACK | flags), reply);
    response(&k, 120, G2C, 502, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, cat, cause, req, evidence_is_forward ? fwd : ev);
    if (v)
        CHECK_EQ(v->attempt_frame, fwd);
    cap_close(&k);
}

static void test_bad_replies(void)
{
    bad_reply_case("hello\r\n", 0, 0, "bad_response", "http_invalid_response", false);
    bad_reply_case("%PDF-1.4", 0, 0, "bad_response", "http_invalid_response", false);
    bad_reply_case(NULL, MWG_TCP_FIN, 0, "bad_response", "upstream_closed", false);
    bad_reply_case(NULL, MWG_TCP_RST, 0, "bad_response", "upstream_closed", false);
    bad_reply_case(NULL, 0, 0, "bad_response", "http_response_timeout", true);
    bad_reply_case(NULL, 0, 502, "upstream_error", "upstream_status", false);
}

/* A keep-alive upstream connection: the first reply began well and its
 * later segments are not looked at; the second forward's reply is garbage,
 * and that is what explains the 502, from its first segment. */
static void test_keepalive_upstream_second_reply_invalid(void)
{
    cap k;
    cap_open(&k, NULL);
    client_asks(&k, "http://10.10.67.124/a");
    mwg_flow up = flow(UPLINK, 41000, DEST, 80), down = flow(DEST, 80, UPLINK, 41000);
    tcp(&k, 0, up, MWG_TCP_SYN, NULL);
    tcp(&k, 0, down, MWG_TCP_SYN | MWG_TCP_ACK, NULL);
    request(&k, 0, up, "GET", "/a", "10.10.67.124");
    tcp(&k, 0.1, down, MWG_TCP_ACK, "HTTP/1.1 200 OK\r\n");     /* headers, then */
    tcp(&k, 0, down, MWG_TCP_ACK, "%PDF-1.4 body");                /* a body */
    response(&k, 0, down, 200, NULL);
    response(&k, 0, G2C, 200, NULL);
    CHECK_EQ(k.verdicts->len, 0);

    uint32_t req = request(&k, 5, C2G, "GET", "http://10.10.67.124/b", NULL);
    uint32_t fwd = request(&k, 0, up, "GET", "/b", "10.10.67.124");
    uint32_t bad = tcp(&k, 0.1, down, MWG_TCP_ACK, "hello\r\n");
    tcp(&k, 0, down, MWG_TCP_ACK, "more garbage");
    response(&k, 1, G2C, 502, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "bad_response", "http_invalid_response", req, bad);
    if (v)
        CHECK_EQ(v->attempt_frame, fwd);
    cap_close(&k);
}

/* Healthy traffic and non-error statuses give no verdict; keep-alive
 * requests are answered in order. */
static void test_healthy_and_keepalive(void)
{
    cap k;
    cap_open(&k, NULL);
    client_asks(&k, "http://ok.example/");
    response(&k, 0, G2C, 200, NULL);
    request(&k, 0, C2G, "GET", "http://ok.example/missing", NULL);
    response(&k, 0, G2C, 404, NULL);
    CHECK_EQ(k.verdicts->len, 0);
    uint32_t third = request(&k, 0, C2G, "GET", "http://gone.example/", NULL);
    response(&k, 0, G2C, 502, "<!-- FileName: cannotconnect.html -->");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "no_upstream_evidence", third, 0);
    cap_close(&k);
}

static void test_connect_tunnel_and_status_pref(void)
{
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    mwg_config_set_proxy_port(&cfg, 9090, false);
    mwg_config_set_proxy_port(&cfg, 8080, true);
    mwg_config_set_error_status(&cfg, 503, true);
    cap k;
    cap_open(&k, &cfg);
    mwg_flow c2g = flow(CLIENT, 50000, GATEWAY, 8080), g2c = flow(GATEWAY, 8080, CLIENT, 50000);
    uint32_t req = request(&k, 0, c2g, "CONNECT", "secure.example:8443", "secure.example:8443");
    dns_query(&k, 0, 40000, 1, "secure.example", 1);
    dns_answer(&k, 0, 40000, 1, "secure.example", 0, &DEST, 1);
    tcp(&k, 0, flow(UPLINK, 41000, DEST, 8443), MWG_TCP_SYN, NULL);
    uint32_t rst = tcp(&k, 0, flow(DEST, 8443, UPLINK, 41000), MWG_TCP_RST | MWG_TCP_ACK, NULL);
    response(&k, 0, g2c, 503, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    if (v)
        CHECK_EQ(v->upstream_port, 8443);
    cap_close(&k);
}

/* A proxy on a port nobody configured: the absolute URI tells it is one.
 * An origin-form request to the same kind of port does not. */
static void test_proxy_recognised_by_request_form(void)
{
    cap k;
    cap_open(&k, NULL);
    mwg_flow c2g = flow(CLIENT, 50001, GATEWAY, 3128), g2c = flow(GATEWAY, 3128, CLIENT, 50001);
    uint32_t req = request(&k, 0, c2g, "GET", "http://odd.example/", NULL);
    dns_query(&k, 0, 40000, 1, "odd.example", 1);
    uint32_t ans = dns_answer(&k, 0, 40000, 1, "odd.example", 3, NULL, 0);
    response(&k, 0, g2c, 502, NULL);
    expect(only_verdict(&k), "host_not_resolvable", "dns_nxdomain", req, ans);
    g_ptr_array_set_size(k.verdicts, 0);
    mwg_flow o2 = flow(CLIENT, 50002, DEST, 8000), o2r = flow(DEST, 8000, CLIENT, 50002);
    request(&k, 0, o2, "GET", "/", "origin.example");
    response(&k, 0, o2r, 502, NULL);
    CHECK_EQ(k.verdicts->len, 0);
    cap_close(&k);
}

/* An unrelated failure in the capture explains nothing. */
static void test_decoys_are_ignored(void)
{
    cap k;
    cap_open(&k, NULL);
    dns_query(&k, 0, 40000, 1, "decoy.example", 1);
    dns_answer(&k, 0, 40000, 1, "decoy.example", 3, NULL, 0);
    uint32_t req = client_asks(&k, "http://real.example/");
    dns_query(&k, 0, 40001, 2, "real.example", 1);
    dns_answer(&k, 0, 40001, 2, "real.example", 0, &DEST, 1);
    tcp(&k, 0, flow(UPLINK, 41000, DEST2, 80), MWG_TCP_SYN, NULL);
    tcp(&k, 0, flow(DEST2, 80, UPLINK, 41000), MWG_TCP_RST | MWG_TCP_ACK, NULL);
    mwg_flow up = flow(UPLINK, 41001, DEST, 80);
    tcp(&k, 0, up, MWG_TCP_SYN, NULL);
    uint32_t last = tcp(&k, 3, up, MWG_TCP_SYN, NULL);
    response(&k, 3, G2C, 502, NULL);
    expect(only_verdict(&k), "cannot_connect", "tcp_syn_timeout", req, last);
    cap_close(&k);
}

/* Bounded memory: a flood of distinct names and SYN targets never grows the
 * tables past their capacity, and time drops them. */
static void test_state_is_bounded(void)
{
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    cfg.max_conns = 1000;
    cfg.max_names = 500;
    cap k;
    cap_open(&k, &cfg);
    char name[64];
    for (unsigned i = 0; i < 20000; i++) {
        snprintf(name, sizeof name, "n%u.flood.example", i);
        dns_query(&k, 0.001, (uint16_t)(1024 + i % 60000), (uint16_t)i, name, 1);
        mwg_addr d = { 4, { 198, 51, (uint8_t)(i >> 8), (uint8_t)i } };
        tcp(&k, 0.001, flow(UPLINK, (uint16_t)(1024 + i % 60000), d, 80), MWG_TCP_SYN, NULL);
    }
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    CHECK(s.conns <= 1000);
    CHECK(s.names <= 500);
    CHECK(s.dns_flows <= 500);
    tcp(&k, 100000, flow(UPLINK, 1, DEST, 80), MWG_TCP_SYN, NULL);
    mwg_correlator_get_stats(k.c, &s);
    CHECK_EQ(s.conns, 1);
    CHECK_EQ(s.names, 0);
    CHECK_EQ(k.verdicts->len, 0);
    cap_close(&k);
}

/* More attempts than any one address or name keeps: the gateway (or an
 * attacker) tries hundreds of addresses while the client waits.  Under
 * AddressSanitizer this guards the verdict's working arrays. */
static void test_many_unowned_attempts(void)
{
    cap k;
    cap_open(&k, NULL);
    uint32_t req = client_asks(&k, "http://spray.example/");
    uint32_t last = 0;
    for (unsigned i = 0; i < 300; i++) {
        mwg_addr d = { 4, { 203, 0, (uint8_t)(i >> 8), (uint8_t)i } };
        last = tcp(&k, 0.001, flow(UPLINK, (uint16_t)(20000 + i), d, 80), MWG_TCP_SYN, NULL);
    }
    response(&k, 1, G2C, 502, NULL);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_syn_timeout", req, last);
    cap_close(&k);
}

/* Hostile values: no request, time going backwards, absurd names. */
static void test_hostile_facts(void)
{
    cap k;
    cap_open(&k, NULL);
    response(&k, 0, G2C, 502, NULL);      /* the request is not in the capture */
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "unknown", "no_upstream_evidence", 0, 0);
    g_ptr_array_set_size(k.verdicts, 0);
    client_asks(&k, "http://[2001:db8::1]:8080/");
    k.ts -= 3600LL * 1000000000LL * 24 * 365;   /* backwards a year */
    dns_query(&k, 0, 1, 1, "", 1);
    dns_query(&k, 0, 1, 1, "a/b", 1);
    response(&k, 0, G2C, 502, NULL);
    v = only_verdict(&k);
    if (v) {
        CHECK_STR(v->host, "2001:db8::1");
        CHECK_STR(mwg_cause_token(v->cause), "no_upstream_evidence");
    }
    cap_close(&k);
}

static void test_blockpage_markers(void)
{
    static const struct { const char *page; mwg_category family; bool recognised; } cases[] = {
        { "<title>McAfee Web Gateway - Notification</title><div id=titleData>Cannot Connect</div>",
          MWG_CAT_CANNOT_CONNECT, true },
        { "<!-- FileName: notresolvable.html -->", MWG_CAT_HOST_NOT_RESOLVABLE, true },
        { "Failure Description: :badresponse: something", MWG_CAT_BAD_RESPONSE, true },
        { "<a href=\"/mwg-internal/de5fs23hu73ds/plugin\">x</a>", MWG_CAT_UNKNOWN, true },
        { "<html><body>Bad Gateway</body></html>", MWG_CAT_UNKNOWN, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        bool rec;
        mwg_category fam = mwg_blockpage_family((const uint8_t *)cases[i].page, strlen(cases[i].page), &rec);
        CHECK_EQ(fam, cases[i].family);
        CHECK_EQ(rec, cases[i].recognised);
    }
}

int main(void)
{
    static const struct { const char *name; void (*fn)(void); } tests[] = {
        { "nxdomain_a_and_aaaa", test_nxdomain_a_and_aaaa },
        { "dns_no_response_and_unreachable", test_dns_no_response_and_unreachable },
        { "dns_rcodes", test_dns_rcodes },
        { "syn_timeout_counts_syns", test_syn_timeout_counts_syns },
        { "cached_name_two_addresses_rst", test_cached_name_two_addresses_rst },
        { "icmp_admin_prohibited", test_icmp_admin_prohibited },
        { "bad_replies", test_bad_replies },
        { "healthy_and_keepalive", test_healthy_and_keepalive },
        { "keepalive_upstream_second_reply_invalid", test_keepalive_upstream_second_reply_invalid },
        { "connect_tunnel_and_status_pref", test_connect_tunnel_and_status_pref },
        { "proxy_recognised_by_request_form", test_proxy_recognised_by_request_form },
        { "decoys_are_ignored", test_decoys_are_ignored },
        { "state_is_bounded", test_state_is_bounded },
        { "many_unowned_attempts", test_many_unowned_attempts },
        { "hostile_facts", test_hostile_facts },
        { "blockpage_markers", test_blockpage_markers },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(tests); i++) {
        int before = failures;
        current = tests[i].name;
        tests[i].fn();
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", current);
    }
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
