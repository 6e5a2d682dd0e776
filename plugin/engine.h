/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.h - the engine's state, shared by the files of the engine and by
 * nothing else (the plugin sees correlate.h only).
 *
 * The gateway's work for one client request goes DNS -> TCP connect ->
 * forwarded request -> reply.  Each stage is remembered as it is seen,
 * keyed the way the later stage finds it: DNS transactions by name,
 * connection attempts by destination endpoint, forwarded requests by host.
 *
 *   config.c       ports, statuses, windows and capacities
 *   engine.c       the correlator, its clock and tables; dispatch
 *   records.c      keys, frame lists, references to connections
 *   intake_tcp.c   SYNs and their answers, closes, first reply bytes
 *   intake_dns.c   DNS transactions and what names resolved to
 *   intake_icmp.c  ICMP errors quoting a SYN or a DNS query
 *   http_stream.c  which HTTP messages Wireshark dissected in a frame
 *   intake_http.c  client requests and answers, forwarded requests, replies
 *   judge.c        an error response -> its verdict (judge.h)
 *   judge_attempts.c  which connection attempts were the request's own
 */
#ifndef MWG502_ENGINE_H
#define MWG502_ENGINE_H

#include <stddef.h>

#include "correlate.h"
#include "http_message.h"
#include "lru.h"
#include "pool.h"
#include "tls_record.h"

/* ------------------------------------------------------------------ keys */

/* Endpoints serialised without padding, so keys hash and compare as bytes. */
#define EP_BYTES 19
typedef struct {
    uint8_t b[2 * EP_BYTES];
} flow_key;                     /* both directions of a conversation */
typedef struct {
    uint8_t b[EP_BYTES];
} ep_key;                       /* an endpoint, or an address with port 0 */

void flow_key_make(const mwg_flow *fl, flow_key *k);
void ep_key_make(const mwg_endpoint *e, ep_key *k);
void addr_key_make(const mwg_addr *a, ep_key *k);
guint flow_key_hash(gconstpointer k);
gboolean flow_key_equal(gconstpointer a, gconstpointer b);
guint ep_key_hash(gconstpointer k);
gboolean ep_key_equal(gconstpointer a, gconstpointer b);
/* Host names: a name is hashed on every DNS message and request. */
guint name_hash(gconstpointer name);

/* A bounded list of frame numbers, grown as needed; for the segments of a
 * message also the sequence number each starts at (seq, else NULL). */
typedef struct {
    uint32_t *v;
    uint32_t *seq;
    unsigned n, room;
} frame_list;

void frame_list_add(frame_list *l, uint32_t frame, unsigned cap);
void frame_list_add_segment(frame_list *l, uint32_t frame, uint32_t seq, unsigned cap);
void frame_list_clear(frame_list *l);
/* The frame of the segment that holds stream byte 'seq' (the last that
 * starts at or before it), or 0. */
uint32_t frame_list_frame_at(const frame_list *l, uint32_t seq);
/* The same for a fixed array of 'cap': once full, the last slot takes the
 * latest frame (the first ones and the latest are what a verdict shows). */
void frames_add_fixed(uint32_t *v, unsigned *n, unsigned cap, uint32_t frame);

/* ------------------------------------------------------------------- TLS */

/* A client's CONNECT the gateway answered with 2xx: what follows on the
 * connection is TLS, and the requests inside (when Wireshark decrypts
 * them) are for this host and port. */
typedef struct {
    char *host;                 /* NULL: the CONNECT named none */
    uint16_t port;
    uint32_t connect_frame, established_frame;
    int64_t connect_ts;
    bool decrypted;             /* Wireshark decrypted some of it */
    mwg_tls_reader rd;          /* the client's records, up to its ClientHello */
    /* Its frames: an incident cut out of the capture must hold the whole
     * TLS session for Wireshark to decrypt it again. */
    frame_list frames;
    bool has_random;
    uint8_t client_random[32];  /* its ClientHello's */
    bool ended;                 /* closed, and judged if nothing was decrypted */
} tunnel;

/* The gateway's TLS handshake with the origin, as the capture shows it
 * without keys.  'accepted': the gateway went on after the origin's
 * ServerHello (its ChangeCipherSpec or Finished), so the handshake did not
 * fail on its side. */
