/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake_http.c - HTTP messages, as http_stream.c reads them: a client's
 * requests and the gateway's answers on the client leg, the gateway's
 * forwarded requests and the origin's replies on the upstream leg.  An error
 * answer to a client goes to judge.c. */
#include "engine.h"

#include <string.h>

/* The request and its host are one block of the pool. */
static size_t client_request_size(const char *host)
{
    return sizeof(client_request) + (host ? strlen(host) + 1 : 0);
}

void client_request_free(mwg_correlator *c, client_request *q)
{
    if (!q)
        return;
    if (q->prev_waiting)
        q->prev_waiting->next_waiting = q->next_waiting;
    if (q->next_waiting) {
        q->next_waiting->prev_waiting = q->prev_waiting;
    } else if (q->next_tracked) {
        name_entry *ne = mwg_lru_lookup(&c->names, q->host);
        if (ne && ne->last_request == q)
            ne->last_request = q->prev_waiting;
    }
    frame_list_clear(&q->frames);
    mwg_pool_free(&c->pool, q, client_request_size(q->host));
}

/* ------------------------------------------------- the waiting requests */

static client_request *queue_head(const conn *cn)
{
    return cn->waiting ? cn->waiting->head : NULL;
}

static unsigned queue_length(const conn *cn)
{
    return cn->waiting ? cn->waiting->n : 0;
}

static void queue_push(mwg_correlator *c, conn *cn, client_request *q)
{
    request_queue *w = cn->waiting;
    if (!w)
        w = cn->waiting = mwg_pool_alloc0(&c->pool, sizeof *w);
    q->next = NULL;
    if (w->tail)
        w->tail->next = q;
    else
        w->head = q;
    w->tail = q;
    w->n++;
}

/* Takes 'q' out of the queue; 'prev': the one before it, NULL for the head. */
static client_request *queue_take(conn *cn, client_request *prev, client_request *q)
{
    request_queue *w = cn->waiting;
    if (prev)
        prev->next = q->next;
    else
        w->head = q->next;
    if (w->tail == q)
        w->tail = prev;
    w->n--;
    q->next = NULL;
    return q;
}

static client_request *queue_pop(conn *cn)
{
    client_request *q = queue_head(cn);
    return q ? queue_take(cn, NULL, q) : NULL;
}

void request_queue_free(mwg_correlator *c, conn *cn)
{
    if (!cn->waiting)
        return;
    while (cn->waiting->head)
        client_request_free(c, queue_pop(cn));
    mwg_pool_free(&c->pool, cn->waiting, sizeof *cn->waiting);
    cn->waiting = NULL;
}

void forward_free_contents(forward *fw)
{
    g_free(fw->host);
    frame_list_clear(&fw->reply_frames);
    memset(fw, 0, sizeof *fw);
}

forward *awaiting_reply(conn *cn)
{
    for (unsigned i = 0; i < cn->n_fwd; i++)
        if (cn->fwd[i].reply == REPLY_NONE)
            return &cn->fwd[i];
    return NULL;
}

const char *answered_method(const conn *cn)
{
    if (cn->client_leg) {
        const client_request *q = queue_head(cn);
        return q ? q->method : NULL;
    }
    forward *fw = awaiting_reply((conn *)cn);
    return fw ? fw->method : NULL;
}

/* The span as a string in 'buf', cut to its size: the request's strings
 * are read here and kept, if at all, in the request's own block. */
static char *span_copy(mwg_span s, char *buf, size_t size)
{
    size_t n = MIN(s.len, size - 1);
    if (n)
        memcpy(buf, s.p, n);
    buf[n] = '\0';
    return buf;
}

/* Which leg a request is on.  The gateway's own requests in proxy form to
 * another address than its own, and any to a known parent, are its leg to
 * a parent proxy; so is a proxy-form request that a proxy marked with Via
 * and sent to no proxy port of the gateway's (a branch proxy chained to the
 * gateway sends to its proxy port).  A request to a proxy port, or in the
 * forms only a proxy is sent (absolute URI, CONNECT), is a client's; so is,
 * for an intercepting gateway, a request from anyone but the gateway.  (A
 * client on the gateway's own host, as in a lab, is told apart by the
 * address it asks: the gateway's.) */
