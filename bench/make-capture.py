#!/usr/bin/python3
"""Generates a large, realistic web-gateway capture for the mwg502 benchmark.

usage: make-capture.py [--frames N] [--seed S] [--failure-rate R] [-o OUT.pcap]

The capture is what `tcpdump -i any` on the gateway would see: clients talk
explicit-proxy HTTP to 10.0.0.1:9090 with keep-alive (some CONNECT tunnels),
the gateway resolves names at 10.10.65.1 (with its own cache: most requests
need no query), opens TCP connections to the origins and forwards the
requests.  A fraction R of the requests (default 1.5%) fails, spread evenly
over every kind the plugin knows, each followed by the gateway's 502 block
page to the client:

  dns_nxdomain dns_servfail dns_no_response tcp_syn_timeout tcp_rst
  icmp_unreachable http_invalid_response http_response_timeout upstream_status

The pcap records are written directly (no scapy), deterministic for a seed.
The counts of each failure kind are printed on stderr, and written beside the
capture as OUT.pcap.truth (one line per gateway 502: frame, cause, host), so
that the benchmark can also check what the plugin found.
"""
import argparse
import heapq
import random
import struct
import sys

GW_CLIENT_SIDE = bytes([10, 0, 0, 1])
GW_UPSTREAM = bytes([192, 168, 1, 10])
DNS_SERVER = bytes([10, 10, 65, 1])
ROUTER = bytes([192, 168, 1, 254])
PROXY_PORT = 9090
MSS = 1460

MAC_GW = b"\x00\x50\x56\x00\x00\x01"
MAC_PEER = b"\x00\x50\x56\x00\x00\x02"

FAILURES = ["dns_nxdomain", "dns_servfail", "dns_no_response", "tcp_syn_timeout", "tcp_rst",
            "icmp_unreachable", "http_invalid_response", "http_response_timeout", "upstream_status"]

BLOCK_TITLES = {
    "dns_nxdomain": ("NotResolvable", "Host Not Resolvable"),
    "dns_servfail": ("NotResolvable", "Host Not Resolvable"),
    "dns_no_response": ("NotResolvable", "Host Not Resolvable"),
    "tcp_syn_timeout": ("CannotConnect", "Cannot Connect"),
    "tcp_rst": ("CannotConnect", "Cannot Connect"),
    "icmp_unreachable": ("CannotConnect", "Cannot Connect"),
    "http_invalid_response": ("BadResponse", "Bad Response"),
    "http_response_timeout": ("BadResponse", "Bad Response"),
    "upstream_status": (None, None),
}


def ip4(n):
    return struct.pack("!I", n)


class Writer:
    """Collects frames (time, order, bytes) and writes them sorted by time."""

    def __init__(self):
        self.heap = []
        self.order = 0

    def add(self, ts, frame):
        self.order += 1
        heapq.heappush(self.heap, (ts, self.order, frame))

    def __len__(self):
        return len(self.heap)

    def write(self, path, start=1700000000.0):
        with open(path, "wb") as out:
            out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            n = 0
            while self.heap:
                ts, _, frame = heapq.heappop(self.heap)
                t = start + ts
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                if usec >= 1000000:
                    sec, usec = sec + 1, usec - 1000000
                out.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
                out.write(frame)
                n += 1
        return n


def ipv4(src, dst, proto, payload, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xffff, 0x4000, 64, proto, 0,
                      src, dst)
    return hdr + payload


