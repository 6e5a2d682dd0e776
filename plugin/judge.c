/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge.c - a gateway error response -> its verdict.
 *
 * The request it answers gives the host and the time span.  The engine
 * looks at what the gateway did for that host while the client waited, from
 * the latest stage back: a forwarded request (its reply: none, not HTTP,
 * closed, an error status) -> connection attempts to the host's addresses
 * (RST, ICMP error, no answer) -> DNS queries for the name (rcode, no
 * answer, ICMP).  The latest stage reached decides the cause.
 */
#include "engine.h"

#include <string.h>

#include "blockpage.h"
#include "gateway.h"


typedef struct {
    mwg_correlator *c;
    mwg_verdict *v;
    const client_request *req;
    const name_entry *ne;       /* the host's, if the engine knows it */
    int64_t error_ts;
} judge;


/* Did this stage of the gateway's work overlap the life of the request? It
 * started before the error and either after the request or still ran then. */
static bool overlaps(uint32_t started, uint32_t ended, uint32_t req, uint32_t err)
{
    return started && started < err && (started > req || ended == 0 || (ended > req && ended < err));
}

/* The largest response header block each kind of gateway takes: Squid's
 * reply_header_max_size, nginx's proxy_buffer_size (a page); for others,
 * the smallest of these. */
static size_t header_limit(mwg_gateway gw)
{
    return gw == MWG_GW_SQUID ? 64 * 1024 : 4 * 1024;
}

/* A reply that began well but had not ended when the gateway answered the
 * client: if its headers break HTTP, or grew past what the gateway takes,
 * the segment that holds the first offending byte (before the error), else
 * 0. */
static uint32_t reply_gone_bad(const conn *cn, const forward *fw, const mwg_verdict *v)
{
    const http_dir *d = &cn->dir[1];
    if (!fw->reply_started || !d->pending || d->pending_frame <= fw->frame || d->pending_frame >= v->error_frame)
        return 0;
    mwg_http_message m;
    mwg_http_state st = mwg_http_read(d->pending_head, d->pending_head_len, false, fw->method, &m);
    uint32_t at = 0;
    if (st != MWG_HTTP_NOT_A_MESSAGE && m.malformed)
        at = frame_list_frame_at(&d->pending_frames, d->pending_seq + (uint32_t)m.malformed_at);
    else if (st == MWG_HTTP_PARTIAL && !m.body) {
        /* Still in its headers: past the limit? */
        uint32_t last = d->pending_frames.n ? d->pending_frames.seq[d->pending_frames.n - 1] : d->pending_seq;
        if (last - d->pending_seq >= header_limit(v->gateway))
            at = frame_list_frame_at(&d->pending_frames, d->pending_seq + (uint32_t)header_limit(v->gateway));
    }
    return at && at < v->error_frame ? at : 0;
}

