/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet-mwg502.c - the mwg502 post-dissector: protocol, preferences,
 * per-capture state and the entry point Wireshark calls for every frame.
 *
 * Explains every error response (502 by default) that a web gateway sent a
 * client, from a capture taken on the gateway.  The work is split the way
 * TRANSUM splits it: extract.c reduces each frame to facts, the engine
 * (correlate.h) turns facts into verdicts on the first pass, store.c keeps
 * them by frame and render.c shows them on every pass.
 */
#include "packet-mwg502.h"
#include "compat.h"

#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/tap.h>
#include <wsutil/report_message.h>

#include "correlate.h"
#include "extract.h"
#include "render.h"
#include "stats.h"
#include "store.h"

static int proto_mwg502 = -1;
static dissector_handle_t mwg502_handle;
static dissector_handle_t http_handle;
static int mwg502_tap = -1;

/* Preferences. */
static range_t *pref_proxy_ports;
static range_t *pref_status_codes;
static guint pref_dns_window = MWG_DEFAULT_DNS_WINDOW_S;
static guint pref_connect_window = MWG_DEFAULT_CONNECT_WINDOW_S;
static guint pref_response_timeout = MWG_DEFAULT_RESPONSE_TIMEOUT_S;
static mwg_pref_bool_t pref_transparent;
static const char *pref_gateway_addresses = "";
static const char *pref_parent_proxies = "";

/* The engine, alive during the first pass only. */
static mwg_correlator *correlator;

/* "10.0.0.1, 2001:db8::1": addresses separated by commas or spaces; what
 * is no address is said, and left out. */
static void read_addresses(const char *name, const char *text, mwg_addr *list, unsigned *n)
{
    char **words = g_strsplit_set(text ? text : "", ", \t", -1);
    for (char **w = words; *w; w++) {
        mwg_addr a;
        if (!**w)
            continue;
        if (!mwg_addr_parse(*w, &a))
            report_failure("mwg502.%s: \"%s\" is not an IPv4 or IPv6 address; left out", name, *w);
        else if (!mwg_config_add_addr(list, n, &a))
            report_failure("mwg502.%s: more than %d addresses; \"%s\" and the rest left out", name,
                           MWG_MAX_KNOWN_ADDRS, *w);
    }
    g_strfreev(words);
}

static void config_from_prefs(mwg_config *cfg)
{
    mwg_config_defaults(cfg);
    memset(cfg->proxy_ports, 0, sizeof cfg->proxy_ports);
    memset(cfg->error_statuses, 0, sizeof cfg->error_statuses);
    for (guint i = 0; pref_proxy_ports && i < pref_proxy_ports->nranges; i++)
        for (guint64 p = pref_proxy_ports->ranges[i].low; p <= pref_proxy_ports->ranges[i].high && p < 65536; p++)
            mwg_config_set_proxy_port(cfg, (unsigned)p, true);
    for (guint i = 0; pref_status_codes && i < pref_status_codes->nranges; i++)
        for (guint64 s = pref_status_codes->ranges[i].low; s <= pref_status_codes->ranges[i].high && s < 1000; s++)
            mwg_config_set_error_status(cfg, (unsigned)s, true);
    cfg->dns_window_s = pref_dns_window;
    cfg->connect_window_s = pref_connect_window;
    cfg->response_timeout_s = pref_response_timeout;
    cfg->transparent = pref_transparent;
    read_addresses("gateway_addresses", pref_gateway_addresses, cfg->gateway_addrs, &cfg->n_gateway_addrs);
    read_addresses("parent_proxies", pref_parent_proxies, cfg->parent_proxies, &cfg->n_parent_proxies);
}

static void mwg502_init(void)
{
    mwg_config cfg;
    config_from_prefs(&cfg);
    correlator = mwg_correlator_new(&cfg);
    mwg_store_init();
}

static void mwg502_cleanup(void)
{
    mwg_correlator_free(correlator);
    correlator = NULL;
    mwg_store_cleanup();
}

/* Hands the verdicts over to the store, in order. */
static void store_all(GPtrArray *verdicts)
{
    while (verdicts->len)
        mwg_store_add(g_ptr_array_steal_index(verdicts, 0));
}

/* The first sequential pass is over (tshark -2 and Wireshark call this;
 * a single-pass tshark never does): error responses still waiting for
 * their end get their verdicts, and the engine's tables are freed, as
 * later passes only show what is stored. */
