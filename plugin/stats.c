/* stats.c - see stats.h. */
#include "stats.h"

#include <epan/packet.h>
#include <epan/stats_tree.h>

#include "verdict.h"

static const char *const root_name = "Gateway errors";
static int root_node = -1;

static void stats_init(stats_tree *st)
{
    root_node = stats_tree_create_node(st, root_name, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                      const void *data, tap_flags_t flags _U_)
{
    const mwg_verdict *v = data;
    tick_stat_node(st, root_name, 0, TRUE);
    int category = tick_stat_node(st, mwg_category_token(v->category), root_node, TRUE);
    int cause = tick_stat_node(st, mwg_cause_token(v->cause), category, TRUE);
    tick_stat_node(st, v->host ? v->host : "(unknown host)", cause, FALSE);
    return TAP_PACKET_REDRAW;
}

void mwg_stats_register(void)
{
    stats_tree_register_plugin(MWG502_TAP_NAME, "mwg502", "MWG502/Gateway errors by cause", 0, stats_packet,
                               stats_init, NULL);
}
