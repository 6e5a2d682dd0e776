/* extract.c - see extract.h. */
#include "extract.h"

#include <wiretap/wtap.h>

#include "dns_message.h"
#include "headers.h"
#include "http_message.h"

static int proto_dns, proto_http;

void mwg_extract_init(void)
{
    proto_dns = proto_get_id_by_filter_name("dns");
    proto_http = proto_get_id_by_filter_name("http");
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
    guint n = tvb_captured_length(tvb);
    if (n > 0) {
        b.p = tvb_get_ptr(tvb, 0, n);
        b.len = n;
    }
    b.cut = n < tvb_reported_length(tvb);
    return b;
}

/* Where Wireshark found a message that spans segments: it names the buffer
 * it put the segments together in. */
static mwg_bytes message_bytes(packet_info *pinfo, mwg_bytes segment)
{
    tvbuff_t *reassembled = get_data_source_tvb_by_name(pinfo, "Reassembled TCP");
    return reassembled ? tvb_bytes(reassembled) : segment;
}

/* An error page is what names the failure when the upstream leg is not in
 * the capture; read it as the browser would, de-chunked and uncompressed,
 * when the HTTP dissector did that. */
static void prefer_decoded_body(packet_info *pinfo, mwg_facts *f)
{
    if (f->n_responses != 1 || f->responses[0].status < 400)
        return;
    static const char *const sources[] = { "Uncompressed entity body", "De-chunked entity body" };
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
        tvbuff_t *tvb = get_data_source_tvb_by_name(pinfo, sources[i]);
        if (tvb) {
            mwg_bytes b = tvb_bytes(tvb);
            f->responses[0].body = b.p;
            f->responses[0].body_len = b.len;
            return;
        }
    }
}

static bool in_frame(packet_info *pinfo, int proto)
{
    return proto > 0 && wmem_list_find(pinfo->layers, GINT_TO_POINTER(proto)) != NULL;
}

bool mwg_extract(tvbuff_t *frame, packet_info *pinfo, mwg_facts *f)
{
    /* Clamped: a pcapng time stamp may lie centuries away, past int64 ns. */
    int64_t secs = CLAMP((int64_t)pinfo->abs_ts.secs, -(INT64_C(1) << 32), INT64_C(1) << 32);
    mwg_facts_reset(f, pinfo->num, secs * 1000000000 + pinfo->abs_ts.nsecs);

    mwg_link link = frame_link(pinfo);
    mwg_bytes bytes = tvb_bytes(frame), payload;
    if (!mwg_decode_headers(link, bytes.p, bytes.len, f, &payload)) {
        /* A large DNS answer comes in IP fragments; Wireshark dissects the
         * datagram in the frame of the last one. */
        tvbuff_t *datagram = get_data_source_tvb_by_name(pinfo, "Reassembled IPv4");
        if (!datagram)
            datagram = get_data_source_tvb_by_name(pinfo, "Reassembled IPv6");
        if (!datagram)
            return false;
        mwg_bytes d = tvb_bytes(datagram);
        if (!mwg_decode_reassembled(link, bytes.p, bytes.len, d.p, d.len, f, &payload))
            return false;
    }
    if (f->icmp_quote != MWG_ICMP_NONE)
        return true;
    /* A bare ACK moves no state: most frames stop here. */
    if (f->is_tcp && f->tcp_payload_len == 0 && !(f->tcp_flags & (MWG_TCP_SYN | MWG_TCP_RST | MWG_TCP_FIN)))
        return false;

    if (f->is_tcp && in_frame(pinfo, proto_http)) {
        mwg_bytes m = message_bytes(pinfo, payload);
        mwg_decode_http(m.p, m.len, m.cut, f);
        prefer_decoded_body(pinfo, f);
    }
    /* DNS over TCP is on port 53 only; checking every TCP segment for it
     * would cost a walk of the frame's protocols each. */
    bool dns_port = f->is_udp || f->flow.src.port == 53 || f->flow.dst.port == 53;
    if (dns_port && in_frame(pinfo, proto_dns)) {
        mwg_bytes m = f->is_tcp ? message_bytes(pinfo, payload) : payload;
        /* DNS over TCP: each message behind a two-byte length */
        if (f->is_tcp && m.len >= 2) {
            m.p += 2;
            m.len -= 2;
        }
        if (m.p)
            mwg_decode_dns(m.p, m.len, f);
    }
    return true;
}
