/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_correlate.c - the engine (correlate.h) on captures built in code.
 *
 * Each test builds the frames of a small capture the way Wireshark hands
 * them to mwg502: TCP segments that carry real HTTP bytes under sequence
 * numbers that advance in each direction (and cross the 2^32 wrap), with
 * the HTTP dissector's record of the frame set where Wireshark sets it (the
 * message shown in the frame of its last byte, the reassembled PDU when it
 * began in an earlier segment), DNS and ICMP facts as the decoders fill
 * them.  Every verdict is checked against the invariants of
 * verdict_check.h as it comes, then field by field by the test.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "blockpage.h"
#include "marks.h"
#include "correlate.h"

#include "../verdict_check.h"

/* ------------------------------------------------------------ addresses */

static const mwg_addr CLIENT = { 4, { 10, 10, 67, 4 } };
static const mwg_addr CLIENT2 = { 4, { 10, 10, 67, 5 } };
static const mwg_addr GATEWAY = { 4, { 10, 10, 67, 161 } };
static const mwg_addr UPLINK = { 4, { 192, 0, 2, 1 } };
static const mwg_addr DNS = { 4, { 10, 10, 65, 1 } };
static const mwg_addr DEST = { 4, { 10, 10, 67, 124 } };
static const mwg_addr DEST2 = { 4, { 10, 10, 67, 125 } };
static const mwg_addr ROUTER = { 4, { 10, 10, 66, 1 } };

/* The gateway's notification pages: the family marker comes early, so that
 * the first half of a page already names it. */
static const char PAGE_NOT_RESOLVABLE[] =
    "<!DOCTYPE html>\n<html><head><title>McAfee Web Gateway - Notification</title>\n"
    "<!-- FileName: notresolvable.html --></head>\n<body>\n"
    "<div id=\"titleData\">Host Not Resolvable</div>\n"
    "<div>The requested host could not be resolved. Check the address you typed and try again,\n"
    "or ask your administrator to add the host to the gateway's DNS.</div>\n</body></html>\n";
static const char PAGE_CANNOT_CONNECT[] =
    "<html><head><title>McAfee Web Gateway - Notification</title></head>\n"
    "<!-- FileName: cannotconnect.html --><body>Cannot Connect</body></html>\n";

/* ------------------------------------------------------------- captures */

/* How Wireshark hands the frames over: whether its HTTP record keeps the
 * status or method of the last message of a frame (4.2 on) or not (4.0),
 * and whether the capture, taken on a bridge, holds every TCP segment
 * twice. */
typedef struct {
    bool keeps_last;
    bool bridge;
} ws_mode;

static const ws_mode WS_40 = { false, false };
static const ws_mode WS_42 = { true, false };
static const ws_mode WS_40_BRIDGE = { false, true };
static const ws_mode WS_42_BRIDGE = { true, true };

typedef struct {
    mwg_correlator *c;
    GPtrArray *verdicts;        /* every verdict so far, in the order given */
    ws_mode mode;
    uint32_t frame;
    int64_t ts;
    GArray *logical;            /* frame -> its number in the same capture without bridge copies */
    uint32_t n_logical;
    GArray *segments;           /* frames of the latest send_*() */
    GPtrArray *texts;           /* strings the capture's frames point to */
} cap;

static void cap_open_with(cap *k, const mwg_config *cfg, ws_mode mode)
{
    mwg_config def;
    mwg_config_defaults(&def);
    k->c = mwg_correlator_new(cfg ? cfg : &def);
    k->verdicts = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    k->mode = mode;
    k->frame = 0;
    k->ts = INT64_C(1700000000) * MWG_NS_PER_S;
    uint32_t none = 0;
    k->logical = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_array_append_val(k->logical, none);
    k->n_logical = 0;
    k->segments = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    k->texts = g_ptr_array_new_with_free_func(g_free);
}

static void cap_open(cap *k)
{
    cap_open_with(k, NULL, WS_42);
}

static void cap_close(cap *k)
{
    mwg_correlator_free(k->c);
    g_ptr_array_free(k->verdicts, TRUE);
    g_array_free(k->logical, TRUE);
    g_array_free(k->segments, TRUE);
    g_ptr_array_free(k->texts, TRUE);
}

static const char *keep(cap *k, char *text)
{
    g_ptr_array_add(k->texts, text);
    return text;
}

static const mwg_verdict *verdict(const cap *k, unsigned i)
{
    g_assert_cmpuint(i, <, k->verdicts->len);
    return g_ptr_array_index(k->verdicts, i);
}

static const mwg_verdict *only_verdict(const cap *k)
{
    g_assert_cmpuint(k->verdicts->len, ==, 1);
    return verdict(k, 0);
}

/* Checks 'wrong': NULL, or what went wrong (freed). */
static void assert_no_fault(char *wrong)
{
    g_assert_cmpstr(wrong, ==, NULL);
    g_free(wrong);
}

/* Checks the new verdicts, and words them as the plugin does when it
 * shows them. */
static void check_new_verdicts(const cap *k, unsigned from, uint32_t last_frame, bool at_finish)
{
    for (unsigned i = from; i < k->verdicts->len; i++) {
        mwg_verdict *v = g_ptr_array_index(k->verdicts, i);
        assert_no_fault(mwg_verdict_violation(v, last_frame, at_finish));
        v->summary = mwg_verdict_summary(v);
    }
}

/* Time moves 1 ms a frame, and more when a test waits. */
static void wait_s(cap *k, double s)
{
    k->ts += (int64_t)(s * (double)MWG_NS_PER_S);
}

static void frame_begin(cap *k, mwg_facts *f)
{
    k->ts += MWG_NS_PER_S / 1000;
    mwg_facts_reset(f, ++k->frame, k->ts);
    ++k->n_logical;
    g_array_append_val(k->logical, k->n_logical);
}

/* The facts of the last frame again, in the next frame: a copy of it (the
 * same frame of the capture without bridge copies) or a new one. */
static void frame_again(cap *k, mwg_facts *f, bool copy)
{
    f->frame = ++k->frame;
    if (!copy)
        ++k->n_logical;
    g_array_append_val(k->logical, k->n_logical);
}

static unsigned feed(cap *k, const mwg_facts *f)
{
    unsigned before = k->verdicts->len;
    unsigned n = mwg_correlator_feed(k->c, f, k->verdicts);
    g_assert_cmpuint(n, ==, k->verdicts->len - before);
    check_new_verdicts(k, before, f->frame, false);
    return n;
}

static unsigned finish(cap *k)
{
    unsigned before = k->verdicts->len;
    unsigned n = mwg_correlator_finish(k->c, k->verdicts);
    g_assert_cmpuint(n, ==, k->verdicts->len - before);
    check_new_verdicts(k, before, k->frame, true);
    return n;
}

/* ------------------------------------------------------------------ TCP */

/* A TCP connection, [0] the side that opened it, [1] the other. */
typedef struct {
    mwg_flow fl[2];
    uint32_t isn[2];
    uint32_t next[2];           /* the next sequence number each way */
} tcp_conn;

static tcp_conn tcp_conn_make(mwg_addr client, uint16_t cport, mwg_addr server, uint16_t sport)
{
    tcp_conn t = {
        .fl = { { { client, cport }, { server, sport } }, { { server, sport }, { client, cport } } },
        /* Near the wrap, so that every stream of more than a few hundred
         * bytes crosses it. */
        .isn = { UINT32_C(0xffffff00), UINT32_C(0xfffff800) },
    };
    t.next[0] = t.isn[0] + 1;
    t.next[1] = t.isn[1] + 1;
    return t;
}

static tcp_conn client_conn(uint16_t port)
{
    return tcp_conn_make(CLIENT, port, GATEWAY, 9090);
}

static tcp_conn upstream_conn(mwg_addr dest, uint16_t port)
{
    return tcp_conn_make(UPLINK, 41000, dest, port);
}

/* One segment from side 'dir' with the frame's HTTP record and reassembled
 * PDU, if any; twice on a bridge.  Returns the frame (the first copy). */
static uint32_t segment(cap *k, tcp_conn *t, int dir, uint8_t flags, const char *p, size_t len,
                        const mwg_ws_http *ws, const char *pdu, size_t pdu_len)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.is_tcp = true;
    f.flow = t->fl[dir];
    f.tcp_flags = flags;
    f.tcp_seq = (flags & MWG_TCP_SYN) ? t->isn[dir] : t->next[dir];
    f.tcp_ack = (flags & MWG_TCP_ACK) ? t->next[!dir] : 0;
    f.payload_len = (uint32_t)len;
    f.payload = (mwg_bytes){ (const uint8_t *)p, len, false };
    if (ws)
        f.http = *ws;
    if (pdu)
        f.reassembled = (mwg_bytes){ (const uint8_t *)pdu, pdu_len, false };
    uint32_t frame = f.frame;
    feed(k, &f);
    if (k->mode.bridge) {
        frame_again(k, &f, true);
        f.ts_ns += 1000;
        feed(k, &f);
    }
    t->next[dir] = f.tcp_seq + (uint32_t)len + ((flags & (MWG_TCP_SYN | MWG_TCP_FIN)) ? 1 : 0);
    return frame;
}

static uint32_t tcp_flags_only(cap *k, tcp_conn *t, int dir, uint8_t flags)
{
    return segment(k, t, dir, flags, NULL, 0, NULL, NULL, 0);
}

/* The handshake as mwg502 gets it: the bare ACK that ends it is not handed
 * over (extract.c drops bare ACKs). */
static void tcp_open(cap *k, tcp_conn *t)
{
    tcp_flags_only(k, t, 0, MWG_TCP_SYN);
    tcp_flags_only(k, t, 1, MWG_TCP_SYN | MWG_TCP_ACK);
}

/* Bytes that are not a message start (a reply that is not HTTP, more of a
 * body): Wireshark dissects no message in the frame. */
static uint32_t send_raw(cap *k, tcp_conn *t, int dir, const char *bytes)
{
    return segment(k, t, dir, MWG_TCP_ACK, bytes, strlen(bytes), NULL, NULL, 0);
}

/* Wireshark's record of a frame whose last dissected message is 'msg'. */
static mwg_ws_http ws_record(cap *k, const char *msg)
{
    mwg_ws_http ws = { .took_message = true, .last_is_response = strncmp(msg, "HTTP/", 5) == 0 };
    if (k->mode.keeps_last) {
        if (ws.last_is_response)
            ws.last_status = (unsigned)g_ascii_strtoull(msg + 9, NULL, 10);
        else
            ws.last_method = keep(k, g_strndup(msg, strcspn(msg, " ")));
    }
    return ws;
}

/* Messages sent back to back from side 'dir', in segments that end at the
 * stream offsets 'cuts' (ascending; the last segment ends the stream), as
 * Wireshark dissects them: each message in the frame of its last byte, with
 * the reassembled PDU when it began in an earlier segment.  frame_of[i], if
 * given, gets the frame of message i; k->segments the frames of every
 * segment.  Returns the last segment's frame. */
static uint32_t send_cut(cap *k, tcp_conn *t, int dir, const char *const *msgs, unsigned n, const size_t *cuts,
                         unsigned n_cuts, uint32_t *frame_of)
{
    GString *stream = g_string_new(NULL);
    size_t *end = g_new(size_t, n);
    for (unsigned i = 0; i < n; i++) {
        g_string_append(stream, msgs[i]);
        end[i] = stream->len;
    }
    g_array_set_size(k->segments, 0);
    size_t start = 0;
    unsigned next_msg = 0;
    uint32_t frame = 0;
    for (unsigned c = 0; c <= n_cuts; c++) {
        size_t stop = c < n_cuts ? cuts[c] : stream->len;
        g_assert_cmpuint(stop, >, start);
        unsigned first = next_msg;
        mwg_ws_http ws = { 0 };
        while (next_msg < n && end[next_msg] <= stop)
            ws = ws_record(k, msgs[next_msg++]);
        const char *pdu = NULL;
        size_t pdu_len = 0;
        size_t first_start = first ? end[first - 1] : 0;
        /* As Wireshark reassembles: from the start of the message begun
         * in an earlier segment to the end of the last one this segment
         * completes (HTTP takes them all from the one buffer). */
        if (next_msg > first && first_start < start) {
            pdu = stream->str + first_start;
            pdu_len = end[next_msg - 1] - first_start;
        }
        frame = segment(k, t, dir, MWG_TCP_ACK, stream->str + start, stop - start, next_msg > first ? &ws : NULL,
                        pdu, pdu_len);
        g_array_append_val(k->segments, frame);
        for (unsigned i = first; frame_of && i < next_msg; i++)
            frame_of[i] = frame;
        start = stop;
    }
    g_free(end);
    g_string_free(stream, TRUE);
    return frame;
}

static uint32_t send_msg(cap *k, tcp_conn *t, int dir, const char *msg)
{
    return send_cut(k, t, dir, &msg, 1, NULL, 0, NULL);
}

/* One message in 'n' segments of (nearly) equal size: the first n-1 without
 * a message for Wireshark, the last with it and the reassembled whole. */
static uint32_t send_split(cap *k, tcp_conn *t, int dir, const char *msg, unsigned n)
{
    size_t len = strlen(msg);
    g_assert_cmpuint(n, >=, 1);
    g_assert_cmpuint(n, <=, len);
    size_t *cuts = g_new(size_t, n);
    for (unsigned i = 1; i < n; i++)
        cuts[i - 1] = len * i / n;
    uint32_t frame = send_cut(k, t, dir, &msg, 1, cuts, n - 1, NULL);
    g_free(cuts);
    return frame;
}

/* The first 'keep_len' bytes of a response whose end never comes: no
 * message for Wireshark. */
static uint32_t send_head_of(cap *k, tcp_conn *t, const char *page, size_t keep_len)
{
    return segment(k, t, 1, MWG_TCP_ACK, page, keep_len, NULL, NULL, 0);
}

/* Messages back to back in segments of 'mss' bytes. */
static uint32_t send_stream(cap *k, tcp_conn *t, int dir, const char *const *msgs, unsigned n, size_t mss,
                            uint32_t *frame_of)
{
    size_t total = 0;
    for (unsigned i = 0; i < n; i++)
        total += strlen(msgs[i]);
    GArray *cuts = g_array_new(FALSE, FALSE, sizeof(size_t));
    for (size_t at = mss; at < total; at += mss)
        g_array_append_val(cuts, at);
    uint32_t frame = send_cut(k, t, dir, msgs, n, (const size_t *)(void *)cuts->data, cuts->len, frame_of);
    g_array_free(cuts, TRUE);
    return frame;
}

static bool has_frame(const mwg_verdict *v, uint32_t frame)
{
    for (unsigned i = 0; i < v->n_frames; i++)
        if (v->frames[i] == frame)
            return true;
    return false;
}

/* ----------------------------------------------------------------- HTTP */

static const char *reason(unsigned status)
{
    switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

/* A request as a browser sends it (Host: NULL for none). */
static const char *request_text(cap *k, const char *method, const char *target, const char *host)
{
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%s %s HTTP/1.1\r\n", method, target);
    if (host)
        g_string_append_printf(s, "Host: %s\r\n", host);
    g_string_append(s, "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: */*\r\n\r\n");
    return keep(k, g_string_free(s, FALSE));
}

static const char *response_text(cap *k, unsigned status, const char *body)
{
    return keep(k, g_strdup_printf("HTTP/1.1 %u %s\r\nContent-Type: text/html\r\nCache-Control: no-cache\r\n"
                                   "Content-Length: %zu\r\n\r\n%s",
                                   status, reason(status), strlen(body), body));
}

/* The proxy-form request for http://host/ with its Host header. */
static const char *proxy_get(cap *k, const char *host)
{
    char *uri = g_strdup_printf("http://%s/", host);
    const char *text = request_text(k, "GET", uri, host);
    g_free(uri);
    return text;
}

/* The authority of an absolute URI, as a browser puts it in Host. */
static char *uri_authority(const char *uri)
{
    const char *auth = strstr(uri, "://");
    auth = auth ? auth + 3 : uri;
    return g_strndup(auth, strcspn(auth, "/"));
}

/* A client connects to the gateway's proxy port and asks for 'uri';
 * returns the request frame. */
static uint32_t client_asks(cap *k, tcp_conn *t, const char *uri)
{
    char *host = uri_authority(uri);
    tcp_open(k, t);
    uint32_t frame = send_msg(k, t, 0, request_text(k, "GET", uri, host));
    g_free(host);
    return frame;
}

static uint32_t gateway_answers(cap *k, tcp_conn *t, unsigned status, const char *body)
{
    return send_msg(k, t, 1, response_text(k, status, body));
}

/* ------------------------------------------------------------ DNS, ICMP */

static uint32_t dns_query(cap *k, uint16_t sport, uint16_t id, const char *name, uint16_t qtype)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.is_udp = true;
    f.flow = (mwg_flow){ { UPLINK, sport }, { DNS, 53 } };
    f.has_dns = true;
    f.dns_id = id;
    f.dns_qtype = qtype;
    g_strlcpy(f.dns_qname, name, sizeof f.dns_qname);
    feed(k, &f);
    return f.frame;
}

/* 'cut': the answer section ran past the captured bytes. */
static uint32_t dns_answer(cap *k, uint16_t dport, uint16_t id, const char *name, unsigned rcode,
                           const mwg_addr *addrs, unsigned n, bool cut)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.is_udp = true;
    f.flow = (mwg_flow){ { DNS, 53 }, { UPLINK, dport } };
    f.has_dns = f.dns_is_response = true;
    f.dns_answers_cut = cut;
    f.dns_id = id;
    f.dns_qtype = 1;
    f.dns_rcode = rcode;
    g_strlcpy(f.dns_qname, name, sizeof f.dns_qname);
    for (unsigned i = 0; i < n; i++)
        f.dns_addrs[f.n_dns_addrs++] = addrs[i];
    feed(k, &f);
    return f.frame;
}

/* An ICMP error from ROUTER quoting a packet of 'quoted' (its flow as the
 * gateway sent it). */
static uint32_t icmp_error(cap *k, mwg_icmp_quote q, mwg_flow quoted, unsigned type, unsigned code)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.icmp_quote = q;
    f.icmp = (mwg_icmp_error){ .version = 4, .type = type, .code = code, .reporter = ROUTER };
    f.icmp_quoted = quoted;
    feed(k, &f);
    return f.frame;
}

/* A frame Wireshark dissected as 'kinds' that mwg502 could not read (an
 * unknown tunnel, say): extract.c hands over nothing else. */
static uint32_t unread_frame(cap *k, unsigned kinds)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.unread = kinds;
    feed(k, &f);
    return f.frame;
}

static void expect(const mwg_verdict *v, const char *cat, const char *cause, uint32_t req, uint32_t evidence)
{
    g_assert_cmpstr(mwg_cause_token(v->cause), ==, cause);
    g_assert_cmpstr(mwg_category_token(v->category), ==, cat);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_cmpuint(v->evidence_frame, ==, evidence);
}

/* An error whose request is not known (MWG_LOSS_* in 'loss' say why): it
 * names no request and no host, never another request's. */
static void expect_unmatched(const mwg_verdict *v, unsigned loss)
{
    g_assert_null(v->host);
    g_assert_cmpuint(v->request_frame, ==, 0);
    g_assert_cmpuint(v->loss & loss, !=, 0);
}

static void assert_addr(const mwg_addr *got, const mwg_addr *want)
{
    char a[MWG_ADDR_STRLEN], b[MWG_ADDR_STRLEN];
    g_assert_cmpstr(mwg_addr_to_str(got, a, sizeof a), ==, mwg_addr_to_str(want, b, sizeof b));
}

/* =========================================================== DNS stage */

static void test_nxdomain_a_and_aaaa(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://Example.Local./");
    uint32_t q1 = dns_query(&k, 40000, 0x1111, "example.local", 1);
    dns_query(&k, 40001, 0x2222, "example.local", 28);
    dns_answer(&k, 40000, 0x1111, "example.local", 3, NULL, 0, false);
    uint32_t last = dns_answer(&k, 40001, 0x2222, "example.local", 3, NULL, 0, false);
    uint32_t err = gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_nxdomain", req, last);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_cmpuint(v->status, ==, 502);
    g_assert_cmpuint(v->attempt_frame, ==, q1);
    g_assert_cmpuint(v->attempts, ==, 2);
    g_assert_cmpuint(v->dns_rcode, ==, 3);
    g_assert_cmpstr(v->host, ==, "example.local");
    assert_addr(&v->upstream, &DNS);
    g_assert_true(v->block_page_recognised);
    g_assert_cmpint(v->block_page, ==, MWG_CAT_HOST_NOT_RESOLVABLE);
    g_assert_false(v->incomplete);
    g_assert_nonnull(strstr(v->summary, "No such name"));
    g_assert_true(has_frame(v, q1) && has_frame(v, last) && has_frame(v, req));
    cap_close(&k);
}

static void test_dns_no_response(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://quiet.example/");
    dns_query(&k, 40000, 7, "quiet.example", 1);
    wait_s(&k, 5);
    uint32_t last = dns_query(&k, 40000, 7, "quiet.example", 1);
    wait_s(&k, 5);
    gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_no_response", req, last);
    g_assert_cmpuint(v->attempts, ==, 2);
    g_assert_cmpuint(v->dns_servers, ==, 1);
    cap_close(&k);
}

/* Another client's query for the name went out moments before this
 * client's 502 (the gateway failed it from its negative cache): no
 * resolver gives up that soon, so the query's silence is no cause; nor is
 * an attempt to an address no name owns the host's, whose address was
 * still being asked for.  The first client's 502 follows the answer. */
