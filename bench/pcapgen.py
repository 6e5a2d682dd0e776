# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw pcap and packet building shared by the benchmark's capture generators.

make-capture.py, make-adversarial.py and make-shapes.py write their captures
with this module: no scapy, only struct, so that a million frames take
seconds and the bytes depend on nothing but the generator's seed.

  PcapFile       a pcap file written record by record (streaming)
  Writer         frames collected out of order, written sorted by time; it
                 can tell the frame number a given frame ended up with, leave
                 frames out (a capture that missed them) and cut records to a
                 snap length
  eth/ipv4/udp   headers; Tcp one connection with its sequence numbers
  dns_packet     an A query or answer
  block_page     the gateway's error page of each failure kind
  MixedGateway   the realistic mixed gateway traffic of make-capture.py

The addresses are those of one web gateway seen by `tcpdump -i any` on it:
clients talk explicit-proxy HTTP to 10.0.0.1:9090, the gateway resolves at
10.10.65.1 and connects from 192.168.1.10.

Every function here feeds make-capture.py and make-adversarial.py, whose
output must stay byte for byte what it was: change nothing that reaches the
bytes or the draws of the random generator without checking both with
sha256sum at their default settings.
"""
import heapq
import struct

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
    "dns_server_unreachable": ("NotResolvable", "Host Not Resolvable"),
    "tcp_syn_timeout": ("CannotConnect", "Cannot Connect"),
    "tcp_rst": ("CannotConnect", "Cannot Connect"),
    "icmp_unreachable": ("CannotConnect", "Cannot Connect"),
    "http_invalid_response": ("BadResponse", "Bad Response"),
    "http_response_timeout": ("BadResponse", "Bad Response"),
    "upstream_status": (None, None),
}

PCAP_START = 1700000000.0       # the captures' first second (2023-11-14)


def ip4(n):
    return struct.pack("!I", n)


# ------------------------------------------------------------------ pcap files

class PcapFile:
    """A classic pcap file (microseconds, Ethernet), written record by record.

    snaplen: each record keeps at most this many bytes of its frame, and the
    frame's original length, as a capture taken with `tcpdump -s SNAPLEN`."""

    def __init__(self, path, snaplen=65535):
        self.out = open(path, "wb")
        self.snaplen = snaplen
        self.count = 0
        self.out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, 1))

    def record(self, sec, usec, frame):
        kept = frame if len(frame) <= self.snaplen else frame[:self.snaplen]
        self.out.write(struct.pack("<IIII", sec, usec, len(kept), len(frame)))
        self.out.write(kept)
        self.count += 1

    def close(self):
        self.out.close()


