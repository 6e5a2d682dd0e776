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
#include "judge.h"

#include <string.h>

#include "blockpage.h"
#include "gateway.h"

/* The largest response header block the gateway takes, where its kind
 * says (see constants.h), else 0. */
static size_t header_limit(mwg_gateway gw)
{
    switch (gw) {
    case MWG_GW_SQUID: return MWG_SQUID_HEADER_LIMIT;
    case MWG_GW_NGINX: return MWG_NGINX_HEADER_LIMIT;
    default: return 0;
    }
}

/* A reply that began well but had not ended when the gateway answered the
 * client: if its headers break HTTP, or grew past what the gateway takes,
 * the segment that holds the first offending byte (before the error), else
 * 0. */
static uint32_t reply_gone_bad(const conn *cn, const forward *fw, mwg_verdict *v)
{
    const http_dir *d = conn_dir_peek(cn, 1);
    if (!fw->reply_started || !d->pending || d->pending_frame <= fw->frame || d->pending_frame >= v->error_frame)
        return 0;
    mwg_http_message m;
    mwg_http_state st = mwg_http_read(d->pending_head, d->pending_head_len, false, fw->method, &m);
    uint32_t at = 0;
    if (st != MWG_HTTP_NOT_A_MESSAGE && m.malformed)
        at = frame_list_frame_at(&d->pending_frames, d->pending_seq + (uint32_t)m.malformed_at);
    else if (st == MWG_HTTP_PARTIAL && !m.body) {
        /* Still in its headers: past the limit? */
        size_t limit = header_limit(v->gateway) ? header_limit(v->gateway) : MWG_NGINX_HEADER_LIMIT;
        if (d->pending_end - d->pending_seq > limit) {
            at = frame_list_frame_at(&d->pending_frames, d->pending_seq + (uint32_t)limit);
            if (at && at < v->error_frame)
                v->header_limit = limit;
        }
    }
    return at && at < v->error_frame ? at : 0;
}

typedef struct {
    conn *cn;
    forward *fw;
} forward_pick;

/* The forwards for the host sent while the client waited ('same_path':
 * only those that asked for the request's own page): the latest in
 * 'any', and in 'own' the latest sent before another client asked for the
 * host (one sent after may be that client's: under a burst, the latest is
 * the last client's); how many there were. */
static unsigned pick_forward(const judge *j, const conn_list *cands, bool same_path, forward_pick *own,
                             forward_pick *any)
{
    *own = *any = (forward_pick){ NULL, NULL };
    unsigned n = 0;
    for (unsigned i = 0; i < cands->n; i++) {
        conn *cn = candidate_conn(j->c, &cands->v[i]);
        for (unsigned k = 0; cn && k < cn->n_fwd; k++) {
            forward *fw = &cn->fwd[k];
            if (fw->host && strcmp(fw->host, j->req->host) != 0)
                continue;       /* another virtual host on the same address */
            if (same_path && fw->path_id != j->req->path_id)
                continue;
            if (fw->frame <= j->req->frame || fw->frame >= j->v->error_frame)
                continue;
            /* Sent moments before the error, and no reply begun then: the
             * gateway was not waiting on it when it failed this request. */
            bool replied = fw->reply_started || (fw->reply != REPLY_NONE && fw->reply_frame < j->v->error_frame);
            if (!replied && j->error_ts - fw->ts < mwg_seconds(MWG_MIN_REPLY_WAIT_S))
                continue;
            n++;
            if (!any->fw || fw->frame > any->fw->frame)
                *any = (forward_pick){ cn, fw };
            if ((!own->fw || fw->frame > own->fw->frame) && !judge_another_request_before(j, fw->frame))
                *own = (forward_pick){ cn, fw };
        }
    }
    return n;
}

/* A forwarded request for the host sent while the client waited: among
 * those that asked for the request's page when the gateway kept paths
 * (another page is another client's), the only one; else the latest, the
 * one that decided (a gateway may forward again after a failed try),
 * among those sent before another client asked for the host; where every
 * one came after another request, the latest of all, unless
 * 'only_own'. */