typedef struct {
    mwg_tls_reader rd[2];       /* [0] the gateway's records, [1] the origin's */
    char *sni;
    bool has_random;
    uint8_t client_random[32];
    uint32_t client_hello_frame, server_hello_frame, accepted_frame;
    uint32_t alert_frame;       /* the origin's alert */
    bool alert_clear;
    uint8_t alert_desc;
    uint32_t not_tls_frame;     /* the origin's bytes that are no TLS */
    bool plain_http;            /* ... an HTTP response */
    uint32_t server_close_frame;/* the origin's FIN or RST before the gateway accepted */
    bool reset;                 /* ... a RST */
    uint32_t rejected_frame;    /* the gateway's alert or close after the ServerHello */
    uint32_t gave_up_frame;     /* the gateway's close before any ServerHello */
    bool h2;                    /* the decrypted stream is HTTP/2 (binary: no status line to look for) */
    /* The origin's first bytes, while the gateway has not decided: its
     * certificate says why the gateway refused it (MWG_CERT_* of x509.h). */
    uint8_t *flight;
    size_t flight_len;
    uint32_t flight_next;
    unsigned cert_problems;
} tls_handshake;

/* ------------------------------------------------------------------ HTTP */

/* What the capture lacks before a message: nothing; whole messages (it
 * starts past the end of the last message read whole); or bytes after a
 * message the snap length cut, whose end is unknown: the rest of that one,
 * whole messages, or both. */
typedef enum { GAP_NONE, GAP_WHOLE_MESSAGES, GAP_UNKNOWN } msg_gap;

/* An HTTP message, in the frame where Wireshark dissected it. */
typedef struct {
    uint32_t frame;             /* where Wireshark shows it */
    int64_t ts;
    mwg_http_message m;         /* spans borrowed from the frame's bytes */
    const frame_list *segments; /* its segments, with where each starts */
    uint32_t seq;               /* where its first byte is in the stream */
    bool incomplete;            /* never arrived whole: 'frame' shows its start */
    bool capture_cut;           /* ... because the capture's snap length cut it */
    /* Whole, but Wireshark never dissected it: it took its bytes for more
     * of the message before (whose end a cut segment hid). */
    bool undissected;
    msg_gap after_gap;
    uint32_t ack;               /* the sender's acknowledgement number where it is shown */
    bool ack_known;
    const uint8_t *decoded_body;/* the body de-chunked/uncompressed by Wireshark, if any */
    size_t decoded_body_len;
    const tunnel *inside;       /* decrypted inside a client's tunnel, if so */
    uint32_t stream;            /* its HTTP/2 stream; 0: HTTP/1, or not known */
} http_msg;

/* One direction of a TCP connection, as a stream of HTTP messages. */
typedef struct {
    bool seq_known;
    uint32_t taken_end;         /* sequence number just past what is read */
    bool at_boundary;           /* ... and that is where a message read whole ended */
    bool in_cut;                /* ... or inside a message the snap length cut, of unknown end */
    /* Bytes the capture lacks were skipped, and what followed began no
     * message: the next message read comes after this gap. */
    msg_gap lost;
    /* The bytes last skipped [hole_seq, hole_end), and the gap that held at
     * their start: a segment captured late (out of order) falls in them. */
    uint32_t hole_seq, hole_end;
    msg_gap hole_gap;
    bool pending;               /* a message began and Wireshark has not dissected it yet */
    msg_gap pending_after_gap;  /* ... after bytes the capture does not hold */
    bool pending_cut;           /* ... of which the snap length cut bytes: its length is unknown */
    uint32_t pending_seq;
    uint32_t pending_end;       /* past its furthest byte seen, kept or not */
    uint32_t pending_frame;
    int64_t pending_ts;
    frame_list pending_frames;  /* its segments so far */
    uint8_t *pending_head;      /* its first bytes, to read it if it never completes */
    size_t pending_head_len;
} http_dir;

/* How an upstream reply to a forwarded request went.  REPLY_GIVEN_UP: the
 * gateway closed the connection itself before any reply (its timeout). */
typedef enum { REPLY_NONE, REPLY_VALID, REPLY_INVALID, REPLY_CLOSED, REPLY_GIVEN_UP } reply_kind;

typedef struct {
    uint32_t frame;             /* the forwarded request */
    int64_t ts;
    char *host;                 /* the host it asked for; NULL: not understood */
    uint32_t path_id;           /* see mwg_http_target_path_id() */
    char method[MWG_METHOD_KEEP];
    reply_kind reply;
    bool reply_started;         /* a segment beginning "HTTP/" was seen */
    uint32_t reply_frame;
    int64_t reply_ts;
    frame_list reply_frames;    /* segments of the reply that decided, with their seqs */
    uint32_t reply_seq;         /* where the reply starts in the stream */
    size_t reply_header_len;    /* its header block (see mwg_http_message) */
    unsigned status;
} forward;

