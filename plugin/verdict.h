/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.h - what mwg502 concludes about one gateway error response.
 *
 * Shared by the engine (which fills it), the renderer (which shows it) and
 * the tests.  Plain C and GLib: no Wireshark types.
 *
 * The category and cause tokens are a public contract (display filters,
 * scripts and coloring rules match on them): add, never rename.
 */
#ifndef MWG502_VERDICT_H
#define MWG502_VERDICT_H

#include "addr.h"
#include "constants.h"
#include "icmp_error.h"

typedef enum {
    MWG_CAT_HOST_NOT_RESOLVABLE,
    MWG_CAT_CANNOT_CONNECT,
    MWG_CAT_BAD_RESPONSE,
    MWG_CAT_UPSTREAM_ERROR,
    MWG_CAT_UNKNOWN,
    MWG_CAT_COUNT
} mwg_category;

typedef enum {
    MWG_CAUSE_DNS_NXDOMAIN,
    MWG_CAUSE_DNS_SERVFAIL,
    MWG_CAUSE_DNS_REFUSED,
    MWG_CAUSE_DNS_ERROR,
    MWG_CAUSE_DNS_NODATA,
    MWG_CAUSE_DNS_NO_RESPONSE,
    MWG_CAUSE_DNS_SERVER_UNREACHABLE,
    MWG_CAUSE_TCP_SYN_TIMEOUT,
    MWG_CAUSE_TCP_RST,
    MWG_CAUSE_ICMP_UNREACHABLE,
    MWG_CAUSE_HTTP_INVALID_RESPONSE,
    MWG_CAUSE_HTTP_RESPONSE_TIMEOUT,
    MWG_CAUSE_UPSTREAM_CLOSED,
    MWG_CAUSE_UPSTREAM_STATUS,
    MWG_CAUSE_NO_UPSTREAM_EVIDENCE,
    /* The gateway's TLS handshake with the origin failed. */
    MWG_CAUSE_TLS_ALERT,
    MWG_CAUSE_TLS_CLOSED,
    MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT,
    MWG_CAUSE_TLS_NOT_TLS,
    MWG_CAUSE_TLS_HANDSHAKE_REJECTED,
    MWG_CAUSE_COUNT
} mwg_cause;

/* The kind of proxy that answered, when its response says so. */
typedef enum {
    MWG_GW_UNKNOWN,
    MWG_GW_MWG,                 /* McAfee / Trellix / Skyhigh Web Gateway */
    MWG_GW_SQUID,
    MWG_GW_NGINX,
    MWG_GW_APACHE,
    MWG_GW_COUNT
} mwg_gateway;

/* Why a verdict may know less than the capture held: the engine's bounds
 * dropped something it might have used (see constants.h), or Wireshark
 * dissected frames mwg502 could not read. */
#define MWG_LOSS_EVICTED 0x1        /* tables full: older state dropped */
#define MWG_LOSS_UNREAD 0x2         /* frames mwg502 could not read */
#define MWG_LOSS_REQUEST_QUEUE 0x4  /* more requests waited than it tracks */
#define MWG_LOSS_ANSWER_GAP 0x8     /* answers missing from the capture: which request is unknown */
#define MWG_LOSS_REQUEST_GAP 0x10   /* requests missing from the capture: which request is unknown */
#define MWG_LOSS_LOOKUPS 0x20       /* the name's lookups outnumbered those kept: its own are gone */
/* Any of the three: the error is matched to no request. */
#define MWG_LOSS_UNMATCHED (MWG_LOSS_REQUEST_QUEUE | MWG_LOSS_ANSWER_GAP | MWG_LOSS_REQUEST_GAP)

