/* correlate.c - facts of frames -> verdicts for gateway error responses.
 *
 * The gateway's work for one client request goes DNS -> TCP connect ->
 * forwarded request -> reply.  We remember each stage as it is seen, keyed
 * the way the later stage finds it: DNS transactions by name, connection
 * attempts by destination endpoint, forwarded requests by Host.  When the
 * gateway answers a client with an error status, the request it answers
 * gives the host and the time span; the last stage the gateway reached
 * inside that span decides the cause.
 *
 * "Inside the span" is judged by frame number, which only grows, and not by
 * time stamps, which a bad capture may send backwards.  Time only bounds how
 * long state is kept (the windows of mwg_config).
 */
#include "correlate.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <string.h>

#include "blockpage.h"
#include "lru.h"

#define NS_PER_S 1000000000LL
#define MAX_HOST_LEN 255
#define MAX_PENDING_REQUESTS 16  /* unanswered requests per client connection */
#define MAX_FORWARDS 4           /* forwarded requests remembered per connection */
#define MAX_CONN_FRAMES 16
#define MAX_TXNS 4               /* DNS transactions remembered per name: A, AAAA, retries */
#define MAX_TXN_FRAMES 8
#define MAX_REFS 8               /* attempts remembered per endpoint or name */
#define RECENT_ATTEMPTS 1024     /* latest connection attempts, for hosts of unknown address */
/* Connections considered for one verdict: those of every address of the
 * name, and those that carried a request for it. */
#define MAX_CANDIDATES (MAX_REFS * (MWG_MAX_DNS_ADDRS + 1) + MAX_REFS)

/* ---------------------------------------------------------------- config */

void mwg_config_defaults(mwg_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    mwg_config_set_proxy_port(cfg, 9090, true);
    mwg_config_set_error_status(cfg, 502, true);
    cfg->dns_window_s = 600;
    cfg->connect_window_s = 180;
    cfg->response_timeout_s = 120;
    cfg->max_conns = 65536;
    cfg->max_names = 65536;
}

static void set_bit(uint8_t *bits, unsigned i, bool on)
{
    if (on)
        bits[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        bits[i / 8] &= (uint8_t)~(1u << (i % 8));
}

void mwg_config_set_proxy_port(mwg_config *cfg, unsigned port, bool on)
{
    if (port < 65536)
        set_bit(cfg->proxy_ports, port, on);
}

void mwg_config_set_error_status(mwg_config *cfg, unsigned status, bool on)
{
    if (status < 1000)
        set_bit(cfg->error_statuses, status, on);
}

bool mwg_config_is_proxy_port(const mwg_config *cfg, unsigned port)
{
    return port < 65536 && (cfg->proxy_ports[port / 8] >> (port % 8) & 1);
}

bool mwg_config_is_error_status(const mwg_config *cfg, unsigned status)
{
    return status < 1000 && (cfg->error_statuses[status / 8] >> (status % 8) & 1);
}

/* ------------------------------------------------------- small utilities */

/* Adds a frame to a bounded, de-duplicated list of an incident's frames. */
static void frames_add(uint32_t *v, unsigned *n, unsigned cap, uint32_t frame)
{
    for (unsigned i = 0; i < *n; i++)
        if (v[i] == frame)
            return;
    if (*n < cap)
        v[(*n)++] = frame;
    else
        v[cap - 1] = frame;     /* keep the first ones and the latest */
}

static bool addr_equal(const mwg_addr *a, const mwg_addr *b)
{
    if (a->family != b->family)
        return false;
    return memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16) == 0;
}

static bool endpoint_equal(const mwg_endpoint *a, const mwg_endpoint *b)
{
    return a->port == b->port && addr_equal(&a->addr, &b->addr);
}

/* Endpoints serialised without padding, so keys hash and compare as bytes. */
#define EP_BYTES 19
typedef struct {
    uint8_t b[2 * EP_BYTES];
} flow_key;
typedef struct {
    uint8_t b[EP_BYTES];
} ep_key;

static void ep_serialise(const mwg_endpoint *e, uint8_t *out)
{
    memset(out, 0, EP_BYTES);
    out[0] = e->addr.family;
    memcpy(out + 1, e->addr.bytes, e->addr.family == 4 ? 4 : 16);
    out[17] = (uint8_t)(e->port >> 8);
    out[18] = (uint8_t)e->port;
}

/* Same key for both directions of a flow. */
static void flow_key_make(const mwg_endpoint *x, const mwg_endpoint *y, flow_key *k)
{
    uint8_t a[EP_BYTES], b[EP_BYTES];
    ep_serialise(x, a);
    ep_serialise(y, b);
    bool swap = memcmp(a, b, EP_BYTES) > 0;
    memcpy(k->b, swap ? b : a, EP_BYTES);
    memcpy(k->b + EP_BYTES, swap ? a : b, EP_BYTES);
}

/* Keys are a few dozen bytes hashed on every frame: eight at a time. */
static guint bytes_hash(const uint8_t *p, size_t n)
{
    uint64_t h = n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * UINT64_C(0x9e3779b97f4a7c15);
        h ^= h >> 32;
    }
    for (; n > 0; p++, n--)
        h = (h ^ *p) * UINT64_C(0x100000001b3);
    return (guint)(h ^ h >> 29);
}

static guint flow_key_hash(gconstpointer k) { return bytes_hash(((const flow_key *)k)->b, sizeof(flow_key)); }
static gboolean flow_key_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(flow_key)) == 0; }
static guint ep_key_hash(gconstpointer k) { return bytes_hash(((const ep_key *)k)->b, sizeof(ep_key)); }
static gboolean ep_key_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(ep_key)) == 0; }

/* Lower-cased, without trailing dot, bounded: the form names are compared in.
 * Returns false for an empty or absurd name. */
static bool normalise_name(const char *in, size_t len, char out[MAX_HOST_LEN + 1])
{
    while (len > 0 && in[len - 1] == '.')
        len--;
    if (len == 0 || len > MAX_HOST_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (ch <= ' ' || ch == '/' || ch == '\\' || ch >= 0x7f)
            return false;
        out[i] = (char)g_ascii_tolower(ch);
    }
    out[len] = '\0';
    return true;
}

static bool parse_literal_addr(const char *host, mwg_addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, host, a->bytes) == 1) {
        a->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, host, a->bytes) == 1) {
        a->family = 6;
        return true;
    }
    return false;
}

