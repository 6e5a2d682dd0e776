/* SPDX-License-Identifier: GPL-2.0-or-later */
/* judge.h - what the two halves of a judgement share: judge.c (the error
 * response, its forwarded request and reply, DNS) and judge_attempts.c (the
 * connection attempts that were the request's own).
 */
#ifndef MWG502_JUDGE_H
#define MWG502_JUDGE_H

#include "engine.h"

typedef struct {
    mwg_correlator *c;
    mwg_verdict *v;
    const client_request *req;
    const name_entry *ne;       /* the host's, if the engine knows it */
    const mwg_addr *literal;    /* the host, when it is an address */
    const conn *tls_attempt;    /* the attempt whose TLS handshake decided, if one did */
    int64_t error_ts;
} judge;

/* Did this stage of the gateway's work overlap the life of the request? It
 * started before the error and either after the request or still ran then. */
static inline bool overlaps(uint32_t started, uint32_t ended, uint32_t req, uint32_t err)
{
    return started && started < err && (started > req || ended == 0 || (ended > req && ended < err));
}


/* Every connection that may have served the host, each once: attempts to
 * its addresses (or the host, when it is an address) on the requested
 * port, connections that carried a request for it, and attempts to a
 * parent proxy while the client waited.  'started_after_request': only
 * those whose first SYN came after the request, the ones that may be its
 * own (under a storm, hundreds fewer).  Starts a new list in 'out', in the
 * order the attempts started. */
void judge_candidates(const judge *j, bool started_after_request, conn_list *out);
/* The connections opened before the request that carried a request for
 * the host (the latest MWG_KEPT_CONNECTIONS): the gateway may have sent
 * this one's on a connection it kept open.  Added to the list
 * judge_candidates() made last. */
void judge_add_kept_connections(const judge *j, conn_list *out);
/* For a host the capture never resolves: the attempts that ran meanwhile
 * to addresses no other name owns, and that no other client's request for
 * such a name could have caused (those are named in the verdict instead),
 * added to the list judge_candidates() made last. */
void judge_unowned_candidates(const judge *j, conn_list *out);
/* Whether the snap length cut a DNS answer for the host before the error:
 * the addresses past the cut are not known. */
bool judge_answer_cut(const judge *j);
/* Whether a DNS answer for the host cut by the snap length may hide the
 * addresses of attempts made while the client waited (named in the
 * verdict as candidates): the host's own attempts do not decide then. */
bool judge_cut_answer_hides_attempts(const judge *j);
/* What judge_own_attempts() found. */
typedef struct {
    bool own;                   /* attempts that started after the request */
    bool borrowed;              /* ... but only ones other verdicts had taken */
    bool late;                  /* ... the first after another client asked for the host */
    bool young;                 /* ... only ones begun moments before the error (see attempt_kind_of) */
} own_attempts;
/* The candidates that were this request's own attempts, in 'out' (room for
 * all). */
unsigned judge_own_attempts(judge *j, conn_list *cands, conn **out, own_attempts *found);
/* Gives back the attempts judge_own_attempts() claimed for the request, when
 * the verdict found they were not its own after all. */
void judge_release_attempts(const judge *j, conn *const *attempts, unsigned n);
/* Whether the attempt was established before the error. */
bool judge_got_through(const judge *j, const conn *cn);
/* Whether another client asked for the host after this request and before
 * 'frame': what the gateway did for the host then may be for that one. */
bool judge_another_request_before(const judge *j, uint32_t frame);
/* judge_tls.c: the latest attempt connected but the gateway's TLS
 * handshake with the origin failed before the error. */
bool judge_tls(judge *j, conn *const *attempts, unsigned n);
/* The attempts decide the verdict: refused, unreachable, unanswered, or
 * connected and then the TLS handshake failed. */
bool judge_connect(judge *j, conn *const *attempts, unsigned n);

#endif
