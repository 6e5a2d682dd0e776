/* stats.h - the "mwg502" statistics tree: explained errors by category,
 * cause and host (tshark -z mwg502,tree; Statistics menu in Wireshark). */
#ifndef MWG502_STATS_H
#define MWG502_STATS_H

/* The tap carries one const mwg_verdict * per explained error response. */
#define MWG502_TAP_NAME "mwg502"

void mwg_stats_register(void);

#endif