static bool judge_forward(judge *j, conn_list *cands, bool only_own)
{
    forward_pick own, any;
    bool by_page = j->req->path_id != 0;
    unsigned n = pick_forward(j, cands, by_page, &own, &any);
    if (by_page && n == 1)
        own = any;
    else if (by_page && !n)
        pick_forward(j, cands, false, &own, &any);     /* a gateway that rewrites paths */
    forward_pick pick = own.fw || only_own ? own : any;
    if (!pick.fw)
        return false;
    conn *best_conn = pick.cn;
    forward *best = pick.fw;
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
        if (header_limit(v->gateway) && best->reply_header_len > header_limit(v->gateway)) {
            /* Wireshark read a valid reply, but its headers outgrew what this
             * gateway takes: it refused the reply where they did. */
            uint32_t at = frame_list_frame_at(&best->reply_frames, best->reply_seq + (uint32_t)header_limit(v->gateway));
            mwg_verdict_set_cause(v, MWG_CAUSE_HTTP_INVALID_RESPONSE);
            v->header_limit = header_limit(v->gateway);
            v->evidence_frame = at ? at : best->reply_frame;
        } else if (best->status >= 500 || best->status == v->status) {
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
            const frame_list *segs = &conn_dir_peek(best_conn, 1)->pending_frames;
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

/* The transaction's latest query before the error: a retry sent after it
 * (seen when an error whose end never came is judged at the end of the
 * capture) is no evidence for it. */
static uint32_t query_before(const dns_txn *t, uint32_t error_frame)
{
    return t->last_query_frame < error_frame ? t->last_query_frame : t->first_query_frame;
}

/* What a lookup of the name was to the request (lookup_roles). */
typedef struct {
    bool own;                   /* begun for it: after it and before the error, the first of its type
                                 * or before another client asked */
    bool later_clients;         /* another client's (see lookup_roles) */
} lookup_role;

/* Each lookup of the name: the request's own, or another client's: one
 * for a record type its own lookups asked too, begun after another client
 * asked for the host, or while an own lookup was still being retried (for
 * a client the capture does not show, its request cut short).  One of
 * another type may be the rest of its own resolution: nginx asks for AAAA
 * after A.  Whether the request has lookups of its own (else the roles are
 * not filled in). */
static bool lookup_roles(const judge *j, const name_entry *ne, lookup_role *roles)
{
    bool any_own = false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        roles[i].own = false;
        if (t->first_query_frame <= j->req->frame || t->first_query_frame >= j->v->error_frame)
            continue;
        /* The first of its type after the request is its own even when
         * another client asked meanwhile: the gateway serves them in
         * turn. */
        bool first = true;
        for (unsigned k = 0; k < ne->n_txns && first; k++) {
            const dns_txn *o = &ne->txns[k];
            first = !(o->qtype == t->qtype && o->first_query_frame > j->req->frame &&
                      o->first_query_frame < t->first_query_frame);
        }
        roles[i].own = first || !judge_another_request_before(j, t->first_query_frame);
        any_own |= roles[i].own;
    }
    if (!any_own)
        return false;           /* then no lookup is another client's either */
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        roles[i].later_clients = false;
        if (t->first_query_frame <= j->req->frame)
            continue;
        bool after_another = judge_another_request_before(j, t->first_query_frame);
        for (unsigned k = 0; k < ne->n_txns && !roles[i].later_clients; k++) {
            const dns_txn *o = &ne->txns[k];
            roles[i].later_clients = k != i && roles[k].own && o->qtype == t->qtype &&
                                     (after_another || (o->first_query_frame < t->first_query_frame &&
                                                        o->last_query_frame > t->first_query_frame));
        }
    }
    return true;
}

/* Whether the lookup was answered before the error with an address, or with
 * addresses the capture cut off: it did not fail. */
static bool resolved_before(const dns_txn *t, uint32_t error_frame)
{
    return t->response_frame && t->response_frame < error_frame &&
           (t->has_addr || (t->rcode == 0 && t->answers_cut));
}

static uint32_t lookup_started(const dns_txn *t)
{
    return t->first_query_frame ? t->first_query_frame : t->response_frame;
}

static uint32_t lookup_ended(const dns_txn *t)
{
    return t->response_frame ? t->response_frame : t->icmp_frame;
}

/* Whether the name's ring still holds every lookup begun since the
 * request (MWG_MAX_DNS_TXNS). */
