#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the crafted web-gateway captures in captures/crafted/ and their expected verdicts.

Run with Debian's python3 and python3-scapy:

    /usr/bin/python3 captures/make-captures.py           # write every capture
    /usr/bin/python3 captures/make-captures.py --check   # ... and verify them with tshark

Each capture is what `tcpdump -s 0 -i any -w x.pcap` on a McAfee/Skyhigh Web
Gateway would hold while a client got a 502 (or, for the healthy ones, did
not): the client's request on the proxy port, the gateway's DNS queries, its
TCP attempts to the destination, the forwarded request and the reply, and the
gateway's answer.  The shapes follow the vendor's KB article "Examining HTTP
502 statuses returned by McAfee Web Gateway".

Nothing is sent on any network: packets are only built and written to files.
scapy computes every length and checksum.  The output is deterministic: the
timestamps are fixed, and ports, sequence numbers, IP ids and DNS ids come
from a random generator seeded with the capture's name.

Next to every capture X.pcap the script writes X.expected:

    # free-text description (several lines)
    # options: -o mwg502.proxy_ports:8080     (only when tshark needs options)
    <error_frame> <category> <cause> <request_frame> <evidence_frame> <host>

one data line per error response the gateway sent, frame numbers 1-based as
tshark numbers them, evidence_frame "-" when the capture has no upstream
evidence.  Frame numbers are computed from the packets as they are written.
"""

import argparse
import calendar
import email.utils
import functools
import gzip
import ipaddress
import operator
import os
import random
import shutil
import subprocess
import sys
import zlib
from decimal import Decimal

from scapy.all import (DNS, DNSQR, DNSRR, DNSRROPT, DNSRRSOA, GRE, ICMP, IP, TCP, UDP, Ether,
                       ICMPv6DestUnreach, IPv6, Padding, Raw, rdpcap, wrpcap)
from scapy.layers.vxlan import VXLAN
from scapy.layers.l2 import CookedLinux
from scapy.utils import PcapNgWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "crafted")

# The KB's access-log line: [08/Mar/2013:18:25:57 -0600] "" 10.10.67.4 502 ...
KB_TIME = calendar.timegm((2013, 3, 9, 0, 25, 57))

# The KB's addresses.
CLIENT = "10.10.67.4"
GATEWAY = "10.10.67.161"
DNS_SERVER = "10.10.65.1"
DEST = "10.10.67.124"
ROUTER = "10.10.67.1"          # the gateway's default router (sends ICMP errors)
FIREWALL = "10.10.66.254"      # a firewall between gateway and destinations

# Round trips and pauses, in seconds.
LAN = 0.00042       # client <-> gateway
WAN = 0.0183        # gateway <-> destination
DNS_RTT = 0.0011    # gateway <-> DNS server
THINK = 0.00031     # gateway works on what it just received
TICK = 0.00002      # between two packets sent back to back

SYN_OPTIONS = [("MSS", 1460), ("NOP", None), ("WScale", 7), ("NOP", None), ("NOP", None), ("SAckOK", b"")]
MSS = 1448

UA = ("Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.2; Trident/4.0; .NET CLR 1.1.4322; "
      ".NET CLR 2.0.50727; .NET CLR 3.0.4506.2152; .NET CLR 3.5.30729; .NET4.0C; .NET4.0E)")
VIA = "1.1 mwg.example.local (McAfee Web Gateway 7.3.2.3.0.15170)"
APACHE = "Apache/2.2.22 (Debian)"

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5


# --------------------------------------------------------------------------
# Capture file, stories (threads of events with their own clock)
# --------------------------------------------------------------------------

class Site:
    """The gateway of one capture: client-facing address, upstream source
    address (differs on a two-interface gateway), its DNS server, proxy port."""

    def __init__(self, gw=GATEWAY, up=None, dns=DNS_SERVER, port=9090):
        self.gw, self.up, self.dns, self.port = gw, up or gw, dns, port

    @property
    def addrs(self):
        return {self.gw, self.up}

    def source(self, dst):
        """The gateway's address for reaching dst: the upstream one, unless
        that is of the other IP version (a dual-stack gateway)."""
        return self.up if is_v6(self.up) == is_v6(dst) else self.gw


def is_v6(addr):
    return ":" in addr


def mac_of(addr, oui="02:1a:c5"):
    """A stable, locally administered MAC address for a host."""
    h = zlib.crc32(addr.encode()).to_bytes(4, "big")
    return oui + ":" + ":".join("%02x" % b for b in h[:3])


ROUTER_MAC = mac_of("router", "02:00:5e")


class Capture:
    """The packets of one file, kept with their timestamps; frame numbers are
    known once the packets are put in time order, when the file is written."""

    def __init__(self, name, about, site, link="ether", options="", start=KB_TIME):
        self.name, self.about, self.site = name, about, site
        self.link, self.options, self.start = link, options, start
        self.rng = random.Random(zlib.crc32(name.encode()))
        self._packets = []      # (time, layer-3 packet); the index is the handle
        self._verdicts = []
        self._ports = set()
        self.frames = None      # handle -> frame number, after write()
        self.recording_from = None  # tcpdump started late: packets before are not in the file
        self.recording_until = None  # ... or stopped early: packets after are not

    def start_recording(self, t):
        self.recording_from = t

    def stop_recording(self, t):
        """tcpdump stopped: nothing after t is in the file."""
        self.recording_until = t

    def story(self, at=0.0):
        return Story(self, self.start + at)

    def put(self, t, l3):
        self._packets.append((t, l3))
        return len(self._packets) - 1

    def port(self, low=32768, high=60999):
        """An ephemeral port not used yet in this capture."""
        while True:
            p = self.rng.randint(low, high)
            if p not in self._ports:
                self._ports.add(p)
                return p

    def expect(self, error, category, cause, request, evidence, host, incomplete=False):
        """Record the verdict for the error response whose last segment is
        `error`; incomplete: the response never arrived whole and `error` is
        the segment of its status line."""
        self._verdicts.append((error, category, cause, request, evidence, host, incomplete))

    # -- link layer ---------------------------------------------------------

    def _on_link(self, peer):
        prefix = 64 if is_v6(peer) else 24
        for gw in self.site.addrs:
            if is_v6(gw) == is_v6(peer) and \
                    ipaddress.ip_address(peer) in ipaddress.ip_network("%s/%d" % (gw, prefix), strict=False):
                return True
        return False

    def _with_link_layer(self, l3):
        outgoing = l3.src in self.site.addrs
        gw, peer = (l3.src, l3.dst) if outgoing else (l3.dst, l3.src)
        gw_mac = mac_of(gw, "00:50:56")
        peer_mac = mac_of(peer) if self._on_link(peer) else ROUTER_MAC
        ethertype = 0x86DD if is_v6(l3.src) else 0x0800
        if self.link == "sll":      # tcpdump -i any: Linux cooked capture
            sender = gw_mac if outgoing else peer_mac
            return CookedLinux(pkttype=4 if outgoing else 0, lladdrtype=1, lladdrlen=6,
                               src=bytes.fromhex(sender.replace(":", "")) + b"\0\0", proto=ethertype) / l3
        src, dst = (gw_mac, peer_mac) if outgoing else (peer_mac, gw_mac)
        frame = Ether(src=src, dst=dst, type=ethertype) / l3
        # As a capture on a receiving NIC shows them: short frames padded to
        # Ethernet's 60 bytes, the padding not counted by the IP length.
        if self.link == "ether-padded" and len(frame) < 60:
            frame = frame / Padding(load=b"\0" * (60 - len(frame)))
        return frame

    # -- output -------------------------------------------------------------

    def write(self, out_dir):
        first = self.recording_from if self.recording_from is not None else self.start
        last = self.recording_until if self.recording_until is not None else float("inf")
        order = sorted((h for h in range(len(self._packets)) if first <= self._packets[h][0] <= last),
                       key=lambda h: (self._packets[h][0], h))
        self.frames = {h: n + 1 for n, h in enumerate(order)}
        packets = []
        for h in order:
            t, l3 = self._packets[h]
            pkt = self._with_link_layer(l3)
            pkt.time = Decimal(round(t * 1000000)) / 1000000
            packets.append(pkt)
        path = os.path.join(out_dir, self.name)
        if self.name.endswith(".pcapng"):
            writer = PcapNgWriter(path)
            for pkt in packets:
                writer.write(pkt)
            writer.close()
        else:
            wrpcap(path, packets)
        with open(os.path.splitext(path)[0] + ".expected", "w") as f:
            f.write(self.expected_text())
        return path

    def verdict_lines(self):
        """(error, category, cause, request, evidence, host[, "incomplete"])
        with frame numbers."""
        fr = self.frames
        rows = [(fr[e], cat, cause, fr[r], fr[ev] if ev is not None else "-", host) + (("incomplete",) if inc else ())
                for e, cat, cause, r, ev, host, inc in self._verdicts]
        for error, _, _, request, evidence, *_ in rows:
            assert request < error and (evidence == "-" or request < evidence < error), rows
        return sorted(rows)

    def expected_text(self):
        lines = ["# " + line for line in self.about.strip().splitlines()]
        if self.options:
            lines.append("# options: " + self.options)
        lines += [" ".join(str(x) for x in row) for row in self.verdict_lines()]
        return "\n".join(lines) + "\n"


class Story:
    """One thread of events (one client's request, a decoy...) with its own
    clock; the stories of a capture interleave by time when it is written."""

    def __init__(self, cap, t):
        self.cap, self.t = cap, t
        self.later = []     # what the gateway does once it has answered the client

    def wait(self, seconds):
        self.t += seconds

    def emit(self, l3):
        handle = self.cap.put(self.t, l3)
        self.t += TICK
        return handle


def ip_layer(src, dst, ttl, ident, df=True):
    # Literal addresses of one family only: scapy would resolve a name.
    if ipaddress.ip_address(src).version != ipaddress.ip_address(dst).version:
        raise ValueError("%s -> %s: mixed IP versions" % (src, dst))
    if is_v6(src):
        return IPv6(src=src, dst=dst, hlim=ttl)
    return IP(src=src, dst=dst, ttl=ttl, id=ident, flags="DF" if df else 0)


# --------------------------------------------------------------------------
# TCP
# --------------------------------------------------------------------------

class Tcp:
    """One TCP connection as seen on the gateway.  Side 0 sent the SYN (the
    client, or the gateway upstream), side 1 accepted it."""

    def __init__(self, st, src, sport, dst, dport):
        rng = st.cap.rng
        self.st = st
        self.addr, self.port = (src, dst), (sport, dport)
        self.isn = (rng.getrandbits(32), rng.getrandbits(32))
        self.nxt = list(self.isn)
        self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        # Linux (the gateway, servers) starts at 64, the Windows clients at 128.
        self.ttl = (128 if dport == st.cap.site.port else 64, 64)
        self.last_syn = None        # the latest SYN as sent, for ICMP quotes

    def segment(self, side, flags, data=b"", seq=None, ack=None, window=502, options=()):
        other = 1 - side
        ident = self.ipid[side]
        self.ipid[side] = (ident + 1) & 0xFFFF
        if ack is None:
            ack = self.nxt[other] if "A" in flags else 0
        l3 = ip_layer(self.addr[side], self.addr[other], self.ttl[side], ident) / TCP(
            sport=self.port[side], dport=self.port[other], flags=flags,
            seq=self.nxt[side] if seq is None else seq, ack=ack, window=window, options=list(options))
        if data:
            l3 = l3 / Raw(data)
        return l3

    def emit(self, l3):
        return self.st.emit(l3)

    def syn(self):
        """The SYN, or its retransmission (same sequence number)."""
        self.last_syn = self.segment(0, "S", seq=self.isn[0], window=64240, options=SYN_OPTIONS)
        self.nxt[0] = (self.isn[0] + 1) & 0xFFFFFFFF
        return self.emit(self.last_syn)

    def synack(self):
        self.nxt[1] = (self.isn[1] + 1) & 0xFFFFFFFF
        return self.emit(self.segment(1, "SA", seq=self.isn[1], window=65160, options=SYN_OPTIONS))

    def refuse(self):
        """The RST/ACK a closed port answers a SYN with."""
        return self.emit(self.segment(1, "RA", seq=0, window=0))

    def ack(self, side):
        return self.emit(self.segment(side, "A"))

    def handshake(self, rtt):
        """Seen from the gateway: for a client connection (gateway on side 1)
        the SYN/ACK leaves at once and the ACK comes a round trip later; for
        an upstream one the SYN/ACK comes a round trip after the SYN."""
        self.syn()
        if self.addr[1] in self.st.cap.site.addrs:
            self.synack()
            self.st.wait(rtt)
        else:
            self.st.wait(rtt)
            self.synack()
        self.ack(0)

    def send(self, side, data, mss=MSS):
        """Data in segments of at most mss bytes; the handle of the last one."""
        chunks = [data[i:i + mss] for i in range(0, len(data), mss)]
        for n, chunk in enumerate(chunks):
            if n:
                self.st.wait(TICK)
            handle = self.emit(self.segment(side, "PA" if n == len(chunks) - 1 else "A", chunk))
            self.nxt[side] = (self.nxt[side] + len(chunk)) & 0xFFFFFFFF
        return handle

    def deliver(self, side, data, rtt, mss=MSS):
        """send(), then the peer's ACK a round trip later."""
        handle = self.send(side, data, mss)
        self.st.wait(rtt)
        self.ack(1 - side)
        return handle

    def fin(self, side):
        handle = self.emit(self.segment(side, "FA"))
        self.nxt[side] = (self.nxt[side] + 1) & 0xFFFFFFFF
        return handle

    def rst(self, side):
        return self.emit(self.segment(side, "RA", window=0))

    def close(self, side, rtt):
        """side sends FIN, the peer answers FIN/ACK, side ACKs."""
        self.fin(side)
        self.st.wait(rtt)
        self.fin(1 - side)
        self.st.wait(rtt / 4)
        self.ack(side)


# --------------------------------------------------------------------------
# DNS and ICMP
# --------------------------------------------------------------------------

class Query:
    def __init__(self, name, qtype, qid, sport, edns=None):
        self.name, self.qtype, self.id, self.sport = name, qtype, qid, sport
        self.edns = edns        # EDNS0 UDP payload size offered, or None
        self.l3 = self.handle = None


class Resolver:
    """The gateway's stub resolver talking to one DNS server."""

    def __init__(self, st, src, server):
        self.st, self.src, self.server = st, src, server

    def query(self, name, qtype="A", sport=None, edns=None):
        """edns: offer that UDP payload size in an EDNS0 OPT record (options edns0)."""
        rng = self.st.cap.rng
        q = Query(name, qtype, rng.getrandbits(16), sport or self.st.cap.port(), edns)
        self.resend(q)
        return q

    def query_pair(self, name):
        """A and AAAA sent back to back from one socket, as glibc does."""
        qa = self.query(name, "A")
        return qa, self.query(name, "AAAA", sport=qa.sport)

    def resend(self, q):
        """A transmission (first or retransmission) of q: same DNS id and port."""
        ident = self.st.cap.rng.getrandbits(16)
        q.l3 = ip_layer(self.src, self.server, 64, ident, df=False) / UDP(sport=q.sport, dport=53) / \
            DNS(id=q.id, rd=1, qd=DNSQR(qname=q.name, qtype=q.qtype), ar=edns_opt(q.edns))
        q.handle = self.st.emit(q.l3)
        return q.handle

    def answer(self, q, rcode=NOERROR, an=(), ns=()):
        ident = self.st.cap.rng.getrandbits(16)
        l3 = ip_layer(self.server, self.src, 64, ident, df=False) / UDP(sport=53, dport=q.sport) / \
            DNS(id=q.id, qr=1, rd=1, ra=1, rcode=rcode, qd=DNSQR(qname=q.name, qtype=q.qtype),
                an=chain(an), ns=chain(ns))
        return self.st.emit(l3)

    def answer_fragmented(self, q, an, mtu=1500):
        """A NOERROR answer too large for one packet, to a query that offered
        EDNS0: names compressed as servers do, the IPv4 datagram sent in
        fragments of at most mtu bytes, back to back, with one IP id (MF on
        all but the last).  The handles of the fragments; Wireshark
        reassembles and dissects the answer in the last one."""
        assert q.edns and not is_v6(self.server)
        ident = self.st.cap.rng.getrandbits(16)
        message = DNS(id=q.id, qr=1, rd=1, ra=1, qd=DNSQR(qname=q.name, qtype=q.qtype), an=chain(an),
                      ar=edns_opt(q.edns)).compress()
        # Built whole first: scapy computes the UDP length and checksum.
        datagram = bytes(IP(src=self.server, dst=self.src) / UDP(sport=53, dport=q.sport) / message)[20:]
        assert len(datagram) <= q.edns
        step = (mtu - 20) // 8 * 8      # a fragment's offset counts 8-byte units
        handles = []
        for off in range(0, len(datagram), step):
            more = off + step < len(datagram)
            handles.append(self.st.emit(
                IP(src=self.server, dst=self.src, ttl=64, id=ident, proto=17, flags="MF" if more else 0,
                   frag=off // 8) / Raw(datagram[off:off + step])))
        return handles


def edns_opt(size):
    """The OPT pseudo-record offering a UDP payload size (no DO bit), or None."""
    return DNSRROPT(rclass=size, z=0) if size else None


def chain(records):
    return functools.reduce(operator.truediv, records) if records else None


def rr(name, addr, ttl=300):
    return DNSRR(rrname=name, type="AAAA" if is_v6(addr) else "A", ttl=ttl, rdata=addr)


def cname(name, target, ttl=300):
    return DNSRR(rrname=name, type="CNAME", ttl=ttl, rdata=target)


def soa(name):
    """The SOA a server puts in the authority section of a negative answer."""
    zone = name.split(".", 1)[1] if "." in name else "."
    return DNSRRSOA(rrname=zone, ttl=900, mname="ns1." + zone, rname="hostmaster." + zone,
                    serial=2013030801, refresh=10800, retry=3600, expire=604800, minimum=900)


def resolve(st, site, name, addrs, ask_aaaa=True, lost=False):
    """A successful lookup: A (and AAAA) asked together, both answered; the
    family without an address gets an empty NOERROR answer with a SOA.
    lost: the first queries go unanswered and are sent again after 1 s."""
    res = Resolver(st, site.source(site.dns), site.dns)
    queries = res.query_pair(name) if ask_aaaa else (res.query(name, "A"),)
    if lost:
        st.wait(1.0)
        for q in queries:
            res.resend(q)
    st.wait(DNS_RTT)
    for q in queries:
        wanted = [a for a in addrs if is_v6(a) == (q.qtype == "AAAA")]
        if wanted:
            res.answer(q, an=[rr(name, a) for a in wanted])
        else:
            res.answer(q, ns=[soa(name)])
        st.wait(0.00017)


def icmp_error(st, sender, offending, code, quote=None):
    """ICMP (ICMPv6) destination unreachable from `sender` about the datagram
    `offending` (a layer-3 packet as it was sent).  quote: how many bytes past
    the IP header it carries back (8 = the RFC 792 minimum); None quotes the
    whole datagram, as Linux does.  (Do not quote a partial TCP header of
    more than 8 bytes: Wireshark 4.0 then checks the TCP checksum over the
    truncated header and calls it bad.)"""
    raw = bytes(offending)
    hdr = 40 if is_v6(offending.src) else (raw[0] & 0x0F) * 4
    if quote is not None:
        raw = raw[:hdr + quote]
    if is_v6(sender):
        l3 = IPv6(src=sender, dst=offending.src, hlim=64) / ICMPv6DestUnreach(code=code) / Raw(raw[:1232])
    else:
        l3 = IP(src=sender, dst=offending.src, ttl=255 if sender != offending.dst else 64,
                id=st.cap.rng.getrandbits(16), tos=0xC0) / ICMP(type=3, code=code) / Raw(raw[:548])
    return st.emit(l3)


# --------------------------------------------------------------------------
# HTTP: requests, responses, the gateway's block pages
# --------------------------------------------------------------------------

class Req:
    """A request a client sends to the proxy: absolute URI, or CONNECT."""

    def __init__(self, host, path="/", method="GET", port=None):
        self.host, self.path, self.method = host, path, method
        self.port = port or (443 if method == "CONNECT" else 80)

    @property
    def url(self):
        if self.method == "CONNECT":
            return "%s:%d" % (self.host, self.port)
        return "http://%s%s%s" % (self.host, "" if self.port == 80 else ":%d" % self.port, self.path)

    def to_proxy(self):
        if self.method == "CONNECT":
            return http_head("CONNECT %s HTTP/1.1" % self.url, [
                ("User-Agent", UA), ("Proxy-Connection", "Keep-Alive"), ("Content-Length", "0"),
                ("Host", self.url), ("Pragma", "no-cache")])
        return http_head("%s %s HTTP/1.1" % (self.method, self.url), [
            ("Accept", "image/gif, image/jpeg, application/x-shockwave-flash, */*"),
            ("Accept-Language", "en-us"), ("User-Agent", UA), ("Accept-Encoding", "gzip, deflate"),
            ("Host", self.host), ("Proxy-Connection", "Keep-Alive")])

    def to_origin(self):
        return http_head("%s %s HTTP/1.1" % (self.method, self.path), [
            ("Accept", "image/gif, image/jpeg, application/x-shockwave-flash, */*"),
            ("Accept-Language", "en-us"), ("User-Agent", UA), ("Accept-Encoding", "gzip, deflate"),
            ("Host", self.host), ("Via", VIA), ("Connection", "Keep-Alive")])


def http_head(first_line, headers):
    return ("\r\n".join([first_line] + ["%s: %s" % h for h in headers]) + "\r\n\r\n").encode()


def http_date(t):
    return email.utils.formatdate(t, usegmt=True)


def http_response(t, status, reason, body, headers=(), content_type="text/html"):
    return http_head("HTTP/1.1 %d %s" % (status, reason), [
        ("Date", http_date(t)), ("Content-Type", content_type), ("Content-Length", str(len(body)))]
        + list(headers)) + body


def origin_response(t, status=200, reason="OK", body=None, server=APACHE):
    if body is None:
        body = ("<html><head><title>%d %s</title></head><body><h1>%s</h1>\n"
                "<p>Served by the origin.</p></body></html>\n" % (status, reason, reason)).encode()
    return http_response(t, status, reason, body, [("Server", server), ("Last-Modified", http_date(t - 86400))])


def relayed(t, status=200, reason="OK", body=None, server=APACHE):
    """What the gateway sends the client for an origin's response."""
    resp = origin_response(t, status, reason, body, server)
    head, _, rest = resp.partition(b"\r\n\r\n")
    return head + ("\r\nVia: %s\r\nProxy-Connection: Keep-Alive\r\n\r\n" % VIA).encode() + rest


FAMILIES = {
    # family: (template file, title, what the page says, failure token)
    "cannotconnect": ("cannotconnect.html", "Cannot Connect",
                      "The proxy could not connect to the destination in time.", "cannotconnect"),
    "notresolvable": ("notresolvable.html", "Host Not Resolvable",
                      "The host name of the requested URL could not be resolved.", "hostnotresolvable"),
    "badresponse": ("badresponse.html", "Bad Response",
                    "The proxy received an invalid response from the destination.", "badresponse"),
}

# A terse rebranded page, small enough to send one byte per segment.
SHORT_PAGE = (b"<html><head><title>Cannot Connect</title></head><body>"
              b"<!-- FileName: cannotconnect.html --><p>The proxy could not connect.</p></body></html>\n")

# The style sheet some installations inline into their templates.
INLINE_STYLE = """<style type="text/css">
body { font-family: Tahoma, Arial, Helvetica, sans-serif; font-size: 12px; color: #333333; background: #d2d2d2; margin: 0; padding: 0; }
table.bodyTable { width: 800px; margin: 40px auto 0 auto; border: 1px solid #8e8e8e; background: #ffffff; border-collapse: collapse; }
td.bodyData { padding: 20px 30px 30px 30px; vertical-align: top; }
div.logoData { height: 60px; border-bottom: 3px solid #c01818; margin-bottom: 20px; }
div.titleData { font-size: 22px; font-weight: bold; color: #c01818; margin: 10px 0 15px 0; }
div.contentData { font-size: 13px; line-height: 18px; margin: 5px 0 5px 0; }
div.infoData { font-size: 11px; color: #555555; margin-top: 20px; padding-top: 10px; border-top: 1px solid #e0e0e0; }
div.proxyErrorData { font-family: "Courier New", Courier, monospace; font-size: 11px; color: #777777; margin-top: 8px; }
div.footData { font-size: 10px; color: #999999; text-align: right; margin-top: 25px; }
a, a:visited { color: #0050a0; text-decoration: none; }
a:hover { text-decoration: underline; }
table.infoTable { border-collapse: collapse; margin-top: 6px; }
table.infoTable td { padding: 2px 10px 2px 0; font-size: 11px; vertical-align: top; }
table.infoTable td.label { font-weight: bold; white-space: nowrap; }
div.helpData { margin-top: 15px; font-size: 12px; }
div.helpData ul { margin: 4px 0 0 18px; padding: 0; }
div.helpData li { margin: 2px 0; }
@media print { body { background: #ffffff; } table.bodyTable { border: none; width: 100%; } }
</style>
<script type="text/javascript">
function break_line(s) {
  var out = "";
  for (var i = 0; i < s.length; i += 80) { out += s.substring(i, i + 80) + "<br />"; }
  document.write(out);
}
function swOnLoad() { if (window.top != window) { window.top.location = window.location; } }
</script>
"""

HELP = """<div class="helpData">What you can do:<ul>
<li>Check the spelling of the address and try again.</li>
<li>Try again in a few minutes: the site may be busy or down for maintenance.</li>
<li>If the problem persists, contact your help desk and give them the details below.</li>
<li>Help desk: extension 4357, or <a href="mailto:helpdesk@example.local">helpdesk@example.local</a>.</li>
</ul></div>
"""


def block_page_body(family, url, client, t, detail, inline_style=False):
    file_name, title, text, token = FAMILIES[family]
    mwg = "/mwg-internal/de5fs23hu73ds/files"
    return ("""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<!-- FileName: %(file)s
     Language: [en]
-->
<!--Title:%(title)s-->
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>McAfee Web Gateway - Notification</title>
<link rel="stylesheet" href="%(mwg)s/default/stylesheet.css" />
%(style)s</head>
<body>
<table class="bodyTable"><tr><td class="bodyData">
<div class="logoData"><img src="%(mwg)s/default/img/logo_mwg.png" alt="McAfee Web Gateway" /></div>
<div class="titleData">%(title)s</div>
<div class="contentData">%(text)s</div>
<div class="contentData">URL: %(url)s</div>
%(help)s<div class="infoData">
<b>Client IP:</b> %(client)s<br />
<b>Generated:</b> %(date)s by mwg.example.local<br />
<div class="proxyErrorData">Failure Description: :%(token)s:%(detail)s</div>
</div>
</td></tr></table>
</body>
</html>
""" % dict(file=file_name, title=title, text=text, url=url, client=client, date=http_date(t),
           token=token, detail=detail, mwg=mwg, style=INLINE_STYLE if inline_style else "",
           help=HELP if inline_style else "")).encode()


def rebranded_body(variant, url):
    """Pages customers rewrote: most markers gone.  'title': only one of the
    three titles and /mwg-internal/ links; 'errordata': a corporate title
    and only the proxyErrorData line."""
    if variant == "title":
        return ("""<html><head><title>Host Not Resolvable</title>
<link rel="stylesheet" href="/mwg-internal/a81c3f0e9d/files/corp/corp.css" /></head>
<body><img src="/mwg-internal/a81c3f0e9d/files/corp/logo.png" alt="Example Corp" />
<h2>We are sorry</h2><p>The web site %s could not be found.
Please check the address or call the service desk on 4357.</p></body></html>
""" % url).encode()
    return ("""<html><head><title>Example Corp - Internet Access</title></head>
<body><h2>This page is not available right now</h2>
<p>Requested address: %s</p>
<div class="proxyErrorData">Failure Description: :cannotconnect:Connection refused</div>
<p>Example Corp IT Service Desk, extension 4357</p></body></html>
""" % url).encode()


def squid_page(status, reason, error, text, detail=""):
    """Another forward proxy: Squid's error response, with its X-Squid-Error
    header; Squid answers 503 or 504 where MWG answers 502.  Returns a
    page(t, req, close) for gateway_error."""
    def page(t, req, close):
        body = ("""<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>ERROR: The requested URL could not be retrieved</title>
</head><body id="%(error)s">
<div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div>
<div id="content">
<p>The following error was encountered while trying to retrieve the URL: <a href="%(url)s">%(url)s</a></p>
<blockquote id="error"><p><b>%(text)s</b></p></blockquote>
%(detail)s<p>Your cache administrator is <a href="mailto:webmaster">webmaster</a>.</p>
</div>
<div id="footer"><p>Generated %(date)s by proxy.example.local (squid/3.5.27)</p></div>
</body></html>
""" % dict(error=error, url=req.url, text=text, date=http_date(t),
           detail="<p>%s</p>\n" % detail if detail else "")).encode()
        return http_head("HTTP/1.1 %d %s" % (status, reason), [
            ("Server", "squid/3.5.27"), ("Mime-Version", "1.0"), ("Date", http_date(t)),
            ("Content-Type", "text/html;charset=utf-8"), ("Content-Length", str(len(body))),
            ("X-Squid-Error", "%s 0" % error), ("Vary", "Accept-Language"), ("Content-Language", "en"),
            ("X-Cache", "MISS from proxy.example.local"),
            ("Via", "1.1 proxy.example.local (squid/3.5.27)"),
            ("Connection", "close" if close else "keep-alive")]) + body
    return page


def gzip_chunked_page(family, client, detail, chunks=3):
    """The block page gzipped (mtime 0: the same bytes on every run) and sent
    with Transfer-Encoding: chunked in `chunks` chunks, as a gateway that
    compresses its answers does: no marker of the page is in clear on the
    wire.  Returns a page(t, req, close) for gateway_error."""
    def page(t, req, close):
        packed = gzip.compress(block_page_body(family, req.url, client, t, detail), mtime=0)
        wire = packed.lower()
        for marker in (family, FAMILIES[family][1].lower(), FAMILIES[family][3], "mcafee", "mwg",
                       "filename", "titledata", "proxyerrordata", "failure description"):
            assert marker.encode() not in wire, marker
        size = -(-len(packed) // chunks)
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                        for part in (packed[i:i + size] for i in range(0, len(packed), size))) + b"0\r\n\r\n"
        connection = "Close" if close else "Keep-Alive"
        return http_head("HTTP/1.1 502 Bad Gateway", [
            ("Date", http_date(t)), ("Content-Type", "text/html"), ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"), ("Cache-Control", "no-cache"), ("Connection", connection),
            ("Proxy-Connection", connection), ("Via", VIA)]) + body
    return page


def block_page(t, family, req, client, detail, inline_style=False, body=None, close=True):
    """The gateway's whole 502 response; close: it closes the client connection."""
    if body is None:
        body = block_page_body(family, req.url, client, t, detail, inline_style)
        # The KB's access log has 3126 bytes for one page: three segments.
        assert not inline_style or len(body) > 2 * MSS
    connection = "Close" if close else "Keep-Alive"
    return http_response(t, 502, "Bad Gateway", body, [
        ("Cache-Control", "no-cache"), ("Connection", connection), ("Proxy-Connection", connection), ("Via", VIA)])


# --------------------------------------------------------------------------
# Building blocks of a story
# --------------------------------------------------------------------------

def client_connects(st, site, client):
    c = Tcp(st, client, st.cap.port(49152, 65000), site.gw, site.port)
    c.handshake(LAN)
    return c


def client_asks(c, req, split=False):
    """The client's request; the handle of its last segment (where Wireshark
    dissects it).  split: headers in two segments."""
    st = c.st
    st.wait(0.0009)
    data = req.to_proxy()
    if split:
        cut = data.index(b"\r\n") + 2
        c.send(0, data[:cut])
        st.wait(0.00035)
        data = data[cut:]
    handle = c.send(0, data)
    st.wait(0.0002)
    c.ack(1)
    st.wait(THINK)
    return handle


def gateway_replies(c, resp, close, mss=MSS, apart=False, cut_off=None):
    """The gateway's response to the client; the handle of its last segment.
    mss: its segment size; apart: headers and body in separate segments (as
    privoxy and tinyproxy send them).  cut_off: the response never arrives
    whole, only its first segment does, then "client-resets" (the client
    sends RST) or "capture-ends" (nothing more is recorded); the handle is
    that of the first segment, which holds the status line."""
    st = c.st
    if cut_off:
        handle = c.send(1, resp[:mss], mss)
        if cut_off == "client-resets":
            st.wait(LAN)
            c.rst(0)
        else:
            st.cap.stop_recording(st.t)
        return handle
    if apart:
        head, _, body = resp.partition(b"\r\n\r\n")
        c.send(1, head + b"\r\n\r\n", mss)
        st.wait(0.00008)
        resp = body
    handle = c.send(1, resp, mss)
    if close:
        c.close(1, LAN)
    else:
        st.wait(LAN)
        c.ack(0)
    return handle


def gateway_error(st, site, client, req, family, category, cause, upstream, detail,
                  conn=None, close=True, inline_style=False, body=None, page=None, mss=MSS, apart=False,
                  cut_off=None):
    """A client asks through the gateway; upstream(st) plays what the gateway
    then does and returns the evidence handle (None: no upstream evidence);
    the gateway answers with its block page (or page(t, req, close), another
    proxy's error response).  Records the verdict; returns the client
    connection."""
    c = conn or client_connects(st, site, client)
    request = client_asks(c, req)
    evidence = upstream(st) if upstream else None
    st.wait(THINK)
    if page is None:
        response = block_page(st.t, family, req, client, detail, inline_style, body, close)
    else:
        response = page(st.t, req, close)
    error = gateway_replies(c, response, close, mss, apart, cut_off)
    st.cap.expect(error, category, cause, request, evidence, req.host, incomplete=cut_off is not None)
    while st.later:
        st.wait(THINK)
        st.later.pop(0)()
    return c


def upstream_conn(st, site, dst, port):
    return Tcp(st, site.source(dst), st.cap.port(), dst, port)


def fetch(st, site, req, dst, status=200, reason="OK", body=None, delay=0.041, server=APACHE):
    """The gateway connects to dst, forwards req and reads the origin's
    response `delay` later.  Returns (connection, forwarded-request handle,
    response handle)."""
    u = upstream_conn(st, site, dst, req.port)
    u.handshake(WAN)
    st.wait(THINK)
    forwarded = u.deliver(0, req.to_origin(), WAN)
    st.wait(delay)
    answer = u.send(1, origin_response(st.t, status, reason, body, server))
    st.wait(0.00011)
    u.ack(0)
    st.wait(THINK)
    return u, forwarded, answer


def healthy(st, site, client, req, dst, status=200, reason="OK", conn=None, close=True,
            lookup=True, delay=0.041, body=None, dns_lost=False):
    """A request that works: lookup, upstream fetch, relayed answer.  No verdict."""
    c = conn or client_connects(st, site, client)
    client_asks(c, req)
    if lookup:
        resolve(st, site, req.host, [dst], lost=dns_lost)
    u, _, _ = fetch(st, site, req, dst, status, reason, body, delay)
    gateway_replies(c, relayed(st.t, status, reason, body), close=False)
    if close:
        st.wait(0.012)
        c.close(0, LAN)
    st.wait(0.0005)
    u.close(0, WAN)
    return c


# Upstream failures.  Each plays what went wrong and returns the handle of
# the frame that decides the cause (the evidence frame).

def syn_unanswered(st, site, dst, port, backoff):
    """SYN, retransmitted after each pause in backoff but the last, never
    answered; the gateway gives up after the last pause.  The last SYN."""
    u = upstream_conn(st, site, dst, port)
    last = u.syn()
    for pause in backoff[:-1]:
        st.wait(pause)
        last = u.syn()
    st.wait(backoff[-1])
    return last


def syn_refused(st, site, dst, port, tries, gap=0.5):
    """`tries` connection attempts, each SYN answered by RST/ACK; the last RST."""
    for n in range(tries):
        if n:
            st.wait(gap)
        u = upstream_conn(st, site, dst, port)
        u.syn()
        st.wait(WAN)
        last = u.refuse()
    return last


def syn_icmp(st, site, dst, port, sender, code, quote=None, tries=3, delay=0.0021, gap=0.5, resend_after=None):
    """`tries` connection attempts, each SYN answered `delay` later by ICMP
    destination unreachable from `sender`.  resend_after: the SYN is
    retransmitted that many seconds after the first while the ICMP is on its
    way (a router that first tries ARP).  The last ICMP."""
    for n in range(tries):
        if n:
            st.wait(gap)
        u = upstream_conn(st, site, dst, port)
        u.syn()
        first = u.last_syn
        if resend_after is not None:
            st.wait(resend_after)
            u.syn()
            st.wait(delay - resend_after)
        else:
            st.wait(delay)
        last = icmp_error(st, sender, first, code, quote)
    return last


def dns_failure(st, site, name, rcode, aaaa=True, an=(), ns=None, sequential=False):
    """A (and AAAA) queries answered with rcode; the last answer.
    sequential: AAAA is asked only once A is answered (glibc's single-request)."""
    res = Resolver(st, site.source(site.dns), site.dns)
    ns = [soa(name)] if ns is None else ns
    if sequential:
        for qtype in ("A", "AAAA") if aaaa else ("A",):
            q = res.query(name, qtype)
            st.wait(DNS_RTT)
            last = res.answer(q, rcode, an=an, ns=ns)
            st.wait(0.00019)
        return last
    queries = res.query_pair(name) if aaaa else (res.query(name, "A"),)
    st.wait(DNS_RTT)
    for q in queries:
        last = res.answer(q, rcode, an=an, ns=ns)
        st.wait(0.00023)
    return last


def dns_silence(st, site, name, timeouts):
    """A and AAAA sent, retransmitted (same ids and port) after each timeout
    but the last, never answered; the last query sent."""
    res = Resolver(st, site.source(site.dns), site.dns)
    queries = res.query_pair(name)
    for pause in timeouts[:-1]:
        st.wait(pause)
        for q in queries:
            res.resend(q)
    st.wait(timeouts[-1])
    return queries[-1].handle


def dns_port_unreachable(st, site, name, retry_after=1.0):
    """No DNS service: A and AAAA, and their retransmission, each answered by
    ICMP port unreachable quoting the query's IP and UDP headers; the last ICMP."""
    res = Resolver(st, site.source(site.dns), site.dns)
    queries = res.query_pair(name)
    for n in range(2):
        if n:
            st.wait(retry_after)
            for q in queries:
                res.resend(q)
        st.wait(DNS_RTT / 2)
        for q in queries:
            last = icmp_error(st, site.dns, q.l3, 3, quote=8)
    return last


# Failure factories, so that a scenario reads as a sentence.
#   name resolution:       f(st, site, name)
#   connection:            f(st, site, dst, port)
#   after the request:     f(st, upstream_conn, forwarded_request_handle)

def answered(rcode, **kw):
    return lambda st, site, name: dns_failure(st, site, name, rcode, **kw)


def silence(*timeouts):
    return lambda st, site, name: dns_silence(st, site, name, list(timeouts))


def no_dns_service(st, site, name):
    return dns_port_unreachable(st, site, name)


def unanswered(*backoff):
    return lambda st, site, dst, port: syn_unanswered(st, site, dst, port, list(backoff))


def refused(tries, gap=0.5):
    return lambda st, site, dst, port: syn_refused(st, site, dst, port, tries, gap)


def unreachable(code, sender=None, quote=None, **kw):
    """ICMP from `sender`, or from the destination itself when None."""
    return lambda st, site, dst, port: syn_icmp(st, site, dst, port, sender or dst, code, quote, **kw)


def in_turn(first, second):
    """Two addresses of one name tried in turn: first fails, then second."""
    def failure(st, site, dsts, port):
        first(st, site, dsts[0], port)
        return second(st, site, dsts[1], port)
    return failure


def raw_reply(data, fin=False):
    """The destination answers bytes that are no HTTP status line (then
    closes with FIN if fin); the gateway resets.  The first reply segment."""
    def after(st, u, forwarded):
        st.wait(0.35)
        first = u.send(1, data[:MSS])
        if len(data) > MSS:
            st.wait(TICK)
            u.send(1, data[MSS:])
        if fin:
            u.fin(1)
        st.wait(0.0001)
        u.ack(0)
        st.wait(THINK)
        u.rst(0)
        return first
    return after


def no_reply(timeout, gateway_resets=False):
    """The forwarded request is never answered; the gateway gives up after
    timeout (resetting the upstream connection first if gateway_resets, else
    closing it after the 502).  The forwarded request."""
    def after(st, u, forwarded):
        st.wait(timeout)
        if gateway_resets:
            u.rst(0)
        else:
            st.later.append(lambda: u.close(0, WAN))
        return forwarded
    return after


def peer_closes(how):
    """The destination closes (FIN) or resets (RST) before any response byte."""
    def after(st, u, forwarded):
        st.wait(0.8)
        if how == "rst":
            return u.rst(1)
        closing = u.fin(1)
        st.wait(0.0001)
        u.ack(0)
        st.wait(THINK)
        u.fin(0)
        st.wait(WAN)
        u.ack(1)
        return closing
    return after


# --------------------------------------------------------------------------
# Incidents: one client request and all that follows it
# --------------------------------------------------------------------------

HNR = "host_not_resolvable"
CC = "cannot_connect"
BR = "bad_response"


def dns_incident(st, site, client, req, failure, cause, detail="Host not found", **kw):
    """Host Not Resolvable: the lookup fails as `failure` says."""
    gateway_error(st, site, client, req, "notresolvable", HNR, cause,
                  lambda st: failure(st, site, req.host), detail, **kw)


def connect_incident(st, site, client, req, dst, failure, cause, detail="Connection failed", lookup=True, **kw):
    """Cannot Connect: the name resolves to dst (a list: several addresses)
    unless cached (lookup=False), then the connection fails as `failure` says."""
    addrs = dst if isinstance(dst, list) else [dst]

    def upstream(st):
        if lookup:
            resolve(st, site, req.host, addrs)
        return failure(st, site, dst, req.port)
    gateway_error(st, site, client, req, "cannotconnect", CC, cause, upstream, detail, **kw)


def reply_incident(st, site, client, req, dst, after_forward, cause, detail, **kw):
    """Bad Response: lookup, connection, forwarded request, then `after_forward`."""
    def upstream(st):
        resolve(st, site, req.host, [dst])
        u = upstream_conn(st, site, dst, req.port)
        u.handshake(WAN)
        st.wait(THINK)
        forwarded = u.deliver(0, req.to_origin(), WAN)
        return after_forward(st, u, forwarded)
    gateway_error(st, site, client, req, "badresponse", BR, cause, upstream, detail, **kw)


def origin_error(st, site, client, req, dst, server="nginx/1.2.1"):
    """The origin itself answers 502 and the gateway relays it: upstream_status."""
    body = origin_502_body(server)
    c = client_connects(st, site, client)
    request = client_asks(c, req)
    resolve(st, site, req.host, [dst])
    u, _, answer = fetch(st, site, req, dst, 502, "Bad Gateway", body, delay=0.25, server=server)
    error = gateway_replies(c, relayed(st.t, 502, "Bad Gateway", body, server), close=False)
    st.cap.expect(error, "upstream_error", "upstream_status", request, answer, req.host)
    st.wait(0.5)
    c.close(0, LAN)
    u.close(0, WAN)


def origin_502_body(server):
    return ("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>%s</center>\r\n"
            "</body>\r\n</html>\r\n" % server).encode()


def kept_connection(cap):
    """A request goes out on the upstream connection the gateway kept open
    after a 200, and the origin answers 502; meanwhile another client's
    request for the host has the gateway open a second connection, whose
    SYN-ACK comes 30 ms later, after the relayed 502.  The 502 is the
    origin's (upstream_status), not a connection timeout."""
    st, site, host, dst, server = cap.story(), cap.site, "api.example.com", "10.10.70.60", "nginx/1.2.1"
    c0 = client_connects(st, site, "10.10.67.140")
    first = Req(host, "/status")
    client_asks(c0, first)
    resolve(st, site, host, [dst])
    u, _, _ = fetch(st, site, first, dst)
    gateway_replies(c0, relayed(st.t), close=True)
    st.wait(2.2)
    client = "10.10.67.141"
    c1 = client_connects(st, site, client)
    req = Req(host, "/api/orders")
    request = client_asks(c1, req)
    u.send(0, req.to_origin())
    st.wait(0.0021)
    c2 = client_connects(st, site, "10.10.67.142")
    other = Req(host, "/api/users")
    client_asks(c2, other)
    u2 = upstream_conn(st, site, dst, other.port)
    u2.syn()
    st.wait(0.0095)
    body = origin_502_body(server)
    answer = u.send(1, origin_response(st.t, 502, "Bad Gateway", body, server))
    st.wait(0.00011)
    u.ack(0)
    error = gateway_replies(c1, relayed(st.t, 502, "Bad Gateway", body, server), close=True)
    cap.expect(error, "upstream_error", "upstream_status", request, answer, host)
    st.wait(0.03)
    u2.synack()
    u2.ack(0)
    st.wait(THINK)
    u2.deliver(0, other.to_origin(), WAN)
    st.wait(0.041)
    u2.send(1, origin_response(st.t))
    st.wait(0.00011)
    u2.ack(0)
    gateway_replies(c2, relayed(st.t), close=True)
    st.wait(0.5)
    u.close(0, WAN)
    u2.close(0, WAN)


def other_name_same_address(cap):
    """Shared hosting: a request for one name is forwarded and never
    answered; 39 s later another client asks for another name with the same
    address, and the gateway's SYNs for it go unanswered until that client
    gives up.  At 120 s the first client gets its 502: a response timeout,
    not the other name's connection timeout."""
    dst = "10.10.70.77"
    reply_incident(cap.story(), cap.site, "10.10.67.150", Req("shop.hosting.example", "/cart"), dst,
                   no_reply(120.0), "http_response_timeout", "Server response timeout")
    st, site = cap.story(39.0), cap.site
    c = client_connects(st, site, "10.10.67.151")
    req = Req("blog.hosting.example")
    client_asks(c, req)
    resolve(st, site, req.host, [dst])
    syn_unanswered(st, site, dst, req.port, [1, 2, 1.5])
    c.close(0, LAN)


def client_only(st, site, client, req, category, family, detail="", rebrand=None, gzip_chunks=0):
    """Only the client leg is captured: a 200, then a block page (gzip_chunks:
    gzipped and sent in that many chunks)."""
    c = client_connects(st, site, client)
    client_asks(c, Req("www.example.com"))
    st.wait(0.09)
    gateway_replies(c, relayed(st.t), close=False)
    st.wait(4.2)
    body = rebranded_body(rebrand, req.url) if rebrand else None
    page = gzip_chunked_page(family, client, detail, gzip_chunks) if gzip_chunks else None
    gateway_error(st, site, client, req, family, category, "no_upstream_evidence", None, detail,
                  conn=c, body=body, page=page)


def play(fn, *args, **kw):
    """A scenario that is one incident."""
    return lambda cap: fn(cap.story(), cap.site, *args, **kw)


def client_abort(st, site, client, req, dst):
    """The client gives up (RST) while the origin is slow; the gateway resets
    its upstream connection.  No error response, no verdict."""
    c = client_connects(st, site, client)
    client_asks(c, req)
    resolve(st, site, req.host, [dst])
    u = upstream_conn(st, site, dst, req.port)
    u.handshake(WAN)
    st.wait(THINK)
    u.deliver(0, req.to_origin(), WAN)
    st.wait(2.5)
    c.rst(0)
    st.wait(THINK)
    u.rst(0)


# Incidents by kind, for the captures that hold several: (st, site, client, host, dst).
# "okc" and "404c": the name is in the gateway's DNS cache (no lookup).
KINDS = {
    "ok": lambda st, site, c, host, dst: healthy(st, site, c, Req(host), dst),
    "okc": lambda st, site, c, host, dst: healthy(st, site, c, Req(host, "/index.html"), dst, lookup=False),
    "okdns": lambda st, site, c, host, dst: healthy(st, site, c, Req(host), dst, dns_lost=True),
    "okport": lambda st, site, c, host, dst: healthy(st, site, c, Req(host, "/status", port=8081), dst),
    "404": lambda st, site, c, host, dst: healthy(st, site, c, Req(host, "/old/page.html"), dst, 404, "Not Found"),
    "404c": lambda st, site, c, host, dst: healthy(st, site, c, Req(host, "/gone.html"), dst, 404, "Not Found",
                                                   lookup=False),
    "nxdomain": lambda st, site, c, host, dst: dns_incident(st, site, c, Req(host), answered(NXDOMAIN),
                                                            "dns_nxdomain"),
    "servfail": lambda st, site, c, host, dst: dns_incident(st, site, c, Req(host), answered(SERVFAIL, ns=[]),
                                                            "dns_servfail"),
    "nodata": lambda st, site, c, host, dst: dns_incident(st, site, c, Req(host), answered(NOERROR, aaaa=False),
                                                          "dns_nodata"),
    "dnssilent": lambda st, site, c, host, dst: dns_incident(st, site, c, Req(host), silence(1.0, 2.0, 3.0),
                                                             "dns_no_response", "Timeout while resolving host"),
    "syntimeout": lambda st, site, c, host, dst: connect_incident(st, site, c, Req(host), dst,
                                                                  unanswered(1, 2, 4, 8, 10), "tcp_syn_timeout"),
    "rst": lambda st, site, c, host, dst: connect_incident(st, site, c, Req(host), dst, refused(2), "tcp_rst"),
    "portrst": lambda st, site, c, host, dst: connect_incident(st, site, c, Req(host, "/", port=8443), dst,
                                                               refused(2), "tcp_rst", "Connection refused"),
    "connectrst": lambda st, site, c, host, dst: connect_incident(st, site, c, Req(host, method="CONNECT"), dst,
                                                                  refused(3), "tcp_rst"),
    "icmp13": lambda st, site, c, host, dst: connect_incident(st, site, c, Req(host), dst,
                                                              unreachable(13, FIREWALL, 8, tries=2),
                                                              "icmp_unreachable"),
    "hello": lambda st, site, c, host, dst: reply_incident(st, site, c, Req(host, "/app"), dst,
                                                           raw_reply(b"hello\r\n"), "http_invalid_response",
                                                           "Invalid response"),
    "timeout": lambda st, site, c, host, dst: reply_incident(st, site, c, Req(host, "/app"), dst,
                                                             no_reply(120.0, gateway_resets=True),
                                                             "http_response_timeout", "Server response timeout"),
    "fin": lambda st, site, c, host, dst: reply_incident(st, site, c, Req(host, "/app"), dst, peer_closes("fin"),
                                                         "upstream_closed", "Connection closed by peer"),
    "origin502": lambda st, site, c, host, dst: origin_error(st, site, c, Req(host, "/api"), dst),
    "abort": lambda st, site, c, host, dst: client_abort(st, site, c, Req(host, "/slow"), dst),
}

# A host name per kind, for several().
KIND_HOSTS = {
    "ok": "www.example.com", "404": "docs.example.com", "nxdomain": "intranet-old.example.local",
    "servfail": "wiki.example.net", "syntimeout": "erp.example.com", "rst": "app.example.local",
    "icmp13": "blocked.example.net", "hello": "echo.example.local",
}


def address_of(host):
    """A stable destination address for a host name."""
    h = zlib.crc32(host.encode())
    return "10.10.%d.%d" % (70 + h % 4, 10 + (h >> 8) % 240)


def incident(cap, st, kind, client, host):
    KINDS[kind](st, cap.site, client, host, address_of(host))


def several(kinds):
    """A scenario: one incident per kind, each from its own client, 0.7 s apart."""
    def play_all(cap):
        for n, kind in enumerate(kinds):
            incident(cap, cap.story(0.7 * n), kind, "10.10.67.%d" % (4 + n), KIND_HOSTS[kind])
    return play_all


# --------------------------------------------------------------------------
# Scenarios with a shape of their own
# --------------------------------------------------------------------------

def keepalive(cap):
    """200, 502 (split request), 200 on one client connection."""
    st, site, client = cap.story(), cap.site, "10.10.67.130"
    c = healthy(st, site, client, Req("intranet.example.local"), "10.10.67.135", close=False)
    st.wait(2.1)
    req = Req("intranet2.example.local", "/index.html")
    request = client_asks(c, req, split=True)
    evidence = dns_failure(st, site, req.host, NXDOMAIN)
    st.wait(THINK)
    error = gateway_replies(c, block_page(st.t, "notresolvable", req, client, "Host not found", close=False),
                            close=False)
    cap.expect(error, HNR, "dns_nxdomain", request, evidence, req.host)
    st.wait(3.3)
    healthy(st, site, client, Req("intranet.example.local", "/news.html"), "10.10.67.135", conn=c, lookup=False)


def out_of_order_page(reassembled):
    """One keep-alive connection: a 502 Host Not Resolvable whose two
    segments are captured in the wrong order (the second first, as a
    capture on a busy bridge may hold them), a 200, then a 502 Refused.
    Wireshark shows the first 502 only with tcp.reassemble_out_of_order,
    in the late first segment; either way the later answers keep their
    own requests."""
    def play_it(cap):
        st, site, client = cap.story(), cap.site, "10.10.67.131"
        c = client_connects(st, site, client)
        req = Req("old-intranet.example.local")
        request = client_asks(c, req)
        evidence = dns_failure(st, site, req.host, NXDOMAIN)
        st.wait(THINK)
        page = block_page(st.t, "notresolvable", req, client, "Host not found", close=False)
        half = len(page) // 2
        assert len(page) - half <= MSS
        start = c.nxt[1]
        c.emit(c.segment(1, "PA", page[half:], seq=(start + half) & 0xFFFFFFFF))
        st.wait(0.00031)
        late = c.emit(c.segment(1, "A", page[:half], seq=start))
        c.nxt[1] = (start + len(page)) & 0xFFFFFFFF
        st.wait(LAN)
        c.ack(0)
        if reassembled:
            cap.expect(late, HNR, "dns_nxdomain", request, evidence, req.host)
        st.wait(2.4)
        healthy(st, site, client, Req("intranet.example.local"), "10.10.67.135", conn=c, close=False)
        st.wait(3.1)
        gateway_error(st, site, client, Req("partner.example.org"), "notresolvable", HNR, "dns_refused",
                      lambda st: dns_failure(st, site, "partner.example.org", REFUSED, ns=[]), "Host not found",
                      conn=c)
    return play_it


def cached_name(cap):
    """A name resolved for a 200; 45 s later it fails to connect, no new query."""
    st, dst = cap.story(), "10.10.67.150"
    healthy(st, cap.site, "10.10.67.4", Req("portal.example.local"), dst)
    st.wait(45.0)
    connect_incident(st, cap.site, "10.10.67.22", Req("portal.example.local", "/login"), dst, refused(3),
                     "tcp_rst", "Connection refused", lookup=False)


def fragmented_answer(cap):
    """A name with 110 A records: the gateway asks for A only (EDNS0, 4096
    bytes), the answer (about 1.8 KB) comes in two IPv4 fragments; the
    gateway connects to the fifth address, which answers RST."""
    st, site, client = cap.story(), cap.site, "10.10.67.185"
    req = Req("mirrors.example.org")
    addrs = ["10.10.76.%d" % (10 + n) for n in range(110)]
    dst = addrs[4]      # not the first; the plugin keeps a name's first 16 addresses

    def upstream(st):
        res = Resolver(st, site.source(site.dns), site.dns)
        q = res.query(req.host, "A", edns=4096)
        st.wait(DNS_RTT)
        fragments = res.answer_fragmented(q, [rr(req.host, a) for a in addrs])
        assert len(fragments) == 2, len(fragments)
        st.wait(THINK)
        return syn_refused(st, site, dst, req.port, 1)
    gateway_error(st, site, client, req, "cannotconnect", CC, "tcp_rst", upstream, "Connection refused")


def healthy_200(cap):
    c = healthy(cap.story(), cap.site, "10.10.67.4", Req("example.local"), DEST, close=False)
    c.st.wait(0.8)
    healthy(c.st, cap.site, "10.10.67.4", Req("example.local", "/logo.png"), DEST, conn=c, lookup=False)
    healthy(cap.story(0.4), cap.site, "10.10.67.5", Req("news.example.com"), "10.10.70.40")
    healthy(cap.story(1.3), cap.site, "10.10.67.6", Req("www.example.org"), "10.10.70.41")


def mixed(cap):
    """Ten clients, interleaved incidents, healthy requests and decoys."""
    clients = ["10.10.67.%d" % (4 + 3 * i) for i in range(10)]
    plan = [  # (start s, client, kind, host)
        (0.0, 0, "ok", "www.example.com"), (0.35, 1, "ok", "news.example.org"),
        (0.9, 2, "nxdomain", "intranet-old.example.local"), (1.4, 3, "404", "docs.example.com"),
        (2.2, 4, "syntimeout", "erp.example.com"), (3.0, 5, "okc", "www.example.com"),
        (3.1, 6, "hello", "echo.example.local"), (4.5, 7, "servfail", "wiki.example.net"),
        (5.0, 8, "ok", "cdn.example.net"), (6.2, 9, "connectrst", "bank.example.com"),
        (7.0, 0, "timeout", "bi.example.com"), (8.3, 1, "icmp13", "blocked.example.net"),
        (9.1, 2, "okc", "news.example.org"), (10.4, 3, "dnssilent", "reports.example.local"),
        (11.0, 4, "404c", "docs.example.com"), (12.2, 5, "fin", "api.example.net"),
        (13.9, 6, "ok", "weather.example.org"), (15.5, 7, "nodata", "mail.example.org"),
        (17.0, 8, "okc", "www.example.com"), (18.8, 9, "origin502", "shop.example.org"),
        (20.0, 0, "okc", "cdn.example.net"), (25.0, 1, "ok", "intranet.example.local"),
        (31.0, 2, "404c", "docs.example.com"), (33.9, 4, "okdns", "tickets.example.com"),
        (36.0, 6, "okport", "monitor.example.net"), (40.0, 3, "okc", "weather.example.org"),
        (55.0, 4, "okc", "www.example.com"), (70.0, 5, "ok", "portal.example.local"),
        (90.0, 6, "okc", "news.example.org"), (110.0, 7, "okc", "intranet.example.local"),
        (126.0, 8, "ok", "static.example.com"), (140.0, 9, "404c", "docs.example.com"),
        (160.0, 2, "okc", "www.example.com"), (180.0, 1, "portrst", "admin.example.net"),
        (200.0, 5, "okc", "portal.example.local"),
        (230.0, 3, "okc", "static.example.com"),
    ]
    for start, who, kind, host in plan:
        incident(cap, cap.story(start), kind, clients[who], host)

    # Decoys: what the gateway does for itself, for no client request.
    dns_failure(cap.story(2.6), cap.site, "wpad.example.local", NXDOMAIN)       # proxy auto-discovery
    syn_refused(cap.story(16.3), cap.site, "10.10.70.200", 443, 1)               # its update server
    st, ntp = cap.story(33.3), "10.10.65.123"
    query = ip_layer(cap.site.source(ntp), ntp, 64, cap.rng.getrandbits(16), df=False) / \
        UDP(sport=123, dport=123) / Raw(b"\x23" + b"\0" * 47)                    # NTP client request
    st.emit(query)
    st.wait(0.0006)
    icmp_error(st, ntp, query, 3)


def squid(cap):
    """Squid on port 3128: 503 for DNS and connect failures, 504 for a
    connect timeout, 502 for an invalid reply."""
    site = cap.site
    dns_incident(cap.story(0.0), site, "10.10.67.4", Req("intranet-old.example.local"), answered(NXDOMAIN),
                 "dns_nxdomain", page=squid_page(503, "Service Unavailable", "ERR_DNS_FAIL",
                                                 "Unable to determine IP address from host name",
                                                 "The DNS server returned: Name Error: The domain name does not exist."))
    connect_incident(cap.story(0.8), site, "10.10.67.5", Req("app.example.local"), "10.10.67.131", refused(1),
                     "tcp_rst", page=squid_page(503, "Service Unavailable", "ERR_CONNECT_FAIL",
                                                "Connection to 10.10.67.131 failed.",
                                                "The system returned: (111) Connection refused"))
    connect_incident(cap.story(1.5), site, "10.10.67.6", Req("erp.example.com"), "10.10.70.60",
                     unanswered(1, 2, 4, 8, 16, 29), "tcp_syn_timeout",
                     page=squid_page(504, "Gateway Timeout", "ERR_CONNECT_FAIL", "Connection to 10.10.70.60 failed.",
                                     "The system returned: (110) Connection timed out"))
    reply_incident(cap.story(2.4), site, "10.10.67.7", Req("echo.example.local"), "10.10.67.140",
                   raw_reply(b"hello\r\n", fin=True), "http_invalid_response", "",
                   page=squid_page(502, "Bad Gateway", "ERR_INVALID_RESP", "Invalid Response"))


def midstream(cap):
    """tcpdump started while a client's keep-alive connection was open."""
    st, site, client = cap.story(), cap.site, "10.10.67.44"
    c = healthy(st, site, client, Req("www.example.com"), "10.10.70.50", close=False)
    st.wait(3.0)
    cap.start_recording(st.t)
    healthy(cap.story(st.t - cap.start + 0.6), site, "10.10.67.45", Req("news.example.org"), "10.10.70.51")
    st.wait(4.0)
    connect_incident(st, site, client, Req("app.example.local", "/login"), "10.10.67.131", refused(2), "tcp_rst",
                     "Connection refused", conn=c, close=False)
    st.wait(2.0)
    c.close(0, LAN)


def mixed_large(cap):
    """Forty clients over ten minutes: fifteen incidents, about a hundred
    healthy requests, decoys; the plan is drawn from the capture's seeded
    random generator."""
    rng = cap.rng
    clients = ["10.10.%d.%d" % (67 + i % 2, 20 + 5 * i) for i in range(40)]
    incidents = ["nxdomain", "nxdomain", "servfail", "nodata", "dnssilent", "syntimeout", "syntimeout", "rst",
                 "portrst", "connectrst", "icmp13", "hello", "timeout", "fin", "origin502"]
    names = ["www", "news", "docs", "cdn", "static", "portal", "intranet", "mail", "wiki", "tickets", "crm", "hr",
             "files", "maps", "video", "search", "weather", "sports", "shop", "travel"]
    domains = ["example.com", "example.net", "example.org", "example.local"]
    healthy_hosts = ["%s.%s" % (n, d) for n in names for d in domains[:2]]
    plan = [(20.0 + 36.0 * n + rng.uniform(0, 20), kind, "srv%02d.%s" % (n + 1, rng.choice(domains)))
            for n, kind in enumerate(incidents)]
    for n in range(120):
        kind = rng.choice(["ok"] * 8 + ["404", "okport", "okdns", "abort"])
        plan.append((rng.uniform(0, 600), kind, rng.choice(healthy_hosts)))
    resolved = set()
    for start, kind, host in sorted(plan):
        if kind in ("ok", "404") and host in resolved:
            kind += "c"         # the gateway has the name in its cache
        if kind in ("ok", "404", "okport", "okdns", "abort"):
            resolved.add(host)
        incident(cap, cap.story(start), kind, rng.choice(clients), host)
    # Decoys: the gateway's own lookups and connections, no client request.
    for n in range(4):
        dns_failure(cap.story(70.0 + 150 * n + rng.uniform(0, 60)), cap.site, "wpad.example.local", NXDOMAIN)
        syn_refused(cap.story(40.0 + 150 * n + rng.uniform(0, 60)), cap.site, "10.10.70.200", 443, 1)


# --------------------------------------------------------------------------
# The list of captures
# --------------------------------------------------------------------------

SCENARIOS = []


def add(name, about, play_fn, site=None, link="ether", options=""):
    SCENARIOS.append((name, about, site or Site(), link, options, play_fn))


def register_all():
    # ---- Host Not Resolvable ----
    add("dns-nxdomain-a.pcap", """
Host Not Resolvable, the KB's first example: the gateway asks its DNS server
for the A record of example.local only and gets No such name (SOA in authority).
""", play(dns_incident, CLIENT, Req("example.local"), answered(NXDOMAIN, aaaa=False), "dns_nxdomain"))

    add("dns-nxdomain-a-aaaa.pcap", """
Host Not Resolvable: A and AAAA asked together, both answered No such name;
the evidence is the last NXDOMAIN (the AAAA answer) before the 502.
""", play(dns_incident, "10.10.67.21", Req("intranet.example.local"), answered(NXDOMAIN), "dns_nxdomain"))

    add("dns-nxdomain-sequential.pcap", """
Host Not Resolvable as the KB's frames 74-77 show it: query A, No such name,
then query AAAA, No such name (the resolver asks one after the other).
Evidence: the second NXDOMAIN.
""", play(dns_incident, "10.10.67.4", Req("example.local"), answered(NXDOMAIN, sequential=True), "dns_nxdomain"))

    add("dns-servfail.pcap", """
Host Not Resolvable: the DNS server answers Server failure to A and AAAA.
""", play(dns_incident, "10.10.67.33", Req("wiki.example.net"), answered(SERVFAIL, ns=[]), "dns_servfail",
          "Temporary failure in name resolution"))

    add("dns-refused.pcap", """
Host Not Resolvable: the DNS server refuses (rcode 5 Refused) A and AAAA.
""", play(dns_incident, "10.10.67.45", Req("partner.example.org"), answered(REFUSED, ns=[]), "dns_refused"))

    add("dns-error-notimp.pcap", """
Host Not Resolvable: the DNS server answers the A query with rcode 4 (Not implemented): dns_error.
""", play(dns_incident, "10.10.67.52", Req("legacy.example.local"), answered(NOTIMP, aaaa=False, ns=[]),
          "dns_error"))

    add("dns-error-formerr.pcap", """
Host Not Resolvable: the DNS server answers A and AAAA with rcode 1 (Format error): dns_error.
""", play(dns_incident, "10.10.67.58", Req("shop.example.com"), answered(FORMERR, ns=[]), "dns_error"))

    add("dns-nodata-cname.pcap", """
Host Not Resolvable: NOERROR, but for A and for AAAA the answer holds only a
CNAME to a name without addresses (SOA of its zone in authority): dns_nodata,
evidence the last such answer.
""", play(dns_incident, "10.10.67.61", Req("www.example.net"),
          answered(NOERROR, an=[cname("www.example.net", "edge.cdn.example.com")],
                   ns=[soa("edge.cdn.example.com")]), "dns_nodata"))

    add("dns-nodata-empty.pcap", """
Host Not Resolvable: NOERROR with an empty answer section (SOA in authority) for A and AAAA.
""", play(dns_incident, "10.10.67.62", Req("mail.example.org"), answered(NOERROR), "dns_nodata"))

    add("dns-no-response.pcap", """
Host Not Resolvable: A and AAAA never answered, retransmitted with the same
ids after 5 s; the gateway gives up 5 s later.  Evidence: the last query.
""", play(dns_incident, "10.10.67.70", Req("reports.example.local"), silence(5.0, 5.0), "dns_no_response",
          "Timeout while resolving host"))

    add("dns-server-unreachable.pcap", """
Host Not Resolvable: no DNS service on 10.10.65.1; every query (A, AAAA, and
their retransmissions after 1 s) is answered by ICMP port unreachable quoting
the query's IP and UDP headers.  Evidence: the last ICMP.
""", play(dns_incident, "10.10.67.77", Req("files.example.local", "/share/"), no_dns_service,
          "dns_server_unreachable"))

    # ---- Cannot Connect ----
    add("tcp-syn-timeout.pcap", """
Cannot Connect: SYNs to 10.10.67.124:80 never answered, retransmitted with the
Linux backoff 1, 2, 4, 8 s (5 SYNs); the gateway gives up 15 s after the last.
""", play(connect_incident, CLIENT, Req("example.local"), DEST, unanswered(1, 2, 4, 8, 15), "tcp_syn_timeout",
          "Connection timed out"))

    add("tcp-syn-timeout-kb.pcap", """
Cannot Connect as in the KB's screenshot: the SYN follows the client's request
at once (the name is in the gateway's DNS cache: no query), is retransmitted
after 3, 6 and 12 s (4 SYNs), never answered; the 502 follows 24 s after the
last SYN.
""", play(connect_incident, CLIENT, Req("example.local"), DEST, unanswered(3, 6, 12, 24), "tcp_syn_timeout",
          "Connection timed out", lookup=False))

    add("tcp-rst.pcap", """
Cannot Connect: three connection attempts, every SYN answered by RST/ACK
(closed port).  Evidence: the last RST.
""", play(connect_incident, "10.10.67.88", Req("app.example.local"), "10.10.67.131", refused(3), "tcp_rst",
          "Connection refused"))

    icmp_cases = [
        # (file, code, name of the code, from, quote, extra, how it is quoted)
        ("icmp-admin-prohibited-13.pcap", 13, "communication administratively prohibited", FIREWALL, 8, {},
         "a firewall, quoting only 8 bytes of the TCP header"),
        ("icmp-host-prohibited-10.pcap", 10, "host administratively prohibited", FIREWALL, None, {},
         "a firewall, quoting the whole SYN (IP header and the full TCP header with its options)"),
        ("icmp-net-prohibited-9.pcap", 9, "network administratively prohibited", FIREWALL, 8, {},
         "a firewall, quoting 8 bytes of the TCP header"),
        ("icmp-host-unreachable.pcap", 1, "host unreachable", ROUTER, None,
         {"delay": 3.0, "resend_after": 1.0, "tries": 2},
         "the router 3 s later, when its ARP request timed out (the SYN was retransmitted meanwhile)"),
        ("icmp-net-unreachable.pcap", 0, "network unreachable", ROUTER, 8, {"tries": 2},
         "the router, which has no route (8 bytes quoted)"),
        ("icmp-port-unreachable.pcap", 3, "port unreachable", None, None, {"tries": 2},
         "the destination itself, quoting the whole SYN"),
    ]
    for n, (fname, code, what, sender, quote, extra, how) in enumerate(icmp_cases):
        dst = "10.10.70.%d" % (20 + n)
        add(fname, """
Cannot Connect: each SYN to %s:80 is answered by ICMP destination unreachable
code %d (%s) from %s.  Evidence: the last ICMP error.
""" % (dst, code, what, how), play(connect_incident, "10.10.67.%d" % (90 + n), Req("host%d.example.net" % code),
                                   dst, unreachable(code, sender, quote, **extra), "icmp_unreachable"))

    add("icmpv6-admin-prohibited.pcap", """
Cannot Connect over IPv6: a dual-stack gateway (clients reach 10.10.67.161, it
goes out from 2001:db8:67::161) connects to 2001:db8:70::124; each SYN is
answered by ICMPv6 destination unreachable code 1 (administratively
prohibited) from the firewall 2001:db8:67::fe.
""", play(connect_incident, "10.10.67.99", Req("v6only.example.net"), "2001:db8:70::124",
          unreachable(1, "2001:db8:67::fe", tries=2), "icmp_unreachable"), site=Site(up="2001:db8:67::161"))

    # ---- Bad Response ----
    pdf = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
           b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" + bytes(range(256)) * 8)
    add("http-invalid-response-pdf.pcap", """
Bad Response, the KB's example: the gateway forwards GET /fw4.pdf and the
destination answers with raw PDF bytes (two segments), no HTTP status line.
Evidence: the first reply segment.  The gateway resets the upstream connection.
""", play(reply_incident, CLIENT, Req("example.local", "/fw4.pdf"), DEST, raw_reply(pdf), "http_invalid_response",
          "Invalid response"))

    add("http-invalid-response-hello.pcap", """
Bad Response: a non-HTTP service on port 80 answers "hello" and closes (FIN).
Evidence: the "hello" segment, not the FIN that comes with it.
""", play(reply_incident, "10.10.67.104", Req("echo.example.local"), "10.10.67.140",
          raw_reply(b"hello\r\n", fin=True), "http_invalid_response", "Invalid response"))

    add("http-response-timeout-120.pcap", """
Bad Response: the forwarded request is acknowledged but never answered; the
gateway gives up after its default 120 s, sends the 502 and then closes the
upstream connection.  Evidence: the forwarded request.
""", play(reply_incident, "10.10.67.110", Req("reports.example.com", "/generate?year=2012"), "10.10.70.80",
          no_reply(120.0), "http_response_timeout", "Server response timeout"))

    add("http-response-timeout-480.pcap", """
Bad Response: Proxy Control raised the timeout to 480 s for this host; the
forwarded request is never answered, the gateway resets the upstream
connection at 480 s and sends the 502.  Evidence: the forwarded request.
""", play(reply_incident, "10.10.67.111", Req("bi.example.com", "/report/yearly"), "10.10.70.81",
          no_reply(480.0, gateway_resets=True), "http_response_timeout", "Server response timeout"))

    add("upstream-closed-fin.pcap", """
Bad Response: the destination closes the connection (FIN) after reading the
forwarded request, before sending any response byte.  Evidence: its FIN.
""", play(reply_incident, "10.10.67.115", Req("api.example.net", "/v1/status"), "10.10.70.90",
          peer_closes("fin"), "upstream_closed", "Connection closed by peer"))

    add("upstream-closed-rst.pcap", """
Bad Response: the destination resets the connection (RST) after reading the
forwarded request, before any response byte.  Evidence: its RST.
""", play(reply_incident, "10.10.67.116", Req("api.example.net", "/v1/orders"), "10.10.70.91",
          peer_closes("rst"), "upstream_closed", "Connection reset by peer"))

    # ---- the origin's own error ----
    add("upstream-status-502.pcap", """
The origin's own error: the destination (an nginx reverse proxy) answers
"HTTP/1.1 502 Bad Gateway" itself and the gateway relays it.  Category
upstream_error; evidence: the origin's response.
""", play(origin_error, "10.10.67.120", Req("shop.example.org", "/cart"), "10.10.70.95"))

    # ---- client side only ----
    for n, (family, category, detail, rebrand) in enumerate([
            ("cannotconnect", CC, "Connection timed out", None),
            ("notresolvable", HNR, "Host not found", None),
            ("badresponse", BR, "Invalid response", None),
            ("notresolvable", HNR, "", "title"),
            ("cannotconnect", CC, "", "errordata")]):
        page = "a rebranded page (%s)" % {
            "title": "only the title Host Not Resolvable and /mwg-internal/ links",
            "errordata": "a corporate title and only the proxyErrorData :cannotconnect: line"}[rebrand] \
            if rebrand else "the %s block page" % family
        add("client-only-%s.pcap" % ("rebranded-" + rebrand if rebrand else family), """
Captured on the client side: only client <-> gateway, no DNS or upstream
traffic.  A 200, then a 502 where %s alone names the family;
cause no_upstream_evidence.
""" % page, play(client_only, "10.10.67.%d" % (170 + n), Req("site%d.example.com" % n), category, family,
                 detail, rebrand))

    add("client-only-chunked-gzip.pcap", """
Captured on the client side: only client <-> gateway, no DNS or upstream
traffic.  A 200, then a 502 whose cannotconnect block page is gzipped
(Content-Encoding: gzip) and sent in three chunks (Transfer-Encoding:
chunked): every marker of the page is in the compressed body only, which
Wireshark de-chunks and uncompresses; cause no_upstream_evidence.
""", play(client_only, "10.10.67.175", Req("site5.example.com"), CC, "cannotconnect", "Connection timed out",
          gzip_chunks=3))

    # ---- real-world shapes ----
    add("connect-nxdomain.pcap", """
CONNECT secure.example.local:443 HTTP/1.1 (HTTPS through the proxy); the name
does not exist (A and AAAA NXDOMAIN).  Host: secure.example.local.
""", play(dns_incident, "10.10.67.125", Req("secure.example.local", method="CONNECT"), answered(NXDOMAIN),
          "dns_nxdomain"))

    add("connect-rst.pcap", """
CONNECT bank.example.com:443 HTTP/1.1; the three SYNs to port 443, 1 s apart,
are each answered by RST/ACK.
""", play(connect_incident, "10.10.67.126", Req("bank.example.com", method="CONNECT"), "10.10.70.100",
          refused(3, gap=1.0), "tcp_rst", "Connection refused"))

    add("keepalive-200-502-200.pcap", """
Three requests on one keep-alive client connection: a 200; then a request (its
header in two segments: the request frame is the second) for a name that does
not exist, 502 Host Not Resolvable, the connection stays open; then a 200.
""", keepalive)

    add("keepalive-502-out-of-order.pcap", """
One keep-alive client connection: a 502 Host Not Resolvable in two segments
captured in the wrong order (second first), which Wireshark does not show as
a response with its default TCP settings; a 200; a 502 for a name the DNS
server refuses, paired with its own request, not the one before.
""", out_of_order_page(False))

    add("keepalive-502-out-of-order-reassembled.pcap", """
The same connection read with tcp.reassemble_out_of_order: Wireshark shows
the first 502 in its late first segment, and it gets its verdict there.
""", out_of_order_page(True), options="-o tcp.reassemble_out_of_order:TRUE")

    add("kept-connection-origin-502.pcap", """
A request goes out on an upstream connection kept open after a 200 and the
origin answers 502 itself; another client's request for the host opened a
second connection whose SYN-ACK comes 30 ms after the relayed 502: the
verdict is the origin's 502, not that SYN.
""", kept_connection)

    add("shared-address-other-name.pcap", """
Shared hosting: shop.hosting.example's forwarded request is never answered;
39 s later blog.hosting.example (same address) gets only unanswered SYNs and
its client gives up; the 502 at 120 s is shop's response timeout.
""", other_name_same_address)

    add("dns-cached-rst.pcap", """
Name cached by the gateway: portal.example.local resolves and a client gets a
200; 45 s later another client asks for it, the gateway sends no new query and
every SYN is answered by RST/ACK (502 Cannot Connect).
""", cached_name)

    add("multi-a-timeout-then-rst.pcap", """
Several A records tried in turn: www.example.com has two addresses; the SYNs
to the first (10.10.70.110) go unanswered (1, 2, 4 s), then the SYN to the
second (10.10.70.111) is answered by RST.  The last attempt decides: tcp_rst.
""", play(connect_incident, "10.10.67.140", Req("www.example.com"), ["10.10.70.110", "10.10.70.111"],
          in_turn(unanswered(1, 2, 4), refused(1)), "tcp_rst"))

    add("multi-a-rst-then-timeout.pcap", """
Several A records tried in turn: the first address (10.10.70.112) answers RST,
the SYNs to the second (10.10.70.113) go unanswered.  Cause: tcp_syn_timeout.
""", play(connect_incident, "10.10.67.141", Req("cdn.example.com"), ["10.10.70.112", "10.10.70.113"],
          in_turn(refused(1), unanswered(1, 2, 4, 8)), "tcp_syn_timeout"))

    add("dns-answer-fragmented.pcap", """
A large DNS answer in IP fragments: mirrors.example.org has 110 A records;
the gateway asks for A only (with EDNS0), the NOERROR answer (about 1.8 KB)
comes in two IPv4 fragments, which Wireshark reassembles and dissects in the
frame of the second.  The gateway connects to the fifth address
(10.10.76.14), which answers RST: tcp_rst, evidence the RST.
""", fragmented_answer)

    v6site = Site(gw="2001:db8:67::161", dns="2001:db8:65::1")
    add("ipv6-syn-timeout.pcap", """
IPv6 end to end: client 2001:db8:67::4, gateway 2001:db8:67::161, DNS server
2001:db8:65::1; www6.example.net has only an AAAA record; the SYNs to it go
unanswered (1, 2, 4, 8 s).
""", play(connect_incident, "2001:db8:67::4", Req("www6.example.net"), "2001:db8:70::80",
          unanswered(1, 2, 4, 8, 10), "tcp_syn_timeout", "Connection timed out"), site=v6site)

    add("ipv6-nxdomain.pcap", """
IPv6 end to end: the gateway asks its DNS server over IPv6; A and AAAA both No such name.
""", play(dns_incident, "2001:db8:67::4", Req("gone6.example.net"), answered(NXDOMAIN), "dns_nxdomain"),
        site=v6site)

    add("cooked-any.pcap", """
tcpdump -i any on the gateway (Linux cooked capture, SLL): a 200, a NXDOMAIN,
an RST refusal and a "hello" non-HTTP reply, from four clients.
""", several(["ok", "nxdomain", "rst", "hello"]), link="sll")

    add("pcapng-mixed.pcapng", """
The same kind of capture saved as pcapng: a 200, ICMP administratively
prohibited (code 13), unanswered SYNs and a 404 relayed from the origin.
""", several(["ok", "icmp13", "syntimeout", "404"]))

    add("blockpage-3-segments.pcap", """
The gateway's block page (over 3 KB with its inline style sheet, as the 3126
bytes of the KB's access log) goes to the client in three TCP segments;
Wireshark reassembles and dissects the 502 in the last one: the error frame.
""", play(connect_incident, CLIENT, Req("example.local"), DEST, unanswered(3, 6, 12, 24), "tcp_syn_timeout",
          "Connection timed out", inline_style=True))

    # ---- Error responses in several segments: one verdict, where Wireshark shows the 502 ----
    add("blockpage-2-segments.pcap", """
The block page (about 2 KB) goes to the client in two TCP segments; Wireshark
shows the 502 in the second, which is the error frame; the first only starts it.
""", play(dns_incident, "10.10.67.12", Req("intranet.example.local"), answered(NXDOMAIN), "dns_nxdomain",
          body=block_page_body("notresolvable", "http://intranet.example.local/", "10.10.67.12", KB_TIME,
                               "Host not found") + b"<!-- " + b"x" * 700 + b" -->\n"))

    add("blockpage-1-byte-segments.pcap", """
A short block page sent one byte per TCP segment (a gateway writing its
response byte by byte, as some filtering proxies do): every segment of the
response belongs to the incident, the verdict sits on the last one.
""", play(connect_incident, "10.10.67.14", Req("legacy.example.net"), "10.10.70.14", refused(2), "tcp_rst",
          "Connection refused", mss=1, body=SHORT_PAGE))

    add("blockpage-headers-apart.pcap", """
The gateway sends the response headers in one segment and the page in the
next (privoxy and tinyproxy do so): the verdict is on the page's segment,
where Wireshark dissects the 502.
""", play(connect_incident, "10.10.67.15", Req("erp.example.com"), "10.10.70.15", unanswered(1, 2, 4, 8),
          "tcp_syn_timeout", "Connection timed out", apart=True))

    add("blockpage-client-resets.pcap", """
The client resets its connection after the first segment of the block page
(a user who gave up): the response never arrives whole and Wireshark never
dissects it as HTTP.  The verdict sits on the segment that shows the status
line (tshark -2 and Wireshark; a single pass cannot go back to it).
""", play(dns_incident, "10.10.67.16", Req("reports.example.local"), silence(5.0, 5.0), "dns_no_response",
          "Timeout while resolving host", inline_style=True, cut_off="client-resets"))

    add("blockpage-capture-ends.pcap", """
The capture stops after the first segment of the block page: the response
never arrives whole.  The verdict sits on the segment that shows the status
line (tshark -2 and Wireshark; a single pass cannot go back to it).
""", play(connect_incident, "10.10.67.17", Req("bank.example.com"), "10.10.70.17", refused(3), "tcp_rst",
          "Connection refused", inline_style=True, cut_off="capture-ends"))

    add("two-interfaces.pcap", """
A gateway with two interfaces: clients reach it on 10.10.67.161, it goes out
(DNS and destinations) from 192.168.200.161.  A NXDOMAIN, a 200 and an RST refusal.
""", several(["nxdomain", "ok", "rst"]), site=Site(up="192.168.200.161", dns="192.168.200.53"))

    add("proxy-port-8080.pcap", """
A proxy listening on port 8080 instead of 9090: an unanswered-SYN Cannot
Connect, a 200 and a SERVFAIL.  Needs the proxy_ports preference.
""", several(["syntimeout", "ok", "servfail"]), site=Site(port=8080), options="-o mwg502.proxy_ports:8080")

    add("midstream-start.pcap", """
tcpdump started while a client's keep-alive connection to the proxy was open:
its handshake and first request are not in the file.  Another client's 200,
then the open connection's next request: the SYNs to the destination are
refused (RST).
""", midstream)

    add("squid-3128.pcap", """
Another forward proxy: Squid on port 3128, which answers 503 (DNS failure,
connection refused), 504 (connect timeout, 6 SYNs) and 502 (invalid reply)
with its own error pages.  Needs the proxy_ports and status_codes preferences.
""", squid, site=Site(port=3128), options="-o mwg502.proxy_ports:3128 -o mwg502.status_codes:502-504")

    # ---- healthy ----
    add("healthy-200.pcap", """
Healthy traffic only: three clients get 200s (one of them two, on a
keep-alive connection).  No verdict.
""", healthy_200)

    add("healthy-404.pcap", """
Healthy: the origin answers 404 Not Found and the gateway relays it.  No verdict.
""", play(healthy, CLIENT, Req("example.local", "/missing.html"), DEST, 404, "Not Found"))

    add("healthy-slow-60s.pcap", """
Healthy: the origin needs 60 s to answer, within the gateway's 120 s timeout.  No verdict.
""", play(healthy, CLIENT, Req("reports.example.com", "/q1"), "10.10.70.80", delay=60.0))

    # ---- many clients ----
    add("mixed-large.pcap", """
Forty clients over ten minutes, about 3,000 frames: fifteen incidents of the
causes above (two NXDOMAIN, two SYN timeouts, an RST on a URI with a port,
...) among about 120 healthy requests (200s, 404s, a port-8081 URI,
DNS queries resent once, clients that abort while the origin is slow),
and the gateway's own failing lookups (wpad) and refused connections.
""", mixed_large)

    add("mixed-10-clients.pcap", """
Ten clients and many hosts interleaved over four minutes: twelve incidents
of different causes (NXDOMAIN, SERVFAIL, no DNS answer, NOERROR without
address, unanswered SYNs, RST on CONNECT, RST on port 8443 of an absolute URI
with a port, ICMP prohibited, non-HTTP reply, response timeout, destination
FIN, an origin's own 502) among 200s (one to port 8081, one whose DNS queries
were lost once and resent) and 404s, and decoys: a NXDOMAIN for a name no
client asked for (wpad), an RST on a connection the gateway opened for
itself, an ICMP port unreachable for its NTP query.
""", mixed)
    add("mixed-10-clients-padded.pcap", """
The same as mixed-10-clients, with every short frame padded to Ethernet's 60
bytes as a capture on the receiving side shows them: the padding after a bare
ACK or FIN is not payload.
""", mixed, link="ether-padded")


# --------------------------------------------------------------------------
# Checking with tshark
# --------------------------------------------------------------------------

def tshark_fields(path, port, fields, extra=()):
    cmd = ["tshark", "-r", path, "-o", "tcp.desegment_tcp_streams:TRUE", "-d", "tcp.port==%d,http" % port,
           "-T", "fields", "-E", "separator=|"] + list(extra)
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines()]


EVIDENCE_TEST = {
    "dns_nxdomain": lambda r: r["dns.flags.rcode"] == "3",
    "dns_servfail": lambda r: r["dns.flags.rcode"] == "2",
    "dns_refused": lambda r: r["dns.flags.rcode"] == "5",
    "dns_error": lambda r: r["dns.flags.rcode"] not in ("", "0", "2", "3", "5"),
    "dns_nodata": lambda r: r["dns.flags.rcode"] == "0" and r["dns.flags.response"] == "1",
    "dns_no_response": lambda r: r["dns.flags.response"] == "0",
    "dns_server_unreachable": lambda r: r["icmp.type"] == "3",
    "tcp_syn_timeout": lambda r: r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "0",
    "tcp_rst": lambda r: r["tcp.flags.reset"] == "1",
    "icmp_unreachable": lambda r: r["icmp.type"] == "3" or r["icmpv6.type"] == "1",
    "http_invalid_response": lambda r: r["tcp.len"] not in ("", "0") and r["http.response.code"] == "",
    "http_response_timeout": lambda r: r["http.request.method"] != "",
    "upstream_closed": lambda r: r["tcp.flags.fin"] == "1" or r["tcp.flags.reset"] == "1",
    "upstream_status": lambda r: r["http.response.code"] != "",
}


def status_codes(options):
    """The status codes the plugin explains, from an -o mwg502.status_codes:... option."""
    codes = set()
    spec = options.split("mwg502.status_codes:")[1].split()[0] if "mwg502.status_codes:" in options else "502"
    for part in spec.split(","):
        low, _, high = part.partition("-")
        codes.update(str(c) for c in range(int(low), int(high or low) + 1))
    return codes


def check(cap, path):
    """Compare what tshark dissects with the expected verdicts; return problems."""
    port = cap.site.port
    names = ["frame.number", "tcp.srcport", "http.response.code", "http.request.method", "dns.flags.response",
             "dns.flags.rcode", "icmp.type", "icmpv6.type", "tcp.flags.syn", "tcp.flags.ack",
             "tcp.flags.reset", "tcp.flags.fin", "tcp.len", "_ws.malformed", "_ws.expert.message"]
    rows = {}
    # Wireshark's own preferences among the capture's options change what it dissects.
    words = cap.options.split()
    wireshark_prefs = []
    for flag, pref in zip(words, words[1:]):
        if flag == "-o" and not pref.startswith("mwg502."):
            wireshark_prefs += [flag, pref]
    for values in tshark_fields(path, port, names, ["-o", "ip.check_checksum:TRUE", "-o",
                                                    "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"] +
                                wireshark_prefs):
        # ICMP errors repeat tcp.*/udp.* for the quoted datagram: keep the first value.
        r = {k: v.split(",")[0] for k, v in zip(names, values)}
        r["_all"] = dict(zip(names, values))
        rows[int(r["frame.number"])] = r
    problems = []
    codes = status_codes(cap.options)
    errors = {n for n, r in rows.items() if r["tcp.srcport"] == str(port) and
              any(code in codes for code in r["_all"]["http.response.code"].split(","))}
    # A response that never arrived whole has no http.response.code anywhere.
    listed = {row[0] for row in cap.verdict_lines() if len(row) == 6}
    if errors != listed:
        problems.append("502 frames %s, expected %s" % (sorted(errors), sorted(listed)))
    for error, category, cause, request, evidence, host, *_ in cap.verdict_lines():
        if rows[request]["http.request.method"] == "":
            problems.append("frame %d is not a dissected request" % request)
        if evidence != "-" and not EVIDENCE_TEST[cause](rows[evidence]):
            problems.append("frame %s does not look like %s evidence" % (evidence, cause))
    for n, r in rows.items():
        if r["_ws.malformed"]:
            problems.append("frame %d malformed" % n)
        for msg in r["_all"]["_ws.expert.message"].split(","):
            if "checksum" in msg.lower() or "malformed" in msg.lower():
                problems.append("frame %d: %s" % (n, msg))
    return problems


# --------------------------------------------------------------------------
# Tunnels: the same traffic seen inside GRE, VXLAN and IP in IP
# --------------------------------------------------------------------------

TUNNEL_ENDS = ("192.0.2.1", "192.0.2.2")   # the tunnel's own endpoints (TEST-NET-1)
TUNNELS = {
    "gre": "inside GRE (IP protocol 47), as a capture on a GRE-terminating router or a cloud mirror shows it",
    "vxlan": "inside VXLAN (UDP 4789, an inner Ethernet frame), as a capture of overlay-network traffic shows it",
    "ipip": "inside IP in IP (IP protocol 4)",
}


def tunnelled(kind, frame, outgoing):
    """The frame as the tunnel carries it: an outer IPv4 header between the
    tunnel ends, then the original packet (VXLAN: the original frame)."""
    a, b = TUNNEL_ENDS if outgoing else TUNNEL_ENDS[::-1]
    inner = frame.payload
    outer = Ether(src=mac_of(a), dst=mac_of(b)) / IP(src=a, dst=b, ttl=64, id=0)
    if kind == "gre":
        return outer / GRE(proto=0x86DD if isinstance(inner, IPv6) else 0x0800) / inner
    if kind == "vxlan":
        return outer / UDP(sport=49152 + zlib.crc32(bytes(inner)) % 16384, dport=4789) / VXLAN(vni=502) / frame
    return outer / inner


def tunnel_copies(out_dir, source="mixed-10-clients"):
    """Wrapped copies of one capture, frame for frame: the same verdicts."""
    packets = rdpcap(os.path.join(out_dir, source + ".pcap"))
    with open(os.path.join(out_dir, source + ".expected")) as f:
        verdicts = [line for line in f if not line.startswith("#")]
    for kind, how in TUNNELS.items():
        out = []
        for n, p in enumerate(packets):
            w = tunnelled(kind, p, p[IP].src == GATEWAY if IP in p else n % 2 == 0)
            w.time = p.time
            out.append(w)
        name = "tunnel-%s-mixed" % kind
        wrpcap(os.path.join(out_dir, name + ".pcap"), out)
        with open(os.path.join(out_dir, name + ".expected"), "w") as f:
            f.write("# %s.pcap %s:\n# every frame carries the same packet, so the verdicts are those of %s.\n"
                    % (source, how, source) + "".join(verdicts))
        print("%-40s %4d frames %2d errors (tunnelled copy)" % (name + ".pcap", len(out), len(verdicts)))


# --------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify every capture with tshark")
    parser.add_argument("--out", default=OUT_DIR, help="output folder (default: captures/crafted)")
    args = parser.parse_args()
    register_all()
    os.makedirs(args.out, exist_ok=True)
    if args.check and not shutil.which("tshark"):
        sys.exit("tshark is not installed")
    failed = 0
    for name, about, site, link, options, play in SCENARIOS:
        cap = Capture(name, about, site, link, options)
        play(cap)
        path = cap.write(args.out)
        line = "%-40s %4d frames %2d errors" % (name, len(cap.frames), len(cap.verdict_lines()))
        if args.check:
            problems = check(cap, path)
            failed += bool(problems)
            line += "  " + ("; ".join(problems) if problems else "ok")
        print(line)
    tunnel_copies(args.out)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
