/* SPDX-License-Identifier: GPL-2.0-or-later */
/* extract.c - see extract.h. */
#include "extract.h"

#include <string.h>

#include <epan/proto_data.h>
#include <wiretap/wtap.h>

#include "compat.h"
#include "dns_message.h"
#include "headers.h"

static int proto_dns, proto_http, proto_icmp, proto_icmpv6, proto_tls;

void mwg_extract_init(void)
{
    proto_dns = proto_get_id_by_filter_name("dns");
    proto_http = proto_get_id_by_filter_name("http");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
    proto_tls = proto_get_id_by_filter_name("tls");
}

static mwg_link frame_link(const packet_info *pinfo)
{
    if (!pinfo->rec || pinfo->rec->rec_type != REC_TYPE_PACKET)
        return MWG_LINK_UNKNOWN;
    switch (pinfo->rec->rec_header.packet_header.pkt_encap) {
    case WTAP_ENCAP_ETHERNET: return MWG_LINK_ETHERNET;
    case WTAP_ENCAP_SLL: return MWG_LINK_LINUX_SLL;
    case WTAP_ENCAP_SLL2: return MWG_LINK_LINUX_SLL2;
    case WTAP_ENCAP_RAW_IP:
    case WTAP_ENCAP_RAW_IP4:
    case WTAP_ENCAP_RAW_IP6: return MWG_LINK_RAW_IP;
    case WTAP_ENCAP_NULL: return MWG_LINK_NULL;
    case WTAP_ENCAP_LOOP: return MWG_LINK_LOOP;
    case WTAP_ENCAP_PPP: return MWG_LINK_PPP;
    default: return MWG_LINK_UNKNOWN;
    }
}

static mwg_bytes tvb_bytes(tvbuff_t *tvb)
{
    mwg_bytes b = { NULL, 0, false };
    guint n = tvb ? tvb_captured_length(tvb) : 0;
    if (n > 0) {
        b.p = tvb_get_ptr(tvb, 0, n);
        b.len = n;
        b.cut = n < tvb_reported_length(tvb);
    }
    return b;
}

static bool addr_from_pinfo(const address *a, mwg_addr *out)
{
    memset(out, 0, sizeof *out);
    if (a->type == AT_IPv4 && a->len == 4) {
        out->family = 4;
        memcpy(out->bytes, a->data, 4);
        return true;
    }
    if (a->type == AT_IPv6 && a->len == 16) {
        out->family = 6;
        memcpy(out->bytes, a->data, 16);
        return true;
    }
    return false;
}

/* The flow Wireshark's innermost TCP or UDP layer saw; for an ICMP error,
 * the error's own addresses. */
static bool wanted_from_pinfo(const packet_info *pinfo, bool icmp, mwg_wanted *want)
{
    bool ports = pinfo->ptype == PT_TCP || pinfo->ptype == PT_UDP;
    if (!ports && !icmp)
        return false;
    want->tcp = pinfo->ptype == PT_TCP;
    want->icmp_error = icmp;
    want->flow.src.port = ports && !icmp ? (uint16_t)pinfo->srcport : 0;
    want->flow.dst.port = ports && !icmp ? (uint16_t)pinfo->destport : 0;
    return addr_from_pinfo(&pinfo->src, &want->flow.src.addr) && addr_from_pinfo(&pinfo->dst, &want->flow.dst.addr);
}

/* Which of the protocols mwg502 reads Wireshark found in the frame.  (The
 * list differs with a protocol tree for a segment that only starts an HTTP
 * message, so HTTP's own per-frame record decides what HTTP dissected.) */
typedef struct {
    bool http, dns, icmp, tls;
} layers_seen;

static layers_seen walk_layers(const packet_info *pinfo)
{
    layers_seen seen = { false, false, false, false };
    for (wmem_list_frame_t *l = wmem_list_head(pinfo->layers); l; l = wmem_list_frame_next(l)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(l));
        seen.http |= id == proto_http;
        seen.dns |= id == proto_dns;
        seen.icmp |= id == proto_icmp || id == proto_icmpv6;
        seen.tls |= id == proto_tls;
    }
    return seen;
}

static unsigned unread_kinds(layers_seen seen)
{
    return (seen.http ? MWG_UNREAD_HTTP : 0) | (seen.dns ? MWG_UNREAD_DNS : 0) | (seen.icmp ? MWG_UNREAD_ICMP : 0);
}

/* Whether HTTP dissected a message in this frame: its per-frame record
 * names this frame as the request's or the response's. */
static void http_record(packet_info *pinfo, mwg_ws_http *out)
{
    const http_req_res_t *rr = p_get_proto_data(wmem_file_scope(), pinfo, proto_http, HTTP_PROTO_DATA_REQRES);
    if (!rr)
        return;
    if (rr->res_framenum == pinfo->num) {
        out->took_message = out->last_is_response = true;
#ifdef MWG_HTTP_RECORD_HAS_MESSAGE
        out->last_status = rr->response_code;
#endif
    } else if (rr->req_framenum == pinfo->num) {
        out->took_message = true;
#ifdef MWG_HTTP_RECORD_HAS_MESSAGE
        out->last_method = rr->request_method;
#endif
    }
}

/* An error page is what names the failure when the upstream leg is not in
 * the capture; read it as the browser would, de-chunked and uncompressed,
 * when the HTTP dissector did that. */