static bool lookups_kept(const judge *j, const name_entry *ne)
{
    if (ne->n_txns < MWG_MAX_DNS_TXNS)
        return true;
    const dns_txn *oldest = &ne->txns[ne->next_txn];
    return lookup_started(oldest) <= j->req->frame;
}

/* Whether the request's own lookups are gone from the ring while lookups of
 * the name failed meanwhile and other clients asked for it: which failure
 * was its own, and whether what followed was for it or for the others, is
 * not known. */
static bool own_lookups_lost(const judge *j, const name_entry *ne)
{
    if (lookups_kept(j, ne) || !judge_another_request_before(j, j->v->error_frame))
        return false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        bool answered = t->response_frame && t->response_frame < j->v->error_frame;
        if ((answered && !resolved_before(t, j->v->error_frame)) ||
            (t->icmp_frame > j->req->frame && t->icmp_frame < j->v->error_frame))
            return true;
    }
    return false;
}

/* Whether the request's resolution failed before the error: the lookups
 * it rested on (for each record type, the latest begun before the error
 * and not another client's; its own among them) each refused by their
 * answer or an ICMP error, while other clients asked too.  The gateway had
 * no address for it then, and what it did for the host meanwhile was for
 * the others.  Not through a parent proxy, which takes a request without
 * an address. */
static bool own_lookups_failed(const judge *j, const name_entry *ne, lookup_role *roles)
{
    /* Only while the name's ring holds every lookup since the request: a
     * retry of one it let go would pass for a lookup of its own. */
    if (j->c->n_parents || j->c->cfg.n_parent_proxies || !lookups_kept(j, ne))
        return false;
    if (!lookup_roles(j, ne, roles))
        return false;
    bool own = false, others = judge_another_request_before(j, j->v->error_frame);
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        others |= roles[i].later_clients;
        if (!t->first_query_frame || t->first_query_frame >= j->v->error_frame || roles[i].later_clients)
            continue;
        bool superseded = false;
        for (unsigned k = 0; k < ne->n_txns && !superseded; k++) {
            const dns_txn *o = &ne->txns[k];
            superseded = o->qtype == t->qtype && o->first_query_frame > t->first_query_frame &&
                         o->first_query_frame < j->v->error_frame && !roles[k].later_clients;
        }
        if (superseded)
            continue;
        if (resolved_before(t, j->v->error_frame))
            return false;
        bool answered = t->response_frame && t->response_frame < j->v->error_frame;
        if (!answered && !(t->icmp_frame && t->icmp_frame < j->v->error_frame))
            return false;       /* still out: its outcome is not known */
        own |= roles[i].own;
    }
    return own && others;
}

/* Whether the lookup was answered before the error with this rcode (-1:
 * any other than those the causes name; 0: no address). */
static bool answered_with(const dns_txn *t, int rcode, uint32_t error_frame)
{
    if (!t->response_frame || t->response_frame >= error_frame)
        return false;
    int rc = (int)t->rcode;
    if (rc == 0)        /* an answer cut short may have held the address */
        return rcode == 0 && !t->has_addr && !t->answers_cut;
    return rcode >= 0 ? rc == rcode : rc != 2 && rc != 3 && rc != 5;
}

/* The verdict of the lookups 'rel' ('weighs': those that may decide the
 * cause; the latest that failed that way, whoever's, is its evidence).
 * Returns true when DNS decided the verdict (resolution failed). */
