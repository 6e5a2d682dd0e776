/* SPDX-License-Identifier: GPL-2.0-or-later */
/* correlate.h - the engine: from the facts of each frame, in capture order,
 * to verdicts.
 *
 * It keeps a bounded picture of what the gateway is doing upstream (DNS
 * transactions per name, TCP connection attempts per destination,
 * forwarded requests and their replies) and of the HTTP messages on every
 * connection and, when the gateway sends a client an error response,
 * decides which upstream attempt failed and how.  Plain C and GLib only:
 * unit-tested and fuzzed without Wireshark.
 */
#ifndef MWG502_CORRELATE_H
#define MWG502_CORRELATE_H

#include <glib.h>

#include "facts.h"
#include "verdict.h"

typedef struct {
    uint8_t proxy_ports[65536 / 8];     /* bit set: the gateway listens there */
    uint8_t error_statuses[1000 / 8];   /* bit set: explain this status */
    double dns_window_s;        /* a name's answers are remembered this long */
    double connect_window_s;    /* SYNs this much older than the request are ignored */
    double response_timeout_s;  /* the gateway's own wait for a reply */
    unsigned max_conns;         /* capacities: memory bound under hostile input */
    unsigned max_names;
    /* An intercepting gateway: clients ask the origin's address with
     * origin-form requests; the gateway's own connections are told apart by
     * their source (gateway_addrs, and the addresses the capture shows it
     * uses). */
    bool transparent;
    mwg_addr gateway_addrs[MWG_MAX_KNOWN_ADDRS];
    unsigned n_gateway_addrs;
    /* Next-hop proxies the gateway forwards to: connections to them are the
     * upstream leg, even with proxy-form requests. */
    mwg_addr parent_proxies[MWG_MAX_KNOWN_ADDRS];
    unsigned n_parent_proxies;
} mwg_config;

/* The defaults of constants.h: proxy port 9090, status 502, the gateway's
 * windows, the capacities. */
void mwg_config_defaults(mwg_config *cfg);
void mwg_config_set_proxy_port(mwg_config *cfg, unsigned port, bool on);
void mwg_config_set_error_status(mwg_config *cfg, unsigned status, bool on);
bool mwg_config_is_proxy_port(const mwg_config *cfg, unsigned port);
bool mwg_config_is_error_status(const mwg_config *cfg, unsigned status);
/* Adds an address to a list of MWG_MAX_KNOWN_ADDRS (once); false when full. */
bool mwg_config_add_addr(mwg_addr *list, unsigned *n, const mwg_addr *a);
bool mwg_config_has_addr(const mwg_addr *list, unsigned n, const mwg_addr *a);

typedef struct mwg_correlator mwg_correlator;

mwg_correlator *mwg_correlator_new(const mwg_config *cfg);
void mwg_correlator_free(mwg_correlator *c);

/* Feeds one frame, frames in increasing number.  For each gateway error
 * response Wireshark dissected in it, appends a newly allocated verdict to
 * 'out' (the caller owns them: mwg_verdict_free); so does an error response
 * whose reassembly a close ended, whose verdict belongs to the earlier
 * frame that shows its status line (v->error_frame).  Returns the number
 * appended. */
unsigned mwg_correlator_feed(mwg_correlator *c, const mwg_facts *f, GPtrArray *out);

/* What the engine could not keep while it read a frame. */
#define MWG_DROP_CONNS 0x1      /* connections: the table was full */
#define MWG_DROP_NAMES 0x2      /* DNS names: the table was full */
#define MWG_DROP_REQUESTS 0x4   /* requests past a client connection's waiting queue */
#define MWG_DROP_TRACK 0x8      /* requests whose answers the capture lacks: no longer matched */
/* a response begun in a segment captured out of order, which Wireshark
 * does not show (tcp.reassemble_out_of_order off): not explained */
#define MWG_DROP_LATE_RESPONSE 0x10

/* What the frame just fed left unsaid: the protocols Wireshark dissected
 * in it that mwg502 could not read (MWG_UNREAD_*), and what the engine had
 * to drop while reading it (MWG_DROP_*). */
typedef struct {
    unsigned unread;
    unsigned dropped;
} mwg_frame_notes;
mwg_frame_notes mwg_correlator_frame_notes(const mwg_correlator *c);

/* The capture is over: error responses still waiting for the rest of their
 * bytes get their verdicts (on the frame of their status line). */
unsigned mwg_correlator_finish(mwg_correlator *c, GPtrArray *out);

/* What the bounded tables and rings dropped, and what could not be read,
 * for the whole capture so far. */
typedef struct {
    uint64_t conns_evicted;     /* connections dropped because the table was full */
    uint64_t names_evicted;     /* DNS names dropped because the table was full */
    uint64_t requests_untracked;/* requests beyond the waiting queue of a client connection */
    uint64_t requests_lost_track;/* requests no longer matched: messages missing from the capture */
    uint64_t frames_unread;     /* frames Wireshark dissected that mwg502 could not read */
} mwg_loss;

/* Live state, for tests and the memory benchmark. */
typedef struct {
    unsigned conns, names, dns_flows;
    mwg_loss loss;
} mwg_correlator_stats;
void mwg_correlator_get_stats(const mwg_correlator *c, mwg_correlator_stats *s);

#endif
