/* many_attempts.c - reproducer: a client request, then 144 SYNs from the
 * gateway to 144 unowned addresses on the requested port, then the 502.
 *
 * explain() gathers up to MAX_REFS * (MWG_MAX_DNS_ADDRS + 1) + MAX_REFS = 144
 * candidate connections (here all from unowned_attempts()), but
 * judge_connect() copies the relevant ones into
 * relevant[MAX_REFS * (MWG_MAX_DNS_ADDRS + 1)] = 136 entries: a stack buffer
 * overflow of 8 pointers.  Build with -fsanitize=address and run:
 *
 *   cc -fsanitize=address,undefined -g -Iplugin tests/fuzz/repro/many_attempts.c \
 *      plugin/correlate.c plugin/lru.c plugin/verdict.c plugin/blockpage.c \
 *      $(pkg-config --cflags --libs glib-2.0) -o /tmp/many_attempts && /tmp/many_attempts
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"

static mwg_endpoint ep(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint16_t port)
{
    mwg_endpoint e;
    memset(&e, 0, sizeof e);
    e.addr.family = 4;
    e.addr.bytes[0] = a;
    e.addr.bytes[1] = b;
    e.addr.bytes[2] = c;
    e.addr.bytes[3] = d;
    e.port = port;
    return e;
}

int main(int argc, char **argv)
{
    unsigned n_syn = argc > 1 ? (unsigned)atoi(argv[1]) : 144;
    mwg_config cfg;
    mwg_config_defaults(&cfg);
    mwg_correlator *c = mwg_correlator_new(&cfg);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    uint32_t frame = 0;
    int64_t ts = 1700000000LL * 1000000000LL;
    mwg_facts f;

    mwg_endpoint client = ep(10, 1, 0, 10, 50000), proxy = ep(10, 0, 0, 1, 9090);
    memset(&f, 0, sizeof f);
    f.frame = ++frame;
    f.ts_ns = ts;
    f.is_tcp = true;
    f.flow.src = client;
    f.flow.dst = proxy;
    f.n_requests = 1;
    f.requests[0].method = "GET";
    f.requests[0].uri = "http://cached.example.com/";
    f.requests[0].host_header = "cached.example.com";
    mwg_correlator_feed(c, &f, out);

    for (unsigned i = 0; i < n_syn; i++) {
        memset(&f, 0, sizeof f);
        f.frame = ++frame;
        f.ts_ns = ts + (int64_t)i * 1000000;
        f.is_tcp = true;
        f.has_tcp_flags = true;
        f.tcp_flags = MWG_TCP_SYN;
        f.flow.src = ep(192, 168, 1, 10, (uint16_t)(20000 + i));
        f.flow.dst = ep(172, 20, (uint8_t)(i >> 8), (uint8_t)i, 80);
        mwg_correlator_feed(c, &f, out);
    }

    memset(&f, 0, sizeof f);
    f.frame = ++frame;
    f.ts_ns = ts + 2000000000LL;
    f.is_tcp = true;
    f.flow.src = proxy;
    f.flow.dst = client;
    f.n_responses = 1;
    f.responses[0].status = 502;
    mwg_correlator_feed(c, &f, out);
    for (unsigned i = 0; i < out->len; i++) {
        mwg_verdict *v = g_ptr_array_index(out, i);
        printf("frame %u: %s, %u attempts, evidence %u\n", v->error_frame, mwg_cause_token(v->cause),
               v->attempts, v->evidence_frame);
    }
    g_ptr_array_free(out, TRUE);
    mwg_correlator_free(c);
    return 0;
}