static void test_dns_query_moments_old(void)
{
    cap k;
    cap_open(&k);
    tcp_conn first = client_conn(50000), second = client_conn(50001);
    uint32_t req1 = client_asks(&k, &first, "http://gone.example/");
    dns_query(&k, 40000, 7, "gone.example", 1);
    uint32_t req2 = client_asks(&k, &second, "http://gone.example/");
    tcp_conn other = upstream_conn(DEST, 80);
    tcp_flags_only(&k, &other, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &other, 1, MWG_TCP_RST | MWG_TCP_ACK);
    uint32_t err2 = gateway_answers(&k, &second, 502, PAGE_NOT_RESOLVABLE);
    uint32_t answer = dns_answer(&k, 40000, 7, "gone.example", 3, NULL, 0, false);
    uint32_t err1 = gateway_answers(&k, &first, 502, PAGE_NOT_RESOLVABLE);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *v2 = verdict(&k, 0), *v1 = verdict(&k, 1);
    g_assert_cmpuint(v2->error_frame, ==, err2);
    expect(v2, "host_not_resolvable", "no_upstream_evidence", req2, 0);
    g_assert_nonnull(strstr(v2->summary, "DNS query for gone.example was still out"));
    g_assert_cmpuint(v1->error_frame, ==, err1);
    expect(v1, "host_not_resolvable", "dns_nxdomain", req1, answer);
    cap_close(&k);
}

/* The name had failed before the request and nothing went out for it
 * while the client waited: the gateway answered from its cache of
 * failures (Squid's negative_dns_ttl), and what it had learned is the
 * cause.  Not where the name resolved after the failure. */
typedef enum { CACHED_FAILURE, CACHED_THEN_RESOLVED } cached_case;

static void test_dns_failure_cached(gconstpointer data)
{
    cached_case cc = (cached_case)GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn first = client_conn(50000), second = client_conn(50001);
    client_asks(&k, &first, "http://gone.example/");
    dns_query(&k, 40000, 7, "gone.example", 1);
    uint32_t answer = dns_answer(&k, 40000, 7, "gone.example", 3, NULL, 0, false);
    gateway_answers(&k, &first, 502, PAGE_NOT_RESOLVABLE);
    if (cc == CACHED_THEN_RESOLVED) {
        dns_query(&k, 40001, 8, "gone.example", 1);
        dns_answer(&k, 40001, 8, "gone.example", 0, &DEST, 1, false);
    }
    wait_s(&k, 5);
    uint32_t req = client_asks(&k, &second, "http://gone.example/");
    gateway_answers(&k, &second, 502, PAGE_NOT_RESOLVABLE);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *v = verdict(&k, 1);
    if (cc == CACHED_FAILURE) {
        expect(v, "host_not_resolvable", "dns_nxdomain", req, answer);
        g_assert_true(v->dns_cached);
        g_assert_nonnull(strstr(v->summary, "the gateway answered from its DNS cache"));
    } else {
        expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
        g_assert_false(v->dns_cached);
    }
    cap_close(&k);
}

/* Pipelined behind a request the gateway answered only 6 s later, a
 * request for a name that had failed before it came.  The lookup another
 * client's request started meanwhile, still unanswered at the error, is
 * not its own: a gateway that works pipelined requests at once had its
 * answer from its cache when the request came; one that works them in
 * turn starts on it only once the one before is answered.  With 'crowded',
 * more lookups of the name than its ring keeps went out since the request
 * while the name was answered meanwhile: which were its own, and how they
 * ended, cannot be told. */
static void test_dns_failure_cached_pipelined(gconstpointer data)
{
    bool crowded = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn early = client_conn(50000), cl = client_conn(50001);
    client_asks(&k, &early, "http://gone.example/");
    dns_query(&k, 40000, 7, "gone.example", 1);
    uint32_t answer = dns_answer(&k, 40000, 7, "gone.example", 3, NULL, 0, false);
    gateway_answers(&k, &early, 502, PAGE_NOT_RESOLVABLE);
    tcp_open(&k, &cl);
    send_msg(&k, &cl, 0, proxy_get(&k, "quiet.example"));
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "gone.example"));
    dns_query(&k, 40001, 8, "quiet.example", 1);
    wait_s(&k, 4);
    unsigned others = crowded ? MWG_MAX_DNS_TXNS + 4 : 1;
    for (unsigned i = 0; i < others; i++) {
        tcp_conn other = client_conn((uint16_t)(50100 + i));
        client_asks(&k, &other, "http://gone.example/");
        dns_query(&k, (uint16_t)(41000 + i), (uint16_t)(100 + i), "gone.example", 1);
        /* the first few answered, the rest still out at the error */
        if (crowded && i < 4)
            dns_answer(&k, (uint16_t)(41000 + i), (uint16_t)(100 + i), "gone.example", 3, NULL, 0, false);
    }
    wait_s(&k, 2);
    gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    uint32_t err = gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 3);
    const mwg_verdict *v = verdict(&k, 2);
    g_assert_cmpuint(v->error_frame, ==, err);
    if (!crowded) {
        expect(v, "host_not_resolvable", "dns_nxdomain", req, answer);
        g_assert_true(v->dns_cached);
    } else {
        expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
        g_assert_cmpuint(v->loss & MWG_LOSS_LOOKUPS, !=, 0);
        g_assert_nonnull(strstr(v->summary, "which of them was this request's cannot be told"));
    }
    cap_close(&k);
}

/* A name no resolver answers, asked by more clients in the last moments
 * than its ring keeps: the lookups left are moments old, and the
 * request's own, older, are gone.  Its summary says that, not that the
 * gateway answered while its query was moments old. */
static void test_dns_own_lookups_crowded_out(void)
{
    cap k;
    cap_open(&k);
    tcp_conn first = client_conn(50000);
    uint32_t req = client_asks(&k, &first, "http://silent.example/");
    dns_query(&k, 40000, 7, "silent.example", 1);
    wait_s(&k, 5.6);
    for (unsigned i = 0; i < MWG_MAX_DNS_TXNS + 2; i++) {
        tcp_conn other = client_conn((uint16_t)(50100 + i));
        client_asks(&k, &other, "http://silent.example/");
        dns_query(&k, (uint16_t)(41000 + i), (uint16_t)(100 + i), "silent.example", 1);
        wait_s(&k, 0.01);
    }
    gateway_answers(&k, &first, 502, PAGE_NOT_RESOLVABLE);
    finish(&k);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
    g_assert_false(v->dns_pending);
    g_assert_cmpuint(v->loss & MWG_LOSS_LOOKUPS, !=, 0);
    g_assert_nonnull(strstr(v->summary, "more went out for other clients than mwg502 keeps per name"));
    cap_close(&k);
}

static void test_dns_server_unreachable(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://far.example/");
    dns_query(&k, 40002, 9, "far.example", 1);
    uint32_t ic = icmp_error(&k, MWG_ICMP_QUOTES_UDP, (mwg_flow){ { UPLINK, 40002 }, { DNS, 53 } }, 3, 3);
    wait_s(&k, 5);
    gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_server_unreachable", req, ic);
    g_assert_cmpuint(v->icmp.code, ==, 3);
    assert_addr(&v->icmp.reporter, &ROUTER);
    cap_close(&k);
}

/* The gateway's own lookup for a request met an ICMP error; a client who
 * asked later got its own lookup, which ended otherwise: that is not the
 * first request's evidence. */
typedef enum { LATER_NXDOMAIN, LATER_RESOLVED, LATER_SIX, LATER_TOO_MANY } later_lookup;

static void test_dns_own_lookup_refused(gconstpointer data)
{
    later_lookup later = (later_lookup)GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn first = client_conn(50000), second = client_conn(50001);
    uint32_t req1 = client_asks(&k, &first, "http://far.example/");
    dns_query(&k, 40002, 9, "far.example", 1);
    uint32_t ic = icmp_error(&k, MWG_ICMP_QUOTES_UDP, (mwg_flow){ { UPLINK, 40002 }, { DNS, 53 } }, 3, 3);
    wait_s(&k, 1);
    uint32_t req2 = client_asks(&k, &second, "http://far.example/");
    dns_query(&k, 40003, 10, "far.example", 1);
    uint32_t answer2;
    if (later != LATER_RESOLVED) {
        answer2 = dns_answer(&k, 40003, 10, "far.example", 3, NULL, 0, false);
    } else {
        dns_answer(&k, 40003, 10, "far.example", 0, &DEST, 1, false);
        tcp_conn up = upstream_conn(DEST, 80);
        tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
        answer2 = tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    }
    gateway_answers(&k, &second, 502, later == LATER_RESOLVED ? PAGE_CANNOT_CONNECT : PAGE_NOT_RESOLVABLE);
    /* A storm: each client's lookup is kept beside the first one's, until
     * the name's ring lets the first one's go. */
    unsigned more = later == LATER_SIX ? 5 : later == LATER_TOO_MANY ? MWG_MAX_DNS_TXNS : 0;
    for (unsigned i = 0; i < more; i++) {
        tcp_conn cl = client_conn((uint16_t)(50002 + i));
        client_asks(&k, &cl, "http://far.example/");
        dns_query(&k, (uint16_t)(40004 + i), (uint16_t)(11 + i), "far.example", 1);
        dns_answer(&k, (uint16_t)(40004 + i), (uint16_t)(11 + i), "far.example", 3, NULL, 0, false);
        gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    }
    wait_s(&k, 4);
    gateway_answers(&k, &first, 502, PAGE_NOT_RESOLVABLE);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2 + more);
    if (later != LATER_RESOLVED)
        expect(verdict(&k, 0), "host_not_resolvable", "dns_nxdomain", req2, answer2);
    else
        expect(verdict(&k, 0), "cannot_connect", "tcp_rst", req2, answer2);
    if (later == LATER_TOO_MANY) {
        /* Which failure was its own is not known: said, not guessed. */
        expect(verdict(&k, 1 + more), "host_not_resolvable", "no_upstream_evidence", req1, 0);
        g_assert_true(verdict(&k, 1 + more)->loss & MWG_LOSS_LOOKUPS);
        g_assert_nonnull(strstr(verdict(&k, 1 + more)->summary, "more went out for other clients"));
    } else {
        expect(verdict(&k, 1 + more), "host_not_resolvable", "dns_server_unreachable", req1, ic);
    }
    cap_close(&k);
}

/* Two clients ask for a host before the gateway looks it up: the first
 * lookup is the first client's, though it went out after the second asked;
 * a third client's lookup, answered, is not. */
static void test_dns_lookups_in_turn(void)
{
    cap k;
    cap_open(&k);
    tcp_conn first = client_conn(50000), second = client_conn(50001), third = client_conn(50002);
    uint32_t req1 = client_asks(&k, &first, "http://far.example/");
    client_asks(&k, &second, "http://far.example/");
    dns_query(&k, 40002, 9, "far.example", 1);
    dns_query(&k, 40003, 10, "far.example", 1);
    icmp_error(&k, MWG_ICMP_QUOTES_UDP, (mwg_flow){ { UPLINK, 40002 }, { DNS, 53 } }, 3, 3);
    /* The latest error of the kind that decided is the evidence, whoever's
     * lookup it answered (as the lab's squid-storm shows). */
    uint32_t ic = icmp_error(&k, MWG_ICMP_QUOTES_UDP, (mwg_flow){ { UPLINK, 40003 }, { DNS, 53 } }, 3, 3);
    wait_s(&k, 1);
    client_asks(&k, &third, "http://far.example/");
    dns_query(&k, 40004, 11, "far.example", 1);
    dns_answer(&k, 40004, 11, "far.example", 3, NULL, 0, false);
    wait_s(&k, 2);
    gateway_answers(&k, &first, 502, PAGE_NOT_RESOLVABLE);
    expect(only_verdict(&k), "host_not_resolvable", "dns_server_unreachable", req1, ic);
    cap_close(&k);
}

static void test_dns_rcodes(void)
{
    static const struct {
        unsigned rcode;
        const char *cause;
    } cases[] = {
        { 2, "dns_servfail" }, { 5, "dns_refused" }, { 4, "dns_error" }, { 0, "dns_nodata" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        cap k;
        cap_open(&k);
        tcp_conn cl = client_conn(50000);
        uint32_t req = client_asks(&k, &cl, "http://x.example/");
        dns_query(&k, 40000, 1, "x.example", 1);
        uint32_t ans = dns_answer(&k, 40000, 1, "x.example", cases[i].rcode, NULL, 0, false);
        gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
        expect(only_verdict(&k), "host_not_resolvable", cases[i].cause, req, ans);
        g_assert_cmpuint(only_verdict(&k)->dns_rcode, ==, cases[i].rcode);
        cap_close(&k);
    }
}

/* A NOERROR answer whose answer section the capture cut may have held the
 * address: it proves no "no address record", nor that the server never
 * answered.  Here the gateway went on to connect, so it did get an
 * address, and the connect stage decides. */
static void test_dns_cut_answer_is_not_nodata(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://cut.example/");
    dns_query(&k, 40000, 1, "cut.example", 1);
    dns_answer(&k, 40000, 1, "cut.example", 0, NULL, 0, true);
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    uint32_t last_syn = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_syn_timeout", req, last_syn);
    g_assert_cmpuint(v->attempts, ==, 2);
    cap_close(&k);
}

/* Two names whose g_str_hash() is the same (found at run time, so that the
 * test does not depend on a hash function's details) are still two hosts:
 * one does not resolve, the other refuses the connection. */
static void find_colliding_names(char a[8], char b[8])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    GHashTable *seen = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    char name[5];
    bool found = false;
    for (size_t len = 1; len < sizeof name && !found; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= sizeof alphabet - 1;
        for (size_t n = 0; n < total && !found; n++) {
            size_t x = n;
            for (size_t i = 0; i < len; i++, x /= sizeof alphabet - 1)
                name[i] = alphabet[x % (sizeof alphabet - 1)];
            name[len] = '\0';
            gpointer h = GUINT_TO_POINTER(g_str_hash(name));
            const char *other = g_hash_table_lookup(seen, h);
            if (other) {
                g_strlcpy(a, other, 8);
                g_strlcpy(b, name, 8);
                found = true;
            } else {
                g_hash_table_insert(seen, h, g_strdup(name));
            }
        }
    }
    g_hash_table_destroy(seen);
    g_assert_true(found);
}

static void test_colliding_names_stay_apart(void)
{
    char a[8], b[8];
    find_colliding_names(a, b);
    /* The same suffix keeps the hashes equal: the hash reads the name left
     * to right. */
    char *host_a = g_strdup_printf("%s.example", a), *host_b = g_strdup_printf("%s.example", b);
    g_assert_cmpstr(host_a, !=, host_b);
    g_assert_cmpuint(g_str_hash(host_a), ==, g_str_hash(host_b));

    cap k;
    cap_open(&k);
    tcp_conn ca = client_conn(50000), cb = tcp_conn_make(CLIENT2, 50001, GATEWAY, 9090);
    tcp_open(&k, &ca);
    tcp_open(&k, &cb);
    uint32_t req_a = send_msg(&k, &ca, 0, proxy_get(&k, host_a));
    uint32_t req_b = send_msg(&k, &cb, 0, proxy_get(&k, host_b));
    dns_query(&k, 40000, 1, host_a, 1);
    dns_query(&k, 40001, 2, host_b, 1);
    uint32_t nx = dns_answer(&k, 40000, 1, host_a, 3, NULL, 0, false);
    dns_answer(&k, 40001, 2, host_b, 0, &DEST, 1, false);
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &cb, 502, PAGE_CANNOT_CONNECT);
    gateway_answers(&k, &ca, 502, PAGE_NOT_RESOLVABLE);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *vb = verdict(&k, 0), *va = verdict(&k, 1);
    expect(vb, "cannot_connect", "tcp_rst", req_b, rst);
    g_assert_cmpstr(vb->host, ==, host_b);
    expect(va, "host_not_resolvable", "dns_nxdomain", req_a, nx);
    g_assert_cmpstr(va->host, ==, host_a);
    cap_close(&k);
    g_free(host_a);
    g_free(host_b);
}

/* ======================================================= connect stage */

/* The gateway resolves, then tries to connect: SYN retransmissions, on a
 * bridge each captured twice. */
typedef struct {
    const ws_mode *mode;
} mode_case;

static const mode_case SYNS_ONCE = { &WS_42 };
static const mode_case SYNS_BRIDGE = { &WS_42_BRIDGE };

static void test_syn_timeout_counts_syns(gconstpointer data)
{
    const mode_case *mc = data;
    cap k;
    cap_open_with(&k, NULL, *mc->mode);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://example.local/");
    dns_query(&k, 40000, 1, "example.local", 1);
    dns_answer(&k, 40000, 1, "example.local", 0, &DEST, 1, false);
    tcp_conn up = upstream_conn(DEST, 80);
    uint32_t first = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 4);
    uint32_t last = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 8);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    const uint32_t *logical = (const uint32_t *)(void *)k.logical->data;
    expect(v, "cannot_connect", "tcp_syn_timeout", req, v->evidence_frame);
    g_assert_cmpuint(logical[v->evidence_frame], ==, logical[last]);
    g_assert_cmpuint(v->attempt_frame, ==, first);
    g_assert_cmpuint(v->upstream_port, ==, 80);
    assert_addr(&v->upstream, &DEST);
    assert_no_fault(v->attempts != 4 ? g_strdup_printf("%u attempts for 4 SYNs", v->attempts) : NULL);
    g_assert_nonnull(strstr(v->summary, "SYNs"));
    cap_close(&k);
}

/* A storm: hundreds of clients ask for one host whose address never
 * answers, each gets its own attempt, and the first few try again.  Each
 * error names its own attempt and its own last SYN, whether the address's
 * list of attempts is in start order (searched) or not (read whole:
 * connections seen mid-stream carried requests there meanwhile). */
static void test_storm_each_own_attempt(gconstpointer data)
{
    enum { N = 300, AGAIN = 10 };
    bool unordered = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    dns_query(&k, 40000, 1, "storm.local", 1);
    dns_answer(&k, 40000, 1, "storm.local", 0, &DEST, 1, false);
    static tcp_conn cl[N], up[N];
    static uint32_t req[N], syn[N], last[N];
    for (unsigned i = 0; i < N; i++) {
        cl[i] = client_conn((uint16_t)(20000 + i));
        req[i] = client_asks(&k, &cl[i], "http://storm.local/");
        up[i] = tcp_conn_make(UPLINK, (uint16_t)(30000 + i), DEST, 80);
        syn[i] = last[i] = tcp_flags_only(&k, &up[i], 0, MWG_TCP_SYN);
        if (unordered && i % 10 == 5) {
            /* no SYN seen: it started before the capture */
            tcp_conn old = tcp_conn_make(UPLINK, (uint16_t)(29000 + i), DEST, 80);
            send_msg(&k, &old, 0, request_text(&k, "GET", "/", "storm.local"));
        }
        wait_s(&k, 0.01);
    }
    for (unsigned i = 0; i < AGAIN; i++)
        last[i] = tcp_flags_only(&k, &up[i], 0, MWG_TCP_SYN);
    wait_s(&k, 20);
    for (unsigned i = 0; i < N; i++) {
        gateway_answers(&k, &cl[i], 502, PAGE_CANNOT_CONNECT);
        const mwg_verdict *v = verdict(&k, i);
        expect(v, "cannot_connect", "tcp_syn_timeout", req[i], last[i]);
        g_assert_cmpuint(v->attempt_frame, ==, syn[i]);
        g_assert_cmpuint(v->attempts, ==, i < AGAIN ? 2 : 1);
    }
    cap_close(&k);
}

/* Two addresses tried in turn; the last attempt decides.  The name was
 * resolved before the request (cached): no new query. */
static void test_cached_name_two_addresses_rst(void)
{
    cap k;
    cap_open(&k);
    mwg_addr both[2] = { DEST, DEST2 };
    dns_query(&k, 40000, 1, "multi.example", 1);
    dns_answer(&k, 40000, 1, "multi.example", 0, both, 2, false);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://multi.example/");
    tcp_conn a = upstream_conn(DEST, 80), b = tcp_conn_make(UPLINK, 41001, DEST2, 80);
    tcp_flags_only(&k, &a, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &a, 1, MWG_TCP_RST | MWG_TCP_ACK);
    tcp_flags_only(&k, &b, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &b, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    assert_addr(&v->upstream, &DEST2);
    g_assert_cmpuint(v->attempts, ==, 2);
    cap_close(&k);
}

/* An ICMP error quotes the SYN: the quoted header repeats the SYN's flow,
 * which must not count as a new SYN. */
static void test_icmp_admin_prohibited(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124:8080/x");
    tcp_conn up = upstream_conn(DEST, 8080);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    icmp_error(&k, MWG_ICMP_QUOTES_TCP, up.fl[0], 3, 13);
    wait_s(&k, 1);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    uint32_t ic = icmp_error(&k, MWG_ICMP_QUOTES_TCP, up.fl[0], 3, 13);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "icmp_unreachable", req, ic);
    g_assert_cmpuint(v->attempts, ==, 2);
    g_assert_cmpuint(v->icmp.version, ==, 4);
    g_assert_cmpuint(v->icmp.type, ==, 3);
    g_assert_cmpuint(v->icmp.code, ==, 13);
    g_assert_cmpuint(v->upstream_port, ==, 8080);
    assert_addr(&v->icmp.reporter, &ROUTER);
    g_assert_nonnull(strstr(v->summary, "administratively prohibited"));
    cap_close(&k);
}

/* ========================================================= reply stage */

typedef struct {
    const char *reply;          /* bytes the origin sends, NULL: none */
    uint8_t flags;              /* ... or a close */
    unsigned upstream_status;   /* ... or a response with this status */
    const char *cat, *cause;
    bool evidence_is_forward;   /* no reply: the forwarded request is the evidence */
} bad_reply;

static const bad_reply REPLY_NOT_HTTP = { "hello\r\n", 0, 0, "bad_response", "http_invalid_response", false };
static const bad_reply REPLY_PDF = { "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 0, 0, "bad_response", "http_invalid_response",
                                     false };
static const bad_reply REPLY_FIN = { NULL, MWG_TCP_FIN | MWG_TCP_ACK, 0, "bad_response", "upstream_closed", false };
static const bad_reply REPLY_RST = { NULL, MWG_TCP_RST | MWG_TCP_ACK, 0, "bad_response", "upstream_closed", false };
static const bad_reply REPLY_NONE = { NULL, 0, 0, "bad_response", "http_response_timeout", true };
static const bad_reply REPLY_502 = { NULL, 0, 502, "upstream_error", "upstream_status", false };

