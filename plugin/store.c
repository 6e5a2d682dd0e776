/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store.c - see store.h. */
#include "store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* A verdict, packed (one per error, a flood has 100,000: its members are
 * ordered to leave no holes): its host in host_text, addresses by their
 * index in 'addrs' (0: none), its incident frames as a run of 'frames'. */
typedef struct {
    uint32_t error_frame, request_frame, attempt_frame, evidence_frame, connect_frame;
    uint32_t attempts;
    char *host;                 /* in host_text */
    uint32_t upstream, reporter;
    uint32_t frames_at, n_frames;
    int64_t elapsed_ns;
    float response_wait_s;
    uint16_t status, upstream_port, upstream_status, unread_frames;
    uint8_t cause, category, block_page, gateway, dns_rcode, dns_servers;
    uint8_t icmp_version, icmp_type, icmp_code, loss;
    uint8_t header_limit_kb;
    uint8_t n_candidates;
    uint8_t tls_alert, cert_problems;
    bool block_page_recognised : 1, incomplete : 1, capture_cut : 1, undissected : 1, gateway_gave_up : 1;
    bool via_parent : 1, dns_answer_cut : 1, silence_unsure : 1, dns_pending : 1, dns_cached : 1;
    uint8_t doubted;
    bool tls_alert_known : 1, tls_reset : 1, tls_plain_http : 1, tls_undecrypted : 1, in_tunnel : 1;
    uint32_t candidates[MWG_MAX_NAMED_CANDIDATES];
} packed;

static GArray *verdicts;        /* packed, by error frame */
static GArray *late;            /* packed, for earlier frames than the last (responses cut off) */
static GArray *frames;          /* uint32_t: the incident frames of every verdict */
/* Host names.  A storm names one host thousands of times, a flood
 * thousands of hosts once each: the latest host of each of HOST_RECENT
 * hash buckets is shared, and no index of every host is kept (in a flood
 * it weighed more than the names). */
#define HOST_RECENT 256
static GStringChunk *host_text;
static char *host_recent[HOST_RECENT];
static GArray *addrs;           /* index -> mwg_addr */
/* The index in 'addrs' of the latest address of each of ADDR_RECENT hash
 * buckets: as for hosts, a flood's addresses are mostly new and a storm's
 * the same few. */
#define ADDR_RECENT 256
static uint32_t addr_recent[ADDR_RECENT];
static GArray *incidents;       /* mwg_frame_link, by frame: built when the first pass is over */
static GArray *explains;        /* mwg_frame_link, by evidence frame */

/* Notes of the frames that have any, in frame order: 8 bytes a frame. */
typedef struct {
    uint32_t frame;
    uint16_t unread, dropped;
} frame_note;
static GArray *notes;

/* first_of()'s hints, one per array it searches */
static guint verdicts_hint, incidents_hint, explains_hint, notes_hint;

static guint addr_hash(const mwg_addr *a)
{
    guint h = a->family;
    for (int i = 0; i < (a->family == 4 ? 4 : 16); i++)
        h = h * 31 + a->bytes[i];
    return h;
}

void mwg_store_init(void)
{
    verdicts = g_array_new(FALSE, FALSE, (guint)sizeof(packed));
    late = g_array_new(FALSE, FALSE, (guint)sizeof(packed));
    frames = g_array_new(FALSE, FALSE, (guint)sizeof(uint32_t));
    host_text = g_string_chunk_new(64 * 1024);
    memset(host_recent, 0, sizeof host_recent);
    addrs = g_array_new(FALSE, TRUE, (guint)sizeof(mwg_addr));
    g_array_set_size(addrs, 1);
    memset(addr_recent, 0, sizeof addr_recent);
    notes = g_array_new(FALSE, FALSE, (guint)sizeof(frame_note));
}