static bool decide_dns(judge *j, const name_entry *ne, const dns_txn *const *rel, const bool *weighs, unsigned n)
{
    mwg_verdict *v = j->v;
    /* Resolved, or answered with addresses the capture cut off: DNS did
     * not fail, the later stages tell. */
    for (unsigned i = 0; i < n; i++)
        if (weighs[i] && resolved_before(rel[i], v->error_frame))
            return false;
    /* Which failure: an authoritative "no such name" outweighs the rest. */
    static const struct { mwg_cause cause; int rcode; } order[] = {
        { MWG_CAUSE_DNS_NXDOMAIN, 3 }, { MWG_CAUSE_DNS_SERVFAIL, 2 },
        { MWG_CAUSE_DNS_REFUSED, 5 }, { MWG_CAUSE_DNS_ERROR, -1 }, { MWG_CAUSE_DNS_NODATA, 0 },
    };
    size_t found = G_N_ELEMENTS(order);
    bool refused = false;
    for (size_t o = 0; o < G_N_ELEMENTS(order) && found == G_N_ELEMENTS(order); o++)
        for (unsigned i = 0; i < n; i++)
            if (weighs[i] && answered_with(rel[i], order[o].rcode, v->error_frame))
                found = o;
    for (unsigned i = 0; i < n; i++)
        refused |= weighs[i] && rel[i]->icmp_frame && rel[i]->icmp_frame < v->error_frame;
    const dns_txn *ev = NULL;
    mwg_cause cause = MWG_CAUSE_DNS_NO_RESPONSE;
    if (found < G_N_ELEMENTS(order)) {
        cause = order[found].cause;
        for (unsigned i = 0; i < n; i++)
            if (answered_with(rel[i], order[found].rcode, v->error_frame) &&
                (!ev || rel[i]->response_frame > ev->response_frame))
                ev = rel[i];
        v->evidence_frame = ev->response_frame;
        v->dns_rcode = ev->rcode;
    } else if (refused) {
        cause = MWG_CAUSE_DNS_SERVER_UNREACHABLE;
        for (unsigned i = 0; i < n; i++)
            if (rel[i]->icmp_frame && rel[i]->icmp_frame < v->error_frame &&
                (!ev || rel[i]->icmp_frame > ev->icmp_frame))
                ev = rel[i];
        v->evidence_frame = ev->icmp_frame;
        v->icmp = ev->icmp;
    } else {
        /* Every query moments old at the error: the resolver was still
         * waiting for its answer (the gateway failed for some other
         * reason, or answered from a cache), so its silence says nothing;
         * nor can an attempt be the host's, whose address the gateway was
         * still asking for. */
        bool waited = false;
        for (unsigned i = 0; i < n; i++)
            waited |= weighs[i] && j->error_ts - rel[i]->last_query_ts >= mwg_seconds(MWG_MIN_DNS_WAIT_S);
        if (!waited) {
            /* Unless the request's own lookups, older, are gone from the
             * name's ring. */
            if (lookups_kept(j, ne))
                v->dns_pending = true;
            else
                v->loss |= MWG_LOSS_LOOKUPS;
            return true;
        }
        for (unsigned i = 0; i < n; i++)
            if (!ev || query_before(rel[i], v->error_frame) > query_before(ev, v->error_frame))
                ev = rel[i];
        v->evidence_frame = query_before(ev, v->error_frame);
    }
    mwg_verdict_set_cause(v, cause);
    v->upstream = ev->server.addr;
    v->upstream_port = ev->server.port;
    uint32_t first = 0;
    uint32_t servers[MWG_MAX_DNS_TXNS * MWG_MAX_DNS_SERVERS];
    unsigned n_servers = 0;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned s = 0; s < rel[i]->n_servers; s++) {
            bool seen = false;
            for (unsigned k = 0; k < n_servers && !seen; k++)
                seen = servers[k] == rel[i]->servers[s];
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

/* The name's lookups that ran within the DNS window (a lookup older than
 * that is no longer in the gateway's cache). */
static bool within_dns_window(const judge *j, const dns_txn *t)
{
    return !t->first_query_frame || t->last_query_ts >= j->req->ts - mwg_seconds(j->c->cfg.dns_window_s);
}

/* The name's latest lookups before the request (the latest of each record
 * type, within the DNS window), into 'rel', when they had all failed by
 * the request, by their answers or ICMP errors, and none was still out:
 * the gateway knew, when the request came, that the name had no address
 * (Squid's negative_dns_ttl, a resolver's negative caching).  Else 0. */
static unsigned failed_at_request(const judge *j, const name_entry *ne, const dns_txn **rel)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        if (!within_dns_window(j, t) || lookup_started(t) > j->req->frame)
            continue;
        if (!lookup_ended(t) || lookup_ended(t) > j->req->frame)
            return 0;
        unsigned k = 0;
        while (k < n && rel[k]->qtype != t->qtype)
            k++;
        if (k == n)
            rel[n++] = t;
        else if (lookup_ended(t) > lookup_ended(rel[k]))
            rel[k] = t;
    }
    for (unsigned k = 0; k < n; k++)
        if (resolved_before(rel[k], j->req->frame))
            return 0;
    return n;
}

