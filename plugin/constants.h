/* SPDX-License-Identifier: GPL-2.0-or-later */
/* constants.h - every default and every bound of mwg502, named once.
 *
 * The preferences (packet-mwg502.c) and the engine read the same
 * definitions.  The bounds keep memory and time finite whatever a capture
 * holds; where one is reached, the engine counts what it dropped (see
 * mwg_loss in correlate.h) instead of guessing.
 */
#ifndef MWG502_CONSTANTS_H
#define MWG502_CONSTANTS_H

#include <stdint.h>

/* ------------------------------------------------ defaults (preferences) */

#define MWG_DEFAULT_PROXY_PORT 9090         /* MWG's proxy port */
#define MWG_DEFAULT_STATUS 502
#define MWG_DEFAULT_DNS_WINDOW_S 600        /* how long a gateway caches a name */
#define MWG_DEFAULT_CONNECT_WINDOW_S 180
#define MWG_DEFAULT_RESPONSE_TIMEOUT_S 120  /* MWG's wait for an upstream reply */

/* What the preferences accept: HTTP error statuses only, and windows of at
 * least a second (a window of 0 s would forget everything at once). */
#define MWG_MIN_ERROR_STATUS 400
#define MWG_MAX_ERROR_STATUS 599
#define MWG_MIN_WINDOW_S 1

/* ----------------------------------------------------------------- time */

#define MWG_NS_PER_S INT64_C(1000000000)
/* Time stamps are clamped to +-2^32 s so that nanoseconds fit in int64. */
#define MWG_MAX_ABS_SECONDS (INT64_C(1) << 32)
/* A connection is kept for the connect window plus this many response
 * timeouts: room for gateways whose timeout was raised per host. */
#define MWG_CONN_KEEP_TIMEOUTS 4
/* Table entries move to the back of their recency queue at most once per
 * this fraction of the table's window (see lru.h). */
#define MWG_REQUEUE_FRACTION 16
/* A SYN seen again this soon with the same sequence number is a copy of it
 * (a bridge, or a capture on two interfaces), not a retransmission: those
 * wait a second or more. */
#define MWG_COPY_WINDOW_NS (50 * INT64_C(1000000))
/* Idle state is dropped at most once per this much capture time. */
#define MWG_EXPIRY_INTERVAL_S 1

/* ------------------------------------------------------------- capacity */

/* TCP connections and DNS names remembered.  Least recently used go
 * first, so a name or a connection still in use stays.  Full tables weigh
 * about 35 MB: a flood of 100,000 errors fills them while tshark itself
 * holds some 440 MB, and the plugin stays within a tenth of that (with
 * 65,536 of each it took a fifth more). */
#define MWG_MAX_CONNS 24576
#define MWG_MAX_NAMES 24576
#define MWG_MAX_HOST_LEN 255        /* longest host name (RFC 1035) */
/* Bytes of a request method kept: longer ones are cut, and only HEAD and
 * CONNECT change what the engine does. */
#define MWG_METHOD_KEEP 16
#define MWG_MAX_DNS_ADDRS 16        /* addresses kept per name */
#define MWG_MAX_DNS_TXNS 32         /* DNS transactions per name: A, AAAA, retries, a storm's own lookups */
#define MWG_MAX_DNS_SERVERS 4       /* distinct servers counted per transaction */
#define MWG_MAX_TXN_FRAMES 8        /* frames of one DNS transaction */
/* The origin's handshake flight kept to read its certificate (TLS 1.2 sends
 * it in clear), at most this long and for this many handshakes at once. */
#define MWG_MAX_TLS_FLIGHT (8 * 1024)
#define MWG_MAX_TLS_FLIGHTS 256
#define MWG_MAX_TUNNEL_FRAMES 128   /* frames of a client's TLS tunnel kept for its incidents */
#define MWG_MAX_DECRYPTED 16        /* decrypted records and HTTP/2 header blocks read per frame */
#define MWG_MAX_ATTEMPT_FRAMES 16   /* SYNs, answers and errors of one connection */
#define MWG_MAX_FORWARDS 4          /* forwarded requests kept per upstream connection */
/* Connections remembered per destination endpoint or per name: enough for
 * the gateway's attempts to one dying host during a storm of requests. */
#define MWG_MAX_REFS 512
#define MWG_RECENT_ATTEMPTS 1024    /* latest connection attempts, for names the capture never resolves */
#define MWG_RECENT_REQUESTS 16      /* latest client requests per name, to tell their attempts apart */
#define MWG_WAITING_LOOKBACK 16     /* waiting requests for a name looked back over (forwarded, served first) */
#define MWG_KEPT_CONNECTIONS 16     /* connections kept open for a name looked back over for a request's forward */
/* Latest client requests for names, and how many of them waiting at once
 * are weighed, to tell whose an attempt to an address no name owns may be
 * (past that many, any such attempt may be anyone's). */
#define MWG_RECENT_ASKS 1024
/* No gateway gives up on a connection attempt sooner than this after its
 * one SYN: an attempt that young, unanswered at the error, is taken for
 * another request's when the request has older ones of its own. */
#define MWG_MIN_CONNECT_WAIT_S 0.5
/* Nor on a DNS query sooner than this after sending it (resolvers wait a
 * second at least, gateways seconds): an error that soon after the latest
 * query is not its silence. */
#define MWG_MIN_DNS_WAIT_S 0.5
/* Nor on a forwarded request's reply: a forward that young, unanswered at
 * the error, did not time out. */
#define MWG_MIN_REPLY_WAIT_S 0.5
#define MWG_MAX_RIVAL_ASKS 64
/* Addresses named in the summary of a verdict that found attempts it
 * could not tell were its own. */
#define MWG_MAX_NAMED_CANDIDATES 3
/* Requests a client connection may have waiting for their answers
 * (pipelining).  Beyond it the engine stops matching that connection's
 * answers until its queue drains, rather than shift every later match. */
#define MWG_MAX_WAITING_REQUESTS 256
/* Bytes kept of an HTTP message whose end has not arrived, to read its
 * start line, headers and the beginning of an error page should it never
 * arrive whole. */
#define MWG_MAX_PENDING_HEAD (8 * 1024)
/* Segments remembered for one HTTP message and frames for one incident. */
#define MWG_MAX_MESSAGE_FRAMES 512
#define MWG_MAX_INCIDENT_FRAMES 1024
/* Frames Wireshark dissected that mwg502 could not read, remembered so that
 * a verdict can say so. */
#define MWG_RECENT_UNREAD 64
/* Addresses of the gateway and of its parent proxies: given in the
 * preferences, or learned from the capture. */
#define MWG_MAX_KNOWN_ADDRS 16

/* ------------------------------------------------------------- decoding */

#define MWG_MAX_HTTP_LINE (16 * 1024)   /* longer than any gateway accepts */
/* The largest response header block a gateway takes: Squid's
 * reply_header_max_size, nginx's proxy_buffer_size (a page).  A gateway
 * of another kind that answers while a longer block is still coming is
 * taken to have refused it at the smallest. */
#define MWG_SQUID_HEADER_LIMIT (64 * 1024)
#define MWG_NGINX_HEADER_LIMIT (4 * 1024)
/* Bytes of an error page searched for its family and its proxy: the marks
 * sit in its first lines (title, template name); Squid's error code is
 * past 2 KB of its 3 KB pages. */
#define MWG_BLOCKPAGE_SCAN (16 * 1024)

#endif