static void mwg502_first_pass_done(void)
{
    if (!correlator)
        return;
    GPtrArray *verdicts = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    mwg_correlator_finish(correlator, verdicts);
    store_all(verdicts);
    g_ptr_array_free(verdicts, TRUE);
    mwg_correlator_free(correlator);
    correlator = NULL;
    mwg_store_first_pass_done();
}

/* First pass: the frame's facts go to the engine; what it concludes goes
 * to the store (a verdict may belong to an earlier frame: an error
 * response whose end never came). */
/* Whether the store may now hold anything for the frame: on the first pass
 * only what feeding it gave (most frames give nothing, and are spared the
 * store's lookups). */
static bool correlate_frame(tvbuff_t *tvb, packet_info *pinfo)
{
    /* Dissection is single-threaded; a static record stays in the cache
     * from frame to frame, which one on the stack would not. */
    static mwg_facts facts;
    static GPtrArray *found;
    if (!mwg_extract(tvb, pinfo, &facts))
        return false;
    if (!found)
        found = g_ptr_array_new_with_free_func((GDestroyNotify)mwg_verdict_free);
    bool gave = mwg_correlator_feed(correlator, &facts, found);
    if (gave)
        store_all(found);
    mwg_frame_notes notes = mwg_correlator_frame_notes(correlator);
    mwg_store_note(pinfo->num, notes);
    return gave || notes.unread || notes.dropped;
}

static int dissect_mwg502(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    bool stored = true;
    if (!PINFO_FD_VISITED(pinfo) && correlator)
        stored = correlate_frame(tvb, pinfo);
    proto_tree *verdict_tree = NULL;
    unsigned n = stored ? mwg_store_count(pinfo->num) : 0;
    /* A read that shows no summary (a plain read, a filter on the cause) is
     * spared its wording. */
    bool worded = n && mwg_render_shows_summary(tree);
    for (unsigned i = 0; i < n; i++) {
        /* The tap reads the verdict after this returns: it lives as long
         * as the packet. */
        mwg_verdict *v = wmem_new(pinfo->pool, mwg_verdict);
        mwg_store_get(pinfo->num, i, v);
        if (worded) {
            char *summary = mwg_verdict_summary(v);
            v->summary = wmem_strdup(pinfo->pool, summary);
            g_free(summary);
        }
        proto_tree *t = mwg_render_verdict(tvb, pinfo, tree, v);
        if (!verdict_tree)
            verdict_tree = t;
        mwg_tap_record *rec = wmem_new(pinfo->pool, mwg_tap_record);
        *rec = (mwg_tap_record){ v, { 0, 0 } };
        tap_queue_packet(mwg502_tap, pinfo, rec);
    }
    mwg_frame_notes notes = stored ? mwg_store_notes(pinfo->num) : (mwg_frame_notes){ 0, 0 };
    if (notes.unread)
        mwg_render_unread(tvb, pinfo, tree, notes.unread);
    if (notes.dropped & MWG_DROP_LATE_RESPONSE)
        mwg_render_late_response(tvb, pinfo, tree);
    if (notes.unread || notes.dropped) {
        mwg_tap_record *rec = wmem_new(pinfo->pool, mwg_tap_record);
        *rec = (mwg_tap_record){ NULL, notes };
        tap_queue_packet(mwg502_tap, pinfo, rec);
    }
    /* Links onto a frame are known only once its error frame was seen:
     * they are shown on later passes, the same on all. */
    if (PINFO_FD_VISITED(pinfo)) {
        unsigned n_incidents, n_explains;
        const mwg_frame_link *incidents = mwg_store_incidents(pinfo->num, &n_incidents);
        const mwg_frame_link *explains = mwg_store_explains(pinfo->num, &n_explains);
        if (n_incidents || n_explains)
            mwg_render_links(tvb, tree, verdict_tree, incidents, n_incidents, explains, n_explains);
    }
    /* The frame is taken, as MATE's post-dissector takes it: a dissector
     * that returns 0 has Wireshark take its protocol off the frame's
     * layers again, on every frame.  (With a tree that got no item of
     * ours, Wireshark takes it off anyway; the frame's protocols, listed
     * before post-dissectors run, never show it.) */
    return (int)tvb_captured_length(tvb);
}

static void apply_proxy_ports(void);

