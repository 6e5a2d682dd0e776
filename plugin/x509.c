/* SPDX-License-Identifier: GPL-2.0-or-later */
/* x509.c - see x509.h. */
#include "x509.h"

#include <glib.h>
#include <string.h>

#include "wire.h"

/* A DER element: its tag, and its contents. */
typedef struct {
    uint8_t tag;
    const uint8_t *p;
    size_t len;
} der;

/* Reads the element at *at in [p, end); false when it does not fit. */
static bool der_next(const uint8_t *p, size_t end, size_t *at, der *out)
{
    if (*at + 2 > end)
        return false;
    out->tag = p[*at];
    size_t n = p[*at + 1], i = *at + 2;
    if (n & 0x80) {
        unsigned bytes = n & 0x7f;
        if (bytes == 0 || bytes > 3 || i + bytes > end)
            return false;
        n = 0;
        for (unsigned k = 0; k < bytes; k++)
            n = n << 8 | p[i++];
    }
    if (n > end - i)
        return false;
    out->p = p + i;
    out->len = n;
    *at = i + n;
    return true;
}

static bool der_inside(const der *outer, size_t *at, der *out)
{
    return der_next(outer->p, outer->len, at, out);
}

static int digits(const uint8_t *p, unsigned n)
{
    int v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!g_ascii_isdigit(p[i]))
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ), as seconds
 * since 1970; false when it is neither. */
static bool der_time(const der *t, int64_t *out)
{
    const uint8_t *p = t->p;
    int year;
    if (t->tag == 0x17 && t->len >= 13) {
        year = digits(p, 2);
        if (year >= 0)
            year += year < 50 ? 2000 : 1900;
        p += 2;
    } else if (t->tag == 0x18 && t->len >= 15) {
        year = digits(p, 4);
        p += 4;
    } else {
        return false;
    }
    int mon = digits(p, 2), day = digits(p + 2, 2), h = digits(p + 4, 2), m = digits(p + 6, 2), s = digits(p + 8, 2);
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 60)
        return false;
    GDateTime *dt = g_date_time_new_utc(year, mon, day, h, m, s);
    if (!dt)
        return false;
    *out = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return true;
}

/* Whether a certificate name (a DNS name, perhaps "*.example.com") covers
 * the host, as browsers compare: case apart, a wildcard for one label. */
static bool name_covers(const uint8_t *name, size_t len, const char *host)
{
    size_t hlen = strlen(host);
    if (len >= 2 && name[0] == '*' && name[1] == '.') {
        const char *dot = strchr(host, '.');
        if (!dot || dot == host)
            return false;
        host = dot;
        hlen = strlen(dot);
        name++;
        len--;
    }
    return len == hlen && g_ascii_strncasecmp((const char *)name, host, len) == 0;
}

static const uint8_t OID_SUBJECT_ALT_NAME[] = { 0x55, 0x1d, 0x11 };
static const uint8_t OID_COMMON_NAME[] = { 0x55, 0x04, 0x03 };

/* The dNSName entries of a subjectAltName extension value: any covers the
 * host?  *seen: it had one. */
static bool alt_names_cover(const der *value, const char *host, bool *seen)
{
    size_t at = 0;
    der names;
    if (!der_inside(value, &at, &names) || names.tag != 0x30)
        return false;
    size_t k = 0;
    der name;
    while (der_inside(&names, &k, &name)) {
        if (name.tag != 0x82)   /* [2] dNSName */
            continue;
        *seen = true;
        if (name_covers(name.p, name.len, host))
            return true;
    }
    return false;
}

/* The subject's common names: any covers the host? */
static bool common_name_covers(const der *subject, const char *host, bool *seen)
{
    size_t at = 0;
    der rdn;
    while (der_inside(subject, &at, &rdn)) {
        size_t k = 0;
        der atv;
        while (der_inside(&rdn, &k, &atv)) {
            size_t j = 0;
            der oid, value;
            if (der_inside(&atv, &j, &oid) && der_inside(&atv, &j, &value) && oid.tag == 0x06 &&
                oid.len == sizeof OID_COMMON_NAME && memcmp(oid.p, OID_COMMON_NAME, oid.len) == 0) {
                *seen = true;
                if (name_covers(value.p, value.len, host))
                    return true;
            }
        }
    }
    return false;
}

/* The extensions ([3]) of a certificate: does its subjectAltName cover the
 * host?  *seen: it has dNSNames. */