/* A forwarded request for the host sent while the client waited. */
static bool judge_forward(judge *j, conn *const *cands, unsigned n)
{
    conn *best_conn = NULL;
    forward *best = NULL;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < cands[i]->n_fwd; k++) {
            forward *fw = &cands[i]->fwd[k];
            if (fw->host && strcmp(fw->host, j->req->host) != 0)
                continue;       /* another virtual host on the same address */
            if (fw->frame > j->req->frame && fw->frame < j->v->error_frame && (!best || fw->frame > best->frame)) {
                best = fw;
                best_conn = cands[i];
            }
        }
    if (!best)
        return false;
    mwg_verdict *v = j->v;
    v->attempt_frame = best->frame;
    v->upstream = best_conn->server.addr;
    v->via_parent = best_conn->parent_leg || is_parent_addr(j->c, &best_conn->server.addr);
    v->upstream_port = best_conn->server.port;
    v->response_wait_s = (double)(j->error_ts - best->ts) / MWG_NS_PER_S;
    /* As it stood when the error was sent: an error judged late (its
     * response was cut off) must not see what came after it. */
    reply_kind reply = best->reply_frame < v->error_frame ? best->reply : REPLY_NONE;
    mwg_verdict_add_frames(v, best_conn->frames, best_conn->n_frames);
    if (reply != REPLY_NONE)
        mwg_verdict_add_frames(v, best->reply_frames.v, best->reply_frames.n);
    switch (reply) {
    case REPLY_INVALID:
        mwg_verdict_set_cause(v, MWG_CAUSE_HTTP_INVALID_RESPONSE);
        v->evidence_frame = best->reply_frame;
        break;
    case REPLY_CLOSED:
        mwg_verdict_set_cause(v, MWG_CAUSE_UPSTREAM_CLOSED);
        v->evidence_frame = best->reply_frame;
        break;
    case REPLY_VALID:
        v->upstream_status = best->status;
        v->evidence_frame = best->reply_frame;
        if (best->status >= 500 || best->status == v->status) {
            mwg_verdict_set_cause(v, MWG_CAUSE_UPSTREAM_STATUS);
        } else {
            /* The origin answered well; the gateway failed on its own. */
            mwg_verdict_set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
            v->evidence_frame = 0;
        }
        break;
    case REPLY_GIVEN_UP:
        /* It waited as long as its timeout, not until the error. */
        mwg_verdict_set_cause(v, MWG_CAUSE_HTTP_RESPONSE_TIMEOUT);
        v->evidence_frame = best->frame;
        v->gateway_gave_up = true;
        v->response_wait_s = (double)(best->reply_ts - best->ts) / MWG_NS_PER_S;
        break;
    case REPLY_NONE: {
        uint32_t bad = reply_gone_bad(best_conn, best, v);
        if (bad) {
            mwg_verdict_set_cause(v, MWG_CAUSE_HTTP_INVALID_RESPONSE);
            v->evidence_frame = bad;
            const frame_list *segs = &best_conn->dir[1].pending_frames;
            for (unsigned i = 0; i < segs->n && segs->v[i] < v->error_frame; i++)
                mwg_verdict_add_frame(v, segs->v[i]);
            break;
        }
        mwg_verdict_set_cause(v, MWG_CAUSE_HTTP_RESPONSE_TIMEOUT);
        v->evidence_frame = best->frame;
        break;
    }
    }
    return true;
}

typedef enum { CONNECT_PENDING, CONNECT_REFUSED, CONNECT_UNREACHABLE, CONNECT_ESTABLISHED } connect_outcome;

/* A frame of the attempt, if it came before 'before' (the error frame: an
 * error judged late must not see what came after it), else 0. */
static uint32_t seen(uint32_t frame, uint32_t before)
{
    return frame < before ? frame : 0;
}

/* How the attempt ended: the latest answer to its SYNs. */
static connect_outcome conn_outcome(const conn *cn, uint32_t before)
{
    uint32_t rst = seen(cn->rst_frame, before), icmp = seen(cn->icmp_frame, before);
    uint32_t failed = MAX(rst, icmp);
    if (seen(cn->synack_frame, before) > failed)
        return CONNECT_ESTABLISHED;
    if (failed)
        return rst > icmp ? CONNECT_REFUSED : CONNECT_UNREACHABLE;
    return CONNECT_PENDING;
}

static uint32_t conn_outcome_frame(const conn *cn, uint32_t before)
{
    return MAX(MAX(seen(cn->rst_frame, before), seen(cn->icmp_frame, before)), seen(cn->synack_frame, before));
}

/* Whether another client asked for the host after this request and before
 * 'frame': an attempt then may be for that request. */
static bool another_request_before(const judge *j, uint32_t frame)
{
    for (unsigned i = 0; j->ne && i < j->ne->n_requests; i++)
        if (j->ne->requests[i] > j->req->frame && j->ne->requests[i] < frame)
            return true;
    return false;
}

/* Attempt 'cn' may follow 'prev' in one request's chain: it started after
 * 'prev' ended (a RST or ICMP error: the gateway tries again, the same
 * address or the next), or after its last SYN when 'prev' never ended (the
 * gateway gave up on it and moved on to another address).  A new attempt
 * to the same address is another request's when one came meanwhile (Squid
 * and nginx do not retry a refused connection; MWG does). */
static bool follows(const judge *j, const conn *prev, const conn *cn)
{
    uint32_t ended = conn_outcome_frame(prev, j->v->error_frame);
    bool same = mwg_addr_equal(&prev->server.addr, &cn->server.addr);
    if (same && another_request_before(j, cn->first_syn_frame))
        return false;
    if (ended)
        return cn->first_syn_frame > ended;
    return cn->first_syn_frame > prev->last_syn_frame && !same;
}

/* The chain of attempts from the first of 'own' that started after the
 * request; 'unclaimed': only those no other verdict took. */
