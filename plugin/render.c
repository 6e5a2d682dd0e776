/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.c - see render.h. */
#include "render.h"

#include <string.h>

#include <epan/expert.h>
#include <epan/tap.h>

static int proto_mwg502 = -1;

static int hf_mwg502_category = -1;
static int hf_mwg502_cause = -1;
static int hf_mwg502_summary = -1;
static int hf_mwg502_advice = -1;
static int hf_mwg502_host = -1;
static int hf_mwg502_status = -1;
static int hf_mwg502_request_frame = -1;
static int hf_mwg502_connect_frame = -1;
static int hf_mwg502_attempt_frame = -1;
static int hf_mwg502_evidence_frame = -1;
static int hf_mwg502_upstream_addr = -1;
static int hf_mwg502_upstream_addr6 = -1;
static int hf_mwg502_upstream_port = -1;
static int hf_mwg502_upstream_status = -1;
static int hf_mwg502_attempts = -1;
static int hf_mwg502_elapsed = -1;
static int hf_mwg502_block_page = -1;
static int hf_mwg502_dns_rcode = -1;
static int hf_mwg502_icmp_type = -1;
static int hf_mwg502_icmp_code = -1;
static int hf_mwg502_incident = -1;
static int hf_mwg502_explains = -1;
static int hf_mwg502_incomplete = -1;
static int hf_mwg502_in_tunnel = -1;
static int hf_mwg502_gateway = -1;
static int hf_mwg502_parent_proxy = -1;
static int hf_mwg502_unread = -1;
static int hf_mwg502_out_of_order = -1;

static gint ett_mwg502 = -1;
static gint ett_mwg502_upstream = -1;

static expert_field ei_mwg502[MWG_CAT_COUNT] = {
    EI_INIT, EI_INIT, EI_INIT, EI_INIT, EI_INIT,
};
static expert_field ei_mwg502_unread = EI_INIT;
static expert_field ei_mwg502_out_of_order = EI_INIT;

static proto_item *add_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *s)
{
    proto_item *it = proto_tree_add_string(tree, hf, tvb, 0, 0, s);
    proto_item_set_generated(it);
    return it;
}

static void add_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item_set_generated(proto_tree_add_uint(tree, hf, tvb, 0, 0, value));
}

static void add_upstream(proto_tree *tree, tvbuff_t *tvb, const mwg_verdict *v)
{
    if (v->upstream.family == 4) {
        guint32 a;
        memcpy(&a, v->upstream.bytes, 4);   /* network order, as Wireshark wants */
        proto_item_set_generated(proto_tree_add_ipv4(tree, hf_mwg502_upstream_addr, tvb, 0, 0, a));
    } else if (v->upstream.family == 6) {
        ws_in6_addr a;
        memcpy(a.bytes, v->upstream.bytes, 16);
        proto_item_set_generated(proto_tree_add_ipv6(tree, hf_mwg502_upstream_addr6, tvb, 0, 0, &a));
    }
    if (v->upstream_port)
        add_uint(tree, hf_mwg502_upstream_port, tvb, v->upstream_port);
}

/* The verdict's subtree; its cause item, which carries the expert info, in
 * *cause_item_out. */