/* Connected and forwarded; then the reply of the case. */
static void test_bad_reply(gconstpointer data)
{
    const bad_reply *bc = data;
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    uint32_t fwd = send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    uint32_t ev = fwd;
    wait_s(&k, 1);
    if (bc->upstream_status)
        ev = send_msg(&k, &up, 1, response_text(&k, bc->upstream_status, "<html>origin failed</html>"));
    else if (bc->reply)
        ev = send_raw(&k, &up, 1, bc->reply);
    else if (bc->flags)
        ev = tcp_flags_only(&k, &up, 1, bc->flags);
    wait_s(&k, 119);
    uint32_t err = gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, bc->cat, bc->cause, req, bc->evidence_is_forward ? fwd : ev);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_cmpuint(v->attempt_frame, ==, fwd);
    g_assert_cmpuint(v->upstream_port, ==, 80);
    assert_addr(&v->upstream, &DEST);
    g_assert_cmpuint(v->upstream_status, ==, bc->upstream_status);
    if (bc->evidence_is_forward)
        g_assert_cmpfloat_with_epsilon(v->response_wait_s, 120.0, 0.1);
    cap_close(&k);
}

/* The origin's own 502 has no length and ends where its connection does;
 * Wireshark shows it in the frame of the FIN, which carries no bytes (no
 * payload pointer to read the rest from: clang's -fsanitize=undefined
 * checks that none is made up). */
static void test_origin_502_until_close(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    static const char reply[] = "HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/plain\r\n\r\nbackend down\n";
    uint32_t head = send_raw(&k, &up, 1, reply);
    mwg_ws_http ws = ws_record(&k, reply);
    uint32_t fin = segment(&k, &up, 1, MWG_TCP_FIN | MWG_TCP_ACK, NULL, 0, &ws, reply, strlen(reply));
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "upstream_error", "upstream_status", req, fin);
    g_assert_cmpuint(v->upstream_status, ==, 502);
    g_assert_true(has_frame(v, head) && has_frame(v, fin));
    cap_close(&k);
}

/* A keep-alive upstream connection: the first reply is good (headers,
 * then its body in a segment of its own that is no reply start); the
 * second forward's reply is garbage, and that explains the 502, from its
 * first segment. */
static void test_keepalive_upstream_second_reply_invalid(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    client_asks(&k, &cl, "http://10.10.67.124/a");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, request_text(&k, "GET", "/a", "10.10.67.124"));
    const char *ok = keep(&k, g_strdup("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n%PDF-1.4 body"));
    size_t headers = strlen(ok) - 13;
    send_cut(&k, &up, 1, &ok, 1, &headers, 1, NULL);
    gateway_answers(&k, &cl, 200, "%PDF-1.4 body");
    g_assert_cmpuint(k.verdicts->len, ==, 0);

    wait_s(&k, 5);
    uint32_t req = send_msg(&k, &cl, 0, request_text(&k, "GET", "http://10.10.67.124/b", "10.10.67.124"));
    uint32_t fwd = send_msg(&k, &up, 0, request_text(&k, "GET", "/b", "10.10.67.124"));
    uint32_t bad = send_raw(&k, &up, 1, "hello\r\n");
    send_raw(&k, &up, 1, "more garbage");
    wait_s(&k, 1);
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "bad_response", "http_invalid_response", req, bad);
    g_assert_cmpuint(v->attempt_frame, ==, fwd);
    cap_close(&k);
}

/* ======================================================== client leg */

/* Healthy traffic and non-error statuses give no verdict; keep-alive
 * requests are answered in order. */
static void test_healthy_and_keepalive(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    client_asks(&k, &cl, "http://ok.example/");
    gateway_answers(&k, &cl, 200, "<html>fine</html>");
    send_msg(&k, &cl, 0, request_text(&k, "GET", "http://ok.example/missing", "ok.example"));
    gateway_answers(&k, &cl, 404, "<html>not here</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    uint32_t third = send_msg(&k, &cl, 0, proxy_get(&k, "gone.example"));
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "no_upstream_evidence", third, 0);
    g_assert_cmpstr(v->host, ==, "gone.example");
    g_assert_cmpuint(v->loss, ==, 0);
    g_assert_cmpuint(finish(&k), ==, 0);
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.frames_unread, ==, 0);
    g_assert_cmpuint(s.loss.requests_untracked, ==, 0);
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
    cap_open_with(&k, &cfg, WS_42);
    tcp_conn cl = tcp_conn_make(CLIENT, 50000, GATEWAY, 8080);
    tcp_open(&k, &cl);
    uint32_t req = send_msg(&k, &cl, 0, request_text(&k, "CONNECT", "secure.example:8443", "secure.example:8443"));
    dns_query(&k, 40000, 1, "secure.example", 1);
    dns_answer(&k, 40000, 1, "secure.example", 0, &DEST, 1, false);
    tcp_conn up = upstream_conn(DEST, 8443);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 503, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    g_assert_cmpuint(v->status, ==, 503);
    g_assert_cmpuint(v->upstream_port, ==, 8443);
    g_assert_cmpstr(v->host, ==, "secure.example");
    cap_close(&k);
}

/* A proxy on a port nobody configured: the absolute URI tells it is one.
 * An origin-form request to the same kind of port does not. */
static void test_proxy_recognised_by_request_form(void)
{
    cap k;
    cap_open(&k);
    tcp_conn proxy = tcp_conn_make(CLIENT, 50001, GATEWAY, 3128);
    tcp_open(&k, &proxy);
    uint32_t req = send_msg(&k, &proxy, 0, proxy_get(&k, "odd.example"));
    dns_query(&k, 40000, 1, "odd.example", 1);
    uint32_t ans = dns_answer(&k, 40000, 1, "odd.example", 3, NULL, 0, false);
    gateway_answers(&k, &proxy, 502, PAGE_NOT_RESOLVABLE);
    expect(only_verdict(&k), "host_not_resolvable", "dns_nxdomain", req, ans);

    tcp_conn origin = tcp_conn_make(CLIENT, 50002, DEST, 8000);
    tcp_open(&k, &origin);
    send_msg(&k, &origin, 0, request_text(&k, "GET", "/", "origin.example"));
    gateway_answers(&k, &origin, 502, "<html>Bad Gateway</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 1);
    cap_close(&k);
}

/* An unrelated failure in the capture explains nothing. */
static void test_decoys_are_ignored(void)
{
    cap k;
    cap_open(&k);
    dns_query(&k, 40000, 1, "decoy.example", 1);
    dns_answer(&k, 40000, 1, "decoy.example", 3, NULL, 0, false);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://real.example/");
    dns_query(&k, 40001, 2, "real.example", 1);
    dns_answer(&k, 40001, 2, "real.example", 0, &DEST, 1, false);
    tcp_conn decoy = upstream_conn(DEST2, 80);
    tcp_flags_only(&k, &decoy, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &decoy, 1, MWG_TCP_RST | MWG_TCP_ACK);
    tcp_conn up = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 3);
    uint32_t last = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    wait_s(&k, 3);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_syn_timeout", req, last);
    assert_addr(&v->upstream, &DEST);
    cap_close(&k);
}

/* ==================================================== message streams */

/* The error page in n segments (0: as many segments as bytes, the start
 * line itself spread over a dozen) gives one verdict, on the frame of the
 * last segment, that lists every segment. */
static const unsigned SPLIT_2 = 2, SPLIT_3 = 3, SPLIT_BYTES = 0;

static void test_split_error_page(gconstpointer data)
{
    unsigned n = *(const unsigned *)data;
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nx.example/");
    dns_query(&k, 40000, 1, "nx.example", 1);
    uint32_t nx = dns_answer(&k, 40000, 1, "nx.example", 3, NULL, 0, false);
    const char *page = response_text(&k, 502, PAGE_NOT_RESOLVABLE);
    if (n == 0)
        n = (unsigned)strlen(page);
    uint32_t last = send_split(&k, &cl, 1, page, n);
    g_assert_cmpuint(k.segments->len, ==, n);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_nxdomain", req, nx);
    g_assert_cmpuint(v->error_frame, ==, last);
    g_assert_false(v->incomplete);
    g_assert_true(v->block_page_recognised);
    g_assert_cmpint(v->block_page, ==, MWG_CAT_HOST_NOT_RESOLVABLE);
    for (unsigned i = 0; i < k.segments->len; i++)
        g_assert_true(has_frame(v, g_array_index(k.segments, uint32_t, i)));
    g_assert_cmpuint(finish(&k), ==, 0);
    cap_close(&k);
}

/* The headers in one segment, the body in the next: the message is shown,
 * and read, where the body completes it. */
static void test_headers_then_body(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nx.example/");
    const char *page = response_text(&k, 502, PAGE_NOT_RESOLVABLE);
    size_t headers = strlen(page) - strlen(PAGE_NOT_RESOLVABLE);
    uint32_t body = send_cut(&k, &cl, 1, &page, 1, &headers, 1, NULL);
    uint32_t head = g_array_index(k.segments, uint32_t, 0);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
    g_assert_cmpuint(v->error_frame, ==, body);
    g_assert_true(has_frame(v, head) && has_frame(v, body) && has_frame(v, req));
    g_assert_true(v->block_page_recognised);
    cap_close(&k);
}

/* A chunked error page: the body as sent is chunks, the page is what
 * Wireshark de-chunked (decoded_body), and that is what names the family. */
static void test_decoded_body(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nx.example/");
    /* Chunks of 7 bytes: no marker of the page survives whole as sent. */
    GString *chunked = g_string_new(NULL);
    size_t page_len = strlen(PAGE_NOT_RESOLVABLE);
    for (size_t at = 0; at < page_len; at += 7)
        g_string_append_printf(chunked, "%zx\r\n%.7s\r\n", MIN((size_t)7, page_len - at), PAGE_NOT_RESOLVABLE + at);
    g_string_append(chunked, "0\r\n\r\n");
    mwg_block_page bp;
    mwg_blockpage_read((const uint8_t *)chunked->str, chunked->len, true, &bp);
    g_assert_cmpint(bp.family, ==, MWG_CAT_UNKNOWN);
    g_assert_false(bp.recognised);
    const char *page = keep(&k, g_strdup_printf("HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n%s",
                                                chunked->str));
    g_string_free(chunked, TRUE);
    mwg_facts f;
    frame_begin(&k, &f);
    f.is_tcp = true;
    f.flow = cl.fl[1];
    f.tcp_flags = MWG_TCP_ACK;
    f.tcp_seq = cl.next[1];
    f.payload_len = (uint32_t)strlen(page);
    f.payload = (mwg_bytes){ (const uint8_t *)page, strlen(page), false };
    f.http = ws_record(&k, page);
    f.decoded_body = (mwg_bytes){ (const uint8_t *)PAGE_NOT_RESOLVABLE, page_len, false };
    feed(&k, &f);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
    g_assert_true(v->block_page_recognised);
    g_assert_cmpint(v->block_page, ==, MWG_CAT_HOST_NOT_RESOLVABLE);
    cap_close(&k);
}

/* The gateway sends the headers and half its page, then the connection
 * ends: the response is read from its first bytes, on the frame of its
 * status line, marked incomplete, in the frame of the close. */
typedef struct {
    int closer;                 /* 0: the client, 1: the gateway */
    uint8_t flags;
} close_case;

static const close_case CLIENT_RST = { 0, MWG_TCP_RST | MWG_TCP_ACK };
static const close_case GATEWAY_RST = { 1, MWG_TCP_RST | MWG_TCP_ACK };
static const close_case GATEWAY_FIN = { 1, MWG_TCP_FIN | MWG_TCP_ACK };

static void test_incomplete_on_close(gconstpointer data)
{
    const close_case *cc = data;
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nx.example/");
    dns_query(&k, 40000, 1, "nx.example", 1);
    uint32_t nx = dns_answer(&k, 40000, 1, "nx.example", 3, NULL, 0, false);
    const char *page = response_text(&k, 502, PAGE_NOT_RESOLVABLE);
    size_t half = strlen(page) - strlen(PAGE_NOT_RESOLVABLE) / 2;
    uint32_t status_line = send_head_of(&k, &cl, page, half);
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    tcp_flags_only(&k, &cl, cc->closer, cc->flags);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_nxdomain", req, nx);
    g_assert_cmpuint(v->error_frame, ==, status_line);
    g_assert_true(v->incomplete);
    g_assert_true(v->block_page_recognised);
    g_assert_cmpint(v->block_page, ==, MWG_CAT_HOST_NOT_RESOLVABLE);
    g_assert_nonnull(strstr(v->summary, "never arrived whole"));
    g_assert_cmpuint(finish(&k), ==, 0);
    cap_close(&k);
}

/* The gateway gives up and starts its error page; only then does the
 * upstream leg answer (garbage, or a RST to the SYNs), and the page is cut
 * off by a close.  The verdict, judged at the close, is about the error
 * frame: what came after it explains nothing.
 */
static void test_incomplete_ignores_later_evidence(gconstpointer data)
{
    bool forwarded = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    uint32_t evidence;
    if (forwarded) {
        tcp_open(&k, &up);
        evidence = send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    } else {
        tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
        wait_s(&k, 1);
        evidence = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    }
    wait_s(&k, 30);
    const char *page = response_text(&k, 502, PAGE_CANNOT_CONNECT);
    uint32_t err = send_head_of(&k, &cl, page, strlen(page) / 2);
    if (forwarded)
        send_raw(&k, &up, 1, "garbage after the error\r\n");
    else
        tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    tcp_flags_only(&k, &cl, 0, MWG_TCP_RST | MWG_TCP_ACK);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_true(v->incomplete);
    g_assert_cmpuint(v->request_frame, ==, req);
    const char *want = forwarded ? "http_response_timeout" : "tcp_syn_timeout";
    assert_no_fault(v->cause != (forwarded ? MWG_CAUSE_HTTP_RESPONSE_TIMEOUT : MWG_CAUSE_TCP_SYN_TIMEOUT) ||
                                v->evidence_frame != evidence
                            ? g_strdup_printf("%s, evidence %u; want %s, evidence %u", mwg_cause_token(v->cause),
                                              v->evidence_frame, want, evidence)
                            : NULL);
    cap_close(&k);
}

/* The capture begins while the gateway sends an error page (its request
 * is not in the capture); the client sends its next request, then resets.
 * The page began before that request was sent: it cannot answer it. */
static void test_incomplete_ignores_later_request(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    const char *page = response_text(&k, 502, PAGE_CANNOT_CONNECT);
    uint32_t err = send_head_of(&k, &cl, page, strlen(page) / 2);
    uint32_t later = send_msg(&k, &cl, 0, proxy_get(&k, "later.example"));
    tcp_flags_only(&k, &cl, 0, MWG_TCP_RST | MWG_TCP_ACK);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_true(v->incomplete);
    assert_no_fault(v->request_frame || v->host ? g_strdup_printf("request %u (host %s) answered by an error "
                                                                      "begun at %u",
                                                                      v->request_frame, v->host ? v->host : "-", err)
                                                    : NULL);
    g_assert_cmpuint(later, >, err);
    cap_close(&k);
}

/* The capture ends in the middle of the error page: only the end of the
 * capture gives its verdict, once. */
static void test_incomplete_at_capture_end(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nowhere.example/");
    const char *page = response_text(&k, 502, PAGE_NOT_RESOLVABLE);
    uint32_t status_line = send_head_of(&k, &cl, page, strlen(page) - 40);
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    g_assert_cmpuint(finish(&k), ==, 1);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "no_upstream_evidence", req, 0);
    g_assert_cmpuint(v->error_frame, ==, status_line);
    g_assert_true(v->incomplete);
    g_assert_cmpstr(v->host, ==, "nowhere.example");
    g_assert_cmpuint(finish(&k), ==, 0);
    cap_close(&k);
}

/* The error page stops coming and the connection goes idle for longer
 * than the engine keeps one: when the engine lets it go (at the next frame
 * after that time), the page is judged, as at a close. */
static void test_incomplete_when_idle_connection_expires(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://idle.example/");
    const char *page = response_text(&k, 502, PAGE_CANNOT_CONNECT);
    uint32_t status_line = send_head_of(&k, &cl, page, strlen(page) - 10);
    wait_s(&k, 60);
    dns_query(&k, 40000, 1, "other.example", 1);
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    wait_s(&k, MWG_DEFAULT_CONNECT_WINDOW_S + MWG_CONN_KEEP_TIMEOUTS * MWG_DEFAULT_RESPONSE_TIMEOUT_S);
    dns_query(&k, 40000, 2, "other.example", 1);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
    g_assert_cmpuint(v->error_frame, ==, status_line);
    g_assert_true(v->incomplete);
    g_assert_cmpuint(finish(&k), ==, 0);
    cap_close(&k);
}

/* A request body still uploading when the gateway answers 502 (it refuses
 * before reading it all): the request, never whole, is still the one
 * answered; the rest of the upload is no new request. */
static void test_upload_interrupted(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    const char *head = keep(&k, g_strdup("POST http://upload.example/form HTTP/1.1\r\nHost: upload.example\r\n"
                                         "Content-Type: application/x-www-form-urlencoded\r\n"
                                         "Content-Length: 100000\r\n\r\nfield=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    uint32_t post = send_raw(&k, &cl, 0, head);
    send_raw(&k, &cl, 0, "&more=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    dns_query(&k, 40000, 1, "upload.example", 1);
    uint32_t nx = dns_answer(&k, 40000, 1, "upload.example", 3, NULL, 0, false);
    uint32_t err = gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    send_raw(&k, &cl, 0, "&still=cccccccccccccccccccccccccccccccccccccccccccccc");
    send_raw(&k, &cl, 0, "GET-looking body bytes");
    tcp_flags_only(&k, &cl, 1, MWG_TCP_FIN | MWG_TCP_ACK);
    g_assert_cmpuint(finish(&k), ==, 0);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "host_not_resolvable", "dns_nxdomain", post, nx);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_false(v->incomplete);
    g_assert_cmpstr(v->host, ==, "upload.example");
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.frames_unread, ==, 0);
    cap_close(&k);
}

/* ------------------------------------------------ what gateways do */

/* The origin's reply starts well, then breaks HTTP: in the segment of its
 * status line, or in a later one, sent before its header block ends (the
 * gateway answers the client at once, the upstream connection still
 * open).  The evidence is the segment with the first offending byte. */
typedef struct {
    const char *head;           /* the segment with the status line */
    const char *bad;            /* a later segment, or NULL */
    bool bad_in_head;           /* the offending byte is in 'head' */
} bad_start;

static const bad_start NO_COLON_SAME = { "HTTP/1.1 200 OK\r\nServer: origin\r\nThis line has no colon\r\n", NULL, true };
static const bad_start NO_COLON_LATER = { "HTTP/1.1 200 OK\r\nServer: origin\r\n", "This line has no colon\r\n", false };
static const bad_start NUL_LATER = { "HTTP/1.1 200 OK\r\n", "X-Trace: abc\0def\r\n", false };
static const bad_start LENGTH_NOT_A_NUMBER = { "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n", NULL, true };
static const bad_start LENGTHS_DISAGREE = { "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", "Content-Length: 12\r\n",
                                            false };

static void test_reply_goes_bad(gconstpointer data)
{
    const bad_start *bs = data;
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    wait_s(&k, 0.05);
    uint32_t head = send_raw(&k, &up, 1, bs->head);
    uint32_t bad = head;
    if (bs->bad) {
        wait_s(&k, 0.05);
        /* A NUL ends a C string: the segment's bytes are given whole. */
        size_t n = strlen(bs->bad);
        if (!n || bs->bad[n - 1] != '\n')
            n += strlen(bs->bad + n + 1) + 1;
        bad = segment(&k, &up, 1, MWG_TCP_ACK, bs->bad, n, NULL, NULL, 0);
    }
    wait_s(&k, 0.001);
    uint32_t err = gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "bad_response", "http_invalid_response", req, bs->bad_in_head ? head : bad);
    g_assert_cmpuint(v->error_frame, ==, err);
    cap_close(&k);
}

/* Headers that go on past what the gateway takes (4 KB when the gateway
 * is not known); the evidence is the segment holding the byte past it. */
static void test_reply_header_block_too_large(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    send_raw(&k, &up, 1, "HTTP/1.1 200 OK\r\n");
    GString *line = g_string_new("X-Padding: ");
    while (line->len < 998)
        g_string_append_c(line, 'x');
    g_string_append(line, "\r\n");
    uint32_t past = 0;
    size_t sent = strlen("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 6; i++) {
        uint32_t f = send_raw(&k, &up, 1, keep(&k, g_strdup(line->str)));
        if (!past && sent + line->len > 4096)
            past = f;
        sent += line->len;
    }
    g_string_free(line, TRUE);
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "bad_response", "http_invalid_response", req, past);
    cap_close(&k);
}

/* A reply Wireshark reads whole and valid, whose header block is longer
 * than nginx takes (4 KB): nginx refused it where the block outgrew its
 * buffer.  A gateway whose limit is not known is not judged by one. */
