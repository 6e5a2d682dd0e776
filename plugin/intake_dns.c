/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake_dns.c - DNS queries and answers: transactions per name, what each
 * name resolved to, and which name owns an address. */
#include "engine.h"

#include <string.h>

static dns_txn *txn_find(name_entry *ne, uint16_t id, const mwg_endpoint *client)
{
    /* newest first: ids get reused */
    for (unsigned k = 0; k < ne->n_txns; k++) {
        unsigned i = (ne->next_txn + MWG_MAX_DNS_TXNS - 1 - k) % MWG_MAX_DNS_TXNS;
        dns_txn *t = &ne->txns[i];
        if (t->id == id && mwg_endpoint_equal(&t->client, client))
            return t;
    }
    return NULL;
}

/* A new transaction in the name's ring, replacing its oldest. */
static dns_txn *txn_new(mwg_correlator *c, name_entry *ne, const mwg_facts *f, const mwg_endpoint *client,
                        const mwg_endpoint *server)
{
    /* Until the ring is full, the next slot is the one past the last. */
    if (ne->n_txns < MWG_MAX_DNS_TXNS)
        ne->txns = mwg_pool_resize(&c->pool, ne->txns, ne->n_txns * sizeof *ne->txns,
                                   (ne->n_txns + 1) * sizeof *ne->txns);
    dns_txn *t = &ne->txns[ne->next_txn];
    memset(t, 0, sizeof *t);
    t->id = f->dns_id;
    t->qtype = f->dns_qtype;
    t->client = *client;
    t->server = *server;
    ne->next_txn = (ne->next_txn + 1) % MWG_MAX_DNS_TXNS;
    if (ne->n_txns < MWG_MAX_DNS_TXNS)
        ne->n_txns++;
    return t;
}

static void remember_owner(mwg_correlator *c, const mwg_addr *a, const char *name, uint32_t frame)
{
    ep_key k;
    addr_key_make(a, &k);
    addr_owner *o = mwg_lru_lookup(&c->owners, &k);
    if (o && strcmp(o->name, name) == 0) {
        o->answer_frame = frame;
        mwg_lru_touch(&c->owners, &o->lru, c->clock);
        return;
    }
    if (o)                      /* the address now belongs to another name */
        mwg_lru_remove(&c->owners, &o->lru);
    size_t len = strlen(name);
    o = mwg_pool_alloc0(&c->pool, sizeof *o + len + 1);
    o->key = k;
    o->answer_frame = frame;
    o->name_hash = g_str_hash(name);
    memcpy(o->name, name, len + 1);
    mwg_lru_insert(&c->owners, &o->lru, c->clock);
}

static void remember_addrs(mwg_correlator *c, name_entry *ne, const mwg_facts *f)
{
    unsigned n = f->n_dns_addrs < MWG_MAX_DNS_ADDRS ? f->n_dns_addrs : MWG_MAX_DNS_ADDRS;
    for (unsigned i = 0; i < n; i++) {
        const mwg_addr *a = &f->dns_addrs[i];
        if (a->family != 4 && a->family != 6)
            continue;
        remember_owner(c, a, ne->name, f->frame);
        bool known = false;
        for (unsigned j = 0; j < ne->n_addrs && !known; j++)
            known = mwg_addr_equal(&ne->addrs[j], a);
        if (known)
            continue;
        if (ne->n_addrs < MWG_MAX_DNS_ADDRS) {
            ne->addrs = mwg_pool_resize(&c->pool, ne->addrs, ne->n_addrs * sizeof *ne->addrs,
                                        (ne->n_addrs + 1) * sizeof *ne->addrs);
            ne->addrs[ne->n_addrs++] = *a;
        } else
            ne->addrs[MWG_MAX_DNS_ADDRS - 1] = *a;
    }
}

