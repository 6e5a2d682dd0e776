#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds the bad-input captures of mwg502 in captures/bad-input/.

Run with Debian's python3 and python3-scapy:

    /usr/bin/python3 tests/bad-input/make-bad-input.py

Each X.pcap[ng] gets an X.expected in the format of tests/check-capture.py
(ctest runs every one of them as capture/bad-input/X).  The frames are
written in the order they are built (not sorted by time: some of these
captures have time going backwards on purpose), so frame numbers are known
here.  Deterministic: fixed times, ports and sequence numbers.
"""
import os
import random
import struct
import subprocess
import sys

from scapy.all import DNS, DNSQR, IP, TCP, UDP, Ether, Raw, wrpcap
from scapy.utils import PcapNgWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(os.path.dirname(HERE)), "captures", "bad-input")

CLIENT, GW, DNS_SERVER, DEST = "10.10.67.4", "10.10.67.161", "10.10.65.1", "10.10.67.124"
T0 = 1362788757.0            # the vendor article's day


class Cap:
    def __init__(self, name, about):
        self.name, self.about = name, about
        self.pkts = []
        self.expected = []
        self.options = ""
        self.t = T0
        self.rng = random.Random(name)
        self.out = OUT

    def add(self, l3, dt=0.0005, t=None):
        self.t = self.t + dt if t is None else t
        p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / l3
        p.time = self.t
        self.pkts.append(p)
        return len(self.pkts)

    def expect(self, *fields):
        self.expected.append(" ".join(str(f) for f in fields))

    def write(self):
        path = os.path.join(self.out, self.name)
        if self.name.endswith(".pcapng"):
            w = PcapNgWriter(path)
            for p in self.pkts:
                w.write(p)
            w.close()
        else:
            wrpcap(path, self.pkts)
        self.write_expected()
        return path

    def write_expected(self):
        with open(os.path.join(self.out, os.path.splitext(self.name)[0] + ".expected"), "w") as f:
            f.write("".join("# " + line + "\n" for line in self.about.strip().splitlines()))
            if self.options:
                f.write("# options: " + self.options + "\n")
            f.write("".join(line + "\n" for line in self.expected))


class Tcp:
    def __init__(self, cap, a, aport, b, bport):
        self.cap, self.ep = cap, {0: (a, aport), 1: (b, bport)}
        self.seq = {0: cap.rng.getrandbits(32), 1: cap.rng.getrandbits(32)}

    def seg(self, side, flags, data=b"", dt=0.0005, t=None):
        (s, sp), (d, dp) = self.ep[side], self.ep[1 - side]
        pkt = IP(src=s, dst=d) / TCP(sport=sp, dport=dp, flags=flags, seq=self.seq[side],
                                     ack=self.seq[1 - side] if "A" in flags else 0, window=502)
        if data:
            pkt = pkt / Raw(data)
        n = self.cap.add(pkt, dt, t)
        self.seq[side] = (self.seq[side] + len(data) + (1 if ("S" in flags or "F" in flags) else 0)) & 0xffffffff
        return n

    def handshake(self):
        self.seg(0, "S")
        self.seg(1, "SA")
        return self.seg(0, "A")

    def send(self, side, data, dt=0.0005, t=None):
        n = self.seg(side, "PA", data, dt, t)
        self.seg(1 - side, "A")
        return n


def dns(cap, qid, name, response=False, rcode=0, answers=(), dt=0.001, sport=40001, t=None):
    if response:
        # Built by hand: scapy's record chains recurse once per record.
        qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
        msg = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, len(answers), 0, 0) + qname + struct.pack("!HH", 1, 1)
        for a in answers:
            msg += struct.pack("!HHHIH", 0xc00c, 1, 1, 300, 4) + bytes(int(x) for x in a.split("."))
        pkt = IP(src=DNS_SERVER, dst=GW) / UDP(sport=53, dport=sport) / Raw(msg)
    else:
        pkt = IP(src=GW, dst=DNS_SERVER) / UDP(sport=sport, dport=53) / DNS(id=qid, rd=1, qd=DNSQR(qname=name))
    return cap.add(pkt, dt, t)


def proxy_get(host):
    return ("GET http://%s/ HTTP/1.1\r\nHost: %s\r\nUser-Agent: test\r\nProxy-Connection: keep-alive\r\n\r\n"
            % (host, host)).encode()


def page_502(title="Host Not Resolvable", template="NotResolvable"):
    body = ("<!-- FileName: %s.html --><html><head><title>%s</title></head>"
            "<body>McAfee Web Gateway</body></html>" % (template, title)).encode()
    return (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)) + body


def nxdomain_incident(cap, host, cport=50001, dt_jumps=None, resp=None):
    """Client asks for host, the gateway's A query gets NXDOMAIN, 502.
    Returns (request frame, evidence frame, error frame)."""
    cl = Tcp(cap, CLIENT, cport, GW, 9090)
    cl.handshake()
    req = cl.send(0, proxy_get(host))
    dns(cap, 0x1234, host, sport=cport - 10000)
    ev = dns(cap, 0x1234, host, response=True, rcode=3, sport=cport - 10000)
    err = cl.send(1, resp if resp is not None else page_502())
    return req, ev, err


def main():
    os.makedirs(OUT, exist_ok=True)
    made = []

    # 1. truncated by snap length: the nxdomain incident with every frame cut
    # to 80 bytes (editcap -s 80), so no HTTP message is whole.
    c = Cap("truncated-snaplen.pcap", """
