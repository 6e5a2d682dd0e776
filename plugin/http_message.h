/* http_message.h - the facts of the HTTP messages in one run of bytes.
 *
 * Read from the bytes (see headers.h for why not from Wireshark's fields);
 * Wireshark still decides which segments are HTTP and reassembles messages
 * that span segments.
 */
#ifndef MWG502_HTTP_MESSAGE_H
#define MWG502_HTTP_MESSAGE_H

#include "facts.h"

/* Appends to f->requests and f->responses the messages that start 'data'
 * and follow each other in it (pipelined requests), up to
 * MWG_MAX_HTTP_PER_FRAME: a request's method, target and Host header, a
 * response's status and body (as sent: chunked or compressed bodies are the
 * caller's to replace).  Stops at the first bytes that do not start a
 * message, such as the rest of an earlier body.  'cut': the capture kept
 * only the first 'len' bytes of what was sent (a snap length), so the last
 * start line may end early. */
void mwg_decode_http(const uint8_t *data, size_t len, bool cut, mwg_facts *f);

#endif
