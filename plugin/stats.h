/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.h - the "mwg502" statistics tree: explained errors by category,
 * cause and host, and the frames mwg502 could not read or where it had to
 * drop state (tshark -z
 * mwg502,tree; Statistics menu in Wireshark). */
#ifndef MWG502_STATS_H
#define MWG502_STATS_H

#include "correlate.h"

#define MWG502_TAP_NAME "mwg502"

/* What the tap carries for one frame: one explained error response, or
 * what the frame left unsaid (protocols mwg502 could not read, state it
 * had to drop). */
typedef struct {
    const mwg_verdict *verdict;     /* NULL: notes only */
    mwg_frame_notes notes;
} mwg_tap_record;

void mwg_stats_register(void);

#endif
