/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_correlate.c - libFuzzer harness for the correlation engine alone.
 *
 * The fuzz input is decoded into a small configuration (tiny capacities and
 * windows, so that eviction and expiry run all the time) and then into a
 * sequence of mwg_facts records, fed to mwg_correlator_feed() in order and
 * closed by mwg_correlator_finish().  A few TCP conversations are kept so
 * that segments follow each other by sequence number in each direction,
 * mostly.  They carry whole messages cut into segments of any size, with
 * Wireshark's part (took_message, the record's status or method, the
 * reassembled PDU) as Wireshark would give it, or HTTP-looking pieces
 * (start lines, headers, chunks) and raw input with Wireshark's part made
 * up.  Frames are repeated as a bridge does; DNS, ICMP and unread frames
 * come in between.  Addresses, ports and names come mostly from small pools
 * so that records meet each other.  Every verdict is checked against
 * verdict_check.h and the tables against their bounds.
 *
 * Built with clang -fsanitize=fuzzer (target fuzz_correlate) or, with any
 * compiler, linked with replay_main.c (target fuzz_replay), which also
 * mutates the seed incidents at the end of this file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "correlate.h"

#include "../verdict_check.h"

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

/* Up to 'max' raw input bytes. */
static size_t take(reader *r, uint8_t *out, size_t max)
{
    size_t n = u8(r);
    if (n > max)
        n = max;
    if (n > r->n)
        n = r->n;
    memcpy(out, r->p, n);
    r->p += n;
    r->n -= n;
    return n;
}

/* The first few names are the ones requests, DNS and replies usually
 * share, so that they meet. */
#define MEETING_NAMES 3
static const char *const name_pool[] = {
    "example.com", "nx.example", "10.0.0.3", "EXAMPLE.COM.", "www.example.com", "a.b",
    "[2001:db8::3]", "2001:db8::3", "host:8080", "user@host:81", "x", ".", "",
    "very-long-label-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example",
    "[::1", "bad name", "h\\x", "0.0.0.0", "10.0.0.1:9090",
};

/* What HTTP messages are made of, most of it well formed, so that messages
 * complete, pipeline and straddle segments. */
static const char *const piece_pool[] = {
    "GET http://example.com/ HTTP/1.1\r\n", "GET http://nx.example/x HTTP/1.1\r\n",
    "CONNECT www.example.com:443 HTTP/1.1\r\n", "POST http://10.0.0.3/ HTTP/1.1\r\n", "GET / HTTP/1.1\r\n",
    "HEAD http://a.b/ HTTP/1.0\r\n", "HTTP/1.1 502 Bad Gateway\r\n", "HTTP/1.1 200 OK\r\n",
    "HTTP/1.1 503 Service Unavailable\r\n", "HTTP/1.0 100 Continue\r\n", "HTTP/1.1 204 No Content\r\n",
    "Host: example.com\r\n", "Host: nx.example\r\n", "Host: [2001:db8::3]:80\r\n", "Content-Length: 0\r\n",
    "Content-Length: 5\r\n", "Content-Length: 99999\r\n", "Transfer-Encoding: chunked\r\n", "\r\n", "\r\n\r\n",
    "hello", "5\r\nhello\r\n0\r\n\r\n", "0\r\n\r\n", "<!-- FileName: cannotconnect.html -->",
    "<title>McAfee Web Gateway - Notification</title>Host Not Resolvable", "HTTP/1.1 5", "GE", "\x16\x03\x01",
};

static const char *const method_pool[] = { "GET", "CONNECT", "POST", "HEAD", "" };
static const unsigned status_pool[] = { 502, 200, 503, 100, 204, 0, 999 };