/* A lookup that began after another client asked for the host, while the
 * gateway still owed the answer to the request before this one on its
 * connection, where the name had failed already when this one came.  A
 * gateway that works pipelined requests at once had its answer for it
 * then, from its cache; one that works them in turn starts on it only
 * once the one before is answered.  Either way the lookup is another
 * client's. */
static bool others_lookup(const judge *j, bool failed_at_arrival, const dns_txn *t)
{
    uint32_t started = lookup_started(t);
    return failed_at_arrival && started > j->req->frame && started < j->req->prev_answer_frame &&
           judge_another_request_before(j, started);
}

/* DNS for the host while the client waited; fills the addresses it gave.
 * With 'roles', other clients' lookups do not decide the cause (see
 * decide_dns). */
static bool judge_dns(judge *j, const name_entry *ne, const lookup_role *roles)
{
    const dns_txn *rel[MWG_MAX_DNS_TXNS], *before[MWG_MAX_DNS_TXNS];
    bool weighs[MWG_MAX_DNS_TXNS];
    bool failed_at_arrival = j->req->prev_answer_frame && failed_at_request(j, ne, before);
    unsigned n = 0;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        if (within_dns_window(j, t) && !others_lookup(j, failed_at_arrival, t) &&
            overlaps(lookup_started(t), lookup_ended(t), j->req->frame, j->v->error_frame)) {
            weighs[n] = !roles || !roles[i].later_clients;
            rel[n++] = t;
        }
    }
    if (!n)
        return false;
    /* Answered after the request before it on its connection, the request
     * may have been worked on at any time since it came; where the name's
     * ring no longer holds the lookups since then, others asked, and the
     * name was answered meanwhile (it is not silent for all), which were
     * its own, and how they ended, cannot be told. */
    if (!roles && j->req->prev_answer_frame && !lookups_kept(j, ne) &&
        ne->last_response_frame > j->req->frame && judge_another_request_before(j, j->v->error_frame)) {
        for (unsigned i = 0; i < n; i++)
            if (resolved_before(rel[i], j->v->error_frame))
                return false;
        j->v->loss |= MWG_LOSS_LOOKUPS;
        return true;
    }
    return decide_dns(j, ne, rel, weighs, n);
}

/* Nothing went out for the request, no lookup of the name either (but
 * others' lookups, see others_lookup), and the name had failed when the
 * request came: the gateway answered from what it had learned. */
static bool judge_dns_cached(judge *j, const name_entry *ne)
{
    const dns_txn *rel[MWG_MAX_DNS_TXNS];
    bool weighs[MWG_MAX_DNS_TXNS];
    unsigned n = failed_at_request(j, ne, rel);
    if (!n)
        return false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        if (within_dns_window(j, t) && lookup_started(t) > j->req->frame &&
            lookup_started(t) < j->v->error_frame && !others_lookup(j, true, t))
            return false;
    }
    for (unsigned k = 0; k < n; k++)
        weighs[k] = true;
    if (!decide_dns(j, ne, rel, weighs, n))
        return false;
    j->v->dns_cached = true;
    return true;
}

