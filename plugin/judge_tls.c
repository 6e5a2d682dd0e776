/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge_tls.c - the TLS stage of a judgement: the gateway connected to the
 * origin, then its TLS handshake failed.
 *
 * The first failure the handshake shows decides: the origin's alert, bytes
 * that are no TLS, the gateway's own refusal after the origin's ServerHello
 * (the certificate, the parameters), the origin's close; with none of them
 * and no ServerHello, the origin never answered the ClientHello.
 */
#include "judge.h"

#include <string.h>

/* The frame if it came before the error, else 0. */
static uint32_t before_error(const judge *j, uint32_t frame)
{
    return frame < j->v->error_frame ? frame : 0;
}

bool judge_tls(judge *j, conn *const *attempts, unsigned n)
{
    conn *latest = NULL;
    for (unsigned i = 0; i < n; i++) {
        /* A handshake that named another server (SNI) is another host's on
         * the same address. */
        const tls_handshake *t = attempts[i]->tls;
        if (t && t->sni && j->req->host && strcmp(t->sni, j->req->host) != 0)
            continue;
        if (!latest || attempts[i]->first_syn_frame > latest->first_syn_frame)
            latest = attempts[i];
    }
    const tls_handshake *t = latest ? latest->tls : NULL;
    if (!t || !before_error(j, t->client_hello_frame) || before_error(j, t->accepted_frame))
        return false;
    /* The gateway giving up before any ServerHello is its timeout; the
     * origin's close that follows is no cause of its own. */
    static const mwg_cause kinds[] = {
        MWG_CAUSE_TLS_ALERT, MWG_CAUSE_TLS_NOT_TLS, MWG_CAUSE_TLS_HANDSHAKE_REJECTED, MWG_CAUSE_TLS_CLOSED,
        MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT,
    };
    const uint32_t frames[] = {
        t->alert_frame, t->not_tls_frame, t->rejected_frame, t->server_close_frame, t->gave_up_frame,
    };
    mwg_cause cause = MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT;
    uint32_t evidence = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
        uint32_t e = before_error(j, frames[i]);
        if (e && (!evidence || e < evidence)) {
            evidence = e;
            cause = kinds[i];
        }
    }
    if (!evidence && before_error(j, t->server_hello_frame))
        return false;           /* the handshake was still under way */
    if (cause == MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT)
        evidence = t->client_hello_frame;
    mwg_verdict *v = j->v;
    j->tls_attempt = latest;
    mwg_verdict_set_cause(v, cause);
    v->evidence_frame = evidence;
    v->tls_alert_known = cause == MWG_CAUSE_TLS_ALERT && t->alert_clear;
    v->tls_alert = t->alert_desc;
    v->tls_reset = t->reset;
    v->tls_plain_http = t->plain_http;
    v->cert_problems = cause == MWG_CAUSE_TLS_HANDSHAKE_REJECTED ? t->cert_problems : 0;
    v->attempt_frame = latest->first_syn_frame;
    v->attempts = latest->syn_count;
    v->upstream = latest->server.addr;
    v->upstream_port = latest->server.port;
    v->via_parent = latest->parent_leg || is_parent_addr(j->c, &latest->server.addr);
    mwg_verdict_add_frames(v, latest->frames, latest->n_frames);
    return true;
}