static bool extensions_cover(const der *explicit3, const char *host, bool *seen)
{
    size_t at = 0;
    der exts;
    if (!der_inside(explicit3, &at, &exts) || exts.tag != 0x30)
        return false;
    size_t k = 0;
    der ext;
    while (der_inside(&exts, &k, &ext)) {
        size_t j = 0;
        der oid, part;
        if (!der_inside(&ext, &j, &oid) || oid.tag != 0x06 || oid.len != sizeof OID_SUBJECT_ALT_NAME ||
            memcmp(oid.p, OID_SUBJECT_ALT_NAME, oid.len) != 0)
            continue;
        while (der_inside(&ext, &j, &part))
            if (part.tag == 0x04)       /* the value, after an optional critical flag */
                return alt_names_cover(&part, host, seen);
    }
    return false;
}

unsigned mwg_x509_problems(const uint8_t *p, size_t len, const char *sni, int64_t now)
{
    size_t at = 0;
    der cert, tbs;
    if (!der_next(p, len, &at, &cert) || cert.tag != 0x30)
        return 0;
    at = 0;
    if (!der_inside(&cert, &at, &tbs) || tbs.tag != 0x30)
        return 0;
    /* version [0] (optional), serial, signature, issuer, validity, subject,
     * subjectPublicKeyInfo, then [1] [2] [3] */
    der field[6];
    size_t k = 0;
    unsigned n = 0;
    der e;
    while (n < 6 && der_inside(&tbs, &k, &e)) {
        if (n == 0 && e.tag == 0xa0)
            continue;
        field[n++] = e;
    }
    if (n < 6)
        return 0;
    const der *issuer = &field[2], *validity = &field[3], *subject = &field[4];
    unsigned problems = MWG_CERT_READ;
    if (issuer->len == subject->len && memcmp(issuer->p, subject->p, issuer->len) == 0)
        problems |= MWG_CERT_SELF_SIGNED;
    size_t v = 0;
    der nb, na;
    int64_t not_before, not_after;
    if (der_inside(validity, &v, &nb) && der_inside(validity, &v, &na) && der_time(&nb, &not_before) &&
        der_time(&na, &not_after)) {
        if (now > not_after)
            problems |= MWG_CERT_EXPIRED;
        else if (now < not_before)
            problems |= MWG_CERT_NOT_YET_VALID;
    }
    if (sni && *sni) {
        bool has_alt = false, has_cn = false, covered = false;
        while (!covered && der_inside(&tbs, &k, &e))
            if (e.tag == 0xa3)
                covered = extensions_cover(&e, sni, &has_alt);
        /* Without a DNS name in the subjectAltName, the common name counts. */
        if (!covered && !has_alt)
            covered = common_name_covers(subject, sni, &has_cn);
        if (!covered && (has_alt || has_cn))
            problems |= MWG_CERT_OTHER_NAME;
    }
    return problems;
}

unsigned mwg_tls_handshake_certificate_problems(const uint8_t *msgs, size_t len, bool tls13, const char *sni,
                                                int64_t now)
{
    for (size_t at = 0; at + 4 <= len;) {
        size_t msg_len = mwg_get24(msgs + at + 1);
        if (msgs[at] == 11) {       /* Certificate */
            const uint8_t *m = msgs + at + 4;
            size_t avail = MIN(msg_len, len - at - 4), skip = 0;
            /* TLS 1.3 puts a request context before the list. */
            if (tls13) {
                if (avail < 1)
                    return 0;
                skip = 1 + (size_t)m[0];
            }
            /* the list's 3-byte length, then each certificate's */
            if (avail < skip + 6)
                return 0;
            size_t cert_len = mwg_get24(m + skip + 3);
            return cert_len <= avail - skip - 6 ? mwg_x509_problems(m + skip + 6, cert_len, sni, now) : 0;
        }
        at += 4 + msg_len;
    }
    return 0;
}

unsigned mwg_tls_certificate_problems(const uint8_t *records, size_t len, const char *sni, int64_t now)
{
    /* The handshake messages, out of the handshake records they span. */
    GByteArray *hs = g_byte_array_new();
    for (size_t at = 0; at + 5 <= len;) {
        size_t rec_len = mwg_get16(records + at + 3);
        if (records[at] != 22 || records[at + 1] != 3)
            break;
        size_t have = MIN(rec_len, len - at - 5);
        g_byte_array_append(hs, records + at + 5, (guint)have);
        at += 5 + rec_len;
    }
    unsigned problems = mwg_tls_handshake_certificate_problems(hs->data, hs->len, false, sni, now);
    g_byte_array_free(hs, TRUE);
    return problems;
}