static unsigned chain_of(const judge *j, conn *const *own, unsigned n_own, bool unclaimed, conn **out)
{
    unsigned chain = 0;
    for (;;) {
        conn *next = NULL;
        for (unsigned i = 0; i < n_own; i++) {
            conn *cn = own[i];
            if (unclaimed && cn->claimed_by && cn->claimed_by != j->req->frame)
                continue;
            bool fits = chain ? follows(j, out[chain - 1], cn) : true;
            if (fits && (!next || cn->first_syn_frame < next->first_syn_frame))
                next = cn;
        }
        if (!next)
            return chain;
        out[chain++] = next;
    }
}

/* The attempts the gateway made for this request, among those to the
 * host's addresses that ran while the client waited.  Under a burst of
 * requests for one host, each request has its own: the first attempt that
 * started after the request and no other verdict took, and those that
 * followed it (see follows()).  Attempts that started before the request
 * and still ran are shared, used only when the request has none of its
 * own.  A connection that was established and carried another request
 * served that one. */
static unsigned own_attempts(judge *j, conn *const *cands, unsigned n, conn **out, bool *own_ones)
{
    mwg_verdict *v = j->v;
    int64_t horizon = j->req->ts - mwg_seconds(j->c->cfg.connect_window_s);
    conn **own = g_new(conn *, n ? n : 1), **shared = g_new(conn *, n ? n : 1);
    unsigned n_own = 0, n_shared = 0;
    for (unsigned i = 0; i < n; i++) {
        conn *cn = cands[i];
        /* An intercepted client's own connection to the origin's address
         * is no attempt of the gateway's. */
        if (!cn->syn_count || cn->last_syn_ts < horizon || cn->client_leg)
            continue;
        if (!overlaps(cn->first_syn_frame, conn_outcome_frame(cn, v->error_frame), j->req->frame, v->error_frame))
            continue;
        if (cn->n_fwd && conn_outcome(cn, v->error_frame) == CONNECT_ESTABLISHED)
            continue;
        if (cn->first_syn_frame > j->req->frame)
            own[n_own++] = cn;
        else
            shared[n_shared++] = cn;
    }
    *own_ones = n_own > 0;
    unsigned chain = 0;
    if (!n_own) {
        memcpy(out, shared, n_shared * sizeof *out);
        chain = n_shared;
    } else {
        /* Claims only steer: a request whose attempts were all taken still
         * gets them, rather than no evidence. */
        chain = chain_of(j, own, n_own, true, out);
        if (!chain)
            chain = chain_of(j, own, n_own, false, out);
        for (unsigned i = 0; i < chain; i++)
            if (!out[i]->claimed_by)
                out[i]->claimed_by = j->req->frame;
    }
    g_free(own);
    g_free(shared);
    return chain;
}

/* The request's connection attempts (see own_attempts) decide. */
static bool judge_connect(judge *j, conn *const *relevant, unsigned n_rel)
{
    mwg_verdict *v = j->v;
    conn *latest = NULL;
    for (unsigned i = 0; i < n_rel; i++)
        if (!latest || relevant[i]->first_syn_frame > latest->first_syn_frame)
            latest = relevant[i];
    if (!latest)
        return false;
    uint32_t evidence = 0, attempts = 0, first = 0;
    mwg_cause cause;
    switch (conn_outcome(latest, v->error_frame)) {
    case CONNECT_REFUSED: cause = MWG_CAUSE_TCP_RST; break;
    case CONNECT_UNREACHABLE: cause = MWG_CAUSE_ICMP_UNREACHABLE; break;
    case CONNECT_ESTABLISHED:
        cause = seen(latest->close_frame, v->error_frame) ? MWG_CAUSE_UPSTREAM_CLOSED : MWG_CAUSE_NO_UPSTREAM_EVIDENCE;
        break;
    default: cause = MWG_CAUSE_TCP_SYN_TIMEOUT; break;
    }
    for (unsigned i = 0; i < n_rel; i++) {
        conn *cn = relevant[i];
        uint32_t e = 0;
        switch (cause) {
        case MWG_CAUSE_TCP_RST: e = cn->rst_frame; break;
        case MWG_CAUSE_ICMP_UNREACHABLE: e = cn->icmp_frame; break;
        case MWG_CAUSE_UPSTREAM_CLOSED: e = cn == latest ? cn->close_frame : 0; break;
        case MWG_CAUSE_TCP_SYN_TIMEOUT:
            e = conn_outcome(cn, v->error_frame) == CONNECT_PENDING ? cn->last_syn_frame : 0;
            break;
        default: break;
        }
        if (e && e < v->error_frame && e > evidence)
            evidence = e;
        attempts += cn->syn_count;
        if (!first || cn->first_syn_frame < first)
            first = cn->first_syn_frame;
        mwg_verdict_add_frames(v, cn->frames, cn->n_frames);
    }
    mwg_verdict_set_cause(v, cause);
    v->evidence_frame = cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE ? 0 : evidence;
    v->attempt_frame = first;
    v->attempts = attempts;
    v->upstream = latest->server.addr;
    v->via_parent = latest->parent_leg || is_parent_addr(j->c, &latest->server.addr);
    v->upstream_port = latest->server.port;
    if (cause == MWG_CAUSE_ICMP_UNREACHABLE) {
        const conn *src = latest;
        for (unsigned i = 0; i < n_rel; i++)
            if (relevant[i]->icmp_frame == evidence)
                src = relevant[i];
        v->icmp = src->icmp;
    }
    return true;
}

