/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_x509.c - unit tests of the certificate reader (x509.c) on GLib's
 * test framework: the problems of a leaf certificate (self-signed, out of
 * its validity, issued for another name) and the Certificate message of a
 * TLS 1.2 server flight, built by hand around it.
 *
 * The certificates below were made once with the openssl command line
 * (OpenSSL 3.0, EC keys on prime256v1, so each DER is a few hundred bytes)
 * and are embedded as bytes: the tests never run openssl.  To regenerate
 * them, run this script in an empty directory, then turn each *.der into
 * an array (e.g. xxd -i):
 *
 *   #!/bin/sh
 *   # Regenerates the test certificates of tests/unit/test_x509.c (OpenSSL 3.0).
 *   set -e
 *   mkdir -p db && : > db/index.txt && echo 1000 > db/serial
 *   cat > ca.cnf <<'CNF'
 *   [ ca ]
 *   default_ca = test
 *   [ test ]
 *   dir = .
 *   database = db/index.txt
 *   serial = db/serial
 *   new_certs_dir = db
 *   default_md = sha256
 *   policy = any
 *   unique_subject = no
 *   email_in_dn = no
 *   [ any ]
 *   commonName = supplied
 *   [ req ]
 *   distinguished_name = dn
 *   prompt = no
 *   [ dn ]
 *   CN = unused
 *   [ v3_ca ]
 *   basicConstraints = critical,CA:true
 *   [ leaf ]
 *   subjectAltName = DNS:www.example.com,DNS:*.example.org
 *   [ old ]
 *   subjectAltName = DNS:old.example.com
 *   [ far ]
 *   subjectAltName = DNS:far.example.com
 *   [ none ]
 *   CNF
 *   key() { openssl ecparam -name prime256v1 -genkey -noout -out "$1.key"; }
 *   csr() { openssl req -new -config ca.cnf -key "$1.key" -subj "/CN=$2" -out "$1.csr"; }
 *   # $1 name, $2 extension section, $3 notBefore, $4 notAfter, then extra args
 *   sign() { n=$1 e=$2 b=$3 a=$4; shift 4
 *     openssl ca -batch -config ca.cnf -notext -extensions "$e" -startdate "$b" -enddate "$a" \
 *       -in "$n.csr" -out "$n.pem" "$@"
 *     openssl x509 -in "$n.pem" -outform DER -out "$n.der"; }
 *   key ca;  csr ca "Test CA"
 *   sign ca v3_ca 20200101000000Z 20300101000000Z -selfsign -keyfile ca.key
 *   key leaf; csr leaf www.example.com
 *   sign leaf leaf 20200101000000Z 20300101000000Z -cert ca.pem -keyfile ca.key
 *   key old;  csr old old.example.com
 *   sign old old 20190101000000Z 20210101000000Z -cert ca.pem -keyfile ca.key
 *   key nosan; csr nosan host.example.net
 *   sign nosan none 20200101000000Z 20300101000000Z -cert ca.pem -keyfile ca.key
 *   key far;  csr far far.example.com
 *   sign far far 20510101000000Z 20600101000000Z -cert ca.pem -keyfile ca.key
 *
 * What they are:
 *   CA_der     CN=Test CA, self-signed, 2020-01-01..2030-01-01 (UTCTime)
 *   LEAF_der   CN=www.example.com, issued by Test CA, 2020-01-01..2030-01-01,
 *              subjectAltName DNS:www.example.com, DNS:*.example.org
 *   OLD_der    CN=old.example.com, issued by Test CA, 2019-01-01..2021-01-01,
 *              subjectAltName DNS:old.example.com
 *   NOSAN_der  CN=host.example.net, issued by Test CA, 2020-01-01..2030-01-01,
 *              a version 1 certificate: no extensions, no subjectAltName
 *   FAR_der    CN=far.example.com, issued by Test CA, 2051-01-01..2060-01-01
 *              (both dates GeneralizedTime), subjectAltName DNS:far.example.com
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "byte_array.h"
#include "x509.h"

/* ---- times (seconds since 1970, UTC, at 00:00:00) ---- */

#define T_2019 INT64_C(1546300800)
#define T_2020 INT64_C(1577836800)
#define T_2021 INT64_C(1609459200)
#define T_2025 INT64_C(1735689600)
#define T_2030 INT64_C(1893456000)
#define T_2051 INT64_C(2556144000)
#define T_2055 INT64_C(2682374400)
#define T_2060 INT64_C(2840140800)

/* ---- the certificates ---- */

