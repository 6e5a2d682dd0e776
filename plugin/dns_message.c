/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns_message.c - see dns_message.h. */
#include "dns_message.h"

#include <string.h>

#include "wire.h"

#define DNS_HEADER_LEN 12
#define DNS_TYPE_A 1
#define DNS_TYPE_AAAA 28
#define MAX_NAME_TEXT MWG_MAX_HOST_LEN
/* A compression pointer may point anywhere; this many jumps are more than
 * any honest name needs, and stop a loop of pointers. */
#define MAX_POINTER_JUMPS 32

/* Where the name starting at 'off' ends in the message (after its last
 * label or its pointer), or 0 when it runs off the end. */
static size_t skip_name(const uint8_t *m, size_t len, size_t off)
{
    while (off < len) {
        unsigned l = m[off];
        if (l == 0)
            return off + 1;
        if ((l & 0xc0) == 0xc0)
            return off + 2 <= len ? off + 2 : 0;
        if (l & 0xc0)
            return 0;           /* extended label types: not in use */
        off += 1 + l;
    }
    return 0;
}

/* The dotted form of the name at 'off', following compression pointers, as
 * Wireshark shows it; bytes that cannot be in a host name become '?', so
 * that such a name matches no request.  False when it is malformed. */
static bool read_name(const uint8_t *m, size_t len, size_t off, char *out, size_t *out_len)
{
    size_t n = 0;
    int jumps = 0;
    while (off < len) {
        unsigned l = m[off];
        if (l == 0) {
            *out_len = n;
            return true;
        }
        if ((l & 0xc0) == 0xc0) {
            if (off + 2 > len || ++jumps > MAX_POINTER_JUMPS)
                return false;
            off = (size_t)(l & 0x3f) << 8 | m[off + 1];
            continue;
        }
        if (l & 0xc0 || off + 1 + l > len)
            return false;
        if (n + (n > 0) + l > MAX_NAME_TEXT)
            return false;
        if (n > 0)
            out[n++] = '.';
        for (unsigned i = 0; i < l; i++) {
            uint8_t c = m[off + 1 + i];
            out[n++] = c > 0x20 && c < 0x7f && c != '.' ? (char)c : '?';
        }
        off += 1 + l;
    }
    return false;
}

bool mwg_decode_dns(const uint8_t *m, size_t len, mwg_facts *f)
{
    if (len < DNS_HEADER_LEN || mwg_get16(m + 4) == 0)
        return false;
    char name[MAX_NAME_TEXT + 1];
    size_t name_len;
    if (!read_name(m, len, DNS_HEADER_LEN, name, &name_len))
        return false;
    size_t off = skip_name(m, len, DNS_HEADER_LEN);
    f->has_dns = true;
    f->dns_id = (uint16_t)mwg_get16(m);
    f->dns_is_response = (m[2] & 0x80) != 0;
    f->dns_rcode = m[3] & 0x0f;
    memcpy(f->dns_qname, name, name_len);
    f->dns_qname[name_len] = '\0';
    f->dns_qtype = off && off + 2 <= len ? (uint16_t)mwg_get16(m + off) : 0;
    if (!f->dns_is_response)
        return true;

    if (off)
        off += 4;   /* type and class of the first question */
    unsigned questions = mwg_get16(m + 4);
    for (unsigned q = 1; q < questions && off; q++) {
        off = skip_name(m, len, off);
        if (off)
            off += 4;
    }
    unsigned answers = mwg_get16(m + 6);
    for (unsigned a = 0; a < answers && f->n_dns_addrs < MWG_MAX_DNS_ADDRS; a++) {
        off = off ? skip_name(m, len, off) : 0;
        if (!off || off + 10 > len) {
            f->dns_answers_cut = true;
            break;
        }
        unsigned type = mwg_get16(m + off), rdlen = mwg_get16(m + off + 8);
        size_t rdata = off + 10;
        if (rdata + rdlen > len) {
            f->dns_answers_cut = true;
            break;
        }
        size_t want = type == DNS_TYPE_A ? 4 : type == DNS_TYPE_AAAA ? 16 : 0;
        if (want && rdlen == want) {
            mwg_addr *addr = &f->dns_addrs[f->n_dns_addrs++];
            memset(addr, 0, sizeof *addr);
            addr->family = want == 4 ? 4 : 6;
            memcpy(addr->bytes, m + rdata, want);
        }
        off = rdata + rdlen;
    }
    return true;
}