static mwg_bytes decoded_body(packet_info *pinfo)
{
    static const char *const sources[] = { "Uncompressed entity body", "De-chunked entity body" };
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
        tvbuff_t *tvb = mwg_data_source(pinfo, sources[i]);
        if (tvb)
            return tvb_bytes(tvb);
    }
    return tvb_bytes(NULL);
}

/* What TLS decrypted in the frame and what HTTP/2 decompressed from it,
 * in the order Wireshark made them.  Several records in one frame make
 * several sources of one name, so they are walked, not looked up. */
static void decrypted(packet_info *pinfo, mwg_facts *f)
{
    static const char decrypted_tls[] = "Decrypted TLS (", h2_header[] = "Decompressed Header (",
                      reassembled_tls[] = "Reassembled TLS (";
    /* Most TLS frames (all, without a key log) have nothing decrypted: a
     * lookup by name tells without a label made for every source. */
    if (!mwg_data_source(pinfo, "Decrypted TLS") && !mwg_data_source(pinfo, "Decompressed Header"))
        return;
    for (GSList *l = pinfo->data_src; l; l = l->next) {
        const struct data_source *src = l->data;
        char *label = mwg_data_source_label(src);
        bool is_plain = g_str_has_prefix(label, decrypted_tls), is_h2 = g_str_has_prefix(label, h2_header);
        bool is_pdu = g_str_has_prefix(label, reassembled_tls);
        wmem_free(NULL, label);
        if (is_pdu && !f->tls_reassembled.p)
            f->tls_reassembled = tvb_bytes(get_data_source_tvb(src));
        if (is_plain && f->n_decrypted < MWG_MAX_DECRYPTED)
            f->decrypted[f->n_decrypted++] = tvb_bytes(get_data_source_tvb(src));
        else if (is_h2 && f->n_h2_headers < MWG_MAX_DECRYPTED)
            f->h2_headers[f->n_h2_headers++] = tvb_bytes(get_data_source_tvb(src));
    }
}

static void read_dns(packet_info *pinfo, mwg_facts *f)
{
    mwg_bytes m = f->payload;
    if (f->is_tcp) {
        /* DNS over TCP: each message behind a two-byte length. */
        tvbuff_t *pdu = mwg_data_source(pinfo, "Reassembled TCP");
        if (pdu)
            m = tvb_bytes(pdu);
        if (m.len < 2)
            return;
        m.p += 2;
        m.len -= 2;
    }
    if (!m.p || !mwg_decode_dns(m.p, m.len, f))
        f->unread |= MWG_UNREAD_DNS;
}

bool mwg_extract(tvbuff_t *frame, packet_info *pinfo, mwg_facts *f)
{
    /* Clamped: a pcapng time stamp may lie centuries away, past int64 ns. */
    int64_t secs = CLAMP((int64_t)pinfo->abs_ts.secs, -MWG_MAX_ABS_SECONDS, MWG_MAX_ABS_SECONDS);
    mwg_facts_reset(f, pinfo->num, secs * MWG_NS_PER_S + pinfo->abs_ts.nsecs);

    /* Every frame mwg502 reads has a TCP or UDP flow, or is an ICMP error
     * (quoting one). */
    layers_seen seen = walk_layers(pinfo);
    mwg_wanted want;
    if (!wanted_from_pinfo(pinfo, seen.icmp, &want))
        return false;
    mwg_bytes bytes = tvb_bytes(frame);
    mwg_found found = mwg_decode_headers(frame_link(pinfo), bytes.p, bytes.len, &want, f);
    if (found == MWG_FOUND_FRAGMENT || found == MWG_FOUND_FIRST_FRAGMENT) {
        /* A large DNS answer comes in IP fragments; Wireshark dissects the
         * datagram in the frame of the last one.  A first fragment whose
         * datagram it could not put together (a fragment cut by the snap
         * length) it dissects alone: DNS in its layers says so, and its
         * answers are then cut, not missing. */
        tvbuff_t *datagram = mwg_data_source(pinfo, want.flow.src.addr.family == 4 ? "Reassembled IPv4"
                                                                                 : "Reassembled IPv6");
        mwg_bytes d = tvb_bytes(datagram);
        if (d.p)
            found = mwg_decode_datagram(d.p, d.len, &want, f) ? MWG_FOUND : MWG_NOT_FOUND;
        else
            found = found == MWG_FOUND_FIRST_FRAGMENT && seen.dns ? MWG_FOUND : MWG_NOT_FOUND;
    }
    if (found != MWG_FOUND) {
        f->is_tcp = f->is_udp = false;
        f->unread = unread_kinds(seen);
        return f->unread != 0;
    }
    if (want.icmp_error)
        return f->icmp_quote != MWG_ICMP_NONE;
    f->flow = want.flow;
    /* A bare ACK moves no state: most frames stop here. */
    if (f->is_tcp && f->payload_len == 0 && !(f->tcp_flags & (MWG_TCP_SYN | MWG_TCP_RST | MWG_TCP_FIN)))
        return false;

    if (f->is_tcp && seen.tls) {
        f->tls = true;
        decrypted(pinfo, f);
    }
    if (f->is_tcp) {
        http_record(pinfo, &f->http);
        if (f->http.took_message) {
            f->reassembled = tvb_bytes(mwg_data_source(pinfo, "Reassembled TCP"));
            f->decoded_body = decoded_body(pinfo);
        }
    }
    if (seen.dns)
        read_dns(pinfo, f);
    return true;
}
