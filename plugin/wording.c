/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wording.c - the words people read for a verdict: its one-line summary
 * and the usual fix. */
#include <glib.h>

#include "tls_record.h"
#include "verdict.h"
#include "x509.h"

static const char *icmp_text(const mwg_verdict *v)
{
    if (v->icmp.version == 6) {
        static const char *const v6[] = {
            "no route to destination", "administratively prohibited", "beyond scope of source address",
            "address unreachable", "port unreachable", "source address failed ingress/egress policy",
            "reject route to destination",
        };
        return v->icmp.code < G_N_ELEMENTS(v6) ? v6[v->icmp.code] : "destination unreachable";
    }
    static const char *const v4[] = {
        "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
        "fragmentation needed", "source route failed", "destination network unknown",
        "destination host unknown", "source host isolated", "network administratively prohibited",
        "host administratively prohibited", "network unreachable for TOS", "host unreachable for TOS",
        "communication administratively prohibited", "host precedence violation", "precedence cutoff in effect",
    };
    if (v->icmp.type != 3)
        return "ICMP error";
    return v->icmp.code < G_N_ELEMENTS(v4) ? v4[v->icmp.code] : "destination unreachable";
}

static const char *rcode_text(unsigned rcode)
{
    static const char *const names[] = {
        "No error", "Format error", "Server failure", "No such name", "Not implemented", "Refused",
    };
    return rcode < G_N_ELEMENTS(names) ? names[rcode] : "an error";
}

/* The family the gateway's block page names, NULL where it names none. */
static const char *block_page_says(const mwg_verdict *v)
{
    return v->block_page_recognised && v->block_page != MWG_CAT_UNKNOWN ? mwg_category_token(v->block_page) : NULL;
}