static const char *pick_name(reader *r)
{
    uint8_t sel = u8(r);
    return name_pool[sel < 0x80 ? sel % MEETING_NAMES : sel % G_N_ELEMENTS(name_pool)];
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

/* ------------------------------------------------------- conversations */

#define SLOTS 4
#define HISTORY 2048            /* bytes kept of what each direction sent */
#define MAX_SEGMENT 2048

#define OUTBOX 2048
#define OUTBOX_MESSAGES 16

/* Well-formed messages a direction is to send, in segments of any size. */
typedef struct {
    uint8_t buf[OUTBOX];
    size_t len;
    size_t ends[OUTBOX_MESSAGES];   /* where each message ends in buf */
    unsigned n;
    size_t sent_of_first;       /* bytes of the first message already sent */
} outbox;

typedef struct {
    mwg_flow fl;                /* as its opener sends */
    uint32_t next[2];
    uint8_t sent[2][HISTORY];   /* the latest bytes each way, oldest first */
    size_t n_sent[2];
    outbox out[2];
} conversation;

static void remember_sent(conversation *cv, int dir, const uint8_t *p, size_t n)
{
    uint8_t *h = cv->sent[dir];
    size_t *len = &cv->n_sent[dir];
    if (n >= HISTORY) {
        memcpy(h, p + n - HISTORY, HISTORY);
        *len = HISTORY;
        return;
    }
    if (*len + n > HISTORY) {
        size_t drop = *len + n - HISTORY;
        memmove(h, h + drop, *len - drop);
        *len -= drop;
    }
    memcpy(h + *len, p, n);
    *len += n;
}

/* One frame's bytes, owned by the harness: the facts point into it. */
typedef struct {
    mwg_facts f;
    uint8_t payload[MAX_SEGMENT];
    uint8_t pdu[HISTORY + MAX_SEGMENT];
    uint8_t body[256];
} frame_buf;

/* The same frame at another address: its pointers moved along. */
static void frame_copy(frame_buf *to, const frame_buf *from)
{
    memcpy(to, from, sizeof *to);
    if (from->f.payload.p)
        to->f.payload.p = to->payload;
    if (from->f.reassembled.p)
        to->f.reassembled.p = to->pdu;
    if (from->f.decoded_body.p)
        to->f.decoded_body.p = to->body;
    for (unsigned i = 0; i < from->f.n_decrypted; i++)
        to->f.decrypted[i].p = to->payload + (from->f.decrypted[i].p - from->payload);
    if (from->f.tls_reassembled.p)
        to->f.tls_reassembled.p = to->pdu;
    for (unsigned i = 0; i < from->f.n_h2_headers; i++)
        to->f.h2_headers[i].p = to->body + (from->f.h2_headers[i].p - from->body);
}

/* What Wireshark would have decrypted in a TLS segment, made up: the
 * payload cut into records, the PDU as TLS's reassembly, and HTTP/2 header
 * blocks (a status, a request, or any bytes) in the body buffer. */
static void tls_parts(reader *r, frame_buf *fb, size_t len)
{
    mwg_facts *f = &fb->f;
    uint8_t how = u8(r);
    if (!(how & 1))
        return;
    f->tls = true;
    size_t at = 0;
    while (at < len && f->n_decrypted < MWG_MAX_DECRYPTED && (how & 2)) {
        size_t want = (size_t)u8(r) + 1, n = MIN(len - at, want);
        f->decrypted[f->n_decrypted++] = (mwg_bytes){ fb->payload + at, n, false };
        at += n;
    }
    if (how & 4) {
        size_t n = u16(r);
        f->tls_reassembled = (mwg_bytes){ fb->pdu, MIN(n, sizeof fb->pdu), false };
    }
    if (how & 8) {
        static const uint8_t status[] = "\0\0\0\7:status\0\0\0\3" "502" "\0\0\0\6server\0\0\0\5squid";
        static const uint8_t request[] = "\0\0\0\7:method\0\0\0\3GET\0\0\0\12:authority\0\0\0\6nx.lab"
                                         "\0\0\0\5:path\0\0\0\1/";
        const uint8_t *src = how & 0x10 ? status : request;
        size_t n = how & 0x10 ? sizeof status - 1 : sizeof request - 1;
        if (how & 0x20)
            n = take(r, fb->body, sizeof fb->body);     /* any bytes at all */
        else
            memcpy(fb->body, src, n);
        f->h2_headers[f->n_h2_headers++] = (mwg_bytes){ fb->body, n, false };
    }
}

static const char *const body_pool[] = {
    "", "<html><title>McAfee Web Gateway - Notification</title>Host Not Resolvable</html>",
    "<!-- FileName: CannotConnect.html -->", "proxyErrorData :badResponse:", "hello",
};

/* A whole request (from the opener) or response, queued in the outbox. */
static void compose(reader *r, conversation *cv, int dir)
{
    outbox *o = &cv->out[dir];
    char msg[512];
    const char *host = pick_name(r);
    const char *body = body_pool[u8(r) % G_N_ELEMENTS(body_pool)];
    uint8_t form = u8(r);
    int n;
    if (dir == 0) {
        static const char *const methods[] = { "GET", "GET", "POST", "HEAD", "CONNECT" };
        const char *method = methods[form % G_N_ELEMENTS(methods)];
        if (strcmp(method, "CONNECT") == 0)
            n = snprintf(msg, sizeof msg, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n", host, host);
        else if (form & 0x20)       /* origin form, as the gateway forwards it */
            n = snprintf(msg, sizeof msg, "%s / HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n\r\n%s", method,
                         host, strlen(body), body);
        else
            n = snprintf(msg, sizeof msg, "%s http://%s/ HTTP/1.1\r\nHost: %s\r\nContent-Length: %zu\r\n\r\n%s",
                         method, host, host, strlen(body), body);
    } else {
        unsigned status = status_pool[form % G_N_ELEMENTS(status_pool)];
        const char *chunk = body[0] ? body : " ";
        if (form & 0x20)            /* chunked */
            n = snprintf(msg, sizeof msg, "HTTP/1.1 %03u X\r\nTransfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n",
                         status, strlen(chunk), chunk);
        else if (form & 0x40)       /* until the close */
            n = snprintf(msg, sizeof msg, "HTTP/1.0 %03u X\r\n\r\n%s", status, body);
        else
            n = snprintf(msg, sizeof msg, "HTTP/1.1 %03u X\r\nContent-Length: %zu\r\n\r\n%s", status,
                         strlen(body), body);
    }
    if (n <= 0 || (size_t)n >= sizeof msg || o->len + (size_t)n > OUTBOX || o->n == OUTBOX_MESSAGES)
        return;
    memcpy(o->buf + o->len, msg, (size_t)n);
    o->len += (size_t)n;
    o->ends[o->n++] = o->len;
}

/* The next bytes of the outbox as a segment, with Wireshark's record as it
 * would be: the messages that end in it, the reassembled PDU of the first
 * if it began in an earlier segment. */
static size_t from_outbox(reader *r, conversation *cv, int dir, frame_buf *fb)
{
    outbox *o = &cv->out[dir];
    mwg_facts *f = &fb->f;
    uint8_t sel = u8(r);
    size_t len = o->len;
    if ((sel & 3) == 2)
        len = 1 + u8(r) % o->len;
    else if ((sel & 3) == 3)
        len = 1 + u16(r) % o->len;
    memcpy(fb->payload, o->buf, len);
    const uint8_t *last = NULL;
    for (unsigned i = 0; i < o->n && o->ends[i] <= len; i++)
        last = o->buf + (i ? o->ends[i - 1] : 0);
    if (last) {
        f->http.took_message = true;
        f->http.last_is_response = memcmp(last, "HTTP/", 5) == 0;
        /* Wireshark 4.2 on keeps the status or method of the last one
         * (the method as a string of its own), 4.0 neither. */
        if ((sel & 4) && f->http.last_is_response)
            f->http.last_status = (unsigned)(last[9] - '0') * 100 + (unsigned)(last[10] - '0') * 10 +
                                  (unsigned)(last[11] - '0');
        for (size_t i = 0; (sel & 4) && !f->http.last_is_response && i < G_N_ELEMENTS(method_pool); i++) {
            size_t mlen = strlen(method_pool[i]);
            if (mlen && memcmp(last, method_pool[i], mlen) == 0 && last[mlen] == ' ')
                f->http.last_method = method_pool[i];
        }
    }
    if (last && o->sent_of_first > 0 && o->sent_of_first <= cv->n_sent[dir] && o->ends[0] <= len) {
        size_t before = o->sent_of_first;
        memcpy(fb->pdu, cv->sent[dir] + cv->n_sent[dir] - before, before);
        memcpy(fb->pdu + before, fb->payload, o->ends[0]);
        f->reassembled = (mwg_bytes){ fb->pdu, before + o->ends[0], false };
    }
    unsigned done = 0;
    while (done < o->n && o->ends[done] <= len)
        done++;
    size_t last_end = done ? o->ends[done - 1] : 0;
    o->sent_of_first = done ? len - last_end : o->sent_of_first + len;
    memmove(o->buf, o->buf + len, o->len - len);
    o->len -= len;
    for (unsigned i = done; i < o->n; i++)
        o->ends[i - done] = o->ends[i] - len;
    o->n -= done;
    return len;
}

/* Pieces of messages and raw bytes, with Wireshark's part made up. */
static size_t from_pieces(reader *r, conversation *cv, int dir, frame_buf *fb)
{
    mwg_facts *f = &fb->f;
    size_t len = 0;
    unsigned pieces = u8(r) % 8;
    for (unsigned i = 0; i < pieces; i++) {
        uint8_t sel = u8(r);
        if (sel < 0xe0) {
            const char *piece = piece_pool[sel % G_N_ELEMENTS(piece_pool)];
            size_t n = strlen(piece);
            if (len + n > MAX_SEGMENT)
                break;
            memcpy(fb->payload + len, piece, n);
            len += n;
        } else {
            len += take(r, fb->payload + len, MAX_SEGMENT - len);
        }
    }
    uint8_t ws = u8(r);
    f->http.took_message = ws & 1;
    f->http.last_is_response = (ws & 2) != 0;
    if (ws & 4)
        f->http.last_status = status_pool[u8(r) % G_N_ELEMENTS(status_pool)];
    if (ws & 8)
        f->http.last_method = method_pool[u8(r) % G_N_ELEMENTS(method_pool)];
    switch ((ws >> 4) & 3) {
    case 1: {                   /* the usual PDU: bytes sent before, then the first of this segment */
        size_t before = cv->n_sent[dir] ? u16(r) % (cv->n_sent[dir] + 1) : 0;
        size_t here = len ? u16(r) % (len + 1) : 0;
        memcpy(fb->pdu, cv->sent[dir] + cv->n_sent[dir] - before, before);
        memcpy(fb->pdu + before, fb->payload, here);
        f->reassembled = (mwg_bytes){ fb->pdu, before + here, (ws & 0x40) != 0 };
        break;
    }
    case 2: {                   /* any bytes at all */
        size_t n = take(r, fb->pdu, sizeof fb->pdu);
        f->reassembled = (mwg_bytes){ fb->pdu, n, (ws & 0x40) != 0 };
        break;
    }
    default: break;
    }
    return len;
}

/* A segment of conversation 'cv' in direction (op >> 4) & 1: the next bytes
 * of its outbox as Wireshark sees them, or pieces with Wireshark's part made
 * up; under any flags and sequence number. */
static void tcp_segment(reader *r, conversation *cv, frame_buf *fb, uint8_t op)
{
    mwg_facts *f = &fb->f;
    int dir = (op >> 4) & 1;
    f->is_tcp = true;
    f->flow = dir ? mwg_flow_reversed(&cv->fl) : cv->fl;
    size_t len = cv->out[dir].len && u8(r) < 0xc0 ? from_outbox(r, cv, dir, fb) : from_pieces(r, cv, dir, fb);
    uint8_t how = u8(r);
    f->tcp_flags = MWG_TCP_ACK | (how & (MWG_TCP_FIN | MWG_TCP_RST));
    if ((how & 0x0c) == 0x0c)
        f->tcp_flags = u8(r);                       /* any flags at all */
    switch (how >> 6) {
    case 0:
    case 1: f->tcp_seq = cv->next[dir]; break;      /* in order */
    case 2: f->tcp_seq = cv->next[dir] - u8(r); break;  /* overlapping, a retransmission */
    default: f->tcp_seq = u32(r); break;
    }
    f->tcp_ack = cv->next[!dir];
    f->payload_len = (uint32_t)len;
    f->payload = (mwg_bytes){ len ? fb->payload : NULL, len, false };
    if (how & 0x20) {           /* the capture holds less than was sent */
        f->payload_len += u16(r);
        f->payload.cut = true;
    }
    if (how & 0x10) {
        size_t n = take(r, fb->body, sizeof fb->body);
        f->decoded_body = (mwg_bytes){ fb->body, n, false };
    }
    tls_parts(r, fb, len);
    remember_sent(cv, dir, fb->payload, len);
    cv->next[dir] = f->tcp_seq + f->payload_len + ((f->tcp_flags & (MWG_TCP_SYN | MWG_TCP_FIN)) ? 1 : 0);
}

/* SYN, SYN-ACK, RST or FIN alone. */
static void tcp_control(reader *r, conversation *cv, frame_buf *fb, uint8_t op)
{
    static const uint8_t kinds[] = {
        MWG_TCP_SYN, MWG_TCP_SYN | MWG_TCP_ACK, MWG_TCP_RST | MWG_TCP_ACK, MWG_TCP_FIN | MWG_TCP_ACK, MWG_TCP_RST,
    };
    mwg_facts *f = &fb->f;
    uint8_t kind = kinds[u8(r) % G_N_ELEMENTS(kinds)];
    int dir = kind == (MWG_TCP_SYN | MWG_TCP_ACK) ? 1 : kind == MWG_TCP_SYN ? 0 : (op >> 4) & 1;
    f->is_tcp = true;
    f->flow = dir ? mwg_flow_reversed(&cv->fl) : cv->fl;
    f->tcp_flags = kind;
    f->tcp_seq = cv->next[dir];
    f->tcp_ack = cv->next[!dir];
    if (kind & (MWG_TCP_SYN | MWG_TCP_FIN))
        cv->next[dir]++;
}

/* A query's flow between the conversation's hosts, from one of two ports. */
static mwg_flow dns_flow(reader *r, const conversation *cv)
{
    return (mwg_flow){ { cv->fl.src.addr, (uint16_t)(40000 + (u8(r) & 1)) }, { cv->fl.dst.addr, 53 } };
}

static void dns(reader *r, conversation *cv, frame_buf *fb, uint8_t op)
{
    mwg_facts *f = &fb->f;
    f->is_udp = true;
    f->has_dns = true;
    f->dns_is_response = (op >> 4) & 1;
    f->flow = dns_flow(r, cv);
    if (f->dns_is_response)
        f->flow = mwg_flow_reversed(&f->flow);
    f->dns_id = (op & 0x20) ? u16(r) : u8(r) & 3;
    f->dns_qtype = (op & 0x40) ? 28 : 1;
    f->dns_rcode = u8(r) % 24;
    if (f->dns_rcode > 6)
        f->dns_rcode = 0;
    f->dns_answers_cut = (op & 0x80) != 0;
    if (u8(r) < 0xc0) {
        g_strlcpy(f->dns_qname, pick_name(r), sizeof f->dns_qname);
    } else {                    /* raw, up to the whole array without a NUL */
        uint8_t raw[sizeof f->dns_qname];
        size_t n = take(r, raw, sizeof raw);
        memcpy(f->dns_qname, raw, n);
        if (n < sizeof f->dns_qname)
            f->dns_qname[n] = '\0';
    }
    if (f->dns_is_response) {
        f->n_dns_addrs = u8(r) % (MWG_MAX_DNS_ADDRS + 1);
        for (unsigned i = 0; i < f->n_dns_addrs; i++)
            pick_addr(r, &f->dns_addrs[i]);
    }
}

static void icmp(reader *r, conversation *cv, frame_buf *fb, uint8_t op)
{
    mwg_facts *f = &fb->f;
    f->icmp_quote = (op & 0x10) ? MWG_ICMP_QUOTES_UDP : MWG_ICMP_QUOTES_TCP;
    f->icmp.version = (op & 0x20) ? 6 : 4;
    f->icmp.type = u8(r);
    f->icmp.code = u8(r);
    pick_addr(r, &f->icmp.reporter);
    if (op & 0x40) {
        pick_flow(r, &f->icmp_quoted);
    } else {                    /* the gateway's own SYN, or its DNS query */
        f->icmp_quoted = f->icmp_quote == MWG_ICMP_QUOTES_UDP ? dns_flow(r, cv) : cv->fl;
    }
}

/* Feeds a frame and checks what came of it; 'out' is emptied. */
static void feed_checked(mwg_correlator *c, const mwg_facts *f, GPtrArray *out)
{
    unsigned n = mwg_correlator_feed(c, f, out);
    if (n != out->len)
        abort();
    mwg_frame_notes notes = mwg_correlator_frame_notes(c);
    if ((notes.unread & ~(unsigned)(MWG_UNREAD_HTTP | MWG_UNREAD_DNS | MWG_UNREAD_ICMP)) ||
        (notes.dropped & ~(unsigned)(MWG_DROP_CONNS | MWG_DROP_NAMES | MWG_DROP_REQUESTS | MWG_DROP_TRACK)))
        abort();
    for (unsigned i = 0; i < out->len; i++) {
        char *wrong = mwg_verdict_violation(g_ptr_array_index(out, i), f->frame, false);
        if (wrong) {
            fprintf(stderr, "frame %u: %s\n", f->frame, wrong);
            abort();
        }
    }
    g_ptr_array_set_size(out, 0);
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
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    conversation *conv = g_new0(conversation, SLOTS);
    for (unsigned i = 0; i < SLOTS; i++) {
        conv[i].fl = (mwg_flow){ { { 4, { 10, 0, 0, (uint8_t)(1 + i) } }, (uint16_t)(50000 + i) },
                                 { { 4, { 10, 0, 0, 3 } }, (uint16_t)(i & 1 ? 80 : 9090) } };
        conv[i].next[0] = UINT32_C(0xffffff00) + i;
        conv[i].next[1] = UINT32_C(0x7fffff00) + i;
    }
    frame_buf *cur = g_new0(frame_buf, 1), *prev = g_new0(frame_buf, 1);
    bool have_prev = false;
    uint32_t frame = 0;
    uint64_t ts = 1000000000000000000ULL;   /* wraps freely: any int64 may come */

    while (r.n > 0) {
        uint8_t op = u8(&r);
        conversation *cv = &conv[(op >> 5) & (SLOTS - 1)];
        frame += 1 + ((op & 0x80) && (op & 15) == 15 ? u8(&r) : 0);
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

        if ((op & 15) == 12 && have_prev) {
            frame_copy(cur, prev);  /* a bridge's copy of the frame before */
        } else {
            memset(&cur->f, 0, sizeof cur->f);
            switch (op & 15) {
            case 0: case 1: case 2: case 3:
                tcp_segment(&r, cv, cur, op);
                break;
            case 4: case 5:     /* a message to send, and its first segment */
                compose(&r, cv, (op >> 4) & 1);
                tcp_segment(&r, cv, cur, op);
                break;
            case 6: case 7:
                tcp_control(&r, cv, cur, op);
                break;
            case 8: case 9:
                dns(&r, cv, cur, op);
                break;
            case 10:
                icmp(&r, cv, cur, op);
                break;
            case 11:            /* a new conversation in the slot */
                pick_flow(&r, &cv->fl);
                cv->next[0] = u32(&r);
                cv->next[1] = u32(&r);
                memset(cv->n_sent, 0, sizeof cv->n_sent);
                memset(cv->out, 0, sizeof cv->out);
                tcp_control(&r, cv, cur, op);
                break;
            case 13: {          /* a burst of SYNs to fresh destinations, past every per-host bound */
                unsigned k = u8(&r);
                for (unsigned i = 0; i < k; i++) {
                    mwg_facts_reset(&cur->f, frame++, (int64_t)(ts << 1) >> 1);
                    cur->f.is_tcp = true;
                    cur->f.tcp_flags = MWG_TCP_SYN;
                    cur->f.flow.src = (mwg_endpoint){ cv->fl.src.addr, (uint16_t)(20000 + i) };
                    cur->f.flow.dst = (mwg_endpoint){ { 4, { 172, 20, (uint8_t)(i >> 8), (uint8_t)i } },
                                                      cv->fl.dst.port };
                    feed_checked(c, &cur->f, out);
                }
                tcp_control(&r, cv, cur, op);
                break;
            }
            default:            /* only what mwg502 could not read, or that on top of a segment */
                if (op & 0x10)
                    tcp_segment(&r, cv, cur, op);
                cur->f.unread = u8(&r) & (MWG_UNREAD_HTTP | MWG_UNREAD_DNS | MWG_UNREAD_ICMP);
                break;
            }
        }
        cur->f.frame = frame;
        /* Within +-2^62 ns, as extract.c clamps them. */
        cur->f.ts_ns = (int64_t)(ts << 1) >> 1;

        feed_checked(c, &cur->f, out);

        mwg_correlator_stats st;
        mwg_correlator_get_stats(c, &st);
        if (st.conns > cfg.max_conns || st.names > cfg.max_names || st.dns_flows > cfg.max_names) {
            fprintf(stderr, "frame %u: %u conns, %u names, %u DNS flows past the bounds %u, %u\n", frame, st.conns,
                    st.names, st.dns_flows, cfg.max_conns, cfg.max_names);
            abort();
        }

        frame_buf *t = prev;
        prev = cur;
        cur = t;
        have_prev = true;
    }

    unsigned n = mwg_correlator_finish(c, out);
    if (n != out->len)
        abort();
    for (unsigned i = 0; i < out->len; i++) {
        char *wrong = mwg_verdict_violation(g_ptr_array_index(out, i), frame, true);
        if (wrong) {
            fprintf(stderr, "finish after frame %u: %s\n", frame, wrong);
            abort();
        }
    }
    g_ptr_array_free(out, TRUE);
    mwg_correlator_free(c);
    g_free(conv);
    g_free(cur);
    g_free(prev);
    return 0;
}

#ifdef FUZZ_REPLAY_SEEDS
/* Seed inputs for fuzz_replay: the incidents of the unit tests, written in
 * the layout LLVMFuzzerTestOneInput() reads, so that the replay's mutations
 * start from captures where requests, DNS, connections and answers meet
 * (noise alone rarely lines them up). */

void fuzz_replay_seeds(void (*emit)(const uint8_t *data, size_t size, const char *name, void *ctx), void *ctx);

enum { CLIENT_SLOT = 0, UPSTREAM_SLOT = 1 };    /* to port 9090, to port 80 */
enum { SEC = 0x41, NOW = 0x00 };                /* time steps: 1 s, none */
enum { OP_SEGMENT = 0, OP_MESSAGE = 4, OP_CONTROL = 6, OP_DNS = 8, OP_ICMP = 10, OP_COPY = 12, OP_UNREAD = 14 };
enum { SYN, SYN_ACK, RST_ACK, FIN_ACK };        /* tcp_control()'s kinds */
enum { EXAMPLE_COM, NX_EXAMPLE };               /* name_pool */
enum { BODY_NONE, BODY_NOT_RESOLVABLE };        /* body_pool */
enum { FORM_GET = 0, FORM_ORIGIN_GET = 0x20, STATUS_502 = 0, STATUS_200 = 1 };  /* compose()'s form byte */
enum { PIECE_HELLO = 20 };                      /* piece_pool */

static void put(GByteArray *b, uint8_t byte)
{
    g_byte_array_append(b, &byte, 1);
}

static void op(GByteArray *b, unsigned code, int dir, unsigned slot, uint8_t dt)
{
    put(b, (uint8_t)(code | (unsigned)dir << 4 | slot << 5));
    put(b, dt);
}

/* A whole message queued and sent: in one segment, or its first 'first'
 * bytes only (0: all). */
static void message(GByteArray *b, unsigned slot, int dir, uint8_t name, uint8_t body, uint8_t form, uint8_t first)
{
    op(b, OP_MESSAGE, dir, slot, NOW);
    put(b, name);
    put(b, body);
    put(b, form);
    put(b, 0x00);               /* from the outbox */
    put(b, first ? 0x06 : 0x04); /* as Wireshark 4.2 records it; all, or 1 + the next byte */
    if (first)
        put(b, (uint8_t)(first - 1));
    put(b, 0x00);               /* ACK, in order */
}

/* The rest of what the outbox holds, in one segment. */
static void rest(GByteArray *b, unsigned slot, int dir)
{
    op(b, OP_SEGMENT, dir, slot, NOW);
    put(b, 0x00);
    put(b, 0x04);
    put(b, 0x00);
}

static void control(GByteArray *b, unsigned slot, int dir, uint8_t kind, uint8_t dt)
{
    op(b, OP_CONTROL, dir, slot, dt);
    put(b, kind);
}

static void dns_query(GByteArray *b, uint8_t name)
{
    op(b, OP_DNS, 0, CLIENT_SLOT, NOW);
    put(b, 0x00);               /* port 40000 */
    put(b, 0x01);               /* id */
    put(b, 0x00);               /* rcode */
    put(b, 0x00);               /* a pooled name */
    put(b, name);
}

/* An answer with rcode and, for NOERROR, the address 10.0.0.3 (the
 * upstream slot's destination). */
static void dns_answer(GByteArray *b, uint8_t name, uint8_t rcode)
{
    op(b, OP_DNS, 1, CLIENT_SLOT, NOW);
    put(b, 0x00);
    put(b, 0x01);
    put(b, rcode);
    put(b, 0x00);
    put(b, name);
    put(b, rcode ? 0 : 1);
    if (!rcode)
        put(b, 0x03);
}

/* A request for example.com, the gateway resolving it (rcode 0: to the
 * upstream slot's address). */
static void asked_and_resolved(GByteArray *b, uint8_t rcode)
{
    put(b, 0xff);               /* the plugin's capacities */
    put(b, 0x00);               /* default preferences */
    control(b, CLIENT_SLOT, 0, SYN, NOW);
    control(b, CLIENT_SLOT, 1, SYN_ACK, NOW);
    message(b, CLIENT_SLOT, 0, EXAMPLE_COM, BODY_NONE, FORM_GET, 0);
    dns_query(b, EXAMPLE_COM);
    dns_answer(b, EXAMPLE_COM, rcode);
}

static void error_page(GByteArray *b)
{
    message(b, CLIENT_SLOT, 1, EXAMPLE_COM, BODY_NOT_RESOLVABLE, STATUS_502, 0);
}

/* The gateway connected and forwarded the request upstream. */
static void forwarded(GByteArray *b)
{
    asked_and_resolved(b, 0);
    control(b, UPSTREAM_SLOT, 0, SYN, NOW);
    control(b, UPSTREAM_SLOT, 1, SYN_ACK, NOW);
    message(b, UPSTREAM_SLOT, 0, EXAMPLE_COM, BODY_NONE, FORM_ORIGIN_GET, 0);
}

static void seed_nxdomain(GByteArray *b)
{
    asked_and_resolved(b, 3);
    error_page(b);
}

static void seed_syn_timeout(GByteArray *b)
{
    asked_and_resolved(b, 0);
    for (int i = 0; i < 3; i++)
        control(b, UPSTREAM_SLOT, 0, SYN, SEC);
    error_page(b);
}

static void seed_refused(GByteArray *b)
{
    asked_and_resolved(b, 0);
    control(b, UPSTREAM_SLOT, 0, SYN, NOW);
    control(b, UPSTREAM_SLOT, 1, RST_ACK, NOW);
    error_page(b);
}

static void seed_icmp(GByteArray *b)
{
    asked_and_resolved(b, 0);
    control(b, UPSTREAM_SLOT, 0, SYN, NOW);
    op(b, OP_ICMP, 0, UPSTREAM_SLOT, NOW);  /* quoting the SYN */
    put(b, 3);
    put(b, 13);
    put(b, 0x00);
    error_page(b);
}

static void seed_dns_unreachable(GByteArray *b)
{
    put(b, 0xff);
    put(b, 0x00);
    message(b, CLIENT_SLOT, 0, NX_EXAMPLE, BODY_NONE, FORM_GET, 0);
    dns_query(b, NX_EXAMPLE);
    op(b, OP_ICMP, 1, CLIENT_SLOT, NOW);    /* quoting the query */
    put(b, 3);
    put(b, 3);
    put(b, 0x00);
    put(b, 0x00);
    error_page(b);
}

static void seed_reply_not_http(GByteArray *b)
{
    forwarded(b);
    op(b, OP_SEGMENT, 1, UPSTREAM_SLOT, NOW);
    put(b, 1);                  /* one piece */
    put(b, PIECE_HELLO);
    put(b, 0x00);               /* Wireshark took nothing */
    put(b, 0x00);
    error_page(b);
}

static void seed_reply_502(GByteArray *b)
{
    forwarded(b);
    message(b, UPSTREAM_SLOT, 1, EXAMPLE_COM, BODY_NONE, STATUS_502, 0);
    error_page(b);
}

static void seed_reply_closed(GByteArray *b)
{
    forwarded(b);
    control(b, UPSTREAM_SLOT, 1, FIN_ACK, SEC);
    error_page(b);
}

/* The error page in two segments, then in the next capture the same page
 * cut off by the client's reset (a response never whole). */
static void seed_split_and_cut_off(GByteArray *b)
{
    forwarded(b);
    message(b, CLIENT_SLOT, 1, EXAMPLE_COM, BODY_NOT_RESOLVABLE, STATUS_502, 40);
    rest(b, CLIENT_SLOT, 1);
    message(b, CLIENT_SLOT, 0, NX_EXAMPLE, BODY_NONE, FORM_GET, 0);
    message(b, CLIENT_SLOT, 1, EXAMPLE_COM, BODY_NOT_RESOLVABLE, STATUS_502, 60);
    control(b, CLIENT_SLOT, 0, RST_ACK, NOW);
}

/* The error page begins, then the upstream leg works on (connects,
 * forwards, gets garbage), then the client resets: the page, cut off, is
 * judged after all that. */
static void seed_cut_off_then_upstream(GByteArray *b)
{
    asked_and_resolved(b, 0);
    message(b, CLIENT_SLOT, 1, EXAMPLE_COM, BODY_NOT_RESOLVABLE, STATUS_502, 40);
    control(b, UPSTREAM_SLOT, 0, SYN, NOW);
    control(b, UPSTREAM_SLOT, 1, SYN_ACK, NOW);
    message(b, UPSTREAM_SLOT, 0, EXAMPLE_COM, BODY_NONE, FORM_ORIGIN_GET, 0);
    op(b, OP_SEGMENT, 1, UPSTREAM_SLOT, NOW);
    put(b, 1);
    put(b, PIECE_HELLO);
    put(b, 0x00);
    put(b, 0x00);
    control(b, CLIENT_SLOT, 0, RST_ACK, NOW);
}

/* Three requests in one segment, three answers (200, 502, 502) cut across
 * segments, each frame copied as on a bridge. */
static void seed_pipelined_bridge(GByteArray *b)
{
    asked_and_resolved(b, 3);
    for (int i = 0; i < 2; i++) {
        op(b, OP_MESSAGE, 0, CLIENT_SLOT, NOW);  /* queued only: the outbox sends the rest */
        put(b, EXAMPLE_COM);
        put(b, BODY_NONE);
        put(b, FORM_GET);
        put(b, 0xff);           /* ... this segment from pieces: none */
        put(b, 0x00);
        put(b, 0x00);
        put(b, 0x00);
    }
    rest(b, CLIENT_SLOT, 0);
    op(b, OP_COPY, 0, CLIENT_SLOT, NOW);
    static const uint8_t statuses[] = { STATUS_200, STATUS_502, STATUS_502 };
    for (size_t i = 0; i < sizeof statuses; i++) {
        message(b, CLIENT_SLOT, 1, NX_EXAMPLE, BODY_NONE, statuses[i], 30);
        op(b, OP_COPY, 0, CLIENT_SLOT, NOW);
    }
    rest(b, CLIENT_SLOT, 1);
    op(b, OP_COPY, 0, CLIENT_SLOT, NOW);
}

static void seed_unread(GByteArray *b)
{
    asked_and_resolved(b, 0);
    op(b, OP_UNREAD, 0, CLIENT_SLOT, NOW);
    put(b, MWG_UNREAD_DNS);
    op(b, OP_UNREAD, 0, CLIENT_SLOT, NOW);
    put(b, MWG_UNREAD_HTTP);
    error_page(b);
}

void fuzz_replay_seeds(void (*emit)(const uint8_t *data, size_t size, const char *name, void *ctx), void *ctx)
{
    static const struct {
        const char *name;
        void (*build)(GByteArray *b);
    } seeds[] = {
        { "nxdomain", seed_nxdomain }, { "syn-timeout", seed_syn_timeout }, { "refused", seed_refused },
        { "icmp", seed_icmp }, { "dns-unreachable", seed_dns_unreachable },
        { "reply-not-http", seed_reply_not_http }, { "reply-502", seed_reply_502 },
        { "reply-closed", seed_reply_closed }, { "split-and-cut-off", seed_split_and_cut_off },
        { "cut-off-then-upstream", seed_cut_off_then_upstream },
        { "pipelined-bridge", seed_pipelined_bridge }, { "unread", seed_unread },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(seeds); i++) {
        GByteArray *b = g_byte_array_new();
        seeds[i].build(b);
        emit(b->data, b->len, seeds[i].name, ctx);
        g_byte_array_free(b, TRUE);
    }
}
#endif
