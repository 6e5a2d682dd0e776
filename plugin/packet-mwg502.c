/* packet-mwg502.c - the mwg502 post-dissector: protocol, preferences, state.
 *
 * Explains every error response (502 by default) that a web gateway sent a
 * client, from a capture taken on the gateway.  The work is split the way
 * TRANSUM splits it: extract.c reduces each frame to facts, correlate.c turns
 * facts into verdicts on the first pass, render.c shows the stored verdicts
 * on every pass.
 */
#include "packet-mwg502.h"

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>

#include "correlate.h"
#include "extract.h"
#include "render.h"
#include "stats.h"

static int proto_mwg502 = -1;
static dissector_handle_t mwg502_handle;
static dissector_handle_t http_handle;
static int mwg502_tap = -1;

/* Preferences. */
static range_t *pref_proxy_ports;
static range_t *pref_status_codes;
static guint pref_dns_window = 600;
static guint pref_connect_window = 180;
static guint pref_response_timeout = 120;

/* Per-capture state, made by the init routine and dropped by the cleanup. */
static mwg_correlator *correlator;
static GHashTable *verdicts_by_frame;   /* error frame -> GPtrArray of mwg_verdict */
static GHashTable *incidents_by_frame;  /* frame -> GArray of error frames */
static GHashTable *explains_by_frame;   /* evidence frame -> GArray of error frames */

static void config_from_prefs(mwg_config *cfg)
{
    mwg_config_defaults(cfg);
    mwg_config_set_proxy_port(cfg, 9090, false);
    mwg_config_set_error_status(cfg, 502, false);
    for (guint i = 0; pref_proxy_ports && i < pref_proxy_ports->nranges; i++)
        for (guint64 p = pref_proxy_ports->ranges[i].low; p <= pref_proxy_ports->ranges[i].high && p < 65536; p++)
            mwg_config_set_proxy_port(cfg, (unsigned)p, true);
    for (guint i = 0; pref_status_codes && i < pref_status_codes->nranges; i++)
        for (guint64 s = pref_status_codes->ranges[i].low; s <= pref_status_codes->ranges[i].high && s < 1000; s++)
            mwg_config_set_error_status(cfg, (unsigned)s, true);
    cfg->dns_window_s = pref_dns_window;
    cfg->connect_window_s = pref_connect_window;
    cfg->response_timeout_s = pref_response_timeout;
}

static void free_verdicts(gpointer p)
{
    g_ptr_array_free(p, TRUE);
}

static void free_frame_list(gpointer p)
{
    g_array_free(p, TRUE);
}

static void mwg502_init(void)
{
    mwg_config cfg;
    config_from_prefs(&cfg);
    correlator = mwg_correlator_new(&cfg);
    verdicts_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_verdicts);
    incidents_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_frame_list);
    explains_by_frame = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_frame_list);
}

static void mwg502_cleanup(void)
{
    mwg_correlator_free(correlator);
    correlator = NULL;
    g_hash_table_destroy(verdicts_by_frame);
    g_hash_table_destroy(incidents_by_frame);
    g_hash_table_destroy(explains_by_frame);
    verdicts_by_frame = incidents_by_frame = explains_by_frame = NULL;
}

static void link_frame(GHashTable *table, guint32 frame, guint32 error_frame)
{
    GArray *a = g_hash_table_lookup(table, GUINT_TO_POINTER(frame));
    if (!a) {
        a = g_array_new(FALSE, FALSE, (guint)sizeof(guint32));
        g_hash_table_insert(table, GUINT_TO_POINTER(frame), a);
    }
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, guint32, i) == error_frame)
            return;
    g_array_append_val(a, error_frame);
}

static void remember(guint32 frame, GPtrArray *found)
{
    for (guint i = 0; i < found->len; i++) {
        mwg_verdict *v = g_ptr_array_index(found, i);
        for (unsigned k = 0; k < v->n_frames; k++)
            link_frame(incidents_by_frame, v->frames[k], v->error_frame);
        if (v->evidence_frame)
            link_frame(explains_by_frame, v->evidence_frame, v->error_frame);
    }
    g_hash_table_insert(verdicts_by_frame, GUINT_TO_POINTER(frame), found);
}

/* First pass: the frame's facts go to the engine; returns the verdicts they
 * completed, if any. */