A client's request, an NXDOMAIN and the gateway's 502, but every frame cut
to 80 bytes (editcap -s 80): 26 bytes of HTTP per frame, the whole status
line "HTTP/1.1 502 Bad Gateway" but only the start of the request.  What is
left is enough and true: dns_nxdomain (no crash, nothing invented), on a
response the capture kept only the start of (cut: shown so in every run).""")
    req, ev, err = nxdomain_incident(c, "nx.example.com")
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx.example.com", "cut")
    full = c.write()
    subprocess.run(["editcap", "-s", "80", full, full + ".tmp"], check=True)
    os.replace(full + ".tmp", full)
    made.append(c)

    # 2. truncated file: the incident, then the file cut in the middle of a
    # record after the 502 (tcpdump killed while writing).
    # Written beside this script, not under captures/: tshark exits 2 on a
    # cut-short file, which tests/check-capture.py accepts only when told
    # (--cut-short).
    c = Cap("truncated-file.pcap", """
An NXDOMAIN incident, then more traffic, and the file cut short in the middle
of the last record (tcpdump killed while writing).  tshark warns that the
file is cut short; the verdict on the 502, which is before the cut, stands.""")
    req, ev, err = nxdomain_incident(c, "nx.example.com")
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx.example.com")
    cl = Tcp(c, CLIENT, 50002, GW, 9090)
    cl.handshake()
    cl.send(0, proxy_get("www.example.com"))
    c.out = HERE
    path = c.write()
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:-40])
    made.append(c)

    # 3. only garbage on the proxy port, including bytes that look like the
    # start of a status line, in both directions.
    c = Cap("garbage-proxy-port.pcap", """
Only binary garbage on the proxy port, both ways, on two connections (one
of them carrying "HTTP/1.1 502" inside the garbage, not at a message start,
one a bare "502" line).  No verdict.""")
    rng = random.Random(502)
    for k, port in enumerate((50010, 50011)):
        cl = Tcp(c, CLIENT, port, GW, 9090)
        cl.handshake()
        for i in range(6):
            blob = bytes(rng.getrandbits(8) for _ in range(300))
            if k == 1 and i == 3:
                blob = b"\x00\x17garbage HTTP/1.1 502 Bad Gateway\r\n\r\n" + blob
            cl.send(i % 2, blob)
        cl.send(1, b"502\r\n\r\n")
    c.write()
    made.append(c)

    # 4. a 502 whose request is not in the capture: tcpdump started after it.
    c = Cap("502-request-not-captured.pcap", """
tcpdump started while a client waited: the capture opens with an upstream
NXDOMAIN for an unrelated name and the gateway's 502 on a connection whose
request (and handshake) are not in the capture.  Verdict: the block page's
family, no_upstream_evidence, no request frame, no host.""")
    dns(c, 0x4321, "other.example.com")
    dns(c, 0x4321, "other.example.com", response=True, rcode=3)
    cl = Tcp(c, CLIENT, 50020, GW, 9090)
    err = cl.send(1, page_502())
    c.expect(err, "host_not_resolvable", "no_upstream_evidence", "-", "-", "-")
    c.write()
    made.append(c)

    # 5. time going backwards inside an incident.
    c = Cap("time-backwards.pcap", """
An NXDOMAIN incident whose time stamps go backwards: the DNS query is
stamped 30 s before the client's request, the answer 1 hour before, the
502 back in order.  Order in the file decides: dns_nxdomain.""")
    cl = Tcp(c, CLIENT, 50030, GW, 9090)
    cl.handshake()
    req = cl.send(0, proxy_get("nx.example.com"))
    dns(c, 0x1111, "nx.example.com", t=c.t - 30)
    ev = dns(c, 0x1111, "nx.example.com", response=True, rcode=3, t=c.t - 3600)
    err = cl.send(1, page_502(), t=T0 + 1)
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx.example.com")
    c.write()
    made.append(c)

    # 6. time jumping years: one stray frame 20 years ahead, then a normal
    # incident (a corrupt record, or a clock fixed by NTP mid-capture).
    c = Cap("time-jump-years.pcap", """