typedef struct client_request {
    struct client_request *next;    /* the next one waiting on its connection */
    uint32_t frame;
    int64_t ts;
    /* Where the gateway's work for it may begin: the request, or the
     * CONNECT of the tunnel it came through (an intercepting gateway opens
     * its connection to the origin for the tunnel, before the requests
     * inside arrive, and keeps it for all of them). */
    uint32_t since_frame;
    int64_t since_ts;
    const char *host;           /* NULL: not understood; else in the request's own block */
    uint32_t path_id;           /* see mwg_http_target_path_id() */
    /* Where the next client request for its host began, 0: none yet.
     * Kept for a waiting request ('next_tracked'), exactly where the
     * name's ring of recent requests forgets: a request that waits two
     * minutes in a storm sees thousands come after it. */
    uint32_t next_for_host;
    bool next_tracked;
    /* Where the answer to the request before it on its connection began,
     * when that came after it (the gateway still owed that answer), else
     * 0; set when its own answer comes. */
    uint32_t prev_answer_frame;
    /* The requests for its host that wait with it, in the order they came
     * (see judge_own_attempts: attempts go to them first come, first
     * served); 'forwarded': the gateway forwarded its page. */
    struct client_request *prev_waiting, *next_waiting;
    bool forwarded;
    char method[MWG_METHOD_KEEP];
    uint16_t port;
    uint32_t stream;            /* its HTTP/2 stream, answered on the same; 0: in order */
    frame_list frames;          /* its segments */
    uint32_t ack;               /* how far the client had the gateway's bytes when it asked */
    bool ack_known;
    unsigned ask_slot;          /* its place in the correlator's asks, if it is there */
} client_request;

/* A client connection's requests not answered yet, oldest first, linked
 * through the requests themselves: a flood queues and answers one per
 * error, and a list cell of its own for each cost an allocation more. */
typedef struct {
    client_request *head, *tail;
    unsigned n;
} request_queue;

/* A frame Wireshark dissected that mwg502 could not read. */
typedef struct {
    uint32_t frame;
    unsigned kinds;             /* MWG_UNREAD_* */
} unread_frame;

/* A client request for a name, remembered so that an attempt to an address
 * no name owns can be told apart: it may be the attempt of any request
 * waiting then for a name the capture never resolves, or whose name it did
 * not hold (a request line the snap length cut). */
typedef struct {
    uint32_t frame, answered;   /* answered: 0 while the client waits */
    bool served;                /* answered with no error: its attempt got through */
    int64_t ts;
    uint16_t port;              /* 0: not known, any */
    char host[MWG_MAX_HOST_LEN + 1];    /* "": not known */
} recent_ask;

typedef struct {
    mwg_lru_entry lru;
    uint32_t serial;
    uint32_t slot;              /* its place in the correlator's conn_slots */
    /* client leg */
    request_queue *waiting;     /* from the pool, with the first request */
    unsigned untracked;         /* requests not matched to their answers, unanswered (see untracked_why) */
    uint32_t last_syn_seq;
    uint32_t close_frame;
    bool parent_leg;            /* the gateway talking to its parent proxy */
    bool http_seen;             /* Wireshark dissected an HTTP message on it */
    bool watched;               /* counted in the correlator's watch set */
    bool remembered;            /* put in its endpoint's list once (endpoint_remember) */
    /* What a judgement reads of each of the hundreds of attempts to one
     * host in a storm, in one cache line (a connection is allocated on a
     * line's boundary): the attempt, how it ended, whose it is. */
    uint32_t first_syn_frame, last_syn_frame, syn_count;
    uint32_t synack_frame, rst_frame, icmp_frame;
    uint32_t claimed_by;        /* the request (frame) a verdict found it was made for */
    int64_t last_syn_ts;
    mwg_endpoint server;
    bool client_leg;            /* a client talking to the gateway as a proxy */
    /* the rest */
    /* client leg: why 'untracked' counts: MWG_LOSS_REQUEST_QUEUE (past the
     * queue's bound), _REQUEST_GAP (from a request the capture lacks) or
     * _ANSWER_GAP (answers the capture lacks, how many not known) */
    uint8_t untracked_why;
    flow_key key;
    mwg_endpoint client;
    mwg_icmp_error icmp;
    int64_t rst_ts, icmp_ts;
    forward *fwd;               /* MWG_MAX_FORWARDS, allocated on the first one */
    unsigned n_fwd;
    uint32_t last_answer_frame; /* client leg: where its latest answer began */
    /* upstream leg: the name whose answer last gave its address when its
     * first SYN left (g_str_hash of the name, 0: none), and that answer's
     * frame: an attempt right after another name's lookup is that name's. */
    uint32_t owner_hash, owner_frame;
    /* [0] from the client, [1] from the server: made with the first byte
     * or SYN-ACK (see conn_dir), never for an attempt that failed. */
    http_dir *dirs;
    tunnel *tunnel;             /* client leg: the CONNECT that made it a tunnel */
    tls_handshake *tls;         /* upstream leg: the gateway speaks TLS to the origin */
    uint32_t frames[MWG_MAX_ATTEMPT_FRAMES];
    unsigned n_frames;
} conn;

