/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.h - a verdict -> the mwg502 tree, expert info and Info column.
 *
 * Owns the filter fields (mwg502.*) and expert entries, whose names are a
 * public contract (README, "Fields"): add, never rename.
 */
#ifndef MWG502_RENDER_H
#define MWG502_RENDER_H

#include <epan/packet.h>

#include "store.h"
#include "verdict.h"

void mwg_render_register(int proto);

/* The explanation of a gateway error response in this frame; returns its
 * subtree. */
proto_tree *mwg_render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const mwg_verdict *v);
/* Whether anything shows the summary: a visible tree (-V, the GUI's detail
 * pane), a filter, column or field extraction that asks for mwg502.summary
 * or for the expert info's text, which is the summary, or the expert tap
 * (tshark -z expert, the GUI's Expert Information). */
bool mwg_render_shows_summary(proto_tree *tree);

/* This frame belongs to the incidents of these error frames and is the
 * evidence of those (either may be NULL).  'verdict_tree' is the frame's own
 * verdict subtree, if it has one, so that an error frame shows one mwg502
 * tree. */
/* A frame Wireshark dissected as HTTP, DNS or ICMP (MWG_UNREAD_*) that
 * mwg502 could not read: said in the tree and in Expert Information. */
void mwg_render_unread(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, unsigned kinds);
/* A response begins in a segment captured out of order, which Wireshark
 * does not show (MWG_DROP_LATE_RESPONSE). */
void mwg_render_late_response(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree);

void mwg_render_links(tvbuff_t *tvb, proto_tree *tree, proto_tree *verdict_tree, const mwg_frame_link *incidents,
                      unsigned n_incidents, const mwg_frame_link *explains, unsigned n_explains);

#endif