static const uint8_t CA_der[] = {
    0x30, 0x82, 0x01, 0x45, 0x30, 0x81, 0xec, 0xa0, 0x03, 0x02, 0x01, 0x02,
    0x02, 0x02, 0x10, 0x00, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x04, 0x03, 0x02, 0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03,
    0x55, 0x04, 0x03, 0x0c, 0x07, 0x54, 0x65, 0x73, 0x74, 0x20, 0x43, 0x41,
    0x30, 0x1e, 0x17, 0x0d, 0x32, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x5a, 0x17, 0x0d, 0x33, 0x30, 0x30, 0x31, 0x30,
    0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x12, 0x31, 0x10,
    0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, 0x54, 0x65, 0x73,
    0x74, 0x20, 0x43, 0x41, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0xf8, 0x20, 0x1a, 0xd5, 0xcb,
    0xb2, 0x3a, 0x43, 0x15, 0x5c, 0x4f, 0xab, 0xec, 0xc0, 0x99, 0x6c, 0x7f,
    0x20, 0xaa, 0x9a, 0xb4, 0x88, 0x50, 0x21, 0x77, 0x6d, 0xee, 0x55, 0xa7,
    0x0e, 0x5e, 0x8e, 0x0a, 0x1d, 0xe8, 0xb1, 0x4b, 0x53, 0xd7, 0x63, 0xe4,
    0x6c, 0x95, 0x42, 0xcb, 0xad, 0xc4, 0xb6, 0xb5, 0xf6, 0xd3, 0xc3, 0x07,
    0x16, 0x2a, 0x56, 0x00, 0xf5, 0x04, 0x0f, 0xdf, 0xbc, 0xb1, 0x6b, 0xa3,
    0x32, 0x30, 0x30, 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d, 0x13, 0x01, 0x01,
    0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff, 0x30, 0x1d, 0x06, 0x03,
    0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x6f, 0xb5, 0x2a, 0x7f, 0x05,
    0x12, 0xe4, 0x38, 0x78, 0xdf, 0x5e, 0x83, 0x14, 0x60, 0x67, 0x66, 0x95,
    0xf3, 0xfb, 0xc5, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x04, 0x03, 0x02, 0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x20, 0x0f, 0x56,
    0x9c, 0x24, 0xde, 0x24, 0x94, 0xbf, 0xb6, 0x73, 0x02, 0xb9, 0xb1, 0xe8,
    0x37, 0x64, 0x76, 0x18, 0x3c, 0x97, 0x2b, 0x1b, 0xe8, 0x1c, 0x42, 0x2b,
    0xd6, 0xcd, 0x08, 0x26, 0x5e, 0xae, 0x02, 0x21, 0x00, 0xf2, 0xa3, 0xa6,
    0x54, 0x21, 0xb5, 0x92, 0x4f, 0x63, 0x8f, 0xac, 0x24, 0x8f, 0xe1, 0xad,
    0xcd, 0xcb, 0x3d, 0xe3, 0xa1, 0xca, 0x86, 0x61, 0x1a, 0x7f, 0x8f, 0xd1,
    0x39, 0x1f, 0xae, 0x5e, 0x30,
};

static const uint8_t LEAF_der[] = {
    0x30, 0x82, 0x01, 0x89, 0x30, 0x82, 0x01, 0x2f, 0xa0, 0x03, 0x02, 0x01,
    0x02, 0x02, 0x02, 0x10, 0x01, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, 0x54, 0x65, 0x73, 0x74, 0x20, 0x43,
    0x41, 0x30, 0x1e, 0x17, 0x0d, 0x32, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x17, 0x0d, 0x33, 0x30, 0x30, 0x31,
    0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x1a, 0x31,
    0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f, 0x77, 0x77,
    0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f,
    0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    0x03, 0x42, 0x00, 0x04, 0x44, 0x72, 0x78, 0x51, 0xba, 0x34, 0x98, 0xa5,
    0xa3, 0x6e, 0x4c, 0x82, 0x95, 0x51, 0x30, 0x89, 0xaf, 0x70, 0x1e, 0xc4,
    0x75, 0xb5, 0x1f, 0x4f, 0xda, 0xa6, 0x72, 0x8e, 0x86, 0x90, 0xf1, 0x5a,
    0x3f, 0x14, 0xca, 0x59, 0x0a, 0xc6, 0x3e, 0x88, 0x2b, 0x9c, 0x21, 0x3f,
    0x45, 0xd3, 0x71, 0xf4, 0x18, 0xa2, 0x64, 0x22, 0x80, 0x2a, 0x79, 0x38,
    0xd7, 0xaa, 0xa6, 0xaa, 0x46, 0x14, 0x00, 0xec, 0xa3, 0x6d, 0x30, 0x6b,
    0x30, 0x29, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04, 0x22, 0x30, 0x20, 0x82,
    0x0f, 0x77, 0x77, 0x77, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x2e, 0x63, 0x6f, 0x6d, 0x82, 0x0d, 0x2a, 0x2e, 0x65, 0x78, 0x61, 0x6d,
    0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x30, 0x1d, 0x06, 0x03, 0x55,
    0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0xd3, 0x31, 0x1a, 0x9d, 0x7b, 0xd3,
    0x51, 0xec, 0x03, 0x8e, 0xaf, 0xd6, 0x43, 0x6e, 0xe8, 0xd4, 0x51, 0xa6,
    0xcf, 0x5b, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30,
    0x16, 0x80, 0x14, 0x6f, 0xb5, 0x2a, 0x7f, 0x05, 0x12, 0xe4, 0x38, 0x78,
    0xdf, 0x5e, 0x83, 0x14, 0x60, 0x67, 0x66, 0x95, 0xf3, 0xfb, 0xc5, 0x30,
    0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03,
    0x48, 0x00, 0x30, 0x45, 0x02, 0x20, 0x71, 0x16, 0xd1, 0xed, 0x26, 0xad,
    0x48, 0x1b, 0x85, 0x8a, 0xe9, 0x6b, 0x19, 0x75, 0x4a, 0x32, 0x58, 0xaa,
    0xe4, 0x3a, 0x02, 0x60, 0xaa, 0x55, 0xba, 0x19, 0x95, 0x50, 0x8f, 0x81,
    0x07, 0x82, 0x02, 0x21, 0x00, 0x9b, 0xf5, 0xad, 0x78, 0x88, 0x35, 0xd7,
    0x05, 0x2d, 0xe4, 0x81, 0x06, 0xee, 0x07, 0xf3, 0x05, 0x35, 0xf8, 0xc5,
    0x18, 0x23, 0xce, 0xe1, 0x9c, 0xc0, 0xb0, 0x8a, 0x54, 0x58, 0x74, 0x59,
    0xf7,
};