/* The line conn_create aligns connections on. */
#define CONN_ALIGN 64
G_STATIC_ASSERT(offsetof(conn, first_syn_frame) == CONN_ALIGN && offsetof(conn, key) <= 2 * CONN_ALIGN);

/* Where to find a connection again: its slot in the correlator's table of
 * live connections and its serial.  A slot freed and taken by another
 * connection holds another serial.  Resolving one is a comparison, not a
 * lookup by key: a storm's errors each look through hundreds of attempts
 * to one host.  'started' is the connection's first SYN frame (0: none
 * seen), which never changes once set: a judgement passes over the
 * attempts that started before its request without reading them (a cache
 * miss each). */
typedef struct {
    uint32_t slot, serial, started;
} conn_ref;

static inline conn_ref conn_ref_of(const conn *cn)
{
    return (conn_ref){ .slot = cn->slot, .serial = cn->serial, .started = cn->first_syn_frame };
}

/* A connection that may have served the host, with what its reference
 * says of it: when its first SYN came (0: none seen), its serial, and
 * the endpoint list it came from (1 + the index of the host's address;
 * 0: another list).  In a storm, hundreds per error: what decides most
 * of them is read here, not in the connection (a cache miss each), and
 * the connection is looked up only when a judgement reaches it (see
 * candidate_conn()). */
typedef struct {
    conn *cn;                   /* once 'resolved'; NULL: gone */
    uint32_t started, serial, slot;
    uint16_t source;
    bool resolved;
} candidate;

typedef struct {
    candidate *v;
    unsigned n, room;
    bool unsorted;              /* not in start order, or one twice */
    bool mixed;                 /* from several lists, or from list 0 */
} conn_list;

typedef struct {
    conn *cn;                   /* NULL: free */
    uint32_t serial;
} conn_slot;

/* Connections to find again, grown as needed up to MWG_MAX_REFS, then the
 * oldest replaced; most endpoints and names have one or two.  They come in
 * the order the connections started, so that a storm's lists of hundreds
 * are searched, not read through; but for a connection first seen
 * mid-stream, or pushed again after the ring dropped it, which marks the
 * list unordered. */
typedef struct {
    conn_ref *refs;
    unsigned n, room, next;
    bool unordered;
} ref_list;

typedef struct {
    mwg_lru_entry lru;
    ep_key key;
    ref_list conns;
} endpoint_entry;

typedef struct {
    uint16_t id, qtype;
    mwg_endpoint client, server;    /* server: the last one asked */
    /* The distinct servers asked, by a digest of their address: only
     * counted, and a flood of names keeps a transaction each. */
    uint32_t servers[MWG_MAX_DNS_SERVERS];
    unsigned n_servers;
    uint32_t first_query_frame, last_query_frame, query_count;
    int64_t last_query_ts;
    uint32_t response_frame;
    int64_t response_ts;
    unsigned rcode;
    bool has_addr;
    bool answers_cut;           /* the answer could not be read whole */
    uint32_t icmp_frame;
    int64_t icmp_ts;
    mwg_icmp_error icmp;
    uint32_t frames[MWG_MAX_TXN_FRAMES];
    unsigned n_frames;
} dns_txn;