static void test_valid_reply_headers_past_limit(gconstpointer data)
{
    bool nginx = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    GString *reply = g_string_new("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n");
    while (reply->len < 6000)
        g_string_append(reply, "X-Padding: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n");
    g_string_append(reply, "\r\n");
    const unsigned n = 6;
    uint32_t last = send_split(&k, &up, 1, keep(&k, g_strdup(reply->str)), n);
    /* send_split cuts at len * i / n: the segment holding offset 4096. */
    unsigned holding = 0;
    while (reply->len * (holding + 1) / n <= 4096)
        holding++;
    uint32_t past = last - (n - 1) + holding;
    g_string_free(reply, TRUE);
    send_msg(&k, &cl, 1, nginx ? "HTTP/1.1 502 Bad Gateway\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n"
                               : "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    const mwg_verdict *v = only_verdict(&k);
    if (nginx) {
        expect(v, "bad_response", "http_invalid_response", req, past);
        g_assert_cmpuint(v->header_limit, ==, 4096);
        g_assert_nonnull(strstr(v->summary, "header block longer than the gateway takes (4 KB)"));
    } else {
        expect(v, "unknown", "no_upstream_evidence", req, 0);
    }
    cap_close(&k);
}

/* Apache (ProxyTimeout), Squid (read_timeout) and nginx (proxy_read_timeout)
 * close the upstream connection themselves when their timeout fires; the
 * silent origin's FIN follows, before or after the error reaches the
 * client.  The origin did not close first: the reply timed out. */
static void test_gateway_gave_up_first(gconstpointer data)
{
    bool origin_fin_before_error = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    uint32_t fwd = send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    wait_s(&k, 3);
    tcp_flags_only(&k, &up, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    if (origin_fin_before_error)
        tcp_flags_only(&k, &up, 1, MWG_TCP_FIN | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 504, "<html>Gateway Timeout</html>");
    if (!origin_fin_before_error)
        tcp_flags_only(&k, &up, 1, MWG_TCP_FIN | MWG_TCP_ACK);
    g_assert_cmpuint(k.verdicts->len, ==, 0);   /* 504 is not in the default statuses */
    cap_close(&k);

    mwg_config cfg;
    mwg_config_defaults(&cfg);
    mwg_config_set_error_status(&cfg, 504, true);
    cap_open_with(&k, &cfg, WS_42);
    cl = client_conn(50000);
    req = client_asks(&k, &cl, "http://10.10.67.124/");
    up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    fwd = send_msg(&k, &up, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    wait_s(&k, 3);
    tcp_flags_only(&k, &up, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    if (origin_fin_before_error)
        tcp_flags_only(&k, &up, 1, MWG_TCP_FIN | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 504, "<html>Gateway Timeout</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "bad_response", "http_response_timeout", req, fwd);
    g_assert_true(v->gateway_gave_up);
    g_assert_cmpfloat_with_epsilon(v->response_wait_s, 3.0, 0.01);
    g_assert_nonnull(strstr(v->summary, "gave up after 3 s"));
    cap_close(&k);
}

/* Two clients ask for one dead host; the gateway opens a connection for
 * each, both time out: each error names its own attempt. */
static void test_each_request_its_own_attempt(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    uint32_t first1 = tcp_flags_only(&k, &u1, 0, MWG_TCP_SYN);
    wait_s(&k, 0.5);
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    uint32_t first2 = tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 0.5);
    uint32_t last1 = tcp_flags_only(&k, &u1, 0, MWG_TCP_SYN);
    wait_s(&k, 0.5);
    uint32_t last2 = tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    gateway_answers(&k, &c1, 502, PAGE_CANNOT_CONNECT);
    wait_s(&k, 0.5);
    gateway_answers(&k, &c2, 502, PAGE_CANNOT_CONNECT);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "cannot_connect", "tcp_syn_timeout", req1, last1);
    g_assert_cmpuint(verdict(&k, 0)->attempt_frame, ==, first1);
    g_assert_cmpuint(verdict(&k, 0)->attempts, ==, 2);
    expect(verdict(&k, 1), "cannot_connect", "tcp_syn_timeout", req2, last2);
    g_assert_cmpuint(verdict(&k, 1)->attempt_frame, ==, first2);
    g_assert_cmpuint(verdict(&k, 1)->attempts, ==, 2);
    cap_close(&k);
}

/* A request's connection got through and its request was forwarded; the
 * origin never answers.  Meanwhile another client asks for the host, and
 * its own attempt times out (its 502 first).  The first request's 502,
 * when the gateway gives up, is a response timeout: the other request's
 * attempt, begun after that one asked, is not its. */
static void test_later_request_owns_its_attempt(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    wait_s(&k, 5);
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    uint32_t last2 = tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 3);
    gateway_answers(&k, &c2, 502, PAGE_CANNOT_CONNECT);
    wait_s(&k, 109);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "cannot_connect", "tcp_syn_timeout", req2, last2);
    expect(verdict(&k, 1), "bad_response", "http_response_timeout", req1, fwd1);
    cap_close(&k);
}

/* Two clients ask for one host, a minute apart; each request is forwarded
 * on a connection of its own.  The second's origin answers garbage (its
 * 502 first); the first's never answers.  The first request's 502 names
 * its own forward, not the later one another client caused. */
static void test_forward_before_another_request(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    wait_s(&k, 60);
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_open(&k, &u2);
    send_msg(&k, &u2, 0, request_text(&k, "GET", "/two", "10.10.67.124"));
    uint32_t bad = send_raw(&k, &u2, 1, "hello\r\n");
    gateway_answers(&k, &c2, 502, "<html>Bad Gateway</html>");
    wait_s(&k, 60);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "bad_response", "http_invalid_response", req2, bad);
    expect(verdict(&k, 1), "bad_response", "http_response_timeout", req1, fwd1);
    g_assert_cmpuint(verdict(&k, 1)->attempt_frame, ==, fwd1);
    cap_close(&k);
}

/* A gateway that rewrites paths forwards two clients' requests for one
 * host; the second forward goes out moments before the first client's
 * error, whose own forward's reply had already gone bad: the gateway was
 * not waiting on the young one, and no response timed out. */
static void test_young_forward_not_waited_on(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    send_msg(&k, &u1, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    uint32_t bad = send_raw(&k, &u1, 1, "hello\r\n");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_open(&k, &u2);
    send_msg(&k, &u2, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    wait_s(&k, 0.001);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "http_invalid_response", req1, bad);
    cap_close(&k);
}

/* A request's connection got through and was forwarded; the origin never
 * answers.  Two minutes on another client asks for the host and its
 * attempt is still unanswered when the gateway gives up on the first: the
 * first's 502 is a response timeout, not that attempt's. */
static void test_pending_attempt_of_a_later_request(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    wait_s(&k, 118);
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    uint32_t last2 = tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    wait_s(&k, 2);
    gateway_answers(&k, &c2, 502, PAGE_CANNOT_CONNECT);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "bad_response", "http_response_timeout", req1, fwd1);
    expect(verdict(&k, 1), "cannot_connect", "tcp_syn_timeout", req2, last2);
    cap_close(&k);
}

/* As above, in a storm: after the request was forwarded, dozens of other
 * clients ask for the host and are served, one of them while an attempt
 * hangs, and dozens more after.  The first request's 502 still names its
 * own forward: the attempt began after another client asked, however many
 * asked since. */
static void test_pending_attempt_after_many_requests(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    tcp_conn hung = tcp_conn_make(UPLINK, 42000, DEST, 80);
    for (unsigned i = 0; i < 60; i++) {
        wait_s(&k, 1);
        tcp_conn cl = client_conn((uint16_t)(51000 + i));
        char page[32];
        g_snprintf(page, sizeof page, "/page/%u", i);
        client_asks(&k, &cl, keep(&k, g_strdup_printf("http://10.10.67.124%s", page)));
        if (i == 20) {
            tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
            wait_s(&k, 1);
            tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
        }
        tcp_conn up = tcp_conn_make(UPLINK, (uint16_t)(43000 + i), DEST, 80);
        tcp_open(&k, &up);
        send_msg(&k, &up, 0, request_text(&k, "GET", page, "10.10.67.124"));
        send_msg(&k, &up, 1, response_text(&k, 200, "fine"));
        gateway_answers(&k, &cl, 200, "fine");
    }
    wait_s(&k, 58);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "http_response_timeout", req1, fwd1);
    cap_close(&k);
}

/* Two clients ask for one host at once.  The gateway's connection for the
 * first gets through and forwards its page, after the second had asked;
 * the second's attempt hangs.  The first's reply never comes and the
 * gateway gives up first: its 502 names the forward of its page, the only
 * one, not the hanging attempt. */
static void test_only_forward_of_its_page(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80), u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_open(&k, &u1);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    wait_s(&k, 1);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    uint32_t last2 = tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 7);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    wait_s(&k, 11);
    gateway_answers(&k, &c2, 502, PAGE_CANNOT_CONNECT);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "bad_response", "http_response_timeout", req1, fwd1);
    expect(verdict(&k, 1), "cannot_connect", "tcp_syn_timeout", req2, last2);
    cap_close(&k);
}

/* Two clients ask for one host a fraction of a millisecond apart, then the
 * gateway opens a connection for each, in the order they asked.  The
 * second's is refused after a retry, the first's hangs: the second's 502
 * comes first and must take the second attempt, leaving the first to its
 * own request.  With 'reused', the first request was forwarded on a kept-alive
 * connection instead, and a third client's attempt hangs: the second's
 * attempt is still its own. */
static void test_first_come_first_served(gconstpointer data)
{
    bool reused = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn u0 = tcp_conn_make(UPLINK, 41000, DEST, 80);
    if (reused) {
        tcp_conn c0 = client_conn(50000);
        client_asks(&k, &c0, "http://10.10.67.124/zero");
        tcp_open(&k, &u0);
        send_msg(&k, &u0, 0, request_text(&k, "GET", "/zero", "10.10.67.124"));
        send_msg(&k, &u0, 1, response_text(&k, 200, "fine"));
        gateway_answers(&k, &c0, 200, "fine");
        wait_s(&k, 1);
    }
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002), c3 = client_conn(50003);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    wait_s(&k, 0.0002);
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    uint32_t req3 = 0;
    if (reused) {
        wait_s(&k, 0.0002);
        req3 = client_asks(&k, &c3, "http://10.10.67.124/three");
        send_msg(&k, &u0, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    }
    tcp_conn hung = tcp_conn_make(UPLINK, 41001, DEST, 80), refused = tcp_conn_make(UPLINK, 41002, DEST, 80);
    if (!reused)
        tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &refused, 0, MWG_TCP_SYN);
    if (reused)
        tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &refused, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &refused, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &c2, 502, PAGE_CANNOT_CONNECT);
    wait_s(&k, 2);
    uint32_t last = tcp_flags_only(&k, &hung, 0, MWG_TCP_SYN);
    wait_s(&k, 4);
    gateway_answers(&k, reused ? &c3 : &c1, 502, PAGE_CANNOT_CONNECT);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "cannot_connect", "tcp_rst", req2, rst);
    expect(verdict(&k, 1), "cannot_connect", "tcp_syn_timeout", reused ? req3 : req1, last);
    cap_close(&k);
}

/* Another client asked for the host a moment before this one; its SYN is
 * still unanswered when this request's connection, forwarded, is closed by
 * the origin and the gateway answers.  That young SYN is the other's: this
 * request's 502 is the close. */
static void test_young_syn_of_an_earlier_request(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    client_asks(&k, &c1, "http://10.10.67.124/one");
    uint32_t req2 = client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80), u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_SYN);
    tcp_open(&k, &u2);
    send_msg(&k, &u2, 0, request_text(&k, "GET", "/two", "10.10.67.124"));
    wait_s(&k, 0.005);
    uint32_t fin = tcp_flags_only(&k, &u2, 1, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c2, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "upstream_closed", req2, fin);
    cap_close(&k);
}

/* Shared hosting: the request for one name is forwarded and never
 * answered; 39 s later another client asks for another name on the same
 * address, whose lookup gives that address and whose SYNs then go
 * unanswered (the second client gives up).  Those SYNs followed the other
 * name's lookup: the first request's 502 is its own response timeout. */
static void test_other_names_attempts(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://silent.shared.example/a");
    dns_query(&k, 40000, 1, "silent.shared.example", 1);
    dns_answer(&k, 40000, 1, "silent.shared.example", 0, &DEST, 1, false);
    tcp_conn u1 = upstream_conn(DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/a", "silent.shared.example"));
    wait_s(&k, 39);
    client_asks(&k, &c2, "http://other.shared.example/b");
    dns_query(&k, 40001, 2, "other.shared.example", 1);
    dns_answer(&k, 40001, 2, "other.shared.example", 0, &DEST, 1, false);
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &c2, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 78);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "http_response_timeout", req1, fwd1);
    cap_close(&k);
}

/* The request goes out on a connection the gateway kept open, and the
 * origin answers 502 itself; meanwhile another client's request for the
 * host has the gateway open a new connection, whose SYN-ACK comes 30 ms
 * later, after the relayed 502.  That SYN still waiting is the other
 * request's: the 502 is the origin's. */
static void test_forward_on_kept_connection(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002), c0 = client_conn(50000);
    client_asks(&k, &c0, "http://h.example/");
    dns_query(&k, 40000, 1, "h.example", 1);
    dns_answer(&k, 40000, 1, "h.example", 0, &DEST, 1, false);
    tcp_conn u1 = upstream_conn(DEST, 80);
    tcp_open(&k, &u1);
    send_msg(&k, &u1, 0, request_text(&k, "GET", "/", "h.example"));
    send_msg(&k, &u1, 1, response_text(&k, 200, "fine"));
    gateway_answers(&k, &c0, 200, "fine");
    wait_s(&k, 2);
    uint32_t req1 = client_asks(&k, &c1, "http://h.example/api");
    send_msg(&k, &u1, 0, request_text(&k, "GET", "/api", "h.example"));
    client_asks(&k, &c2, "http://h.example/other");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    wait_s(&k, 0.01);
    uint32_t origin = send_msg(&k, &u1, 1, response_text(&k, 502, "origin down"));
    gateway_answers(&k, &c1, 502, "origin down");
    wait_s(&k, 0.02);
    tcp_flags_only(&k, &u2, 1, MWG_TCP_SYN | MWG_TCP_ACK);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "upstream_error", "upstream_status", req1, origin);
    cap_close(&k);
}

/* The forwarded request's reply is not HTTP; moments before the gateway
 * answers, another client's request for the host sends a SYN.  That SYN,
 * too young to have failed, is no evidence against the first request. */
static void test_fresh_syn_after_bad_reply(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_open(&k, &u1);
    send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    wait_s(&k, 0.01);
    client_asks(&k, &c2, "http://10.10.67.124/two");
    uint32_t bad = send_raw(&k, &u1, 1, "hello\r\n");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_flags_only(&k, &u2, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_RST | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "http_invalid_response", req1, bad);
    cap_close(&k);
}

/* Two clients ask for one host at once, for two pages; the gateway
 * forwards both, each after both had asked.  The second page comes back;
 * the first never does.  The first request's 502 names the forward of its
 * own page, not the later one for the other page. */
static void test_forward_of_its_own_page(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/one");
    client_asks(&k, &c2, "http://10.10.67.124/two");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80), u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_open(&k, &u1);
    uint32_t fwd1 = send_msg(&k, &u1, 0, request_text(&k, "GET", "/one", "10.10.67.124"));
    tcp_open(&k, &u2);
    send_msg(&k, &u2, 0, request_text(&k, "GET", "/two", "10.10.67.124"));
    send_msg(&k, &u2, 1, response_text(&k, 200, "fine"));
    gateway_answers(&k, &c2, 200, "fine");
    wait_s(&k, 120);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    wait_s(&k, 0.0005);
    gateway_answers(&k, &c1, 502, "<html>Bad Gateway</html>");
    expect(only_verdict(&k), "bad_response", "http_response_timeout", req1, fwd1);
    cap_close(&k);
}

/* A request's connection attempt times out while another client's request
 * for the same host gets a connection that works: that success does not
 * hide the failure. */
static void test_success_elsewhere_hides_nothing(void)
{
    cap k;
    cap_open(&k);
    tcp_conn c1 = client_conn(50001), c2 = client_conn(50002);
    uint32_t req1 = client_asks(&k, &c1, "http://10.10.67.124/");
    tcp_conn u1 = tcp_conn_make(UPLINK, 41001, DEST, 80);
    tcp_flags_only(&k, &u1, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    uint32_t last1 = tcp_flags_only(&k, &u1, 0, MWG_TCP_SYN);
    client_asks(&k, &c2, "http://10.10.67.124/");
    tcp_conn u2 = tcp_conn_make(UPLINK, 41002, DEST, 80);
    tcp_open(&k, &u2);
    send_msg(&k, &u2, 0, request_text(&k, "GET", "/", "10.10.67.124"));
    send_msg(&k, &u2, 1, response_text(&k, 200, "fine"));
    gateway_answers(&k, &c2, 200, "fine");
    wait_s(&k, 2);
    gateway_answers(&k, &c1, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_syn_timeout", req1, last1);
    cap_close(&k);
}

static const mwg_addr PARENT = { 4, { 10, 10, 68, 1 } };

/* The gateway forwards to a parent proxy that refuses connections: named
 * in the preferences (the capture cannot tell, as no request ever reaches
 * it), the failing hop is said to be the parent. */
static void test_parent_refuses(void)
{
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    g_assert_true(mwg_config_add_addr(cfg.parent_proxies, &cfg.n_parent_proxies, &PARENT));
    cap k;
    cap_open_with(&k, &cfg, WS_42);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://intranet.example/");
    tcp_conn p1 = tcp_conn_make(UPLINK, 41001, PARENT, 3128);
    tcp_flags_only(&k, &p1, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &p1, 1, MWG_TCP_RST | MWG_TCP_ACK);
    tcp_conn p2 = tcp_conn_make(UPLINK, 41002, PARENT, 3128);
    tcp_flags_only(&k, &p2, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &p2, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    assert_addr(&v->upstream, &PARENT);
    g_assert_cmpuint(v->upstream_port, ==, 3128);
    g_assert_true(v->via_parent);
    g_assert_nonnull(strstr(v->summary, "parent proxy"));
    cap_close(&k);
}

/* The parent answers its own 502 and the gateway relays it.  The
 * gateway-to-parent connection (proxy-form requests, marked Via) is the
 * upstream leg, found without preferences: its 502 is no gateway error of
 * its own, and the client's 502 is the relayed one. */
static void test_parent_error_relayed(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://nx.example/");
    tcp_conn up = tcp_conn_make(UPLINK, 41001, PARENT, 3128);
    tcp_open(&k, &up);
    send_msg(&k, &up, 0, keep(&k, g_strdup("GET http://nx.example/ HTTP/1.1\r\nHost: nx.example\r\n"
                                           "Via: 1.1 mwg.example (McAfee Web Gateway 11.2)\r\n\r\n")));
    uint32_t parent_502 = send_msg(&k, &up, 1, response_text(&k, 502, "<html>ERR_DNS_FAIL</html>"));
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    gateway_answers(&k, &cl, 502, "<html>ERR_DNS_FAIL</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "upstream_error", "upstream_status", req, parent_502);
    assert_addr(&v->upstream, &PARENT);
    g_assert_true(v->via_parent);
    cap_close(&k);
}

/* An intercepting gateway: the client asks the origin's address on port
 * 80 in origin form, the gateway answers in its place.  With the
 * preference, that is the client leg; the gateway's own lookup fails. */
static void test_transparent_gateway(gconstpointer data)
{
    bool transparent = GPOINTER_TO_INT(data);
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    cfg.transparent = transparent;
    cap k;
    cap_open_with(&k, &cfg, WS_42);
    tcp_conn cl = tcp_conn_make(CLIENT, 50000, DEST, 80);
    tcp_open(&k, &cl);
    uint32_t req = send_msg(&k, &cl, 0, request_text(&k, "GET", "/", "www.example.com"));
    dns_query(&k, 40000, 7, "www.example.com", 1);
    uint32_t nx = dns_answer(&k, 40000, 7, "www.example.com", 3, NULL, 0, false);
    gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    if (!transparent) {
        g_assert_cmpuint(k.verdicts->len, ==, 0);
        cap_close(&k);
        return;
    }
    expect(only_verdict(&k), "host_not_resolvable", "dns_nxdomain", req, nx);
    cap_close(&k);
}

/* Intercepting, the gateway connects to the origin itself (from its own
 * address, known from its DNS queries): that connection is the upstream
 * leg, its reply the origin's, and the client's SYN to the origin's address
 * is no attempt of the gateway's. */
static void test_transparent_upstream_leg(void)
{
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    cfg.transparent = true;
    cap k;
    cap_open_with(&k, &cfg, WS_42);
    tcp_conn cl = tcp_conn_make(CLIENT, 50000, DEST, 80);
    tcp_open(&k, &cl);
    uint32_t req = send_msg(&k, &cl, 0, request_text(&k, "GET", "/", "www.example.com"));
    dns_query(&k, 40000, 7, "www.example.com", 1);
    dns_answer(&k, 40000, 7, "www.example.com", 0, &DEST, 1, false);
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    g_assert_cmpuint(v->attempts, ==, 1);
    cap_close(&k);
}

/* ---------------------------------------------------------- pipelining */

typedef struct {
    unsigned depth;
    size_t mss;                 /* segment size of both directions */
    const ws_mode *mode;
} pipeline_case;

static const pipeline_case PIPE_17_ONE_SEGMENT_EACH_40 = { 17, 0, &WS_40 };
static const pipeline_case PIPE_17_MSS_40 = { 17, 1460, &WS_40 };
static const pipeline_case PIPE_17_MSS_42 = { 17, 1460, &WS_42 };
static const pipeline_case PIPE_100_MSS_40 = { 100, 1460, &WS_40 };
static const pipeline_case PIPE_100_MSS_42 = { 100, 1460, &WS_42 };

static char *pipeline_host(unsigned i)
{
    return g_strdup_printf("host%u.pipe.example", i);
}

/* NULL when the verdicts answer the error answers among 'n' answers
 * (status[i], NULL: all 502) one by one, each naming its own request's host
 * and frames, else what differs. */
static char *pipeline_mismatch(const cap *k, unsigned n, const unsigned *status, const uint32_t *req_frame,
                               const uint32_t *err_frame)
{
    unsigned errors = 0;
    for (unsigned i = 0; i < n; i++)
        errors += !status || status[i] == 502;
    if (k->verdicts->len != errors)
        return g_strdup_printf("%u verdicts for %u errors", k->verdicts->len, errors);
    for (unsigned i = 0, j = 0; i < n; i++) {
        if (status && status[i] != 502)
            continue;
        const mwg_verdict *v = g_ptr_array_index(k->verdicts, j++);
        char *host = pipeline_host(i);
        char *wrong = NULL;
        if (!v->host || strcmp(v->host, host) != 0 || v->request_frame != req_frame[i] ||
            v->error_frame != err_frame[i] || v->incomplete)
            wrong = g_strdup_printf("answer %u: host %s request %u error %u incomplete %d, want %s %u %u", i,
                                    v->host ? v->host : "(none)", v->request_frame, v->error_frame, v->incomplete,
                                    host, req_frame[i], err_frame[i]);
        g_free(host);
        if (wrong)
            return wrong;
    }
    return NULL;
}

/* A client sends 'depth' requests for as many hosts without waiting; the
 * gateway answers each with a 502 in order.  Each verdict names its own
 * request's host. */
static void test_pipelining(gconstpointer data)
{
    const pipeline_case *pc = data;
    cap k;
    cap_open_with(&k, NULL, *pc->mode);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    const char **reqs = g_new(const char *, pc->depth), **resps = g_new(const char *, pc->depth);
    uint32_t *req_frame = g_new0(uint32_t, pc->depth), *err_frame = g_new0(uint32_t, pc->depth);
    for (unsigned i = 0; i < pc->depth; i++) {
        char *host = pipeline_host(i);
        reqs[i] = proxy_get(&k, host);
        char *page = g_strdup_printf("<html><!-- FileName: notresolvable.html -->%s</html>", host);
        resps[i] = response_text(&k, 502, page);
        g_free(page);
        g_free(host);
    }
    if (pc->mss) {
        send_stream(&k, &cl, 0, reqs, pc->depth, pc->mss, req_frame);
        send_stream(&k, &cl, 1, resps, pc->depth, pc->mss, err_frame);
    } else {
        for (unsigned i = 0; i < pc->depth; i++)
            req_frame[i] = send_msg(&k, &cl, 0, reqs[i]);
        for (unsigned i = 0; i < pc->depth; i++)
            err_frame[i] = send_msg(&k, &cl, 1, resps[i]);
    }
    finish(&k);
    assert_no_fault(pipeline_mismatch(&k, pc->depth, NULL, req_frame, err_frame));
    g_free(reqs);
    g_free(resps);
    g_free(req_frame);
    g_free(err_frame);
    cap_close(&k);
}

/* The capture lacks the gateway's answer to one request of a keep-alive
 * connection (the client got it: its next request acknowledges it).  The
 * answers after it still name their own requests. */
static void test_answer_missing_keepalive(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    enum { N = 4, LOST = 1 };
    uint32_t req_frame[N], err_frame[N];
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        req_frame[i] = send_msg(&k, &cl, 0, proxy_get(&k, host));
        const char *answer = response_text(&k, 502, host);
        if (i == LOST)
            cl.next[1] += (uint32_t)strlen(answer);     /* sent, not captured */
        else
            err_frame[i] = send_msg(&k, &cl, 1, answer);
        g_free(host);
    }
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, N - 1);
    for (unsigned i = 0, j = 0; i < N; i++) {
        if (i == LOST)
            continue;
        const mwg_verdict *v = verdict(&k, j++);
        char *host = pipeline_host(i);
        g_assert_cmpstr(v->host, ==, host);
        g_assert_cmpuint(v->request_frame, ==, req_frame[i]);
        g_assert_cmpuint(v->error_frame, ==, err_frame[i]);
        g_assert_cmpuint(v->loss, ==, 0);
        g_free(host);
    }
    cap_close(&k);
}

/* Three requests pipelined, the answer to the first missing from the
 * capture: the second answer may answer the second or the third request.
 * It and the third are flagged as not matched, never given another
 * request's host; a later request on the connection is not matched either,
 * as an answer may still be owed. */
static void test_answer_missing_pipelined(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    enum { N = 3 };
    const char *answers[N];
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        send_msg(&k, &cl, 0, proxy_get(&k, host));
        answers[i] = response_text(&k, 502, host);
        g_free(host);
    }
    cl.next[1] += (uint32_t)strlen(answers[0]);
    send_msg(&k, &cl, 1, answers[1]);
    send_msg(&k, &cl, 1, answers[2]);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    /* Both for the answer missing: the queue never filled. */
    for (unsigned i = 0; i < 2; i++) {
        const mwg_verdict *v = verdict(&k, i);
        expect_unmatched(v, MWG_LOSS_ANSWER_GAP);
        g_assert_cmpuint(v->loss & MWG_LOSS_REQUEST_QUEUE, ==, 0);
        g_assert_nonnull(strstr(v->summary, "answers on the client connection are missing from the capture"));
        g_assert_null(strstr(v->summary, "more requests waited"));
    }
    mwg_correlator_stats st;
    mwg_correlator_get_stats(k.c, &st);
    g_assert_cmpuint(st.loss.requests_lost_track, ==, N);
    cap_close(&k);
}

/* Three requests pipelined, the second missing from the capture: the first
 * answer is the first request's; the next two may answer the lost request
 * or the third.  They are flagged as not matched, never given the third's
 * host. */
static void test_request_missing_pipelined(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    enum { N = 3 };
    uint32_t req[N];
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        const char *text = proxy_get(&k, host);
        if (i == 1)
            cl.next[0] += (uint32_t)strlen(text);
        else
            req[i] = send_msg(&k, &cl, 0, text);
        g_free(host);
    }
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        send_msg(&k, &cl, 1, response_text(&k, 502, host));
        g_free(host);
    }
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, N);
    char *first = pipeline_host(0);
    g_assert_cmpstr(verdict(&k, 0)->host, ==, first);
    g_assert_cmpuint(verdict(&k, 0)->request_frame, ==, req[0]);
    g_free(first);
    for (unsigned i = 1; i < N; i++) {
        const mwg_verdict *v = verdict(&k, i);
        expect_unmatched(v, MWG_LOSS_REQUEST_GAP);
        g_assert_true(g_str_has_prefix(v->summary, "No upstream traffic can be tied to this error"));
        g_assert_nonnull(strstr(v->summary, "requests on the client connection are missing"));
    }
    mwg_correlator_stats st;
    mwg_correlator_get_stats(k.c, &st);
    g_assert_cmpuint(st.loss.requests_lost_track, ==, 1);
    g_assert_cmpuint(st.loss.requests_untracked, ==, 0);
    cap_close(&k);
}