static const uint8_t OLD_der[] = {
    0x30, 0x82, 0x01, 0x7a, 0x30, 0x82, 0x01, 0x20, 0xa0, 0x03, 0x02, 0x01,
    0x02, 0x02, 0x02, 0x10, 0x02, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, 0x54, 0x65, 0x73, 0x74, 0x20, 0x43,
    0x41, 0x30, 0x1e, 0x17, 0x0d, 0x31, 0x39, 0x30, 0x31, 0x30, 0x31, 0x30,
    0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x17, 0x0d, 0x32, 0x31, 0x30, 0x31,
    0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x30, 0x1a, 0x31,
    0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f, 0x6f, 0x6c,
    0x64, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f,
    0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    0x03, 0x42, 0x00, 0x04, 0xd9, 0x47, 0x6e, 0x98, 0xb7, 0x81, 0x0e, 0x3d,
    0x30, 0xc4, 0x5a, 0x62, 0xf7, 0x27, 0x23, 0x10, 0x95, 0x98, 0x15, 0x55,
    0x80, 0x2b, 0x48, 0x46, 0x0b, 0x0a, 0x1b, 0xde, 0xbe, 0x3d, 0x72, 0x26,
    0x16, 0x73, 0xee, 0x58, 0x2e, 0xa6, 0x30, 0x63, 0x89, 0x31, 0x83, 0x22,
    0x46, 0x67, 0x29, 0x7f, 0xd1, 0x4c, 0xeb, 0xc9, 0x11, 0xce, 0x23, 0xff,
    0x4c, 0xb2, 0xef, 0xd3, 0xb6, 0x4c, 0x12, 0xc0, 0xa3, 0x5e, 0x30, 0x5c,
    0x30, 0x1a, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04, 0x13, 0x30, 0x11, 0x82,
    0x0f, 0x6f, 0x6c, 0x64, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
    0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x1d, 0x06, 0x03, 0x55, 0x1d, 0x0e, 0x04,
    0x16, 0x04, 0x14, 0x65, 0xdd, 0xe1, 0x95, 0x6a, 0xe3, 0xc3, 0x87, 0x3c,
    0xf3, 0x84, 0xec, 0x6f, 0x93, 0xd0, 0xe3, 0xdc, 0xa2, 0x3a, 0xff, 0x30,
    0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18, 0x30, 0x16, 0x80, 0x14,
    0x6f, 0xb5, 0x2a, 0x7f, 0x05, 0x12, 0xe4, 0x38, 0x78, 0xdf, 0x5e, 0x83,
    0x14, 0x60, 0x67, 0x66, 0x95, 0xf3, 0xfb, 0xc5, 0x30, 0x0a, 0x06, 0x08,
    0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x03, 0x48, 0x00, 0x30,
    0x45, 0x02, 0x20, 0x71, 0x0a, 0xf0, 0x25, 0xea, 0x28, 0x5e, 0xfc, 0x38,
    0xf1, 0xd5, 0xa1, 0xde, 0x50, 0xb5, 0x36, 0x3d, 0xd5, 0xe1, 0xd7, 0x42,
    0xac, 0x15, 0x8a, 0xcb, 0xd6, 0x2f, 0x26, 0xe4, 0x13, 0xa8, 0xd0, 0x02,
    0x21, 0x00, 0xd9, 0x17, 0x23, 0x6c, 0x7a, 0xae, 0xd6, 0x90, 0x98, 0x97,
    0x76, 0xc2, 0xa7, 0x5e, 0xef, 0x24, 0x87, 0xf3, 0x76, 0xe4, 0x45, 0x1a,
    0x4b, 0xda, 0xf1, 0xd7, 0x77, 0x68, 0xac, 0x34, 0x0e, 0x0b,
};