/* DNS for the host while the client waited; fills the addresses it gave.
 * Returns true when DNS decided the verdict (resolution failed). */
static bool judge_dns(judge *j, const name_entry *ne, bool *resolved)
{
    mwg_verdict *v = j->v;
    const dns_txn *rel[MWG_MAX_DNS_TXNS];
    unsigned n = 0;
    int64_t horizon = j->req->ts - mwg_seconds(j->c->cfg.dns_window_s);
    *resolved = false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        uint32_t started = t->first_query_frame ? t->first_query_frame : t->response_frame;
        uint32_t ended = t->response_frame ? t->response_frame : t->icmp_frame;
        if (t->first_query_frame && t->last_query_ts < horizon)
            continue;
        if (overlaps(started, ended, j->req->frame, v->error_frame))
            rel[n++] = t;
    }
    if (n == 0)
        return false;
    /* Resolved, or answered with addresses the capture cut off: DNS did
     * not fail, the later stages tell. */
    for (unsigned i = 0; i < n; i++)
        if ((rel[i]->has_addr || (rel[i]->rcode == 0 && rel[i]->answers_cut)) && rel[i]->response_frame &&
            rel[i]->response_frame < v->error_frame)
            *resolved = true;
    if (*resolved)
        return false;
    /* Which failure: an authoritative "no such name" outweighs the rest. */
    static const struct { mwg_cause cause; int rcode; } order[] = {
        { MWG_CAUSE_DNS_NXDOMAIN, 3 }, { MWG_CAUSE_DNS_SERVFAIL, 2 },
        { MWG_CAUSE_DNS_REFUSED, 5 }, { MWG_CAUSE_DNS_ERROR, -1 }, { MWG_CAUSE_DNS_NODATA, 0 },
    };
    const dns_txn *ev = NULL;
    mwg_cause cause = MWG_CAUSE_DNS_NO_RESPONSE;
    for (size_t o = 0; o < G_N_ELEMENTS(order) && !ev; o++) {
        for (unsigned i = 0; i < n; i++) {
            const dns_txn *t = rel[i];
            if (!t->response_frame || t->response_frame >= v->error_frame)
                continue;
            int rc = (int)t->rcode;
            bool match = order[o].rcode >= 0 ? rc == order[o].rcode : (rc != 0 && rc != 2 && rc != 3 && rc != 5);
            /* An answer cut short may have held the address. */
            if (rc == 0 && t->answers_cut)
                match = false;
            if (match && (!ev || t->response_frame > ev->response_frame)) {
                ev = t;
                cause = order[o].cause;
            }
        }
    }
    if (ev) {
        v->evidence_frame = ev->response_frame;
        v->dns_rcode = ev->rcode;
    } else {
        for (unsigned i = 0; i < n; i++)
            if (rel[i]->icmp_frame && rel[i]->icmp_frame < v->error_frame &&
                (!ev || rel[i]->icmp_frame > ev->icmp_frame))
                ev = rel[i];
        if (ev) {
            cause = MWG_CAUSE_DNS_SERVER_UNREACHABLE;
            v->evidence_frame = ev->icmp_frame;
            v->icmp = ev->icmp;
        } else {
            for (unsigned i = 0; i < n; i++)
                if (!ev || rel[i]->last_query_frame > ev->last_query_frame)
                    ev = rel[i];
            v->evidence_frame = ev->last_query_frame;
        }
    }
    mwg_verdict_set_cause(v, cause);
    v->upstream = ev->server.addr;
    v->upstream_port = ev->server.port;
    uint32_t first = 0;
    mwg_addr servers[MWG_MAX_DNS_TXNS * MWG_MAX_DNS_SERVERS];
    unsigned n_servers = 0;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned s = 0; s < rel[i]->n_servers; s++) {
            bool seen = false;
            for (unsigned k = 0; k < n_servers && !seen; k++)
                seen = mwg_addr_equal(&servers[k], &rel[i]->servers[s]);
            if (!seen)
                servers[n_servers++] = rel[i]->servers[s];
        }
        v->attempts += rel[i]->query_count;
        if (rel[i]->first_query_frame && (!first || rel[i]->first_query_frame < first))
            first = rel[i]->first_query_frame;
        mwg_verdict_add_frames(v, rel[i]->frames, rel[i]->n_frames);
    }
    v->attempt_frame = first;
    v->dns_servers = n_servers;
    return true;
}