static char *cause_sentence(const mwg_verdict *v)
{
    char up[MWG_ADDR_STRLEN], rep[MWG_ADDR_STRLEN];
    const char *host = v->host ? v->host : "(unknown host)";
    mwg_addr_to_str(&v->upstream, up, sizeof up);
    switch (v->cause) {
    case MWG_CAUSE_DNS_NXDOMAIN:
    case MWG_CAUSE_DNS_SERVFAIL:
    case MWG_CAUSE_DNS_REFUSED:
    case MWG_CAUSE_DNS_ERROR:
        return g_strdup_printf("DNS server %s answered %s (rcode %u) for %s", up, rcode_text(v->dns_rcode),
                               v->dns_rcode, host);
    case MWG_CAUSE_DNS_NODATA:
        return g_strdup_printf("DNS server %s has no address record for %s", up, host);
    case MWG_CAUSE_DNS_NO_RESPONSE:
        if (v->dns_servers > 1)
            return g_strdup_printf("%u DNS servers (the last asked: %s) never answered %u queries for %s",
                                   v->dns_servers, up, v->attempts, host);
        return g_strdup_printf("DNS server %s never answered %u quer%s for %s", up, v->attempts,
                               v->attempts == 1 ? "y" : "ies", host);
    case MWG_CAUSE_DNS_SERVER_UNREACHABLE:
        return g_strdup_printf("DNS server %s unreachable (ICMP %s) while resolving %s", up, icmp_text(v), host);
    case MWG_CAUSE_TCP_SYN_TIMEOUT:
        return g_strdup_printf("No answer from %s port %u to %u SYN%s for %s", up, v->upstream_port,
                               v->attempts, v->attempts == 1 ? "" : "s", host);
    case MWG_CAUSE_TCP_RST:
        return g_strdup_printf("%s port %u refused the connection (RST) for %s", up, v->upstream_port, host);
    case MWG_CAUSE_ICMP_UNREACHABLE:
        return g_strdup_printf("%s reported %s (ICMP%s type %u code %u) for %s port %u, host %s",
                               mwg_addr_to_str(&v->icmp.reporter, rep, sizeof rep), icmp_text(v),
                               v->icmp.version == 6 ? "v6" : "", v->icmp.type, v->icmp.code, up,
                               v->upstream_port, host);
    case MWG_CAUSE_HTTP_INVALID_RESPONSE:
        if (v->header_limit)
            return g_strdup_printf("%s port %u answered with a header block longer than the gateway takes "
                                   "(%zu KB), for %s", up, v->upstream_port, v->header_limit / 1024, host);
        return g_strdup_printf("%s port %u answered with bytes that are not an HTTP response, for %s", up,
                               v->upstream_port, host);
    case MWG_CAUSE_HTTP_RESPONSE_TIMEOUT:
        if (v->gateway_gave_up)
            return g_strdup_printf("%s port %u sent no response to the forwarded request for %s; the gateway "
                                   "gave up after %.0f s and closed the connection", up, v->upstream_port, host,
                                   v->response_wait_s);
        return g_strdup_printf("%s port %u sent no response in %.0f s to the forwarded request for %s", up,
                               v->upstream_port, v->response_wait_s, host);
    case MWG_CAUSE_UPSTREAM_CLOSED:
        return g_strdup_printf("%s port %u closed the connection before any response, for %s", up,
                               v->upstream_port, host);
    case MWG_CAUSE_UPSTREAM_STATUS:
        return g_strdup_printf("The origin %s port %u itself answered %u for %s; the gateway relayed it", up,
                               v->upstream_port, v->upstream_status, host);
    case MWG_CAUSE_TLS_ALERT: {
        const char *name = v->tls_alert_known ? mwg_tls_alert_name(v->tls_alert) : NULL;
        if (!v->tls_alert_known)
            return g_strdup_printf("%s port %u ended the TLS handshake with an alert, for %s", up,
                                   v->upstream_port, host);
        return g_strdup_printf("%s port %u ended the TLS handshake with the alert %s (%u), for %s", up,
                               v->upstream_port, name ? name : "unknown", v->tls_alert, host);
    }
    case MWG_CAUSE_TLS_CLOSED:
        return g_strdup_printf("%s port %u %s the connection during the TLS handshake, for %s", up,
                               v->upstream_port, v->tls_reset ? "reset (RST)" : "closed (FIN)", host);
    case MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT:
        return g_strdup_printf("%s port %u never answered the gateway's TLS ClientHello, for %s", up,
                               v->upstream_port, host);
    case MWG_CAUSE_TLS_NOT_TLS:
        return g_strdup_printf("%s port %u answered the gateway's TLS ClientHello with %s, for %s", up,
                               v->upstream_port, v->tls_plain_http ? "plain HTTP" : "bytes that are not TLS", host);
    case MWG_CAUSE_TLS_HANDSHAKE_REJECTED: {
        if (!(v->cert_problems & MWG_CERT_READ))
            return g_strdup_printf("The gateway ended the TLS handshake with %s port %u after the origin's "
                                   "ServerHello (it did not accept the origin's certificate or parameters), for %s",
                                   up, v->upstream_port, host);
        GString *why = g_string_new(NULL);
        static const struct { unsigned flag; const char *words; } reasons[] = {
            { MWG_CERT_SELF_SIGNED, "self-signed" }, { MWG_CERT_EXPIRED, "expired at capture time" },
            { MWG_CERT_NOT_YET_VALID, "not yet valid at capture time" },
            { MWG_CERT_OTHER_NAME, "issued for another name" },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(reasons); i++)
            if (v->cert_problems & reasons[i].flag)
                g_string_append_printf(why, "%s%s", why->len ? ", " : "", reasons[i].words);
        char *s = why->len ? g_strdup_printf("The gateway refused the certificate of %s port %u (%s), for %s", up,
                                             v->upstream_port, why->str, host)
                           : g_strdup_printf("The gateway refused the TLS handshake of %s port %u although its "
                                             "certificate is neither self-signed, expired nor for another name (an "
                                             "issuer it does not trust, or parameters it refuses), for %s",
                                             up, v->upstream_port, host);
        g_string_free(why, TRUE);
        return s;
    }
    case MWG_CAUSE_NO_UPSTREAM_EVIDENCE:
    default:
        if (v->tls_undecrypted)
            return g_strdup_printf("The gateway's TLS connection to %s port %u for %s got through; what the origin "
                                   "answered is encrypted (a key log of the gateway's own TLS would show it)", up,
                                   v->upstream_port, host);
        const char *page = block_page_says(v);
        if (!v->request_frame && (v->loss & MWG_LOSS_UNMATCHED)) {
            /* The capture may well hold its upstream traffic: what is
             * missing is which request it answers. */
            if (page)
                return g_strdup_printf("No upstream traffic can be tied to this error; the block page says %s", page);
            return g_strdup("No upstream traffic can be tied to this error");
        }
        if (v->silence_unsure) {
            mwg_verdict as_judged = *v;
            as_judged.cause = v->doubted;
            char *sentence = cause_sentence(&as_judged);
            char *s = g_strdup_printf("%s, as far as the capture shows; but a frame that may have been the answer "
                                      "could not be read", sentence);
            g_free(sentence);
            return s;
        }
        if (v->loss & MWG_LOSS_LOOKUPS)
            return g_strdup_printf("Lookups of %s failed or went unanswered while the client waited, and more "
                                   "went out for other clients than mwg502 keeps per name: which of them was this "
                                   "request's cannot be told%s%s", host, page ? "; the block page says " : "",
                                   page ? page : "");
        if (v->dns_pending)
            return g_strdup_printf("The gateway answered while its DNS query for %s was still out, moments old (no "
                                   "resolver gives up that soon): the capture does not show why%s%s", host,
                                   page ? "; the block page says " : "", page ? page : "");
        if (v->dns_answer_cut)
            return g_strdup_printf("The capture's snap length cut the DNS answer for %s: which of the gateway's "
                                   "connection attempts went to its addresses cannot be told", host);
        if (page)
            return g_strdup_printf("No upstream traffic for %s in the capture; the block page says %s", host, page);
        return g_strdup_printf("No upstream traffic for %s in the capture", host);
    }
}

