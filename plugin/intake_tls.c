/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake_tls.c - TLS on either leg of the gateway.
 *
 * Upstream, the gateway's own handshake with the origin is read from the
 * records' clear bytes (tls_record.h): it needs no keys, and it is where a
 * TLS-intercepting gateway fails most.  On both legs, what Wireshark
 * decrypted with the user's key log goes to intake_http.c as HTTP
 * messages: HTTP/1.x from the decrypted records, HTTP/2 from the header
 * blocks Wireshark decompressed.  Raw TLS bytes are never read as HTTP.
 */
#include "engine.h"

#include <string.h>

#include "wire.h"
#include "x509.h"

static void flight_drop(mwg_correlator *c, tls_handshake *t)
{
    if (!t->flight)
        return;
    g_free(t->flight);
    t->flight = NULL;
    t->flight_len = MWG_MAX_TLS_FLIGHT;     /* never kept again */
    if (c && c->n_flights)
        c->n_flights--;
}

void tls_free(mwg_correlator *c, conn *cn)
{
    if (cn->tunnel) {
        g_free(cn->tunnel->host);
        frame_list_clear(&cn->tunnel->frames);
    }
    g_free(cn->tunnel);
    if (cn->tls) {
        flight_drop(c, cn->tls);
        g_free(cn->tls->sni);
    }
    g_free(cn->tls);
    cn->tunnel = NULL;
    cn->tls = NULL;
}

/* Keeps the origin's bytes in order, up to the bound, while they may hold
 * its certificate. */
static void flight_keep(mwg_correlator *c, tls_handshake *t, const mwg_facts *f)
{
    if (!t->flight) {
        if (t->flight_len)
            return;             /* dropped already */
        if (c->n_flights >= MWG_MAX_TLS_FLIGHTS) {
            t->flight_len = MWG_MAX_TLS_FLIGHT;     /* no room when the origin began: not read */
            return;
        }
        t->flight = g_malloc(MWG_MAX_TLS_FLIGHT);
        t->flight_next = f->tcp_seq;
        c->n_flights++;
    }
    if (f->tcp_seq != t->flight_next)
        return;
    size_t n = MIN(f->payload.len, MWG_MAX_TLS_FLIGHT - t->flight_len);
    memcpy(t->flight + t->flight_len, f->payload.p, n);
    t->flight_len += n;
    t->flight_next += (uint32_t)f->payload.len;
}

/* The gateway refused the origin: what its certificate shows, read once. */
static void refused(mwg_correlator *c, tls_handshake *t, uint32_t frame, const mwg_facts *f)
{
    t->rejected_frame = frame;
    if (t->flight && !(t->cert_problems & MWG_CERT_READ))
        t->cert_problems = mwg_tls_certificate_problems(t->flight, t->flight_len, t->sni, f->ts_ns / MWG_NS_PER_S);
    flight_drop(c, t);
}

static void handshake_records(mwg_correlator *c, tls_handshake *t, int dir, const mwg_facts *f)
{
    mwg_tls_seen s;
    mwg_tls_read_segment(&t->rd[dir], f->tcp_seq, f->payload.p, f->payload.len, &s);
    if (dir == 0) {
        if (s.client_hello && !t->client_hello_frame) {
            t->client_hello_frame = f->frame;
            t->sni = s.sni[0] ? g_strdup(s.sni) : NULL;
            t->has_random = s.has_random;
            memcpy(t->client_random, s.random, sizeof t->client_random);
        }
        if (t->server_hello_frame && !t->accepted_frame && !t->rejected_frame) {
            /* Its ChangeCipherSpec or Finished comes only once it checked
             * the origin's certificate; an alert instead (encrypted in TLS
             * 1.3: a short record) refuses it. */
            if (s.change_cipher_spec || s.encrypted_long) {
                t->accepted_frame = f->frame;
                flight_drop(c, t);
            } else if (s.alert || s.encrypted_short) {
                refused(c, t, f->frame, f);
            }
        }
    } else if (!t->accepted_frame) {
        flight_keep(c, t, f);
        if (s.not_tls && !t->server_hello_frame && !t->not_tls_frame) {
            t->not_tls_frame = f->frame;
            t->plain_http = f->payload.len >= 5 && memcmp(f->payload.p, "HTTP/", 5) == 0;
        }
        if (s.server_hello && !t->server_hello_frame)
            t->server_hello_frame = f->frame;
        if (s.alert && !t->alert_frame) {
            t->alert_frame = f->frame;
            t->alert_clear = s.alert_clear;
            t->alert_desc = s.alert_desc;
        }
    }
}

