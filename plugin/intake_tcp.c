/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake_tcp.c - TCP segments: connection attempts and their answers, the
 * first bytes of upstream replies, closes; and, for segments that may hold
 * HTTP, the hand-over to http_stream.c. */
#include "engine.h"

#include <string.h>

static void remember_attempt(mwg_correlator *c, conn *cn)
{
    c->recent[c->next_recent] = conn_ref_of(cn);
    c->next_recent = (c->next_recent + 1) % MWG_RECENT_ATTEMPTS;
    if (c->n_recent < MWG_RECENT_ATTEMPTS)
        c->n_recent++;
}

/* Which name's lookup last gave the address the attempt goes to (see
 * conn.owner_hash). */
static void note_owner(mwg_correlator *c, conn *cn)
{
    ep_key k;
    addr_key_make(&cn->server.addr, &k);
    const addr_owner *o = mwg_lru_lookup(&c->owners, &k);
    if (o) {
        cn->owner_hash = o->name_hash;
        cn->owner_frame = o->answer_frame;
    }
}

static void syn(mwg_correlator *c, const mwg_facts *f)
{
    conn *cn = conn_lookup(c, &f->flow);
    /* A SYN on a 4-tuple that was once connected starts a new connection;
     * after an ICMP error it is a retry, counted with the SYNs before it,
     * and so after a RST unless it starts afresh (another initial sequence
     * number: a new connect() that reuses the port), or the last SYN is
     * older than any wait for a connection (a port reused in a busy
     * gateway). */
    bool afresh = cn && ((cn->rst_frame && f->tcp_seq != cn->last_syn_seq) ||
                         c->clock - cn->last_syn_ts > mwg_seconds(c->cfg.connect_window_s));
    if (!cn || !mwg_endpoint_equal(&cn->client, &f->flow.src) || cn->synack_frame || cn->n_fwd || cn->waiting ||
        conn_dir_peek(cn, 0)->seq_known || afresh)
        cn = conn_create(c, &f->flow, cn, true);
    if (cn->syn_count && f->tcp_seq == cn->last_syn_seq && c->clock - cn->last_syn_ts < MWG_COPY_WINDOW_NS) {
        conn_add_frame(cn, f->frame);   /* a copy: part of the incident, not another attempt */
        return;
    }
    if (!cn->first_syn_frame) {
        cn->first_syn_frame = f->frame;
        remember_attempt(c, cn);
        note_owner(c, cn);
    }
    cn->last_syn_seq = f->tcp_seq;
    cn->last_syn_frame = f->frame;
    cn->last_syn_ts = c->clock;
    cn->syn_count++;
    conn_add_frame(cn, f->frame);
    if (!mwg_config_is_proxy_port(&c->cfg, cn->server.port))
        endpoint_remember(c, cn);
}

/* The first bytes the origin sent after a forwarded request: an HTTP status
 * line, or not. */
void reply_start(conn *cn, uint32_t frame, const uint8_t *p, size_t len)
{
    forward *fw = awaiting_reply(cn);
    if (!fw || fw->reply_started || len == 0)
        return;
    if (mwg_http_may_start_status(p, len)) {
        fw->reply_started = true;
        return;
    }
    fw->reply = REPLY_INVALID;
    fw->reply_frame = frame;
    frame_list_add(&fw->reply_frames, frame, MWG_MAX_MESSAGE_FRAMES);
    conn_add_frame(cn, frame);
}

static void upstream_closed(conn *cn, const mwg_facts *f)
{
    if (!cn->close_frame) {
        cn->close_frame = f->frame;
        conn_add_frame(cn, f->frame);
    }
    forward *fw = awaiting_reply(cn);
    if (fw && !fw->reply_started) {
        fw->reply = REPLY_CLOSED;
        fw->reply_frame = f->frame;
        conn_add_frame(cn, f->frame);
    }
}

/* The gateway closed its upstream connection while it waited for the
 * reply: its own timeout fired (the origin's close, if any, follows). */
static void gateway_gave_up(mwg_correlator *c, conn *cn, const mwg_facts *f)
{
    forward *fw = awaiting_reply(cn);
    if (!fw || fw->reply_started)
        return;
    fw->reply = REPLY_GIVEN_UP;
    fw->reply_frame = f->frame;
    fw->reply_ts = c->clock;
    conn_add_frame(cn, f->frame);
}

/* Which side of a connection first seen through a message is the client:
 * the one that sent a request. */
static bool sender_is_client(const mwg_facts *f)
{
    const mwg_bytes *b = f->reassembled.p ? &f->reassembled : &f->payload;
    return !(b->len >= 5 && memcmp(b->p, "HTTP/", 5) == 0);
}

void intake_tcp(mwg_correlator *c, const mwg_facts *f)
{
    uint8_t fl = f->tcp_flags;
    if ((fl & MWG_TCP_SYN) && !(fl & MWG_TCP_ACK)) {
        syn(c, f);
        return;
    }
    bool may_hold_http = f->http.took_message || f->reassembled.p ||
                         (f->payload.len > 0 && mwg_http_may_start(f->payload.p, f->payload.len));
    if (!(fl & (MWG_TCP_SYN | MWG_TCP_FIN | MWG_TCP_RST)) && !may_hold_http && !f->tls && !watched(c, &f->flow))
        return;
    conn *cn = conn_lookup(c, &f->flow);
    if (!cn) {
        /* TLS alone (no plain HTTP) matters only on connections already
         * known: the gateway's attempts and its clients' tunnels. */
        if (!may_hold_http || f->payload_len == 0)
            return;
        cn = conn_create(c, &f->flow, NULL, sender_is_client(f));
    }
    int dir = mwg_endpoint_equal(&f->flow.src, &cn->client) ? 0 : 1;
    bool from_server = dir == 1;
    if (from_server && (fl & MWG_TCP_SYN)) {
        if (!cn->synack_frame) {
            cn->synack_frame = f->frame;
            conn_add_frame(cn, f->frame);
        }
        /* The server's stream starts here: an answer that starts later
         * than its first byte follows answers the capture lacks. */
        http_dir *d = conn_dir(cn, 1);
        if (!d->seq_known) {
            d->seq_known = d->at_boundary = true;
            d->taken_end = f->tcp_seq + 1;
        }
        return;
    }
    if (from_server && (fl & MWG_TCP_RST) && cn->syn_count && !cn->synack_frame) {
        if (!is_copy_of(c, cn->rst_frame, cn->rst_ts)) {
            cn->rst_frame = f->frame;   /* refused: the last RST wins */
            cn->rst_ts = c->clock;
        }
        conn_add_frame(cn, f->frame);
        return;
    }
    bool tls = cn->tunnel || intake_tls_handshake(c, cn, dir, f);
    if (tls)
        intake_decrypted(c, cn, dir, f);
    else if (from_server && !cn->client_leg)
        reply_start(cn, f->frame, f->payload.p, f->payload.len);
    if (!tls && (f->payload_len > 0 || f->reassembled.p))
        http_stream_segment(c, cn, dir, f);
    if (fl & (MWG_TCP_FIN | MWG_TCP_RST)) {
        if (!cn->client_leg && from_server)
            upstream_closed(cn, f);
        else if (!cn->client_leg)
            gateway_gave_up(c, cn, f);
        if (cn->tunnel)
            tunnel_end(c, cn, f->frame, c->clock);
        /* A FIN ends what its sender was sending; a RST ends both ways. */
        http_stream_abandon(c, cn, dir);
        if (fl & MWG_TCP_RST)
            http_stream_abandon(c, cn, !dir);
    }
    watch_update(c, cn);
}
