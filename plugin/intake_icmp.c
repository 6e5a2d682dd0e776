/* SPDX-License-Identifier: GPL-2.0-or-later */
/* intake_icmp.c - ICMP and ICMPv6 errors that quote a SYN of the gateway's
 * or one of its DNS queries. */
#include "engine.h"

static void quoting_syn(mwg_correlator *c, const mwg_facts *f)
{
    const mwg_flow *q = &f->icmp_quoted;
    conn *cn = conn_lookup(c, q);
    if (cn && cn->syn_count && !cn->synack_frame && mwg_endpoint_equal(&cn->client, &q->src)) {
        if (!is_copy_of(c, cn->icmp_frame, cn->icmp_ts)) {
            cn->icmp_frame = f->frame;
            cn->icmp_ts = c->clock;
            cn->icmp = f->icmp;
        }
        conn_add_frame(cn, f->frame);
    }
}

static void quoting_query(mwg_correlator *c, const mwg_facts *f)
{
    const mwg_flow *q = &f->icmp_quoted;
    flow_key k;
    flow_key_make(q, &k);
    dns_flow_entry *fe = mwg_lru_lookup(&c->dns_flows, &k);
    name_entry *ne = fe ? name_get(c, fe->name, false) : NULL;
    if (!ne)
        return;
    /* The newest query from that port still waiting, that no error has
     * just answered: a resolver asks A and AAAA from one port at once, so
     * two errors in a row are for two queries, unless every one waiting
     * has had its error already (then this is a second copy). */
    dns_txn *copy_of = NULL;
    for (unsigned age = 0; age < ne->n_txns; age++) {  /* newest first */
        dns_txn *t = &ne->txns[(ne->next_txn + MWG_MAX_DNS_TXNS - 1 - age) % MWG_MAX_DNS_TXNS];
        if (!mwg_endpoint_equal(&t->client, &q->src) || !mwg_endpoint_equal(&t->server, &q->dst) ||
            t->response_frame)
            continue;
        if (is_copy_of(c, t->icmp_frame, t->icmp_ts)) {
            if (!copy_of)
                copy_of = t;
            continue;
        }
        t->icmp_frame = f->frame;
        t->icmp_ts = c->clock;
        t->icmp = f->icmp;
        frames_add_fixed(t->frames, &t->n_frames, MWG_MAX_TXN_FRAMES, f->frame);
        return;
    }
    if (copy_of)
        frames_add_fixed(copy_of->frames, &copy_of->n_frames, MWG_MAX_TXN_FRAMES, f->frame);
}

void intake_icmp(mwg_correlator *c, const mwg_facts *f)
{
    if (f->icmp_quote == MWG_ICMP_QUOTES_TCP)
        quoting_syn(c, f);
    else
        quoting_query(c, f);
}
