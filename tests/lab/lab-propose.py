#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Proposes the .expected lines of a lab recording from its packets alone.

usage: lab-propose.py CAPTURE [--ports 9090,3128] [--clients ADDR,...]
                      [--http-ports 80,3128] [--window] [--dedupe]

Reads the capture with plain tshark, mwg502 disabled (--disable-protocol
mwg502), and applies the contract to each gateway error response (500-504)
on a client leg: the client legs are the TCP connections to --ports (default
9090) or, for an intercepting gateway, the connections from --clients.
For each response it looks, between the client's request and the response,
at the latest stage first:

  1. a request the gateway forwarded for the host (same path if the client's
     path is unique): its reply -> upstream_status (a 5xx status line),
     http_invalid_response (first reply segment that does not start a status
     line; a status line followed by a bad header is NOT found here: those
     runs are read by hand), upstream_closed (the origin's FIN/RST before any
     reply byte), else http_response_timeout (the forwarded request);
  2. the gateway's connection attempts to the host's addresses (its DNS
     answers; or, with none, to addresses no name resolved to): the last
     attempt's RST / ICMP error / last unanswered SYN;
  3. DNS queries for the name: the last NXDOMAIN / SERVFAIL / REFUSED /
     other error answer, NODATA, or the last unanswered query;
  4. otherwise no_upstream_evidence.

Concurrent requests for one host (the storm runs) each get their own
forwarded request (by path) and their own connection attempt: attempts are
handed out in order, the earliest attempt that started after the request and
ended before its response, not yet given to an earlier request.

--dedupe: the capture holds each packet twice (a bridge); the second copy
(same packet within 5 ms) is dropped and the first copy's frame number used.
--window prints every upstream frame between request and response.