/* What the verdict could not see, said after the cause: a verdict without
 * evidence must not read as "the capture holds nothing" when mwg502 only
 * lost track. */
char *mwg_verdict_summary(const mwg_verdict *v)
{
    GString *s = g_string_new(NULL);
    char *sentence = cause_sentence(v);
    g_string_append(s, sentence);
    g_free(sentence);
    if (v->via_parent) {
        char up[MWG_ADDR_STRLEN];
        g_string_append_printf(s, " (%s is the gateway's parent proxy: the failing hop is the next proxy, not "
                                  "the origin)", mwg_addr_to_str(&v->upstream, up, sizeof up));
    }
    if (v->dns_cached)
        g_string_append(s, " before the request (no lookup went out while the client waited: the gateway "
                           "answered from its DNS cache)");
    if (v->incomplete)
        g_string_append(s, v->capture_cut ? " (the capture kept only the start of the error response: its snap "
                                            "length cut it)"
                                          : " (the error response was cut off: it never arrived whole)");
    if (v->undissected)
        g_string_append(s, " (Wireshark shows this error response as more of the message before it, whose end the "
                           "capture did not hold)");
    if (v->in_tunnel)
        g_string_append(s, " (error not visible without keys: the tunnel this 200 opened carried nothing "
                           "Wireshark decrypted; the gateway's error response, if it sent one, travels inside the "
                           "client's TLS, which the client's key log opens)");
    if (v->loss & MWG_LOSS_REQUEST_QUEUE)
        g_string_append(s, " (more requests waited on the client connection than mwg502 tracks; the request "
                           "it answers is unknown)");
    if (v->loss & MWG_LOSS_REQUEST_GAP)
        g_string_append(s, " (requests on the client connection are missing from the capture; the request it "
                           "answers is unknown)");
    if (v->loss & MWG_LOSS_ANSWER_GAP)
        g_string_append(s, " (answers on the client connection are missing from the capture; the request it "
                           "answers is unknown)");
    if (v->cause == MWG_CAUSE_NO_UPSTREAM_EVIDENCE) {
        if (v->n_candidates) {
            g_string_append(s, " (connection attempts meanwhile to ");
            unsigned named = MIN(v->n_candidates, MWG_MAX_NAMED_CANDIDATES);
            for (unsigned i = 0; i < named; i++) {
                char a[MWG_ADDR_STRLEN];
                g_string_append_printf(s, "%s%s", i == 0 ? "" : i + 1 < named ? ", " : " and ",
                                       mwg_addr_to_str(&v->candidates[i], a, sizeof a));
            }
            if (v->n_candidates > named)
                g_string_append_printf(s, " (%u more)", v->n_candidates - named);
            g_string_append(s, v->dns_answer_cut ? " went to addresses no name in the capture owns: maybe ones "
                                                   "the answer held past the cut, maybe other clients' hosts')"
                                                 : " may have been for it or for other clients' hosts, which the "
                                                   "capture does not resolve either)");
        }
        if (v->loss & MWG_LOSS_EVICTED)
            g_string_append(s, " (mwg502's tables were full and dropped older state: evidence may be missing)");
        if (v->unread_frames)
            g_string_append_printf(s, " (%u frame%s Wireshark dissected while the client waited could not be "
                                      "read by mwg502)", v->unread_frames, v->unread_frames == 1 ? "" : "s");
    }
    return g_string_free(s, FALSE);
}

