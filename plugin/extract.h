/* extract.h - one dissected frame -> mwg_facts.
 *
 * The glue between Wireshark and the decoders.  It wants no field from
 * Wireshark: any wanted field makes Wireshark build a protocol tree for
 * every frame, which would cost more than the plugin's own work.  Instead it
 * hands the frame's bytes to the plain-C decoders (headers.c,
 * http_message.c, dns_message.c), and takes from Wireshark only what is
 * already there without a tree: the link type, which protocols it found in
 * the frame (so that its port settings and Decode As still decide what is
 * HTTP and DNS) and the messages it reassembled.
 */
#ifndef MWG502_EXTRACT_H
#define MWG502_EXTRACT_H

#include <epan/packet.h>

#include "facts.h"

/* Looks up the protocol ids; call from the handoff, once all dissectors
 * are registered. */
void mwg_extract_init(void);

/* Fills 'out' from the frame.  Returns false when the frame holds nothing the
 * correlation engine could use, so that most frames cost no more. */
bool mwg_extract(tvbuff_t *frame, packet_info *pinfo, mwg_facts *out);

#endif