class Writer:
    """Collects frames (time, order, bytes) and writes them sorted by time.

    Frames are added in whatever order a generator finds convenient (one
    client's whole exchange, then the next); 'order' is the insertion
    count, which breaks ties between equal times, so the output depends on
    the generator's calls only.  The frame number a frame gets is known only
    when the file is written: ask for it beforehand with tag(order), read it
    afterwards with frame_of(order)."""

    def __init__(self):
        self.heap = []
        self.order = 0
        self.tagged = {}            # order -> frame number (0 until written)
        self.dropped = set()        # orders left out of the file

    def add(self, ts, frame):
        self.order += 1
        heapq.heappush(self.heap, (ts, self.order, frame))

    def __len__(self):
        return len(self.heap)

    def tag(self, order):
        """Asks for the frame number of the frame added as 'order'."""
        self.tagged[order] = 0
        return order

    def drop(self, order):
        """Leaves the frame added as 'order' out of the file, as a capture
        that missed it (its frame number is then 0)."""
        self.dropped.add(order)

    def frame_of(self, order):
        return self.tagged[order]

    def write(self, path, start=PCAP_START, snaplen=65535):
        out = PcapFile(path, snaplen)
        tagged, dropped = self.tagged, self.dropped
        n = 0
        while self.heap:
            ts, order, frame = heapq.heappop(self.heap)
            if order in dropped:
                continue
            t = start + ts
            sec = int(t)
            usec = int(round((t - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            out.record(sec, usec, frame)
            n += 1
            if order in tagged:
                tagged[order] = n
        out.close()
        return n


# --------------------------------------------------------------------- headers

def ipv4(src, dst, proto, payload, ident=0):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xffff, 0x4000, 64, proto, 0,
                      src, dst)
    return hdr + payload


def eth(src_is_gw, packet):
    return (MAC_PEER + MAC_GW if src_is_gw else MAC_GW + MAC_PEER) + b"\x08\x00" + packet


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def tcp_header(sport, dport, seq, ack, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 0x50, flags, 64240, 0, 0)


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
        tcp = tcp_header(sport, dport, s, ack, flags)
        self.w.add(ts, eth(side == self.gw_side, ipv4(sip, dip, 6, tcp + data, self.rng.getrandbits(16))))
        if seq is None:
            self.seq[side] += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self, ts, rtt):
        self.seg(ts, 0, SYN)
        self.seg(ts + rtt, 1, SYN | ACK)
        self.seg(ts + rtt + 0.0001, 0, ACK)
        return ts + rtt + 0.0001

    def send(self, ts, side, data, gap=0.0002, ack_delay=0.0003, mss=MSS):
        """Sends data in MSS segments; the peer acknowledges the last one.
        The data segments are the frames added as orders w.order + 1 ...
        right before the call; the acknowledgement is the last frame added."""
        for i in range(0, len(data), mss):
            self.seg(ts, side, PSH | ACK if i + mss >= len(data) else ACK, data[i:i + mss])
            ts += gap
        self.seg(ts + ack_delay, 1 - side, ACK)
        return ts + ack_delay

    def close(self, ts, side, rtt):
        self.seg(ts, side, FIN | ACK)
        self.seg(ts + rtt, 1 - side, FIN | ACK)
        self.seg(ts + rtt + 0.0001, side, ACK)
        return ts + rtt + 0.0001


# ------------------------------------------------------------------------- DNS

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


# ---------------------------------------------------------- the gateway's page

def block_page(kind, host):
    """The gateway's error page for a failure kind (None: the gateway relays
    the origin's own error instead)."""
    template, title = BLOCK_TITLES[kind]
    if template is None:
        return None
    return ("<!-- FileName: %s.html -->\n<html><head><title>%s</title></head><body>"
            "<h1>%s</h1><p>McAfee Web Gateway could not serve %s.</p>"
            "<!-- proxyErrorData :%s: --></body></html>\n" % (template, title, title, host, template)).encode()


def error_response(page):
    return (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nCache-Control: no-cache\r\n"
            b"Content-Length: %d\r\n\r\n" % len(page)) + page


# ------------------------------------------------- make-capture.py's traffic

class MixedGateway:
    """The gateway of make-capture.py: keep-alive clients, a DNS cache, a
    fraction of requests failing in every kind the plugin knows.

    truth: (time, order of the 502 frame, cause, host), one per gateway 502;
    request_of: order of a 502 frame -> order of the request it answers."""

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
        self.request_of = {}
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
            self.w.add(t, eth(True, ipv4(GW_UPSTREAM, DNS_SERVER, 17, udp(port, 53, q))))
            if k < tries - 1:
                t += 2.5
        if not answer:
            return t + 5.0
        t += self.rng.uniform(0.001, 0.02)
        addrs = [addr or self.host_ip.get(host, ip4(0xac100000 | self.rng.getrandbits(12)))] if rcode == 0 else []
        r = dns_packet(ident, host, 1, True, rcode, addrs)
        self.w.add(t, eth(False, ipv4(DNS_SERVER, GW_UPSTREAM, 17, udp(53, port, r))))
        return t

    def fresh_host(self, kind):
        self.fresh += 1
        return "%s%d.fail%d.example.net" % (kind.split("_")[0], self.fresh, self.fresh % 13)

    def record(self, ts, kind, host, request_order):
        order = self.w.order + 1    # the response is one segment, the next frame added
        self.truth.append((ts, order, kind, host))
        self.request_of[order] = request_order
        self.counts[kind] += 1

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
        request_order = self.w.order - 1    # one segment, then the gateway's ACK
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
                self.record(t + 0.0005, kind, host, request_order)
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
        resp = error_response(block_page(kind, host))
        self.record(t + 0.001, kind, host, request_order)
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


def mixed_traffic(w, rng, frames, failure_rate, n_clients, duration):
    """make-capture.py's sessions until 'frames' frames: each one keep-alive
    client connection with a few requests (or a CONNECT tunnel), starting at
    random over 'duration' seconds.  Returns (gateway, sessions)."""
    gw = MixedGateway(w, rng, 3000)
    client_port = {}
    sessions = 0
    while len(w) < frames:
        sessions += 1
        c = rng.randrange(n_clients)
        cip = ip4((10 << 24) | (1 << 16) | (c + 10))
        port = client_port[c] = client_port.get(c, 49152 + rng.randrange(1000)) + 1
        if port > 65000:
            port = client_port[c] = 49152
        client = Tcp(w, rng, cip, port, GW_CLIENT_SIDE, PROXY_PORT, False)
        t = rng.uniform(0, duration)
        t = client.handshake(t, rng.uniform(0.0002, 0.002))
        for k in range(rng.randrange(1, 9)):
            if rng.random() < 0.08:
                t = gw.tunnel(t + 0.001, client)
                break
            kind = rng.choice(FAILURES) if rng.random() < failure_rate else None
            t = gw.request(t + rng.uniform(0.001, 3.0), client, kind)
        else:
            client.close(t + rng.uniform(0.5, 10), 0, 0.001)
    return gw, sessions