static proto_tree *add_verdict_tree(tvbuff_t *tvb, proto_tree *tree, const mwg_verdict *v, const char *cause,
                                    proto_item **cause_item_out)
{
    proto_item *ti = proto_tree_add_item(tree, proto_mwg502, tvb, 0, 0, ENC_NA);
    proto_item_append_text(ti, ": %s", v->summary ? v->summary : cause);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_mwg502);

    add_string(t, hf_mwg502_category, tvb, mwg_category_token(v->category));
    proto_item *cause_item = add_string(t, hf_mwg502_cause, tvb, cause);
    add_string(t, hf_mwg502_summary, tvb, v->summary ? v->summary : "");
    add_string(t, hf_mwg502_advice, tvb, mwg_verdict_advice(v));
    if (v->host)
        add_string(t, hf_mwg502_host, tvb, v->host);
    add_uint(t, hf_mwg502_status, tvb, v->status);
    if (v->request_frame)
        add_uint(t, hf_mwg502_request_frame, tvb, v->request_frame);
    if (v->connect_frame && v->connect_frame != v->request_frame)
        add_uint(t, hf_mwg502_connect_frame, tvb, v->connect_frame);
    if (v->attempt_frame)
        add_uint(t, hf_mwg502_attempt_frame, tvb, v->attempt_frame);
    if (v->evidence_frame)
        add_uint(t, hf_mwg502_evidence_frame, tvb, v->evidence_frame);
    if (v->upstream.family || v->upstream_port || v->attempts || v->upstream_status) {
        proto_tree *u = proto_tree_add_subtree(t, tvb, 0, 0, ett_mwg502_upstream, NULL, "Upstream");
        add_upstream(u, tvb, v);
        if (v->attempts)
            add_uint(u, hf_mwg502_attempts, tvb, v->attempts);
        if (v->upstream_status)
            add_uint(u, hf_mwg502_upstream_status, tvb, v->upstream_status);
        if (mwg_cause_category(v->cause) == MWG_CAT_HOST_NOT_RESOLVABLE && v->cause != MWG_CAUSE_DNS_NO_RESPONSE &&
            v->cause != MWG_CAUSE_DNS_SERVER_UNREACHABLE)
            add_uint(u, hf_mwg502_dns_rcode, tvb, v->dns_rcode);
        if (v->icmp.version) {
            add_uint(u, hf_mwg502_icmp_type, tvb, v->icmp.type);
            add_uint(u, hf_mwg502_icmp_code, tvb, v->icmp.code);
        }
    }
    if (v->request_frame) {
        nstime_t elapsed;
        elapsed.secs = (time_t)(v->elapsed_ns / 1000000000);
        elapsed.nsecs = (int)(v->elapsed_ns % 1000000000);
        proto_item_set_generated(proto_tree_add_time(t, hf_mwg502_elapsed, tvb, 0, 0, &elapsed));
    }
    if (v->block_page_recognised && v->block_page != MWG_CAT_UNKNOWN)
        add_string(t, hf_mwg502_block_page, tvb, mwg_category_token(v->block_page));
    if (v->incomplete)
        proto_item_set_generated(proto_tree_add_boolean(t, hf_mwg502_incomplete, tvb, 0, 0, TRUE));
    if (v->in_tunnel)
        proto_item_set_generated(proto_tree_add_boolean(t, hf_mwg502_in_tunnel, tvb, 0, 0, TRUE));
    if (v->gateway != MWG_GW_UNKNOWN)
        add_string(t, hf_mwg502_gateway, tvb, mwg_gateway_name(v->gateway));
    if (v->via_parent)
        proto_item_set_generated(proto_tree_add_boolean(t, hf_mwg502_parent_proxy, tvb, 0, 0, TRUE));
    *cause_item_out = cause_item;
    return t;
}

/* The expert tap (tshark -z expert, the GUI's Expert Information): Wireshark's
 * own, registered after the handoffs, so looked up when first needed. */
static bool expert_tap_listened(void)
{
    static int expert_tap;      /* 0: not found yet (tap ids start at 1) */
    if (!expert_tap)
        expert_tap = find_tap_id("expert");
    return expert_tap && have_tap_listener(expert_tap);
}

