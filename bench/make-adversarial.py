#!/usr/bin/python3
"""Generates the adversarial capture of the mwg502 memory benchmark.

usage: make-adversarial.py [--targets N] [--seconds S] [-o OUT.pcap]

N distinct upstream targets (default 1,000,000) and no 502 at all: half are
DNS names the gateway resolves (query + NOERROR answer with a fresh address:
a name entry, a DNS flow and an address owner each), half are SYNs to fresh
destination address:port pairs (a connection and an endpoint entry each),
interleaved, all within S seconds (default 300, inside every window of the
plugin, so that only its capacities bound its state).  Deterministic.
"""
import argparse
import struct
import sys

GW = bytes([192, 168, 1, 10])
DNS_SERVER = bytes([10, 10, 65, 1])
ETH_OUT = b"\x00\x50\x56\x00\x00\x02\x00\x50\x56\x00\x00\x01\x08\x00"
ETH_IN = b"\x00\x50\x56\x00\x00\x01\x00\x50\x56\x00\x00\x02\x08\x00"


def ipv4(src, dst, proto, payload):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload


def qname(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=1000000)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("-o", "--output", default="bench/out/adversarial.pcap")
    args = ap.parse_args()
    start = 1700000000
    frames = 0
    with open(args.output, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))

        def rec(i, eth_hdr, pkt):
            nonlocal frames
            t_us = int(i * args.seconds * 1e6 / args.targets)
            frame = eth_hdr + pkt
            out.write(struct.pack("<IIII", start + t_us // 1000000, t_us % 1000000, len(frame), len(frame)))
            out.write(frame)
            frames += 1

        for i in range(args.targets):
            if i % 2 == 0:
                name = "n%d.adv%d.example.org" % (i, i % 97)
                ident = i & 0xffff
                port = 1024 + (i // 2) % 60000
                q = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", 1, 1)
                rec(i, ETH_OUT, ipv4(GW, DNS_SERVER, 17, struct.pack("!HHHH", port, 53, 8 + len(q), 0) + q))
                addr = struct.pack("!I", (100 << 24) | i)
                r = (struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0) + qname(name) + struct.pack("!HH", 1, 1)
                     + struct.pack("!HHHIH", 0xc00c, 1, 1, 300, 4) + addr)
                rec(i, ETH_IN, ipv4(DNS_SERVER, GW, 17, struct.pack("!HHHH", 53, port, 8 + len(r), 0) + r))
            else:
                dst = struct.pack("!I", (20 << 24) | i)
                sport = 1024 + (i // 2) % 60000
                tcp = struct.pack("!HHIIBBHHH", sport, 80 + i % 3, i, 0, 0x50, 0x02, 64240, 0, 0)
                rec(i, ETH_OUT, ipv4(GW, dst, 6, tcp))
    print("%s: %d frames, %d distinct targets, no 502" % (args.output, frames, args.targets), file=sys.stderr)


if __name__ == "__main__":
    main()
