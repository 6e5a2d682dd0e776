/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_record.h - the part of a TLS handshake every capture shows in clear,
 * read from one direction's TCP payload.
 *
 * A gateway that intercepts HTTPS opens TLS to the origin itself; when that
 * handshake fails, what failed is in the record headers and the first
 * handshake messages, which need no keys: the ClientHello and its server
 * name, the ServerHello, an alert sent before encryption starts, bytes that
 * are no TLS at all.  Records are followed by sequence number across
 * segments; the reader stops (lost) at a gap it cannot cross.  Plain C on
 * byte buffers.
 */
#ifndef MWG502_TLS_RECORD_H
#define MWG502_TLS_RECORD_H

#include "facts.h"

/* Where one direction's next record header starts. */
typedef struct {
    bool started;
    bool lost;                  /* a gap or a header split across segments: no longer followed */
    uint32_t next;              /* sequence number of the next record header */
} mwg_tls_reader;

/* What the records that start in one segment show. */
typedef struct {
    bool not_tls;               /* bytes where a record should start that are no TLS record */
    bool client_hello, server_hello;
    bool change_cipher_spec;
    bool alert;                 /* an alert record */
    bool alert_clear;           /* ... sent before encryption: its description is known */
    uint8_t alert_level, alert_desc;
    /* Encrypted records (type 23): one long enough to be a Finished or
     * data, or only short ones (the 19 bytes of a TLS 1.3 alert). */
    bool encrypted_long, encrypted_short;
    char sni[MWG_MAX_HOST_LEN + 1];     /* the ClientHello's server name; "" if none */
    bool has_random;
    uint8_t random[32];         /* the ClientHello's: a relayed handshake has the client's */
} mwg_tls_seen;

/* Reads the records that start in a segment of 'len' captured bytes at
 * sequence number 'seq'. */
void mwg_tls_read_segment(mwg_tls_reader *r, uint32_t seq, const uint8_t *p, size_t len, mwg_tls_seen *out);

/* Whether 'len' bytes begin a TLS record header (a handshake one for a
 * connection's first bytes: 'handshake'). */
bool mwg_tls_is_record(const uint8_t *p, size_t len, bool handshake);

/* Whether decrypted bytes are TLS handshake messages only (a TLS 1.3
 * session ticket or key update), not application data. */
bool mwg_tls_is_handshake_messages(const uint8_t *p, size_t len);

/* The alert's name in RFC 8446 terms ("handshake_failure"), or NULL. */
const char *mwg_tls_alert_name(uint8_t desc);

#endif