def eth(src_is_gw, packet):
    return (MAC_PEER + MAC_GW if src_is_gw else MAC_GW + MAC_PEER) + b"\x08\x00" + packet


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Tcp:
    """One TCP connection; a = the side that opens it."""

    def __init__(self, w, rng, a_ip, a_port, b_ip, b_port, a_is_gw):
        self.w, self.rng = w, rng
        self.ep = {0: (a_ip, a_port), 1: (b_ip, b_port)}
        self.gw_side = 0 if a_is_gw else 1
        self.seq = {0: rng.getrandbits(32), 1: rng.getrandbits(32)}

    def seg(self, ts, side, flags, data=b"", seq=None):
        (sip, sport), (dip, dport) = self.ep[side], self.ep[1 - side]
        s = self.seq[side] if seq is None else seq
        ack = self.seq[1 - side] if flags & ACK else 0
        tcp = struct.pack("!HHIIBBHHH", sport, dport, s & 0xffffffff, ack & 0xffffffff, 0x50, flags, 64240, 0, 0)
        self.w.add(ts, eth(side == self.gw_side, ipv4(sip, dip, 6, tcp + data, self.rng.getrandbits(16))))
        if seq is None:
            self.seq[side] += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self, ts, rtt):
        self.seg(ts, 0, SYN)
        self.seg(ts + rtt, 1, SYN | ACK)
        self.seg(ts + rtt + 0.0001, 0, ACK)
        return ts + rtt + 0.0001

    def send(self, ts, side, data, gap=0.0002, ack_delay=0.0003):
        """Sends data in MSS segments; the peer acknowledges the last one."""
        for i in range(0, len(data), MSS):
            self.seg(ts, side, PSH | ACK if i + MSS >= len(data) else ACK, data[i:i + MSS])
            ts += gap
        self.seg(ts + ack_delay, 1 - side, ACK)
        return ts + ack_delay

    def close(self, ts, side, rtt):
        self.seg(ts, side, FIN | ACK)
        self.seg(ts + rtt, 1 - side, FIN | ACK)
        self.seg(ts + rtt + 0.0001, side, ACK)
        return ts + rtt + 0.0001


def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def dns_packet(ident, name, qtype, response, rcode=0, addrs=()):
    flags = (0x8180 | rcode) if response else 0x0100
    hdr = struct.pack("!HHHHHH", ident, flags, 1, len(addrs), 0, 0)
    body = dns_name(name) + struct.pack("!HH", qtype, 1)
    for a in addrs:
        body += struct.pack("!HHHIH", 0xc00c, qtype, 1, 300, len(a)) + a
    return hdr + body