static GPtrArray *correlate_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    /* Dissection is single-threaded; a static record stays in the cache
     * from frame to frame, which a 5 KB one on the stack would not. */
    static mwg_facts facts;
    if (!mwg_extract(tvb, pinfo, &facts))
        return NULL;
    /* Almost every frame finds nothing: one array serves them all and is
     * handed over only when it holds verdicts. */
    static GPtrArray *found;
    if (!found)
        found = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    if (!mwg_correlator_feed(correlator, &facts, found))
        return NULL;
    GPtrArray *verdicts = found;
    remember(pinfo->num, verdicts);
    found = NULL;
    return verdicts;
}

static int dissect_mwg502(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    if (!correlator)
        return 0;
    GPtrArray *verdicts = PINFO_FD_VISITED(pinfo)
        ? g_hash_table_lookup(verdicts_by_frame, GUINT_TO_POINTER(pinfo->num))
        : correlate_frame(tvb, pinfo);
    proto_tree *verdict_tree = NULL;
    for (guint i = 0; verdicts && i < verdicts->len; i++) {
        const mwg_verdict *v = g_ptr_array_index(verdicts, i);
        proto_tree *t = mwg_render_verdict(tvb, pinfo, tree, v);
        if (!verdict_tree)
            verdict_tree = t;
        tap_queue_packet(mwg502_tap, pinfo, v);
    }
    /* Links are known for every frame of an incident only once the error
     * frame was seen: show them on later passes only, the same on all. */
    if (!PINFO_FD_VISITED(pinfo))
        return 0;
    GArray *incidents = g_hash_table_lookup(incidents_by_frame, GUINT_TO_POINTER(pinfo->num));
    GArray *explains = g_hash_table_lookup(explains_by_frame, GUINT_TO_POINTER(pinfo->num));
    if (incidents || explains)
        mwg_render_links(tvb, tree, verdict_tree, incidents, explains);
    return 0;
}

static void apply_proxy_ports(void)
{
    static range_t *registered;
    if (!http_handle)
        return;
    if (registered) {
        dissector_delete_uint_range("tcp.port", registered, http_handle);
        wmem_free(wmem_epan_scope(), registered);
    }
    registered = range_copy(wmem_epan_scope(), pref_proxy_ports);
    dissector_add_uint_range("tcp.port", registered, http_handle);
}

void proto_register_mwg502(void)
{
    proto_mwg502 = proto_register_protocol("MWG 502 explanation", "MWG502", "mwg502");
    mwg_render_register(proto_mwg502);

    module_t *m = prefs_register_protocol(proto_mwg502, apply_proxy_ports);
    range_convert_str(wmem_epan_scope(), &pref_proxy_ports, "9090", 65535);
    prefs_register_range_preference(m, "proxy_ports", "Gateway proxy ports",
        "TCP ports the gateway listens on for clients (MWG: 9090). They are decoded as HTTP.",
        &pref_proxy_ports, 65535);
    range_convert_str(wmem_epan_scope(), &pref_status_codes, "502", 999);
    prefs_register_range_preference(m, "status_codes", "Error statuses to explain",
        "Gateway response statuses to explain, e.g. 500-504 for proxies that answer 503 or 504",
        &pref_status_codes, 999);
    prefs_register_uint_preference(m, "dns_window", "DNS window (s)",
        "How long a name's DNS answers and failures are remembered (the gateway's DNS cache)",
        10, &pref_dns_window);
    prefs_register_uint_preference(m, "connect_window", "Connect window (s)",
        "How much older than the client's request a connection attempt may be and still count",
        10, &pref_connect_window);
    prefs_register_uint_preference(m, "response_timeout", "Response timeout (s)",
        "The gateway's wait for an upstream reply (120 s on MWG, raised per host by Proxy Control)",
        10, &pref_response_timeout);

    register_init_routine(mwg502_init);
    register_cleanup_routine(mwg502_cleanup);
    mwg502_handle = create_dissector_handle(dissect_mwg502, proto_mwg502);
    register_postdissector(mwg502_handle);
    mwg502_tap = register_tap(MWG502_TAP_NAME);
    mwg_stats_register();
}

void proto_reg_handoff_mwg502(void)
{
    /* HTTP registers its TCP port handle as "http-over-tcp"; the same one
     * serves the proxy ports, so Decode As shows one HTTP. */
    http_handle = find_dissector("http-over-tcp");
    if (!http_handle)
        http_handle = find_dissector("http");
    apply_proxy_ports();
    mwg_extract_init();
}