/* Splits "host[:port]" or "[v6]:port"; returns false on garbage. */
static bool split_authority(const char *s, size_t len, char host[MAX_HOST_LEN + 1],
                            uint16_t *port, uint16_t default_port)
{
    const char *end = s + len;
    const char *at = memchr(s, '@', len);
    if (at)
        s = at + 1;
    const char *host_start = s, *host_end = end, *port_str = NULL;
    if (s < end && *s == '[') {
        const char *close = memchr(s, ']', (size_t)(end - s));
        if (!close)
            return false;
        host_start = s + 1;
        host_end = close;
        if (close + 1 < end && close[1] == ':')
            port_str = close + 2;
    } else {
        const char *colon = memchr(s, ':', (size_t)(end - s));
        if (colon) {
            host_end = colon;
            port_str = colon + 1;
        }
    }
    *port = default_port;
    if (port_str) {
        unsigned long p = 0;
        for (const char *q = port_str; q < end && g_ascii_isdigit(*q) && p < 65536; q++)
            p = p * 10 + (unsigned long)(*q - '0');
        if (p > 0 && p < 65536)
            *port = (uint16_t)p;
    }
    return normalise_name(host_start, (size_t)(host_end - host_start), host);
}

/* The host and port a client request asks for: CONNECT authority, absolute
 * URI, else the Host header. */
static bool request_target(const mwg_http_request *r, char host[MAX_HOST_LEN + 1], uint16_t *port)
{
    const char *uri = r->uri ? r->uri : "";
    if (r->method && g_ascii_strcasecmp(r->method, "CONNECT") == 0)
        return split_authority(uri, strnlen(uri, 1024), host, port, 443);
    const char *sep = strstr(uri, "://");
    if (sep && sep - uri < 16) {
        uint16_t def = 80;
        if (sep - uri == 5 && g_ascii_strncasecmp(uri, "https", 5) == 0)
            def = 443;
        else if (sep - uri == 3 && g_ascii_strncasecmp(uri, "ftp", 3) == 0)
            def = 21;
        const char *auth = sep + 3;
        size_t n = strcspn(auth, "/?#");
        return split_authority(auth, n, host, port, def);
    }
    if (r->host_header)
        return split_authority(r->host_header, strnlen(r->host_header, 1024), host, port, 80);
    return false;
}

/* ----------------------------------------------------------------- state */

typedef enum { REPLY_NONE, REPLY_VALID, REPLY_INVALID, REPLY_CLOSED } reply_kind;

typedef struct {
    uint32_t frame;
    int64_t ts;
    reply_kind reply;
    bool reply_started;         /* a segment beginning "HTTP/" was seen */
    uint32_t reply_frame;
    unsigned status;
    guint host_hash;            /* of the Host it asked for; 0: unknown */
} forward;

typedef struct {
    uint32_t frame;
    int64_t ts;
    char *host;                 /* NULL: not understood */
    uint16_t port;
} client_request;

typedef struct {
    mwg_lru_entry lru;
    flow_key key;
    uint32_t serial;
    bool client_leg;            /* a client talking to the gateway as a proxy */
    mwg_endpoint client, server;
    /* client leg: requests not answered yet, oldest first */
    GQueue *pending;
    /* upstream leg */
    uint32_t first_syn_frame, last_syn_frame, syn_count;
    int64_t last_syn_ts;
    uint32_t synack_frame, rst_frame, icmp_frame, close_frame;
    unsigned icmp_version, icmp_type, icmp_code;
    mwg_addr icmp_reporter;
    forward *fwd;               /* MAX_FORWARDS, allocated on the first one */
    unsigned n_fwd;
    GHashTable *hinted_in;      /* the engine's reply_hints, while counted there */
    uint32_t frames[MAX_CONN_FRAMES];
    unsigned n_frames;
} conn;

/* Where to find a connection again: its key and the serial it had. */
typedef struct {
    flow_key key;
    uint32_t serial;
} conn_ref;

typedef struct {
    conn_ref refs[MAX_REFS];
    unsigned n, next;
} ref_ring;

typedef struct {
    mwg_lru_entry lru;
    ep_key key;
    ref_ring conns;
} endpoint_entry;

typedef struct {
    uint16_t id, qtype;
    mwg_endpoint client, server;    /* server: the last one asked */
    guint server_hashes[4];         /* the distinct servers asked, to count them */
    unsigned n_servers;
    uint32_t first_query_frame, last_query_frame, query_count;
    int64_t last_query_ts;
    uint32_t response_frame;
    unsigned rcode;
    bool has_addr;
    uint32_t icmp_frame;
    unsigned icmp_version, icmp_type, icmp_code;
    uint32_t frames[MAX_TXN_FRAMES];
    unsigned n_frames;
} dns_txn;

typedef struct {
    mwg_lru_entry lru;
    dns_txn txns[MAX_TXNS];
    unsigned n_txns, next_txn;
    mwg_addr addrs[MWG_MAX_DNS_ADDRS];  /* what the name resolved to */
    unsigned n_addrs;
    ref_ring forwards;          /* connections that carried a request for it */
    char name[];                /* sized to the name: a flood of names stays small */
} name_entry;

/* An address some name resolved to -> that name, so that an attempt to it is
 * not taken for another host's. */
typedef struct {
    mwg_lru_entry lru;
    ep_key key;                 /* port 0 */
    guint name_hash;
} addr_owner;

/* A DNS query's UDP flow -> its name, for ICMP errors that quote it. */
typedef struct {
    mwg_lru_entry lru;
    flow_key key;
    char name[];
} dns_flow_entry;

struct mwg_correlator {
    mwg_config cfg;
    int64_t clock;              /* the latest time stamp seen: time only grows */
    int64_t expired_at;         /* the clock at the last expiry */
    /* Plain data segments (no SYN, FIN or RST) matter only on an upstream
     * connection whose reply has not begun: its first bytes tell a reply
     * from garbage.  Those connections are counted here by the hash of
     * their key, so that every other segment, most of a capture, is turned
     * away without a lookup in the connection table, whose entries lie all
     * over memory (a cache miss each). */
    GHashTable *reply_hints;    /* flow_key_hash -> count */
    uint32_t next_serial;
    mwg_lru conns;
    mwg_lru endpoints;
    mwg_lru names;
    mwg_lru dns_flows;
    mwg_lru owners;
    conn_ref recent[RECENT_ATTEMPTS];   /* ring of the latest first SYNs */
    unsigned n_recent, next_recent;
};

static void client_request_free(gpointer p)
{
    client_request *q = p;
    if (q)
        g_free(q->host);
    g_free(q);
}

