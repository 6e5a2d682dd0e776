#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates the stress shapes of a "502 storm" for mwg502, with their truth.

usage: make-shapes.py --shape NAME [--scale N] [--seed S] [-o OUT.pcap]
                      [--depth D] [--snaplen L] [--failure-rate R]

Every shape is what `tcpdump -i any` on a web gateway would see, as in
make-capture.py (and built with the same pcapgen.py): clients talk
explicit-proxy HTTP to 10.0.0.1:9090, the gateway resolves names at
10.10.65.1, connects from 192.168.1.10 and answers each failure with a 502
and its block page.  --scale is the number of gateway errors (for storm:
of client requests; for cut: of frames), so that tests make small instances
in a blink and the benchmark big ones; the default is the benchmark's.
--snaplen cuts every record of any shape as `tcpdump -s` would (the truth
stays the uncut traffic's).

  storm            a popular site dies: hundreds of keep-alive clients (30 at
                   least) send requests mostly to its hosts, whose SYNs are
                   dropped (tcp_syn_timeout), refused (tcp_rst) or whose name
                   is gone (dns_nxdomain), and some to healthy sites; every
                   request to a failing host gets a 502.  The gateway tries
                   the same dead address for many clients at once.
                   Default 100,000 requests.
  shared-evidence  one DNS query that is never answered: every client request
                   for that name while it is pending gets a 502
                   dns_no_response with that query as evidence (100,000).
  shared-syn       the same with one connection attempt to a dead address:
                   every error is tcp_syn_timeout with the same SYN frames.
  big-pages        502s whose block pages are 60 KB (43 segments) (2,000).
  dense-flood      keep-alive clients pipelining 4 requests per segment, the
                   gateway answering 4 small 502s per segment (100,000).
  pipeline         client connections with D requests pipelined (--depth,
                   default 17), each to its own host with its own failure
                   (dns_nxdomain or tcp_rst), answered in order (100,000).
  per-segment      10 pipelined requests answered by 10 502s in one TCP
                   segment (100,000).
  lost-response    keep-alive connections with 6 request/502 pairs, one 502's
                   segment missing from the capture: the truth lists the
                   responses present (100,000).
  lost-request     client connections with 5 requests pipelined, one
                   segment each, one of them (any, the first too) missing
                   from the capture; the gateway answers all 5 in order: the
                   answers from the lost one's on may be unmatched, never
                   matched to another request (100,000).
  cut              make-capture.py's mixed traffic (scale: frames, default
                   350,000; --failure-rate, default 0.015) with every record
                   cut to --snaplen bytes (default 96; 68 and 80 cut more):
                   DNS answers lose their addresses, request lines are cut.
                   The truth is that of the uncut traffic.
  unresolved       a warm DNS cache: groups of 4 clients at once ask for
                   different hosts whose resolution the capture does not
                   hold; the gateway's SYNs to their addresses fail
                   differently (2 refused, 2 unanswered).  A verdict must not
                   blame another host's attempt (no_upstream_evidence is
                   honest) (100,000).
  dns-outage       keep-alive clients, a lookup per request (no cache), and
                   the DNS server unreachable 6 s in every 20 (ICMP port
                   unreachable, 3 tries a second apart): errors of the
                   outage are dns_server_unreachable, whatever lookups of
                   clients who asked as it ended found, and then their
                   attempts (100,000).

OUT.pcap.truth (written beside the capture) holds one line per gateway error
response in the capture:

    frame cause host evidence_frame request_frame

frame is where Wireshark dissects the response (the segment holding its last
byte); evidence_frame is '-' where the shape does not make one frame the
evidence (storm and cut: concurrent attempts for the same host make several
frames equally good evidence).  Deterministic for a seed: the same arguments
give the same bytes.  bench/check-shapes.py compares the plugin with it.
"""
import argparse
import heapq
import math
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import (ACK, BLOCK_TITLES, DNS_SERVER, GW_CLIENT_SIDE, GW_UPSTREAM, MSS, PROXY_PORT, ROUTER,  # noqa: E402
                     RST, SYN, Tcp, Writer, block_page, dns_packet, error_response, eth, ip4, ipv4, mixed_traffic,
                     udp)

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
SYN_BACKOFF = (0, 1, 3)         # the SYN and its retransmissions, seconds
SYN_GIVE_UP = 7.0               # the gateway's connect timeout (as in make-capture.py)


def request_bytes(host, path):
    return ("GET http://%s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"
            "Proxy-Connection: keep-alive\r\n\r\n" % (host, path, host, UA)).encode()


def compact_response(kind):
    """A small 502: only the template name, which is what tells the plugin the
    page's family; 10 of them fit in one segment."""
    page = b"<!-- FileName: %s.html -->\n" % BLOCK_TITLES[kind][0].encode()
    return b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page


