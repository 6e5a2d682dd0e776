/* extract.c - see extract.h. */
#define _GNU_SOURCE     /* memmem */
#include "extract.h"

#include <string.h>

#include <epan/proto.h>

#include "compat.h"

enum {
    F_TCP_FLAGS,
    F_HTTP_METHOD, F_HTTP_URI, F_HTTP_HOST, F_HTTP_CODE,
    F_DNS_ID, F_DNS_QRY_NAME, F_DNS_QRY_TYPE, F_DNS_A, F_DNS_AAAA,
    F_ICMP_TYPE, F_ICMPV6_TYPE,
    F_COUNT
};

static const char *const field_names[F_COUNT] = {
    [F_TCP_FLAGS] = "tcp.flags",
    [F_HTTP_METHOD] = "http.request.method",
    [F_HTTP_URI] = "http.request.uri",
    [F_HTTP_HOST] = "http.host",
    [F_HTTP_CODE] = "http.response.code",
    [F_DNS_ID] = "dns.id",
    [F_DNS_QRY_NAME] = "dns.qry.name",
    [F_DNS_QRY_TYPE] = "dns.qry.type",
    [F_DNS_A] = "dns.a",
    [F_DNS_AAAA] = "dns.aaaa",
    [F_ICMP_TYPE] = "icmp.type",
    [F_ICMPV6_TYPE] = "icmpv6.type",
};

static int hf[F_COUNT];

#define MAX_MESSAGE_SCAN (64 * 1024)    /* of an error response: headers and page */
static int proto_tcp, proto_udp, proto_dns, proto_http, proto_icmp, proto_icmpv6;

void mwg_extract_want_fields(dissector_handle_t postdissector, bool enabled)
{
    GArray *wanted = NULL;
    if (enabled) {
        wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
        for (int i = 0; i < F_COUNT; i++)
            if (hf[i] > 0)
                g_array_append_val(wanted, hf[i]);
    }
    set_postdissector_wanted_hfids(postdissector, wanted);   /* takes ownership */
}

void mwg_extract_init(void)
{
    for (int i = 0; i < F_COUNT; i++)
        hf[i] = proto_registrar_get_id_byname(field_names[i]);
    proto_tcp = proto_get_id_by_filter_name("tcp");
    proto_udp = proto_get_id_by_filter_name("udp");
    proto_dns = proto_get_id_by_filter_name("dns");
    proto_http = proto_get_id_by_filter_name("http");
    proto_icmp = proto_get_id_by_filter_name("icmp");
    proto_icmpv6 = proto_get_id_by_filter_name("icmpv6");
}

typedef struct {
    bool tcp, udp, dns, http, icmp, icmpv6;
} layers;

static layers frame_layers(packet_info *pinfo)
{
    layers l = { 0 };
    for (wmem_list_frame_t *it = wmem_list_head(pinfo->layers); it; it = wmem_list_frame_next(it)) {
        int id = GPOINTER_TO_INT(wmem_list_frame_data(it));
        l.tcp |= id == proto_tcp;
        l.udp |= id == proto_udp;
        l.dns |= id == proto_dns;
        l.http |= id == proto_http;
        l.icmp |= id == proto_icmp;
        l.icmpv6 |= id == proto_icmpv6;
    }
    return l;
}

static GPtrArray *fields(proto_tree *tree, int which)
{
    return hf[which] > 0 ? proto_get_finfo_ptr_array(tree, hf[which]) : NULL;
}

static field_info *first_field(proto_tree *tree, int which)
{
    GPtrArray *a = fields(tree, which);
    return a && a->len ? g_ptr_array_index(a, 0) : NULL;
}

/* Bytes of a field, or NULL when the capture does not hold them all. */
static const guint8 *field_bytes(const field_info *fi, gint want)
{
    if (!fi->ds_tvb || fi->start < 0 || want <= 0)
        return NULL;
    if (tvb_captured_length_remaining(fi->ds_tvb, fi->start) < want)
        return NULL;
    return tvb_get_ptr(fi->ds_tvb, fi->start, want);
}