static const uint8_t NOSAN_der[] = {
    0x30, 0x82, 0x01, 0x15, 0x30, 0x81, 0xbc, 0x02, 0x02, 0x10, 0x03, 0x30,
    0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02, 0x30,
    0x12, 0x31, 0x10, 0x30, 0x0e, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x07,
    0x54, 0x65, 0x73, 0x74, 0x20, 0x43, 0x41, 0x30, 0x1e, 0x17, 0x0d, 0x32,
    0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a,
    0x17, 0x0d, 0x33, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30,
    0x30, 0x30, 0x5a, 0x30, 0x1b, 0x31, 0x19, 0x30, 0x17, 0x06, 0x03, 0x55,
    0x04, 0x03, 0x0c, 0x10, 0x68, 0x6f, 0x73, 0x74, 0x2e, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x6e, 0x65, 0x74, 0x30, 0x59, 0x30, 0x13,
    0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x43,
    0x3f, 0xce, 0xc8, 0x89, 0xc0, 0xab, 0xd5, 0x0e, 0x4d, 0x71, 0x8d, 0x1f,
    0x7f, 0xae, 0x13, 0x82, 0xdb, 0x1f, 0x20, 0xbf, 0x60, 0x20, 0x43, 0xf6,
    0x31, 0x6f, 0x87, 0x08, 0x25, 0x4f, 0xef, 0xa5, 0x18, 0x94, 0x67, 0xb8,
    0x36, 0x74, 0xba, 0x59, 0xa7, 0x7e, 0xdc, 0xf7, 0x40, 0xf3, 0xa5, 0x78,
    0xfb, 0xc5, 0x2d, 0x8e, 0xcf, 0xc5, 0x24, 0x2a, 0xc0, 0x48, 0x63, 0xf8,
    0xe6, 0x5a, 0xd8, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x04, 0x03, 0x02, 0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x20, 0x1e, 0x53,
    0x5d, 0x61, 0x03, 0x5d, 0xb2, 0xf5, 0xe8, 0x11, 0x17, 0x1e, 0xf5, 0x3c,
    0x36, 0x2b, 0xc4, 0xa0, 0xf7, 0xe9, 0x90, 0x5a, 0xcd, 0xcf, 0xef, 0x0f,
    0x3a, 0xac, 0xac, 0x44, 0xc5, 0x29, 0x02, 0x21, 0x00, 0x8a, 0x0e, 0x6e,
    0xd3, 0xed, 0xc7, 0xcc, 0xbf, 0x9a, 0xb0, 0xcd, 0x78, 0x37, 0x80, 0xed,
    0x87, 0xea, 0xd9, 0xa1, 0xa2, 0x1d, 0xb2, 0x0c, 0x40, 0xbc, 0x0a, 0xb0,
    0x4a, 0x2b, 0x88, 0x2c, 0xdb,
};

static const uint8_t FAR_der[] = {
    0x30, 0x82, 0x01, 0x7e, 0x30, 0x82, 0x01, 0x24, 0xa0, 0x03, 0x02, 0x01,
    0x02, 0x02, 0x02, 0x10, 0x04, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x04, 0x03, 0x02, 0x30, 0x12, 0x31, 0x10, 0x30, 0x0e, 0x06,
    0x03, 0x55, 0x04, 0x03, 0x0c, 0x07, 0x54, 0x65, 0x73, 0x74, 0x20, 0x43,
    0x41, 0x30, 0x22, 0x18, 0x0f, 0x32, 0x30, 0x35, 0x31, 0x30, 0x31, 0x30,
    0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x5a, 0x18, 0x0f, 0x32, 0x30,
    0x36, 0x30, 0x30, 0x31, 0x30, 0x31, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30,
    0x5a, 0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03,
    0x0c, 0x0f, 0x66, 0x61, 0x72, 0x2e, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
    0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
    0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x8d, 0xcb, 0x9c, 0xbe,
    0x4b, 0xae, 0x1f, 0x8b, 0xe2, 0x85, 0xdc, 0x7e, 0x03, 0x05, 0xde, 0x17,
    0x61, 0x21, 0x5c, 0xac, 0x71, 0xd6, 0x00, 0xc4, 0x65, 0xf5, 0xee, 0x3f,
    0x99, 0x78, 0xef, 0x2b, 0xb3, 0xce, 0xa5, 0x80, 0x52, 0x02, 0xf6, 0xb3,
    0x35, 0xa2, 0xc3, 0x34, 0x77, 0x3b, 0xc0, 0xa5, 0xc1, 0xb7, 0xc7, 0x87,
    0xe5, 0x2e, 0xc9, 0xe4, 0x5a, 0x2d, 0x9a, 0x9d, 0x16, 0x66, 0xa1, 0xa2,
    0xa3, 0x5e, 0x30, 0x5c, 0x30, 0x1a, 0x06, 0x03, 0x55, 0x1d, 0x11, 0x04,
    0x13, 0x30, 0x11, 0x82, 0x0f, 0x66, 0x61, 0x72, 0x2e, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x2e, 0x63, 0x6f, 0x6d, 0x30, 0x1d, 0x06, 0x03,
    0x55, 0x1d, 0x0e, 0x04, 0x16, 0x04, 0x14, 0x0f, 0x26, 0x6b, 0x60, 0x21,
    0x9e, 0x70, 0x64, 0x0f, 0x2b, 0x38, 0x97, 0x8e, 0xb9, 0x78, 0xf3, 0x33,
    0x2e, 0xeb, 0x70, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x1d, 0x23, 0x04, 0x18,
    0x30, 0x16, 0x80, 0x14, 0x6f, 0xb5, 0x2a, 0x7f, 0x05, 0x12, 0xe4, 0x38,
    0x78, 0xdf, 0x5e, 0x83, 0x14, 0x60, 0x67, 0x66, 0x95, 0xf3, 0xfb, 0xc5,
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
    0x03, 0x48, 0x00, 0x30, 0x45, 0x02, 0x20, 0x62, 0x47, 0x3a, 0x93, 0x30,
    0xfd, 0x1b, 0x58, 0x6b, 0x18, 0x8c, 0x42, 0xdb, 0xe9, 0x28, 0x58, 0xb2,
    0x7d, 0x1e, 0x7a, 0x04, 0xab, 0x29, 0x37, 0x63, 0xb0, 0x6b, 0x86, 0xb9,
    0xee, 0xdf, 0xca, 0x02, 0x21, 0x00, 0xa7, 0x56, 0x9e, 0x3a, 0x86, 0x28,
    0x31, 0x41, 0xb2, 0x36, 0x46, 0x51, 0x9b, 0x4f, 0x01, 0x93, 0x79, 0x56,
    0x70, 0x96, 0x6b, 0xc1, 0x22, 0x8d, 0x13, 0x28, 0x00, 0x5a, 0x0b, 0xda,
    0x8c, 0xcc,
};

