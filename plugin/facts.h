/* facts.h - the few facts of one frame that matter to mwg502.
 *
 * The decoders (headers.c, http_message.c, dns_message.c) fill this record
 * from the frame's bytes, steered by extract.c; the correlation engine
 * (correlate.c) consumes it.  Plain C, no Wireshark types: the unit tests
 * and the fuzzers build these records by hand or from raw bytes.
 *
 * Pointers are borrowed for the duration of one mwg_correlator_feed() call;
 * the engine copies whatever it keeps.  Nothing here is trusted: lengths,
 * counts and strings come from the capture.
 */
#ifndef MWG502_FACTS_H
#define MWG502_FACTS_H

#include "verdict.h"

/* TCP flag bits as on the wire. */
#define MWG_TCP_FIN 0x01
#define MWG_TCP_SYN 0x02
#define MWG_TCP_RST 0x04
#define MWG_TCP_ACK 0x10

/* Bounds on what one frame may contribute, whatever the capture claims. */
#define MWG_MAX_HTTP_PER_FRAME 4
#define MWG_MAX_DNS_ADDRS 16
#define MWG_PAYLOAD_HEAD 16
/* Room for the strings of one frame (methods, URIs, Host headers, a DNS
 * name), so that decoding a frame allocates nothing. */
#define MWG_FACTS_TEXT 4096

/* A run of bytes of the frame, or of a buffer Wireshark reassembled. */
typedef struct {
    const uint8_t *p;
    size_t len;
    bool cut;       /* the capture holds only these first bytes of more */
} mwg_bytes;

typedef struct {
    mwg_addr addr;
    uint16_t port;
} mwg_endpoint;

typedef struct {
    mwg_endpoint src, dst;
} mwg_flow;

typedef struct {
    const char *method;         /* "GET", "CONNECT", ... */
    const char *uri;            /* request target as sent */
    const char *host_header;    /* Host header, or NULL */
} mwg_http_request;

typedef struct {
    unsigned status;
    const uint8_t *body;        /* de-chunked body when the dissector gives one */
    size_t body_len;
} mwg_http_response;

typedef enum {
    MWG_ICMP_NONE,
    MWG_ICMP_QUOTES_TCP,
    MWG_ICMP_QUOTES_UDP
} mwg_icmp_quote;

typedef struct {
    uint32_t frame;
    int64_t ts_ns;              /* absolute time, |ts| < 2^62; may go backwards in bad captures */

    /* The transport flow: TCP or UDP. */
    bool is_tcp, is_udp;
    mwg_flow flow;

    bool has_tcp_flags;
    uint8_t tcp_flags;
    uint32_t tcp_payload_len;
    uint8_t payload_head[MWG_PAYLOAD_HEAD];  /* first bytes of the TCP payload */
    unsigned payload_head_len;

    unsigned n_requests, n_responses;     /* in requests[], responses[] */

    bool has_dns;
    bool dns_is_response;
    uint16_t dns_id;
    uint16_t dns_qtype;
    unsigned dns_rcode;
    const char *dns_qname;      /* first question, NULL if none */
    unsigned n_dns_addrs;       /* in dns_addrs[] */

    /* An ICMP/ICMPv6 error and the flow it quotes (as the original sender
     * sent it).  When set, the frame's other facts come from the quoted
     * header and must not be taken for a new packet. */
    mwg_icmp_quote icmp_quote;
    unsigned icmp_version, icmp_type, icmp_code;
    mwg_addr icmp_reporter;
    mwg_flow icmp_quoted;

    /* Not cleared between frames: only the first n of each hold facts. */
    mwg_http_request requests[MWG_MAX_HTTP_PER_FRAME];
    mwg_http_response responses[MWG_MAX_HTTP_PER_FRAME];
    mwg_addr dns_addrs[MWG_MAX_DNS_ADDRS];

    /* Storage for the strings above. */
    size_t text_used;
    char text[MWG_FACTS_TEXT];
} mwg_facts;

/* Clears the facts, but not the arrays past their counts nor the text
 * storage: most frames fill none of them. */
void mwg_facts_reset(mwg_facts *f, uint32_t frame, int64_t ts_ns);

/* Copies n bytes into the text storage as a NUL-terminated string, cut short
 * when the storage runs out; NULL once it is full. */
const char *mwg_facts_keep(mwg_facts *f, const uint8_t *s, size_t n);

#endif