typedef enum { LEG_CLIENT, LEG_UPSTREAM, LEG_PARENT } leg;

static leg leg_of(const mwg_correlator *c, const conn *cn, const char *method, const char *target, bool via)
{
    bool proxy_form = mwg_http_is_proxy_form(method, target);
    bool from_gateway = is_gateway_addr(c, &cn->client.addr);
    bool to_gateway = is_gateway_addr(c, &cn->server.addr);
    bool to_proxy_port = mwg_config_is_proxy_port(&c->cfg, cn->server.port);
    if (is_parent_addr(c, &cn->server.addr) || (proxy_form && !to_gateway && (from_gateway || (via && !to_proxy_port))))
        return LEG_PARENT;
    if (to_proxy_port || proxy_form)
        return LEG_CLIENT;
    if (c->cfg.transparent && !from_gateway)
        return LEG_CLIENT;
    return LEG_UPSTREAM;
}

/* A client request that began at 'frame', for 'host' on 'port' (host
 * NULL: not known), remembered among the asks that may own an attempt to
 * an address no name owns; its slot, G_MAXUINT where it is not kept.
 * Requests for addresses need no telling apart: their attempts go there.
 * A request whose host is not known is remembered too: it may have caused
 * any attempt. */
static unsigned remember_ask(mwg_correlator *c, uint32_t frame, int64_t ts, const char *host, uint16_t port)
{
    mwg_addr literal;
    if (host && mwg_addr_parse(host, &literal))
        return G_MAXUINT;
    if (c->next_ask == c->asks_room && c->asks_room < MWG_RECENT_ASKS) {
        /* Not wrapped yet (next_ask == n_asks): the slots keep their places. */
        c->asks_room = MIN(MAX(2 * c->asks_room, 16u), MWG_RECENT_ASKS);
        c->asks = g_renew(recent_ask, c->asks, c->asks_room);
    }
    unsigned slot = c->next_ask;
    recent_ask *a = &c->asks[slot];
    a->frame = frame;
    a->ts = ts;
    a->port = host ? port : 0;
    a->answered = 0;
    a->served = false;
    /* Not the whole record cleared and the host copied byte by byte (GLib's
     * strlcpy): every request of a flood comes here. */
    size_t n = host ? MIN(strlen(host), sizeof a->host - 1) : 0;
    if (n)
        memcpy(a->host, host, n);
    a->host[n] = '\0';
    c->next_ask = (c->next_ask + 1) % MWG_RECENT_ASKS;   /* wraps only when the ring is full */
    if (c->n_asks < MWG_RECENT_ASKS)
        c->n_asks++;
    return slot;
}

static void ask_answered(mwg_correlator *c, const client_request *q, uint32_t frame, bool served)
{
    if (q->ask_slot >= c->n_asks)
        return;                 /* never remembered (a request for an address), or a slot not written yet */
    recent_ask *a = &c->asks[q->ask_slot];
    if (a->frame == q->since_frame && !a->answered) {
        a->answered = frame;
        a->served = served;
    }
}

/* A client request for the name ('q', or one not queued) began at
 * 'since_frame': the one before it learns where the next began, and 'q'
 * joins the name's waiting requests. */
static void follow_last_request(name_entry *ne, client_request *q, uint32_t since_frame)
{
    client_request *prev = ne->last_request;
    if (prev && since_frame <= prev->since_frame)
        return;                 /* inside the same tunnel: its work began with it */
    /* Where one waiting before it left, the next still came after it. */
    for (client_request *p = prev; p && !p->next_for_host; p = p->prev_waiting)
        p->next_for_host = since_frame;
    if (prev)
        prev->next_waiting = q;
    ne->last_request = q;
    if (q) {
        q->next_tracked = true;
        q->prev_waiting = prev;
    }
}

/* The gateway forwarded a request for the page 'path_id' of the name at
 * 'frame': the waiting request that asked for it, the oldest not
 * forwarded yet among the latest few, was served by it (whether or not it
 * opened a connection). */
static void mark_forwarded(name_entry *ne, uint32_t path_id, uint32_t frame)
{
    client_request *found = NULL;
    unsigned steps = 0;
    for (client_request *p = ne->last_request; p && steps < MWG_WAITING_LOOKBACK; p = p->prev_waiting, steps++)
        if (!p->forwarded && p->path_id == path_id && p->since_frame < frame)
            found = p;
    if (found)
        found->forwarded = true;
}

