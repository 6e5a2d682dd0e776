/* extract.h - one dissected frame -> mwg_facts.
 *
 * The only place that knows other dissectors' field names.  It asks
 * Wireshark only for fields that are rare (HTTP, DNS, ICMP) or that it
 * cannot do without (tcp.flags, tcp.payload), and reads everything else from
 * pinfo, so that the post-dissector stays cheap on the bulk of the traffic.
 */
#ifndef MWG502_EXTRACT_H
#define MWG502_EXTRACT_H

#include <epan/packet.h>

#include "facts.h"

/* Looks up the field ids (call from the handoff, once all dissectors are
 * registered) and tells Wireshark which ones the post-dissector reads. */
void mwg_extract_init(dissector_handle_t postdissector);

/* Fills 'out' from the frame.  Returns false when the frame holds nothing the
 * correlation engine could use, so that most frames cost no more. */
bool mwg_extract(packet_info *pinfo, proto_tree *tree, mwg_facts *out);

#endif
