/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.c - the correlator: its clock, its tables (connections, endpoints,
 * names, the gateway's and parents' addresses) and what they dropped, and the
 * dispatch of each frame's facts to the intake of its kind.
 *
 * "While the client waited" is judged by frame number, which only grows,
 * and not by time stamps, which a bad capture may send backwards.  Time
 * only bounds how long state is kept (the windows of mwg_config).
 */
#include "engine.h"

#include <stddef.h>
#include <string.h>

/* ----------------------------------------------------------------- time */

/* Clamped: windows come from preferences, which allow any 32-bit value. */
int64_t mwg_seconds(double s)
{
    double ns = s * (double)MWG_NS_PER_S;
    return ns > 0x1p62 ? INT64_C(1) << 62 : ns < -0x1p62 ? -(INT64_C(1) << 62) : (int64_t)ns;
}

/* How long state stays after its last use: a connection, longer than a
 * reply could take; a name, the DNS window. */
static int64_t conn_keep(const mwg_config *cfg)
{
    return mwg_seconds(cfg->connect_window_s + MWG_CONN_KEEP_TIMEOUTS * cfg->response_timeout_s);
}

static int64_t name_keep(const mwg_config *cfg)
{
    return mwg_seconds(cfg->dns_window_s);
}

/* ----------------------------------------------------------------- watch */

static void watch_count(GHashTable *watch, guint hash, int delta)
{
    gpointer key = GUINT_TO_POINTER(hash);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(watch, key)) + (guint)delta;
    if (n)
        g_hash_table_insert(watch, key, GUINT_TO_POINTER(n));
    else
        g_hash_table_remove(watch, key);
}

void watch_update(mwg_correlator *c, conn *cn)
{
    forward *fw = cn->client_leg ? NULL : awaiting_reply(cn);
    /* A client's requests wait for answers: every segment counts, so that
     * bytes the capture lacks are seen before the next answer is paired. */
    bool wanted = (fw && !fw->reply_started) || (cn->dirs && (cn->dirs[0].pending || cn->dirs[1].pending)) ||
                  (cn->waiting && cn->waiting->n);
    if (wanted == cn->watched)
        return;
    watch_count(c->watch, flow_key_hash(&cn->key), wanted ? 1 : -1);
    cn->watched = wanted;
}

bool watched(mwg_correlator *c, const mwg_flow *fl)
{
    flow_key k;
    flow_key_make(fl, &k);
    return g_hash_table_contains(c->watch, GUINT_TO_POINTER(flow_key_hash(&k)));
}

/* ----------------------------------------------------------- connections */

static void conn_free(void *ctx, void *p)
{
    conn *cn = p;
    mwg_correlator *c = ctx;
    /* Dropped while a message waited for its end (idle, or the table was
     * full): it ends here, as at a close.  (Not when the capture is closed.) */
    if (c->out) {
        for (int d = 0; d < 2; d++)
            http_stream_abandon(c, cn, d);
        tunnel_end(c, cn, c->frame, c->clock);
    }
    if (cn->watched)
        watch_count(c->watch, flow_key_hash(&cn->key), -1);
    for (int d = 0; cn->dirs && d < 2; d++)
        http_dir_clear(&cn->dirs[d]);
    g_free(cn->dirs);
    request_queue_free(c, cn);
    for (unsigned i = 0; cn->fwd && i < cn->n_fwd; i++)
        forward_free_contents(&cn->fwd[i]);
    g_free(cn->fwd);
    tls_free(c, cn);
    /* References to it resolve to nothing from now on. */
    g_array_index(c->conn_slots, conn_slot, cn->slot) = (conn_slot){ NULL, 0 };
    g_array_append_val(c->free_slots, cn->slot);
    mwg_pool_free(&c->conn_pool, cn, sizeof *cn);
}

static uint32_t take_slot(mwg_correlator *c, conn *cn)
{
    uint32_t slot;
    if (c->free_slots->len) {
        slot = g_array_index(c->free_slots, uint32_t, c->free_slots->len - 1);
        g_array_set_size(c->free_slots, c->free_slots->len - 1);
    } else {
        slot = c->conn_slots->len;
        g_array_set_size(c->conn_slots, slot + 1);
    }
    g_array_index(c->conn_slots, conn_slot, slot) = (conn_slot){ cn, cn->serial };
    return slot;
}

