/* store.h - the verdicts of the capture, by frame.
 *
 * The engine decides on the first pass, in capture order; every pass
 * (the first one too) shows what is stored here, so that a frame reads the
 * same however often and in whatever order Wireshark dissects it.  Built
 * by the init routine, dropped by the cleanup.
 */
#ifndef MWG502_STORE_H
#define MWG502_STORE_H

#include <glib.h>

#include "correlate.h"

void mwg_store_init(void);
void mwg_store_cleanup(void);

/* Takes the verdict; links the frames of its incident to it. */
void mwg_store_add(mwg_verdict *v);
/* The verdicts whose error response Wireshark shows in the frame. */
const GPtrArray *mwg_store_verdicts(uint32_t frame);
/* The error frames whose incident holds the frame, and those it is the
 * evidence of; NULL if none. */
const GArray *mwg_store_incidents(uint32_t frame);
const GArray *mwg_store_explains(uint32_t frame);

/* What a frame left unsaid (mwg_frame_notes: unread protocols, dropped
 * state).  Frames come in increasing order, on the first pass. */
void mwg_store_note(uint32_t frame, mwg_frame_notes notes);
mwg_frame_notes mwg_store_notes(uint32_t frame);

#endif