/* ---- building TLS records ---- */

/* The handshake messages of a server flight: a ServerHello (type 2, a
 * short body: its content does not matter here), then a Certificate (type
 * 11: a 3-byte list length, a 3-byte certificate length, the DER).
 * *cert_end: where the DER ends in these bytes. */
static GByteArray *server_messages(const uint8_t *der, size_t der_len, size_t *cert_end)
{
    static const uint8_t hello[] = { 0x03, 0x03, 0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0xc0, 0x2f, 0x00 };
    GByteArray *m = g_byte_array_new();
    put8(m, 2);
    put24(m, sizeof hello);
    put_bytes(m, hello, sizeof hello);
    put8(m, 11);
    put24(m, (unsigned)(3 + 3 + der_len));
    put24(m, (unsigned)(3 + der_len));
    put24(m, (unsigned)der_len);
    put_bytes(m, der, der_len);
    *cert_end = m->len;
    return m;
}

/* Handshake records (22, version 03 03) holding the messages, the first
 * record holding 'first' bytes of them (all of them when that is more),
 * the second the rest.  *cert_end: where the DER ends in the records. */
static GByteArray *flight(const uint8_t *der, size_t der_len, size_t first, size_t *cert_end)
{
    size_t msg_end;
    GByteArray *m = server_messages(der, der_len, &msg_end);
    GByteArray *r = g_byte_array_new();
    size_t n1 = MIN(first, m->len);
    put8(r, 22);
    put16(r, 0x0303);
    put16(r, (unsigned)n1);
    put_bytes(r, m->data, n1);
    *cert_end = 5 + msg_end;
    if (n1 < m->len) {
        put8(r, 22);
        put16(r, 0x0303);
        put16(r, (unsigned)(m->len - n1));
        put_bytes(r, m->data + n1, m->len - n1);
        *cert_end += 5;
    }
    g_byte_array_free(m, TRUE);
    return r;
}

/* ---- the certificate ---- */

static void test_good_leaf(void)
{
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "www.example.com", T_2025), ==, MWG_CERT_READ);
    /* Issued by another name: not self-signed, whatever the name asked. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, NULL, T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(OLD_der, sizeof OLD_der, "old.example.com", T_2020), ==, MWG_CERT_READ);
    /* A version 1 certificate (no [0] version field) is read as well. */
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, NULL, T_2025), ==, MWG_CERT_READ);
}

static void test_wildcard(void)
{
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "a.example.org", T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "A.EXAMPLE.ORG", T_2025), ==, MWG_CERT_READ);
    /* The wildcard stands for one label: not none, not two. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "example.org", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "a.b.example.org", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, ".example.org", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    /* Names compare without case. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "WWW.Example.COM", T_2025), ==, MWG_CERT_READ);
    /* Not covered: another host, a parent, a longer name, a shorter one. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "mail.example.com", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "example.com", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "www.example.com.evil", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "www.example.co", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    /* The literal name is no wildcard for the SNI: "*.example.org" asked
     * is not "a.example.org", and a wildcard SNI is not covered by it. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, "*.example.com", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
}

static void test_self_signed(void)
{
    g_assert_cmphex(mwg_x509_problems(CA_der, sizeof CA_der, NULL, T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_SELF_SIGNED);
    /* Self-signed, for another name, expired: each flag on its own. */
    g_assert_cmphex(mwg_x509_problems(CA_der, sizeof CA_der, "www.example.com", T_2030 + 1), ==,
                    MWG_CERT_READ | MWG_CERT_SELF_SIGNED | MWG_CERT_EXPIRED | MWG_CERT_OTHER_NAME);
    /* Its common name "Test CA" counts as its name (no subjectAltName). */
    g_assert_cmphex(mwg_x509_problems(CA_der, sizeof CA_der, "test ca", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_SELF_SIGNED);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, NULL, T_2025) & MWG_CERT_SELF_SIGNED, ==, 0);
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, NULL, T_2025) & MWG_CERT_SELF_SIGNED, ==, 0);
}

static void test_validity(void)
{
    const char *www = "www.example.com";
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2030 + 86400 * 365), ==,
                    MWG_CERT_READ | MWG_CERT_EXPIRED);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2019), ==,
                    MWG_CERT_READ | MWG_CERT_NOT_YET_VALID);
    /* The bounds: valid from notBefore to notAfter, both included. */
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2020), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2020 - 1), ==,
                    MWG_CERT_READ | MWG_CERT_NOT_YET_VALID);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2030), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(LEAF_der, sizeof LEAF_der, www, T_2030 + 1), ==,
                    MWG_CERT_READ | MWG_CERT_EXPIRED);
    /* The certificate that ended on 2021-01-01. */
    const char *old = "old.example.com";
    g_assert_cmphex(mwg_x509_problems(OLD_der, sizeof OLD_der, old, T_2025), ==, MWG_CERT_READ | MWG_CERT_EXPIRED);
    g_assert_cmphex(mwg_x509_problems(OLD_der, sizeof OLD_der, old, T_2021 + 1), ==,
                    MWG_CERT_READ | MWG_CERT_EXPIRED);
    g_assert_cmphex(mwg_x509_problems(OLD_der, sizeof OLD_der, old, T_2021), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(OLD_der, sizeof OLD_der, old, T_2019 - 1), ==,
                    MWG_CERT_READ | MWG_CERT_NOT_YET_VALID);
}