/* A message from side 'dir' as a capture cut at a small snap length holds it:
 * its first 'kept' bytes of 'wire' sent; Wireshark takes no message from it. */
static uint32_t send_cut_segment(cap *k, tcp_conn *t, int dir, const char *msg, size_t kept, size_t wire)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.is_tcp = true;
    f.flow = t->fl[dir];
    f.tcp_flags = MWG_TCP_ACK;
    f.tcp_seq = t->next[dir];
    f.tcp_ack = t->next[!dir];
    f.payload_len = (uint32_t)wire;
    f.payload = (mwg_bytes){ (const uint8_t *)msg, kept, true };
    feed(k, &f);
    t->next[dir] += (uint32_t)wire;
    return f.frame;
}

/* From the gateway, cut as above (42 bytes kept of each): a 200 with a
 * 1,000-byte page, 'short_by' bytes of which come in a segment of their
 * own; a 502 with a 900-byte page. */
static const char CUT_OK_HEAD[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n";
static const char CUT_502_HEAD[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 900\r\n\r\n";

static uint32_t send_cut_ok(cap *k, tcp_conn *t, size_t short_by)
{
    return send_cut_segment(k, t, 1, CUT_OK_HEAD, 42, strlen(CUT_OK_HEAD) + 1000 - short_by);
}

static uint32_t send_cut_502(cap *k, tcp_conn *t)
{
    return send_cut_segment(k, t, 1, CUT_502_HEAD, 42, strlen(CUT_502_HEAD) + 900);
}

/* A capture on a bridge holds every packet twice; cut by the snap length,
 * the forwarded request's segment and its copy both end early.  The copy
 * is no second request: the origin's own 502 answers the one forward, and
 * the gateway relayed it. */
static void test_cut_forward_and_its_copy(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(&k, &up);
    const char *fwd_text = request_text(&k, "GET", "/", "10.10.67.124");
    uint32_t seq = up.next[0];
    uint32_t fwd = 0;
    for (int copy = 0; copy < 2; copy++) {
        mwg_facts f;
        frame_begin(&k, &f);
        f.is_tcp = true;
        f.flow = up.fl[0];
        f.tcp_flags = MWG_TCP_ACK;
        f.tcp_seq = seq;
        f.tcp_ack = up.next[1];
        f.payload_len = (uint32_t)strlen(fwd_text);
        f.payload = (mwg_bytes){ (const uint8_t *)fwd_text, 20, true };
        f.http.took_message = true;    /* Wireshark shows the request as far as it goes */
        feed(&k, &f);
        fwd = fwd ? fwd : f.frame;
    }
    up.next[0] = seq + (uint32_t)strlen(fwd_text);
    uint32_t ev = send_msg(&k, &up, 1, response_text(&k, 502, "<html>origin failed</html>"));
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "upstream_error", "upstream_status", req, ev);
    g_assert_cmpuint(v->attempt_frame, ==, fwd);
    cap_close(&k);
}

/* Keep-alive answers cut by the snap length: Wireshark cannot find where
 * each ends and takes none as it goes.  The next answer begins where the
 * cut one's bytes end: each is still matched to its own request. */
static void test_cut_answers_in_turn(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    send_msg(&k, &cl, 0, proxy_get(&k, "first.example"));
    send_cut_ok(&k, &cl, 0);
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    send_cut_502(&k, &cl);
    finish(&k);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_cmpstr(v->host, ==, "second.example");
    cap_close(&k);
}

/* Wireshark cannot reassemble a segment the snap length cut: it shows the
 * error page's start in that frame, even where its HTTP record names no
 * frame (the answers before it went unmatched).  The verdict is given as
 * the frame is fed, as a single pass shows it, not when the capture ends. */
static void test_cut_answer_judged_in_its_frame(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "cut.example"));
    uint32_t err = send_cut_502(&k, &cl);
    g_assert_cmpuint(k.verdicts->len, ==, 1);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_true(v->incomplete);
    g_assert_true(v->capture_cut);
    g_assert_nonnull(strstr(v->summary, "its snap length cut it"));
    g_assert_cmpuint(finish(&k), ==, 0);
    cap_close(&k);
}

/* As above, but the first answer's last bytes come in a segment of their
 * own, whole ("xx": they could begin a method, not a status line), and the
 * second answer is one Wireshark takes no message from either.  The bytes
 * from the server that cannot begin a response start none, and do not
 * swallow the answer after them: the 502 is still the third request's. */
static void test_cut_answer_tail_is_no_message(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    send_msg(&k, &cl, 0, proxy_get(&k, "first.example"));
    send_cut_ok(&k, &cl, 2);
    send_raw(&k, &cl, 1, "xx");
    send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    send_cut_ok(&k, &cl, 0);
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "third.example"));
    send_cut_502(&k, &cl);
    finish(&k);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_cmpstr(v->host, ==, "third.example");
    cap_close(&k);
}

/* The same from the client: a POST the snap length cut, the tail of its
 * body ("hello world") in a segment of its own, then the next request: the
 * tail is no request, and the 502 names the next one. */
static void test_cut_request_tail_is_no_message(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    const char *post = "POST http://first.example/login HTTP/1.1\r\nHost: first.example\r\n"
                       "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    send_cut_segment(&k, &cl, 0, post, 42, strlen(post) + 100 - 8);
    send_raw(&k, &cl, 0, "hello world");
    send_cut_ok(&k, &cl, 0);
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    send_cut_502(&k, &cl);
    finish(&k);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_cmpstr(v->host, ==, "second.example");
    cap_close(&k);
}

/* Keep-alive answers cut by the snap length, and bytes from the gateway
 * missing from the capture between two of them: they may be the rest of
 * the first answer or the answer to the request between.  Where that
 * request went out before the client had them, which request the next
 * answer is for cannot be told: it names none, never the wrong one.  Where
 * the next request went out only after them (its acknowledgement reaches
 * past them), none of them answered it: the answer is its own. */
static void test_cut_answer_then_bytes_lost(gconstpointer data)
{
    bool sent_after_them = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    send_msg(&k, &cl, 0, proxy_get(&k, "first.example"));
    send_cut_502(&k, &cl);
    if (sent_after_them)
        cl.next[1] += 500;      /* the page went on in a segment lost */
    uint32_t second = send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    if (!sent_after_them) {
        cl.next[1] += 500;      /* the page's rest, or the second's answer */
        send_msg(&k, &cl, 0, proxy_get(&k, "third.example"));
    }
    send_cut_502(&k, &cl);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *v = verdict(&k, 1);
    if (sent_after_them) {
        g_assert_cmpstr(v->host, ==, "second.example");
        g_assert_cmpuint(v->request_frame, ==, second);
    } else {
        expect_unmatched(v, MWG_LOSS_ANSWER_GAP);
    }
    cap_close(&k);
}

/* A 502 in two segments, the second captured first.  Wireshark shows it
 * only when told to reassemble out of order (then in the late first
 * segment); otherwise the capture holds no answer for the first request,
 * and the next answers stay paired with their own requests. */
static void test_answer_out_of_order(gconstpointer data)
{
    bool reassembled = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    uint32_t first = send_msg(&k, &cl, 0, proxy_get(&k, "first.example"));
    const char *page = response_text(&k, 502, "<html><body>first.example is not resolvable</body></html>");
    size_t len = strlen(page), half = len / 2;
    uint32_t start = cl.next[1];
    cl.next[1] = start + (uint32_t)half;
    send_raw(&k, &cl, 1, page + half);
    cl.next[1] = start;
    mwg_ws_http ws = ws_record(&k, page);
    uint32_t late = segment(&k, &cl, 1, MWG_TCP_ACK, page, half, reassembled ? &ws : NULL,
                            reassembled ? page : NULL, reassembled ? len : 0);
    /* Not shown: the frame says so. */
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).dropped, ==, reassembled ? 0 : MWG_DROP_LATE_RESPONSE);
    cl.next[1] = start + (uint32_t)len;
    send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    send_msg(&k, &cl, 1, response_text(&k, 200, "fine"));
    uint32_t third = send_msg(&k, &cl, 0, proxy_get(&k, "third.example"));
    uint32_t error = send_msg(&k, &cl, 1, response_text(&k, 502, "third"));
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, reassembled ? 2 : 1);
    if (reassembled) {
        g_assert_cmpuint(verdict(&k, 0)->error_frame, ==, late);
        g_assert_cmpuint(verdict(&k, 0)->request_frame, ==, first);
    }
    const mwg_verdict *v = verdict(&k, k.verdicts->len - 1);
    g_assert_cmpuint(v->error_frame, ==, error);
    g_assert_cmpstr(v->host, ==, "third.example");
    g_assert_cmpuint(v->request_frame, ==, third);
    cap_close(&k);
}

/* The same from the client: a request cut by the snap length, then bytes
 * missing, then a request.  The missing bytes may be a request: the second
 * answer may be its, and names no request rather than the third's. */
static void test_cut_request_then_bytes_lost(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    const char *first = proxy_get(&k, "first.example");
    uint32_t req = send_cut_segment(&k, &cl, 0, first, 42, strlen(first));
    cl.next[0] += (uint32_t)strlen(proxy_get(&k, "second.example"));
    send_msg(&k, &cl, 0, proxy_get(&k, "third.example"));
    send_cut_502(&k, &cl);
    send_cut_502(&k, &cl);
    finish(&k);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    g_assert_cmpuint(verdict(&k, 0)->request_frame, ==, req);
    const mwg_verdict *v = verdict(&k, 1);
    expect_unmatched(v, MWG_LOSS_REQUEST_GAP);
    cap_close(&k);
}

/* A cut 200 hid where its page ends: Wireshark takes the whole 502 after
 * it for more of that page, and dissects no response there.  At the end of
 * the first pass the 502 gets its verdict, not as one that never arrived
 * whole but as one Wireshark did not show as a response. */
static void test_whole_answer_after_cut_one(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    send_msg(&k, &cl, 0, proxy_get(&k, "first.example"));
    send_cut_ok(&k, &cl, 0);
    uint32_t req = send_msg(&k, &cl, 0, proxy_get(&k, "second.example"));
    uint32_t err = send_raw(&k, &cl, 1, response_text(&k, 502, PAGE_NOT_RESOLVABLE));
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    g_assert_cmpuint(finish(&k), ==, 1);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpuint(v->error_frame, ==, err);
    g_assert_cmpuint(v->request_frame, ==, req);
    g_assert_false(v->incomplete);
    g_assert_true(v->undissected);
    g_assert_nonnull(strstr(v->summary, "more of the message before it"));
    g_assert_null(strstr(v->summary, "never arrived whole"));
    cap_close(&k);
}

/* Ten requests in one segment, ten answers in one segment. */
static void test_ten_responses_in_one_segment(gconstpointer data)
{
    cap k;
    cap_open_with(&k, NULL, *(const ws_mode *)data);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    enum { N = 10 };
    const char *reqs[N], *resps[N];
    uint32_t req_frame[N], err_frame[N];
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        reqs[i] = proxy_get(&k, host);
        resps[i] = response_text(&k, 502, host);
        g_free(host);
    }
    send_cut(&k, &cl, 0, reqs, N, NULL, 0, req_frame);
    uint32_t one = send_cut(&k, &cl, 1, resps, N, NULL, 0, err_frame);
    assert_no_fault(pipeline_mismatch(&k, N, NULL, req_frame, err_frame));
    for (unsigned i = 0; i < N; i++)
        g_assert_cmpuint(verdict(&k, i)->error_frame, ==, one);
    cap_close(&k);
}

/* A request line longer than a segment (a long query string), with a
 * pipelined request behind it in the segment that completes it: both are
 * read, the first with every segment it spans. */
static void test_long_request_line(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    GString *uri = g_string_new("http://host0.pipe.example/search?q=");
    for (unsigned i = 0; i < 3000; i++)
        g_string_append_c(uri, (char)('a' + i % 26));
    char *h1 = pipeline_host(1);
    const char *reqs[2] = { request_text(&k, "GET", uri->str, "host0.pipe.example"), proxy_get(&k, h1) };
    uint32_t req_frame[2], err_frame[2];
    send_stream(&k, &cl, 0, reqs, 2, 1460, req_frame);
    g_assert_cmpuint(k.segments->len, ==, 3);
    uint32_t spans[3];
    for (unsigned i = 0; i < 3; i++)
        spans[i] = g_array_index(k.segments, uint32_t, i);
    g_assert_cmpuint(req_frame[0], ==, spans[2]);
    for (unsigned i = 0; i < 2; i++)
        err_frame[i] = gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    assert_no_fault(pipeline_mismatch(&k, 2, NULL, req_frame, err_frame));
    for (unsigned i = 0; i < 3; i++)
        g_assert_true(has_frame(verdict(&k, 0), spans[i]));
    g_assert_false(has_frame(verdict(&k, 1), spans[0]));
    g_string_free(uri, TRUE);
    g_free(h1);
    cap_close(&k);
}

/* Three answers; the middle one starts in the first segment and ends in the
 * second, between the others: it is read once, in the second frame, with
 * both segments. */
typedef struct {
    unsigned status[3];
    size_t middle_in_first;     /* bytes of the middle answer in the first segment */
    const ws_mode *mode;
} straddle_case;

/* Cut in its body, or inside its status line ("HTTP/1.1 5"), which the
 * first segment cannot show as a message start yet. */
static const straddle_case STRADDLE_MIXED_42 = { { 200, 502, 502 }, 100, &WS_42 };
static const straddle_case STRADDLE_SAME_40 = { { 502, 502, 502 }, 100, &WS_40 };
static const straddle_case STRADDLE_SAME_42 = { { 502, 502, 502 }, 100, &WS_42 };
static const straddle_case STRADDLE_STATUS_LINE_40 = { { 502, 502, 502 }, 10, &WS_40 };
static const straddle_case STRADDLE_STATUS_LINE_42 = { { 200, 502, 502 }, 10, &WS_42 };

static void test_straddling_response(gconstpointer data)
{
    const straddle_case *sc = data;
    cap k;
    cap_open_with(&k, NULL, *sc->mode);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    const char *reqs[3], *resps[3];
    uint32_t req_frame[3], err_frame[3];
    for (unsigned i = 0; i < 3; i++) {
        char *host = pipeline_host(i);
        reqs[i] = proxy_get(&k, host);
        resps[i] = response_text(&k, sc->status[i], host);
        g_free(host);
    }
    send_cut(&k, &cl, 0, reqs, 3, NULL, 0, req_frame);
    size_t cut = strlen(resps[0]) + sc->middle_in_first;
    g_assert_cmpuint(sc->middle_in_first, <, strlen(resps[1]));
    send_cut(&k, &cl, 1, resps, 3, &cut, 1, err_frame);
    uint32_t first = g_array_index(k.segments, uint32_t, 0), second = g_array_index(k.segments, uint32_t, 1);
    g_assert_cmpuint(err_frame[0], ==, first);
    g_assert_cmpuint(err_frame[1], ==, second);
    g_assert_cmpuint(err_frame[2], ==, second);
    finish(&k);
    char *wrong = pipeline_mismatch(&k, 3, sc->status, req_frame, err_frame);
    if (!wrong) {
        const mwg_verdict *middle = verdict(&k, sc->status[0] == 502 ? 1 : 0);
        if (!has_frame(middle, first) || !has_frame(middle, second))
            wrong = g_strdup("the straddling answer lacks a segment");
    }
    assert_no_fault(wrong);
    cap_close(&k);
}

/* More requests wait than a client connection tracks: those beyond are
 * counted, and their answers flagged (MWG_LOSS_REQUEST_QUEUE) rather than
 * matched to another request.  A request arriving while some are untracked
 * is untracked too; once all are answered, matching resumes. */