A healthy exchange, one stray DNS query stamped 20 years later, then an
NXDOMAIN incident back at the right time.  The jump must not make the
engine forget the incident, nor invent one: one verdict, dns_nxdomain.""")
    cl = Tcp(c, CLIENT, 50040, GW, 9090)
    cl.handshake()
    cl.send(0, proxy_get("ok.example.com"))
    cl.send(1, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    dns(c, 0x2222, "stray.example.com", t=c.t + 20 * 365 * 86400)
    c.t = T0 + 2
    req, ev, err = nxdomain_incident(c, "nx.example.com", cport=50041)
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx.example.com")
    c.write()
    made.append(c)

    # 7. time stamps past 2262 (pcapng, 64-bit time stamps): seconds * 1e9
    # no longer fits in 64 bits.
    c = Cap("time-far-future.pcapng", """
The NXDOMAIN incident stamped in the year 2400 (pcapng has 64-bit time
stamps; 2400 is past the year 2262, the end of int64 nanoseconds since
1970).  One verdict, dns_nxdomain, and no overflow (the sanitizer build
of the plugin reports signed overflow otherwise).""")
    c.t = 13569465600.0        # 2400-01-01
    req, ev, err = nxdomain_incident(c, "nx.example.com")
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx.example.com")
    c.write()
    made.append(c)

    # 8. a DNS answer with hundreds of records; the gateway connects to the
    # first address and to one far down the list; both refused.
    c = Cap("dns-hundreds-of-records.pcap", """
The DNS answer for many.example.com carries 300 A records (10.20.0.1 ..
10.20.1.44).  The gateway connects to the first: RST, 502 (tcp_rst).  A
second request: the gateway connects to the 200th address: RST, 502.  The
engine keeps 16 addresses per name, so today the second verdict is an honest
miss (no_upstream_evidence, the block page's family), not a false cause;
tcp_rst would be better (see the owners table).""")
    addrs = ["10.20.%d.%d" % ((i + 1) // 256, (i + 1) % 256) for i in range(300)]
    cl = Tcp(c, CLIENT, 50050, GW, 9090)
    cl.handshake()
    req = cl.send(0, proxy_get("many.example.com"))
    dns(c, 0x3333, "many.example.com", sport=41000)
    dns(c, 0x3333, "many.example.com", response=True, answers=addrs, sport=41000)
    up = Tcp(c, GW, 42000, addrs[0], 80)
    up.seg(0, "S")
    ev = up.seg(1, "RA")
    err = cl.send(1, page_502("Cannot Connect", "CannotConnect"))
    c.expect(err, "cannot_connect", "tcp_rst", req, ev, "many.example.com")
    req = cl.send(0, proxy_get("many.example.com"), dt=1)
    up = Tcp(c, GW, 42001, addrs[199], 80)
    up.seg(0, "S")
    up.seg(1, "RA")
    err = cl.send(1, page_502("Cannot Connect", "CannotConnect"))
    c.expect(err, "cannot_connect", "no_upstream_evidence", req, "-", "many.example.com")
    c.write()
    made.append(c)

    # 9. a 502 without headers (status line and the empty line only), and a
    # bare status line closed by FIN.
    c = Cap("502-no-headers.pcap", """
Two NXDOMAIN incidents whose 502s have no header at all.  The first,
"HTTP/1.1 502 Bad Gateway" and the empty line on a connection left open, has
no length: its body runs to the close, which never comes before the capture
ends, so Wireshark never shows it as HTTP; its verdict sits on its status
line (incomplete: a second pass shows it).  The second, "HTTP/1.0 502" and
the connection closed: Wireshark completes it on the FIN (frame 18):
dns_nxdomain, no block page.""")
    req1, ev1, err1 = nxdomain_incident(c, "nx1.example.com", resp=b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
    c.expect(err1, "host_not_resolvable", "dns_nxdomain", req1, ev1, "nx1.example.com", "incomplete")
    cl = Tcp(c, CLIENT, 50061, GW, 9090)
    cl.handshake()
    req = cl.send(0, proxy_get("nx2.example.com"))
    dns(c, 0x5555, "nx2.example.com", sport=40061)
    ev = dns(c, 0x5555, "nx2.example.com", response=True, rcode=3, sport=40061)
    cl.seg(1, "PA", b"HTTP/1.0 502\r\n\r\n")
    err = cl.seg(1, "FA")
    cl.seg(0, "FA")
    cl.seg(1, "A")
    c.expect(err, "host_not_resolvable", "dns_nxdomain", req, ev, "nx2.example.com")
    c.write()
    made.append(c)

    for c in made:
        print("wrote", os.path.relpath(os.path.join(c.out, c.name)), file=sys.stderr)


if __name__ == "__main__":
    main()
