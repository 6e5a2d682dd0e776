/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_tls_record.c - unit tests of the TLS record reader (tls_record.c) on
 * GLib's test framework.  The TLS bytes are built by hand here: a record
 * header (type, version, length), a handshake header (type, 3-byte length)
 * and a ClientHello body, so that each test says which byte it is about. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "byte_array.h"
#include "tls_record.h"

/* ---- building records ---- */

/* Overwrites the 2-byte length at 'at' with the bytes that follow it. */
static void patch16(GByteArray *b, size_t at)
{
    size_t n = b->len - at - 2;
    b->data[at] = (uint8_t)(n >> 8);
    b->data[at + 1] = (uint8_t)n;
}

static void patch24(GByteArray *b, size_t at)
{
    size_t n = b->len - at - 3;
    b->data[at] = (uint8_t)(n >> 16);
    b->data[at + 1] = (uint8_t)(n >> 8);
    b->data[at + 2] = (uint8_t)n;
}

/* A record of 'type' (version 03 03) holding 'n' bytes of 'body'. */
static GByteArray *record(unsigned type, const void *body, size_t n)
{
    GByteArray *b = g_byte_array_new();
    put8(b, type);
    put16(b, 0x0303);
    put16(b, (unsigned)n);
    put_bytes(b, body, n);
    return b;
}

/* The random every ClientHello here carries: 0x00, 0x01, ... 0x1f. */
static void test_random(uint8_t random[32])
{
    for (unsigned i = 0; i < 32; i++)
        random[i] = (uint8_t)i;
}

/* A complete ClientHello record (record version 03 01, as clients send),
 * with an ALPN extension first and then server_name 'sni' (none if NULL).
 * '*sni_ext_at' (if given) is the offset of the server_name extension. */
static GByteArray *client_hello(const char *sni, size_t *sni_ext_at)
{
    uint8_t random[32];
    test_random(random);
    GByteArray *b = g_byte_array_new();
    put8(b, 22);                        /* handshake */
    put16(b, 0x0301);
    put16(b, 0);                        /* record length, patched below */
    put8(b, 1);                         /* client_hello */
    put24(b, 0);                        /* handshake length, patched below */
    put16(b, 0x0303);                   /* legacy_version */
    put_bytes(b, random, 32);
    put8(b, 32);                        /* session id */
    for (unsigned i = 0; i < 32; i++)
        put8(b, 0xa0);
    put16(b, 4);                        /* cipher suites */
    put16(b, 0x1301);
    put16(b, 0xc02f);
    put8(b, 1);                         /* compression methods: null */
    put8(b, 0);
    size_t ext_len_at = b->len;
    put16(b, 0);                        /* extensions length, patched below */
    put16(b, 16);                       /* ALPN: "h2" */
    put16(b, 5);
    put16(b, 3);
    put8(b, 2);
    put_bytes(b, "h2", 2);
    if (sni_ext_at)
        *sni_ext_at = b->len;
    if (sni) {
        size_t n = strlen(sni);
        put16(b, 0);                    /* server_name */
        put16(b, (unsigned)(n + 5));
        put16(b, (unsigned)(n + 3));    /* server_name_list */
        put8(b, 0);                     /* host_name */
        put16(b, (unsigned)n);
        put_bytes(b, sni, n);
    }
    patch16(b, ext_len_at);
    patch24(b, 6);
    patch16(b, 3);
    return b;
}

/* Reads one segment with a fresh reader. */
static void read_fresh(const uint8_t *p, size_t len, mwg_tls_seen *out)
{
    mwg_tls_reader r = {0};
    mwg_tls_read_segment(&r, 1000, p, len, out);
}

/* ---- 1-3: handshake messages ---- */

/* The server name comes out normalised as everywhere else in the plugin
 * (lower case, no trailing dot), and the random is the client's. */
static void test_client_hello_sni(void)
{
    GByteArray *b = client_hello("Example.COM.", NULL);
    mwg_tls_seen s;
    read_fresh(b->data, b->len, &s);
    g_assert_true(s.client_hello);
    g_assert_false(s.server_hello);
    g_assert_false(s.not_tls);
    g_assert_cmpstr(s.sni, ==, "example.com");
    g_assert_true(s.has_random);
    uint8_t random[32];
    test_random(random);
    g_assert_cmpmem(s.random, 32, random, 32);
    g_byte_array_unref(b);
}