/* Every connection that may have served the host: attempts to its addresses
 * on the requested port, and connections that carried a request for it. */
static void add_candidate(GPtrArray *out, conn *cn)
{
    for (guint k = 0; k < out->len; k++)
        if (g_ptr_array_index(out, k) == cn)
            return;
    g_ptr_array_add(out, cn);
}

static void candidate_conns(mwg_correlator *c, const name_entry *ne, const mwg_addr *literal, uint16_t port,
                            GPtrArray *out)
{
    const mwg_addr *addrs = ne ? ne->addrs : NULL;
    unsigned n_addrs = ne ? ne->n_addrs : 0;
    for (unsigned a = 0; a <= n_addrs; a++) {
        const mwg_addr *addr = a < n_addrs ? &addrs[a] : literal;
        if (!addr || !addr->family)
            continue;
        mwg_endpoint ep = { .addr = *addr, .port = port };
        ep_key k;
        ep_key_make(&ep, &k);
        endpoint_entry *e = mwg_lru_lookup(&c->endpoints, &k);
        for (unsigned i = 0; e && i < e->conns.n; i++) {
            conn *cn = ref_resolve(c, &e->conns.refs[i]);
            if (cn)
                g_ptr_array_add(out, cn);
        }
    }
    for (unsigned i = 0; ne && i < ne->forwards.n; i++) {
        conn *cn = ref_resolve(c, &ne->forwards.refs[i]);
        if (cn)
            add_candidate(out, cn);
    }
}

/* When the capture shows no resolution for the host (the gateway resolved it
 * from its cache or hosts file), its connection attempts are the ones to the
 * requested port that started while the client waited and go to an address
 * no other name resolved to. */
static void unowned_attempts(mwg_correlator *c, const judge *j, GPtrArray *out)
{
    for (unsigned age = 0; age < c->n_recent; age++) {     /* newest first */
        unsigned i = (c->next_recent + MWG_RECENT_ATTEMPTS - 1 - age) % MWG_RECENT_ATTEMPTS;
        conn *cn = ref_resolve(c, &c->recent[i]);
        if (cn && cn->first_syn_frame <= j->req->frame)
            break;              /* older ones started before the request too */
        if (!cn || cn->client_leg || cn->server.port != j->req->port || cn->first_syn_frame >= j->v->error_frame)
            continue;
        ep_key k;
        addr_key_make(&cn->server.addr, &k);
        addr_owner *o = mwg_lru_lookup(&c->owners, &k);
        if (o && strcmp(o->name, j->req->host) != 0)
            continue;
        add_candidate(out, cn);
    }
}

/* With a parent proxy the gateway connects to it, not to the host: the
 * attempts to a parent that started while the client waited. */
static void parent_attempts(mwg_correlator *c, const judge *j, GPtrArray *out)
{
    for (unsigned age = 0; age < c->n_recent; age++) {     /* newest first */
        unsigned i = (c->next_recent + MWG_RECENT_ATTEMPTS - 1 - age) % MWG_RECENT_ATTEMPTS;
        conn *cn = ref_resolve(c, &c->recent[i]);
        if (cn && cn->first_syn_frame <= j->req->frame)
            break;
        if (cn && !cn->client_leg && cn->first_syn_frame < j->v->error_frame && is_parent_addr(c, &cn->server.addr))
            add_candidate(out, cn);
    }
}

/* From the latest stage the gateway reached back: its own connection
 * attempts to the host's addresses (or its parent's) if they never got
 * through (whatever another client's request for the host forwarded
 * meanwhile), the forwarded request and its reply, DNS; last, for a name
 * the capture never resolves, the attempts that ran meanwhile to addresses
 * no other name owns. */