void mwg_store_cleanup(void)
{
    GArray **arrays[] = { &verdicts, &late, &frames, &addrs, &incidents, &explains, &notes };
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++) {
        if (*arrays[i])
            g_array_free(*arrays[i], TRUE);
        *arrays[i] = NULL;
    }
    if (host_text)
        g_string_chunk_free(host_text);
    host_text = NULL;
}

static char *keep_host(const char *host)
{
    if (!host)
        return NULL;
    char **recent = &host_recent[g_str_hash(host) % HOST_RECENT];
    if (!*recent || strcmp(*recent, host) != 0)
        *recent = g_string_chunk_insert(host_text, host);
    return *recent;
}

static uint32_t keep_addr(const mwg_addr *a)
{
    if (!a->family)
        return 0;
    uint32_t *recent = &addr_recent[addr_hash(a) % ADDR_RECENT];
    if (!*recent || !mwg_addr_equal(&g_array_index(addrs, mwg_addr, *recent), a)) {
        g_array_append_val(addrs, *a);
        *recent = addrs->len - 1;
    }
    return *recent;
}

void mwg_store_add(mwg_verdict *v)
{
    packed p = {
        .error_frame = v->error_frame, .request_frame = v->request_frame,
        .attempt_frame = v->attempt_frame, .evidence_frame = v->evidence_frame, .connect_frame = v->connect_frame,
        .host = keep_host(v->host), .upstream = keep_addr(&v->upstream), .reporter = keep_addr(&v->icmp.reporter),
        .attempts = v->attempts, .frames_at = frames->len, .n_frames = v->n_frames,
        .elapsed_ns = v->elapsed_ns, .response_wait_s = (float)v->response_wait_s,
        .status = (uint16_t)v->status, .upstream_port = v->upstream_port,
        .upstream_status = (uint16_t)v->upstream_status,
        .unread_frames = (uint16_t)MIN(v->unread_frames, G_MAXUINT16),
        .cause = (uint8_t)v->cause, .category = (uint8_t)v->category, .block_page = (uint8_t)v->block_page,
        .gateway = (uint8_t)v->gateway, .dns_rcode = (uint8_t)v->dns_rcode, .dns_servers = (uint8_t)v->dns_servers,
        .icmp_version = (uint8_t)v->icmp.version, .icmp_type = (uint8_t)v->icmp.type,
        .icmp_code = (uint8_t)v->icmp.code, .loss = (uint8_t)v->loss,
        .header_limit_kb = (uint8_t)MIN(v->header_limit / 1024, G_MAXUINT8),
        .n_candidates = (uint8_t)MIN(v->n_candidates, G_MAXUINT8),
        .block_page_recognised = v->block_page_recognised, .incomplete = v->incomplete,
        .capture_cut = v->capture_cut, .undissected = v->undissected, .gateway_gave_up = v->gateway_gave_up, .via_parent = v->via_parent,
        .dns_answer_cut = v->dns_answer_cut, .silence_unsure = v->silence_unsure, .dns_pending = v->dns_pending,
        .dns_cached = v->dns_cached,
        .doubted = (uint8_t)v->doubted,
        .tls_alert = v->tls_alert, .cert_problems = (uint8_t)v->cert_problems,
        .tls_alert_known = v->tls_alert_known, .tls_reset = v->tls_reset,
        .tls_plain_http = v->tls_plain_http, .tls_undecrypted = v->tls_undecrypted, .in_tunnel = v->in_tunnel,
    };
    for (unsigned i = 0; i < MIN(v->n_candidates, MWG_MAX_NAMED_CANDIDATES); i++)
        p.candidates[i] = keep_addr(&v->candidates[i]);
    g_array_append_vals(frames, v->frames, v->n_frames);
    GArray *to = verdicts;
    if (verdicts->len && g_array_index(verdicts, packed, verdicts->len - 1).error_frame > p.error_frame)
        to = late;
    g_array_append_val(to, p);
    mwg_verdict_free(v);
}