/* Where the fixes differ by proxy, the words of each; [MWG_GW_UNKNOWN] is
 * the neutral wording for any other. */
static const char *const map_host[MWG_GW_COUNT] = {
    [MWG_GW_UNKNOWN] = "Add an A (or AAAA) record for the host in DNS, or map it in the gateway's hosts file",
    [MWG_GW_MWG] = "Add an A (or AAAA) record for the host in DNS, or map it in the gateway's hosts file "
                   "(Configuration > File Editor > hosts)",
    [MWG_GW_SQUID] = "Add an A (or AAAA) record for the host in DNS, or map it in Squid's hosts file (hosts_file "
                     "in squid.conf, /etc/hosts by default)",
    [MWG_GW_NGINX] = "Add an A (or AAAA) record for the host in the DNS server nginx uses (its resolver directive), "
                     "or map it in /etc/hosts for names nginx resolves at start",
    [MWG_GW_APACHE] = "Add an A (or AAAA) record for the host in DNS, or map it in the proxy host's /etc/hosts",
};

static const char *const dns_failed[MWG_GW_COUNT] = {
    [MWG_GW_UNKNOWN] = "The DNS server failed to resolve the host: check its forwarders and the zone, or map the "
                       "host in the gateway's hosts file",
    [MWG_GW_MWG] = "The DNS server failed to resolve the host: check its forwarders and the zone, or map the host "
                   "in the gateway's hosts file (Configuration > File Editor > hosts)",
    [MWG_GW_SQUID] = "The DNS server failed to resolve the host: check its forwarders and the zone, or map the "
                     "host in Squid's hosts file (hosts_file in squid.conf)",
    [MWG_GW_NGINX] = "The DNS server failed to resolve the host: check its forwarders and the zone (nginx asks "
                     "the server of its resolver directive)",
    [MWG_GW_APACHE] = "The DNS server failed to resolve the host: check its forwarders and the zone, or map the "
                      "host in the proxy host's /etc/hosts",
};

static const char *const syn_timeout[MWG_GW_COUNT] = {
    [MWG_GW_UNKNOWN] = "A firewall between gateway and destination drops the SYNs, or routing is broken: test "
                       "from the gateway host (e.g. curl or nc to the destination) and capture on the next "
                       "upstream device",
    [MWG_GW_MWG] = "A firewall between gateway and destination drops the SYNs, or routing is broken: test from "
                   "the gateway's network (Troubleshooting > Network Tools) and capture on the next upstream device",
};

static const char *const response_timeout[MWG_GW_COUNT] = {
    [MWG_GW_UNKNOWN] = "The site needs longer than the gateway waits for a reply: raise the gateway's upstream "
                       "read timeout for this host, or fix the slow server",
    [MWG_GW_MWG] = "The site needs longer than the gateway waits: raise the timeout for this host with a Proxy "
                   "Control setting (Policy > Settings > Engines > Proxy Control), or fix the slow server",
    [MWG_GW_SQUID] = "The site needs longer than Squid waits: raise read_timeout in squid.conf, or fix the slow "
                     "server",
    [MWG_GW_NGINX] = "The site needs longer than nginx waits: raise proxy_read_timeout for this location, or fix "
                     "the slow server",
    [MWG_GW_APACHE] = "The site needs longer than Apache waits: raise ProxyTimeout (or the timeout= of its "
                      "ProxyPass), or fix the slow server",
};

static const char *const no_evidence[MWG_GW_COUNT] = {
    [MWG_GW_UNKNOWN] = "Capture on the gateway with 'tcpdump -s 0 -i any' so both legs are recorded; the gateway "
                       "may also have answered from a cached DNS or connection failure",
    [MWG_GW_SQUID] = "Capture on the proxy with 'tcpdump -s 0 -i any' so both legs are recorded; Squid may also "
                     "have answered from its negative DNS cache (negative_dns_ttl) or a cached failure",
};