/* Room in the correlator's attempts for every candidate. */
static conn **attempts_for(mwg_correlator *c)
{
    if (c->attempts_room <= c->candidates.n) {
        c->attempts_room = MAX(c->candidates.n + 1, 2 * c->attempts_room);
        c->attempts = g_renew(conn *, c->attempts, c->attempts_room);
    }
    return c->attempts;
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
    j->literal = is_literal ? &literal : NULL;
    /* Without an address the gateway made no attempt of its own: what
     * connected and forwarded for the host meanwhile was for later clients. */
    if (ne && !is_literal) {
        lookup_role roles[MWG_MAX_DNS_TXNS];
        if (own_lookups_failed(j, ne, roles) && judge_dns(j, ne, roles))
            return;
        if (own_lookups_lost(j, ne)) {
            v->loss |= MWG_LOSS_LOOKUPS;
            return;
        }
    }
    conn_list *cands = &c->candidates;
    judge_candidates(j, true, cands);
    own_attempts found;
    unsigned n = judge_own_attempts(j, cands, attempts_for(c), &found);
    if (!found.own || !n || judge_got_through(j, c->attempts[n - 1])) {
        /* No attempt of its own failed: the attempts that started before
         * it (shared) and the connections that carried a request for the
         * host count too.  Gathered only now: in a storm, hundreds. */
        judge_candidates(j, false, cands);
        n = judge_own_attempts(j, cands, attempts_for(c), &found);
    }
    if (found.own && n && !judge_got_through(j, c->attempts[n - 1])) {
        /* Failed attempts that other requests' verdicts took, that began
         * only after another client asked for the host, or only moments
         * before the error, while a forward went out for the request (see
         * judge_forward): this request got through, and those attempts
         * were the others'. */
        bool doubtful = found.borrowed || found.late || found.young;
        if (doubtful)
            judge_add_kept_connections(j, cands);
        if (doubtful && judge_forward(j, cands, true))
            judge_release_attempts(j, c->attempts, n);
        else if (judge_cut_answer_hides_attempts(j))
            judge_release_attempts(j, c->attempts, n);
        else
            judge_connect(j, c->attempts, n);
    } else if (n && judge_tls(j, c->attempts, n)) {
        /* connected, but the TLS handshake with the origin failed */
    } else if (!judge_forward(j, cands, false) &&
               !(ne && !is_literal && judge_dns(j, ne, NULL))) {
        if (!is_literal && (!ne || ne->n_addrs == 0)) {
            judge_unowned_candidates(j, cands);
            n = judge_own_attempts(j, cands, attempts_for(c), &found);
        }
        judge_connect(j, c->attempts, n);
        /* Attempts named, none decided: the answer cut may have held their
         * addresses. */
        v->dns_answer_cut = v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE && v->n_candidates && judge_answer_cut(j);
        if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE && !v->n_candidates && ne && !is_literal)
            judge_dns_cached(j, ne);
    }
}

/* Frames Wireshark dissected that mwg502 could not read, of the kinds
 * (MWG_UNREAD_*), while the client waited. */
static unsigned unread_between(const mwg_correlator *c, uint32_t from, uint32_t to, unsigned kinds)
{
    unsigned n = 0;
    for (unsigned i = 0; i < c->n_unread; i++)
        if (c->unread[i].frame > from && c->unread[i].frame < to && (c->unread[i].kinds & kinds))
            n++;
    return n;
}

/* The kinds of frame that could have been the answer a cause says never
 * came: an ICMP error to a SYN or a DNS query, a DNS answer, the origin's
 * reply. */
static unsigned answers_to_silence(mwg_cause cause)
{
    switch (cause) {
    case MWG_CAUSE_TCP_SYN_TIMEOUT: return MWG_UNREAD_ICMP;
    case MWG_CAUSE_DNS_NO_RESPONSE: return MWG_UNREAD_DNS | MWG_UNREAD_ICMP;
    case MWG_CAUSE_HTTP_RESPONSE_TIMEOUT: return MWG_UNREAD_HTTP;
    default: return 0;
    }
}

/* A verdict that rests on an answer never coming is not sure where a frame
 * that could have been that answer went unread (cut by the snap length,
 * say): it keeps what it saw and says so, without a cause. */
static void doubt_silence(const mwg_correlator *c, uint32_t from, mwg_verdict *v)
{
    unsigned kinds = answers_to_silence(v->cause);
    if (!kinds || !unread_between(c, from, v->error_frame, kinds))
        return;
    v->doubted = v->cause;
    v->silence_unsure = true;
    v->evidence_frame = 0;
    mwg_verdict_set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
}