/* A ClientHello longer than the first segment: the server name past the
 * captured bytes is not guessed, but the message is still seen. */
static void test_client_hello_sni_not_captured(void)
{
    size_t sni_at;
    GByteArray *b = client_hello("example.com", &sni_at);
    mwg_tls_seen s;
    /* Cut inside the server_name extension header, then right before it. */
    read_fresh(b->data, sni_at + 2, &s);
    g_assert_true(s.client_hello);
    g_assert_true(s.has_random);
    g_assert_cmpstr(s.sni, ==, "");
    read_fresh(b->data, sni_at, &s);
    g_assert_true(s.client_hello);
    g_assert_cmpstr(s.sni, ==, "");
    /* And with the name itself one byte short. */
    read_fresh(b->data, b->len - 1, &s);
    g_assert_true(s.client_hello);
    g_assert_cmpstr(s.sni, ==, "");
    g_byte_array_unref(b);
}

static void test_server_hello(void)
{
    uint8_t body[4 + 38] = {2, 0, 0, 38, 0x03, 0x03};
    GByteArray *b = record(22, body, sizeof body);
    mwg_tls_seen s;
    read_fresh(b->data, b->len, &s);
    g_assert_true(s.server_hello);
    g_assert_false(s.client_hello);
    g_assert_false(s.has_random);       /* only the ClientHello's is kept */
    g_assert_false(s.not_tls);
    g_byte_array_unref(b);
}

/* ---- 4-5: alerts and encrypted records ---- */

static void test_alert_clear(void)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    mwg_tls_seen s;
    read_fresh(alert, sizeof alert, &s);
    g_assert_true(s.alert);
    g_assert_true(s.alert_clear);
    g_assert_cmpuint(s.alert_level, ==, 2);
    g_assert_cmpuint(s.alert_desc, ==, 40);
    g_assert_false(s.not_tls);
    g_assert_cmpstr(mwg_tls_alert_name(40), ==, "handshake_failure");
    g_assert_cmpstr(mwg_tls_alert_name(0), ==, "close_notify");
    g_assert_null(mwg_tls_alert_name(255));
}

/* An alert after ChangeCipherSpec (TLS 1.2) is encrypted: 26 bytes, its
 * description unknown. */
static void test_alert_encrypted(void)
{
    uint8_t body[26];
    memset(body, 0x5a, sizeof body);
    GByteArray *b = record(21, body, sizeof body);
    mwg_tls_seen s;
    read_fresh(b->data, b->len, &s);
    g_assert_true(s.alert);
    g_assert_false(s.alert_clear);
    g_assert_cmpuint(s.alert_level, ==, 0);
    g_assert_cmpuint(s.alert_desc, ==, 0);
    g_byte_array_unref(b);
}

/* 19 bytes is a TLS 1.3 alert (2 + type byte + 16-byte tag); 53 is a
 * Finished or data. */
static void test_application_data_sizes(void)
{
    uint8_t body[53];
    memset(body, 0x77, sizeof body);
    mwg_tls_seen s;

    GByteArray *b = record(23, body, 19);
    read_fresh(b->data, b->len, &s);
    g_assert_true(s.encrypted_short);
    g_assert_false(s.encrypted_long);
    g_assert_false(s.alert);
    g_byte_array_unref(b);

    b = record(23, body, 53);
    read_fresh(b->data, b->len, &s);
    g_assert_true(s.encrypted_long);
    g_assert_false(s.encrypted_short);
    g_byte_array_unref(b);
}

/* ---- 6: no TLS at all ---- */

/* A gateway that answers TLS with plain HTTP: not TLS, and nothing after it
 * is read as records. */
static void test_http_is_not_tls(void)
{
    static const char http[] = "HTTP/1.1 400 Bad Request\r\n";
    mwg_tls_reader r = {0};
    mwg_tls_seen s;
    mwg_tls_read_segment(&r, 5000, (const uint8_t *)http, strlen(http), &s);
    g_assert_true(s.not_tls);
    g_assert_true(r.lost);
    g_assert_false(mwg_tls_is_record((const uint8_t *)http, strlen(http), false));

    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    mwg_tls_read_segment(&r, 5000 + (uint32_t)strlen(http), alert, sizeof alert, &s);
    g_assert_false(s.alert);
    g_assert_false(s.not_tls);
}

/* ---- 7-8: following records by sequence number ---- */

/* A ServerHello record of 'n' body bytes, then an alert record, split
 * after 'cut' bytes into two segments starting at 'seq'. */
