/* SPDX-License-Identifier: GPL-2.0-or-later */
/* records.c - how the engine's records name each other and the frames:
 * byte keys for the hash tables, lists of frame numbers, and references to
 * connections that outlive them (checked by serial, as a connection may be
 * evicted and its 4-tuple reused).
 */
#include "engine.h"

#include <string.h>

/* ------------------------------------------------------------------ keys */

static void ep_bytes(const mwg_endpoint *e, uint8_t b[EP_BYTES])
{
    b[0] = e->addr.family;
    if (e->addr.family == 4) {
        memcpy(b + 1, e->addr.bytes, 4);
        memset(b + 5, 0, 12);
    } else {
        memcpy(b + 1, e->addr.bytes, 16);
    }
    b[17] = (uint8_t)(e->port >> 8);
    b[18] = (uint8_t)e->port;
}

void ep_key_make(const mwg_endpoint *e, ep_key *k)
{
    ep_bytes(e, k->b);
}

void addr_key_make(const mwg_addr *a, ep_key *k)
{
    mwg_endpoint ep = { .addr = *a, .port = 0 };
    ep_key_make(&ep, k);
}

void flow_key_make(const mwg_flow *fl, flow_key *k)
{
    ep_bytes(&fl->src, k->b);
    ep_bytes(&fl->dst, k->b + EP_BYTES);
    if (memcmp(k->b, k->b + EP_BYTES, EP_BYTES) > 0) {
        uint8_t t[EP_BYTES];
        memcpy(t, k->b, EP_BYTES);
        memcpy(k->b, k->b + EP_BYTES, EP_BYTES);
        memcpy(k->b + EP_BYTES, t, EP_BYTES);
    }
}

/* Keys and names are a few dozen bytes hashed on every frame: eight at a
 * time (GLib's string hash takes one), the last eight overlapping the
 * words before when the length is no multiple of eight. */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
    return h ^ h >> 32;
}

static guint bytes_hash(const uint8_t *p, size_t n)
{
    uint64_t h = n, w = 0;
    if (n < 8) {
        memcpy(&w, p, n);
        h = mix(h, w);
    } else {
        const uint8_t *last = p + n - 8;
        for (; p < last; p += 8) {
            memcpy(&w, p, 8);
            h = mix(h, w);
        }
        memcpy(&w, last, 8);
        h = mix(h, w);
    }
    /* A word's high bytes reach only the product's high bits: the index,
     * which takes the low ones, would not see them (the flows of a storm
     * differ in the port, at the end of the key) without a final mix
     * (MurmurHash3's). */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (guint)h;
}

guint flow_key_hash(gconstpointer k) { return bytes_hash(((const flow_key *)k)->b, sizeof(flow_key)); }
gboolean flow_key_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(flow_key)) == 0; }
guint ep_key_hash(gconstpointer k) { return bytes_hash(((const ep_key *)k)->b, sizeof(ep_key)); }
gboolean ep_key_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(ep_key)) == 0; }
guint name_hash(gconstpointer name) { return bytes_hash(name, strlen(name)); }

/* ----------------------------------------------------------- frame lists */

static bool frame_list_grow(frame_list *l, uint32_t frame, unsigned cap, bool with_seq)
{
    if ((l->n && l->v[l->n - 1] == frame) || l->n >= cap)
        return false;
    if (l->n == l->room) {
        l->room = l->room ? 2 * l->room : 4;
        if (l->room > cap)
            l->room = cap;
        l->v = g_renew(uint32_t, l->v, l->room);
        if (with_seq)
            l->seq = g_renew(uint32_t, l->seq, l->room);
    }
    return true;
}

void frame_list_add(frame_list *l, uint32_t frame, unsigned cap)
{
    if (frame_list_grow(l, frame, cap, false))
        l->v[l->n++] = frame;
}

void frame_list_add_segment(frame_list *l, uint32_t frame, uint32_t seq, unsigned cap)
{
    if (!frame_list_grow(l, frame, cap, true))
        return;
    l->v[l->n] = frame;
    l->seq[l->n++] = seq;
}

uint32_t frame_list_frame_at(const frame_list *l, uint32_t seq)
{
    uint32_t at = 0;
    for (unsigned i = 0; l->seq && i < l->n; i++)
        if ((int32_t)(seq - l->seq[i]) >= 0)
            at = l->v[i];
    return at;
}

void frame_list_clear(frame_list *l)
{
    g_free(l->v);
    g_free(l->seq);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------- references to conns */

/* Drops the references whose connection is gone, before the list grows.
 * Until it reaches MWG_MAX_REFS the list only grows, oldest first. */
static void ref_list_compact(const mwg_correlator *c, ref_list *r)
{
    unsigned kept = 0;
    r->unordered = false;
    for (unsigned i = 0; i < r->n; i++)
        if (ref_resolve(c, &r->refs[i])) {
            if (kept && r->refs[i].started < r->refs[kept - 1].started)
                r->unordered = true;
            r->refs[kept++] = r->refs[i];
        }
    r->n = kept;
    r->next = kept % r->room;
}

unsigned ref_list_lower_bound(const ref_list *r, uint32_t frame)
{
    unsigned lo = 0, hi = r->unordered ? 0 : r->n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (ref_list_at(r, mid)->started < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A reference holds the connection's first SYN as it was when pushed: that
 * frame, or 0 for one not seen to start. */
static bool ref_list_has(const ref_list *r, const conn *cn)
{
    if (r->unordered) {
        for (unsigned i = 0; i < r->n; i++)
            if (r->refs[i].serial == cn->serial)
                return true;
        return false;
    }
    unsigned zeros = cn->first_syn_frame ? ref_list_lower_bound(r, 1) : 0;
    for (unsigned i = 0; i < zeros; i++)
        if (ref_list_at(r, i)->serial == cn->serial)
            return true;
    for (unsigned i = ref_list_lower_bound(r, cn->first_syn_frame);
         i < r->n && ref_list_at(r, i)->started == cn->first_syn_frame; i++)
        if (ref_list_at(r, i)->serial == cn->serial)
            return true;
    return false;
}

void ref_list_push(mwg_correlator *c, ref_list *r, const conn *cn, bool absent)
{
    if (!absent && ref_list_has(r, cn))
        return;
    if (r->n == r->room && r->room < MWG_MAX_REFS) {
        if (r->room)
            ref_list_compact(c, r);
        if (r->n == r->room) {
            unsigned room = r->room ? MIN(2 * r->room, MWG_MAX_REFS) : 2;
            r->refs = mwg_pool_resize(&c->pool, r->refs, r->room * sizeof *r->refs, room * sizeof *r->refs);
            /* The ring's order: the oldest at 'next' when full. */
            r->next = r->n;
            r->room = room;
        }
    }
    conn_ref ref = conn_ref_of(cn);
    if (r->n && ref.started < ref_list_at(r, r->n - 1)->started)
        r->unordered = true;
    r->refs[r->next] = ref;
    r->next = (r->next + 1) % r->room;
    if (r->n < r->room)
        r->n++;
}

void ref_list_clear(mwg_correlator *c, ref_list *r)
{
    mwg_pool_free(&c->pool, r->refs, r->room * sizeof *r->refs);
    memset(r, 0, sizeof *r);
}

/* A fixed array of frames (see frame_list for a growing one). */
void frames_add_fixed(uint32_t *v, unsigned *n, unsigned cap, uint32_t frame)
{
    for (unsigned i = 0; i < *n; i++)
        if (v[i] == frame)
            return;
    if (*n < cap)
        v[(*n)++] = frame;
    else
        v[cap - 1] = frame;     /* keep the first ones and the latest */
}
