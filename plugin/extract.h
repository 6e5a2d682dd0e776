/* SPDX-License-Identifier: GPL-2.0-or-later */
/* extract.h - one dissected frame -> mwg_facts, as Wireshark saw it.
 *
 * The glue between Wireshark and the plain-C engine.  It wants no field
 * from Wireshark (a wanted field makes Wireshark build a protocol tree for
 * every frame, which would cost more than everything the plugin does) and
 * takes instead what Wireshark hands over without a tree:
 *
 *   - the flow of the innermost TCP or UDP layer (packet_info's addresses
 *     and ports), whatever encapsulation was around it;
 *   - the protocols it found in the frame (its ports, heuristics and Decode
 *     As decide what is HTTP, DNS, ICMP);
 *   - the frame in which HTTP dissected each message (the record HTTP keeps
 *     per frame on its first pass), with the method or status where
 *     Wireshark keeps them;
 *   - the buffers it made (reassembled TCP PDUs and IP datagrams,
 *     de-chunked and uncompressed bodies).
 *
 * The decoders (headers.c, dns_message.c; http_message.c in the engine)
 * read the rest from the bytes, located by that flow; a frame Wireshark
 * dissected as HTTP, DNS or ICMP that they cannot read is flagged unread.
 */
#ifndef MWG502_EXTRACT_H
#define MWG502_EXTRACT_H

#include <epan/packet.h>

#include "facts.h"

/* Looks up the protocol ids; call from the handoff, once all dissectors
 * are registered. */
void mwg_extract_init(void);

/* Fills 'out' from the frame, on the first pass.  Returns false when the
 * frame holds nothing the engine could use, so that most frames cost no
 * more. */
bool mwg_extract(tvbuff_t *frame, packet_info *pinfo, mwg_facts *out);

#endif