static void hint_count(GHashTable *hints, guint hash, int delta)
{
    gpointer key = GUINT_TO_POINTER(hash);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(hints, key)) + (guint)delta;
    if (n)
        g_hash_table_insert(hints, key, GUINT_TO_POINTER(n));
    else
        g_hash_table_remove(hints, key);
}

static void conn_free(void *p)
{
    conn *c = p;
    if (c->hinted_in)
        hint_count(c->hinted_in, flow_key_hash(&c->key), -1);
    if (c->pending)
        g_queue_free_full(c->pending, client_request_free);
    g_free(c->fwd);
    g_free(c);
}

/* Clamped: windows come from preferences, which allow any 32-bit value. */
static int64_t seconds(double s)
{
    double ns = s * (double)NS_PER_S;
    return ns > 0x1p62 ? INT64_C(1) << 62 : ns < -0x1p62 ? -(INT64_C(1) << 62) : (int64_t)ns;
}

/* How long state stays after its last use: a connection, longer than a
 * reply could take (with room for gateways whose timeout was raised); a
 * name, the DNS window. */
static int64_t conn_keep(const mwg_config *cfg)
{
    return seconds(cfg->connect_window_s + 4.0 * cfg->response_timeout_s);
}

static int64_t name_keep(const mwg_config *cfg)
{
    return seconds(cfg->dns_window_s);
}

mwg_correlator *mwg_correlator_new(const mwg_config *cfg)
{
    mwg_correlator *c = g_new0(mwg_correlator, 1);
    c->cfg = *cfg;
    c->clock = c->expired_at = INT64_MIN;
    c->reply_hints = g_hash_table_new(g_direct_hash, g_direct_equal);
    /* Verdicts check the windows themselves; expiry only frees memory, and
     * may be late by a sixteenth of the window (see lru.h). */
    int64_t conn_slack = conn_keep(&c->cfg) / 16, name_slack = name_keep(&c->cfg) / 16;
    mwg_lru_init(&c->conns, flow_key_hash, flow_key_equal, cfg->max_conns, conn_slack, conn_free);
    mwg_lru_init(&c->endpoints, ep_key_hash, ep_key_equal, cfg->max_conns, conn_slack, g_free);
    mwg_lru_init(&c->names, g_str_hash, g_str_equal, cfg->max_names, name_slack, g_free);
    mwg_lru_init(&c->dns_flows, flow_key_hash, flow_key_equal, cfg->max_names, name_slack, g_free);
    mwg_lru_init(&c->owners, ep_key_hash, ep_key_equal, cfg->max_names, name_slack, g_free);
    return c;
}

void mwg_correlator_free(mwg_correlator *c)
{
    if (!c)
        return;
    mwg_lru_destroy(&c->conns);
    mwg_lru_destroy(&c->endpoints);
    mwg_lru_destroy(&c->names);
    mwg_lru_destroy(&c->dns_flows);
    mwg_lru_destroy(&c->owners);
    g_hash_table_destroy(c->reply_hints);     /* after the connections */
    g_free(c);
}

void mwg_correlator_get_stats(const mwg_correlator *c, mwg_correlator_stats *s)
{
    s->conns = mwg_lru_size(&c->conns);
    s->names = mwg_lru_size(&c->names);
    s->dns_flows = mwg_lru_size(&c->dns_flows);
}

/* Drops what no verdict can need any more (see conn_keep, name_keep). */
static void expire(mwg_correlator *c)
{
    int64_t conns = conn_keep(&c->cfg), names = name_keep(&c->cfg);
    if (c->clock > INT64_MIN + conns) {
        mwg_lru_expire(&c->conns, c->clock - conns);
        mwg_lru_expire(&c->endpoints, c->clock - conns);
    }
    if (c->clock > INT64_MIN + names) {
        mwg_lru_expire(&c->names, c->clock - names);
        mwg_lru_expire(&c->dns_flows, c->clock - names);
        mwg_lru_expire(&c->owners, c->clock - names);
    }
}

/* The entry of 'type' (with members 'lru' first and 'key') for *key_ptr. */
#define LRU_OBTAIN(table, type, key_ptr, now) \
    ((type *)mwg_lru_obtain((table), (key_ptr), sizeof(((type *)0)->key), sizeof(type), offsetof(type, key), (now)))

static void ring_push(ref_ring *r, const conn *cn)
{
    for (unsigned i = 0; i < r->n; i++)
        if (r->refs[i].serial == cn->serial && flow_key_equal(&r->refs[i].key, &cn->key))
            return;
    r->refs[r->next].key = cn->key;
    r->refs[r->next].serial = cn->serial;
    r->next = (r->next + 1) % MAX_REFS;
    if (r->n < MAX_REFS)
        r->n++;
}

static conn *ref_resolve(mwg_correlator *c, const conn_ref *ref)
{
    conn *cn = mwg_lru_lookup(&c->conns, &ref->key);
    return cn && cn->serial == ref->serial ? cn : NULL;
}

static conn *conn_lookup(mwg_correlator *c, const mwg_flow *fl)
{
    flow_key k;
    flow_key_make(&fl->src, &fl->dst, &k);
    conn *cn = mwg_lru_lookup(&c->conns, &k);
    if (cn)
        mwg_lru_touch(&c->conns, &cn->lru, c->clock);
    return cn;
}

/* A fresh connection record, replacing any older one on the same 4-tuple. */
static conn *conn_create(mwg_correlator *c, const mwg_flow *fl, bool src_is_client)
{
    flow_key k;
    flow_key_make(&fl->src, &fl->dst, &k);
    conn *old = mwg_lru_lookup(&c->conns, &k);
    if (old)
        mwg_lru_remove(&c->conns, &old->lru);
    conn *cn = g_new0(conn, 1);
    cn->key = k;
    cn->serial = ++c->next_serial;
    cn->client = src_is_client ? fl->src : fl->dst;
    cn->server = src_is_client ? fl->dst : fl->src;
    mwg_lru_insert(&c->conns, &cn->lru, &cn->key, c->clock);
    return cn;
}

static void endpoint_remember(mwg_correlator *c, conn *cn)
{
    ep_key k;
    ep_serialise(&cn->server, k.b);
    endpoint_entry *e = LRU_OBTAIN(&c->endpoints, endpoint_entry, &k, c->clock);
    ring_push(&e->conns, cn);
}

