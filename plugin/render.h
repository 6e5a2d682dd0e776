/* render.h - a verdict -> the mwg502 tree, expert info and Info column.
 *
 * Owns the filter fields (mwg502.*) and expert entries, whose names are the
 * public contract of ../shared DESIGN section 2.
 */
#ifndef MWG502_RENDER_H
#define MWG502_RENDER_H

#include <epan/packet.h>

#include "verdict.h"

void mwg_render_register(int proto);

/* The explanation of a gateway error response in this frame. */
void mwg_render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const mwg_verdict *v);

/* This frame belongs to the incidents of these error frames and is the
 * evidence of those (either may be NULL). */
void mwg_render_links(tvbuff_t *tvb, proto_tree *tree, const GArray *incidents, const GArray *explains);

#endif