proto_tree *mwg_render_verdict(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, const mwg_verdict *v)
{
    const char *cause = mwg_cause_token(v->cause);
    const char *host = v->host ? v->host : "?";
    /* "[502: dns_nxdomain, host]" after a space, in one call without a
     * printf: every error of a flood comes here, with or without a tree,
     * and each separate append walks the whole Info text again. */
    char status[4] = { (char)('0' + v->status / 100 % 10), (char)('0' + v->status / 10 % 10),
                       (char)('0' + v->status % 10), '\0' };
    const char *info = col_get_text(pinfo->cinfo, COL_INFO);
    col_append_lstr(pinfo->cinfo, COL_INFO, info && *info ? " [" : "[", status, ": ", cause, ", ", host, "]",
                    COL_ADD_LSTR_TERMINATOR);

    /* A plain read has no tree: its two dozen items are not even tried. */
    proto_item *cause_item = NULL;
    proto_tree *t = tree ? add_verdict_tree(tvb, tree, v, cause, &cause_item) : NULL;
    unsigned cat = v->category < MWG_CAT_COUNT ? v->category : MWG_CAT_UNKNOWN;
    /* Without a tree, an expert info shows only to the expert tap, in an
     * Expert column, or in the highest severity the GUI's status bar
     * shows; a plain read of a flood has none of them, and an entry costs
     * as much as the Info text. */
    if (!tree && !expert_tap_listened() && !col_get_text(pinfo->cinfo, COL_EXPERT) &&
        expert_get_highest_severity() >= PI_ERROR)
        return t;
    /* Unworded, the text is seen by nobody: the expert info still counts,
     * with its own words. */
    if (v->summary)
        expert_add_info_format(pinfo, cause_item, &ei_mwg502[cat], "%s", v->summary);
    else
        expert_add_info(pinfo, cause_item, &ei_mwg502[cat]);
    return t;
}

bool mwg_render_shows_summary(proto_tree *tree)
{
    /* The summary is also the expert info's text: in the tree's expert
     * item, and for the expert tap, which sees it with or without a tree. */
    static int hf_expert_message = -2;
    if (hf_expert_message == -2)
        hf_expert_message = proto_registrar_get_id_byname("_ws.expert.message");
    if (tree && (proto_field_is_referenced(tree, hf_mwg502_summary) ||
                 (hf_expert_message >= 0 && proto_field_is_referenced(tree, hf_expert_message))))
        return true;
    return expert_tap_listened();
}

void mwg_render_links(tvbuff_t *tvb, proto_tree *tree, proto_tree *verdict_tree, const mwg_frame_link *incidents,
                      unsigned n_incidents, const mwg_frame_link *explains, unsigned n_explains)
{
    proto_tree *t = verdict_tree;
    proto_item *ti = NULL;
    if (!t) {
        ti = proto_tree_add_item(tree, proto_mwg502, tvb, 0, 0, ENC_NA);
        proto_item_set_generated(ti);
        t = proto_item_add_subtree(ti, ett_mwg502);
    }
    for (unsigned i = 0; i < n_incidents; i++)
        add_uint(t, hf_mwg502_incident, tvb, incidents[i].error_frame);
    for (unsigned i = 0; i < n_explains; i++)
        add_uint(t, hf_mwg502_explains, tvb, explains[i].error_frame);
    if (ti && n_incidents)
        proto_item_append_text(ti, ": part of the incident of frame %u", incidents[0].error_frame);
}

static const char *unread_words(unsigned kinds)
{
    static const char *const words[8] = {
        "", "HTTP", "DNS", "HTTP and DNS", "ICMP", "HTTP and ICMP", "DNS and ICMP", "HTTP, DNS and ICMP",
    };
    return words[kinds & 7];
}

void mwg_render_unread(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, unsigned kinds)
{
    proto_item *ti = proto_tree_add_item(tree, proto_mwg502, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_mwg502);
    proto_item *it = add_string(t, hf_mwg502_unread, tvb, unread_words(kinds));
    proto_item_append_text(ti, ": could not read the %s Wireshark dissected here", unread_words(kinds));
    expert_add_info_format(pinfo, it, &ei_mwg502_unread,
                           "mwg502 could not read the %s Wireshark dissected in this frame; verdicts may lack it",
                           unread_words(kinds));
}

void mwg_render_late_response(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree)
{
    proto_item *ti = proto_tree_add_item(tree, proto_mwg502, tvb, 0, 0, ENC_NA);
    proto_item_set_generated(ti);
    proto_tree *t = proto_item_add_subtree(ti, ett_mwg502);
    proto_item *it = add_string(t, hf_mwg502_out_of_order, tvb, "HTTP response");
    proto_item_append_text(ti, ": an HTTP response captured out of order, not explained");
    expert_add_info_format(pinfo, it, &ei_mwg502_out_of_order,
                           "An HTTP response begins in this segment, captured after the ones that follow it: "
                           "Wireshark shows it only with tcp.reassemble_out_of_order, and mwg502 does not explain it");
}