conn *conn_lookup(mwg_correlator *c, const mwg_flow *fl)
{
    flow_key k;
    flow_key_make(fl, &k);
    conn *cn = mwg_lru_lookup(&c->conns, &k);
    if (cn)
        mwg_lru_touch(&c->conns, &cn->lru, c->clock);
    return cn;
}

static void note_evictions(mwg_correlator *c, const mwg_lru *t, uint64_t before, uint64_t *counter,
                           unsigned drop)
{
    if (t->evicted != before) {
        *counter += t->evicted - before;
        c->evicted_at = c->clock;
        c->evicted_any = true;
        c->frame_notes.dropped |= drop;
    }
}

/* A fresh connection record, replacing any older one on the same 4-tuple
 * (the caller looked it up already). */
conn *conn_create(mwg_correlator *c, const mwg_flow *fl, conn *old, bool src_is_client)
{
    flow_key k;
    flow_key_make(fl, &k);
    if (old) {
        /* A new connection on the same 4-tuple ends the old one's messages. */
        for (int d = 0; d < 2; d++)
            http_stream_abandon(c, old, d);
        mwg_lru_remove(&c->conns, &old->lru);
    }
    conn *cn = mwg_pool_alloc0(&c->conn_pool, sizeof(conn));
    cn->key = k;
    cn->serial = ++c->next_serial;
    cn->slot = take_slot(c, cn);
    cn->client = src_is_client ? fl->src : fl->dst;
    cn->server = src_is_client ? fl->dst : fl->src;
    uint64_t before = c->conns.evicted;
    mwg_lru_insert(&c->conns, &cn->lru, c->clock);
    note_evictions(c, &c->conns, before, &c->loss.conns_evicted, MWG_DROP_CONNS);
    return cn;
}

void endpoint_remember(mwg_correlator *c, conn *cn)
{
    ep_key k;
    ep_key_make(&cn->server, &k);
    endpoint_entry *e = mwg_lru_lookup(&c->endpoints, &k);
    if (e)
        mwg_lru_touch(&c->endpoints, &e->lru, c->clock);
    else {
        e = mwg_pool_alloc0(&c->pool, sizeof *e);
        e->key = k;
        uint64_t before = c->endpoints.evicted;
        mwg_lru_insert(&c->endpoints, &e->lru, c->clock);
        note_evictions(c, &c->endpoints, before, &c->loss.conns_evicted, MWG_DROP_CONNS);
    }
    /* Every SYN and forwarded request comes here: only a connection that
     * was put in the list before may be there still (up to MWG_MAX_REFS to
     * look through). */
    ref_list_push(c, &e->conns, cn, !cn->remembered);
    cn->remembered = true;
}

/* Whether the packet now is a second copy of the one recorded as 'frame'
 * at 'ts' (a capture on a bridge or on both sides of a host sees each
 * packet twice): the first copy stays the evidence. */
bool is_copy_of(const mwg_correlator *c, uint32_t frame, int64_t ts)
{
    return frame && c->clock - ts < MWG_COPY_WINDOW_NS;
}

void conn_add_frame(conn *cn, uint32_t frame)
{
    frames_add_fixed(cn->frames, &cn->n_frames, MWG_MAX_ATTEMPT_FRAMES, frame);
}

http_dir *conn_dir(conn *cn, int dir)
{
    if (!cn->dirs)
        cn->dirs = g_new0(http_dir, 2);
    return &cn->dirs[dir];
}

const http_dir *conn_dir_peek(const conn *cn, int dir)
{
    static const http_dir blank;
    return cn->dirs ? &cn->dirs[dir] : &blank;
}

name_entry *name_get(mwg_correlator *c, const char *name, bool create)
{
    name_entry *ne = mwg_lru_lookup(&c->names, name);
    if (ne) {
        mwg_lru_touch(&c->names, &ne->lru, c->clock);
        return ne;
    }
    if (!create)
        return NULL;
    size_t len = strlen(name);
    ne = mwg_pool_alloc0(&c->pool, sizeof *ne + len + 1);
    memcpy(ne->name, name, len + 1);
    uint64_t before = c->names.evicted;
    mwg_lru_insert(&c->names, &ne->lru, c->clock);
    note_evictions(c, &c->names, before, &c->loss.names_evicted, MWG_DROP_NAMES);
    return ne;
}

/* ------------------------------------------------- the gateway's addresses */