static uint32_t frame_at(const GArray *a, guint size, guint i)
{
    uint32_t at;
    memcpy(&at, a->data + (gsize)i * size, sizeof at);
    return at;
}

/* The first element of 'a' whose frame is not below 'frame', or a->len.
 * Every array kept here is sorted by a frame number that is its elements'
 * first member (packed, mwg_frame_link, frame_note). */
G_STATIC_ASSERT(offsetof(packed, error_frame) == 0 && offsetof(mwg_frame_link, frame) == 0 &&
                offsetof(frame_note, frame) == 0);

/* 'hint': the answer of the last call on 'a'.  Every frame is looked up
 * on every pass, in order, so the answer is mostly that one or the next:
 * checked first, before a binary search. */
static guint first_of(const GArray *a, uint32_t frame, guint *hint)
{
    guint len = a ? a->len : 0;
    guint size = a ? g_array_get_element_size((GArray *)a) : 0;
    guint h = MIN(*hint, len);
    for (guint tries = 0; tries < 2 && h <= len; tries++, h++)
        if ((h == 0 || frame_at(a, size, h - 1) < frame) && (h == len || frame_at(a, size, h) >= frame))
            return *hint = h;
    guint lo = 0, hi = len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (frame_at(a, size, mid) < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return *hint = lo;
}

unsigned mwg_store_count(uint32_t frame)
{
    unsigned n = 0;
    for (guint i = first_of(verdicts, frame, &verdicts_hint); verdicts && i < verdicts->len; i++, n++)
        if (g_array_index(verdicts, packed, i).error_frame != frame)
            break;
    return n;
}

void mwg_store_get(uint32_t frame, unsigned i, mwg_verdict *v)
{
    const packed *p = &g_array_index(verdicts, packed, first_of(verdicts, frame, &verdicts_hint) + i);
    memset(v, 0, sizeof *v);
    v->error_frame = p->error_frame;
    v->request_frame = p->request_frame;
    v->attempt_frame = p->attempt_frame;
    v->evidence_frame = p->evidence_frame;
    v->connect_frame = p->connect_frame;
    v->host = p->host;
    v->upstream = g_array_index(addrs, mwg_addr, p->upstream);
    v->icmp.reporter = g_array_index(addrs, mwg_addr, p->reporter);
    v->attempts = p->attempts;
    v->elapsed_ns = p->elapsed_ns;
    v->response_wait_s = p->response_wait_s;
    v->status = p->status;
    v->upstream_port = p->upstream_port;
    v->upstream_status = p->upstream_status;
    v->unread_frames = p->unread_frames;
    v->cause = p->cause;
    v->category = p->category;
    v->block_page = p->block_page;
    v->gateway = p->gateway;
    v->dns_rcode = p->dns_rcode;
    v->dns_servers = p->dns_servers;
    v->icmp.version = p->icmp_version;
    v->icmp.type = p->icmp_type;
    v->icmp.code = p->icmp_code;
    v->loss = p->loss;
    v->header_limit = (size_t)p->header_limit_kb * 1024;
    v->n_candidates = p->n_candidates;
    for (unsigned k = 0; k < MIN(v->n_candidates, MWG_MAX_NAMED_CANDIDATES); k++)
        v->candidates[k] = g_array_index(addrs, mwg_addr, p->candidates[k]);
    v->block_page_recognised = p->block_page_recognised;
    v->incomplete = p->incomplete;
    v->capture_cut = p->capture_cut;
    v->dns_answer_cut = p->dns_answer_cut;
    v->silence_unsure = p->silence_unsure;
    v->dns_pending = p->dns_pending;
    v->dns_cached = p->dns_cached;
    v->doubted = (mwg_cause)p->doubted;
    v->undissected = p->undissected;
    v->gateway_gave_up = p->gateway_gave_up;
    v->via_parent = p->via_parent;
    v->tls_alert = p->tls_alert;
    v->cert_problems = p->cert_problems;
    v->tls_alert_known = p->tls_alert_known;
    v->tls_reset = p->tls_reset;
    v->tls_plain_http = p->tls_plain_http;
    v->tls_undecrypted = p->tls_undecrypted;
    v->in_tunnel = p->in_tunnel;
}

static int by_error_frame(const void *a, const void *b)
{
    uint32_t x = ((const packed *)a)->error_frame, y = ((const packed *)b)->error_frame;
    return x < y ? -1 : x > y;
}

static int by_frame(const void *a, const void *b)
{
    const mwg_frame_link *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return x->error_frame < y->error_frame ? -1 : x->error_frame > y->error_frame;
}

/* Sorted, one link per frame and error. */
static void sort_links(GArray *links)
{
    g_array_sort(links, by_frame);
    guint n = 0;
    for (guint i = 0; i < links->len; i++) {
        const mwg_frame_link *l = &g_array_index(links, mwg_frame_link, i);
        if (n && memcmp(l, &g_array_index(links, mwg_frame_link, n - 1), sizeof *l) == 0)
            continue;
        g_array_index(links, mwg_frame_link, n++) = *l;
    }
    g_array_set_size(links, n);
}

void mwg_store_first_pass_done(void)
{
    if (!verdicts)
        return;
    g_array_append_vals(verdicts, late->data, late->len);
    g_array_set_size(late, 0);
    g_array_sort(verdicts, by_error_frame);
    if (incidents)
        g_array_free(incidents, TRUE);
    if (explains)
        g_array_free(explains, TRUE);
    incidents = g_array_new(FALSE, FALSE, (guint)sizeof(mwg_frame_link));
    explains = g_array_new(FALSE, FALSE, (guint)sizeof(mwg_frame_link));
    for (guint i = 0; i < verdicts->len; i++) {
        const packed *p = &g_array_index(verdicts, packed, i);
        for (uint32_t k = 0; k < p->n_frames; k++) {
            mwg_frame_link l = { g_array_index(frames, uint32_t, p->frames_at + k), p->error_frame };
            g_array_append_val(incidents, l);
        }
        if (p->evidence_frame) {
            mwg_frame_link l = { p->evidence_frame, p->error_frame };
            g_array_append_val(explains, l);
        }
    }
    sort_links(incidents);
    sort_links(explains);
    /* The incident frames were kept for this only. */
    g_array_set_size(frames, 0);
}

static const mwg_frame_link *links_of(const GArray *links, uint32_t frame, guint *hint, unsigned *n)
{
    guint lo = first_of(links, frame, hint);
    *n = 0;
    while (links && lo + *n < links->len && g_array_index(links, mwg_frame_link, lo + *n).frame == frame)
        (*n)++;
    return *n ? &g_array_index(links, mwg_frame_link, lo) : NULL;
}

const mwg_frame_link *mwg_store_incidents(uint32_t frame, unsigned *n)
{
    return links_of(incidents, frame, &incidents_hint, n);
}

const mwg_frame_link *mwg_store_explains(uint32_t frame, unsigned *n)
{
    return links_of(explains, frame, &explains_hint, n);
}

void mwg_store_note(uint32_t frame, mwg_frame_notes n)
{
    if (!notes || (!n.unread && !n.dropped))
        return;
    frame_note fn = { frame, (uint16_t)n.unread, (uint16_t)n.dropped };
    g_array_append_val(notes, fn);
}

mwg_frame_notes mwg_store_notes(uint32_t frame)
{
    guint at = first_of(notes, frame, &notes_hint);
    if (notes && at < notes->len && g_array_index(notes, frame_note, at).frame == frame) {
        const frame_note *fn = &g_array_index(notes, frame_note, at);
        return (mwg_frame_notes){ fn->unread, fn->dropped };
    }
    return (mwg_frame_notes){ 0, 0 };
}