static void request(mwg_correlator *c, conn *cn, const http_msg *msg)
{
    char method[MWG_METHOD_KEEP], target_buf[MWG_MAX_HTTP_LINE + 1], host_buf[MWG_MAX_HTTP_LINE + 1];
    span_copy(msg->m.method, method, sizeof method);
    const char *target = msg->m.target_cut && msg->m.target.len == 0
                             ? NULL : span_copy(msg->m.target, target_buf, sizeof target_buf);
    const char *host_header = msg->m.has_host ? span_copy(msg->m.host, host_buf, sizeof host_buf) : NULL;
    char host[MWG_MAX_HOST_LEN + 1];
    uint16_t port = 0;
    bool understood = mwg_http_request_target(method, target, msg->m.target_cut, host_header, host, &port);
    uint32_t path_id = mwg_http_target_path_id(method, target, msg->m.target_cut);
    uint32_t since_frame = msg->frame;
    int64_t since_ts = msg->ts;
    if (msg->inside) {
        /* Inside a tunnel the origin is the CONNECT's: its port, and its
         * host when the request names none. */
        tunnel *t = cn->tunnel;
        port = t->port;
        if (!understood && t->host) {
            g_strlcpy(host, t->host, sizeof host);
            understood = true;
        }
        since_frame = t->connect_frame;
        since_ts = t->connect_ts;
    }
    switch (leg_of(c, cn, method, target, msg->m.has_via)) {
    case LEG_CLIENT:
        if (!cn->client_leg) {
            cn->client_leg = true;
            /* The gateway answers clients there (not when intercepting:
             * that address is the origin's). */
            if (!c->cfg.transparent)
                learn_gateway_addr(c, &cn->server.addr);
        }
        break;
    case LEG_PARENT:
        cn->parent_leg = true;
        learn_parent(c, &cn->server);
        learn_gateway_addr(c, &cn->client.addr);
        break;
    case LEG_UPSTREAM:
        break;
    }

    if (cn->client_leg) {
        if (msg->after_gap && !msg->stream) {
            /* Requests the capture does not hold came before this one (see
             * after_gap), at least one, or after a request cut short perhaps
             * none: their answers come before its own, how many is not
             * known.  Counted as one, with this one and those that follow
             * until that many answers came (one too many leaves answers
             * without their request, never with another's). */
            cn->untracked++;
            cn->untracked_why = MWG_LOSS_REQUEST_GAP;
        }
        /* Requests the capture lacks, before this one or in the bytes of
         * its segment past the snap length, may have caused any attempt
         * that follows: an ask for a host not known stands for them. */
        if ((msg->after_gap && !msg->stream) || msg->capture_cut)
            remember_ask(c, msg->frame, msg->ts, NULL, 0);
        /* Past the bound, requests are counted, not queued: the answers to
         * them are then known to be unmatched instead of matched to the
         * wrong request. */
        if (cn->untracked || queue_length(cn) >= MWG_MAX_WAITING_REQUESTS) {
            remember_ask(c, since_frame, since_ts, understood ? host : NULL, port);
            if (understood)
                follow_last_request(name_get(c, host, true), NULL, since_frame);
            if (!cn->untracked)
                cn->untracked_why = MWG_LOSS_REQUEST_QUEUE;
            cn->untracked++;
            if (cn->untracked_why != MWG_LOSS_REQUEST_QUEUE) {
                c->loss.requests_lost_track++;
                c->frame_notes.dropped |= MWG_DROP_TRACK;
            } else {
                c->loss.requests_untracked++;
                c->frame_notes.dropped |= MWG_DROP_REQUESTS;
            }
            return;
        }
        name_entry *ne = NULL;
        if (understood) {
            ne = name_get(c, host, true);
            ne->requests[ne->next_request] = since_frame;
            ne->next_request = (ne->next_request + 1) % MWG_RECENT_REQUESTS;
            if (ne->n_requests < MWG_RECENT_REQUESTS)
                ne->n_requests++;
        }
        client_request *q = mwg_pool_alloc0(&c->pool, client_request_size(understood ? host : NULL));
        if (understood) {
            q->host = strcpy((char *)(q + 1), host);
            follow_last_request(ne, q, since_frame);
        }
        q->frame = msg->frame;
        q->ts = msg->ts;
        q->since_frame = since_frame;
        q->since_ts = since_ts;
        q->path_id = path_id;
        memcpy(q->method, method, sizeof q->method);
        q->port = port;
        q->stream = msg->stream;
        q->ack = msg->ack;
        q->ack_known = msg->ack_known;
        q->ask_slot = remember_ask(c, since_frame, since_ts, q->host, port);
        for (unsigned i = 0; i < msg->segments->n; i++)
            frame_list_add(&q->frames, msg->segments->v[i], MWG_MAX_MESSAGE_FRAMES);
        queue_push(c, cn, q);
        return;
    }
    if (!cn->fwd)
        cn->fwd = g_new0(forward, MWG_MAX_FORWARDS);
    if (cn->n_fwd == MWG_MAX_FORWARDS) {
        forward_free_contents(&cn->fwd[0]);
        memmove(cn->fwd, cn->fwd + 1, sizeof cn->fwd[0] * (MWG_MAX_FORWARDS - 1));
        cn->n_fwd--;
    }
    forward *fw = &cn->fwd[cn->n_fwd++];
    memset(fw, 0, sizeof *fw);
    fw->frame = msg->frame;
    fw->ts = msg->ts;
    fw->host = understood ? g_strdup(host) : NULL;
    fw->path_id = path_id;
    memcpy(fw->method, method, sizeof fw->method);
    watch_update(c, cn);
    for (unsigned i = 0; i < msg->segments->n; i++)
        conn_add_frame(cn, msg->segments->v[i]);
    endpoint_remember(c, cn);
    if (understood) {
        name_entry *ne = name_get(c, host, true);
        ref_list_push(c, &ne->forwards, cn, false);
        if (path_id)
            mark_forwarded(ne, path_id, msg->frame);
    }
}