static void check_split(uint32_t seq, size_t n, size_t cut)
{
    uint8_t *body = g_malloc0(n);
    body[0] = 2;                        /* server_hello */
    body[3] = (uint8_t)(n - 4);
    body[2] = (uint8_t)((n - 4) >> 8);
    GByteArray *b = record(22, body, n);
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    put_bytes(b, alert, sizeof alert);
    g_assert_cmpuint(cut, <, 5 + n);    /* the first record's body continues */

    mwg_tls_reader r = {0};
    mwg_tls_seen s;
    mwg_tls_read_segment(&r, seq, b->data, cut, &s);
    g_assert_true(s.server_hello);
    g_assert_false(s.alert);
    g_assert_false(r.lost);
    g_assert_cmpuint(r.next, ==, (uint32_t)(seq + 5 + n));

    /* The alert header is 5 + n - cut bytes into the next segment. */
    mwg_tls_read_segment(&r, seq + (uint32_t)cut, b->data + cut, b->len - cut, &s);
    g_assert_false(s.server_hello);
    g_assert_true(s.alert);
    g_assert_true(s.alert_clear);
    g_assert_cmpuint(s.alert_desc, ==, 40);
    g_assert_false(s.not_tls);
    g_assert_false(r.lost);
    g_assert_cmpuint(r.next, ==, (uint32_t)(seq + b->len));
    g_byte_array_unref(b);
    g_free(body);
}

static void test_record_continues_into_next_segment(void)
{
    check_split(100000, 300, 100);
}

/* The same with the sequence number wrapping to 0 in the first record. */
static void test_sequence_wraparound(void)
{
    check_split(0xFFFFFFF0u, 300, 100);
    /* ... and wrapping between the two segments. */
    check_split(0xFFFFFFFFu - 99, 300, 100);
}

/* A retransmission of bytes already read yields nothing and keeps the
 * reader; one that overlaps the next header is read from that header on. */
static void test_retransmission(void)
{
    GByteArray *ch = client_hello("example.com", NULL);
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    mwg_tls_reader r = {0};
    mwg_tls_seen s;
    mwg_tls_read_segment(&r, 1, ch->data, ch->len, &s);
    g_assert_true(s.client_hello);
    uint32_t next = r.next;
    g_assert_cmpuint(next, ==, 1 + ch->len);

    /* The same segment again: fully before r->next. */
    mwg_tls_read_segment(&r, 1, ch->data, ch->len, &s);
    g_assert_false(s.client_hello);
    g_assert_false(s.not_tls);
    g_assert_false(r.lost);
    g_assert_cmpuint(r.next, ==, next);

    /* Its last 10 bytes resent together with the alert that follows:
     * skipped into, the alert read. */
    GByteArray *b = g_byte_array_new();
    put_bytes(b, ch->data + ch->len - 10, 10);
    put_bytes(b, alert, sizeof alert);
    mwg_tls_read_segment(&r, next - 10, b->data, b->len, &s);
    g_assert_false(s.client_hello);
    g_assert_true(s.alert);
    g_assert_true(s.alert_clear);
    g_assert_false(r.lost);
    g_assert_cmpuint(r.next, ==, next + sizeof alert);
    g_byte_array_unref(b);
    g_byte_array_unref(ch);
}

/* A segment starting after the next header (bytes not captured): the
 * reader cannot know where records start and stops for good. */
static void test_gap_loses_reader(void)
{
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    mwg_tls_reader r = {0};
    mwg_tls_seen s;
    mwg_tls_read_segment(&r, 50, alert, sizeof alert, &s);
    g_assert_true(s.alert);
    g_assert_cmpuint(r.next, ==, 57);

    mwg_tls_read_segment(&r, 60, alert, sizeof alert, &s);
    g_assert_false(s.alert);
    g_assert_false(s.not_tls);
    g_assert_true(r.lost);

    /* Even the segment that was expected is no longer read. */
    mwg_tls_read_segment(&r, 57, alert, sizeof alert, &s);
    g_assert_false(s.alert);
}

/* A record header split across segments also stops the reader. */
static void test_split_header_loses_reader(void)
{
    static const uint8_t two[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28, 0x15, 0x03};
    mwg_tls_reader r = {0};
    mwg_tls_seen s;
    mwg_tls_read_segment(&r, 0, two, sizeof two, &s);
    g_assert_true(s.alert);
    g_assert_false(s.not_tls);          /* "15 03" may begin a record */
    g_assert_true(r.lost);
}