static name_entry *name_get(mwg_correlator *c, const char *name, bool create)
{
    name_entry *ne = mwg_lru_lookup(&c->names, name);
    if (ne) {
        mwg_lru_touch(&c->names, &ne->lru, c->clock);
        return ne;
    }
    if (!create)
        return NULL;
    size_t len = strlen(name);
    ne = g_malloc0(sizeof *ne + len + 1);
    memcpy(ne->name, name, len + 1);
    mwg_lru_insert(&c->names, &ne->lru, ne->name, c->clock);
    return ne;
}

static void conn_add_frame(conn *cn, uint32_t frame)
{
    frames_add(cn->frames, &cn->n_frames, MAX_CONN_FRAMES, frame);
}

/* ------------------------------------------------------------------- TCP */

static forward *awaiting_reply(conn *cn)
{
    for (unsigned i = 0; i < cn->n_fwd; i++)
        if (cn->fwd[i].reply == REPLY_NONE)
            return &cn->fwd[i];
    return NULL;
}

/* Keeps reply_hints in step with the connection, after any change to its
 * forwards. */
static void hint_update(mwg_correlator *c, conn *cn)
{
    forward *fw = cn->client_leg ? NULL : awaiting_reply(cn);
    bool wanted = fw && !fw->reply_started;
    if (wanted == (cn->hinted_in != NULL))
        return;
    hint_count(c->reply_hints, flow_key_hash(&cn->key), wanted ? 1 : -1);
    cn->hinted_in = wanted ? c->reply_hints : NULL;
}

static bool may_await_reply(mwg_correlator *c, const mwg_flow *fl)
{
    flow_key k;
    flow_key_make(&fl->src, &fl->dst, &k);
    return g_hash_table_contains(c->reply_hints, GUINT_TO_POINTER(flow_key_hash(&k)));
}

/* Whether the first bytes of a reply can start "HTTP/1.1 200": as far as
 * they go, "HTTP/", digit, ".", digit, space, three digits. */
static bool looks_like_status_line(const uint8_t *p, unsigned n)
{
    static const char shape[] = "HTTP/9.9 999";
    for (unsigned i = 0; i < n && i < sizeof shape - 1; i++) {
        bool ok = shape[i] == '9' ? g_ascii_isdigit(p[i]) : p[i] == (uint8_t)shape[i];
        if (!ok)
            return false;
    }
    return true;
}

static void feed_tcp(mwg_correlator *c, const mwg_facts *f)
{
    uint8_t fl = f->tcp_flags;
    if ((fl & MWG_TCP_SYN) && !(fl & MWG_TCP_ACK)) {
        conn *cn = conn_lookup(c, &f->flow);
        /* A SYN on a 4-tuple that was once connected starts a new
         * connection; after a RST or an ICMP error it is a retry, counted
         * with the SYNs before it. */
        if (!cn || !endpoint_equal(&cn->client, &f->flow.src) || cn->synack_frame || cn->n_fwd || cn->pending)
            cn = conn_create(c, &f->flow, true);
        if (!cn->first_syn_frame) {
            cn->first_syn_frame = f->frame;
            c->recent[c->next_recent] = (conn_ref){ .key = cn->key, .serial = cn->serial };
            c->next_recent = (c->next_recent + 1) % RECENT_ATTEMPTS;
            if (c->n_recent < RECENT_ATTEMPTS)
                c->n_recent++;
        }
        cn->last_syn_frame = f->frame;
        cn->last_syn_ts = c->clock;
        cn->syn_count++;
        conn_add_frame(cn, f->frame);
        if (!mwg_config_is_proxy_port(&c->cfg, cn->server.port))
            endpoint_remember(c, cn);
        return;
    }
    if (!(fl & (MWG_TCP_SYN | MWG_TCP_FIN | MWG_TCP_RST)) && !may_await_reply(c, &f->flow))
        return;
    conn *cn = conn_lookup(c, &f->flow);
    if (!cn)
        return;
    bool from_server = endpoint_equal(&cn->server, &f->flow.src);
    if (!from_server)
        return;
    if ((fl & MWG_TCP_SYN) && (fl & MWG_TCP_ACK)) {
        if (!cn->synack_frame) {
            cn->synack_frame = f->frame;
            conn_add_frame(cn, f->frame);
        }
        return;
    }
    if ((fl & MWG_TCP_RST) && cn->syn_count && !cn->synack_frame) {
        cn->rst_frame = f->frame;       /* refused: the last RST wins */
        conn_add_frame(cn, f->frame);
        return;
    }
    if (cn->client_leg)
        return;                 /* the client leg's replies come as HTTP facts */
    forward *fw = awaiting_reply(cn);
    if (f->tcp_payload_len > 0 && fw && !fw->reply_started) {
        if (f->payload_head_len > 0 && looks_like_status_line(f->payload_head, f->payload_head_len)) {
            fw->reply_started = true;
        } else if (f->payload_head_len > 0) {
            fw->reply = REPLY_INVALID;
            fw->reply_frame = f->frame;
            conn_add_frame(cn, f->frame);
        }
    }
    if (fl & (MWG_TCP_FIN | MWG_TCP_RST)) {
        if (!cn->close_frame) {
            cn->close_frame = f->frame;
            conn_add_frame(cn, f->frame);
        }
        fw = awaiting_reply(cn);
        if (fw && !fw->reply_started) {
            fw->reply = REPLY_CLOSED;
            fw->reply_frame = f->frame;
            conn_add_frame(cn, f->frame);
        }
    }
    hint_update(c, cn);
}

/* ------------------------------------------------------------------- DNS */

static dns_txn *txn_find(name_entry *ne, uint16_t id, const mwg_endpoint *client)
{
    /* newest first: ids get reused */
    for (unsigned k = 0; k < ne->n_txns; k++) {
        unsigned i = (ne->next_txn + MAX_TXNS - 1 - k) % MAX_TXNS;
        dns_txn *t = &ne->txns[i];
        if (t->id == id && (!client || endpoint_equal(&t->client, client)))
            return t;
    }
    return NULL;
}

/* A new transaction in the name's ring, replacing its oldest. */
static dns_txn *txn_new(name_entry *ne, const mwg_facts *f, const mwg_endpoint *client, const mwg_endpoint *server)
{
    dns_txn *t = &ne->txns[ne->next_txn];
    memset(t, 0, sizeof *t);
    t->id = f->dns_id;
    t->qtype = f->dns_qtype;
    t->client = *client;
    t->server = *server;
    ne->next_txn = (ne->next_txn + 1) % MAX_TXNS;
    if (ne->n_txns < MAX_TXNS)
        ne->n_txns++;
    return t;
}

static void addr_key(const mwg_addr *a, ep_key *k)
{
    mwg_endpoint ep = { .addr = *a, .port = 0 };
    ep_serialise(&ep, k->b);
}

