/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.c - the verdict record and its tokens. */
#include "verdict.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "constants.h"

static const char *const category_tokens[MWG_CAT_COUNT] = {
    [MWG_CAT_HOST_NOT_RESOLVABLE] = "host_not_resolvable",
    [MWG_CAT_CANNOT_CONNECT] = "cannot_connect",
    [MWG_CAT_BAD_RESPONSE] = "bad_response",
    [MWG_CAT_UPSTREAM_ERROR] = "upstream_error",
    [MWG_CAT_UNKNOWN] = "unknown",
};

static const struct {
    const char *token;
    mwg_category category;
} causes[MWG_CAUSE_COUNT] = {
    [MWG_CAUSE_DNS_NXDOMAIN] = { "dns_nxdomain", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_SERVFAIL] = { "dns_servfail", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_REFUSED] = { "dns_refused", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_ERROR] = { "dns_error", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_NODATA] = { "dns_nodata", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_NO_RESPONSE] = { "dns_no_response", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_DNS_SERVER_UNREACHABLE] = { "dns_server_unreachable", MWG_CAT_HOST_NOT_RESOLVABLE },
    [MWG_CAUSE_TCP_SYN_TIMEOUT] = { "tcp_syn_timeout", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_TCP_RST] = { "tcp_rst", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_ICMP_UNREACHABLE] = { "icmp_unreachable", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_HTTP_INVALID_RESPONSE] = { "http_invalid_response", MWG_CAT_BAD_RESPONSE },
    [MWG_CAUSE_HTTP_RESPONSE_TIMEOUT] = { "http_response_timeout", MWG_CAT_BAD_RESPONSE },
    [MWG_CAUSE_UPSTREAM_CLOSED] = { "upstream_closed", MWG_CAT_BAD_RESPONSE },
    [MWG_CAUSE_UPSTREAM_STATUS] = { "upstream_status", MWG_CAT_UPSTREAM_ERROR },
    [MWG_CAUSE_NO_UPSTREAM_EVIDENCE] = { "no_upstream_evidence", MWG_CAT_UNKNOWN },
    [MWG_CAUSE_TLS_ALERT] = { "tls_alert", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_TLS_CLOSED] = { "tls_closed", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT] = { "tls_handshake_timeout", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_TLS_NOT_TLS] = { "tls_not_tls", MWG_CAT_CANNOT_CONNECT },
    [MWG_CAUSE_TLS_HANDSHAKE_REJECTED] = { "tls_handshake_rejected", MWG_CAT_CANNOT_CONNECT },
};

const char *mwg_gateway_name(mwg_gateway gw)
{
    static const char *const names[MWG_GW_COUNT] = {
        [MWG_GW_UNKNOWN] = "", [MWG_GW_MWG] = "McAfee/Skyhigh Web Gateway", [MWG_GW_SQUID] = "Squid",
        [MWG_GW_NGINX] = "nginx", [MWG_GW_APACHE] = "Apache httpd",
    };
    return (unsigned)gw < MWG_GW_COUNT ? names[gw] : "";
}

const char *mwg_category_token(mwg_category cat)
{
    return (unsigned)cat < MWG_CAT_COUNT ? category_tokens[cat] : "unknown";
}

const char *mwg_cause_token(mwg_cause cause)
{
    return (unsigned)cause < MWG_CAUSE_COUNT ? causes[cause].token : "no_upstream_evidence";
}

mwg_category mwg_cause_category(mwg_cause cause)
{
    return (unsigned)cause < MWG_CAUSE_COUNT ? causes[cause].category : MWG_CAT_UNKNOWN;
}

mwg_verdict *mwg_verdict_new(void)
{
    mwg_verdict *v = g_new0(mwg_verdict, 1);
    v->block_page = MWG_CAT_UNKNOWN;
    return v;
}

void mwg_verdict_free(mwg_verdict *v)
{
    if (!v)
        return;
    g_free(v->host);
    g_free(v->summary);
    g_free(v->frames);
    g_free(v);
}

void mwg_verdict_set_cause(mwg_verdict *v, mwg_cause cause)
{
    v->cause = cause;
    v->category = mwg_cause_category(cause);
}

void mwg_verdict_add_frame(mwg_verdict *v, uint32_t frame)
{
    if (!frame || v->n_frames >= MWG_MAX_INCIDENT_FRAMES)
        return;
    if (v->n_frames == v->frames_room) {
        v->frames_room = v->frames_room ? 2 * v->frames_room : 16;
        v->frames = g_renew(uint32_t, v->frames, v->frames_room);
    }
    v->frames[v->n_frames++] = frame;
}

void mwg_verdict_add_frames(mwg_verdict *v, const uint32_t *frames, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        mwg_verdict_add_frame(v, frames[i]);
}

static int compare_frames(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* An incident's frames come in a few ascending runs (the request, the
 * attempts, the answer) of a dozen frames or so: sorted in place by
 * insertion, which qsort's set-up alone costs more than. */
#define INSERTION_SORT_MAX 64

static void sort_frames(uint32_t *v, unsigned n)
{
    if (n > INSERTION_SORT_MAX) {
        qsort(v, n, sizeof v[0], compare_frames);
        return;
    }
    for (unsigned i = 1; i < n; i++) {
        uint32_t x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

void mwg_verdict_finish(mwg_verdict *v)
{
    if (v->n_frames > 1) {
        sort_frames(v->frames, v->n_frames);
        unsigned n = 1;
        for (unsigned i = 1; i < v->n_frames; i++)
            if (v->frames[i] != v->frames[n - 1])
                v->frames[n++] = v->frames[i];
        v->n_frames = n;
    }
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE)
        v->category = v->block_page_recognised ? v->block_page : MWG_CAT_UNKNOWN;
}