This is a reading aid: check each line (tshark -V on the frames) before it
goes into an .expected file.
"""
import argparse
import re
import subprocess
import sys
from collections import defaultdict

F = ["frame.number", "frame.time_relative", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
     "tcp.srcport", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset",
     "tcp.flags.fin", "tcp.len", "tcp.seq_raw", "udp.srcport", "udp.dstport",
     "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type", "dns.count.answers",
     "dns.a", "dns.aaaa", "icmp.type", "icmpv6.type", "http.request.method", "http.request.uri",
     "http.host", "http.response.code", "tcp.payload", "ip.id", "dns.id"]

ap = argparse.ArgumentParser()
ap.add_argument("capture")
ap.add_argument("--ports", default="9090")
ap.add_argument("--clients", default="")
ap.add_argument("--http-ports", default="80,3128")
ap.add_argument("--window", action="store_true")
ap.add_argument("--dedupe", action="store_true")
a = ap.parse_args()
ports = {int(p) for p in a.ports.split(",")}
clients = {c for c in a.clients.split(",") if c}

cmd = ["tshark", "--disable-protocol", "mwg502", "-r", a.capture, "-T", "fields",
       "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]
for p in sorted(set(a.http_ports.split(",")) | {str(p) for p in ports}):
    cmd += ["-d", "tcp.port==%s,http" % p]
for f in F:
    cmd += ["-e", f]
out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout


class P:
    pass


pk = []
for line in out.splitlines():
    c = line.split("|")
    if len(c) != len(F):
        continue
    d = dict(zip(F, c))
    p = P()
    p.n = int(d["frame.number"])
    p.t = float(d["frame.time_relative"])
    src = (d["ip.src"] or d["ipv6.src"]).split(";")
    dst = (d["ip.dst"] or d["ipv6.dst"]).split(";")
    p.src, p.dst = src[0], dst[0]
    p.isrc, p.idst = src[-1], dst[-1]             # quoted packet of an ICMP error
    p.icmp = (d["icmp.type"] or d["icmpv6.type"]).split(";")[0]
    p.icmp_err = p.icmp in ("3", "1")
    sp, dp = d["tcp.srcport"].split(";")[0], d["tcp.dstport"].split(";")[0]
    p.tcp = bool(sp)
    p.sp, p.dp = (int(sp) if sp else 0), (int(dp) if dp else 0)
    fl = lambda k: d[k].split(";")[0] in ("1", "True")
    p.syn, p.ackf, p.rst, p.fin = fl("tcp.flags.syn"), fl("tcp.flags.ack"), fl("tcp.flags.reset"), fl("tcp.flags.fin")
    p.len = int(d["tcp.len"].split(";")[0] or 0)
    p.seq = d["tcp.seq_raw"].split(";")[0]
    p.dns = bool(d["dns.qry.name"]) and not p.icmp_err
    p.dnsresp = d["dns.flags.response"] in ("1", "True")
    p.rcode = int(d["dns.flags.rcode"] or 0)
    p.qname = d["dns.qry.name"].split(";")[0].lower()
    p.qtype = d["dns.qry.type"]
    p.nans = int(d["dns.count.answers"] or 0)
    p.addrs = [x for x in (d["dns.a"] + ";" + d["dns.aaaa"]).split(";") if x]
    p.dnsid = d["dns.id"]
    p.method = d["http.request.method"].split(";")[0]
    p.uri = d["http.request.uri"].split(";")[0]
    p.host = d["http.host"].split(";")[0].lower()
    p.code = d["http.response.code"].split(";")[0]
    p.payload = bytes.fromhex(d["tcp.payload"].split(";")[0][:64]) if d["tcp.payload"] else b""
    p.key = (p.src, p.dst, p.sp, p.dp, p.syn, p.rst, p.fin, p.len, p.seq, d["ip.id"], p.icmp,
             d["udp.srcport"], d["dns.id"])
    pk.append(p)

if a.dedupe:
    kept, last = [], {}
    for p in pk:
        q = last.get(p.key)
        if q is not None and p.t - q.t < 0.005:
            continue
        last[p.key] = p
        kept.append(p)
    pk = kept


def conn_key(p):
    return (p.src, p.sp, p.dst, p.dp)


def is_client_leg(p):
    if not p.tcp or p.icmp_err:
        return False
    if clients:
        return p.src in clients or p.dst in clients
    return p.dp in ports or p.sp in ports


def host_of(p):
    u = p.uri
    if p.method == "CONNECT":
        return u.rsplit(":", 1)[0].lower()
    m = re.match(r"^[a-z]+://([^/:]+|\[[^\]]+\])", u)
    return (m.group(1) if m else p.host.split(":")[0]).lower()


def path_of(p):
    u = p.uri
    m = re.match(r"^[a-z]+://[^/]+(/.*)?$", u)
    return (m.group(1) or "/") if m else u


# Client requests and the gateway's answers, per client connection.
creq = {}                       # client connection (client side first) -> [request packets]
errors = []
for p in pk:
    if not is_client_leg(p):
        continue
    if p.method:
        creq.setdefault(conn_key(p), []).append(p)
    elif p.code:
        k = (p.dst, p.dp, p.src, p.sp)
        q = creq.get(k, [])
        if not q:
            continue
        req = q.pop(0)
        if 500 <= int(p.code) <= 504:
            errors.append((req, p))

# DNS: names -> addresses, queries.
owner = defaultdict(set)
for p in pk:
    if p.dns and p.dnsresp:
        for ad in p.addrs:
            owner[ad].add(p.qname)

# Upstream TCP connections (opened by the gateway): first SYN side is the gateway.
conns = {}
order = []
for p in pk:
    if not p.tcp or p.icmp_err or is_client_leg(p):
        continue
    k = conn_key(p)
    rk = (p.dst, p.dp, p.src, p.sp)
    if p.syn and not p.ackf and k not in conns:
        c = P()
        c.k, c.syns, c.synack, c.rst_syn, c.icmp, c.pk = k, [], None, None, None, []
        c.fwd, c.replies, c.close = [], [], None
        conns[k] = c
        order.append(c)
    c = conns.get(k) or conns.get(rk)
    if c is None:
        continue
    c.pk.append(p)
    fromgw = conn_key(p) == c.k
    if fromgw and p.syn and not p.ackf:
        c.syns.append(p)
    elif not fromgw and p.syn and p.ackf:
        c.synack = p
    elif not fromgw and p.rst and c.synack is None:
        c.rst_syn = p
    elif fromgw and p.method:
        c.fwd.append(p)
    elif not fromgw and p.len > 0:
        c.replies.append(p)
    if (p.fin or p.rst) and c.close is None and c.synack is not None:
        c.close = (p, fromgw)
for p in pk:   # ICMP errors quoting a SYN
    if p.icmp_err and p.tcp:
        c = conns.get((p.isrc, p.sp, p.idst, p.dp))
        if c is not None:
            c.icmp = p
for c in order:
    c.first, c.last = c.syns[0].n, c.pk[-1].n
    c.addr = c.k[2]

taken = set()
lines = []
for req, resp in sorted(errors, key=lambda e: e[0].n):
    q, r = req.n, resp.n
    h = host_of(req)
    path = path_of(req)
    verdict = None
    # 1. forwarded requests for the host, by path when it matches
    fwd = [(c, f) for c in order for f in c.fwd if q < f.n < r and
           (host_of(f) == h or f.host.split(":")[0] == h)]
    same = [(c, f) for c, f in fwd if path_of(f) == path]
    if same:
        fwd = same
    if fwd:
        c, f = fwd[-1]
        reps = [x for x in c.replies if f.n < x.n < r]
        if reps:
            x = reps[0]
            if x.payload.startswith(b"HTTP/") and x.code and int(x.code) >= 500:
                verdict = ("upstream_error", "upstream_status", x.n)
            elif not x.payload.startswith(b"HTTP/") or x.code in ("", "0"):
                verdict = ("bad_response", "http_invalid_response", x.n)
            else:
                verdict = ("bad_response", "?reply_" + (x.code or "unparsed"), x.n)
        elif c.close and f.n < c.close[0].n < r and not c.close[1]:
            verdict = ("bad_response", "upstream_closed", c.close[0].n)
        else:
            verdict = ("bad_response", "http_response_timeout", f.n)
    # 2. connection attempts to the host's addresses
    if verdict is None:
        addrs = {ad for ad, names in owner.items() if h in names}
        if req.method == "CONNECT":
            want_port = int(req.uri.rsplit(":", 1)[1])
        else:
            want_port = None
        att = [c for c in order if q < c.first and c.last < r and c.synack is None and
               (c.addr in addrs if addrs else not owner.get(c.addr)) and
               (want_port is None or c.k[3] == want_port) and id(c) not in taken]
        if att:
            if len([e for e in errors if host_of(e[0]) == h]) > 1:
                # one attempt per request, in order: the first not yet taken;
                # a gateway that tries several addresses takes all to the last
                group = [att[0]]
                for c in att[1:]:
                    if c.addr != group[-1].addr and c.addr not in {g.addr for g in group}:
                        group.append(c)
                    else:
                        break
                att = group
            for c in att:
                taken.add(id(c))
            c = att[-1]
            if c.rst_syn:
                verdict = ("cannot_connect", "tcp_rst", c.rst_syn.n)
            elif c.icmp:
                verdict = ("cannot_connect", "icmp_unreachable", c.icmp.n)
            else:
                verdict = ("cannot_connect", "tcp_syn_timeout", c.syns[-1].n)
    # 3. DNS
    if verdict is None:
        qs = [p for p in pk if p.dns and not p.dnsresp and p.qname == h and q < p.n < r]
        ans = [p for p in pk if p.dns and p.dnsresp and p.qname == h and q < p.n < r]
        if ans or qs:
            bad = [x for x in ans if x.rcode != 0]
            answered = {x.dnsid for x in ans}
            unanswered = [x for x in qs if x.dnsid not in answered]
            if bad:
                x = bad[-1]
                cause = {3: "dns_nxdomain", 2: "dns_servfail", 5: "dns_refused"}.get(x.rcode, "dns_error")
                verdict = ("host_not_resolvable", cause, x.n)
            elif unanswered:
                verdict = ("host_not_resolvable", "dns_no_response", unanswered[-1].n)
            elif ans and all(x.nans == 0 for x in ans):
                verdict = ("host_not_resolvable", "dns_nodata", ans[-1].n)
    if verdict is None:
        verdict = ("unknown", "no_upstream_evidence", "-")
    lines.append("%d %s %s %d %s %s" % (r, verdict[0], verdict[1], q, verdict[2], h))
    print("%d %s %s %d %s %s   # %s %s %s" % (r, verdict[0], verdict[1], q, verdict[2], h, resp.code,
                                               req.method, req.uri))
    if a.window:
        for p in pk:
            if q < p.n < r and not is_client_leg(p):
                what = ("DNS %s %s rcode=%d ans=%d" % ("resp" if p.dnsresp else "query", p.qname, p.rcode, p.nans)
                        if p.dns else "ICMP %s" % p.icmp if p.icmp else
                        "TCP %s%s%s%s len=%d %s%s" % ("S" if p.syn else "", "A" if p.ackf else "", "R" if p.rst else "",
                                                     "F" if p.fin else "", p.len, p.method + " " + p.uri if p.method else "",
                                                     p.code))
                print("      %6d %9.3f %s:%d > %s:%d %s" % (p.n, p.t, p.src, p.sp, p.dst, p.dp, what))