def big_response(kind, host, size):
    """A 502 whose page is 'size' bytes: the block page (its family marks in
    the first line, as MWG's templates have them) padded with the kind of
    inline detail real templates carry."""
    page = block_page(kind, host)
    head, tail = page[:-len(b"</body></html>\n")], b"</body></html>\n"
    line = b"<p class=\"detail\">The gateway could not complete the request; contact your administrator.</p>\n"
    room = size - len(head) - len(tail)
    pad = (line * (room // len(line) + 1))[:room]
    return error_response(head + pad + tail)


class Net:
    """The gateway and its peers while a shape is generated: addresses, ports,
    DNS identifiers, and the truth.

    truth: [error order, cause, host, evidence order or None, request order],
    orders being the Writer's (frame numbers are known once written)."""

    def __init__(self, w, rng):
        self.w, self.rng = w, rng
        self.up_port = 20000
        self.dns_port = 30000
        self.dns_id = 1
        self.n_addrs = 0
        self.n_hosts = 0
        self.client_port = {}
        self.truth = []

    # -- names and addresses
    def fresh_addr(self):
        """A new origin address in 100.64.0.0/10: 4 million before reuse."""
        self.n_addrs += 1
        return ip4((100 << 24) | (64 << 16) | (self.n_addrs % (1 << 22)))

    def fresh_host(self, tag):
        self.n_hosts += 1
        return "h%d.%s%d.example" % (self.n_hosts, tag, self.n_hosts % 11)

    def path(self):
        return "/%s/%d" % (self.rng.choice(["news", "img", "api", "static", "search"]), self.rng.randrange(100000))

    # -- TCP
    def client(self, c, t):
        """A new connection of client c (10.1.x.y) to the proxy port, handshake
        done at the time returned."""
        port = self.client_port.get(c, 49152 + (c * 37) % 1000) + 1
        if port > 65000:
            port = 49152
        self.client_port[c] = port
        cip = ip4((10 << 24) | (1 << 16) | (c + 10))
        tcp = Tcp(self.w, self.rng, cip, port, GW_CLIENT_SIDE, PROXY_PORT, False)
        return tcp, tcp.handshake(t, self.rng.uniform(0.0002, 0.002))

    def next_up_port(self):
        self.up_port = 20000 + (self.up_port - 20000 + 1) % 40000
        return self.up_port

    def send(self, t, tcp, side, messages, mss=MSS):
        """Sends the messages back to back in as few segments as they fill.
        Returns the time of the peer's ACK and, per message, the order of the
        segment holding its last byte: where Wireshark dissects it."""
        first = self.w.order + 1
        ends, end = [], 0
        for m in messages:
            end += len(m)
            ends.append(first + (end - 1) // mss)
        t = tcp.send(t, side, b"".join(messages), mss=mss)
        return t, [self.w.tag(o) for o in ends]

    # -- the gateway upstream
    def next_lookup(self):
        """The DNS identifier and source port of the gateway's next lookup."""
        self.dns_port = 30000 + (self.dns_port - 30000 + 1) % 30000
        self.dns_id = (self.dns_id * 1103 + 7) & 0xffff
        return self.dns_id, self.dns_port

    def dns(self, t, host, rcode=0, addr=None, answer=True):
        """One A lookup.  Returns (time the gateway knows, query order,
        answer order or None)."""
        ident, port = self.next_lookup()
        self.w.add(t, eth(True, ipv4(GW_UPSTREAM, DNS_SERVER, 17, udp(port, 53, dns_packet(ident, host, 1, False)))))
        query = self.w.tag(self.w.order)
        if not answer:
            return t + 5.0, query, None
        t += self.rng.uniform(0.001, 0.02)
        r = dns_packet(ident, host, 1, True, rcode, [addr] if rcode == 0 else [])
        self.w.add(t, eth(False, ipv4(DNS_SERVER, GW_UPSTREAM, 17, udp(53, port, r))))
        return t, query, self.w.tag(self.w.order)

    def syn_rst(self, t, addr):
        """A SYN refused.  Returns (time the gateway knows, RST order)."""
        up = Tcp(self.w, self.rng, GW_UPSTREAM, self.next_up_port(), addr, 80, True)
        rtt = self.rng.uniform(0.005, 0.08)
        up.seg(t, 0, SYN)
        up.seg(t + rtt, 1, RST | ACK)
        return t + rtt + 0.0005, self.w.tag(self.w.order)

    def syn_timeout(self, t, addr, give_up=SYN_GIVE_UP):
        """A SYN and its retransmissions, never answered.  Returns (time the
        gateway gives up, last SYN order, first SYN order)."""
        up = Tcp(self.w, self.rng, GW_UPSTREAM, self.next_up_port(), addr, 80, True)
        for back in SYN_BACKOFF:
            up.seg(t + back, 0, SYN, seq=up.seq[0])
            if back == 0:
                first = self.w.tag(self.w.order)
        return t + give_up, self.w.tag(self.w.order), first

    def fail(self, t, host, kind, addr=None, resolve=True):
        """The gateway's attempt for one request to a host failing in 'kind'.
        Returns (time it gives up, order of the evidence frame)."""
        if kind == "dns_nxdomain":
            t, _, ev = self.dns(t, host, rcode=3)
        elif kind == "dns_servfail":
            t, _, ev = self.dns(t, host, rcode=2)
        elif kind == "dns_no_response":
            t, ev, _ = self.dns(t, host, answer=False)
        else:
            if resolve:
                t, _, _ = self.dns(t, host, addr=addr)
            if kind == "tcp_rst":
                t, ev = self.syn_rst(t + 0.0005, addr)
            elif kind == "tcp_syn_timeout":
                t, ev, _ = self.syn_timeout(t + 0.0005, addr)
            else:
                raise ValueError(kind)
        return t, ev

    def fetch(self, t, client, host, addr, path):
        """A healthy request: connect, forward, a 200 relayed.  Returns the
        time the client has it."""
        rng = self.rng
        up = Tcp(self.w, rng, GW_UPSTREAM, self.next_up_port(), addr, 80, True)
        rtt = rng.uniform(0.005, 0.08)
        t = up.handshake(t, rtt)
        fwd = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nVia: 1.1 mwg\r\n\r\n"
               % (path, host, UA)).encode()
        t = up.send(t + 0.0002, 0, fwd)
        size = int(rng.lognormvariate(7.0, 1.0)) + 50
        body = ((b"x" * 61 + b"\n") * (size // 62 + 1))[:size]
        hdr = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\nServer: nginx\r\n\r\n" % size
        t = up.send(t + rtt + rng.uniform(0.001, 0.05), 1, hdr + body)
        up.close(t + 0.0005, 0, rtt)
        return client.send(t + 0.0005, 1, hdr.replace(b"\r\n\r\n", b"\r\nVia: 1.1 mwg\r\n\r\n") + body)

    def answer(self, t, client, errors, render=None, mss=MSS):
        """Sends the 502s for 'errors' [(cause, host, evidence, request)] back
        to back (one segment when they fit) and records them in the truth.
        Returns the time of the client's ACK and the orders of the segments
        that end each response."""
        render = render or (lambda kind, host: error_response(block_page(kind, host)))
        t, ends = self.send(t, client, 1, [render(kind, host) for kind, host, _, _ in errors], mss)
        for (kind, host, ev, req), end in zip(errors, ends):
            self.truth.append([end, kind, host, ev, req])
        return t, ends


# ---------------------------------------------------------------- the shapes

def shape_storm(net, n, args):
    """A popular site dies.  Its hosts fail three ways; img shares www's dead
    address and login api's, so that attempts for different names meet at
    one address.  The gateway caches positive DNS answers 300 s and asks
    again for the vanished name at every request (no negative cache), and
    tries a new connection for every request: many attempts to one dead
    address at once, for different clients.  Clients are served in time
    order (an event queue), so that caches and ports follow the clock."""
    rng = net.rng
    dead_www, dead_api = net.fresh_addr(), net.fresh_addr()
    failing = [("www.shop.example", "tcp_syn_timeout", dead_www, 35),
               ("img.shop.example", "tcp_syn_timeout", dead_www, 5),
               ("api.shop.example", "tcp_rst", dead_api, 15),
               ("login.shop.example", "tcp_rst", dead_api, 5),
               ("cdn.shop-assets.example", "dns_nxdomain", None, 10)]
    healthy = [("www.site%d.example" % i, None, net.fresh_addr(), 30 / 40.0) for i in range(40)]
    targets = failing + healthy
    weights = [x[3] for x in targets]
    n_clients = max(30, min(400, n // 250))
    cache = {}                          # host -> expiry of its cached address
    queue = []                          # (time of the next request, client)
    conns = {}                          # client -> [connection, requests left on it]
    for c in range(n_clients):
        heapq.heappush(queue, (rng.uniform(0, 5.0), c))
    for _ in range(n):
        t, c = heapq.heappop(queue)
        conn = conns.get(c)
        if conn is None or conn[1] == 0:
            # browsers and apps close idle keep-alive connections now and then
            if conn is not None:
                conn[0].close(t, 0, 0.001)
            tcp, t = net.client(c, t + 0.01)
            conn = conns[c] = [tcp, rng.randrange(20, 200)]
        conn[1] -= 1
        host, kind, addr, _ = rng.choices(targets, weights)[0]
        path = net.path()
        t, (req,) = net.send(t, conn[0], 0, [request_bytes(host, path)])
        t += 0.0005
        if kind == "dns_nxdomain":
            t, _ = net.fail(t, host, kind)
        elif cache.get(host, -1) <= t:
            t, _, _ = net.dns(t, host, addr=addr)
            cache[host] = t + 300
        if kind is None:
            t = net.fetch(t + 0.0005, conn[0], host, addr, path)
        else:
            if kind != "dns_nxdomain":
                t, _ = net.fail(t, host, kind, addr, resolve=False)
            t, _ = net.answer(t + 0.001, conn[0], [(kind, host, None, req)])
        heapq.heappush(queue, (t + rng.uniform(0.05, 1.0), c))
    end = max(t for t, _ in queue) + 1.0
    for c, conn in sorted(conns.items()):
        conn[0].close(end, 0, 0.001)


def shape_shared(net, n, args, syn):
    """One upstream attempt shared by every error.  The first request makes
    the gateway ask for the name (shared-evidence: never answered) or, the
    name resolved, send a SYN to its dead address (shared-syn: retransmitted
    at 1 s and 3 s, then no more); the gateway hangs every later request for
    the name on that pending attempt and answers each with a 502 once the
    request has waited WAIT seconds.  WAIT exceeds the retransmissions, so
    every error comes after the last SYN: all share one evidence frame.
    Clients keep their connection and ask again after each 502, about 36
    times in 150 s: inside the plugin's DNS window (600 s) and connect window
    (180 s) from the attempt."""
    rng = net.rng
    wait, per_client = 4.0, 36
    host = "dead.shared.example" if syn else "stuck.shared.example"
    n_clients = max(1, math.ceil(n / per_client))
    t0 = 1.0
    evidence = None
    left = n
    for c in range(n_clients):
        k = min(per_client, left)
        left -= k
        # client 0's first request starts the attempt; the others come later
        tcp, t = net.client(c, t0 - 0.01 if c == 0 else t0 + rng.uniform(0.001, wait))
        for i in range(k):
            t, (req,) = net.send(t, tcp, 0, [request_bytes(host, net.path())])
            if evidence is None:
                if syn:
                    addr = net.fresh_addr()
                    ta, _, _ = net.dns(t + 0.0005, host, addr=addr)
                    # the attempt never ends in the capture: no give-up frame
                    _, evidence, _ = net.syn_timeout(ta + 0.0005, addr)
                else:
                    _, evidence, _ = net.dns(t + 0.0005, host, answer=False)
            kind = "tcp_syn_timeout" if syn else "dns_no_response"
            t, _ = net.answer(t + wait, tcp, [(kind, host, evidence, req)])
            t += rng.uniform(0.01, 0.2)
        tcp.close(t + rng.uniform(0.5, 2.0), 0, 0.001)


def shape_big_pages(net, n, args):
    """Keep-alive clients whose every request fails (each to its own host,
    so that each error has one evidence frame), answered with a 60 KB page:
    43 segments the plugin sees reassembled by Wireshark."""
    rng = net.rng
    size = 60 * 1024
    kinds = ["dns_nxdomain", "dns_servfail", "tcp_rst", "tcp_syn_timeout"]
    n_clients = max(2, min(50, n // 40))
    for c in range(n_clients):
        tcp, t = net.client(c, rng.uniform(0, 10.0))
        for _ in range(n // n_clients + (c < n % n_clients)):
            host, kind = net.fresh_host("big"), rng.choice(kinds)
            t, (req,) = net.send(t, tcp, 0, [request_bytes(host, net.path())])
            t, ev = net.fail(t + 0.0005, host, kind, net.fresh_addr())
            t, _ = net.answer(t + 0.001, tcp, [(kind, host, ev, req)],
                              render=lambda kind, host: big_response(kind, host, size))
            t += rng.uniform(0.05, 1.0)
        tcp.close(t + 1.0, 0, 0.001)


def flood_kind(rng):
    return rng.choices(["dns_nxdomain", "tcp_rst", "tcp_syn_timeout"], [45, 45, 10])[0]


def burst(net, t, tcp, count, respond):
    """'count' requests pipelined on one client connection, each to its own
    failing host; the gateway works on them at once and answers in order.
    respond(t, errors): sends the 502s once all have failed.  Returns the
    time the client has them."""
    rng = net.rng
    hosts = [net.fresh_host("flood") for _ in range(count)]
    t, reqs = net.send(t, tcp, 0, [request_bytes(h, net.path()) for h in hosts])
    errors, done = [], t
    for i, (host, req) in enumerate(zip(hosts, reqs)):
        kind = flood_kind(rng)
        end, ev = net.fail(t + 0.0005 + i * 0.0001, host, kind, net.fresh_addr())
        errors.append((kind, host, ev, req))
        done = max(done, end)
    return respond(done + 0.001, errors)


def one_segment(net, tcp):
    """The gateway's answer to a burst: small 502s, all in one segment."""
    def respond(t, errors):
        t, ends = net.answer(t, tcp, errors, render=lambda kind, host: compact_response(kind))
        assert len(set(ends)) == 1, "responses spill over one segment"
        return t
    return respond


def shape_dense_flood(net, n, args):
    """Keep-alive clients hammering failing hosts with 4 requests per segment
    (a pipelining client library), the gateway answering 4 small 502s per
    segment: the most errors per frame."""
    rng = net.rng
    n_clients = max(4, min(200, n // 500))
    bursts = math.ceil(n / 4)
    for c in range(n_clients):
        tcp, t = net.client(c, rng.uniform(0, 5.0))
        mine = bursts // n_clients + (c < bursts % n_clients)
        for b in range(mine):
            count = 4 if (c, b) != (n_clients - 1, mine - 1) or n % 4 == 0 else n % 4
            t = burst(net, t, tcp, count, one_segment(net, tcp))
            t += rng.uniform(0.01, 0.3)
        tcp.close(t + 1.0, 0, 0.001)


def shape_pipeline(net, n, args):
    """Connections with D requests pipelined (packed into full segments, so
    requests straddle segments), each to its own host: half of the names do
    not exist, half resolve to an address that refuses.  The gateway works
    through them in order and sends each 502 as soon as its attempt failed."""
    rng = net.rng
    depth = args.depth
    for i in range(math.ceil(n / depth)):
        count = min(depth, n - i * depth)
        tcp, t = net.client(i % 60000, i * 0.25 + rng.uniform(0, 0.2))
        hosts = [net.fresh_host("pipe") for _ in range(count)]
        t, reqs = net.send(t, tcp, 0, [request_bytes(h, net.path()) for h in hosts])
        for host, req in zip(hosts, reqs):
            kind = rng.choice(["dns_nxdomain", "tcp_rst"])
            t, ev = net.fail(t + 0.0005, host, kind, net.fresh_addr())
            t, _ = net.answer(t + 0.001, tcp, [(kind, host, ev, req)])
        tcp.close(t + 0.5, 0, 0.001)


def shape_per_segment(net, n, args):
    """10 pipelined requests, 10 small 502s in one segment."""
    rng = net.rng
    for i in range(math.ceil(n / 10)):
        tcp, t = net.client(i % 60000, i * 0.1 + rng.uniform(0, 0.1))
        t = burst(net, t, tcp, min(10, n - i * 10), one_segment(net, tcp))
        tcp.close(t + 0.5, 0, 0.001)


def shape_lost_response(net, n, args):
    """Keep-alive connections with 6 request/502 pairs, one after the other;
    the capture missed the segment of one 502 (never the first or the last):
    the client got it (its ACK is there) and sent its next request, so each
    later 502 answers the request just before it."""
    rng = net.rng
    pairs = 6
    per_conn = pairs - 1
    for i in range(math.ceil(n / per_conn)):
        kept = min(per_conn, n - i * per_conn)
        lost = rng.randrange(1, kept) if kept > 1 else 1
        tcp, t = net.client(i % 60000, i * 0.2 + rng.uniform(0, 0.2))
        for k in range(kept + 1):
            host, kind = net.fresh_host("lost"), rng.choice(["dns_nxdomain", "tcp_rst"])
            t, (req,) = net.send(t, tcp, 0, [request_bytes(host, net.path())])
            t, ev = net.fail(t + 0.0005, host, kind, net.fresh_addr())
            t, (end,) = net.answer(t + 0.001, tcp, [(kind, host, ev, req)])
            if k == lost:
                net.w.drop(end)
                net.truth.pop()
            t += rng.uniform(0.01, 0.5)
        tcp.close(t + 0.5, 0, 0.001)


def shape_lost_request(net, n, args):
    """Connections with 5 requests pipelined, each in a segment of its own;
    the capture missed one of them (the gateway got it, and its ACK is
    there).  The gateway answers the 5 in order; the truth names no request
    frame for the lost one's answer."""
    rng = net.rng
    per_conn = 5
    for i in range(math.ceil(n / per_conn)):
        count = min(per_conn, n - i * per_conn)
        lost = rng.randrange(count)
        tcp, t = net.client(i % 60000, i * 0.25 + rng.uniform(0, 0.2))
        hosts = [net.fresh_host("lostreq") for _ in range(count)]
        reqs = []
        for k, host in enumerate(hosts):
            t, (req,) = net.send(t, tcp, 0, [request_bytes(host, net.path())])
            if k == lost:
                net.w.drop(req)
                req = None
            reqs.append(req)
        for host, req in zip(hosts, reqs):
            kind = rng.choice(["dns_nxdomain", "tcp_rst"])
            t, ev = net.fail(t + 0.0005, host, kind, net.fresh_addr())
            t, _ = net.answer(t + 0.001, tcp, [(kind, host, ev, req)])
        tcp.close(t + 0.5, 0, 0.001)


def shape_unresolved(net, n, args):
    """Groups of 4 keep-alive clients asking, within 60 ms, for 4 hosts the
    gateway has cached (no DNS in the capture), each at its own address: two
    refuse the SYN, two never answer it (the gateway gives up after 7 s).
    Every client's wait holds the other hosts' attempts, to addresses no name
    in the capture resolves to.  Groups are 8 s apart, so no wait reaches
    into the next group."""
    rng = net.rng
    size = 4
    kinds = ["tcp_rst", "tcp_syn_timeout"] * (size // 2)
    conns = {}
    for g in range(math.ceil(n / size)):
        tg = 1.0 + g * 8.0
        count = min(size, n - g * size)
        order = kinds[:]
        rng.shuffle(order)
        for k in range(count):
            conn = conns.get(k)
            if conn is None or conn[1] == 0:
                if conn is not None:
                    conn[0].close(tg - 0.5, 0, 0.001)
                tcp, _ = net.client(k, tg - 0.3)
                conn = conns[k] = [tcp, rng.randrange(20, 80)]
            conn[1] -= 1
            host, addr, kind = net.fresh_host("cached"), net.fresh_addr(), order[k]
            t, (req,) = net.send(tg + k * 0.015 + rng.uniform(0, 0.01), conn[0], 0,
                                 [request_bytes(host, net.path())])
            t, ev = net.fail(t + 0.0005, host, kind, addr, resolve=False)
            net.answer(t + 0.001, conn[0], [(kind, host, ev, req)])
    end = 1.0 + math.ceil(n / size) * 8.0
    for k, conn in sorted(conns.items()):
        conn[0].close(end, 0, 0.001)


def lookup_in_outage(net, t, host, rcode, addr, outage):
    """An A lookup of the gateway's own, tried 3 times a second apart; a try
    while outage(time) holds meets ICMP port unreachable, the first try
    after it is answered.  Returns (time the gateway knows, True if
    answered)."""
    ident, port = net.next_lookup()
    query = udp(port, 53, dns_packet(ident, host, 1, False))
    for attempt in range(3):
        tq = t + attempt
        net.w.add(tq, eth(True, ipv4(GW_UPSTREAM, DNS_SERVER, 17, query)))
        if not outage(tq):
            ta = tq + net.rng.uniform(0.001, 0.02)
            answer = dns_packet(ident, host, 1, True, rcode, [addr] if rcode == 0 else [])
            net.w.add(ta, eth(False, ipv4(DNS_SERVER, GW_UPSTREAM, 17, udp(53, port, answer))))
            return ta, True
        quoted = ipv4(GW_UPSTREAM, DNS_SERVER, 17, query)[:28]
        net.w.add(tq + 0.0008, eth(False, ipv4(ROUTER, GW_UPSTREAM, 1, struct.pack("!BBHI", 3, 3, 0, 0) + quoted)))
    return t + 3.0, False


def shape_dns_outage(net, n, args):
    """A DNS outage in a storm: keep-alive clients ask for 12 hosts (a third
    gone, a third refusing, a third healthy), and the gateway looks each
    request's name up anew (no cache).  For 6 s in every 20 the DNS server
    is unreachable (ICMP port unreachable to every try).  A request whose 3
    tries all fell in the outage is dns_server_unreachable, however the
    lookups of clients who asked after the outage ended went: they are
    answered, and connect and fail, while its last try is still out."""
    rng = net.rng
    hosts = [(net.fresh_host("outage"), kind, net.fresh_addr())
             for kind in ("dns_nxdomain", "tcp_rst", None) for _ in range(4)]
    period, down = 20.0, 6.0
    def outage(t):
        return t % period < down
    clients = []
    heap = []
    for c in range(max(8, min(300, n // 10))):
        tcp, t = net.client(c, rng.uniform(0, 3.0))
        clients.append(tcp)
        heap.append((t, c))
    heapq.heapify(heap)
    while len(net.truth) < n:
        t, c = heapq.heappop(heap)
        tcp = clients[c]
        host, kind, addr = rng.choice(hosts)
        path = net.path()
        t, (req,) = net.send(t, tcp, 0, [request_bytes(host, path)])
        t, answered = lookup_in_outage(net, t + 0.0005, host, 3 if kind == "dns_nxdomain" else 0, addr, outage)
        if not answered:
            kind = "dns_server_unreachable"
        elif kind == "tcp_rst":
            t, _ = net.syn_rst(t + 0.0005, addr)
        elif kind is None:
            t = net.fetch(t + 0.0005, tcp, host, addr, path)
        if kind:
            # Evidence not pinned: as the outage ends, clients' lookups and
            # attempts for one host are answered in another order than they
            # asked (README, Limits: first come, first served), and which
            # of their alike answers is whose is not what this shape tests.
            t, _ = net.answer(t + 0.001, tcp, [(kind, host, None, req)])
        heapq.heappush(heap, (t + rng.uniform(0.05, 1.5), c))
    for t, c in heap:
        clients[c].close(t, 0, 0.001)


def shape_cut(net, n, args):
    """make-capture.py's traffic, n frames; written cut to --snaplen."""
    gw, _ = mixed_traffic(net.w, net.rng, n, args.failure_rate, 400, max(60.0, 1800.0 * n / 350000))
    for ts, order, kind, host in sorted(gw.truth):
        net.w.tag(order)
        net.truth.append([order, kind, host, None, net.w.tag(gw.request_of[order])])


SHAPES = {
    "storm": (shape_storm, 100000),
    "shared-evidence": (lambda net, n, args: shape_shared(net, n, args, syn=False), 100000),
    "shared-syn": (lambda net, n, args: shape_shared(net, n, args, syn=True), 100000),
    "big-pages": (shape_big_pages, 2000),
    "dense-flood": (shape_dense_flood, 100000),
    "pipeline": (shape_pipeline, 100000),
    "per-segment": (shape_per_segment, 100000),
    "lost-response": (shape_lost_response, 100000),
    "lost-request": (shape_lost_request, 100000),
    "cut": (shape_cut, 350000),
    "unresolved": (shape_unresolved, 100000),
    "dns-outage": (shape_dns_outage, 100000),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="shapes: " + " ".join(SHAPES))
    ap.add_argument("--shape", required=True, choices=list(SHAPES))
    ap.add_argument("--scale", type=int, help="errors (storm: requests; cut: frames); default: the benchmark's")
    ap.add_argument("--seed", type=int, default=502)
    ap.add_argument("--depth", type=int, default=17, help="pipeline: requests per connection")
    ap.add_argument("--snaplen", type=int, help="bytes kept of each record (cut: default 96; others: whole)")
    ap.add_argument("--failure-rate", type=float, default=0.015, help="cut: share of failing requests")
    ap.add_argument("-o", "--output", help="default bench/out/shape-NAME.pcap")
    args = ap.parse_args()
    fn, default_scale = SHAPES[args.shape]
    n = args.scale if args.scale is not None else default_scale
    snaplen = args.snaplen if args.snaplen is not None else 96 if args.shape == "cut" else 65535
    if n < 1 or args.depth < 1 or not 54 <= snaplen <= 65535:
        ap.error("--scale and --depth must be positive, --snaplen from 54 (the headers) to 65535")
    out = args.output or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out",
                                      "shape-%s.pcap" % args.shape)
    started = time.time()
    # One generator for the whole shape, seeded as make-capture.py seeds its
    # own: `--shape cut --scale 350000 --snaplen 65535` is bench/out/gateway.pcap.
    rng = random.Random(args.seed)
    w = Writer()
    net = Net(w, rng)
    fn(net, n, args)
    frames = w.write(out, snaplen=snaplen)

    def num(order):
        return str(w.frame_of(order)) if order else "-"

    # By frame only: the sort is stable, so the responses of one frame stay
    # in the order they were sent, the order their verdicts must come in.
    rows = sorted(((w.frame_of(end), kind, host, num(ev), num(req)) for end, kind, host, ev, req in net.truth),
                  key=lambda row: row[0])
    with open(out + ".truth", "w") as tf:
        tf.write("# make-shapes.py --shape %s --scale %d --seed %d%s%s\n" % (
            args.shape, n, args.seed, {"pipeline": " --depth %d" % args.depth,
                                       "cut": " --failure-rate %g" % args.failure_rate}.get(args.shape, ""),
            " --snaplen %d" % snaplen if snaplen != 65535 else ""))
        tf.write("# frame cause host evidence_frame request_frame (one line per gateway error response;"
                 " '-': not defined by the shape)\n")
        for row in rows:
            tf.write("%d %s %s %s %s\n" % row)
    counts = {}
    for _, kind, _, _, _ in rows:
        counts[kind] = counts.get(kind, 0) + 1
    print("%s: %d frames, %d gateway 502s (%s) in %.1f s" % (
        out, frames, len(rows), ", ".join("%s %d" % kv for kv in sorted(counts.items())),
        time.time() - started), file=sys.stderr)


if __name__ == "__main__":
    main()