bool intake_tls_handshake(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f)
{
    /* Upstream only: a client's TLS to the gateway itself is its own. */
    if (cn->client_leg || mwg_config_is_proxy_port(&c->cfg, cn->server.port))
        return false;
    tls_handshake *t = cn->tls;
    if (!t) {
        /* The gateway's first bytes on an upstream connection: a ClientHello. */
        if (dir != 0 || cn->n_fwd || conn_dir_peek(cn, 0)->seq_known || f->payload.len == 0 ||
            !mwg_tls_is_record(f->payload.p, f->payload.len, true))
            return false;
        t = cn->tls = g_new0(tls_handshake, 1);
    }
    if (f->payload.len > 0 && !t->accepted_frame)
        handshake_records(c, t, dir, f);
    /* Every record belongs to the incident: Wireshark decrypts a TLS
     * session only from its start and in order. */
    if (f->payload_len > 0)
        conn_add_frame(cn, f->frame);
    if ((f->tcp_flags & (MWG_TCP_FIN | MWG_TCP_RST)) && !t->accepted_frame) {
        if (dir == 1 && !t->server_close_frame) {
            t->server_close_frame = f->frame;
            t->reset = (f->tcp_flags & MWG_TCP_RST) != 0;
        } else if (dir == 0 && t->server_hello_frame && !t->rejected_frame) {
            refused(c, t, f->frame, f);
        } else if (dir == 0 && !t->server_hello_frame && !t->gave_up_frame) {
            t->gave_up_frame = f->frame;
        }
        conn_add_frame(cn, f->frame);
    }
    return true;
}

/* The header of an HTTP/2 header block (Wireshark's decompressed form, see
 * facts.h) as the fields of an HTTP/1 message; false when the block is
 * neither a request's nor a response's. */
static bool h2_message(const mwg_bytes *b, mwg_http_message *m)
{
    memset(m, 0, sizeof *m);
    bool request = false;
    size_t at = 0;
    while (at + 4 <= b->len) {
        uint32_t name_len = mwg_get32(b->p + at);
        if (name_len > b->len - at - 4)
            break;
        const uint8_t *name = b->p + at + 4;
        at += 4 + name_len;
        if (at + 4 > b->len)
            break;
        uint32_t value_len = mwg_get32(b->p + at);
        if (value_len > b->len - at - 4)
            break;
        mwg_span value = { b->p + at + 4, value_len };
        at += 4 + value_len;
#define IS(lit) (name_len == sizeof lit - 1 && memcmp(name, lit, sizeof lit - 1) == 0)
        if (IS(":status") && value_len == 3 && g_ascii_isdigit(value.p[0]) && g_ascii_isdigit(value.p[1]) &&
            g_ascii_isdigit(value.p[2])) {
            m->is_response = true;
            m->status = (unsigned)(value.p[0] - '0') * 100 + (unsigned)(value.p[1] - '0') * 10 + (value.p[2] - '0');
        } else if (IS(":method")) {
            m->method = value;
            request = true;
        } else if (IS(":path")) {
            m->target = value;
        } else if (IS(":authority")) {
            m->host = value;
            m->has_host = true;
        } else if (IS("server")) {
            m->server = value;
            m->has_server = true;
        } else if (IS("via")) {
            m->via = value;
            m->has_via = true;
        }
#undef IS
    }
    return m->is_response || (request && m->method.len > 0);
}

/* The stream of each HTTP/2 HEADERS frame in the frame's decrypted records,
 * in order: the header blocks Wireshark decompressed are theirs.  0 when
 * the records do not hold whole HTTP/2 frames (one spans records): the
 * streams are then not known. */
static unsigned h2_header_streams(const mwg_facts *f, uint32_t *streams, unsigned room)
{
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    unsigned n = 0;
    for (unsigned i = 0; i < f->n_decrypted; i++) {
        const uint8_t *p = f->decrypted[i].p;
        size_t len = f->decrypted[i].len, at = 0;
        if (len >= sizeof preface - 1 && memcmp(p, preface, sizeof preface - 1) == 0)
            at = sizeof preface - 1;
        while (at + 9 <= len) {
            size_t frame_len = mwg_get24(p + at);
            if (p[at + 3] == 1 && n < room)         /* HEADERS */
                streams[n++] = mwg_get32(p + at + 5) & 0x7fffffffu;
            at += 9 + frame_len;
        }
        if (at != len)
            return 0;
    }
    return n;
}

static void emit(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, const mwg_http_message *m,
                 uint32_t stream)
{
    uint32_t only_frame = f->frame, only_seq = 0;
    frame_list only = { &only_frame, &only_seq, 1, 1 };
    http_msg msg = {
        .frame = f->frame, .ts = f->ts_ns, .m = *m, .segments = &only, .inside = cn->tunnel, .stream = stream,
    };
    if (m->is_response && f->decoded_body.p) {
        msg.decoded_body = f->decoded_body.p;
        msg.decoded_body_len = f->decoded_body.len;
    }
    intake_http(c, cn, dir, &msg);
}