typedef struct {
    mwg_lru_entry lru;
    /* Grown as they fill: most names see one or two transactions and
     * addresses, and a flood of names would otherwise keep room for all. */
    dns_txn *txns;              /* a ring of up to MWG_MAX_DNS_TXNS */
    unsigned n_txns, next_txn;
    mwg_addr *addrs;            /* what the name resolved to, up to MWG_MAX_DNS_ADDRS */
    unsigned n_addrs;
    uint32_t last_response_frame;   /* its latest DNS answer, the ring's or one it let go */
    ref_list forwards;          /* connections that carried a request for it */
    uint32_t requests[MWG_RECENT_REQUESTS];     /* frames of the latest client requests for it */
    unsigned n_requests, next_request;
    client_request *last_request;               /* the latest, while it waits */
    char name[];                /* sized to the name: a flood of names stays small */
} name_entry;

/* An address some name resolved to -> that name, so that an attempt to it is
 * not taken for another host's. */
typedef struct {
    mwg_lru_entry lru;
    ep_key key;                 /* port 0 */
    uint32_t answer_frame;      /* the latest answer that gave it to the name */
    uint32_t name_hash;
    char name[];
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
    uint32_t frame;             /* the frame being fed; past the last one once the capture is over */
    int64_t expired_at;         /* the clock at the last expiry */
    /* Most segments carry data of a message already read and change
     * nothing.  The connections that want to see every segment (one whose
     * reply has not begun, one in the middle of a message) are counted here
     * by the hash of their key, so that every other segment is turned away
     * without a lookup in the connection table, whose entries lie all over
     * memory (a cache miss each).  A hash is only a hint: the lookup that
     * follows compares whole keys. */
    GHashTable *watch;          /* flow_key_hash -> count */
    uint32_t next_serial;
    mwg_pool pool;              /* the tables' records, the requests waiting */
    mwg_pool conn_pool;         /* connections, each on its own cache lines */
    mwg_lru conns;
    GArray *conn_slots;         /* conn_slot: every live connection, by slot */
    GArray *free_slots;         /* uint32_t: the free ones */
    mwg_lru endpoints;
    mwg_lru names;
    mwg_lru dns_flows;
    mwg_lru owners;
    conn_ref recent[MWG_RECENT_ATTEMPTS];   /* ring of the latest first SYNs */
    unsigned n_recent, next_recent;
    /* Ring of the latest client requests for names.  It grows to
     * MWG_RECENT_ASKS before it wraps: full, it weighs some 280 KB, which a
     * capture with a few requests (or a fuzzer's input) should not pay. */
    recent_ask *asks;
    unsigned asks_room, n_asks, next_ask;
    mwg_frame_notes frame_notes;            /* of the frame being fed */
    unread_frame unread[MWG_RECENT_UNREAD]; /* ring of frames mwg502 could not read */
    unsigned n_unread, next_unread;
    bool evicted_any;           /* a full table dropped state ... */
    int64_t evicted_at;         /* ... last at this clock */
    mwg_loss loss;
    /* What the capture shows of the gateway: the addresses it answers
     * clients on and sends DNS queries from, the parent proxies it used
     * (with the preferences' in mwg_config). */
    mwg_addr gateway_addrs[MWG_MAX_KNOWN_ADDRS];
    unsigned n_gateway_addrs;
    mwg_endpoint parents[MWG_MAX_KNOWN_ADDRS];
    unsigned n_parents;
    GPtrArray *out;             /* where the current feed puts its verdicts */
    /* A judgement's candidates and attempts, kept from one to the next:
     * made and freed for each error, they cost more in the allocator than
     * the rest of a small judgement (judge.c). */
    conn_list candidates;
    conn **attempts;
    unsigned attempts_room;
    unsigned n_flights;         /* TLS handshake flights kept (MWG_MAX_TLS_FLIGHTS) */
};

/* engine.c */
int64_t mwg_seconds(double s);
conn *conn_lookup(mwg_correlator *c, const mwg_flow *fl);
/* 'old': what conn_lookup found for the flow (NULL: nothing), replaced. */
conn *conn_create(mwg_correlator *c, const mwg_flow *fl, conn *old, bool src_is_client);
void conn_add_frame(conn *cn, uint32_t frame);
/* A direction of the connection as a stream of HTTP messages: conn_dir
 * makes both on first use, conn_dir_peek gives a blank one until then. */
http_dir *conn_dir(conn *cn, int dir);
const http_dir *conn_dir_peek(const conn *cn, int dir);
bool is_copy_of(const mwg_correlator *c, uint32_t frame, int64_t ts);
void endpoint_remember(mwg_correlator *c, conn *cn);
name_entry *name_get(mwg_correlator *c, const char *name, bool create);
/* Keeps the watch set in step with the connection, after any change. */
void watch_update(mwg_correlator *c, conn *cn);
bool watched(mwg_correlator *c, const mwg_flow *fl);
/* Wireshark dissected something in this frame that mwg502 could not read. */
void remember_unread(mwg_correlator *c, uint32_t frame, unsigned kinds);