static void explain(mwg_correlator *c, judge *j)
{
    mwg_verdict *v = j->v;
    const client_request *req = j->req;
    mwg_verdict_set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
    if (!req->host)
        return;
    mwg_addr literal;
    bool is_literal = mwg_addr_parse(req->host, &literal);
    name_entry *ne = name_get(c, req->host, false);
    j->ne = ne;
    GPtrArray *cands = g_ptr_array_new();
    candidate_conns(c, ne, is_literal ? &literal : NULL, req->port, cands);
    if (c->n_parents || c->cfg.n_parent_proxies)
        parent_attempts(c, j, cands);
    conn **attempts = g_new(conn *, MWG_RECENT_ATTEMPTS + cands->len + 1);
    bool own = false, resolved = is_literal;
    unsigned n = own_attempts(j, (conn *const *)cands->pdata, cands->len, attempts, &own);
    if (own && n && conn_outcome(attempts[n - 1], v->error_frame) != CONNECT_ESTABLISHED) {
        judge_connect(j, attempts, n);
    } else if (!judge_forward(j, (conn *const *)cands->pdata, cands->len) &&
               !(ne && !is_literal && judge_dns(j, ne, &resolved))) {
        if (!is_literal && (!ne || ne->n_addrs == 0)) {
            unowned_attempts(c, j, cands);
            n = own_attempts(j, (conn *const *)cands->pdata, cands->len, attempts, &own);
        }
        judge_connect(j, attempts, n);
    }
    g_free(attempts);
    g_ptr_array_free(cands, TRUE);
}

/* Frames Wireshark dissected that mwg502 could not read, while the client
 * waited. */
static unsigned unread_between(const mwg_correlator *c, uint32_t from, uint32_t to)
{
    unsigned n = 0;
    for (unsigned i = 0; i < c->n_unread; i++)
        if (c->unread[i] > from && c->unread[i] < to)
            n++;
    return n;
}

/* Who answered: for the origin's own error relayed, its Server header and
 * page are the origin's, so only a Via header tells. */
static void identify_gateway(const http_msg *msg, const uint8_t *body, size_t body_len, mwg_verdict *v)
{
    char *via = msg->m.has_via ? g_strndup((const char *)msg->m.via.p, msg->m.via.len) : NULL;
    char *server = msg->m.has_server ? g_strndup((const char *)msg->m.server.p, msg->m.server.len) : NULL;
    v->gateway = mwg_gateway_identify(via, server, body, body_len, v->cause == MWG_CAUSE_UPSTREAM_STATUS);
    g_free(via);
    g_free(server);
}

void judge_error(mwg_correlator *c, const client_request *req, const http_msg *msg, mwg_verdict *v)
{
    v->status = msg->m.status;
    v->error_frame = msg->frame;
    v->incomplete = msg->incomplete;
    const uint8_t *body = msg->decoded_body ? msg->decoded_body : msg->m.body;
    size_t body_len = msg->decoded_body ? msg->decoded_body_len : msg->m.body_len;
    v->block_page = mwg_blockpage_family(body, body_len, &v->block_page_recognised);
    mwg_verdict_add_frames(v, msg->segments->v, msg->segments->n);
    mwg_verdict_add_frame(v, msg->frame);
    if (!req) {
        mwg_verdict_set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
        identify_gateway(msg, body, body_len, v);
        mwg_verdict_finish(v);
        return;
    }
    v->request_frame = req->frame;
    v->host = req->host ? g_strdup(req->host) : NULL;
    v->elapsed_ns = msg->ts - req->ts;
    mwg_verdict_add_frames(v, req->frames.v, req->frames.n);
    judge j = { .c = c, .v = v, .req = req, .error_ts = msg->ts };
    identify_gateway(msg, body, body_len, v);
    explain(c, &j);
    /* The origin's own error relayed: its Server header and page are the
     * origin's, only a Via header names the gateway. */
    if (v->cause == MWG_CAUSE_UPSTREAM_STATUS)
        identify_gateway(msg, body, body_len, v);
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE) {
        v->unread_frames = unread_between(c, req->frame, msg->frame);
        if (v->unread_frames)
            v->loss |= MWG_LOSS_UNREAD;
        double window = MAX(c->cfg.dns_window_s, c->cfg.connect_window_s);
        if (c->evicted_any && c->evicted_at >= req->ts - mwg_seconds(window))
            v->loss |= MWG_LOSS_EVICTED;
    }
    mwg_verdict_finish(v);
}