static void remember_owner(mwg_correlator *c, const mwg_addr *a, const char *name)
{
    ep_key k;
    addr_key(a, &k);
    addr_owner *o = LRU_OBTAIN(&c->owners, addr_owner, &k, c->clock);
    o->name_hash = g_str_hash(name);
}

static void remember_addrs(mwg_correlator *c, name_entry *ne, const mwg_facts *f)
{
    unsigned n = f->n_dns_addrs < MWG_MAX_DNS_ADDRS ? f->n_dns_addrs : MWG_MAX_DNS_ADDRS;
    for (unsigned i = 0; i < n; i++) {
        const mwg_addr *a = &f->dns_addrs[i];
        if (a->family != 4 && a->family != 6)
            continue;
        remember_owner(c, a, ne->name);
        bool known = false;
        for (unsigned j = 0; j < ne->n_addrs && !known; j++)
            known = addr_equal(&ne->addrs[j], a);
        if (known)
            continue;
        if (ne->n_addrs < MWG_MAX_DNS_ADDRS)
            ne->addrs[ne->n_addrs++] = *a;
        else
            ne->addrs[MWG_MAX_DNS_ADDRS - 1] = *a;
    }
}

static void remember_dns_flow(mwg_correlator *c, const mwg_flow *fl, const char *name)
{
    flow_key k;
    flow_key_make(&fl->src, &fl->dst, &k);
    dns_flow_entry *fe = mwg_lru_lookup(&c->dns_flows, &k);
    if (fe && strcmp(fe->name, name) == 0) {
        mwg_lru_touch(&c->dns_flows, &fe->lru, c->clock);
        return;
    }
    if (fe)                     /* the source port now asks for another name */
        mwg_lru_remove(&c->dns_flows, &fe->lru);
    size_t len = strlen(name);
    fe = g_malloc0(sizeof *fe + len + 1);
    fe->key = k;
    memcpy(fe->name, name, len + 1);
    mwg_lru_insert(&c->dns_flows, &fe->lru, &fe->key, c->clock);
}

static void feed_dns(mwg_correlator *c, const mwg_facts *f)
{
    char name[MAX_HOST_LEN + 1];
    if (!f->dns_qname || !normalise_name(f->dns_qname, strnlen(f->dns_qname, 1024), name))
        return;
    name_entry *ne = name_get(c, name, true);
    if (!f->dns_is_response) {
        dns_txn *t = txn_find(ne, f->dns_id, &f->flow.src);
        if (!t || t->response_frame) {
            t = txn_new(ne, f, &f->flow.src, &f->flow.dst);
            t->first_query_frame = f->frame;
        }
        t->server = f->flow.dst;        /* retries may go to another server */
        guint h = bytes_hash(f->flow.dst.addr.bytes, sizeof f->flow.dst.addr.bytes);
        bool known = false;
        for (unsigned i = 0; i < t->n_servers && !known; i++)
            known = t->server_hashes[i] == h;
        if (!known && t->n_servers < G_N_ELEMENTS(t->server_hashes))
            t->server_hashes[t->n_servers++] = h;
        t->last_query_frame = f->frame;
        t->last_query_ts = c->clock;
        t->query_count++;
        frames_add(t->frames, &t->n_frames, MAX_TXN_FRAMES, f->frame);
        if (f->is_udp)
            remember_dns_flow(c, &f->flow, name);
        return;
    }
    dns_txn *t = txn_find(ne, f->dns_id, &f->flow.dst);
    if (!t)                     /* the query is not in the capture */
        t = txn_new(ne, f, &f->flow.dst, &f->flow.src);
    t->response_frame = f->frame;
    t->rcode = f->dns_rcode;
    t->has_addr = f->n_dns_addrs > 0;
    frames_add(t->frames, &t->n_frames, MAX_TXN_FRAMES, f->frame);
    if (f->dns_rcode == 0)
        remember_addrs(c, ne, f);
}

/* ------------------------------------------------------------------ ICMP */

static void feed_icmp(mwg_correlator *c, const mwg_facts *f)
{
    const mwg_flow *q = &f->icmp_quoted;
    if (f->icmp_quote == MWG_ICMP_QUOTES_TCP) {
        conn *cn = conn_lookup(c, q);
        if (cn && cn->syn_count && !cn->synack_frame && endpoint_equal(&cn->client, &q->src)) {
            cn->icmp_frame = f->frame;
            cn->icmp_version = f->icmp_version;
            cn->icmp_type = f->icmp_type;
            cn->icmp_code = f->icmp_code;
            cn->icmp_reporter = f->icmp_reporter;
            conn_add_frame(cn, f->frame);
        }
        return;
    }
    flow_key k;
    flow_key_make(&q->src, &q->dst, &k);
    dns_flow_entry *fe = mwg_lru_lookup(&c->dns_flows, &k);
    if (!fe)
        return;
    name_entry *ne = name_get(c, fe->name, false);
    if (!ne)
        return;
    for (unsigned k2 = 0; k2 < ne->n_txns; k2++) {
        unsigned i = (ne->next_txn + MAX_TXNS - 1 - k2) % MAX_TXNS;
        dns_txn *t = &ne->txns[i];
        if (endpoint_equal(&t->client, &q->src) && endpoint_equal(&t->server, &q->dst) && !t->response_frame) {
            t->icmp_frame = f->frame;
            t->icmp_version = f->icmp_version;
            t->icmp_type = f->icmp_type;
            t->icmp_code = f->icmp_code;
            frames_add(t->frames, &t->n_frames, MAX_TXN_FRAMES, f->frame);
            return;
        }
    }
}

/* ------------------------------------------------------------------ HTTP */

/* A request to a proxy: on a proxy port, or in the forms only a proxy is
 * sent (absolute URI, CONNECT), whatever port the gateway listens on. */
static bool asks_a_proxy(const mwg_config *cfg, const mwg_facts *f, const mwg_http_request *r)
{
    if (mwg_config_is_proxy_port(cfg, f->flow.dst.port))
        return true;
    if (r->method && g_ascii_strcasecmp(r->method, "CONNECT") == 0)
        return true;
    return r->uri && g_ascii_strncasecmp(r->uri, "http://", 7) == 0;
}