static void test_untracked_requests_never_shift(void)
{
    enum { N = MWG_MAX_WAITING_REQUESTS + 44, EARLY = 10 };
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    uint32_t *req_frame = g_new(uint32_t, N + 1);
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        req_frame[i] = send_msg(&k, &cl, 0, proxy_get(&k, host));
        g_assert_cmpuint(mwg_correlator_frame_notes(k.c).dropped, ==,
                         i < MWG_MAX_WAITING_REQUESTS ? 0 : MWG_DROP_REQUESTS);
        g_free(host);
    }
    for (unsigned i = 0; i < EARLY; i++)
        gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    char *late = pipeline_host(N);
    req_frame[N] = send_msg(&k, &cl, 0, proxy_get(&k, late));
    for (unsigned i = EARLY; i <= N; i++)
        gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    uint32_t after = send_msg(&k, &cl, 0, proxy_get(&k, "after.example"));
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");

    g_assert_cmpuint(k.verdicts->len, ==, N + 2);
    for (unsigned i = 0; i <= N; i++) {
        const mwg_verdict *v = verdict(&k, i);
        if (i < MWG_MAX_WAITING_REQUESTS) {
            char *host = pipeline_host(i);
            g_assert_cmpstr(v->host, ==, host);
            g_assert_cmpuint(v->request_frame, ==, req_frame[i]);
            g_assert_cmpuint(v->loss & MWG_LOSS_REQUEST_QUEUE, ==, 0);
            g_free(host);
        } else {
            expect_unmatched(v, MWG_LOSS_REQUEST_QUEUE);
            g_assert_nonnull(strstr(v->summary, "more requests waited"));
        }
    }
    const mwg_verdict *v = verdict(&k, N + 1);
    g_assert_cmpstr(v->host, ==, "after.example");
    g_assert_cmpuint(v->request_frame, ==, after);
    g_assert_cmpuint(v->loss, ==, 0);
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.requests_untracked, ==, N + 1 - MWG_MAX_WAITING_REQUESTS);
    g_free(late);
    g_free(req_frame);
    cap_close(&k);
}

/* ------------------------------------------------------ bridge copies */

/* A capture with a bit of everything the stream reader does: a split error
 * page, a forward and its garbage reply, pipelined answers that straddle
 * segments (statuses alternating), an upload cut
 * short by the answer, an answer the capture cuts off. */
static void mixed_capture(cap *k)
{
    tcp_conn a = client_conn(50000);
    client_asks(k, &a, "http://nx.example/");
    dns_query(k, 40000, 1, "nx.example", 1);
    dns_answer(k, 40000, 1, "nx.example", 3, NULL, 0, false);
    send_split(k, &a, 1, response_text(k, 502, PAGE_NOT_RESOLVABLE), 3);

    tcp_conn b = client_conn(50001);
    client_asks(k, &b, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_open(k, &up);
    send_split(k, &up, 0, request_text(k, "GET", "/", "10.10.67.124"), 2);
    send_raw(k, &up, 1, "hello\r\n");
    const char *bad = response_text(k, 502, PAGE_CANNOT_CONNECT);
    size_t headers = strlen(bad) - strlen(PAGE_CANNOT_CONNECT);
    send_cut(k, &b, 1, &bad, 1, &headers, 1, NULL);

    tcp_conn c = client_conn(50002);
    tcp_open(k, &c);
    enum { N = 6 };
    const char *reqs[N], *resps[N];
    for (unsigned i = 0; i < N; i++) {
        char *host = pipeline_host(i);
        reqs[i] = proxy_get(k, host);
        resps[i] = response_text(k, i % 2 ? 200 : 502, host);
        g_free(host);
    }
    send_stream(k, &c, 0, reqs, N, 100, NULL);
    send_stream(k, &c, 1, resps, N, 150, NULL);

    tcp_conn d = client_conn(50003);
    tcp_open(k, &d);
    send_raw(k, &d, 0, keep(k, g_strdup("POST http://upload.example/ HTTP/1.1\r\nHost: upload.example\r\n"
                                        "Content-Length: 5000\r\n\r\nx=1")));
    gateway_answers(k, &d, 502, PAGE_NOT_RESOLVABLE);
    send_raw(k, &d, 0, "&y=2");

    tcp_conn f = client_conn(50005);
    client_asks(k, &f, "http://syn.example/");
    dns_query(k, 40001, 2, "syn.example", 1);
    dns_answer(k, 40001, 2, "syn.example", 0, &DEST2, 1, false);
    tcp_conn syn = upstream_conn(DEST2, 80);
    tcp_flags_only(k, &syn, 0, MWG_TCP_SYN);
    wait_s(k, 1);
    tcp_flags_only(k, &syn, 0, MWG_TCP_SYN);
    wait_s(k, 2);
    gateway_answers(k, &f, 502, PAGE_CANNOT_CONNECT);

    tcp_conn e = client_conn(50004);
    client_asks(k, &e, "http://late.example/");
    const char *cut = response_text(k, 502, PAGE_NOT_RESOLVABLE);
    send_head_of(k, &e, cut, strlen(cut) / 2);
    finish(k);
}

/* A verdict in the frame numbers of the capture without bridge copies,
 * without the counts (see verdict_counts). */
static char *verdict_logically(const cap *k, const mwg_verdict *v)
{
    const uint32_t *logical = (const uint32_t *)(void *)k->logical->data;
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%s/%s %u host %s error %u request %u attempt %u evidence %u incomplete %d page %d frames",
                    mwg_category_token(v->category), mwg_cause_token(v->cause), v->status,
                    v->host ? v->host : "-", logical[v->error_frame], logical[v->request_frame],
                    logical[v->attempt_frame], logical[v->evidence_frame], v->incomplete, v->block_page);
    uint32_t prev = 0;
    for (unsigned i = 0; i < v->n_frames; i++) {
        uint32_t l = logical[v->frames[i]];
        if (l != prev)
            g_string_append_printf(s, " %u", l);
        prev = l;
    }
    return g_string_free(s, FALSE);
}

/* What copies could change if taken for more: attempts, unread frames. */
static char *verdict_counts(const mwg_verdict *v)
{
    return g_strdup_printf("attempts %u loss 0x%x unread %u", v->attempts, v->loss, v->unread_frames);
}

/* A bridge capture holds every TCP segment twice, each copy with the same
 * HTTP record and PDU: the verdicts are those of the capture without the
 * copies, on the same (first) frames. */
static void test_bridge_copies_change_nothing(gconstpointer data)
{
    const ws_mode *bridge = data;
    ws_mode single = { bridge->keeps_last, false };
    cap once, twice;
    cap_open_with(&once, NULL, single);
    cap_open_with(&twice, NULL, *bridge);
    mixed_capture(&once);
    mixed_capture(&twice);
    g_assert_cmpuint(once.verdicts->len, ==, 8);
    g_assert_cmpuint(twice.verdicts->len, ==, once.verdicts->len);
    GString *counts_differ = g_string_new(NULL);
    for (unsigned i = 0; i < once.verdicts->len; i++) {
        char *want = verdict_logically(&once, verdict(&once, i));
        char *got = verdict_logically(&twice, verdict(&twice, i));
        g_assert_cmpstr(got, ==, want);
        g_free(want);
        g_free(got);
        want = verdict_counts(verdict(&once, i));
        got = verdict_counts(verdict(&twice, i));
        if (strcmp(got, want) != 0)
            g_string_append_printf(counts_differ, "verdict %u: %s, want %s; ", i, got, want);
        g_free(want);
        g_free(got);
    }
    mwg_correlator_stats s1, s2;
    mwg_correlator_get_stats(once.c, &s1);
    mwg_correlator_get_stats(twice.c, &s2);
    g_assert_cmpuint(s1.loss.frames_unread, ==, 0);
    if (s2.loss.frames_unread)
        g_string_append_printf(counts_differ, "%" G_GUINT64_FORMAT " frames unread", s2.loss.frames_unread);
    assert_no_fault(counts_differ->len ? g_string_free(counts_differ, FALSE)
                                           : (g_string_free(counts_differ, TRUE), NULL));
    cap_close(&once);
    cap_close(&twice);
}

/* The copy of a segment that read one message and began the next is a
 * copy, not a frame mwg502 could not read: two pipelined requests, the
 * second cut by the end of the first segment, on a bridge. */
static void test_copy_with_pending_message_is_read(void)
{
    cap k;
    cap_open_with(&k, NULL, WS_42_BRIDGE);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    char *h0 = pipeline_host(0), *h1 = pipeline_host(1);
    const char *reqs[2] = { proxy_get(&k, h0), proxy_get(&k, h1) };
    uint32_t req_frame[2], err_frame[2];
    size_t cut = strlen(reqs[0]) + 20;
    send_cut(&k, &cl, 0, reqs, 2, &cut, 1, req_frame);
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    uint64_t unread = s.loss.frames_unread;
    for (unsigned i = 0; i < 2; i++)
        err_frame[i] = gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    assert_no_fault(pipeline_mismatch(&k, 2, NULL, req_frame, err_frame));
    unsigned in_verdict = verdict(&k, 0)->unread_frames;
    assert_no_fault(unread || in_verdict ? g_strdup_printf("%" G_GUINT64_FORMAT " frames unread, %u said by "
                                                               "the first verdict", unread, in_verdict)
                                             : NULL);
    g_free(h0);
    g_free(h1);
    cap_close(&k);
}

/* ============================================================= unread */

/* Wireshark took a message in a frame whose bytes mwg502 cannot read as
 * one: the frame is reported and counted once, with what else was unread
 * in it; the next frame starts clean. */
static void test_unread_http_reported(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    tcp_open(&k, &cl);
    static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
    mwg_facts f;
    frame_begin(&k, &f);
    f.is_tcp = true;
    f.flow = cl.fl[0];
    f.tcp_flags = MWG_TCP_ACK;
    f.tcp_seq = cl.next[0];
    f.payload_len = sizeof tls - 1;
    f.payload = (mwg_bytes){ (const uint8_t *)tls, sizeof tls - 1, false };
    f.http.took_message = true;
    feed(&k, &f);
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).unread, ==, MWG_UNREAD_HTTP);
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.frames_unread, ==, 1);

    /* The next segment, which also held DNS mwg502 could not read. */
    frame_again(&k, &f, false);
    f.tcp_seq += f.payload_len;
    f.unread = MWG_UNREAD_DNS;
    feed(&k, &f);
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).unread, ==, MWG_UNREAD_HTTP | MWG_UNREAD_DNS);
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.frames_unread, ==, 2);

    unread_frame(&k, MWG_UNREAD_ICMP);
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).unread, ==, MWG_UNREAD_ICMP);
    cl.next[0] = f.tcp_seq + f.payload_len;
    send_msg(&k, &cl, 0, proxy_get(&k, "fine.example"));
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).unread, ==, 0);
    g_assert_cmpuint(mwg_correlator_frame_notes(k.c).dropped, ==, 0);
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.loss.frames_unread, ==, 3);
    g_assert_cmpuint(k.verdicts->len, ==, 0);
    cap_close(&k);
}

/* A verdict without evidence says how many frames it could not read while
 * the client waited; those before the request or after the error do not
 * count, and a verdict with evidence needs no such excuse. */
static void test_no_evidence_between_unread_frames(void)
{
    cap k;
    cap_open(&k);
    unread_frame(&k, MWG_UNREAD_DNS);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://hidden.example/");
    unread_frame(&k, MWG_UNREAD_DNS);
    unread_frame(&k, MWG_UNREAD_HTTP | MWG_UNREAD_ICMP);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    unread_frame(&k, MWG_UNREAD_DNS);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
    g_assert_cmpuint(v->unread_frames, ==, 2);
    g_assert_cmpuint(v->loss & MWG_LOSS_UNREAD, !=, 0);
    g_assert_nonnull(strstr(v->summary, "2 frames Wireshark dissected"));

    uint32_t req2 = send_msg(&k, &cl, 0, proxy_get(&k, "nx.example"));
    dns_query(&k, 40000, 1, "nx.example", 1);
    unread_frame(&k, MWG_UNREAD_DNS);
    uint32_t nx = dns_answer(&k, 40000, 1, "nx.example", 3, NULL, 0, false);
    gateway_answers(&k, &cl, 502, PAGE_NOT_RESOLVABLE);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    v = verdict(&k, 1);
    expect(v, "host_not_resolvable", "dns_nxdomain", req2, nx);
    g_assert_cmpuint(v->unread_frames, ==, 0);
    g_assert_cmpuint(v->loss, ==, 0);

    uint32_t req3 = send_msg(&k, &cl, 0, proxy_get(&k, "plain.example"));
    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    v = verdict(&k, 2);
    expect(v, "unknown", "no_upstream_evidence", req3, 0);
    g_assert_cmpuint(v->unread_frames, ==, 0);
    g_assert_cmpuint(v->loss, ==, 0);
    cap_close(&k);
}

/* ============================================================= bounds */

/* Bounded memory: a flood of distinct names and SYN targets never grows the
 * tables past their capacity, says what it dropped (in the frames that
 * dropped it, and in a verdict without evidence), and time drops the rest.
 * An error page still arriving on a connection the flood pushes out is
 * judged then, as at a close. */
static void test_state_is_bounded(void)
{
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    cfg.max_conns = 1000;
    cfg.max_names = 500;
    cap k;
    cap_open_with(&k, &cfg, WS_42);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://flooded.example/");
    const char *page = response_text(&k, 502, PAGE_CANNOT_CONNECT);
    uint32_t status_line = send_head_of(&k, &cl, page, strlen(page) - 10);
    char name[64];
    for (unsigned i = 0; i < 20000; i++) {
        snprintf(name, sizeof name, "n%u.flood.example", i);
        dns_query(&k, (uint16_t)(1024 + i % 60000), (uint16_t)i, name, 1);
        /* The client's request holds one of the five hundred names. */
        g_assert_cmpuint(mwg_correlator_frame_notes(k.c).dropped, ==, i < 499 ? 0 : MWG_DROP_NAMES);
        mwg_addr d = { 4, { 198, 51, (uint8_t)(i >> 8), (uint8_t)i } };
        tcp_conn t = tcp_conn_make(UPLINK, (uint16_t)(1024 + i % 60000), d, 80);
        tcp_flags_only(&k, &t, 0, MWG_TCP_SYN);
        /* The client's connection is one of the thousand. */
        g_assert_cmpuint(mwg_correlator_frame_notes(k.c).dropped, ==, i < 999 ? 0 : MWG_DROP_CONNS);
    }
    mwg_correlator_stats s;
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.conns, <=, 1000);
    g_assert_cmpuint(s.names, <=, 500);
    g_assert_cmpuint(s.dns_flows, <=, 500);
    g_assert_cmpuint(s.loss.conns_evicted, >=, 20000 - 1000);
    g_assert_cmpuint(s.loss.names_evicted, >=, 20000 - 500);
    const mwg_verdict *v = only_verdict(&k);
    expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
    g_assert_cmpuint(v->error_frame, ==, status_line);
    g_assert_true(v->incomplete);
    g_assert_cmpstr(v->host, ==, "flooded.example");

    tcp_conn cl2 = client_conn(50001);
    uint32_t req2 = client_asks(&k, &cl2, "http://after-flood.example/");
    gateway_answers(&k, &cl2, 502, "<html>Bad Gateway</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    v = verdict(&k, 1);
    expect(v, "unknown", "no_upstream_evidence", req2, 0);
    g_assert_cmpuint(v->loss & MWG_LOSS_EVICTED, !=, 0);
    g_assert_nonnull(strstr(v->summary, "tables were full"));

    wait_s(&k, 100000);
    tcp_conn last = upstream_conn(DEST, 80);
    tcp_flags_only(&k, &last, 0, MWG_TCP_SYN);
    mwg_correlator_get_stats(k.c, &s);
    g_assert_cmpuint(s.conns, ==, 1);
    g_assert_cmpuint(s.names, ==, 0);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    cap_close(&k);
}

/* More attempts than any one address or name keeps: the gateway (or an
 * attacker) tries hundreds of addresses while the client waits.  Under
 * AddressSanitizer this guards the verdict's working arrays. */
static void test_many_unowned_attempts(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://spray.example/");
    uint32_t last = 0;
    for (unsigned i = 0; i < 300; i++) {
        mwg_addr d = { 4, { 203, 0, (uint8_t)(i >> 8), (uint8_t)i } };
        tcp_conn t = tcp_conn_make(UPLINK, (uint16_t)(20000 + i), d, 80);
        last = tcp_flags_only(&k, &t, 0, MWG_TCP_SYN);
    }
    wait_s(&k, 1);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    expect(only_verdict(&k), "cannot_connect", "tcp_syn_timeout", req, last);
    cap_close(&k);
}

/* Two clients ask at once for two names the gateway has cached (no DNS in
 * the capture); each attempt goes to an address no name owns.  Either
 * attempt may be either request's: neither is tied, both are named.  When
 * the other request's connection got through (the gateway forwarded it),
 * or its name failed to resolve (it had no address to try), the refused
 * attempt can only be this one's.  A rival whose address answer the snap
 * length cut (its AAAA answer saying there is none), whose host the cut
 * request line hid, whose whole request the cut hid (pipelined after a
 * request for an address), or whose request the capture lost (a request
 * for an address follows the gap), may still own either attempt. */
enum { RIVAL_WAITING, RIVAL_FORWARDED, RIVAL_NXDOMAIN, RIVAL_ANSWER_CUT, RIVAL_HOST_CUT, RIVAL_HIDDEN, RIVAL_LOST };

static void test_unowned_attempts_with_rival(gconstpointer data)
{
    int rival = GPOINTER_TO_INT(data);
    bool rival_forwarded = rival == RIVAL_FORWARDED;
    cap k;
    cap_open(&k);
    tcp_conn a = client_conn(50000), b = client_conn(50001);
    uint32_t req = client_asks(&k, &a, "http://a.cached.example/");
    if (rival == RIVAL_HOST_CUT) {
        tcp_open(&k, &b);
        send_cut_segment(&k, &b, 0, "GET http://b.cach", 17, 400);
    } else if (rival == RIVAL_HIDDEN) {
        static const char seen[] = "GET http://192.0.2.77/ HTTP/1.1\r\nHost: 19";
        tcp_open(&k, &b);
        send_cut_segment(&k, &b, 0, seen, sizeof seen - 1, 400);
    } else if (rival == RIVAL_LOST) {
        tcp_open(&k, &b);
        b.next[0] += (uint32_t)strlen(request_text(&k, "GET", "http://b.cached.example/", NULL));
        send_msg(&k, &b, 0, request_text(&k, "GET", "http://192.0.2.77/", NULL));
    } else {
        client_asks(&k, &b, "http://b.cached.example/");
    }
    if (rival == RIVAL_NXDOMAIN) {
        dns_query(&k, 40000, 0x1111, "b.cached.example", 1);
        dns_answer(&k, 40000, 0x1111, "b.cached.example", 3, NULL, 0, false);
    }
    if (rival == RIVAL_ANSWER_CUT) {
        dns_query(&k, 40000, 0x1111, "b.cached.example", 1);
        dns_answer(&k, 40000, 0x1111, "b.cached.example", 0, NULL, 0, true);
        dns_query(&k, 40001, 0x2222, "b.cached.example", 28);
        dns_answer(&k, 40001, 0x2222, "b.cached.example", 0, NULL, 0, false);
    }
    tcp_conn to_a = tcp_conn_make(UPLINK, 41000, DEST, 80), to_b = tcp_conn_make(UPLINK, 41001, DEST2, 80);
    tcp_flags_only(&k, &to_a, 0, MWG_TCP_SYN);
    if (rival != RIVAL_NXDOMAIN)
        tcp_flags_only(&k, &to_b, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &to_a, 1, MWG_TCP_RST | MWG_TCP_ACK);
    if (rival_forwarded) {
        tcp_flags_only(&k, &to_b, 1, MWG_TCP_SYN | MWG_TCP_ACK);
        tcp_flags_only(&k, &to_b, 0, MWG_TCP_ACK);
        send_msg(&k, &to_b, 0, request_text(&k, "GET", "/", "b.cached.example"));
    }
    gateway_answers(&k, &a, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    if (rival == RIVAL_FORWARDED || rival == RIVAL_NXDOMAIN) {
        expect(v, "cannot_connect", "tcp_rst", req, rst);
    } else {
        expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
        g_assert_cmpuint(v->n_candidates, ==, 2);
        g_assert_nonnull(strstr(v->summary, "10.10.67.124"));
        g_assert_nonnull(strstr(v->summary, "10.10.67.125"));
    }
    cap_close(&k);
}

/* The gateway tries the host's addresses in turn: the first refuses, the
 * second never answers.  Where the snap length cut the answer after the
 * first address, the attempts to the second go to an address no name
 * owns: they may be this host's, so neither address decides; the whole
 * answer names both, and the last attempt decides. */
static void test_cut_answer_hides_attempts(gconstpointer data)
{
    bool cut = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://multi.example/");
    dns_query(&k, 40000, 1, "multi.example", 1);
    mwg_addr both[2] = { DEST, DEST2 };
    dns_answer(&k, 40000, 1, "multi.example", 0, both, cut ? 1 : 2, cut);
    tcp_conn first = upstream_conn(DEST, 80), second = tcp_conn_make(UPLINK, 41001, DEST2, 80);
    tcp_flags_only(&k, &first, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &first, 1, MWG_TCP_RST | MWG_TCP_ACK);
    tcp_flags_only(&k, &second, 0, MWG_TCP_SYN);
    wait_s(&k, 1);
    uint32_t last = tcp_flags_only(&k, &second, 0, MWG_TCP_SYN);
    wait_s(&k, 2);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    if (cut) {
        expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
        g_assert_true(v->dns_answer_cut);
        g_assert_cmpuint(v->n_candidates, ==, 1);
        assert_addr(&v->candidates[0], &DEST2);
        g_assert_nonnull(strstr(v->summary, "snap length cut the DNS answer for multi.example"));
    } else {
        expect(v, "cannot_connect", "tcp_syn_timeout", req, last);
        g_assert_false(v->dns_answer_cut);
    }
    cap_close(&k);
}

/* A verdict that rests on an answer never seen is not sure when a frame
 * that could have been that answer went unread (an ICMP error to the SYN
 * cut by the snap length): it keeps what it saw and says so.  A frame of
 * another kind could not have answered a SYN. */
static void test_unread_doubts_silence(gconstpointer data)
{
    unsigned kinds = (unsigned)GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://10.10.67.124/");
    tcp_conn up = upstream_conn(DEST, 80);
    uint32_t syn = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    unread_frame(&k, kinds);
    wait_s(&k, 3);
    gateway_answers(&k, &cl, 502, PAGE_CANNOT_CONNECT);
    const mwg_verdict *v = only_verdict(&k);
    if (kinds & MWG_UNREAD_ICMP) {
        expect(v, "cannot_connect", "no_upstream_evidence", req, 0);
        g_assert_true(v->silence_unsure);
        g_assert_cmpint(v->doubted, ==, MWG_CAUSE_TCP_SYN_TIMEOUT);
        g_assert_cmpuint(v->attempt_frame, ==, syn);
        g_assert_nonnull(strstr(v->summary, "No answer from 10.10.67.124 port 80 to 1 SYN"));
        g_assert_nonnull(strstr(v->summary, "may have been the answer could not be read"));
    } else {
        expect(v, "cannot_connect", "tcp_syn_timeout", req, syn);
        g_assert_false(v->silence_unsure);
    }
    cap_close(&k);
}

/* A busy gateway reuses a source port: a new connect() on the 4-tuple of
 * an attempt refused earlier (another initial sequence number, or minutes
 * later) is a new attempt of its own, not a retry of the old one. */
static void test_port_reused_after_rst(gconstpointer data)
{
    bool same_isn = GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn up = upstream_conn(DEST, 80);
    tcp_conn a = client_conn(50000);
    client_asks(&k, &a, "http://10.10.67.124/");
    tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &a, 502, PAGE_CANNOT_CONNECT);
    wait_s(&k, same_isn ? 400 : 2);
    if (!same_isn)
        up.isn[0] += 1000;
    tcp_conn b = client_conn(50001);
    uint32_t req = client_asks(&k, &b, "http://10.10.67.124/");
    uint32_t syn = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    uint32_t rst = tcp_flags_only(&k, &up, 1, MWG_TCP_RST | MWG_TCP_ACK);
    gateway_answers(&k, &b, 502, PAGE_CANNOT_CONNECT);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *v = verdict(&k, 1);
    expect(v, "cannot_connect", "tcp_rst", req, rst);
    g_assert_cmpuint(v->attempt_frame, ==, syn);
    g_assert_cmpuint(v->attempts, ==, 1);
    cap_close(&k);
}

