/* SPDX-License-Identifier: GPL-2.0-or-later */
/* facts.h - what one frame tells mwg502, as Wireshark dissected it.
 *
 * extract.c fills this record from the frame (Wireshark's own view where it
 * hands one over without a protocol tree, the decoders for the rest); the
 * engine (correlate.h) consumes it.  Plain C, no Wireshark types: the unit
 * tests and the fuzzers build these records by hand or from raw bytes.
 *
 * Pointers are borrowed for the duration of one mwg_correlator_feed() call;
 * the engine copies whatever it keeps.  Nothing here is trusted: lengths,
 * counts and strings come from the capture.
 */
#ifndef MWG502_FACTS_H
#define MWG502_FACTS_H

#include "addr.h"
#include "icmp_error.h"
#include "constants.h"

/* TCP flag bits as on the wire. */
#define MWG_TCP_FIN 0x01
#define MWG_TCP_SYN 0x02
#define MWG_TCP_RST 0x04
#define MWG_TCP_ACK 0x10

/* A run of bytes of the frame, or of a buffer Wireshark made from several
 * frames (reassembly, de-chunking, decompression). */
typedef struct {
    const uint8_t *p;
    size_t len;
    bool cut;       /* the capture holds only these first bytes of more */
} mwg_bytes;

typedef enum {
    MWG_ICMP_NONE,
    MWG_ICMP_QUOTES_TCP,
    MWG_ICMP_QUOTES_UDP
} mwg_icmp_quote;

/* What Wireshark's HTTP dissector did with the frame on its first pass. */
typedef struct {
    /* It dissected the start of one or more requests or responses here
     * (where it shows http.request / http.response.code). */
    bool took_message;
    bool last_is_response;      /* the last of them */
    unsigned last_status;       /* its status; 0 where Wireshark keeps none (4.0) */
    const char *last_method;    /* a request's method; NULL where not kept */
} mwg_ws_http;

/* Protocols Wireshark dissected in the frame that mwg502 could not read
 * there (a link layer or tunnel it does not know, a buffer it was not
 * given): it says so rather than guess. */
#define MWG_UNREAD_HTTP 0x1
#define MWG_UNREAD_DNS 0x2
#define MWG_UNREAD_ICMP 0x4

typedef struct {
    uint32_t frame;
    int64_t ts_ns;              /* absolute time, |ts| < 2^62; may go backwards in bad captures */

    /* The transport flow as Wireshark's innermost TCP or UDP layer saw it. */
    bool is_tcp, is_udp;
    mwg_flow flow;

    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack;  /* raw sequence and acknowledgement numbers */
    uint32_t payload_len;       /* transport payload length as sent */
    mwg_bytes payload;          /* ... and as captured */
    /* The PDU Wireshark's TCP reassembly completed in this frame (its last
     * bytes are the first of this segment's payload), if any. */
    mwg_bytes reassembled;
    /* A body HTTP de-chunked or uncompressed in this frame, if any. */
    mwg_bytes decoded_body;
    mwg_ws_http http;

    bool has_dns;
    bool dns_is_response;
    bool dns_answers_cut;       /* the answer section runs past the captured bytes */
    uint16_t dns_id;
    uint16_t dns_qtype;
    unsigned dns_rcode;
    unsigned n_dns_addrs;       /* in dns_addrs[] */

    /* An ICMP/ICMPv6 error and the flow it quotes (as the original sender
     * sent it).  When set, the frame's flow is the quoted one and must not
     * be taken for a new packet. */
    mwg_icmp_quote icmp_quote;
    mwg_icmp_error icmp;
    mwg_flow icmp_quoted;

    unsigned unread;            /* MWG_UNREAD_* */

    /* What Wireshark decrypted in the frame: TLS records' plaintext, one
     * buffer per record, and the HTTP/2 header blocks it decompressed
     * (each header as a 4-byte length and name, a 4-byte length and value,
     * lengths big-endian), in frame order. */
    bool tls;                   /* Wireshark dissected TLS in the frame */
    unsigned n_decrypted, n_h2_headers;
    /* Decrypted bytes of several records TLS reassembled here for the
     * protocol inside (an HTTP message longer than one record). */
    mwg_bytes tls_reassembled;

    /* Last, so that a reset need not clear them. */
    char dns_qname[MWG_MAX_HOST_LEN + 1];  /* first question; "" if none */
    mwg_addr dns_addrs[MWG_MAX_DNS_ADDRS];
    mwg_bytes decrypted[MWG_MAX_DECRYPTED];
    mwg_bytes h2_headers[MWG_MAX_DECRYPTED];
} mwg_facts;

/* Clears the facts for a new frame; cheap (the address and name arrays are
 * left as they are, past their counts). */
void mwg_facts_reset(mwg_facts *f, uint32_t frame, int64_t ts_ns);

#endif
