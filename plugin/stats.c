/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stats.c - see stats.h. */
#include "stats.h"

#include <epan/packet.h>
#include <epan/stats_tree.h>


static const char *const errors_name = "Gateway errors";
static const char *const unread_name = "Frames mwg502 could not read";
static const char *const dropped_name = "Frames where mwg502 dropped state";
static int errors_node = -1, unread_node = -1, dropped_node = -1;

typedef struct {
    unsigned bit;
    const char *name;
} kind_name;

static const kind_name unread_kinds[] = {
    { MWG_UNREAD_HTTP, "HTTP" }, { MWG_UNREAD_DNS, "DNS" }, { MWG_UNREAD_ICMP, "ICMP" },
};
static const kind_name dropped_kinds[] = {
    { MWG_DROP_CONNS, "connections (table full)" },
    { MWG_DROP_NAMES, "DNS names (table full)" },
    { MWG_DROP_REQUESTS, "requests past a connection's waiting queue" },
    { MWG_DROP_TRACK, "requests not matched: messages missing from the capture" },
    { MWG_DROP_LATE_RESPONSE, "responses captured out of order, not shown by Wireshark" },
};

static void stats_init(stats_tree *st)
{
    errors_node = stats_tree_create_node(st, errors_name, 0, STAT_DT_INT, TRUE);
    unread_node = stats_tree_create_node(st, unread_name, 0, STAT_DT_INT, TRUE);
    dropped_node = stats_tree_create_node(st, dropped_name, 0, STAT_DT_INT, TRUE);
}

static void tick_kinds(stats_tree *st, const char *root, int node, unsigned bits, const kind_name *kinds, size_t n)
{
    if (!bits)
        return;
    tick_stat_node(st, root, 0, TRUE);
    for (size_t i = 0; i < n; i++)
        if (bits & kinds[i].bit)
            tick_stat_node(st, kinds[i].name, node, FALSE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                                      const void *data, tap_flags_t flags _U_)
{
    const mwg_tap_record *rec = data;
    if (!rec->verdict) {
        tick_kinds(st, unread_name, unread_node, rec->notes.unread, unread_kinds, G_N_ELEMENTS(unread_kinds));
        tick_kinds(st, dropped_name, dropped_node, rec->notes.dropped, dropped_kinds, G_N_ELEMENTS(dropped_kinds));
        return TAP_PACKET_REDRAW;
    }
    const mwg_verdict *v = rec->verdict;
    tick_stat_node(st, errors_name, 0, TRUE);
    int category = tick_stat_node(st, mwg_category_token(v->category), errors_node, TRUE);
    int cause = tick_stat_node(st, mwg_cause_token(v->cause), category, TRUE);
    tick_stat_node(st, v->host ? v->host : "(unknown host)", cause, FALSE);
    return TAP_PACKET_REDRAW;
}

void mwg_stats_register(void)
{
    stats_tree_register_plugin(MWG502_TAP_NAME, "mwg502", "MWG502/Gateway errors by cause", 0, stats_packet,
                               stats_init, NULL);
}