mwg_verdict *judge_tunnel(mwg_correlator *c, const client_request *connect, const uint8_t *client_random,
                          uint32_t established_frame, uint32_t end_frame, int64_t end_ts)
{
    mwg_verdict *v = mwg_verdict_new();
    /* Judged up to the tunnel's end, shown where it opened. */
    v->error_frame = end_frame;
    v->request_frame = v->connect_frame = connect->frame;
    v->host = connect->host ? g_strdup(connect->host) : NULL;
    v->elapsed_ns = end_ts - connect->ts;
    mwg_verdict_add_frames(v, connect->frames.v, connect->frames.n);
    mwg_verdict_add_frame(v, established_frame);
    judge j = { .c = c, .v = v, .req = connect, .error_ts = end_ts };
    explain(c, &j);
    /* Only what keeps a tunnel from working: the name, the connection, the
     * gateway's own TLS handshake.  A gateway that only relays the tunnel
     * sends the client's own ClientHello: the client met that failure
     * itself, no error hides (and where either hello could not be read,
     * which it was is not known). */
    bool blocks = v->category == MWG_CAT_HOST_NOT_RESOLVABLE || v->category == MWG_CAT_CANNOT_CONNECT;
    bool gateways_own = !j.tls_attempt || (j.tls_attempt->tls->has_random && client_random &&
                                           memcmp(j.tls_attempt->tls->client_random, client_random, 32) != 0);
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE || !blocks || !gateways_own) {
        mwg_verdict_free(v);
        return NULL;
    }
    v->status = 200;
    v->error_frame = established_frame;
    v->in_tunnel = true;
    mwg_verdict_finish(v);
    return v;
}

void judge_error(mwg_correlator *c, const client_request *req, const http_msg *msg, mwg_verdict *v)
{
    v->status = msg->m.status;
    v->error_frame = msg->frame;
    v->incomplete = msg->incomplete;
    v->capture_cut = msg->capture_cut;
    v->undissected = msg->undissected;
    const uint8_t *body = msg->decoded_body ? msg->decoded_body : msg->m.body;
    size_t body_len = msg->decoded_body ? msg->decoded_body_len : msg->m.body_len;
    /* Who answered, for the advice: the headers tell, else the page's
     * marks (looked for only then). */
    mwg_gateway_headers named = mwg_gateway_from_headers(msg->m.has_via ? msg->m.via.p : NULL, msg->m.via.len,
                                                         msg->m.has_server ? msg->m.server.p : NULL,
                                                         msg->m.server.len);
    mwg_block_page page;
    mwg_blockpage_read(body, body_len, named.via == MWG_GW_UNKNOWN && named.server == MWG_GW_UNKNOWN, &page);
    v->block_page = page.family;
    v->block_page_recognised = page.recognised;
    mwg_verdict_add_frames(v, msg->segments->v, msg->segments->n);
    mwg_verdict_add_frame(v, msg->frame);
    if (!req) {
        mwg_verdict_set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
        v->gateway = mwg_gateway_identify(named, page.gateway, false);
        mwg_verdict_finish(v);
        return;
    }
    v->request_frame = req->frame;
    v->host = req->host ? g_strdup(req->host) : NULL;
    v->elapsed_ns = msg->ts - req->ts;
    mwg_verdict_add_frames(v, req->frames.v, req->frames.n);
    if (msg->inside) {
        v->connect_frame = msg->inside->connect_frame;
        mwg_verdict_add_frames(v, msg->inside->frames.v, msg->inside->frames.n);
    }
    /* The gateway's work for it began at 'since' (a tunnel's CONNECT). */
    client_request since = *req;
    since.frame = req->since_frame;
    since.ts = req->since_ts;
    judge j = { .c = c, .v = v, .req = &since, .error_ts = msg->ts };
    v->gateway = mwg_gateway_identify(named, page.gateway, false);
    explain(c, &j);
    /* The origin's own error relayed: its Server header and page are the
     * origin's, only a Via header names the gateway. */
    if (v->cause == MWG_CAUSE_UPSTREAM_STATUS)
        v->gateway = mwg_gateway_identify(named, page.gateway, true);
    doubt_silence(c, req->frame, v);
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE) {
        v->unread_frames =
            unread_between(c, req->frame, msg->frame, MWG_UNREAD_HTTP | MWG_UNREAD_DNS | MWG_UNREAD_ICMP);
        if (v->unread_frames)
            v->loss |= MWG_LOSS_UNREAD;
        double window = MAX(c->cfg.dns_window_s, c->cfg.connect_window_s);
        if (c->evicted_any && c->evicted_at >= req->ts - mwg_seconds(window))
            v->loss |= MWG_LOSS_EVICTED;
    }
    mwg_verdict_finish(v);
}