static void remember_dns_flow(mwg_correlator *c, const mwg_flow *fl, const char *name)
{
    flow_key k;
    flow_key_make(fl, &k);
    dns_flow_entry *fe = mwg_lru_lookup(&c->dns_flows, &k);
    if (fe && strcmp(fe->name, name) == 0) {
        mwg_lru_touch(&c->dns_flows, &fe->lru, c->clock);
        return;
    }
    if (fe)                     /* the source port now asks for another name */
        mwg_lru_remove(&c->dns_flows, &fe->lru);
    size_t len = strlen(name);
    fe = mwg_pool_alloc0(&c->pool, sizeof *fe + len + 1);
    fe->key = k;
    memcpy(fe->name, name, len + 1);
    mwg_lru_insert(&c->dns_flows, &fe->lru, c->clock);
}

/* The query's flow is only kept for ICMP errors quoting it, which matter
 * while a query on it waits: once every one from that client port to that
 * server is answered, the entry goes (a flood of names would otherwise
 * keep one per query for the whole window). */
static void forget_dns_flow(mwg_correlator *c, const name_entry *ne, const mwg_flow *query)
{
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        if (!t->response_frame && mwg_endpoint_equal(&t->client, &query->src) &&
            mwg_endpoint_equal(&t->server, &query->dst))
            return;
    }
    flow_key k;
    flow_key_make(query, &k);
    dns_flow_entry *fe = mwg_lru_lookup(&c->dns_flows, &k);
    if (fe && strcmp(fe->name, ne->name) == 0)
        mwg_lru_remove(&c->dns_flows, &fe->lru);
}

static void count_server(dns_txn *t, const mwg_addr *server)
{
    ep_key k;
    addr_key_make(server, &k);
    uint32_t digest = ep_key_hash(&k);
    for (unsigned i = 0; i < t->n_servers; i++)
        if (t->servers[i] == digest)
            return;
    if (t->n_servers < MWG_MAX_DNS_SERVERS)
        t->servers[t->n_servers++] = digest;
}

void intake_dns(mwg_correlator *c, const mwg_facts *f)
{
    char name[MWG_MAX_HOST_LEN + 1];
    if (!mwg_host_normalise(f->dns_qname, strnlen(f->dns_qname, sizeof f->dns_qname), name))
        return;
    name_entry *ne = name_get(c, name, true);
    if (!f->dns_is_response) {
        learn_gateway_addr(c, &f->flow.src.addr);      /* the gateway resolves */
        dns_txn *t = txn_find(ne, f->dns_id, &f->flow.src);
        if (!t || t->response_frame) {
            t = txn_new(c, ne, f, &f->flow.src, &f->flow.dst);
            t->first_query_frame = f->frame;
        }
        frames_add_fixed(t->frames, &t->n_frames, MWG_MAX_TXN_FRAMES, f->frame);
        if (is_copy_of(c, t->last_query_frame, t->last_query_ts) &&
            mwg_endpoint_equal(&t->server, &f->flow.dst))
            return;
        t->server = f->flow.dst;        /* retries may go to another server */
        count_server(t, &f->flow.dst.addr);
        t->last_query_frame = f->frame;
        t->last_query_ts = c->clock;
        t->query_count++;
        if (f->is_udp)
            remember_dns_flow(c, &f->flow, name);
        return;
    }
    dns_txn *t = txn_find(ne, f->dns_id, &f->flow.dst);
    if (!t)                     /* the query is not in the capture */
        t = txn_new(c, ne, f, &f->flow.dst, &f->flow.src);
    frames_add_fixed(t->frames, &t->n_frames, MWG_MAX_TXN_FRAMES, f->frame);
    if (is_copy_of(c, t->response_frame, t->response_ts) && t->rcode == f->dns_rcode)
        return;
    t->response_frame = ne->last_response_frame = f->frame;
    t->response_ts = c->clock;
    t->rcode = f->dns_rcode;
    t->has_addr = f->n_dns_addrs > 0;
    t->answers_cut = f->dns_answers_cut;
    if (f->dns_rcode == 0)
        remember_addrs(c, ne, f);
    if (f->is_udp) {
        mwg_flow query = mwg_flow_reversed(&f->flow);
        forget_dns_flow(c, ne, &query);
    }
}