static void test_common_name(void)
{
    /* No subjectAltName: the subject's common name is the name. */
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "host.example.net", T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "HOST.Example.NET", T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "other.example.net", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "example.net", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "host.example.net.", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    /* The issuer's common name is not the subject's. */
    g_assert_cmphex(mwg_x509_problems(NOSAN_der, sizeof NOSAN_der, "Test CA", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
}

/* With a DNS name in the subjectAltName, the common name does not count:
 * the leaf with its subjectAltName "www.example.com" changed in place to
 * "wwx.example.com" (the signature no longer holds: it is not checked). */
/* TLS 1.3's Certificate message, as Wireshark decrypts it with the
 * gateway's keys: a request context before the list, and extensions after
 * each certificate; other handshake messages before it. */
static void test_tls13_certificate_message(void)
{
    GByteArray *m = g_byte_array_new();
    static const uint8_t encrypted_extensions[] = { 0x08, 0x00, 0x00, 0x02, 0x00, 0x00 };
    g_byte_array_append(m, encrypted_extensions, sizeof encrypted_extensions);
    size_t cert = sizeof LEAF_der, list = 3 + cert + 2, body = 1 + 3 + list;
    const uint8_t head[] = {
        11, (uint8_t)(body >> 16), (uint8_t)(body >> 8), (uint8_t)body, 0x00,
        (uint8_t)(list >> 16), (uint8_t)(list >> 8), (uint8_t)list,
        (uint8_t)(cert >> 16), (uint8_t)(cert >> 8), (uint8_t)cert,
    };
    g_byte_array_append(m, head, sizeof head);
    g_byte_array_append(m, LEAF_der, sizeof LEAF_der);
    static const uint8_t no_extensions[] = { 0x00, 0x00 };
    g_byte_array_append(m, no_extensions, sizeof no_extensions);
    g_assert_cmphex(mwg_tls_handshake_certificate_problems(m->data, m->len, true, "www.example.com", T_2025), ==,
                    MWG_CERT_READ);
    g_assert_cmphex(mwg_tls_handshake_certificate_problems(m->data, m->len, true, "other.example.com", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    /* Read as TLS 1.2's form, the context byte shifts everything: no certificate. */
    g_assert_cmphex(mwg_tls_handshake_certificate_problems(m->data, m->len, false, "www.example.com", T_2025), ==, 0);
    /* Cut anywhere before the certificate's last byte: nothing read. */
    for (size_t n = 0; n < m->len; n++) {
        uint8_t *copy = g_memdup2(m->data, n ? n : 1);
        g_assert_cmphex(mwg_tls_handshake_certificate_problems(copy, n, true, "www.example.com", T_2025), ==,
                        n < m->len - sizeof no_extensions ? 0 : MWG_CERT_READ);
        g_free(copy);
    }
    g_byte_array_free(m, TRUE);
}

/* A UTCTime whose year is no number is no date: the validity is not
 * judged, rather than read as 1999 and called expired. */
static void test_unreadable_date(void)
{
    uint8_t c[sizeof LEAF_der];
    memcpy(c, LEAF_der, sizeof c);
    static const char not_after[] = "300101000000Z";
    size_t n = sizeof not_after - 1, found = 0;
    for (size_t at = 0; at + n <= sizeof c; at++)
        if (memcmp(c + at, not_after, n) == 0) {
            c[at] = 'a';
            c[at + 1] = 'b';
            found++;
        }
    g_assert_cmpuint(found, ==, 1);
    g_assert_cmphex(mwg_x509_problems(c, sizeof c, "www.example.com", T_2025), ==, MWG_CERT_READ);
}

static void test_common_name_ignored_with_alt_names(void)
{
    uint8_t c[sizeof LEAF_der];
    memcpy(c, LEAF_der, sizeof c);
    const char *name = "www.example.com";
    size_t n = strlen(name), last = 0, seen = 0;
    for (size_t at = 0; at + n <= sizeof c; at++)
        if (memcmp(c + at, name, n) == 0) {
            last = at;
            seen++;
        }
    g_assert_cmpuint(seen, ==, 2);      /* the subject's CN, then the dNSName */
    c[last + 2] = 'x';
    g_assert_cmphex(mwg_x509_problems(c, sizeof c, "www.example.com", T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME);
    g_assert_cmphex(mwg_x509_problems(c, sizeof c, "wwx.example.com", T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(c, sizeof c, "a.example.org", T_2025), ==, MWG_CERT_READ);
}

static void test_no_sni(void)
{
    const uint8_t *ders[] = { CA_der, LEAF_der, OLD_der, NOSAN_der, FAR_der };
    const size_t lens[] = { sizeof CA_der, sizeof LEAF_der, sizeof OLD_der, sizeof NOSAN_der, sizeof FAR_der };
    const int64_t nows[] = { T_2019, T_2025, T_2055, T_2060 + 1 };
    for (size_t i = 0; i < G_N_ELEMENTS(ders); i++)
        for (size_t j = 0; j < G_N_ELEMENTS(nows); j++) {
            unsigned a = mwg_x509_problems(ders[i], lens[i], NULL, nows[j]);
            unsigned b = mwg_x509_problems(ders[i], lens[i], "", nows[j]);
            g_assert_true(a & MWG_CERT_READ);
            g_assert_cmphex(a & MWG_CERT_OTHER_NAME, ==, 0);
            g_assert_cmphex(a, ==, b);
        }
}

static void test_generalized_time(void)
{
    const char *far = "far.example.com";
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2055), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_NOT_YET_VALID);
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2051 - 1), ==,
                    MWG_CERT_READ | MWG_CERT_NOT_YET_VALID);
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2051), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2060), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_x509_problems(FAR_der, sizeof FAR_der, far, T_2060 + 1), ==,
                    MWG_CERT_READ | MWG_CERT_EXPIRED);
}