/* The origin's reply to a forwarded request. */
static void reply(mwg_correlator *c, conn *cn, const http_msg *msg)
{
    forward *fw = awaiting_reply(cn);
    if (!fw || msg->m.status < 200)
        return;
    for (unsigned i = 0; i < msg->segments->n; i++)
        frame_list_add_segment(&fw->reply_frames, msg->segments->v[i],
                               msg->segments->seq ? msg->segments->seq[i] : msg->seq, MWG_MAX_MESSAGE_FRAMES);
    fw->reply_seq = msg->seq;
    fw->reply_header_len = msg->m.header_len;
    if (msg->m.malformed) {
        /* A status line, then what no gateway accepts: the reply goes bad
         * where its first offending byte is. */
        fw->reply = REPLY_INVALID;
        uint32_t at = frame_list_frame_at(msg->segments, msg->seq + (uint32_t)msg->m.malformed_at);
        fw->reply_frame = at ? at : msg->frame;
    } else {
        fw->reply = REPLY_VALID;
        fw->status = msg->m.status;
        fw->reply_frame = msg->frame;
    }
    conn_add_frame(cn, msg->frame);
    watch_update(c, cn);
}

/* Whether the request was sent after the client had every byte before the
 * answer (its acknowledgement reaches the answer's start). */
static bool sent_after(const client_request *q, const http_msg *answer)
{
    return q && q->ack_known && (int32_t)(q->ack - answer->seq) >= 0;
}

/* Answers the capture does not hold came before this one (see after_gap):
 * they answered the oldest waiting requests, at least one.  How many is
 * known when the next waiting request was sent after the client had every
 * byte before this answer, or is the only one left; then those before it
 * are dropped.  After an answer the snap length cut, the bytes missing may
 * be only its rest: none of them answered the oldest request if that was
 * sent after them, and otherwise nothing tells.  Where which request this
 * answers is not known, the waiting ones become untracked (as many as may
 * still be answered, so that no later answer is matched to the wrong
 * request) and false is returned. */
