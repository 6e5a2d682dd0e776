/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls_record.c - see tls_record.h. */
#include "tls_record.h"

#include <glib.h>
#include <string.h>

#include "http_message.h"
#include "wire.h"

enum {
    REC_CHANGE_CIPHER_SPEC = 20,
    REC_ALERT = 21,
    REC_HANDSHAKE = 22,
    REC_APPLICATION_DATA = 23,
    REC_HEARTBEAT = 24,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    EXT_SERVER_NAME = 0,
    RECORD_HEADER = 5,
    /* The largest record: 2^14 bytes of data plus expansion (RFC 8446 5.2). */
    MAX_RECORD = 16384 + 2048,
    /* A TLS 1.3 alert encrypted: 2 bytes, its type byte, a 16-byte tag; a
     * Finished is 32 bytes or more before the same overhead. */
    MAX_ENCRYPTED_ALERT = 24,
};

bool mwg_tls_is_record(const uint8_t *p, size_t len, bool handshake)
{
    if (len == 0)
        return false;
    bool type_ok = handshake ? p[0] == REC_HANDSHAKE : p[0] >= REC_CHANGE_CIPHER_SPEC && p[0] <= REC_HEARTBEAT;
    if (!type_ok || (len >= 2 && p[1] != 3) || (len >= 3 && p[2] > 4))
        return false;
    return len < RECORD_HEADER || mwg_get16(p + 3) <= MAX_RECORD;
}

/* The server name of a ClientHello body ('n' bytes as far as captured). */
static void read_sni(const uint8_t *p, size_t n, char sni[MWG_MAX_HOST_LEN + 1])
{
    size_t at = 2 + 32;                         /* version, random */
    if (at + 1 > n)
        return;
    at += 1 + p[at];                            /* session id */
    if (at + 2 > n)
        return;
    at += 2 + mwg_get16(p + at);                     /* cipher suites */
    if (at + 1 > n)
        return;
    at += 1 + p[at];                            /* compression methods */
    if (at + 2 > n)
        return;
    size_t end = MIN(n, at + 2 + mwg_get16(p + at));
    at += 2;
    while (at + 4 <= end) {
        unsigned type = mwg_get16(p + at), len = mwg_get16(p + at + 2);
        at += 4;
        if (type == EXT_SERVER_NAME && at + 5 <= end && p[at + 2] == 0) {
            size_t name_len = mwg_get16(p + at + 3);
            if (at + 5 + name_len <= end)
                mwg_host_normalise((const char *)p + at + 5, name_len, sni);
            return;
        }
        at += len;
    }
}

static void read_record(const uint8_t *p, size_t avail, size_t len, mwg_tls_seen *out)
{
    const uint8_t *body = p + RECORD_HEADER;
    size_t have = MIN(avail - RECORD_HEADER, len);
    switch (p[0]) {
    case REC_CHANGE_CIPHER_SPEC:
        out->change_cipher_spec = true;
        break;
    case REC_ALERT:
        out->alert = true;
        if (len == 2 && have == 2) {
            out->alert_clear = true;
            out->alert_level = body[0];
            out->alert_desc = body[1];
        }
        break;
    case REC_HANDSHAKE:
        if (have >= 4 && body[0] == HS_CLIENT_HELLO) {
            out->client_hello = true;
            if (have >= 4 + 2 + 32) {
                out->has_random = true;
                memcpy(out->random, body + 4 + 2, 32);
            }
            read_sni(body + 4, MIN(have - 4, mwg_get24(body + 1)), out->sni);
        } else if (have >= 1 && body[0] == HS_SERVER_HELLO) {
            out->server_hello = true;
        }
        break;
    case REC_APPLICATION_DATA:
        if (len > MAX_ENCRYPTED_ALERT)
            out->encrypted_long = true;
        else
            out->encrypted_short = true;
        break;
    default:
        break;
    }
}

void mwg_tls_read_segment(mwg_tls_reader *r, uint32_t seq, const uint8_t *p, size_t len, mwg_tls_seen *out)
{
    memset(out, 0, sizeof *out);
    if (r->lost || len == 0)
        return;
    if (!r->started) {
        r->started = true;
        r->next = seq;
    }
    int32_t skip = (int32_t)(r->next - seq);
    if (skip < 0) {
        r->lost = true;         /* bytes before this segment are missing */
        return;
    }
    size_t at = (size_t)skip;
    while (at < len) {
        if (len - at < RECORD_HEADER) {
            /* A header split across segments: rare in a handshake, and
             * what follows it no longer matters. */
            if (!mwg_tls_is_record(p + at, len - at, false))
                out->not_tls = true;
            r->lost = true;
            return;
        }
        if (!mwg_tls_is_record(p + at, len - at, false)) {
            out->not_tls = true;
            r->lost = true;
            return;
        }
        size_t rec_len = mwg_get16(p + at + 3);
        read_record(p + at, len - at, rec_len, out);
        at += RECORD_HEADER + rec_len;
    }
    r->next = seq + (uint32_t)at;
}

bool mwg_tls_is_handshake_messages(const uint8_t *p, size_t len)
{
    size_t at = 0;
    while (at + 4 <= len) {
        /* Post-handshake messages: new_session_ticket, key_update,
         * certificate_request (RFC 8446 4.6). */
        if (p[at] != 4 && p[at] != 24 && p[at] != 13)
            return false;
        at += 4 + mwg_get24(p + at + 1);
    }
    return len > 0 && at == len;
}

const char *mwg_tls_alert_name(uint8_t desc)
{
    switch (desc) {
    case 0: return "close_notify";
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 22: return "record_overflow";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 49: return "access_denied";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 71: return "insufficient_security";
    case 80: return "internal_error";
    case 86: return "inappropriate_fallback";
    case 90: return "user_canceled";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response";
    case 115: return "unknown_psk_identity";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return NULL;
    }
}
