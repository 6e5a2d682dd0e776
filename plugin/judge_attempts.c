/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_attempts.c - the connect stage of a judgement: which connection
 * attempts the gateway made for this request, and how they ended.
 *
 * Under a burst of requests for one failing host, every request has
 * attempts of its own; linking each error to the last SYN anyone sent would
 * blame one attempt for all, and a later good connection by another client
 * would hide a real failure.
 */
#include "judge.h"

#include <stdlib.h>
#include <string.h>


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

bool judge_another_request_before(const judge *j, uint32_t frame)
{
    if (j->req->next_tracked)
        return j->req->next_for_host && j->req->next_for_host < frame;
    for (unsigned i = 0; j->ne && i < j->ne->n_requests; i++)
        if (j->ne->requests[i] > j->req->frame && j->ne->requests[i] < frame)
            return true;
    return false;
}

/* Where a chain's link ends: what starts at or before is no follower. */
static uint32_t link_end(const judge *j, const conn *prev, uint32_t *ended)
{
    *ended = conn_outcome_frame(prev, j->v->error_frame);
    return *ended ? *ended : prev->last_syn_frame;
}

/* Attempt 'next', started after 'prev's link_end(), may follow 'prev' in
 * one request's chain: it started after 'prev' ended (a RST or ICMP error:
 * the gateway tries again, the same address or the next), or after its
 * last SYN when 'prev' never ended (the gateway gave up on it and moved on
 * to another address).  A new attempt to the same address is another
 * request's when one came meanwhile (Squid and nginx do not retry a
 * refused connection; MWG does).  Decided from 'next's start and list
 * where it can: under a storm, hundreds of attempts to the same address
 * follow one that never ended, and reading each would cost a cache miss. */
static bool follows(const judge *j, const candidate *prev, bool prev_ended, candidate *next)
{
    bool same_addr = (prev->source && prev->source == next->source) ||
                     (candidate_conn(j->c, next) && mwg_addr_equal(&prev->cn->server.addr, &next->cn->server.addr));
    if (!same_addr)
        return true;
    return prev_ended && !judge_another_request_before(j, next->started);
}

typedef enum { ATTEMPT_NONE, ATTEMPT_SHARED, ATTEMPT_YOUNG, ATTEMPT_OWN } attempt_kind;

/* Whether the connection was an attempt of the gateway's that ran while
 * the client waited, and whose it may be. */
static attempt_kind attempt_kind_of(const judge *j, const conn *cn, int64_t horizon)
{
    mwg_verdict *v = j->v;
    /* An intercepted client's own connection to the origin's address is no
     * attempt of the gateway's. */
    if (!cn->syn_count || cn->last_syn_ts < horizon || cn->client_leg)
        return ATTEMPT_NONE;
    if (!overlaps(cn->first_syn_frame, conn_outcome_frame(cn, v->error_frame), j->req->frame, v->error_frame))
        return ATTEMPT_NONE;
    connect_outcome outcome = conn_outcome(cn, v->error_frame);
    if (outcome == CONNECT_ESTABLISHED && cn->n_fwd)
        return ATTEMPT_NONE;
    if (cn->first_syn_frame <= j->req->frame)
        return ATTEMPT_SHARED;
    /* Another name's lookup gave the address after this request came and
     * before the attempt began (shared hosting): the attempt followed it. */
    if (cn->owner_frame > j->req->frame && j->ne && cn->owner_hash != g_str_hash(j->ne->name))
        return ATTEMPT_NONE;
    /* One SYN moments before the error, unanswered: the gateway cannot have
     * given up on it, so it is another request's, unless it is all there is
     * (Squid fails at once on a parent it marked dead, though it still
     * sends a SYN). */
    if (outcome == CONNECT_PENDING && cn->syn_count == 1 &&
        j->error_ts - cn->last_syn_ts < mwg_seconds(MWG_MIN_CONNECT_WAIT_S))
        return ATTEMPT_YOUNG;
    return ATTEMPT_OWN;
}

