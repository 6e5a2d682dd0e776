/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x509.h - what an origin's certificate shows that makes a gateway refuse
 * it: signed by itself, out of its validity at capture time, issued for
 * another name than the one the gateway asked for (SNI).
 *
 * TLS 1.2 sends the certificate in clear; this reads the leaf of a
 * Certificate handshake message as DER, bounded by the bytes given.  Plain
 * C on byte buffers.
 */
#ifndef MWG502_X509_H
#define MWG502_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MWG_CERT_SELF_SIGNED 0x1
#define MWG_CERT_EXPIRED 0x2
#define MWG_CERT_NOT_YET_VALID 0x4
#define MWG_CERT_OTHER_NAME 0x8
#define MWG_CERT_READ 0x80      /* the certificate was read (no flag else: nothing wrong seen) */

/* The problems of a DER certificate for a connection to 'sni' (NULL: not
 * checked) at 'now' (seconds since 1970): MWG_CERT_* flags, 0 when it
 * cannot be read. */
unsigned mwg_x509_problems(const uint8_t *der, size_t len, const char *sni, int64_t now);

/* The same for handshake messages ('len' bytes, from a message's start):
 * the first Certificate message's leaf, in TLS 1.3's form (a request
 * context first) when 'tls13'.  TLS 1.3 encrypts it: Wireshark hands it
 * over decrypted when it has the gateway's keys. */
unsigned mwg_tls_handshake_certificate_problems(const uint8_t *msgs, size_t len, bool tls13, const char *sni,
                                                int64_t now);

/* The leaf certificate of a TLS handshake flight ('len' bytes of records
 * as the server sent them, from its first): its problems as above, 0 when
 * the flight holds no readable Certificate message. */
unsigned mwg_tls_certificate_problems(const uint8_t *records, size_t len, const char *sni, int64_t now);

#endif