class Gateway:
    def __init__(self, w, rng, n_hosts):
        self.w, self.rng = w, rng
        self.hosts = ["www.site%d.example%d.com" % (i, i % 7) for i in range(n_hosts)]
        self.host_ip = {h: ip4((172 << 24) | (16 << 16) | (i + 10)) for i, h in enumerate(self.hosts)}
        self.cache = {}                 # host -> expiry
        self.up_port = 20000
        self.dns_port = 30000
        self.dns_id = 1
        self.fresh = 0
        self.truth = []                 # (time, order of the 502 frame, cause, host)
        self.counts = {k: 0 for k in FAILURES}

    def next_up_port(self):
        self.up_port = 20000 + (self.up_port - 20000 + 1) % 40000
        return self.up_port

    def dns(self, ts, host, rcode=0, answer=True, tries=1, addr=None):
        """One A lookup; returns the time the gateway has its answer."""
        self.dns_port = 30000 + (self.dns_port - 30000 + 1) % 30000
        ident = self.dns_id = (self.dns_id * 1103 + 7) & 0xffff
        port = self.dns_port
        t = ts
        for k in range(tries):
            q = dns_packet(ident, host, 1, False)
            self.w.add(t, eth(True, ipv4(GW_UPSTREAM, DNS_SERVER, 17, struct.pack("!HHHH", port, 53, 8 + len(q), 0) + q)))
            if k < tries - 1:
                t += 2.5
        if not answer:
            return t + 5.0
        t += self.rng.uniform(0.001, 0.02)
        addrs = [addr or self.host_ip.get(host, ip4(0xac100000 | self.rng.getrandbits(12)))] if rcode == 0 else []
        r = dns_packet(ident, host, 1, True, rcode, addrs)
        self.w.add(t, eth(False, ipv4(DNS_SERVER, GW_UPSTREAM, 17, struct.pack("!HHHH", 53, port, 8 + len(r), 0) + r)))
        return t

    def fresh_host(self, kind):
        self.fresh += 1
        return "%s%d.fail%d.example.net" % (kind.split("_")[0], self.fresh, self.fresh % 13)

    def block_page(self, kind, host):
        template, title = BLOCK_TITLES[kind]
        if template is None:
            return None
        return ("<!-- FileName: %s.html -->\n<html><head><title>%s</title></head><body>"
                "<h1>%s</h1><p>McAfee Web Gateway could not serve %s.</p>"
                "<!-- proxyErrorData :%s: --></body></html>\n" % (template, title, title, host, template)).encode()

    def request(self, ts, client, kind):
        """Serves one client request at ts on client connection 'client'.
        Returns the time the client has its answer."""
        rng = self.rng
        path = "/%s/%d.html" % (rng.choice(["news", "img", "api", "static", "search"]), rng.randrange(100000))
        if kind:
            host = self.fresh_host(kind) if kind.startswith("dns") or rng.random() < 0.5 else rng.choice(self.hosts)
        else:
            host = rng.choice(self.hosts)
        req = ("GET http://%s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n"
               "Accept: */*\r\nProxy-Connection: keep-alive\r\n\r\n" % (host, path, host)).encode()
        t = client.send(ts, 0, req)
        # resolution
        cached = self.cache.get(host, -1) > t and not (kind or "").startswith("dns")
        if kind and not cached and host.startswith(("dns", "tcp", "icmp", "http", "upstream")):
            ip = ip4((172 << 24) | (20 << 16) | (self.fresh & 0xffff))
        else:
            ip = self.host_ip.get(host)
        if kind == "dns_nxdomain":
            t = self.dns(t + 0.0005, host, rcode=3)
        elif kind == "dns_servfail":
            t = self.dns(t + 0.0005, host, rcode=2)
        elif kind == "dns_no_response":
            t = self.dns(t + 0.0005, host, answer=False, tries=3)
        elif not cached:
            t = self.dns(t + 0.0005, host, addr=ip)
            self.cache[host] = t + 300
        up = Tcp(self.w, rng, GW_UPSTREAM, self.next_up_port(), ip, 80, True)
        rtt = rng.uniform(0.005, 0.08)
        if kind in ("dns_nxdomain", "dns_servfail", "dns_no_response"):
            pass
        elif kind == "tcp_syn_timeout":
            for back in (0, 1, 3):
                up.seg(t + 0.0005 + back, 0, SYN, seq=up.seq[0])
            t += 7.0
        elif kind == "tcp_rst":
            up.seg(t + 0.0005, 0, SYN)
            up.seg(t + 0.0005 + rtt, 1, RST | ACK)
            t += 0.001 + rtt
        elif kind == "icmp_unreachable":
            up.seg(t + 0.0005, 0, SYN, seq=up.seq[0])
            inner = ipv4(GW_UPSTREAM, ip, 6, struct.pack("!HHI", up.ep[0][1], 80, up.seq[0] & 0xffffffff), 7)[:28]
            icmp = struct.pack("!BBHI", 3, 1, 0, 0) + inner
            self.w.add(t + 0.0005 + rtt / 2, eth(False, ipv4(ROUTER, GW_UPSTREAM, 1, icmp)))
            t += 0.001 + rtt
        else:
            t = up.handshake(t + 0.0005, rtt)
            fwd = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n"
                   "Accept: */*\r\nVia: 1.1 mwg\r\nX-Forwarded-For: %d.%d.%d.%d\r\n\r\n"
                   % ((path, host) + tuple(client.ep[0][0]))).encode()
            t = up.send(t + 0.0002, 0, fwd)
            if kind == "http_invalid_response":
                t = up.send(t + rtt, 1, b"\x00\x01garbage from a broken origin\r\n")
                t = up.close(t + 0.0005, 0, rtt)
            elif kind == "http_response_timeout":
                t += 120.0
                up.close(t + 0.0005, 0, rtt)
            elif kind == "upstream_status":
                body = b"<html><body>origin says: 502 Bad Gateway</body></html>\n"
                resp = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
                t = up.send(t + rtt, 1, resp)
                up.close(t + 0.0005, 0, rtt)
                relay = b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nVia: 1.1 mwg\r\nContent-Length: %d\r\n\r\n" % len(body) + body
                self.truth.append((t + 0.0005, self.w.order + 1, kind, host))
                self.counts[kind] += 1
                return client.send(t + 0.0005, 1, relay)
            else:
                size = int(rng.lognormvariate(7.5, 1.0)) + 50
                ctype = rng.choice(["text/html", "image/png", "application/json", "text/css"])
                body = (b"x" * 61 + b"\n") * (size // 62 + 1)
                body = body[:size]
                hdr = ("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nCache-Control: max-age=60\r\n"
                       "Server: nginx\r\n\r\n" % (ctype, len(body))).encode()
                t = up.send(t + rtt + rng.uniform(0.001, 0.2), 1, hdr + body)
                up.close(t + 0.0005, 0, rtt)
                relay = hdr.replace(b"Server: nginx\r\n", b"Server: nginx\r\nVia: 1.1 mwg\r\n")
                return client.send(t + 0.0005, 1, relay + body)
        # the gateway's own 502
        page = self.block_page(kind, host)
        resp = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nCache-Control: no-cache\r\n"
                b"Content-Length: %d\r\n\r\n" % len(page)) + page
        self.truth.append((t + 0.001, self.w.order + 1, kind, host))
        self.counts[kind] += 1
        return client.send(t + 0.001, 1, resp)

    def tunnel(self, ts, client):
        """A CONNECT tunnel with a little opaque traffic; ends the connection."""
        rng = self.rng
        host = rng.choice(self.hosts)
        t = client.send(ts, 0, ("CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\nProxy-Connection: keep-alive\r\n\r\n"
                                % (host, host)).encode())
        if self.cache.get(host, -1) <= t:
            t = self.dns(t + 0.0005, host)
            self.cache[host] = t + 300
        up = Tcp(self.w, rng, GW_UPSTREAM, self.next_up_port(), self.host_ip[host], 443, True)
        rtt = rng.uniform(0.005, 0.08)
        t = up.handshake(t + 0.0005, rtt)
        t = client.send(t + 0.0005, 1, b"HTTP/1.1 200 Connection established\r\n\r\n")
        for _ in range(rng.randrange(1, 4)):
            hello = b"\x17\x03\x03" + struct.pack("!H", 200) + bytes(rng.getrandbits(8) for _ in range(200))
            t = client.send(t + 0.01, 0, hello)
            t = up.send(t + 0.0003, 0, hello)
            back = b"\x17\x03\x03" + struct.pack("!H", 600) + bytes(rng.getrandbits(8) for _ in range(600))
            t = up.send(t + rtt, 1, back)
            t = client.send(t + 0.0003, 1, back)
        up.close(t + 0.01, 0, rtt)
        return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--frames", type=int, default=350000)
    ap.add_argument("--seed", type=int, default=502)
    ap.add_argument("--failure-rate", type=float, default=0.015)
    ap.add_argument("--clients", type=int, default=400)
    ap.add_argument("--duration", type=float, default=1800.0, help="seconds over which sessions start")
    ap.add_argument("-o", "--output", default="bench/out/gateway.pcap")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    w = Writer()
    gw = Gateway(w, rng, 3000)
    client_port = {}
    sessions = 0
    # Sessions until the frame budget is reached; each is one keep-alive
    # client connection with a few requests.
    while len(w) < args.frames:
        sessions += 1
        c = rng.randrange(args.clients)
        cip = ip4((10 << 24) | (1 << 16) | (c + 10))
        port = client_port[c] = client_port.get(c, 49152 + rng.randrange(1000)) + 1
        if port > 65000:
            port = client_port[c] = 49152
        client = Tcp(w, rng, cip, port, GW_CLIENT_SIDE, PROXY_PORT, False)
        t = rng.uniform(0, args.duration)
        t = client.handshake(t, rng.uniform(0.0002, 0.002))
        for k in range(rng.randrange(1, 9)):
            if rng.random() < 0.08:
                t = gw.tunnel(t + 0.001, client)
                break
            kind = rng.choice(FAILURES) if rng.random() < args.failure_rate else None
            t = gw.request(t + rng.uniform(0.001, 3.0), client, kind)
        else:
            client.close(t + rng.uniform(0.5, 10), 0, 0.001)
    n = w.write(args.output)
    # The 502 frames' numbers: order of insertion != frame number; recompute
    # by sorting the truth by (time, order) the same way the writer did.
    with open(args.output + ".truth", "w") as tf:
        tf.write("# time_offset insertion_order cause host (one line per gateway 502)\n")
        for ts, order, kind, host in sorted(gw.truth):
            tf.write("%.6f %d %s %s\n" % (ts, order, kind, host))
    total = sum(gw.counts.values())
    print("%s: %d frames, %d sessions, %d gateway 502s (%s)" % (
        args.output, n, sessions, total, ", ".join("%s %d" % kv for kv in gw.counts.items())), file=sys.stderr)


if __name__ == "__main__":
    main()