static void feed_request(mwg_correlator *c, const mwg_facts *f, const mwg_http_request *r)
{
    conn *cn = conn_lookup(c, &f->flow);
    if (!cn || !endpoint_equal(&cn->client, &f->flow.src))
        cn = conn_create(c, &f->flow, true);
    char host[MAX_HOST_LEN + 1];
    uint16_t port = 0;
    bool understood = request_target(r, host, &port);
    if (asks_a_proxy(&c->cfg, f, r))
        cn->client_leg = true;
    if (cn->client_leg) {
        if (!cn->pending)
            cn->pending = g_queue_new();
        if (g_queue_get_length(cn->pending) == MAX_PENDING_REQUESTS)     /* never answered */
            client_request_free(g_queue_pop_head(cn->pending));
        client_request *q = g_new0(client_request, 1);
        g_queue_push_tail(cn->pending, q);
        q->frame = f->frame;
        q->ts = f->ts_ns;
        q->host = understood ? g_strdup(host) : NULL;
        q->port = port;
        return;
    }
    if (!cn->fwd)
        cn->fwd = g_new0(forward, MAX_FORWARDS);
    if (cn->n_fwd == MAX_FORWARDS) {
        memmove(cn->fwd, cn->fwd + 1, sizeof cn->fwd[0] * (MAX_FORWARDS - 1));
        cn->n_fwd--;
    }
    forward *fw = &cn->fwd[cn->n_fwd++];
    memset(fw, 0, sizeof *fw);
    fw->frame = f->frame;
    fw->ts = f->ts_ns;
    fw->host_hash = understood ? g_str_hash(host) : 0;
    hint_update(c, cn);
    conn_add_frame(cn, f->frame);
    endpoint_remember(c, cn);
    if (understood)
        ring_push(&name_get(c, host, true)->forwards, cn);
}

/* ---------------------------------------------------------------- verdict */

typedef struct {
    mwg_correlator *c;
    mwg_verdict *v;
    const client_request *req;
    guint host_hash;
    int64_t error_ts;
} judge;

static void verdict_add_frames(mwg_verdict *v, const uint32_t *frames, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        frames_add(v->frames, &v->n_frames, MWG_MAX_INCIDENT_FRAMES, frames[i]);
}

static void set_cause(mwg_verdict *v, mwg_cause cause)
{
    v->cause = cause;
    v->category = mwg_cause_category(cause);
}

/* Did this stage of the gateway's work overlap the life of the request? It
 * started before the error and either after the request or still ran then. */
static bool overlaps(uint32_t started, uint32_t ended, uint32_t req, uint32_t err)
{
    return started && started < err && (started > req || ended == 0 || (ended > req && ended < err));
}

/* A forwarded request for the host sent while the client waited. */
static bool judge_forward(judge *j, conn **cands, unsigned n)
{
    conn *best_conn = NULL;
    forward *best = NULL;
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < cands[i]->n_fwd; k++) {
            forward *fw = &cands[i]->fwd[k];
            if (fw->host_hash && fw->host_hash != j->host_hash)
                continue;       /* another virtual host on the same address */
            if (fw->frame > j->req->frame && fw->frame < j->v->error_frame && (!best || fw->frame > best->frame)) {
                best = fw;
                best_conn = cands[i];
            }
        }
    if (!best)
        return false;
    mwg_verdict *v = j->v;
    v->attempt_frame = best->frame;
    v->upstream = best_conn->server.addr;
    v->upstream_port = best_conn->server.port;
    v->response_wait_s = (double)(j->error_ts - best->ts) / NS_PER_S;
    verdict_add_frames(v, best_conn->frames, best_conn->n_frames);
    switch (best->reply) {
    case REPLY_INVALID:
        set_cause(v, MWG_CAUSE_HTTP_INVALID_RESPONSE);
        v->evidence_frame = best->reply_frame;
        break;
    case REPLY_CLOSED:
        set_cause(v, MWG_CAUSE_UPSTREAM_CLOSED);
        v->evidence_frame = best->reply_frame;
        break;
    case REPLY_VALID:
        v->upstream_status = best->status;
        v->evidence_frame = best->reply_frame;
        if (best->status >= 500 || best->status == v->status) {
            set_cause(v, MWG_CAUSE_UPSTREAM_STATUS);
        } else {
            /* The origin answered well; the gateway failed on its own. */
            set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
            v->evidence_frame = 0;
        }
        break;
    case REPLY_NONE:
        set_cause(v, MWG_CAUSE_HTTP_RESPONSE_TIMEOUT);
        v->evidence_frame = best->frame;
        break;
    }
    return true;
}

typedef enum { CONNECT_PENDING, CONNECT_REFUSED, CONNECT_UNREACHABLE, CONNECT_ESTABLISHED } connect_outcome;

/* How the attempt ended: the latest answer to its SYNs. */
static connect_outcome conn_outcome(const conn *cn)
{
    uint32_t failed = MAX(cn->rst_frame, cn->icmp_frame);
    if (cn->synack_frame > failed)
        return CONNECT_ESTABLISHED;
    if (failed)
        return cn->rst_frame > cn->icmp_frame ? CONNECT_REFUSED : CONNECT_UNREACHABLE;
    return CONNECT_PENDING;
}

static uint32_t conn_outcome_frame(const conn *cn)
{
    return MAX(MAX(cn->rst_frame, cn->icmp_frame), cn->synack_frame);
}

