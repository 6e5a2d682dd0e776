/* SPDX-License-Identifier: GPL-2.0-or-later */
/* http_message.h - reading HTTP/1.x messages from bytes.
 *
 * Wireshark decides which segments are HTTP and in which frame each message
 * is dissected (see http_stream.c); these functions read what a message
 * says: its start line, the Host header, where its body starts and ends by
 * the rules Wireshark's reassembly follows (Content-Length, chunked, no body
 * for HEAD, 1xx, 204 and 304, up to the close otherwise), and the host and
 * port a request asks for.  Plain C on a byte buffer.
 */
#ifndef MWG502_HTTP_MESSAGE_H
#define MWG502_HTTP_MESSAGE_H

#include "facts.h"

typedef struct {
    const uint8_t *p;
    size_t len;
} mwg_span;

typedef enum {
    MWG_HTTP_NOT_A_MESSAGE,     /* the bytes do not start a request or response */
    MWG_HTTP_PARTIAL,           /* a message starts, but does not end, in the bytes */
    MWG_HTTP_COMPLETE
} mwg_http_state;

typedef struct {
    bool is_response;
    unsigned status;            /* responses */
    mwg_span method, target;    /* requests */
    bool target_cut;            /* the capture cut the request line inside the target */
    mwg_span host;              /* Host header value */
    bool has_host;
    mwg_span server, via;       /* a response's Server header; the Via header */
    bool has_server, has_via;
    size_t length;              /* whole message, when complete */
    size_t header_len;          /* start line and headers with the blank line; all the bytes until it ends */
    const uint8_t *body;        /* body as far as the bytes hold it, as sent */
    size_t body_len;
    bool chunked;
    bool until_close;           /* a response that ends where the connection does */
    /* Its header block breaks HTTP/1.1 (a line without a colon, a NUL byte,
     * a Content-Length that is no number or disagrees with another): what
     * a gateway refuses.  At the first offending byte. */
    bool malformed;
    size_t malformed_at;
} mwg_http_message;

/* Whether 'len' bytes (len >= 1) can begin a start line: a method token
 * then a space, or "HTTP/".  Cheap: for every segment that may begin one. */
bool mwg_http_may_start(const uint8_t *data, size_t len);
/* Whether the bytes, as far as they go, can begin a status line
 * ("HTTP/1.1 502"): all that can start a message from a server. */
bool mwg_http_may_start_status(const uint8_t *data, size_t len);

/* Reads the message that starts at data[0].  A start line whose end is not
 * in the bytes yet is PARTIAL when it can still become one (nothing of it
 * is read then).  'answered_method': for a
 * response, the method of the request it answers if known ("HEAD" and
 * "CONNECT" get no body), else NULL.  'cut': the capture holds only the
 * first 'len' bytes of what was sent, so the last line may end early. */
mwg_http_state mwg_http_read(const uint8_t *data, size_t len, bool cut, const char *answered_method,
                             mwg_http_message *m);

/* Lower-cased, without a trailing dot: the form names are compared in.
 * False for an empty, overlong or impossible name. */
bool mwg_host_normalise(const char *in, size_t len, char out[MWG_MAX_HOST_LEN + 1]);

/* The host and port a request asks for: the CONNECT authority, the
 * absolute URI's authority, else the Host header (NULL if none).  False
 * when none names a whole host (a target cut by the snap length names
 * none). */
bool mwg_http_request_target(const char *method, const char *target, bool target_cut, const char *host_header,
                             char host[MWG_MAX_HOST_LEN + 1], uint16_t *port);

/* What tells one request for a host from another, the same whether the
 * client sent the absolute URI (to a proxy) or the gateway forwarded it in
 * origin form: a hash of the path and query, never 0; 0 when the target
 * names none (CONNECT, "*", cut by the snap length). */
uint32_t mwg_http_target_path_id(const char *method, const char *target, bool target_cut);

/* Whether a request target has the form only a proxy is sent: an absolute
 * URI (any scheme), or a CONNECT. */
bool mwg_http_is_proxy_form(const char *method, const char *target);

#endif