/* ---- the TLS flight ---- */

static void test_flight_one_record(void)
{
    size_t end;
    GByteArray *f = flight(LEAF_der, sizeof LEAF_der, SIZE_MAX, &end);
    g_assert_cmpuint(end, ==, f->len);
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len, "www.example.com", T_2025), ==, MWG_CERT_READ);
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len, "a.b.example.org", T_2030 + 1), ==,
                    MWG_CERT_READ | MWG_CERT_OTHER_NAME | MWG_CERT_EXPIRED);
    g_byte_array_free(f, TRUE);

    f = flight(CA_der, sizeof CA_der, SIZE_MAX, &end);
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len, NULL, T_2025), ==,
                    MWG_CERT_READ | MWG_CERT_SELF_SIGNED);
    g_byte_array_free(f, TRUE);
}

static void test_flight_split(void)
{
    size_t one_end;
    GByteArray *one = flight(LEAF_der, sizeof LEAF_der, SIZE_MAX, &one_end);
    unsigned want = mwg_tls_certificate_problems(one->data, one->len, "www.example.com", T_2025);
    g_assert_cmphex(want, ==, MWG_CERT_READ);
    /* Split everywhere: in the ServerHello, in the Certificate's header,
     * in its DER; the second record holds the rest. */
    size_t messages = one->len - 5;
    for (size_t first = 1; first < messages; first++) {
        size_t end;
        GByteArray *two = flight(LEAF_der, sizeof LEAF_der, first, &end);
        g_assert_cmpuint(two->len, ==, one->len + 5);
        g_assert_cmphex(mwg_tls_certificate_problems(two->data, two->len, "www.example.com", T_2025), ==, want);
        g_assert_cmphex(mwg_tls_certificate_problems(two->data, two->len, "example.org", T_2025), ==,
                        MWG_CERT_READ | MWG_CERT_OTHER_NAME);
        g_byte_array_free(two, TRUE);
    }
    g_byte_array_free(one, TRUE);
}

static void test_flight_cut(void)
{
    size_t end;
    GByteArray *f = flight(LEAF_der, sizeof LEAF_der, SIZE_MAX, &end);
    /* Cut inside the certificate: the record says more than there is. */
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len - 1, "www.example.com", T_2025), ==, 0);
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len - 100, "www.example.com", T_2025), ==, 0);
    g_byte_array_free(f, TRUE);

    /* Split in two records, the second missing. */
    f = flight(LEAF_der, sizeof LEAF_der, 100, &end);
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, 5 + 100, "www.example.com", T_2025), ==, 0);
    g_byte_array_free(f, TRUE);
}

static void test_flight_without_certificate(void)
{
    /* A ServerHello, a ServerHelloDone: no Certificate message. */
    GByteArray *r = g_byte_array_new();
    put8(r, 22);
    put16(r, 0x0303);
    put16(r, 4 + 6 + 4);
    put8(r, 2);
    put24(r, 6);
    put_bytes(r, "\x03\x03\x01\x02\x03\x04", 6);
    put8(r, 14);
    put24(r, 0);
    g_assert_cmphex(mwg_tls_certificate_problems(r->data, r->len, "www.example.com", T_2025), ==, 0);
    g_assert_cmphex(mwg_tls_certificate_problems(r->data, r->len, NULL, T_2025), ==, 0);
    g_byte_array_free(r, TRUE);
    g_assert_cmphex(mwg_tls_certificate_problems(NULL, 0, "www.example.com", T_2025), ==, 0);

    /* The Certificate in an application data record (23) is not read. */
    size_t end;
    GByteArray *f = flight(LEAF_der, sizeof LEAF_der, SIZE_MAX, &end);
    f->data[0] = 23;
    g_assert_cmphex(mwg_tls_certificate_problems(f->data, f->len, "www.example.com", T_2025), ==, 0);
    g_byte_array_free(f, TRUE);
}

/* ---- hostile input ---- */

/* 'n' bytes in a block of exactly that size, so that a sanitizer build
 * sees any read past them. */
static uint8_t *exact_copy(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    g_assert_nonnull(c);
    if (n)
        memcpy(c, p, n);
    return c;
}

/* A result is 0 or READ with known flags. */
static void assert_sane(unsigned r)
{
    const unsigned known = MWG_CERT_READ | MWG_CERT_SELF_SIGNED | MWG_CERT_EXPIRED | MWG_CERT_NOT_YET_VALID |
                           MWG_CERT_OTHER_NAME;
    g_assert_cmphex(r & ~known, ==, 0);
    if (r)
        g_assert_true(r & MWG_CERT_READ);
    g_assert_false((r & MWG_CERT_EXPIRED) && (r & MWG_CERT_NOT_YET_VALID));
}

