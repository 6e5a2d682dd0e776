/* extract.h - one dissected frame -> mwg_facts.
 *
 * The only place that knows other dissectors' field names.  It asks
 * Wireshark only for fields that are rare (HTTP, DNS, ICMP) or that it
 * cannot do without (tcp.flags), and reads everything else from
 * pinfo, so that the post-dissector stays cheap on the bulk of the traffic.
 */
#ifndef MWG502_EXTRACT_H
#define MWG502_EXTRACT_H

#include <epan/packet.h>

#include "facts.h"

/* Looks up the field ids; call from the handoff, once all dissectors are
 * registered. */
void mwg_extract_init(void);

/* Tells Wireshark which fields the post-dissector reads, or none when it is
 * disabled: any wanted field makes Wireshark build a tree for every frame,
 * which is most of what the plugin costs. */
void mwg_extract_want_fields(dissector_handle_t postdissector, bool enabled);

/* Fills 'out' from the frame.  Returns false when the frame holds nothing the
 * correlation engine could use, so that most frames cost no more. */
bool mwg_extract(packet_info *pinfo, proto_tree *tree, mwg_facts *out);

#endif