static bool skip_answers_not_captured(mwg_correlator *c, conn *cn, const http_msg *msg)
{
    unsigned n = queue_length(cn);
    if (n == 0)
        return true;
    bool surely_lost = msg->after_gap == GAP_WHOLE_MESSAGES;
    if (!surely_lost && sent_after(queue_head(cn), msg))
        return true;
    if (surely_lost && (n == 2 || sent_after(n > 1 ? queue_head(cn)->next : NULL, msg))) {
        client_request *answered = queue_pop(cn);
        ask_answered(c, answered, msg->frame, false);
        client_request_free(c, answered);
        return true;
    }
    /* With one waiting after answers surely lost, the request this answers
     * is missing too. */
    cn->untracked += !surely_lost ? n - 1 : n >= 2 ? n - 2 : 0;
    if (cn->untracked)
        cn->untracked_why = MWG_LOSS_ANSWER_GAP;
    c->loss.requests_lost_track += n;
    c->frame_notes.dropped |= MWG_DROP_TRACK;
    while (queue_head(cn))
        client_request_free(c, queue_pop(cn));
    return false;
}

/* From here on the connection carries the client's TLS. */
static void open_tunnel(conn *cn, const client_request *req, const http_msg *msg)
{
    tunnel *t = g_new0(tunnel, 1);
    t->host = req->host ? g_strdup(req->host) : NULL;
    t->port = req->port;
    t->connect_frame = req->frame;
    t->connect_ts = req->ts;
    t->established_frame = msg->frame;
    frame_list_add(&t->frames, req->frame, MWG_MAX_TUNNEL_FRAMES);
    frame_list_add(&t->frames, msg->frame, MWG_MAX_TUNNEL_FRAMES);
    cn->tunnel = t;
}

/* The gateway's answer to a client. */
static void answer(mwg_correlator *c, conn *cn, const http_msg *msg)
{
    if (msg->m.status < 200 && msg->m.status >= 100)
        return;                 /* interim: the final answer follows */
    bool tracked = !msg->after_gap || skip_answers_not_captured(c, cn, msg);
    /* A request that came after the answer began (one cut off and read
     * late) is not the one it answers.  HTTP/2 answers on the request's
     * stream, in any order. */
    client_request *req = NULL;
    if (msg->stream) {
        for (client_request *prev = NULL, *q = queue_head(cn); q; prev = q, q = q->next) {
            if (q->stream == msg->stream && q->frame < msg->frame) {
                req = queue_take(cn, prev, q);
                break;
            }
        }
    } else {
        client_request *head = queue_head(cn);
        req = head && head->frame < msg->frame ? queue_pop(cn) : NULL;
    }
    if (req)
        ask_answered(c, req, msg->frame, !mwg_config_is_error_status(&c->cfg, msg->m.status));
    if (req && msg->m.status < 300 && strcmp(req->method, "CONNECT") == 0 && !cn->tunnel)
        open_tunnel(cn, req, msg);
    unsigned untracked = 0;
    if (!req && cn->untracked && tracked) {
        untracked = cn->untracked_why;
        cn->untracked--;
    }
    /* HTTP/2 answers each stream when it is ready: none waits for another. */
    if (req && !msg->stream)
        req->prev_answer_frame = cn->last_answer_frame > req->frame ? cn->last_answer_frame : 0;
    cn->last_answer_frame = msg->segments->n ? msg->segments->v[0] : msg->frame;
    if (mwg_config_is_error_status(&c->cfg, msg->m.status)) {
        mwg_verdict *v = mwg_verdict_new();
        v->loss |= untracked;
        if (!tracked)
            v->loss |= MWG_LOSS_ANSWER_GAP;
        judge_error(c, req, msg, v);
        g_ptr_array_add(c->out, v);
    }
    client_request_free(c, req);
}

void intake_http(mwg_correlator *c, conn *cn, int dir, const http_msg *msg)
{
    bool from_client = dir == 0;
    if (!msg->m.is_response) {
        if (from_client)
            request(c, cn, msg);
        return;
    }
    if (from_client)
        return;
    /* A capture that starts after the request: the proxy port tells. */
    if (cn->client_leg || (!cn->parent_leg && !is_parent_addr(c, &cn->server.addr) &&
                           mwg_config_is_proxy_port(&c->cfg, cn->server.port)))
        answer(c, cn, msg);
    else
        reply(c, cn, msg);
}
