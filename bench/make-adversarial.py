#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generates the adversarial capture of the mwg502 memory benchmark.

usage: make-adversarial.py [--targets N] [--seconds S] [-o OUT.pcap]

N distinct upstream targets (default 1,000,000) and no 502 at all: half are
DNS names the gateway resolves (query + NOERROR answer with a fresh address:
a name entry, a DNS flow and an address owner each), half are SYNs to fresh
destination address:port pairs (a connection and an endpoint entry each),
interleaved, all within S seconds (default 300, inside every window of the
plugin, so that only its capacities bound its state).  Deterministic.

The frames are built with pcapgen.py and streamed to the file as they are
made (already in time order: no sorting, little memory).
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import DNS_SERVER, GW_UPSTREAM as GW, SYN, PcapFile, dns_packet, eth, ipv4, tcp_header, udp  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=1000000)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("-o", "--output", default="bench/out/adversarial.pcap")
    args = ap.parse_args()
    start = 1700000000
    out = PcapFile(args.output)

    def rec(i, from_gw, pkt):
        # target i at i/N of the span, to the microsecond
        t_us = int(i * args.seconds * 1e6 / args.targets)
        out.record(start + t_us // 1000000, t_us % 1000000, eth(from_gw, pkt))

    for i in range(args.targets):
        if i % 2 == 0:
            name = "n%d.adv%d.example.org" % (i, i % 97)
            ident = i & 0xffff
            port = 1024 + (i // 2) % 60000
            rec(i, True, ipv4(GW, DNS_SERVER, 17, udp(port, 53, dns_packet(ident, name, 1, False))))
            addr = struct.pack("!I", (100 << 24) | i)
            rec(i, False, ipv4(DNS_SERVER, GW, 17, udp(53, port, dns_packet(ident, name, 1, True, 0, [addr]))))
        else:
            dst = struct.pack("!I", (20 << 24) | i)
            sport = 1024 + (i // 2) % 60000
            rec(i, True, ipv4(GW, dst, 6, tcp_header(sport, 80 + i % 3, i, 0, SYN)))
    out.close()
    print("%s: %d frames, %d distinct targets, no 502" % (args.output, out.count, args.targets), file=sys.stderr)


if __name__ == "__main__":
    main()