/* ---- 9: decrypted handshake messages ---- */

static void test_is_handshake_messages(void)
{
    /* A NewSessionTicket whose 3-byte length covers exactly the rest. */
    GByteArray *b = g_byte_array_new();
    put8(b, 4);
    put24(b, 9);
    put_bytes(b, "123456789", 9);
    g_assert_true(mwg_tls_is_handshake_messages(b->data, b->len));

    /* Two back to back (copied first: appending may move b->data). */
    uint8_t one[13];
    memcpy(one, b->data, sizeof one);
    put_bytes(b, one, sizeof one);
    g_assert_true(mwg_tls_is_handshake_messages(b->data, b->len));

    /* One byte short of the second message's length: overruns. */
    g_assert_false(mwg_tls_is_handshake_messages(b->data, b->len - 1));
    /* ... or a byte more than the messages. */
    put8(b, 0);
    g_assert_false(mwg_tls_is_handshake_messages(b->data, b->len));
    g_byte_array_unref(b);

    static const uint8_t overrun[] = {4, 0, 0, 200, 1, 2, 3};
    g_assert_false(mwg_tls_is_handshake_messages(overrun, sizeof overrun));

    static const char http[] = "HTTP/1.1 200";
    g_assert_false(mwg_tls_is_handshake_messages((const uint8_t *)http, strlen(http)));
    g_assert_false(mwg_tls_is_handshake_messages(NULL, 0));
}

/* ---- 10: hostile input ---- */

/* Every prefix read from an allocation of exactly that size, so that the
 * ASan build catches any read past it.  Nothing to check but survival. */
static void read_prefixes(const uint8_t *p, size_t n)
{
    for (size_t len = 0; len <= n; len++) {
        uint8_t *copy = g_memdup2(p, len);
        mwg_tls_seen s;
        read_fresh(copy, len, &s);
        g_assert_cmpuint(strlen(s.sni), <=, MWG_MAX_HOST_LEN);
        (void)mwg_tls_is_record(copy, len, true);
        (void)mwg_tls_is_record(copy, len, false);
        (void)mwg_tls_is_handshake_messages(copy, len);
        g_free(copy);
    }
}

static void test_hostile_prefixes(void)
{
    GByteArray *b = client_hello("example.com", NULL);
    read_prefixes(b->data, b->len);

    GRand *rand = g_rand_new_with_seed(502);
    uint8_t noise[600];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t)g_rand_int_range(rand, 0, 256);
    read_prefixes(noise, sizeof noise);

    /* Random bytes behind a valid ClientHello start, so that they reach
     * the extension walk; and the ClientHello with bytes corrupted. */
    for (int round = 0; round < 200; round++) {
        GByteArray *m = g_byte_array_new();
        put_bytes(m, b->data, b->len);
        for (guint i = 9; i < m->len; i++)
            if (round < 100 ? i >= 9 + 34 : g_rand_int_range(rand, 0, 8) == 0)
                m->data[i] = (uint8_t)g_rand_int_range(rand, 0, 256);
        read_prefixes(m->data, m->len);
        g_byte_array_unref(m);
    }
    g_rand_free(rand);
    g_byte_array_unref(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tls/client-hello-sni", test_client_hello_sni);
    g_test_add_func("/tls/client-hello-sni-not-captured", test_client_hello_sni_not_captured);
    g_test_add_func("/tls/server-hello", test_server_hello);
    g_test_add_func("/tls/alert-clear", test_alert_clear);
    g_test_add_func("/tls/alert-encrypted", test_alert_encrypted);
    g_test_add_func("/tls/application-data-sizes", test_application_data_sizes);
    g_test_add_func("/tls/http-is-not-tls", test_http_is_not_tls);
    g_test_add_func("/tls/record-continues-into-next-segment", test_record_continues_into_next_segment);
    g_test_add_func("/tls/sequence-wraparound", test_sequence_wraparound);
    g_test_add_func("/tls/retransmission", test_retransmission);
    g_test_add_func("/tls/gap-loses-reader", test_gap_loses_reader);
    g_test_add_func("/tls/split-header-loses-reader", test_split_header_loses_reader);
    g_test_add_func("/tls/is-handshake-messages", test_is_handshake_messages);
    g_test_add_func("/tls/hostile-prefixes", test_hostile_prefixes);
    return g_test_run();
}