/* What the status preference held last time it made sense. */
static range_t *accepted_status_codes;

/* Only HTTP error statuses can be explained: "600-100" or "100-599" would
 * make every 200 OK an error.  A value outside them is refused, said, and
 * the previous one kept. */
static void check_status_codes(void)
{
    bool ok = pref_status_codes && pref_status_codes->nranges > 0;
    for (guint i = 0; ok && i < pref_status_codes->nranges; i++)
        ok = pref_status_codes->ranges[i].low >= MWG_MIN_ERROR_STATUS &&
             pref_status_codes->ranges[i].high <= MWG_MAX_ERROR_STATUS &&
             pref_status_codes->ranges[i].low <= pref_status_codes->ranges[i].high;
    if (ok) {
        wmem_free(wmem_epan_scope(), accepted_status_codes);
        accepted_status_codes = range_copy(wmem_epan_scope(), pref_status_codes);
        return;
    }
    char *given = pref_status_codes ? range_convert_range(NULL, pref_status_codes) : g_strdup("");
    char *kept = range_convert_range(NULL, accepted_status_codes);
    report_failure("mwg502.status_codes \"%s\": only HTTP error statuses (%d-%d) can be explained; "
                   "keeping \"%s\"", given, MWG_MIN_ERROR_STATUS, MWG_MAX_ERROR_STATUS, kept);
    wmem_free(NULL, given);
    wmem_free(NULL, kept);
    wmem_free(wmem_epan_scope(), pref_status_codes);
    pref_status_codes = range_copy(wmem_epan_scope(), accepted_status_codes);
}

/* A window shorter than a second would forget every attempt at once. */
static void check_window(const char *name, guint *value, guint fallback)
{
    if (*value >= MWG_MIN_WINDOW_S)
        return;
    report_failure("mwg502.%s %u: a window must be at least %d s; using %u s", name, *value, MWG_MIN_WINDOW_S,
                   fallback);
    *value = fallback;
}

static void apply_prefs(void)
{
    check_status_codes();
    check_window("dns_window", &pref_dns_window, MWG_DEFAULT_DNS_WINDOW_S);
    check_window("connect_window", &pref_connect_window, MWG_DEFAULT_CONNECT_WINDOW_S);
    check_window("response_timeout", &pref_response_timeout, MWG_DEFAULT_RESPONSE_TIMEOUT_S);
    apply_proxy_ports();
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

    module_t *m = prefs_register_protocol(proto_mwg502, apply_prefs);
    range_convert_str(wmem_epan_scope(), &pref_proxy_ports, G_STRINGIFY(MWG_DEFAULT_PROXY_PORT), 65535);
    prefs_register_range_preference(m, "proxy_ports", "Gateway proxy ports",
        "TCP ports the gateway listens on for clients (MWG: 9090). They are decoded as HTTP.",
        &pref_proxy_ports, 65535);
    range_convert_str(wmem_epan_scope(), &pref_status_codes, G_STRINGIFY(MWG_DEFAULT_STATUS), 999);
    accepted_status_codes = range_copy(wmem_epan_scope(), pref_status_codes);
    prefs_register_range_preference(m, "status_codes", "Error statuses to explain",
        "Gateway response statuses to explain (HTTP errors, 400-599), e.g. 500-504 for proxies that answer "
        "503 or 504",
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

    prefs_register_bool_preference(m, "transparent", "Transparent (intercepting) gateway",
        "The gateway intercepts clients' connections to origins (MWG in WCCP, transparent router or bridge "
        "mode; Squid intercept): requests in origin form from clients are the client leg, the gateway's own "
        "connections the upstream leg", &pref_transparent);
    prefs_register_string_preference(m, "gateway_addresses", "Gateway addresses",
        "The gateway's own IP addresses, comma-separated, where the capture does not show them (the "
        "addresses it answers clients on and sends DNS queries from are learned)", &pref_gateway_addresses);
    prefs_register_string_preference(m, "parent_proxies", "Parent proxies",
        "IP addresses of the next-hop proxies the gateway forwards to, comma-separated: connections to "
        "them are the upstream leg (a gateway's proxy-form requests from its own address are taken for "
        "such a leg anyway)", &pref_parent_proxies);

    register_init_routine(mwg502_init);
    register_cleanup_routine(mwg502_cleanup);
    register_postseq_cleanup_routine(mwg502_first_pass_done);
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