static bool read_endpoint(const address *a, guint32 port, mwg_endpoint *e)
{
    memset(e, 0, sizeof *e);
    if (a->type == AT_IPv4 && a->len == 4) {
        e->addr.family = 4;
        memcpy(e->addr.bytes, a->data, 4);
    } else if (a->type == AT_IPv6 && a->len == 16) {
        e->addr.family = 6;
        memcpy(e->addr.bytes, a->data, 16);
    } else {
        return false;
    }
    e->port = (uint16_t)port;
    return true;
}

/* The header an ICMP error quotes: which flow the failed packet belonged to.
 * ICMP type and ICMPv6 type start their 8-byte headers; the quoted IP header
 * follows.  Only the first 4 bytes of the quoted transport header (the
 * ports) are needed, which even an 8-byte quote holds. */
static bool read_icmp_error(field_info *type_fi, bool v6, mwg_facts *f)
{
    const guint8 *h = field_bytes(type_fi, 8);
    if (!h)
        return false;
    unsigned type = h[0], code = h[1];
    if (v6 ? type != 1 : type != 3)
        return false;
    tvbuff_t *tvb = type_fi->ds_tvb;
    gint ip = type_fi->start + 8;
    gint avail = tvb_captured_length_remaining(tvb, ip);
    mwg_flow *q = &f->icmp_quoted;
    unsigned proto;
    gint l4;
    memset(q, 0, sizeof *q);
    if (!v6) {
        if (avail < 20)
            return false;
        guint8 vihl = tvb_get_uint8(tvb, ip);
        if (vihl >> 4 != 4 || (vihl & 0x0f) < 5)
            return false;
        proto = tvb_get_uint8(tvb, ip + 9);
        q->src.addr.family = q->dst.addr.family = 4;
        tvb_memcpy(tvb, q->src.addr.bytes, ip + 12, 4);
        tvb_memcpy(tvb, q->dst.addr.bytes, ip + 16, 4);
        l4 = ip + (vihl & 0x0f) * 4;
    } else {
        if (avail < 40 || tvb_get_uint8(tvb, ip) >> 4 != 6)
            return false;
        proto = tvb_get_uint8(tvb, ip + 6);
        q->src.addr.family = q->dst.addr.family = 6;
        tvb_memcpy(tvb, q->src.addr.bytes, ip + 8, 16);
        tvb_memcpy(tvb, q->dst.addr.bytes, ip + 24, 16);
        l4 = ip + 40;
    }
    if ((proto != 6 && proto != 17) || tvb_captured_length_remaining(tvb, l4) < 4)
        return false;
    q->src.port = tvb_get_ntohs(tvb, l4);
    q->dst.port = tvb_get_ntohs(tvb, l4 + 2);
    f->icmp_quote = proto == 6 ? MWG_ICMP_QUOTES_TCP : MWG_ICMP_QUOTES_UDP;
    f->icmp_version = v6 ? 6 : 4;
    f->icmp_type = type;
    f->icmp_code = code;
    return true;
}

/* Where the TCP segment ends in 'tvb', given where its header starts: from
 * the IP header right before it (IPv4 total length, or IPv6 payload length
 * when no extension header intervenes), else at the end of the data source,
 * which then holds nothing but the segment (reassembled IP, IPv6 frames are
 * never padded). Link-layer padding after a short IPv4 segment must not be
 * taken for payload. */
static gint segment_end(tvbuff_t *tvb, gint tcp)
{
    for (gint ihl = 5; ihl <= 15; ihl++) {
        gint ip = tcp - ihl * 4;
        if (ip < 0 || tvb_captured_length_remaining(tvb, ip) < 20)
            break;
        if (tvb_get_uint8(tvb, ip) == (0x40 | ihl) && tvb_get_uint8(tvb, ip + 9) == 6)
            return ip + tvb_get_ntohs(tvb, ip + 2);
    }
    gint ip6 = tcp - 40;
    if (ip6 >= 0 && tvb_get_uint8(tvb, ip6) >> 4 == 6 && tvb_get_uint8(tvb, ip6 + 6) == 6)
        return tcp + tvb_get_ntohs(tvb, ip6 + 4);
    return (gint)tvb_reported_length(tvb);
}