typedef struct {
    mwg_category category;
    mwg_cause cause;
    unsigned status;            /* the gateway's error status, e.g. 502 */
    uint32_t error_frame;       /* where Wireshark dissects the error response */
    uint32_t request_frame;     /* 0: the request is not in the capture */
    uint32_t connect_frame;     /* the CONNECT of the tunnel the request came through; 0: none */
    uint32_t attempt_frame;     /* 0: none */
    uint32_t evidence_frame;    /* 0: none */
    char *host;                 /* NULL when unknown */
    mwg_addr upstream;          /* destination, or DNS server for DNS causes */
    uint16_t upstream_port;     /* 0: none */
    uint32_t attempts;          /* SYNs or DNS queries; 0: not applicable */
    int64_t elapsed_ns;         /* client request -> error; valid if request_frame */
    mwg_category block_page;    /* family named by the block page, or MWG_CAT_UNKNOWN */
    bool block_page_recognised; /* the body is a gateway notification page */
    bool incomplete;            /* the error response never arrived whole */
    bool capture_cut;           /* ... in the capture: its snap length cut it */
    bool undissected;           /* whole, but Wireshark took it for more of the message before */
    mwg_gateway gateway;        /* who answered, for the wording of the advice */
    unsigned dns_rcode;
    unsigned dns_servers;       /* distinct DNS servers asked, for DNS causes */
    mwg_icmp_error icmp;        /* for ICMP causes */
    unsigned upstream_status;   /* the origin's own status, for upstream_status */
    double response_wait_s;     /* forwarded request -> error, for timeouts */
    bool gateway_gave_up;       /* ... -> the gateway's own close of the upstream connection */
    size_t header_limit;        /* the reply's header block outgrew this, for http_invalid_response */
    /* For the TLS causes: the origin's alert (when sent in clear), whether
     * it closed with a RST, whether it answered in plain HTTP. */
    bool tls_alert_known;
    uint8_t tls_alert;
    bool tls_reset, tls_plain_http;
    unsigned cert_problems;     /* tls_handshake_rejected: what the origin's certificate shows (x509.h) */
    /* The gateway's connection to the origin got through, but its TLS is
     * not decrypted (no key log for that leg): what the origin answered
     * cannot be seen. */
    bool tls_undecrypted;
    /* Reported on the 200 that opened a client's tunnel: the gateway's error
     * response travels inside TLS nobody decrypted. */
    bool in_tunnel;
    /* Attempts that may have been for this request or another's (a name the
     * capture never resolves): how many addresses, the first ones. */
    unsigned n_candidates;
    mwg_addr candidates[MWG_MAX_NAMED_CANDIDATES];
    /* The snap length cut the host's DNS answer, and the candidates went to
     * addresses no name owns: maybe ones the answer held past the cut. */
    bool dns_answer_cut;
    /* no_upstream_evidence for want of an answer that may have been in a
     * frame the plugin could not read (cut by the snap length, a link it
     * does not know): the cause the verdict would have had. */
    bool silence_unsure;
    mwg_cause doubted;
    /* no_upstream_evidence: the gateway answered while its DNS query for
     * the host was still out, moments old (from a cache, or failing for a
     * reason the capture does not show). */
    bool dns_pending;
    /* A DNS cause learned before the request: no lookup went out while
     * the client waited, the gateway answered from its cache. */
    bool dns_cached;
    bool via_parent;            /* the failing hop is the gateway's parent proxy */
    unsigned loss;              /* MWG_LOSS_*: what the engine could not see */
    unsigned unread_frames;     /* ... of which frames it could not read while the client waited */
    uint32_t *frames;           /* every frame of the incident, ascending once finished */
    unsigned n_frames, frames_room;
    char *summary;              /* mwg_verdict_summary(), set by who shows it: the engine's
                                 * verdicts are stored without their words */
} mwg_verdict;

const char *mwg_category_token(mwg_category cat);
/* "McAfee/Skyhigh Web Gateway", "Squid"...; "" when unknown. */
const char *mwg_gateway_name(mwg_gateway gw);
const char *mwg_cause_token(mwg_cause cause);
/* The category a cause belongs to (no_upstream_evidence: the block page's). */
mwg_category mwg_cause_category(mwg_cause cause);

mwg_verdict *mwg_verdict_new(void);
void mwg_verdict_free(mwg_verdict *v);
void mwg_verdict_set_cause(mwg_verdict *v, mwg_cause cause);
/* Adds frames to the incident, up to MWG_MAX_INCIDENT_FRAMES (the first
 * ones are kept). */
void mwg_verdict_add_frames(mwg_verdict *v, const uint32_t *frames, unsigned n);
void mwg_verdict_add_frame(mwg_verdict *v, uint32_t frame);
/* Sorts and de-duplicates the frames, settles the category of an
 * evidence-less verdict. */
void mwg_verdict_finish(mwg_verdict *v);

/* One line for people, e.g. "DNS server 10.10.65.1 answered No such name for
 * example.local".  Returns a newly allocated string (g_free). */
char *mwg_verdict_summary(const mwg_verdict *v);
/* The usual fix, in the vendor article's terms.  Static string. */
const char *mwg_verdict_advice(const mwg_verdict *v);

#endif