/* The first candidate from 'from' on that started after 'frame'. */
static unsigned first_after(const conn_list *l, unsigned from, uint32_t frame)
{
    unsigned lo = from, hi = l->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (l->v[mid].started <= frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The chain of attempts of 'kind' from the first that started after the
 * request; 'unclaimed': only those no other verdict took.  The candidates
 * are in the order they started and an attempt follows another only
 * after it (every answer to an attempt comes after its first SYN), so one
 * pass finds each link's earliest follower.  'any': whether one of 'kind'
 * was seen (when the chain is empty: whether there is one at all). */
static unsigned chain_of(const judge *j, conn_list *cands, attempt_kind kind, bool unclaimed, conn **out, bool *any)
{
    int64_t horizon = j->req->ts - mwg_seconds(j->c->cfg.connect_window_s);
    const candidate *prev = NULL;
    uint32_t ended = 0;
    unsigned chain = 0;
    for (unsigned i = first_after(cands, 0, j->req->frame); i < cands->n; i++) {
        candidate *k = &cands->v[i];
        if (prev && !follows(j, prev, ended != 0, k))
            continue;
        conn *cn = candidate_conn(j->c, k);
        if (!cn || attempt_kind_of(j, cn, horizon) != kind)
            continue;
        *any = true;
        if (unclaimed && cn->claimed_by && cn->claimed_by != j->req->frame)
            continue;
        out[chain++] = cn;
        prev = k;
        /* past what cannot follow it */
        i = first_after(cands, i + 1, link_end(j, cn, &ended)) - 1;
        /* All to one address, and this one never ended: none follows. */
        if (!ended && !cands->mixed)
            break;
    }
    return chain;
}

/* The attempts to one of the host's addresses on the requested port: 'a'
 * counts its resolved addresses, then the host itself when it is an
 * address; NULL where the capture shows none to that one. */
static const endpoint_entry *host_endpoint(const judge *j, unsigned a)
{
    const mwg_addr *addr = j->ne && a < j->ne->n_addrs ? &j->ne->addrs[a] : j->literal;
    if (!addr || !addr->family)
        return NULL;
    mwg_endpoint ep = { .addr = *addr, .port = j->req->port };
    ep_key k;
    ep_key_make(&ep, &k);
    return mwg_lru_lookup(&j->c->endpoints, &k);
}

/* The frame where the latest attempt to the host's addresses on the
 * requested port began before 'frame'; UINT32_MAX where a list cannot
 * tell. */
static uint32_t latest_start_before(const judge *j, uint32_t frame)
{
    uint32_t latest = 0;
    unsigned n_addrs = j->ne ? j->ne->n_addrs : 0;
    for (unsigned a = 0; a <= n_addrs; a++) {
        const endpoint_entry *e = host_endpoint(j, a);
        if (!e || !e->conns.n)
            continue;
        if (e->conns.unordered)
            return UINT32_MAX;
        unsigned i = ref_list_lower_bound(&e->conns, frame);
        if (i)
            latest = MAX(latest, ref_list_at(&e->conns, i - 1)->started);
    }
    return latest;
}

/* The gateway serves requests for a host in the order they came: the
 * requests that came before this one and still wait, with no attempt
 * begun between them and this one and their page not forwarded, get the
 * first attempts after it.  Where this error comes before theirs, those
 * attempts are claimed for them here, the oldest first (their verdicts
 * take them later); else two requests a moment apart would swap them. */
static void claim_for_earlier_requests(judge *j, conn_list *cands, conn **scratch)
{
    /* Only where the host's addresses tell when its last attempt began. */
    if (!cands->n || !j->req->prev_waiting || !((j->ne && j->ne->n_addrs) || j->literal) || j->c->n_parents ||
        j->c->cfg.n_parent_proxies)
        return;
    uint32_t latest = latest_start_before(j, j->req->frame);
    const client_request *earlier[MWG_WAITING_LOOKBACK];
    unsigned n = 0, steps = 0;
    for (const client_request *p = j->req->prev_waiting;
         p && n < G_N_ELEMENTS(earlier) && steps < 4 * MWG_WAITING_LOOKBACK && p->since_frame > latest;
         p = p->prev_waiting, steps++)
        if (!p->forwarded && p->port == j->req->port)
            earlier[n++] = p;
    while (n--) {
        client_request since = *earlier[n];
        since.frame = since.since_frame;
        since.ts = since.since_ts;
        judge for_it = *j;
        for_it.req = &since;
        bool any = false;
        unsigned chain = chain_of(&for_it, cands, ATTEMPT_OWN, true, scratch, &any);
        for (unsigned k = 0; k < chain; k++)
            if (!scratch[k]->claimed_by)
                scratch[k]->claimed_by = since.frame;
    }
}

/* The attempts the gateway made for this request, among those to the
 * host's addresses that ran while the client waited.  Under a burst of
 * requests for one host, each request has its own: the first attempt that
 * started after the request and no other verdict took, and those that
 * followed it (see follows()); young ones (see attempt_kind_of) only when
 * it has no other.  Attempts that started before the request and still
 * ran are shared, used only when the request has none of its own.  A
 * connection that was established and carried another request served
 * that one. */
unsigned judge_own_attempts(judge *j, conn_list *cands, conn **out, own_attempts *found)
{
    static const attempt_kind kinds[] = { ATTEMPT_OWN, ATTEMPT_YOUNG };
    claim_for_earlier_requests(j, cands, out);
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        bool any = false;
        /* Claims only steer: a request whose attempts were all taken still
         * gets them, rather than no evidence. */
        unsigned chain = chain_of(j, cands, kinds[i], true, out, &any);
        found->borrowed = !chain && any;
        if (found->borrowed)
            chain = chain_of(j, cands, kinds[i], false, out, &any);
        if (chain) {
            for (unsigned k = 0; k < chain; k++)
                if (!out[k]->claimed_by)
                    out[k]->claimed_by = j->req->frame;
            found->own = true;
            found->late = judge_another_request_before(j, out[0]->first_syn_frame);
            found->young = kinds[i] == ATTEMPT_YOUNG;
            return chain;
        }
    }
    *found = (own_attempts){ false, false, false, false };
    int64_t horizon = j->req->ts - mwg_seconds(j->c->cfg.connect_window_s);
    unsigned n = 0;
    for (unsigned i = 0; i < cands->n; i++) {
        if (!cands->v[i].started || cands->v[i].started > j->req->frame)
            continue;
        conn *cn = candidate_conn(j->c, &cands->v[i]);
        if (cn && attempt_kind_of(j, cn, horizon) == ATTEMPT_SHARED)
            out[n++] = cn;
    }
    return n;
}

void judge_release_attempts(const judge *j, conn *const *attempts, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (attempts[i]->claimed_by == j->req->frame)
            attempts[i]->claimed_by = 0;
}

/* The request's connection attempts (see judge_own_attempts) decide. */
bool judge_connect(judge *j, conn *const *relevant, unsigned n_rel)
{
    mwg_verdict *v = j->v;
    conn *latest = NULL;
    for (unsigned i = 0; i < n_rel; i++)
        if (!latest || relevant[i]->first_syn_frame > latest->first_syn_frame)
            latest = relevant[i];
    if (!latest)
        return false;
    /* Connected: the TLS handshake on it may still have failed. */
    if (conn_outcome(latest, v->error_frame) == CONNECT_ESTABLISHED && judge_tls(j, relevant, n_rel))
        return true;
    uint32_t evidence = 0, attempts = 0, first = 0;
    mwg_cause cause;
    switch (conn_outcome(latest, v->error_frame)) {
    case CONNECT_REFUSED: cause = MWG_CAUSE_TCP_RST; break;
    case CONNECT_UNREACHABLE: cause = MWG_CAUSE_ICMP_UNREACHABLE; break;
    case CONNECT_ESTABLISHED:
        /* Over TLS nobody decrypted, a close may follow a reply unseen. */
        v->tls_undecrypted = latest->tls && !latest->n_fwd;
        cause = seen(latest->close_frame, v->error_frame) && !v->tls_undecrypted ? MWG_CAUSE_UPSTREAM_CLOSED
                                                                                 : MWG_CAUSE_NO_UPSTREAM_EVIDENCE;
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

static inline bool started_before(const candidate *x, const candidate *y)
{
    return x->started < y->started || (x->started == y->started && x->serial < y->serial);
}

static void reserve(conn_list *out, unsigned more)
{
    if (out->n + more > out->room) {
        out->room = MAX(out->n + more, out->room ? 2 * out->room : 64);
        out->v = g_renew(candidate, out->v, out->room);
    }
}

static void note_order(conn_list *out, const candidate *k)
{
    out->unsorted |= out->n && !started_before(&out->v[out->n - 1], k);
    out->mixed |= !k->source || (out->n && out->v[0].source != k->source);
}

static void add_conn(conn_list *out, conn *cn, const conn_ref *ref, unsigned source)
{
    candidate k = { .cn = cn, .started = ref->started, .serial = ref->serial, .slot = ref->slot,
                    .source = (uint16_t)source, .resolved = true };
    reserve(out, 1);
    note_order(out, &k);
    out->v[out->n++] = k;
}

/* Not looked up yet: most are never read (see candidate).  'ordered': the
 * references are in start order and each started after 'since' (distinct
 * first SYNs, so each once), which only the first of them need show. */
static void add_ref_range(const conn_ref *refs, unsigned n, uint32_t since, unsigned source, bool ordered,
                          conn_list *out)
{
    reserve(out, n);
    bool check = true;
    for (unsigned i = 0; i < n; i++) {
        if (since && refs[i].started <= since)
            continue;
        candidate k = { .started = refs[i].started, .serial = refs[i].serial, .slot = refs[i].slot,
                        .source = (uint16_t)source };
        if (check)
            note_order(out, &k);
        check = !ordered;
        out->v[out->n++] = k;
    }
}

/* The references of 'r' from its 'from'th oldest to before its 'upto'th:
 * the ring's two runs. */
static void add_ref_span(const ref_list *r, unsigned from, unsigned upto, uint32_t since, unsigned source,
                         bool ordered, conn_list *out)
{
    unsigned oldest = r->n == r->room ? r->next : 0, start = (oldest + from) % r->room, left = upto - from;
    unsigned first_run = MIN(left, r->room - start);
    add_ref_range(r->refs + start, first_run, since, source, ordered, out);
    add_ref_range(r->refs, left - first_run, since, source, ordered, out);
}

/* The references of 'r' (all, or since a frame those that started after
 * it), from the oldest. */
static void add_refs(const ref_list *r, uint32_t since, unsigned source, conn_list *out)
{
    if (!r || !r->n)
        return;
    unsigned from = since && since < UINT32_MAX ? ref_list_lower_bound(r, since + 1) : 0;
    if (from == r->n)
        return;
    bool ordered = !r->unordered && ref_list_at(r, from)->started;
    add_ref_span(r, from, r->n, since, source, ordered, out);
}

static int by_start(const void *a, const void *b)
{
    return started_before(a, b) ? -1 : started_before(b, a);
}

/* In the order the attempts started (judge_own_attempts walks them so),
 * each connection once: it may be in the lists of both its address and
 * its host.  Sorting by the start alone finds the copies without reading
 * the connections. */
static void candidates_settle(conn_list *l)
{
    if (!l->unsorted)
        return;                 /* in order, each once: the common case */
    qsort(l->v, l->n, sizeof *l->v, by_start);
    l->unsorted = false;
    unsigned kept = 0;
    for (unsigned i = 0; i < l->n; i++) {
        if (kept && l->v[kept - 1].serial == l->v[i].serial) {
            /* the copy from its address's list says where it went */
            l->v[kept - 1].source = MAX(l->v[kept - 1].source, l->v[i].source);
            continue;
        }
        l->v[kept++] = l->v[i];
    }
    l->n = kept;
}

static void host_conns(const judge *j, uint32_t since, conn_list *out)
{
    unsigned n_addrs = j->ne ? j->ne->n_addrs : 0;
    for (unsigned a = 0; a <= n_addrs; a++) {
        const endpoint_entry *e = host_endpoint(j, a);
        /* Every attempt in one endpoint's list goes to that address. */
        add_refs(e ? &e->conns : NULL, since, a + 1, out);
    }
    add_refs(j->ne ? &j->ne->forwards : NULL, since, 0, out);
}

void judge_add_kept_connections(const judge *j, conn_list *out)
{
    const ref_list *r = j->ne ? &j->ne->forwards : NULL;
    if (!r || !r->n)
        return;
    unsigned upto = r->unordered ? r->n : ref_list_lower_bound(r, j->req->frame + 1);
    unsigned from = upto > MWG_KEPT_CONNECTIONS && !r->unordered ? upto - MWG_KEPT_CONNECTIONS : 0;
    add_ref_span(r, from, upto, 0, 0, false, out);
    candidates_settle(out);
}

/* When the capture shows no resolution for the host (the gateway resolved it
 * from its cache or hosts file), its connection attempts are the ones to the
 * requested port that started while the client waited and go to an address
 * no other name resolved to. */
typedef struct {
    uint32_t frame, answered;
    uint16_t port;
} rival_ask;

/* Whether the gateway forwarded a request for the name after 'frame': its
 * connection for it got through. */
static bool forwarded_after(const mwg_correlator *c, const name_entry *ne, uint32_t frame)
{
    for (unsigned i = 0; i < ne->forwards.n; i++) {
        const conn *cn = ref_resolve(c, &ne->forwards.refs[i]);
        for (unsigned k = 0; cn && k < cn->n_fwd; k++)
            if (cn->fwd[k].frame > frame && cn->fwd[k].host && strcmp(cn->fwd[k].host, ne->name) == 0)
                return true;
    }
    return false;
}

/* Whether the capture tells where the name's attempts went: to the
 * addresses its answers gave, or nowhere (its resolution failed).  Not
 * where the snap length cut an answer: the addresses past the cut are
 * unknown. */
static bool resolution_known(const name_entry *ne)
{
    bool failed = false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        if (!t->response_frame)
            continue;
        if (t->rcode == 0 && t->answers_cut)
            return false;
        failed |= t->rcode != 0 || !t->has_addr;
    }
    return ne->n_addrs || failed;
}

/* The other clients' requests that waited while this one did, for names the
 * capture never resolves either (nor shows failing), and whose own attempt is not known to
 * have got through (served, or forwarded); past MWG_MAX_RIVAL_ASKS, that
 * many + 1. */
static unsigned rival_asks(const judge *j, rival_ask *out)
{
    mwg_correlator *c = j->c;
    int64_t horizon = j->req->ts - mwg_seconds(c->cfg.connect_window_s);
    unsigned n = 0;
    for (unsigned age = 0; age < c->n_asks; age++) {       /* newest first */
        const recent_ask *a = &c->asks[(c->next_ask + MWG_RECENT_ASKS - 1 - age) % MWG_RECENT_ASKS];
        if (a->ts < horizon)
            break;
        if (a->frame >= j->v->error_frame || (a->answered && a->answered <= j->req->frame) || a->served ||
            strcmp(a->host, j->req->host) == 0)
            continue;
        const name_entry *ne = a->host[0] ? mwg_lru_lookup(&c->names, a->host) : NULL;
        if (ne && resolution_known(ne))
            continue;           /* its attempts go to the addresses it got, or it made none */
        if (ne && forwarded_after(c, ne, a->frame))
            continue;
        if (n == MWG_MAX_RIVAL_ASKS)
            return n + 1;
        out[n++] = (rival_ask){ a->frame, a->answered, a->port };
    }
    return n;
}

static bool may_be_rivals(const rival_ask *r, unsigned n, const conn *cn)
{
    if (n > MWG_MAX_RIVAL_ASKS)
        return true;
    for (unsigned i = 0; i < n; i++)
        if ((r[i].port == cn->server.port || r[i].port == 0) && r[i].frame < cn->first_syn_frame &&
            (!r[i].answered || r[i].answered > cn->first_syn_frame))
            return true;
    return false;
}

static void name_candidate(mwg_verdict *v, const mwg_addr *a)
{
    for (unsigned i = 0; i < MIN(v->n_candidates, MWG_MAX_NAMED_CANDIDATES); i++)
        if (mwg_addr_equal(&v->candidates[i], a))
            return;
    if (v->n_candidates < MWG_MAX_NAMED_CANDIDATES)
        v->candidates[v->n_candidates] = *a;
    v->n_candidates++;
}

void judge_unowned_candidates(const judge *j, conn_list *out)
{
    mwg_correlator *c = j->c;
    rival_ask rivals[MWG_MAX_RIVAL_ASKS];
    unsigned n_rivals = rival_asks(j, rivals);
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
        /* Tied to this request only when no other could own it. */
        if (may_be_rivals(rivals, n_rivals, cn)) {
            name_candidate(j->v, &cn->server.addr);
            continue;
        }
        add_conn(out, cn, &c->recent[i], 0);
    }
    candidates_settle(out);
}

bool judge_answer_cut(const judge *j)
{
    for (unsigned i = 0; j->ne && i < j->ne->n_txns; i++) {
        const dns_txn *t = &j->ne->txns[i];
        if (t->answers_cut && t->rcode == 0 && t->response_frame && t->response_frame < j->v->error_frame)
            return true;
    }
    return false;
}

/* The attempts an answer cut short may hide: to the requested port, while
 * the client waited, to addresses no name owns. */
bool judge_cut_answer_hides_attempts(const judge *j)
{
    mwg_correlator *c = j->c;
    if (!judge_answer_cut(j))
        return false;
    bool hidden = false;
    for (unsigned age = 0; age < c->n_recent; age++) {     /* newest first */
        unsigned i = (c->next_recent + MWG_RECENT_ATTEMPTS - 1 - age) % MWG_RECENT_ATTEMPTS;
        const conn *cn = ref_resolve(c, &c->recent[i]);
        if (cn && cn->first_syn_frame <= j->req->frame)
            break;
        if (!cn || cn->client_leg || cn->server.port != j->req->port || cn->first_syn_frame >= j->v->error_frame)
            continue;
        ep_key k;
        addr_key_make(&cn->server.addr, &k);
        if (mwg_lru_lookup(&c->owners, &k))
            continue;
        name_candidate(j->v, &cn->server.addr);
        hidden = true;
    }
    j->v->dns_answer_cut = hidden;
    return hidden;
}

/* With a parent proxy the gateway connects to it, not to the host: the
 * attempts to a parent that started while the client waited. */
static void parent_attempts(mwg_correlator *c, const judge *j, conn_list *out)
{
    for (unsigned age = 0; age < c->n_recent; age++) {     /* newest first */
        unsigned i = (c->next_recent + MWG_RECENT_ATTEMPTS - 1 - age) % MWG_RECENT_ATTEMPTS;
        conn *cn = ref_resolve(c, &c->recent[i]);
        if (cn && cn->first_syn_frame <= j->req->frame)
            break;
        if (cn && !cn->client_leg && cn->first_syn_frame < j->v->error_frame && is_parent_addr(c, &cn->server.addr))
            add_conn(out, cn, &c->recent[i], 0);
    }
}

void judge_candidates(const judge *j, bool started_after_request, conn_list *out)
{
    out->n = 0;
    out->unsorted = out->mixed = false;
    host_conns(j, started_after_request ? j->req->frame : 0, out);
    if (j->c->n_parents || j->c->cfg.n_parent_proxies)
        parent_attempts(j->c, j, out);
    candidates_settle(out);
}

bool judge_got_through(const judge *j, const conn *cn)
{
    return conn_outcome(cn, j->v->error_frame) == CONNECT_ESTABLISHED;
}