/* tcp.flags alone: it sits 12 bytes into the TCP header, which gives the
 * header length and so the payload.  Asking Wireshark for tcp.payload as well
 * would cost a second field on every data segment. */
static void read_tcp(proto_tree *tree, mwg_facts *f)
{
    field_info *flags = first_field(tree, F_TCP_FLAGS);
    if (!flags)
        return;
    f->has_tcp_flags = true;
    f->tcp_flags = (uint8_t)mwg_fi_uint(flags);
    tvbuff_t *tvb = flags->ds_tvb;
    gint tcp = flags->start - 12;
    if (!tvb || tcp < 0 || tvb_captured_length_remaining(tvb, tcp) < 20)
        return;
    gint payload = tcp + (tvb_get_uint8(tvb, tcp + 12) >> 4) * 4;
    gint end = MIN(segment_end(tvb, tcp), (gint)tvb_reported_length(tvb));
    if (payload < tcp + 20 || end <= payload)
        return;
    f->tcp_payload_len = (uint32_t)(end - payload);
    gint n = MIN(end - payload, MWG_PAYLOAD_HEAD);
    n = MIN(n, tvb_captured_length_remaining(tvb, payload));
    if (n > 0) {
        tvb_memcpy(tvb, f->payload_head, payload, n);
        f->payload_head_len = (unsigned)n;
    }
}

/* The field of 'which' that belongs to the message starting at 'fi': the
 * first one after it in the same data source and before the next message. */
static field_info *same_message(proto_tree *tree, int which, const field_info *fi, const field_info *next)
{
    GPtrArray *a = fields(tree, which);
    for (guint i = 0; a && i < a->len; i++) {
        field_info *x = g_ptr_array_index(a, i);
        if (x->ds_tvb != fi->ds_tvb || x->start < fi->start)
            continue;
        if (next && next->ds_tvb == fi->ds_tvb && x->start >= next->start)
            continue;
        return x;
    }
    return NULL;
}

static void read_http(proto_tree *tree, mwg_facts *f)
{
    GPtrArray *methods = fields(tree, F_HTTP_METHOD);
    for (guint i = 0; methods && i < methods->len && f->n_requests < MWG_MAX_HTTP_PER_FRAME; i++) {
        field_info *m = g_ptr_array_index(methods, i);
        field_info *next = i + 1 < methods->len ? g_ptr_array_index(methods, i + 1) : NULL;
        field_info *uri = same_message(tree, F_HTTP_URI, m, next);
        field_info *host = same_message(tree, F_HTTP_HOST, m, next);
        mwg_http_request *r = &f->requests[f->n_requests++];
        r->method = mwg_fi_string(m);
        r->uri = uri ? mwg_fi_string(uri) : NULL;
        r->host_header = host ? mwg_fi_string(host) : NULL;
    }
    GPtrArray *codes = fields(tree, F_HTTP_CODE);
    for (guint i = 0; codes && i < codes->len && f->n_responses < MWG_MAX_HTTP_PER_FRAME; i++) {
        field_info *code = g_ptr_array_index(codes, i);
        mwg_http_response *r = &f->responses[f->n_responses++];
        r->status = mwg_fi_uint(code);
        r->body = NULL;
        r->body_len = 0;
    }
    /* The body names the block page of an error response.  It follows the
     * headers in the message's own data source (reassembled when the
     * response spans segments); asking for http.file_data instead would make
     * Wireshark copy every body of the capture into a string. */
    if (f->n_responses == 1 && f->responses[0].status >= 400) {
        field_info *code = g_ptr_array_index(codes, 0);
        gint avail = MIN(tvb_captured_length_remaining(code->ds_tvb, code->start), MAX_MESSAGE_SCAN);
        const guint8 *msg = avail > 0 ? tvb_get_ptr(code->ds_tvb, code->start, avail) : NULL;
        const guint8 *end = msg ? memmem(msg, (size_t)avail, "\r\n\r\n", 4) : NULL;
        if (end) {
            f->responses[0].body = end + 4;
            f->responses[0].body_len = (size_t)(msg + avail - (end + 4));
        }
    }
}