/* Connection attempts to the host's addresses while the client waited. */
static bool judge_connect(judge *j, conn **cands, unsigned n)
{
    mwg_verdict *v = j->v;
    conn *latest = NULL;
    int64_t horizon = j->req->ts - seconds(j->c->cfg.connect_window_s);
    conn *relevant[MAX_CANDIDATES];
    unsigned n_rel = 0;
    for (unsigned i = 0; i < n; i++) {
        conn *cn = cands[i];
        if (!cn->syn_count || cn->last_syn_ts < horizon)
            continue;
        if (!overlaps(cn->first_syn_frame, conn_outcome_frame(cn), j->req->frame, v->error_frame))
            continue;
        relevant[n_rel++] = cn;
        if (!latest || cn->first_syn_frame > latest->first_syn_frame)
            latest = cn;
    }
    if (!latest)
        return false;
    uint32_t evidence = 0, attempts = 0, first = 0;
    mwg_cause cause;
    switch (conn_outcome(latest)) {
    case CONNECT_REFUSED: cause = MWG_CAUSE_TCP_RST; break;
    case CONNECT_UNREACHABLE: cause = MWG_CAUSE_ICMP_UNREACHABLE; break;
    case CONNECT_ESTABLISHED:
        cause = latest->close_frame ? MWG_CAUSE_UPSTREAM_CLOSED : MWG_CAUSE_NO_UPSTREAM_EVIDENCE;
        break;
    default: cause = MWG_CAUSE_TCP_SYN_TIMEOUT; break;
    }
    for (unsigned i = 0; i < n_rel; i++) {
        conn *cn = relevant[i];
        uint32_t e = 0;
        switch (cause) {
        case MWG_CAUSE_TCP_RST: e = cn->rst_frame; break;
        case MWG_CAUSE_ICMP_UNREACHABLE: e = cn->icmp_frame; break;
        case MWG_CAUSE_UPSTREAM_CLOSED: e = cn == latest ? cn->close_frame : 0; break;
        case MWG_CAUSE_TCP_SYN_TIMEOUT: e = conn_outcome(cn) == CONNECT_PENDING ? cn->last_syn_frame : 0; break;
        default: break;
        }
        if (e && e < v->error_frame && e > evidence)
            evidence = e;
        attempts += cn->syn_count;
        if (!first || cn->first_syn_frame < first)
            first = cn->first_syn_frame;
        verdict_add_frames(v, cn->frames, cn->n_frames);
    }
    set_cause(v, cause);
    v->evidence_frame = cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE ? 0 : evidence;
    v->attempt_frame = first;
    v->attempts = attempts;
    v->upstream = latest->server.addr;
    v->upstream_port = latest->server.port;
    if (cause == MWG_CAUSE_ICMP_UNREACHABLE) {
        const conn *src = latest;
        for (unsigned i = 0; i < n_rel; i++)
            if (relevant[i]->icmp_frame == evidence)
                src = relevant[i];
        v->icmp_version = src->icmp_version;
        v->icmp_type = src->icmp_type;
        v->icmp_code = src->icmp_code;
        v->icmp_reporter = src->icmp_reporter;
    }
    return true;
}

/* DNS for the host while the client waited; fills the addresses it gave.
 * Returns true when DNS decided the verdict (resolution failed). */
static bool judge_dns(judge *j, const name_entry *ne, bool *resolved)
{
    mwg_verdict *v = j->v;
    const dns_txn *rel[MAX_TXNS];
    unsigned n = 0;
    int64_t horizon = j->req->ts - seconds(j->c->cfg.dns_window_s);
    *resolved = false;
    for (unsigned i = 0; i < ne->n_txns; i++) {
        const dns_txn *t = &ne->txns[i];
        uint32_t started = t->first_query_frame ? t->first_query_frame : t->response_frame;
        uint32_t ended = t->response_frame ? t->response_frame : t->icmp_frame;
        if (t->first_query_frame && t->last_query_ts < horizon)
            continue;
        if (overlaps(started, ended, j->req->frame, v->error_frame))
            rel[n++] = t;
    }
    if (n == 0)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (rel[i]->has_addr && rel[i]->response_frame < v->error_frame)
            *resolved = true;
    if (*resolved)
        return false;
    /* Which failure: an authoritative "no such name" outweighs the rest. */
    static const struct { mwg_cause cause; int rcode; } order[] = {
        { MWG_CAUSE_DNS_NXDOMAIN, 3 }, { MWG_CAUSE_DNS_SERVFAIL, 2 },
        { MWG_CAUSE_DNS_REFUSED, 5 }, { MWG_CAUSE_DNS_ERROR, -1 }, { MWG_CAUSE_DNS_NODATA, 0 },
    };
    const dns_txn *ev = NULL;
    mwg_cause cause = MWG_CAUSE_DNS_NO_RESPONSE;
    for (size_t o = 0; o < G_N_ELEMENTS(order) && !ev; o++) {
        for (unsigned i = 0; i < n; i++) {
            const dns_txn *t = rel[i];
            if (!t->response_frame || t->response_frame >= v->error_frame)
                continue;
            int rc = (int)t->rcode;
            bool match = order[o].rcode >= 0 ? rc == order[o].rcode : (rc != 0 && rc != 2 && rc != 3 && rc != 5);
            if (match && (!ev || t->response_frame > ev->response_frame)) {
                ev = t;
                cause = order[o].cause;
            }
        }
    }
    if (ev) {
        v->evidence_frame = ev->response_frame;
        v->dns_rcode = ev->rcode;
    } else {
        for (unsigned i = 0; i < n; i++)
            if (rel[i]->icmp_frame && rel[i]->icmp_frame < v->error_frame &&
                (!ev || rel[i]->icmp_frame > ev->icmp_frame))
                ev = rel[i];
        if (ev) {
            cause = MWG_CAUSE_DNS_SERVER_UNREACHABLE;
            v->evidence_frame = ev->icmp_frame;
            v->icmp_version = ev->icmp_version;
            v->icmp_type = ev->icmp_type;
            v->icmp_code = ev->icmp_code;
        } else {
            for (unsigned i = 0; i < n; i++)
                if (!ev || rel[i]->last_query_frame > ev->last_query_frame)
                    ev = rel[i];
            v->evidence_frame = ev->last_query_frame;
        }
    }
    set_cause(v, cause);
    v->upstream = ev->server.addr;
    v->upstream_port = ev->server.port;
    uint32_t first = 0;
    guint servers[MAX_TXNS * 4];
    unsigned n_servers = 0;
    for (unsigned i = 0; i < n; i++) {
        for (unsigned s = 0; s < rel[i]->n_servers; s++) {
            bool seen = false;
            for (unsigned k = 0; k < n_servers && !seen; k++)
                seen = servers[k] == rel[i]->server_hashes[s];
            if (!seen)
                servers[n_servers++] = rel[i]->server_hashes[s];
        }
        v->attempts += rel[i]->query_count;
        if (rel[i]->first_query_frame && (!first || rel[i]->first_query_frame < first))
            first = rel[i]->first_query_frame;
        verdict_add_frames(v, rel[i]->frames, rel[i]->n_frames);
    }
    v->attempt_frame = first;
    v->dns_servers = n_servers;
    return true;
}

/* Every connection that may have served the host: attempts to its addresses
 * on the requested port, and connections that carried a request for it. */