bool is_gateway_addr(const mwg_correlator *c, const mwg_addr *a)
{
    return mwg_config_has_addr(c->cfg.gateway_addrs, c->cfg.n_gateway_addrs, a) ||
           mwg_config_has_addr(c->gateway_addrs, c->n_gateway_addrs, a);
}

bool is_parent_addr(const mwg_correlator *c, const mwg_addr *a)
{
    if (mwg_config_has_addr(c->cfg.parent_proxies, c->cfg.n_parent_proxies, a))
        return true;
    for (unsigned i = 0; i < c->n_parents; i++)
        if (mwg_addr_equal(&c->parents[i].addr, a))
            return true;
    return false;
}

/* Bounded: a capture cannot make the lists long, only fill them. */
void learn_gateway_addr(mwg_correlator *c, const mwg_addr *a)
{
    mwg_config_add_addr(c->gateway_addrs, &c->n_gateway_addrs, a);
}

void learn_parent(mwg_correlator *c, const mwg_endpoint *e)
{
    for (unsigned i = 0; i < c->n_parents; i++)
        if (mwg_endpoint_equal(&c->parents[i], e))
            return;
    if (c->n_parents < MWG_MAX_KNOWN_ADDRS)
        c->parents[c->n_parents++] = *e;
}

static void endpoint_free(void *ctx, void *p)
{
    mwg_correlator *c = ctx;
    endpoint_entry *e = p;
    ref_list_clear(c, &e->conns);
    mwg_pool_free(&c->pool, e, sizeof *e);
}

static void name_free(void *ctx, void *p)
{
    mwg_correlator *c = ctx;
    name_entry *ne = p;
    ref_list_clear(c, &ne->forwards);
    mwg_pool_free(&c->pool, ne->txns, ne->n_txns * sizeof *ne->txns);
    mwg_pool_free(&c->pool, ne->addrs, ne->n_addrs * sizeof *ne->addrs);
    mwg_pool_free(&c->pool, ne, sizeof *ne + strlen(ne->name) + 1);
}

static void dns_flow_free(void *ctx, void *p)
{
    mwg_correlator *c = ctx;
    dns_flow_entry *fe = p;
    mwg_pool_free(&c->pool, fe, sizeof *fe + strlen(fe->name) + 1);
}

static void owner_free(void *ctx, void *p)
{
    mwg_correlator *c = ctx;
    addr_owner *o = p;
    mwg_pool_free(&c->pool, o, sizeof *o + strlen(o->name) + 1);
}

/* ------------------------------------------------------------- lifecycle */

mwg_correlator *mwg_correlator_new(const mwg_config *cfg)
{
    mwg_correlator *c = g_new0(mwg_correlator, 1);
    c->cfg = *cfg;
    c->clock = c->expired_at = INT64_MIN;
    c->watch = g_hash_table_new(g_direct_hash, g_direct_equal);
    c->conn_slots = g_array_new(FALSE, FALSE, sizeof(conn_slot));
    c->free_slots = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    mwg_pool_init(&c->pool, MWG_POOL_GRAIN);
    mwg_pool_init(&c->conn_pool, CONN_ALIGN);
    /* Verdicts check the windows themselves; expiry only frees memory, and
     * may be late by a fraction of the window (see lru.h). */
    int64_t conn_slack = conn_keep(&c->cfg) / MWG_REQUEUE_FRACTION;
    int64_t name_slack = name_keep(&c->cfg) / MWG_REQUEUE_FRACTION;
    mwg_lru_init(&c->conns, flow_key_hash, flow_key_equal, offsetof(conn, key), cfg->max_conns, conn_slack,
                 conn_free, c);
    mwg_lru_init(&c->endpoints, ep_key_hash, ep_key_equal, offsetof(endpoint_entry, key), cfg->max_conns,
                 conn_slack, endpoint_free, c);
    mwg_lru_init(&c->names, name_hash, g_str_equal, offsetof(name_entry, name), cfg->max_names, name_slack,
                 name_free, c);
    mwg_lru_init(&c->dns_flows, flow_key_hash, flow_key_equal, offsetof(dns_flow_entry, key), cfg->max_names,
                 name_slack, dns_flow_free, c);
    mwg_lru_init(&c->owners, ep_key_hash, ep_key_equal, offsetof(addr_owner, key), cfg->max_names, name_slack,
                 owner_free, c);
    return c;
}