static void read_dns(proto_tree *tree, mwg_facts *f)
{
    field_info *id = first_field(tree, F_DNS_ID);
    const guint8 *hdr = id ? field_bytes(id, 12) : NULL;
    field_info *name = first_field(tree, F_DNS_QRY_NAME);
    if (!hdr || !name)
        return;
    f->has_dns = true;
    f->dns_id = (uint16_t)(hdr[0] << 8 | hdr[1]);
    f->dns_is_response = (hdr[2] & 0x80) != 0;
    f->dns_rcode = hdr[3] & 0x0f;
    f->dns_qname = mwg_fi_string(name);
    field_info *qtype = first_field(tree, F_DNS_QRY_TYPE);
    f->dns_qtype = qtype ? (uint16_t)mwg_fi_uint(qtype) : 0;
    unsigned answers = (unsigned)(hdr[6] << 8 | hdr[7]);
    if (!f->dns_is_response || answers == 0)
        return;
    /* Only records of this message's answer count: glue records in the
     * additional section do not mean the name resolved. */
    static const struct { int field; gint len; uint8_t family; } kinds[] = {
        { F_DNS_A, 4, 4 }, { F_DNS_AAAA, 16, 6 },
    };
    for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
        GPtrArray *a = fields(tree, kinds[k].field);
        for (guint i = 0; a && i < a->len && f->n_dns_addrs < MIN(answers, MWG_MAX_DNS_ADDRS); i++) {
            field_info *fi = g_ptr_array_index(a, i);
            const guint8 *b = fi->ds_tvb == id->ds_tvb ? field_bytes(fi, kinds[k].len) : NULL;
            if (!b)
                continue;
            mwg_addr *addr = &f->dns_addrs[f->n_dns_addrs++];
            memset(addr, 0, sizeof *addr);
            addr->family = kinds[k].family;
            memcpy(addr->bytes, b, (size_t)kinds[k].len);
        }
    }
}

bool mwg_extract(packet_info *pinfo, proto_tree *tree, mwg_facts *f)
{
    if (!tree)
        return false;
    layers l = frame_layers(pinfo);
    if (!l.tcp && !l.udp && !l.icmp && !l.icmpv6)
        return false;
    memset(f, 0, sizeof *f);
    f->frame = pinfo->num;
    /* Clamped: a pcapng time stamp may lie centuries away, past int64 ns. */
    int64_t secs = CLAMP((int64_t)pinfo->abs_ts.secs, -(INT64_C(1) << 32), INT64_C(1) << 32);
    f->ts_ns = secs * 1000000000 + pinfo->abs_ts.nsecs;

    if (l.icmp || l.icmpv6) {
        field_info *type = first_field(tree, l.icmp ? F_ICMP_TYPE : F_ICMPV6_TYPE);
        if (type && read_icmp_error(type, !l.icmp, f)) {
            mwg_endpoint outer;
            if (read_endpoint(&pinfo->net_src, 0, &outer))
                f->icmp_reporter = outer.addr;
            return true;
        }
        if (!l.tcp && !l.udp)
            return false;
    }
    f->is_tcp = pinfo->ptype == PT_TCP;
    f->is_udp = pinfo->ptype == PT_UDP;
    if (!f->is_tcp && !f->is_udp)
        return false;
    if (!read_endpoint(&pinfo->src, pinfo->srcport, &f->flow.src) ||
        !read_endpoint(&pinfo->dst, pinfo->destport, &f->flow.dst))
        return false;
    if (f->is_tcp) {
        read_tcp(tree, f);
        /* A bare ACK moves no state: most frames stop here. */
        if (!l.http && f->tcp_payload_len == 0 && f->has_tcp_flags &&
            !(f->tcp_flags & (MWG_TCP_SYN | MWG_TCP_RST | MWG_TCP_FIN)))
            return false;
    }
    if (l.http)
        read_http(tree, f);
    if (l.dns)
        read_dns(tree, f);
    return true;
}