void mwg_render_register(int proto)
{
    static hf_register_info hf[] = {
        { &hf_mwg502_category,
          { "Category", "mwg502.category", FT_STRING, BASE_NONE, NULL, 0x0,
            "Block-page family: host_not_resolvable, cannot_connect, bad_response, upstream_error, unknown", HFILL } },
        { &hf_mwg502_cause,
          { "Cause", "mwg502.cause", FT_STRING, BASE_NONE, NULL, 0x0,
            "Why the gateway answered with an error", HFILL } },
        { &hf_mwg502_summary,
          { "Summary", "mwg502.summary", FT_STRING, BASE_NONE, NULL, 0x0, NULL, HFILL } },
        { &hf_mwg502_advice,
          { "Advice", "mwg502.advice", FT_STRING, BASE_NONE, NULL, 0x0, "The usual fix", HFILL } },
        { &hf_mwg502_host,
          { "Host", "mwg502.host", FT_STRING, BASE_NONE, NULL, 0x0, "The requested host", HFILL } },
        { &hf_mwg502_status,
          { "Gateway status", "mwg502.status", FT_UINT16, BASE_DEC, NULL, 0x0,
            "The error status the gateway sent the client", HFILL } },
        { &hf_mwg502_connect_frame,
          { "Tunnel opened by CONNECT in frame", "mwg502.connect_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0,
            "The client's CONNECT whose TLS tunnel the request came through (the gateway's work for the host "
            "may begin there)", HFILL } },
        { &hf_mwg502_request_frame,
          { "Client request in frame", "mwg502.request_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_REQUEST), 0x0, NULL, HFILL } },
        { &hf_mwg502_attempt_frame,
          { "Upstream attempt in frame", "mwg502.attempt_frame", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "First frame of the decisive upstream attempt", HFILL } },
        { &hf_mwg502_evidence_frame,
          { "Evidence in frame", "mwg502.evidence_frame", FT_FRAMENUM, BASE_NONE,
            FRAMENUM_TYPE(FT_FRAMENUM_RESPONSE), 0x0, "The frame that decides the cause", HFILL } },
        { &hf_mwg502_upstream_addr,
          { "Upstream address", "mwg502.upstream.addr", FT_IPv4, BASE_NONE, NULL, 0x0,
            "The destination, or the DNS server for DNS causes", HFILL } },
        { &hf_mwg502_upstream_addr6,
          { "Upstream address", "mwg502.upstream.addr6", FT_IPv6, BASE_NONE, NULL, 0x0,
            "The destination, or the DNS server for DNS causes", HFILL } },
        { &hf_mwg502_upstream_port,
          { "Upstream port", "mwg502.upstream.port", FT_UINT16, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_mwg502_upstream_status,
          { "Origin status", "mwg502.upstream.status", FT_UINT16, BASE_DEC, NULL, 0x0,
            "The status the origin server itself answered", HFILL } },
        { &hf_mwg502_attempts,
          { "Attempts", "mwg502.attempts", FT_UINT32, BASE_DEC, NULL, 0x0,
            "SYNs or DNS queries sent", HFILL } },
        { &hf_mwg502_elapsed,
          { "Elapsed", "mwg502.elapsed", FT_RELATIVE_TIME, BASE_NONE, NULL, 0x0,
            "Client request to gateway error", HFILL } },
        { &hf_mwg502_block_page,
          { "Block page", "mwg502.block_page", FT_STRING, BASE_NONE, NULL, 0x0,
            "Family named by the gateway's error page", HFILL } },
        { &hf_mwg502_dns_rcode,
          { "DNS reply code", "mwg502.dns.rcode", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_mwg502_icmp_type,
          { "ICMP type", "mwg502.icmp.type", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_mwg502_icmp_code,
          { "ICMP code", "mwg502.icmp.code", FT_UINT8, BASE_DEC, NULL, 0x0, NULL, HFILL } },
        { &hf_mwg502_incident,
          { "Incident", "mwg502.incident", FT_UINT32, BASE_DEC, NULL, 0x0,
            "The gateway error frame whose incident this frame belongs to", HFILL } },
        { &hf_mwg502_explains,
          { "Explains", "mwg502.explains", FT_FRAMENUM, BASE_NONE, NULL, 0x0,
            "A gateway error this frame is the evidence of", HFILL } },
        { &hf_mwg502_incomplete,
          { "Error response incomplete", "mwg502.incomplete", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The error response never arrived whole (the connection ended, or the capture did): this frame "
            "holds its status line", HFILL } },
        { &hf_mwg502_in_tunnel,
          { "Error not visible without keys", "mwg502.in_tunnel", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The gateway opened this TLS tunnel (200 to the CONNECT), then its work for the host failed: its error "
            "response travels inside the client's TLS, which the capture's key log does not decrypt", HFILL } },
        { &hf_mwg502_gateway,
          { "Gateway", "mwg502.gateway", FT_STRING, BASE_NONE, NULL, 0x0,
            "The kind of proxy that answered, by its Server header or error page (the advice speaks its terms)",
            HFILL } },
        { &hf_mwg502_parent_proxy,
          { "Failing hop is a parent proxy", "mwg502.parent_proxy", FT_BOOLEAN, BASE_NONE, NULL, 0x0,
            "The upstream that failed is the gateway's next-hop (parent) proxy, not the origin", HFILL } },
        { &hf_mwg502_unread,
          { "Not read by mwg502", "mwg502.unread", FT_STRING, BASE_NONE, NULL, 0x0,
            "Protocols Wireshark dissected in this frame that mwg502 could not read", HFILL } },
        { &hf_mwg502_out_of_order,
          { "Captured out of order", "mwg502.out_of_order", FT_STRING, BASE_NONE, NULL, 0x0,
            "A message begins in this segment, captured after those that follow it, which Wireshark does not "
            "show with its TCP settings: mwg502 does not explain it", HFILL } },
    };
    static gint *ett[] = { &ett_mwg502, &ett_mwg502_upstream };
    static ei_register_info ei[] = {
        { &ei_mwg502[MWG_CAT_HOST_NOT_RESOLVABLE],
          { "mwg502.expert.host_not_resolvable", PI_RESPONSE_CODE, PI_ERROR, "Host not resolvable", EXPFILL } },
        { &ei_mwg502[MWG_CAT_CANNOT_CONNECT],
          { "mwg502.expert.cannot_connect", PI_SEQUENCE, PI_ERROR, "Cannot connect", EXPFILL } },
        { &ei_mwg502[MWG_CAT_BAD_RESPONSE],
          { "mwg502.expert.bad_response", PI_RESPONSE_CODE, PI_ERROR, "Bad response", EXPFILL } },
        { &ei_mwg502[MWG_CAT_UPSTREAM_ERROR],
          { "mwg502.expert.upstream_error", PI_RESPONSE_CODE, PI_WARN, "Error relayed from the origin", EXPFILL } },
        { &ei_mwg502[MWG_CAT_UNKNOWN],
          { "mwg502.expert.unknown", PI_RESPONSE_CODE, PI_ERROR, "Gateway error without upstream evidence",
            EXPFILL } },
        { &ei_mwg502_unread,
          { "mwg502.expert.unread", PI_UNDECODED, PI_NOTE, "Frame mwg502 could not read", EXPFILL } },
        { &ei_mwg502_out_of_order,
          { "mwg502.expert.out_of_order", PI_SEQUENCE, PI_NOTE, "Response captured out of order, not explained",
            EXPFILL } },
    };
    proto_mwg502 = proto;
    proto_register_field_array(proto, hf, array_length(hf));
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto);
    expert_register_field_array(em, ei, array_length(ei));
}
