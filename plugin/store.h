/* SPDX-License-Identifier: GPL-2.0-or-later */
/* store.h - the verdicts of the capture, by frame.
 *
 * The engine decides on the first pass, in capture order; every pass (the
 * first one too) shows what is stored here, so that a frame reads the same
 * however often and in whatever order Wireshark dissects it.
 *
 * Memory grows with the errors a capture holds, so a verdict is kept
 * packed (about 100 bytes, host names and addresses shared), and the index
 * of incident links, which only a later pass shows, is built when the
 * first pass ends (never in a single-pass tshark).  Built by the init
 * routine, dropped by the cleanup.
 */
#ifndef MWG502_STORE_H
#define MWG502_STORE_H

#include <glib.h>

#include "correlate.h"

void mwg_store_init(void);
void mwg_store_cleanup(void);

/* Keeps what the verdict says; frees it. */
void mwg_store_add(mwg_verdict *v);

/* The number of verdicts whose error response Wireshark shows in the frame,
 * and the i-th of them, into 'out' (its host points into the store; no
 * summary, no frame list). */
unsigned mwg_store_count(uint32_t frame);
void mwg_store_get(uint32_t frame, unsigned i, mwg_verdict *out);

/* The first pass is over: sorts what came late and builds the links. */
void mwg_store_first_pass_done(void);

/* A link from a frame to an error frame: the frame belongs to the error's
 * incident, or is its evidence. */
typedef struct {
    uint32_t frame, error_frame;
} mwg_frame_link;
/* The links of the frame (after mwg_store_first_pass_done), as a pointer
 * to 'n' of them; NULL if none. */
const mwg_frame_link *mwg_store_incidents(uint32_t frame, unsigned *n);
const mwg_frame_link *mwg_store_explains(uint32_t frame, unsigned *n);

/* What a frame left unsaid (mwg_frame_notes: unread protocols, dropped
 * state).  Frames come in increasing order, on the first pass. */
void mwg_store_note(uint32_t frame, mwg_frame_notes notes);
mwg_frame_notes mwg_store_notes(uint32_t frame);

#endif