void mwg_correlator_free(mwg_correlator *c)
{
    if (!c)
        return;
    mwg_lru_destroy(&c->conns);
    g_array_free(c->conn_slots, TRUE);
    g_array_free(c->free_slots, TRUE);
    mwg_lru_destroy(&c->endpoints);
    mwg_lru_destroy(&c->names);
    mwg_lru_destroy(&c->dns_flows);
    mwg_lru_destroy(&c->owners);
    mwg_pool_destroy(&c->pool);
    mwg_pool_destroy(&c->conn_pool);
    g_hash_table_destroy(c->watch);
    g_free(c->candidates.v);
    g_free(c->attempts);
    g_free(c->asks);
    g_free(c);
}

void mwg_correlator_get_stats(const mwg_correlator *c, mwg_correlator_stats *s)
{
    s->conns = mwg_lru_size(&c->conns);
    s->names = mwg_lru_size(&c->names);
    s->dns_flows = mwg_lru_size(&c->dns_flows);
    s->loss = c->loss;
}

/* Drops what no verdict can need any more (see conn_keep, name_keep). */
static void expire(mwg_correlator *c)
{
    int64_t conns = conn_keep(&c->cfg), names = name_keep(&c->cfg);
    if (c->clock > INT64_MIN + conns) {
        mwg_lru_expire(&c->conns, c->clock - conns);
        mwg_lru_expire(&c->endpoints, c->clock - conns);
    }
    if (c->clock > INT64_MIN + names) {
        mwg_lru_expire(&c->names, c->clock - names);
        mwg_lru_expire(&c->dns_flows, c->clock - names);
        mwg_lru_expire(&c->owners, c->clock - names);
    }
}

void remember_unread(mwg_correlator *c, uint32_t frame, unsigned kinds)
{
    bool counted = c->frame_notes.unread != 0;
    c->frame_notes.unread |= kinds;
    if (counted) {
        c->unread[(c->next_unread + MWG_RECENT_UNREAD - 1) % MWG_RECENT_UNREAD].kinds |= kinds;
        return;
    }
    c->loss.frames_unread++;
    c->unread[c->next_unread] = (unread_frame){ frame, kinds };
    c->next_unread = (c->next_unread + 1) % MWG_RECENT_UNREAD;
    if (c->n_unread < MWG_RECENT_UNREAD)
        c->n_unread++;
}

unsigned mwg_correlator_feed(mwg_correlator *c, const mwg_facts *f, GPtrArray *out)
{
    unsigned before = out->len;
    c->out = out;
    c->frame = f->frame;
    if (f->ts_ns > c->clock) {
        c->clock = f->ts_ns;
        /* Now and then, not on every frame: the tables' order is no finer
         * than that anyway (see lru.h). */
        if (c->expired_at == INT64_MIN || c->clock - c->expired_at >= mwg_seconds(MWG_EXPIRY_INTERVAL_S)) {
            c->expired_at = c->clock;
            expire(c);
        }
    }
    c->frame_notes = (mwg_frame_notes){ 0, 0 };
    if (f->unread)
        remember_unread(c, f->frame, f->unread);
    if (f->icmp_quote != MWG_ICMP_NONE)
        intake_icmp(c, f);      /* the frame's flow is the quoted one */
    else {
        if (f->is_tcp)
            intake_tcp(c, f);
        if (f->has_dns)
            intake_dns(c, f);
    }
    c->out = NULL;
    return out->len - before;
}

mwg_frame_notes mwg_correlator_frame_notes(const mwg_correlator *c)
{
    return c->frame_notes;
}

unsigned mwg_correlator_finish(mwg_correlator *c, GPtrArray *out)
{
    unsigned before = out->len;
    c->out = out;
    /* Oldest connection first, as the capture went; the list is taken
     * first, as ending a message may touch the table. */
    GPtrArray *all = g_ptr_array_new();
    for (mwg_lru_entry *e = c->conns.head; e; e = e->next)
        g_ptr_array_add(all, e);
    c->frame = UINT32_MAX;
    for (guint i = 0; i < all->len; i++) {
        for (int d = 0; d < 2; d++)
            http_stream_abandon(c, g_ptr_array_index(all, i), d);
        tunnel_end(c, g_ptr_array_index(all, i), c->frame, c->clock);
    }
    g_ptr_array_free(all, TRUE);
    c->out = NULL;
    return out->len - before;
}