/* Hostile values: no request, time going backwards, absurd names and
 * lengths; nothing crashes, and what follows is still judged. */
/* ================================================================= TLS */

/* A segment of TLS: 'wire' as the capture holds it, and what Wireshark
 * decrypted in it (a record's plaintext, an HTTP/2 header block), with its
 * HTTP record when it dissected a message there. */
static uint32_t tls_segment(cap *k, tcp_conn *t, int dir, const uint8_t *wire, size_t len, const uint8_t *plain,
                            size_t plain_len, const uint8_t *h2_block, size_t h2_len, const mwg_ws_http *ws)
{
    mwg_facts f;
    frame_begin(k, &f);
    f.is_tcp = f.tls = true;
    f.flow = t->fl[dir];
    f.tcp_flags = MWG_TCP_ACK;
    f.tcp_seq = t->next[dir];
    f.tcp_ack = t->next[!dir];
    f.payload_len = (uint32_t)len;
    f.payload = (mwg_bytes){ wire, len, false };
    if (plain)
        f.decrypted[f.n_decrypted++] = (mwg_bytes){ plain, plain_len, false };
    if (h2_block)
        f.h2_headers[f.n_h2_headers++] = (mwg_bytes){ h2_block, h2_len, false };
    if (ws)
        f.http = *ws;
    feed(k, &f);
    t->next[dir] += (uint32_t)len;
    return f.frame;
}

/* A ClientHello with a server name, as a record. */
static GByteArray *client_hello_for(const char *sni, uint8_t random)
{
    size_t n = strlen(sni), ext = 4 + 5 + n, body = 2 + 32 + 1 + 4 + 2 + 2 + ext, rec = 4 + body;
    GByteArray *b = g_byte_array_new();
    const uint8_t head[] = {
        0x16, 0x03, 0x01, (uint8_t)(rec >> 8), (uint8_t)rec, 0x01, 0x00, (uint8_t)(body >> 8), (uint8_t)body,
        0x03, 0x03,
    };
    g_byte_array_append(b, head, sizeof head);
    for (int i = 0; i < 32; i++)
        g_byte_array_append(b, &random, 1);
    const uint8_t middle[] = {
        0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00, (uint8_t)(ext >> 8), (uint8_t)ext,
        0x00, 0x00, (uint8_t)((5 + n) >> 8), (uint8_t)(5 + n), (uint8_t)((3 + n) >> 8), (uint8_t)(3 + n), 0x00,
        (uint8_t)(n >> 8), (uint8_t)n,
    };
    g_byte_array_append(b, middle, sizeof middle);
    g_byte_array_append(b, (const uint8_t *)sni, (guint)n);
    g_assert_cmpuint(b->len, ==, 5 + rec);
    return b;
}

/* A TLS handshake record holding a ClientHello with this random byte
 * repeated, or a ServerHello. */
static GByteArray *hello(bool client, uint8_t random)
{
    GByteArray *b = g_byte_array_new();
    static const uint8_t record_client[] = { 0x16, 0x03, 0x01, 0x00, 0x2d, 0x01, 0x00, 0x00, 0x29, 0x03, 0x03 };
    static const uint8_t record_server[] = { 0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03 };
    g_byte_array_append(b, client ? record_client : record_server, sizeof record_client);
    for (int i = 0; i < 32; i++)
        g_byte_array_append(b, &random, 1);
    /* no session id; one cipher suite; no compression; (ClientHello) no extensions */
    static const uint8_t tail_client[] = { 0x00, 0x00, 0x02, 0x13, 0x01, 0x01, 0x00 };
    static const uint8_t tail_server[] = { 0x00, 0x13, 0x01, 0x00 };
    if (client)
        g_byte_array_append(b, tail_client, sizeof tail_client);
    else
        g_byte_array_append(b, tail_server, sizeof tail_server);
    g_assert_cmpuint(b->len, ==, 5 + (size_t)(b->data[3] << 8 | b->data[4]));
    return b;
}

/* An HTTP/2 header block in Wireshark's decompressed form. */
static GByteArray *h2_block(const char *const *pairs, unsigned n)
{
    GByteArray *b = g_byte_array_new();
    for (unsigned i = 0; i < n; i++) {
        uint32_t len = (uint32_t)strlen(pairs[i]);
        uint8_t be[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };
        g_byte_array_append(b, be, 4);
        g_byte_array_append(b, (const uint8_t *)pairs[i], len);
    }
    return b;
}

/* The decrypted record that carried a HEADERS frame of 'stream'. */
static void h2_headers_frame(uint8_t out[9 + 4], uint32_t stream)
{
    const uint8_t frame[] = { 0, 0, 4, 1, 4, (uint8_t)(stream >> 24), (uint8_t)(stream >> 16), (uint8_t)(stream >> 8),
                              (uint8_t)stream, 0x82, 0x84, 0x87, 0x41 };
    memcpy(out, frame, sizeof frame);
}

/* A client's tunnel through an intercepting gateway: CONNECT, 200. */
static uint32_t open_tunnel(cap *k, tcp_conn *cl, const char *authority, uint32_t *connect)
{
    tcp_open(k, cl);
    *connect = send_msg(k, cl, 0, request_text(k, "CONNECT", authority, authority));
    return send_msg(k, cl, 1, "HTTP/1.1 200 Connection established\r\n\r\n");
}

static const uint8_t TLS_WIRE[] = { 0x17, 0x03, 0x03, 0x00, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/* HTTP/2 inside a tunnel answers on the request's stream, in any order:
 * each error names its own request, and the gateway's work for both began
 * at the CONNECT (Squid resolves after its 200). */
static void test_h2_answers_out_of_order(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50100);
    uint32_t connect;
    open_tunnel(&k, &cl, "nx.example:443", &connect);
    dns_query(&k, 40100, 7, "nx.example", 1);
    uint32_t nx = dns_answer(&k, 40100, 7, "nx.example", 3, NULL, 0, false);
    const char *get_a[] = { ":method", "GET", ":path", "/a", ":authority", "nx.example" };
    const char *get_b[] = { ":method", "GET", ":path", "/b", ":authority", "nx.example" };
    const char *bad[] = { ":status", "502", "server", "squid" };
    GByteArray *ba = h2_block(get_a, 6), *bb = h2_block(get_b, 6), *be = h2_block(bad, 4);
    uint8_t f1[13], f3[13];
    h2_headers_frame(f1, 1);
    h2_headers_frame(f3, 3);
    uint32_t req1 = tls_segment(&k, &cl, 0, TLS_WIRE, sizeof TLS_WIRE, f1, sizeof f1, ba->data, ba->len, NULL);
    uint32_t req3 = tls_segment(&k, &cl, 0, TLS_WIRE, sizeof TLS_WIRE, f3, sizeof f3, bb->data, bb->len, NULL);
    uint32_t err3 = tls_segment(&k, &cl, 1, TLS_WIRE, sizeof TLS_WIRE, f3, sizeof f3, be->data, be->len, NULL);
    uint32_t err1 = tls_segment(&k, &cl, 1, TLS_WIRE, sizeof TLS_WIRE, f1, sizeof f1, be->data, be->len, NULL);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 0), "host_not_resolvable", "dns_nxdomain", req3, nx);
    g_assert_cmpuint(verdict(&k, 0)->error_frame, ==, err3);
    g_assert_cmpuint(verdict(&k, 0)->connect_frame, ==, connect);
    expect(verdict(&k, 1), "host_not_resolvable", "dns_nxdomain", req1, nx);
    g_assert_cmpuint(verdict(&k, 1)->error_frame, ==, err1);
    g_byte_array_free(ba, TRUE);
    g_byte_array_free(bb, TRUE);
    g_byte_array_free(be, TRUE);
    cap_close(&k);
}

/* The gateway connects to the origin, which shows its ServerHello; the
 * gateway closes without going on: tls_handshake_rejected, evidence its
 * FIN.  With the client's keys the 502 inside the tunnel carries the
 * verdict; without them, the 200 does, once the tunnel ends; a gateway that
 * only relays the client's own ClientHello hides no error. */
typedef enum { KEYS_CLIENT, KEYS_NONE, KEYS_NONE_RELAYED } tls_keys;

static void test_tls_handshake_rejected(gconstpointer data)
{
    tls_keys keys = (tls_keys)GPOINTER_TO_INT(data);
    cap k;
    cap_open(&k);
    tcp_conn cl = client_conn(50200);
    uint32_t connect;
    uint32_t opened = open_tunnel(&k, &cl, "bad.example:443", &connect);
    GByteArray *client_hello = hello(true, 0xc1), *gateway_hello = hello(true, keys == KEYS_NONE_RELAYED ? 0xc1 : 0x9a);
    GByteArray *server_hello = hello(false, 0x5e);
    tls_segment(&k, &cl, 0, client_hello->data, client_hello->len, NULL, 0, NULL, 0, NULL);
    dns_query(&k, 40200, 8, "bad.example", 1);
    dns_answer(&k, 40200, 8, "bad.example", 0, &DEST, 1, false);
    tcp_conn up = upstream_conn(DEST, 443);
    uint32_t syn = tcp_flags_only(&k, &up, 0, MWG_TCP_SYN);
    tcp_flags_only(&k, &up, 1, MWG_TCP_SYN | MWG_TCP_ACK);
    tls_segment(&k, &up, 0, gateway_hello->data, gateway_hello->len, NULL, 0, NULL, 0, NULL);
    tls_segment(&k, &up, 1, server_hello->data, server_hello->len, NULL, 0, NULL, 0, NULL);
    uint32_t fin = tcp_flags_only(&k, &up, 0, MWG_TCP_FIN | MWG_TCP_ACK);
    if (keys == KEYS_CLIENT) {
        const char *get = request_text(&k, "GET", "/", "bad.example");
        const char *page = response_text(&k, 502, "certificate rejected");
        mwg_ws_http ws_get = ws_record(&k, get), ws_page = ws_record(&k, page);
        uint32_t req = tls_segment(&k, &cl, 0, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)get, strlen(get), NULL, 0,
                                   &ws_get);
        uint32_t err = tls_segment(&k, &cl, 1, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)page, strlen(page), NULL,
                                   0, &ws_page);
        const mwg_verdict *v = only_verdict(&k);
        expect(v, "cannot_connect", "tls_handshake_rejected", req, fin);
        g_assert_cmpuint(v->error_frame, ==, err);
        g_assert_cmpuint(v->connect_frame, ==, connect);
        g_assert_cmpuint(v->attempt_frame, ==, syn);
        g_assert_false(v->in_tunnel);
    } else {
        tcp_flags_only(&k, &cl, 0, MWG_TCP_FIN | MWG_TCP_ACK);
        if (keys == KEYS_NONE_RELAYED) {
            g_assert_cmpuint(k.verdicts->len, ==, 0);
        } else {
            const mwg_verdict *v = only_verdict(&k);
            expect(v, "cannot_connect", "tls_handshake_rejected", connect, fin);
            g_assert_cmpuint(v->error_frame, ==, opened);
            g_assert_true(v->in_tunnel);
            g_assert_nonnull(strstr(v->summary, "not visible without keys"));
        }
    }
    g_byte_array_free(client_hello, TRUE);
    g_byte_array_free(gateway_hello, TRUE);
    g_byte_array_free(server_hello, TRUE);
    cap_close(&k);
}

/* Two hosts on one address, tunnels at the same time: the gateway's
 * handshake for the other host (its SNI) failed later; this host's went
 * through, so its error is not the other's alert. */
static void test_tls_sni_tells_hosts_apart(void)
{
    cap k;
    cap_open(&k);
    tcp_conn cb = client_conn(50300), ca = client_conn(50301);
    uint32_t connect_b, connect_a;
    open_tunnel(&k, &cb, "b.example:443", &connect_b);
    open_tunnel(&k, &ca, "a.example:443", &connect_a);
    dns_query(&k, 40300, 9, "b.example", 1);
    dns_answer(&k, 40300, 9, "b.example", 0, &DEST, 1, false);
    dns_query(&k, 40301, 10, "a.example", 1);
    dns_answer(&k, 40301, 10, "a.example", 0, &DEST, 1, false);
    GByteArray *hb = client_hello_for("b.example", 0x0b), *ha = client_hello_for("a.example", 0x0a);
    GByteArray *server_hello = hello(false, 0x5e);
    static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
    static const uint8_t alert[] = { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28 };
    tcp_conn ub = tcp_conn_make(UPLINK, 41300, DEST, 443), ua = tcp_conn_make(UPLINK, 41301, DEST, 443);
    tcp_open(&k, &ub);
    tls_segment(&k, &ub, 0, hb->data, hb->len, NULL, 0, NULL, 0, NULL);
    tls_segment(&k, &ub, 1, server_hello->data, server_hello->len, NULL, 0, NULL, 0, NULL);
    tls_segment(&k, &ub, 0, ccs, sizeof ccs, NULL, 0, NULL, 0, NULL);
    tcp_open(&k, &ua);
    tls_segment(&k, &ua, 0, ha->data, ha->len, NULL, 0, NULL, 0, NULL);
    uint32_t alerted = tls_segment(&k, &ua, 1, alert, sizeof alert, NULL, 0, NULL, 0, NULL);
    const char *get = request_text(&k, "GET", "/", "b.example");
    const char *page = response_text(&k, 502, "");
    mwg_ws_http ws_get = ws_record(&k, get), ws_page = ws_record(&k, page);
    tls_segment(&k, &cb, 0, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)get, strlen(get), NULL, 0, &ws_get);
    tls_segment(&k, &cb, 1, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)page, strlen(page), NULL, 0, &ws_page);
    const mwg_verdict *v = only_verdict(&k);
    g_assert_cmpstr(mwg_cause_token(v->cause), !=, "tls_alert");
    g_assert_cmpuint(v->evidence_frame, !=, alerted);
    /* The other host's error is its alert. */
    get = request_text(&k, "GET", "/", "a.example");
    ws_get = ws_record(&k, get);
    uint32_t req_a = tls_segment(&k, &ca, 0, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)get, strlen(get), NULL, 0,
                                 &ws_get);
    tls_segment(&k, &ca, 1, TLS_WIRE, sizeof TLS_WIRE, (const uint8_t *)page, strlen(page), NULL, 0, &ws_page);
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    expect(verdict(&k, 1), "cannot_connect", "tls_alert", req_a, alerted);
    g_byte_array_free(hb, TRUE);
    g_byte_array_free(ha, TRUE);
    g_byte_array_free(server_hello, TRUE);
    cap_close(&k);
}