/* The HTTP/1.x messages that start a decrypted record; how many. */
static unsigned read_messages(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f, const mwg_bytes *b)
{
    size_t at = 0;
    unsigned n = 0;
    while (at < b->len) {
        mwg_http_message m;
        mwg_http_state st = mwg_http_read(b->p + at, b->len - at, b->cut, answered_method(cn), &m);
        if (st == MWG_HTTP_NOT_A_MESSAGE || (st == MWG_HTTP_PARTIAL && !m.is_response && m.method.len == 0))
            break;
        emit(c, cn, dir, f, &m, 0);
        n++;
        if (st != MWG_HTTP_COMPLETE || m.length == 0)
            break;
        at += m.length;
    }
    return n;
}

void tunnel_end(mwg_correlator *c, conn *cn, uint32_t frame, int64_t ts)
{
    tunnel *t = cn->tunnel;
    if (!t || t->ended)
        return;
    t->ended = true;
    if (t->decrypted)
        return;
    /* The tunnel's frames stand for the request's. */
    client_request connect = {
        .frame = t->connect_frame, .ts = t->connect_ts, .since_frame = t->connect_frame, .since_ts = t->connect_ts,
        .host = t->host, .method = "CONNECT", .port = t->port, .frames = t->frames,
    };
    mwg_verdict *v = judge_tunnel(c, &connect, t->has_random ? t->client_random : NULL, t->established_frame,
                                  frame, ts);
    if (v)
        g_ptr_array_add(c->out, v);
}

void intake_decrypted(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f)
{
    tunnel *tn = cn->tunnel;
    if (tn && (f->n_decrypted || f->n_h2_headers))
        tn->decrypted = true;
    if (tn && (f->payload_len || (f->tcp_flags & (MWG_TCP_FIN | MWG_TCP_RST))))
        frame_list_add(&tn->frames, f->frame, MWG_MAX_TUNNEL_FRAMES);
    if (tn && dir == 0 && !tn->has_random && !tn->rd.lost && f->payload.len > 0) {
        mwg_tls_seen s;
        mwg_tls_read_segment(&tn->rd, f->tcp_seq, f->payload.p, f->payload.len, &s);
        tn->has_random = s.has_random;
        memcpy(tn->client_random, s.random, sizeof tn->client_random);
        if (s.client_hello)
            tn->rd.lost = true;     /* nothing more to read in clear */
    }
    tls_handshake *t = cn->tls;
    for (unsigned i = 0; i < f->n_decrypted; i++) {
        const mwg_bytes *b = &f->decrypted[i];
        if (t && dir == 0 && b->len >= 14 && memcmp(b->p, "PRI * HTTP/2.0", 14) == 0)
            t->h2 = true;
        /* With the gateway's keys, TLS 1.3's encrypted certificate. */
        if (t && dir == 1 && t->server_hello_frame && !t->accepted_frame && !t->rejected_frame &&
            !(t->cert_problems & MWG_CERT_READ))
            t->cert_problems =
                mwg_tls_handshake_certificate_problems(b->p, b->len, true, t->sni, f->ts_ns / MWG_NS_PER_S);
        /* The origin's first bytes of application data after a forwarded
         * request (not a TLS 1.3 session ticket). */
        if (t && dir == 1 && !t->h2 && !mwg_tls_is_handshake_messages(b->p, b->len))
            reply_start(cn, f->frame, b->p, b->len);
    }
    uint32_t streams[MWG_MAX_DECRYPTED];
    bool paired = f->n_h2_headers && h2_header_streams(f, streams, G_N_ELEMENTS(streams)) == f->n_h2_headers;
    for (unsigned i = 0; i < f->n_h2_headers; i++) {
        mwg_http_message m;
        if (h2_message(&f->h2_headers[i], &m))
            emit(c, cn, dir, f, &m, paired ? streams[i] : 0);
    }
    if (!f->http.took_message)
        return;
    /* A message longer than a record is read whole where TLS reassembled
     * it; the records of the frame may start others. */
    unsigned read = f->tls_reassembled.p ? read_messages(c, cn, dir, f, &f->tls_reassembled) : 0;
    for (unsigned i = 0; i < f->n_decrypted; i++)
        read += read_messages(c, cn, dir, f, &f->decrypted[i]);
    /* Wireshark dissected HTTP here that mwg502 could not find. */
    if (read == 0 && f->n_h2_headers == 0)
        remember_unread(c, f->frame, MWG_UNREAD_HTTP);
}