/* The proxy's own words, else the neutral ones. */
static const char *for_gateway(const char *const words[MWG_GW_COUNT], mwg_gateway gw)
{
    return (unsigned)gw < MWG_GW_COUNT && words[gw] ? words[gw] : words[MWG_GW_UNKNOWN];
}

const char *mwg_verdict_advice(const mwg_verdict *v)
{
    switch (v->cause) {
    case MWG_CAUSE_DNS_NXDOMAIN:
    case MWG_CAUSE_DNS_NODATA:
        return for_gateway(map_host, v->gateway);
    case MWG_CAUSE_DNS_SERVFAIL:
    case MWG_CAUSE_DNS_ERROR:
        return for_gateway(dns_failed, v->gateway);
    case MWG_CAUSE_DNS_REFUSED:
        return "The DNS server refuses the gateway's queries: allow recursion for the gateway or configure "
               "another DNS server";
    case MWG_CAUSE_DNS_NO_RESPONSE:
    case MWG_CAUSE_DNS_SERVER_UNREACHABLE:
        return "Check that the gateway's DNS server is up and reachable (routing, firewall on port 53)";
    case MWG_CAUSE_TCP_SYN_TIMEOUT:
        return for_gateway(syn_timeout, v->gateway);
    case MWG_CAUSE_TCP_RST:
        return "The destination or a firewall rejects the gateway's connections: check the service listens on "
               "that port and the firewall rules between gateway and destination";
    case MWG_CAUSE_ICMP_UNREACHABLE:
        return "A router or firewall between gateway and destination rejects the connection: check its rules "
               "and the gateway's routes";
    case MWG_CAUSE_HTTP_INVALID_RESPONSE:
        return "The destination (or a device in front of it) does not answer valid HTTP: capture on the next "
               "upstream device at the same time to trace it";
    case MWG_CAUSE_HTTP_RESPONSE_TIMEOUT:
        return for_gateway(response_timeout, v->gateway);
    case MWG_CAUSE_UPSTREAM_CLOSED:
        return "The destination closed the connection without answering: check the server's logs, or a device "
               "in front of it";
    case MWG_CAUSE_UPSTREAM_STATUS:
        return "Not a gateway failure: the origin server itself returned the error";
    case MWG_CAUSE_TLS_ALERT:
        return "The origin refused the gateway's TLS handshake: compare the TLS versions and cipher suites the "
               "gateway offers with what the server accepts (the alert names the mismatch)";
    case MWG_CAUSE_TLS_CLOSED:
        return "The origin (or a device in front of it) dropped the gateway's TLS handshake: check the server's "
               "TLS configuration and any filtering by server name (SNI)";
    case MWG_CAUSE_TLS_HANDSHAKE_TIMEOUT:
        return "The origin accepted the connection but never answered the TLS ClientHello: check the service on "
               "that port, and any device in front of it that inspects TLS";
    case MWG_CAUSE_TLS_NOT_TLS:
        return "The origin does not speak TLS on that port: ask for http:// instead, or fix the port the server "
               "listens on for HTTPS";
    case MWG_CAUSE_TLS_HANDSHAKE_REJECTED:
        return "The gateway did not trust the origin's certificate (self-signed, expired, another name, an "
               "unknown CA) or its parameters: check the certificate, or add an exception in the gateway's "
               "certificate verification rules";
    case MWG_CAUSE_NO_UPSTREAM_EVIDENCE:
    default:
        if (v->tls_undecrypted)
            return "Give Wireshark the gateway's own TLS keys as well (a key log of its connections to origins, "
                   "beside the client's): the origin's answer is inside that TLS";
        if (v->loss & MWG_LOSS_LOOKUPS)
            return "The name's lookups were failing: check that the gateway's DNS servers are reachable and "
                   "answer for the host (the other errors for it name how their lookups failed)";
        if (v->dns_pending)
            return "The gateway did not wait for DNS: it likely failed the name from its DNS cache (a failure it "
                   "remembered); look the name up from the gateway, and clear its DNS cache if it resolves now";
        return for_gateway(no_evidence, v->gateway);
    }
}
