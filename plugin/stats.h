/* stats.h - the "mwg502" statistics tree: explained errors by category,
 * cause and host, and the frames mwg502 could not read (tshark -z
 * mwg502,tree; Statistics menu in Wireshark). */
#ifndef MWG502_STATS_H
#define MWG502_STATS_H

#include "verdict.h"

#define MWG502_TAP_NAME "mwg502"

/* What the tap carries for one frame: one explained error response, or
 * the protocols of a frame mwg502 could not read. */
typedef struct {
    const mwg_verdict *verdict;     /* NULL for an unread frame */
    unsigned unread;                /* MWG_UNREAD_* */
} mwg_tap_record;

void mwg_stats_register(void);

#endif
