/* verdict.h - what mwg502 concludes about one gateway error response.
 *
 * Shared by the correlation engine (which fills it), the renderer (which
 * shows it) and the unit tests.  Plain C: no Wireshark types, so the engine
 * can be tested and fuzzed without epan.
 *
 * The category and cause tokens are a public contract (display filters,
 * scripts and coloring rules match on them): add, never rename.
 */
#ifndef MWG502_VERDICT_H
#define MWG502_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
    MWG_CAUSE_COUNT
} mwg_cause;

/* An IPv4 or IPv6 address; family 0 means "none". */
typedef struct {
    uint8_t family;             /* 0, 4 or 6 */
    uint8_t bytes[16];
} mwg_addr;

/* Upper bound on the frames remembered for one incident: enough for a
 * storm of retries, small enough that a hostile capture cannot make one
 * verdict large. */
#define MWG_MAX_INCIDENT_FRAMES 64

typedef struct {
    mwg_category category;
    mwg_cause cause;
    unsigned status;            /* the gateway's error status, e.g. 502 */
    uint32_t error_frame;
    uint32_t request_frame;     /* 0: the request is not in the capture */
    uint32_t attempt_frame;     /* 0: none */
    uint32_t evidence_frame;    /* 0: none */
    char *host;                 /* NULL when unknown */
    mwg_addr upstream;          /* destination, or DNS server for DNS causes */
    uint16_t upstream_port;     /* 0: none */
    uint32_t attempts;          /* SYNs or DNS queries; 0: not applicable */
    int64_t elapsed_ns;         /* client request -> error; valid if request_frame */
    mwg_category block_page;    /* family named by the block page, or MWG_CAT_UNKNOWN */
    bool block_page_recognised; /* the body is a gateway notification page */
    unsigned dns_rcode;
    unsigned dns_servers;       /* distinct DNS servers asked, for DNS causes */
    unsigned icmp_version, icmp_type, icmp_code; /* for icmp causes; version 4 or 6 */
    mwg_addr icmp_reporter;     /* who sent the ICMP error */
    unsigned upstream_status;   /* the origin's own status, for upstream_status */
    double response_wait_s;     /* forwarded request -> error, for timeouts */
    uint32_t frames[MWG_MAX_INCIDENT_FRAMES]; /* every frame of the incident */
    unsigned n_frames;
    char *summary;              /* mwg_verdict_summary(), set once decided */
} mwg_verdict;

const char *mwg_category_token(mwg_category cat);
const char *mwg_cause_token(mwg_cause cause);
/* The category a cause belongs to (no_upstream_evidence: the block page's). */
mwg_category mwg_cause_category(mwg_cause cause);

/* One line for people, e.g. "DNS server 10.10.65.1 answered No such name for
 * example.local".  Returns a newly allocated string (g_free). */
char *mwg_verdict_summary(const mwg_verdict *v);
/* The usual fix, in the vendor article's terms.  Static string. */
const char *mwg_verdict_advice(const mwg_verdict *v);

void mwg_verdict_free(mwg_verdict *v);
/* Formats an address for people; buf must hold 46 bytes. */
const char *mwg_addr_to_str(const mwg_addr *a, char *buf, size_t len);

#endif