static void test_truncated(void)
{
    const uint8_t *ders[] = { CA_der, LEAF_der, OLD_der, NOSAN_der, FAR_der };
    const size_t lens[] = { sizeof CA_der, sizeof LEAF_der, sizeof OLD_der, sizeof NOSAN_der, sizeof FAR_der };
    for (size_t i = 0; i < G_N_ELEMENTS(ders); i++) {
        for (size_t n = 0; n < lens[i]; n++) {
            uint8_t *c = exact_copy(ders[i], n);
            g_assert_cmphex(mwg_x509_problems(c, n, "www.example.com", T_2025), ==, 0);
            g_assert_cmphex(mwg_x509_problems(c, n, NULL, T_2025), ==, 0);
            free(c);
        }
        /* A flight of it in one record, then in two (the second starting
         * inside the DER), cut anywhere: nothing before the DER's end. */
        const size_t firsts[] = { SIZE_MAX, 40 };
        for (size_t s = 0; s < G_N_ELEMENTS(firsts); s++) {
            size_t end;
            GByteArray *f = flight(ders[i], lens[i], firsts[s], &end);
            unsigned full = mwg_tls_certificate_problems(f->data, f->len, "www.example.com", T_2025);
            g_assert_true(full & MWG_CERT_READ);
            for (size_t n = 0; n <= f->len; n++) {
                uint8_t *c = exact_copy(f->data, n);
                unsigned got = mwg_tls_certificate_problems(c, n, "www.example.com", T_2025);
                if (n < end)
                    g_assert_cmphex(got, ==, 0);
                else
                    g_assert_cmphex(got, ==, full);
                free(c);
            }
            g_byte_array_free(f, TRUE);
        }
    }
}

static void mutate(GRand *rand, uint8_t *p, size_t n)
{
    unsigned changes = (unsigned)g_rand_int_range(rand, 1, 5);
    for (unsigned k = 0; k < changes; k++) {
        size_t at = (size_t)g_rand_int_range(rand, 0, (gint32)n);
        switch (g_rand_int_range(rand, 0, 4)) {
        case 0:
            p[at] = (uint8_t)g_rand_int_range(rand, 0, 256);
            break;
        case 1:
            p[at] ^= (uint8_t)(1u << g_rand_int_range(rand, 0, 8));
            break;
        case 2:
            p[at] = 0xff;       /* a long length, a high tag */
            break;
        default:
            p[at] = 0x80 | (uint8_t)g_rand_int_range(rand, 0, 5);   /* a long-form length */
            break;
        }
    }
}

static void test_mutated(void)
{
    const char *snis[] = { NULL, "www.example.com", "a.example.org", "host.example.net" };
    GRand *rand = g_rand_new_with_seed(502);
    for (int kind = 0; kind < 6; kind++) {
        const uint8_t *src;
        size_t src_len;
        GByteArray *f = NULL;
        const uint8_t *ders[] = { CA_der, LEAF_der, OLD_der, NOSAN_der, FAR_der };
        const size_t lens[] = { sizeof CA_der, sizeof LEAF_der, sizeof OLD_der, sizeof NOSAN_der, sizeof FAR_der };
        if (kind < 5) {
            src = ders[kind];
            src_len = lens[kind];
        } else {
            size_t end;
            f = flight(LEAF_der, sizeof LEAF_der, 120, &end);
            src = f->data;
            src_len = f->len;
        }
        for (int i = 0; i < 300; i++) {
            size_t n = src_len;
            if (g_rand_boolean(rand))
                n = (size_t)g_rand_int_range(rand, 1, (gint32)src_len + 1);
            uint8_t *c = exact_copy(src, src_len);
            mutate(rand, c, src_len);
            uint8_t *d = exact_copy(c, n);
            free(c);
            const char *sni = snis[i % G_N_ELEMENTS(snis)];
            int64_t now = i % 2 ? T_2025 : T_2060 + 1;
            assert_sane(mwg_x509_problems(d, n, sni, now));
            assert_sane(mwg_tls_certificate_problems(d, n, sni, now));
            free(d);
        }
        if (f)
            g_byte_array_free(f, TRUE);
    }
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/x509/good-leaf", test_good_leaf);
    g_test_add_func("/x509/wildcard", test_wildcard);
    g_test_add_func("/x509/self-signed", test_self_signed);
    g_test_add_func("/x509/validity", test_validity);
    g_test_add_func("/x509/common-name", test_common_name);
    g_test_add_func("/x509/common-name-ignored-with-alt-names", test_common_name_ignored_with_alt_names);
    g_test_add_func("/x509/no-sni", test_no_sni);
    g_test_add_func("/x509/generalized-time", test_generalized_time);
    g_test_add_func("/x509/flight-one-record", test_flight_one_record);
    g_test_add_func("/x509/flight-split", test_flight_split);
    g_test_add_func("/x509/flight-cut", test_flight_cut);
    g_test_add_func("/x509/flight-without-certificate", test_flight_without_certificate);
    g_test_add_func("/x509/unreadable-date", test_unreadable_date);
    g_test_add_func("/x509/tls13-certificate-message", test_tls13_certificate_message);
    g_test_add_func("/x509/truncated", test_truncated);
    g_test_add_func("/x509/mutated", test_mutated);
    return g_test_run();
}