static void test_hostile_facts(void)
{
    cap k;
    cap_open(&k);
    tcp_conn mid = client_conn(49999);
    gateway_answers(&k, &mid, 502, "<html>Bad Gateway</html>");  /* the request is not in the capture */
    expect(only_verdict(&k), "unknown", "no_upstream_evidence", 0, 0);

    tcp_conn cl = client_conn(50000);
    uint32_t req = client_asks(&k, &cl, "http://[2001:db8::1]:8080/");
    k.ts -= INT64_C(3600) * 24 * 365 * MWG_NS_PER_S;   /* backwards a year */
    dns_query(&k, 1, 1, "", 1);
    dns_query(&k, 1, 1, "a/b", 1);

    mwg_facts f;
    frame_begin(&k, &f);                /* a name filling the array, no NUL */
    f.is_udp = f.has_dns = f.dns_is_response = true;
    f.flow = (mwg_flow){ { DNS, 53 }, { UPLINK, 1 } };
    memset(f.dns_qname, 'a', sizeof f.dns_qname);
    feed(&k, &f);

    static const char junk[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 99999999999999999999\r\n\r\n";
    frame_begin(&k, &f);                /* claims more than it holds, cut, with a PDU of nothing */
    f.is_tcp = true;
    f.flow = (mwg_flow){ { DEST2, 80 }, { UPLINK, 2 } };
    f.tcp_flags = MWG_TCP_ACK | MWG_TCP_FIN;
    f.tcp_seq = 7;
    f.payload_len = UINT32_MAX;
    f.payload = (mwg_bytes){ (const uint8_t *)junk, sizeof junk - 1, true };
    f.reassembled = (mwg_bytes){ (const uint8_t *)junk, 0, true };
    f.http = (mwg_ws_http){ .took_message = true, .last_is_response = true, .last_status = 502, .last_method = "" };
    feed(&k, &f);
    frame_again(&k, &f, false);         /* the same again, sequence number going back */
    f.tcp_seq = 3;
    feed(&k, &f);

    gateway_answers(&k, &cl, 502, "<html>Bad Gateway</html>");
    g_assert_cmpuint(k.verdicts->len, ==, 2);
    const mwg_verdict *v = verdict(&k, 1);
    g_assert_cmpstr(v->host, ==, "2001:db8::1");
    expect(v, "unknown", "no_upstream_evidence", req, 0);
    finish(&k);
    cap_close(&k);
}

static void test_blockpage_markers(void)
{
    static const struct {
        const char *page;
        mwg_category family;
        bool recognised;
    } cases[] = {
        { "<title>McAfee Web Gateway - Notification</title><div id=titleData>Cannot Connect</div>",
          MWG_CAT_CANNOT_CONNECT, true },
        { "<!-- FileName: notresolvable.html -->", MWG_CAT_HOST_NOT_RESOLVABLE, true },
        { "Failure Description: :badresponse: something", MWG_CAT_BAD_RESPONSE, true },
        { "<a href=\"/mwg-internal/de5fs23hu73ds/plugin\">x</a>", MWG_CAT_UNKNOWN, true },
        { "<html><body>Bad Gateway</body></html>", MWG_CAT_UNKNOWN, false },
        /* The earliest family marker wins, wherever the table lists it. */
        { "<title>Host not resolvable</title> quoting: Cannot Connect", MWG_CAT_HOST_NOT_RESOLVABLE, true },
        { "ERR_CONNECT_FAIL then notresolvable", MWG_CAT_CANNOT_CONNECT, true },
        /* A marker cut by the end of the page is not there. */
        { "<b>cannot conn", MWG_CAT_UNKNOWN, false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        mwg_block_page bp;
        mwg_blockpage_read((const uint8_t *)cases[i].page, strlen(cases[i].page), false, &bp);
        g_assert_cmpint(bp.family, ==, cases[i].family);
        g_assert_cmpint(bp.recognised, ==, cases[i].recognised);
        g_assert_cmpint(bp.gateway, ==, MWG_GW_UNKNOWN);    /* not asked */
    }
    /* Whose page, when asked: the best mark in the table's order wherever
     * it is, past the family marker; the family is unchanged. */
    static const struct {
        const char *page;
        mwg_category family;
        bool recognised;
        mwg_gateway gateway;
    } whose[] = {
        { "<!-- ERR_CONNECT_FAIL --> (squid/5.7) ... McAfee Web Gateway", MWG_CAT_CANNOT_CONNECT, true, MWG_GW_MWG },
        { "<!-- ERR_DNS_FAIL --> Generated by proxy (squid/5.7)", MWG_CAT_HOST_NOT_RESOLVABLE, true, MWG_GW_SQUID },
        /* A server's signature alone is no gateway's block page. */
        { "<hr><center>nginx/1.22.1</center>", MWG_CAT_UNKNOWN, false, MWG_GW_NGINX },
        { "<address>Apache/2.4 Server</address> Cannot Connect", MWG_CAT_CANNOT_CONNECT, true, MWG_GW_APACHE },
        { "<html><body>Bad Gateway</body></html>", MWG_CAT_UNKNOWN, false, MWG_GW_UNKNOWN },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(whose); i++) {
        mwg_block_page bp;
        mwg_blockpage_read((const uint8_t *)whose[i].page, strlen(whose[i].page), true, &bp);
        g_assert_cmpint(bp.family, ==, whose[i].family);
        g_assert_cmpint(bp.recognised, ==, whose[i].recognised);
        g_assert_cmpint(bp.gateway, ==, whose[i].gateway);
    }
}

/* Where a search per mark, case ignored, first finds it wholly within
 * the first 'bound' bytes, or SIZE_MAX. */
static size_t naive_first(const char *text, size_t len, const char *mark, size_t bound)
{
    size_t m = strlen(mark);
    len = MIN(len, bound);
    for (size_t at = 0; at + m <= len; at++)
        if (g_ascii_strncasecmp(text + at, mark, m) == 0)
            return at;
    return SIZE_MAX;
}

/* One pass finds each mark where a search per mark first would, whatever
 * the case, and only within the bounded prefix. */
static void test_mark_scan(void)
{
    static const char *const marks[] = { "cannot", "can", "not", "cannot connect", "z", "<!-- err_" };
    mwg_mark_set set = { 0 };
    for (size_t i = 0; i < G_N_ELEMENTS(marks); i++)
        mwg_mark_set_add(&set, marks[i]);
    mwg_mark_set_add(&set, "");
    g_assert_cmpuint(set.n, ==, G_N_ELEMENTS(marks));

    GString *long_page = g_string_new(NULL);
    while (long_page->len < MWG_BLOCKPAGE_SCAN - 4)
        g_string_append_c(long_page, 'x');
    g_string_append(long_page, "CANNOT CONNECT");   /* "can" fits the prefix, "cannot" does not */
    const char *texts[] = {
        "We CANNOT connect; not now, Z",
        "a canno",                      /* marks cut by the end */
        "<!-- ERR_CONNECT_FAIL --> Cannot Connect",
        "",
        long_page->str,
    };
    for (size_t t = 0; t < G_N_ELEMENTS(texts); t++) {
        size_t len = strlen(texts[t]);
        mwg_mark_hits hits;
        mwg_mark_scan(&set, (const uint8_t *)texts[t], len, 0, &hits);
        for (size_t i = 0; i < G_N_ELEMENTS(marks); i++) {
            size_t want = naive_first(texts[t], len, marks[i], MWG_BLOCKPAGE_SCAN);
            g_assert_cmpint((hits.found >> i) & 1, ==, want != SIZE_MAX);
            if (want != SIZE_MAX)
                g_assert_cmpuint(hits.at[i], ==, want);
        }
    }
    mwg_mark_hits hits;
    mwg_mark_scan(&set, (const uint8_t *)texts[4], strlen(texts[4]), 0, &hits);
    g_assert_cmpuint(hits.found, ==, 1u << 1);
    g_string_free(long_page, TRUE);

    /* The earliest among some marks; the lowest index at one offset. */
    mwg_mark_scan(&set, (const uint8_t *)texts[0], strlen(texts[0]), 0, &hits);
    g_assert_cmpint(mwg_mark_earliest(&hits, UINT32_MAX), ==, 0);       /* "cannot", "can" at 3 */
    g_assert_cmpint(mwg_mark_earliest(&hits, 1u << 2 | 1u << 4), ==, 2); /* "not" at 6 */
    g_assert_cmpint(mwg_mark_earliest(&hits, 1u << 4), ==, 4);
    g_assert_cmpint(mwg_mark_earliest(&hits, 1u << 5), ==, -1);
    mwg_mark_scan(&set, NULL, 10, 0, &hits);
    g_assert_cmpuint(hits.found, ==, 0);
    /* Stopped where "not" is found (6): every mark starting before or
     * there is found where it first occurs, "z" (28) is not looked for. */
    mwg_mark_scan(&set, (const uint8_t *)texts[0], strlen(texts[0]), 1u << 2, &hits);
    g_assert_cmpuint(hits.found, ==, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3);
    g_assert_cmpuint(hits.at[2], ==, 6);
    g_assert_cmpuint(hits.at[3], ==, 3);
    /* "<!-- err_" at 0 in the third text: "can" (26) is not looked for. */
    mwg_mark_scan(&set, (const uint8_t *)texts[2], strlen(texts[2]), 1u << 5, &hits);
    g_assert_cmpuint(hits.found, ==, 1u << 5);
}

/* Addresses are written as the C library writes them; "?" for none. */
static void test_addr_to_str(void)
{
    static const uint8_t quads[][4] = { { 0, 0, 0, 0 }, { 9, 10, 99, 100 }, { 255, 255, 255, 255 }, { 192, 0, 2, 7 } };
    for (size_t i = 0; i < G_N_ELEMENTS(quads); i++) {
        mwg_addr a = { .family = 4 };
        memcpy(a.bytes, quads[i], 4);
        char got[MWG_ADDR_STRLEN], want[INET_ADDRSTRLEN];
        g_assert_nonnull(inet_ntop(AF_INET, quads[i], want, sizeof want));
        g_assert_cmpstr(mwg_addr_to_str(&a, got, sizeof got), ==, want);
    }
    mwg_addr v6;
    g_assert_true(mwg_addr_parse("2001:db8::1", &v6));
    char buf[MWG_ADDR_STRLEN];
    g_assert_cmpstr(mwg_addr_to_str(&v6, buf, sizeof buf), ==, "2001:db8::1");
    mwg_addr none = { 0 };
    g_assert_cmpstr(mwg_addr_to_str(&none, buf, sizeof buf), ==, "?");
    /* A buffer too small for the address gets "?", never a cut address. */
    mwg_addr wide = { .family = 4, .bytes = { 255, 255, 255, 255 } };
    char small[15];
    g_assert_cmpstr(mwg_addr_to_str(&wide, small, sizeof small), ==, "?");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/correlate/dns/nxdomain-a-and-aaaa", test_nxdomain_a_and_aaaa);
    g_test_add_func("/correlate/dns/no-response", test_dns_no_response);
    g_test_add_func("/correlate/dns/query-moments-old", test_dns_query_moments_old);
    g_test_add_func("/correlate/dns/own-lookups-crowded-out", test_dns_own_lookups_crowded_out);
    g_test_add_data_func("/correlate/dns/failure-cached/nxdomain", GINT_TO_POINTER(CACHED_FAILURE),
                         test_dns_failure_cached);
    g_test_add_data_func("/correlate/dns/failure-cached/then-resolved", GINT_TO_POINTER(CACHED_THEN_RESOLVED),
                         test_dns_failure_cached);
    g_test_add_data_func("/correlate/dns/failure-cached/pipelined", GINT_TO_POINTER(false),
                         test_dns_failure_cached_pipelined);
    g_test_add_data_func("/correlate/dns/failure-cached/pipelined-crowded", GINT_TO_POINTER(true),
                         test_dns_failure_cached_pipelined);
    g_test_add_data_func("/correlate/dns/own-lookup-refused/later-nxdomain", GINT_TO_POINTER(LATER_NXDOMAIN),
                         test_dns_own_lookup_refused);
    g_test_add_data_func("/correlate/dns/own-lookup-refused/later-resolved", GINT_TO_POINTER(LATER_RESOLVED),
                         test_dns_own_lookup_refused);
    g_test_add_data_func("/correlate/dns/own-lookup-refused/six-later", GINT_TO_POINTER(LATER_SIX),
                         test_dns_own_lookup_refused);
    g_test_add_data_func("/correlate/dns/own-lookup-refused/too-many-later", GINT_TO_POINTER(LATER_TOO_MANY),
                         test_dns_own_lookup_refused);
    g_test_add_func("/correlate/dns/lookups-in-turn", test_dns_lookups_in_turn);
    g_test_add_func("/correlate/dns/server-unreachable", test_dns_server_unreachable);
    g_test_add_func("/correlate/dns/rcodes", test_dns_rcodes);
    g_test_add_func("/correlate/dns/cut-answer-is-not-nodata", test_dns_cut_answer_is_not_nodata);
    g_test_add_func("/correlate/dns/colliding-names-stay-apart", test_colliding_names_stay_apart);

    g_test_add_data_func("/correlate/connect/syn-timeout-counts-syns", &SYNS_ONCE, test_syn_timeout_counts_syns);
    g_test_add_data_func("/correlate/connect/syn-timeout-counts-syns/bridge", &SYNS_BRIDGE,
                         test_syn_timeout_counts_syns);
    g_test_add_func("/correlate/connect/cached-name-two-addresses-rst", test_cached_name_two_addresses_rst);
    g_test_add_data_func("/correlate/attempts/storm-each-own-attempt", GINT_TO_POINTER(0),
                         test_storm_each_own_attempt);
    g_test_add_data_func("/correlate/attempts/storm-each-own-attempt/unordered", GINT_TO_POINTER(1),
                         test_storm_each_own_attempt);
    g_test_add_func("/correlate/connect/icmp-admin-prohibited", test_icmp_admin_prohibited);

    g_test_add_data_func("/correlate/reply/not-http", &REPLY_NOT_HTTP, test_bad_reply);
    g_test_add_data_func("/correlate/reply/pdf", &REPLY_PDF, test_bad_reply);
    g_test_add_data_func("/correlate/reply/fin", &REPLY_FIN, test_bad_reply);
    g_test_add_data_func("/correlate/reply/rst", &REPLY_RST, test_bad_reply);
    g_test_add_data_func("/correlate/reply/none", &REPLY_NONE, test_bad_reply);
    g_test_add_data_func("/correlate/reply/origin-502", &REPLY_502, test_bad_reply);
    g_test_add_func("/correlate/reply/origin-502-until-close", test_origin_502_until_close);
    g_test_add_func("/correlate/reply/keepalive-second-reply-invalid", test_keepalive_upstream_second_reply_invalid);

    g_test_add_func("/correlate/client/healthy-and-keepalive", test_healthy_and_keepalive);
    g_test_add_func("/correlate/client/connect-tunnel-and-status-pref", test_connect_tunnel_and_status_pref);
    g_test_add_func("/correlate/client/proxy-recognised-by-request-form", test_proxy_recognised_by_request_form);
    g_test_add_func("/correlate/client/decoys-are-ignored", test_decoys_are_ignored);
    g_test_add_func("/correlate/client/untracked-requests-never-shift", test_untracked_requests_never_shift);

    g_test_add_data_func("/correlate/stream/split/2", &SPLIT_2, test_split_error_page);
    g_test_add_data_func("/correlate/stream/split/3", &SPLIT_3, test_split_error_page);
    g_test_add_data_func("/correlate/stream/split/bytes", &SPLIT_BYTES, test_split_error_page);
    g_test_add_func("/correlate/stream/headers-then-body", test_headers_then_body);
    g_test_add_func("/correlate/stream/decoded-body", test_decoded_body);
    g_test_add_data_func("/correlate/stream/incomplete/client-rst", &CLIENT_RST, test_incomplete_on_close);
    g_test_add_data_func("/correlate/stream/incomplete/gateway-rst", &GATEWAY_RST, test_incomplete_on_close);
    g_test_add_data_func("/correlate/stream/incomplete/gateway-fin", &GATEWAY_FIN, test_incomplete_on_close);
    g_test_add_func("/correlate/stream/incomplete/capture-ends", test_incomplete_at_capture_end);
    g_test_add_func("/correlate/stream/incomplete/connection-expires", test_incomplete_when_idle_connection_expires);
    g_test_add_data_func("/correlate/stream/incomplete/later-reply", GINT_TO_POINTER(true),
                         test_incomplete_ignores_later_evidence);
    g_test_add_data_func("/correlate/stream/incomplete/later-rst", GINT_TO_POINTER(false),
                         test_incomplete_ignores_later_evidence);
    g_test_add_func("/correlate/stream/incomplete/later-request", test_incomplete_ignores_later_request);
    g_test_add_func("/correlate/stream/upload-interrupted", test_upload_interrupted);
    g_test_add_data_func("/correlate/gateway/reply-goes-bad/no-colon-same-segment", &NO_COLON_SAME,
                         test_reply_goes_bad);
    g_test_add_data_func("/correlate/gateway/reply-goes-bad/no-colon-later", &NO_COLON_LATER, test_reply_goes_bad);
    g_test_add_data_func("/correlate/gateway/reply-goes-bad/nul-later", &NUL_LATER, test_reply_goes_bad);
    g_test_add_data_func("/correlate/gateway/reply-goes-bad/length-not-a-number", &LENGTH_NOT_A_NUMBER,
                         test_reply_goes_bad);
    g_test_add_data_func("/correlate/gateway/reply-goes-bad/lengths-disagree", &LENGTHS_DISAGREE,
                         test_reply_goes_bad);
    g_test_add_func("/correlate/gateway/reply-header-block-too-large", test_reply_header_block_too_large);
    g_test_add_data_func("/correlate/attempts/port-reused-new-isn", GINT_TO_POINTER(0),
                         test_port_reused_after_rst);
    g_test_add_data_func("/correlate/attempts/port-reused-minutes-later", GINT_TO_POINTER(1),
                         test_port_reused_after_rst);
    g_test_add_data_func("/correlate/attempts/unowned-with-rival", GINT_TO_POINTER(RIVAL_WAITING),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-forwarded", GINT_TO_POINTER(RIVAL_FORWARDED),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-nxdomain", GINT_TO_POINTER(RIVAL_NXDOMAIN),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-answer-cut", GINT_TO_POINTER(RIVAL_ANSWER_CUT),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-host-cut", GINT_TO_POINTER(RIVAL_HOST_CUT),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-hidden", GINT_TO_POINTER(RIVAL_HIDDEN),
                         test_unowned_attempts_with_rival);
    g_test_add_data_func("/correlate/attempts/unowned-rival-lost", GINT_TO_POINTER(RIVAL_LOST),
                         test_unowned_attempts_with_rival);
    g_test_add_func("/correlate/pipelining/cut-forward-and-its-copy", test_cut_forward_and_its_copy);
    g_test_add_data_func("/correlate/pipelining/cut-answer-then-bytes-lost", GINT_TO_POINTER(false),
                         test_cut_answer_then_bytes_lost);
    g_test_add_data_func("/correlate/pipelining/cut-answer-then-its-rest-lost", GINT_TO_POINTER(true),
                         test_cut_answer_then_bytes_lost);
    g_test_add_func("/correlate/pipelining/cut-request-then-bytes-lost", test_cut_request_then_bytes_lost);
    g_test_add_data_func("/correlate/pipelining/answer-out-of-order", GINT_TO_POINTER(false),
                         test_answer_out_of_order);
    g_test_add_data_func("/correlate/pipelining/answer-out-of-order-reassembled", GINT_TO_POINTER(true),
                         test_answer_out_of_order);
    g_test_add_data_func("/correlate/dns/cut-answer-hides-attempts", GINT_TO_POINTER(true),
                         test_cut_answer_hides_attempts);
    g_test_add_data_func("/correlate/dns/whole-answer-tells-attempts", GINT_TO_POINTER(false),
                         test_cut_answer_hides_attempts);
    g_test_add_data_func("/correlate/unread/icmp-doubts-syn-timeout", GINT_TO_POINTER(MWG_UNREAD_ICMP),
                         test_unread_doubts_silence);
    g_test_add_data_func("/correlate/unread/http-leaves-syn-timeout", GINT_TO_POINTER(MWG_UNREAD_HTTP),
                         test_unread_doubts_silence);
    g_test_add_func("/correlate/pipelining/answer-missing-keepalive", test_answer_missing_keepalive);
    g_test_add_func("/correlate/pipelining/answer-missing-pipelined", test_answer_missing_pipelined);
    g_test_add_func("/correlate/pipelining/cut-answers-in-turn", test_cut_answers_in_turn);
    g_test_add_func("/correlate/pipelining/cut-answer-tail-is-no-message", test_cut_answer_tail_is_no_message);
    g_test_add_func("/correlate/pipelining/cut-answer-judged-in-its-frame", test_cut_answer_judged_in_its_frame);
    g_test_add_func("/correlate/pipelining/cut-request-tail-is-no-message", test_cut_request_tail_is_no_message);
    g_test_add_func("/correlate/pipelining/request-missing", test_request_missing_pipelined);
    g_test_add_func("/correlate/pipelining/whole-answer-after-cut-one", test_whole_answer_after_cut_one);
    g_test_add_data_func("/correlate/gateway/valid-reply-headers-past-nginx-limit", GINT_TO_POINTER(1),
                         test_valid_reply_headers_past_limit);
    g_test_add_data_func("/correlate/gateway/valid-reply-long-headers-unknown-gateway", GINT_TO_POINTER(0),
                         test_valid_reply_headers_past_limit);
    g_test_add_data_func("/correlate/gateway/gave-up-first/origin-fin-before-error", GINT_TO_POINTER(true),
                         test_gateway_gave_up_first);
    g_test_add_data_func("/correlate/gateway/gave-up-first/origin-fin-after-error", GINT_TO_POINTER(false),
                         test_gateway_gave_up_first);
    g_test_add_func("/correlate/gateway/each-request-its-own-attempt", test_each_request_its_own_attempt);
    g_test_add_func("/correlate/gateway/parent-refuses", test_parent_refuses);
    g_test_add_func("/correlate/gateway/parent-error-relayed", test_parent_error_relayed);
    g_test_add_data_func("/correlate/gateway/transparent/on", GINT_TO_POINTER(true), test_transparent_gateway);
    g_test_add_data_func("/correlate/gateway/transparent/off", GINT_TO_POINTER(false), test_transparent_gateway);
    g_test_add_func("/correlate/gateway/transparent/upstream-leg", test_transparent_upstream_leg);
    g_test_add_func("/correlate/gateway/success-elsewhere-hides-nothing", test_success_elsewhere_hides_nothing);
    g_test_add_func("/correlate/gateway/later-request-owns-its-attempt", test_later_request_owns_its_attempt);
    g_test_add_func("/correlate/gateway/forward-before-another-request", test_forward_before_another_request);
    g_test_add_func("/correlate/gateway/young-not-waited-on", test_young_forward_not_waited_on);
    g_test_add_func("/correlate/gateway/pending-attempt-of-a-later-request", test_pending_attempt_of_a_later_request);
    g_test_add_func("/correlate/gateway/pending-attempt-after-many-requests", test_pending_attempt_after_many_requests);
    g_test_add_func("/correlate/gateway/fresh-syn-after-bad-reply", test_fresh_syn_after_bad_reply);
    g_test_add_func("/correlate/gateway/other-names-attempts", test_other_names_attempts);
    g_test_add_func("/correlate/gateway/forward-on-kept-connection", test_forward_on_kept_connection);
    g_test_add_func("/correlate/gateway/young-syn-of-an-earlier-request", test_young_syn_of_an_earlier_request);
    g_test_add_func("/correlate/gateway/only-forward-of-its-page", test_only_forward_of_its_page);
    g_test_add_data_func("/correlate/gateway/first-come-first-served", GINT_TO_POINTER(0),
                         test_first_come_first_served);
    g_test_add_data_func("/correlate/gateway/first-come-first-served-reused", GINT_TO_POINTER(1),
                         test_first_come_first_served);
    g_test_add_func("/correlate/gateway/forward-of-its-own-page", test_forward_of_its_own_page);
    g_test_add_func("/correlate/stream/long-request-line", test_long_request_line);
    g_test_add_data_func("/correlate/stream/pipelining/17-segment-each", &PIPE_17_ONE_SEGMENT_EACH_40,
                         test_pipelining);
    g_test_add_data_func("/correlate/stream/pipelining/17-mss/ws4.0", &PIPE_17_MSS_40, test_pipelining);
    g_test_add_data_func("/correlate/stream/pipelining/17-mss/ws4.2", &PIPE_17_MSS_42, test_pipelining);
    g_test_add_data_func("/correlate/stream/pipelining/100-mss/ws4.0", &PIPE_100_MSS_40, test_pipelining);
    g_test_add_data_func("/correlate/stream/pipelining/100-mss/ws4.2", &PIPE_100_MSS_42, test_pipelining);
    g_test_add_data_func("/correlate/stream/ten-in-one-segment/ws4.0", &WS_40, test_ten_responses_in_one_segment);
    g_test_add_data_func("/correlate/stream/ten-in-one-segment/ws4.2", &WS_42, test_ten_responses_in_one_segment);
    g_test_add_data_func("/correlate/stream/straddling/mixed-status/ws4.2", &STRADDLE_MIXED_42,
                         test_straddling_response);
    g_test_add_data_func("/correlate/stream/straddling/same-status/ws4.0", &STRADDLE_SAME_40,
                         test_straddling_response);
    g_test_add_data_func("/correlate/stream/straddling/same-status/ws4.2", &STRADDLE_SAME_42,
                         test_straddling_response);
    g_test_add_data_func("/correlate/stream/straddling/in-status-line/ws4.0", &STRADDLE_STATUS_LINE_40,
                         test_straddling_response);
    g_test_add_data_func("/correlate/stream/straddling/in-status-line/ws4.2", &STRADDLE_STATUS_LINE_42,
                         test_straddling_response);
    g_test_add_data_func("/correlate/stream/bridge-copies/ws4.0", &WS_40_BRIDGE, test_bridge_copies_change_nothing);
    g_test_add_data_func("/correlate/stream/bridge-copies/ws4.2", &WS_42_BRIDGE, test_bridge_copies_change_nothing);

    g_test_add_func("/correlate/unread/http-reported", test_unread_http_reported);
    g_test_add_func("/correlate/unread/copy-with-pending-message", test_copy_with_pending_message_is_read);
    g_test_add_func("/correlate/unread/no-evidence-says-so", test_no_evidence_between_unread_frames);

    g_test_add_func("/correlate/bounds/state-is-bounded", test_state_is_bounded);
    g_test_add_func("/correlate/bounds/many-unowned-attempts", test_many_unowned_attempts);
    g_test_add_func("/correlate/hostile-facts", test_hostile_facts);
    g_test_add_func("/correlate/tls/h2-out-of-order", test_h2_answers_out_of_order);
    g_test_add_func("/correlate/tls/sni-tells-hosts-apart", test_tls_sni_tells_hosts_apart);
    g_test_add_data_func("/correlate/tls/rejected-client-keys", GINT_TO_POINTER(KEYS_CLIENT),
                         test_tls_handshake_rejected);
    g_test_add_data_func("/correlate/tls/rejected-no-keys", GINT_TO_POINTER(KEYS_NONE), test_tls_handshake_rejected);
    g_test_add_data_func("/correlate/tls/rejected-relayed", GINT_TO_POINTER(KEYS_NONE_RELAYED),
                         test_tls_handshake_rejected);
    g_test_add_func("/correlate/blockpage-markers", test_blockpage_markers);
    g_test_add_func("/correlate/mark-scan", test_mark_scan);
    g_test_add_func("/correlate/addr-to-str", test_addr_to_str);

    return g_test_run();
}