/* The gateway's own address, or one of its parents' (given or learned). */
bool is_gateway_addr(const mwg_correlator *c, const mwg_addr *a);
bool is_parent_addr(const mwg_correlator *c, const mwg_addr *a);
void learn_gateway_addr(mwg_correlator *c, const mwg_addr *a);
void learn_parent(mwg_correlator *c, const mwg_endpoint *e);

/* records.c (keys and frame lists: above) */
/* Inline: a storm's judgements resolve a thousand references per error. */
static inline conn *ref_resolve(const mwg_correlator *c, const conn_ref *ref)
{
    if (ref->slot >= c->conn_slots->len)
        return NULL;
    const conn_slot *s = &g_array_index(c->conn_slots, conn_slot, ref->slot);
    return s->serial == ref->serial ? s->cn : NULL;
}
/* The candidate's connection, or NULL when it is gone; looked up once. */
static inline conn *candidate_conn(const mwg_correlator *c, candidate *k)
{
    if (!k->resolved) {
        conn_ref ref = { .slot = k->slot, .serial = k->serial, .started = k->started };
        k->cn = ref_resolve(c, &ref);
        k->resolved = true;
    }
    return k->cn;
}
/* Adds the connection unless the list has it; 'absent': known not to. */
void ref_list_push(mwg_correlator *c, ref_list *r, const conn *cn, bool absent);
void ref_list_clear(mwg_correlator *c, ref_list *r);
/* The list's 'i'th reference from the oldest. */
static inline const conn_ref *ref_list_at(const ref_list *r, unsigned i)
{
    unsigned oldest = r->n == r->room ? r->next : 0;
    return &r->refs[(oldest + i) % r->room];
}
/* From the oldest, the place of the first reference that started at or
 * after 'frame'; 0 when the list is unordered. */
unsigned ref_list_lower_bound(const ref_list *r, uint32_t frame);

/* intake_*.c */
void intake_tcp(mwg_correlator *c, const mwg_facts *f);
void intake_dns(mwg_correlator *c, const mwg_facts *f);
void intake_icmp(mwg_correlator *c, const mwg_facts *f);
void intake_http(mwg_correlator *c, conn *cn, int dir, const http_msg *msg);
forward *awaiting_reply(conn *cn);
/* The method of the request an answer on this connection answers. */
const char *answered_method(const conn *cn);
void forward_free_contents(forward *fw);
void client_request_free(mwg_correlator *c, client_request *q);
/* Frees the connection's waiting requests and their queue. */
void request_queue_free(mwg_correlator *c, conn *cn);

/* intake_tls.c: the handshake of an upstream TLS connection (true: the
 * connection is one, and its bytes are no plain HTTP); what Wireshark
 * decrypted on a tunnel or a TLS connection. */
bool intake_tls_handshake(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f);
void intake_decrypted(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f);
/* The client's tunnel ends: if nothing in it was decrypted, a failure of
 * the gateway's work for its CONNECT is reported on the 200 that opened it. */
void tunnel_end(mwg_correlator *c, conn *cn, uint32_t frame, int64_t ts);
void tls_free(mwg_correlator *c, conn *cn);
/* intake_tcp.c: the first bytes the origin sent after a forwarded request. */
void reply_start(conn *cn, uint32_t frame, const uint8_t *p, size_t len);
/* http_stream.c */
void http_stream_segment(mwg_correlator *c, conn *cn, int dir, const mwg_facts *f);
/* The message direction 'dir' began and never finished: it ends here. */
void http_stream_abandon(mwg_correlator *c, conn *cn, int dir);
void http_dir_clear(http_dir *d);

/* judge.c */
void judge_error(mwg_correlator *c, const client_request *req, const http_msg *msg, mwg_verdict *v);
/* The gateway's work for a tunnel's CONNECT up to the tunnel's end
 * ('end_frame'), when the error inside cannot be seen: a newly allocated
 * verdict on the frame that opened the tunnel, or NULL when no failure
 * shows. */
mwg_verdict *judge_tunnel(mwg_correlator *c, const client_request *connect, const uint8_t *client_random,
                          uint32_t established_frame, uint32_t end_frame, int64_t end_ts);

#endif