static unsigned candidate_conns(mwg_correlator *c, const name_entry *ne, const mwg_addr *literal,
                                uint16_t port, conn **out, unsigned cap)
{
    unsigned n = 0;
    const mwg_addr *addrs = ne ? ne->addrs : NULL;
    unsigned n_addrs = ne ? ne->n_addrs : 0;
    for (unsigned a = 0; a <= n_addrs; a++) {
        const mwg_addr *addr = a < n_addrs ? &addrs[a] : literal;
        if (!addr || !addr->family)
            continue;
        mwg_endpoint ep = { .addr = *addr, .port = port };
        ep_key k;
        ep_serialise(&ep, k.b);
        endpoint_entry *e = mwg_lru_lookup(&c->endpoints, &k);
        for (unsigned i = 0; e && i < e->conns.n && n < cap; i++) {
            conn *cn = ref_resolve(c, &e->conns.refs[i]);
            if (cn)
                out[n++] = cn;
        }
    }
    for (unsigned i = 0; ne && i < ne->forwards.n && n < cap; i++) {
        conn *cn = ref_resolve(c, &ne->forwards.refs[i]);
        bool dup = false;
        for (unsigned k = 0; k < n && !dup; k++)
            dup = out[k] == cn;
        if (cn && !dup)
            out[n++] = cn;
    }
    return n;
}

/* When the capture shows no resolution for the host (the gateway resolved it
 * from its cache or hosts file), its connection attempts are the ones to the
 * requested port that started while the client waited and go to an address
 * no other name resolved to. */
static unsigned unowned_attempts(mwg_correlator *c, const judge *j, conn **out, unsigned cap)
{
    unsigned n = 0;
    for (unsigned age = 0; age < c->n_recent && n < cap; age++) {     /* newest first */
        unsigned i = (c->next_recent + RECENT_ATTEMPTS - 1 - age) % RECENT_ATTEMPTS;
        conn *cn = ref_resolve(c, &c->recent[i]);
        if (!cn || cn->server.port != j->req->port || cn->first_syn_frame <= j->req->frame ||
            cn->first_syn_frame >= j->v->error_frame)
            continue;
        ep_key k;
        addr_key(&cn->server.addr, &k);
        addr_owner *o = mwg_lru_lookup(&c->owners, &k);
        if (o && o->name_hash != j->host_hash)
            continue;
        out[n++] = cn;
    }
    return n;
}

static void explain(mwg_correlator *c, judge *j)
{
    mwg_verdict *v = j->v;
    const client_request *req = j->req;
    set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
    if (!req->host)
        return;
    mwg_addr literal;
    bool is_literal = parse_literal_addr(req->host, &literal);
    name_entry *ne = name_get(c, req->host, false);

    bool resolved = is_literal;
    if (ne && !is_literal && judge_dns(j, ne, &resolved))
        return;
    conn *cands[MAX_CANDIDATES];
    unsigned n = candidate_conns(c, ne, is_literal ? &literal : NULL, req->port, cands, G_N_ELEMENTS(cands));
    if (!is_literal && (!ne || ne->n_addrs == 0))
        n += unowned_attempts(c, j, cands + n, G_N_ELEMENTS(cands) - n);
    if (judge_forward(j, cands, n))
        return;
    judge_connect(j, cands, n);
}

static void finish_category(mwg_verdict *v)
{
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE)
        v->category = v->block_page_recognised ? v->block_page : MWG_CAT_UNKNOWN;
}

static void feed_response(mwg_correlator *c, const mwg_facts *f, const mwg_http_response *r, GPtrArray *out)
{
    conn *cn = conn_lookup(c, &f->flow);
    bool from_server = cn && endpoint_equal(&cn->server, &f->flow.src);
    /* A capture that starts after the request: the proxy port tells. */
    bool client_leg = (from_server && cn->client_leg) || mwg_config_is_proxy_port(&c->cfg, f->flow.src.port);
    if (!client_leg) {
        forward *fw = from_server ? awaiting_reply(cn) : NULL;
        if (fw && r->status >= 200) {
            fw->reply = REPLY_VALID;
            fw->status = r->status;
            fw->reply_frame = f->frame;
            conn_add_frame(cn, f->frame);
            hint_update(c, cn);
        }
        return;
    }
    if (r->status < 200 && r->status >= 100)
        return;                 /* interim: the final answer follows */
    client_request none = { 0 };
    client_request *popped = NULL;
    if (from_server && cn->pending)
        popped = g_queue_pop_head(cn->pending);
    const client_request req = popped ? *popped : none;
    if (mwg_config_is_error_status(&c->cfg, r->status)) {
        mwg_verdict *v = g_new0(mwg_verdict, 1);
        v->status = r->status;
        v->error_frame = f->frame;
        v->request_frame = req.frame;
        v->host = req.host ? g_strdup(req.host) : NULL;
        v->elapsed_ns = req.frame ? f->ts_ns - req.ts : 0;
        v->block_page = mwg_blockpage_family(r->body, r->body_len, &v->block_page_recognised);
        if (req.frame) {
            frames_add(v->frames, &v->n_frames, MWG_MAX_INCIDENT_FRAMES, req.frame);
            judge j = { .c = c, .v = v, .req = &req, .error_ts = f->ts_ns,
                        .host_hash = req.host ? g_str_hash(req.host) : 0 };
            explain(c, &j);
        } else {
            set_cause(v, MWG_CAUSE_NO_UPSTREAM_EVIDENCE);
        }
        frames_add(v->frames, &v->n_frames, MWG_MAX_INCIDENT_FRAMES, f->frame);
        finish_category(v);
        v->summary = mwg_verdict_summary(v);
        g_ptr_array_add(out, v);
    }
    client_request_free(popped);
}

/* ------------------------------------------------------------------ feed */

unsigned mwg_correlator_feed(mwg_correlator *c, const mwg_facts *f, GPtrArray *out)
{
    unsigned before = out->len;
    if (f->ts_ns > c->clock) {
        c->clock = f->ts_ns;
        /* Once a second, not on every frame: the tables' order is no
         * finer than that anyway (see lru.h). */
        if (c->expired_at == INT64_MIN || c->clock - c->expired_at >= seconds(1)) {
            c->expired_at = c->clock;
            expire(c);
        }
    }
    if (f->icmp_quote != MWG_ICMP_NONE) {
        feed_icmp(c, f);        /* everything else in the frame is quoted */
        return 0;
    }
    if (f->is_tcp && f->has_tcp_flags)
        feed_tcp(c, f);
    if (f->has_dns)
        feed_dns(c, f);
    unsigned nreq = f->n_requests < MWG_MAX_HTTP_PER_FRAME ? f->n_requests : MWG_MAX_HTTP_PER_FRAME;
    unsigned nresp = f->n_responses < MWG_MAX_HTTP_PER_FRAME ? f->n_responses : MWG_MAX_HTTP_PER_FRAME;
    if (f->is_tcp) {
        for (unsigned i = 0; i < nreq; i++)
            feed_request(c, f, &f->requests[i]);
        for (unsigned i = 0; i < nresp; i++)
            feed_response(c, f, &f->responses[i], out);
    }
    return out->len - before;
}
