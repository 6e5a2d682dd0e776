#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
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

The pcap records are written directly (no scapy; the packets and the traffic
are built by pcapgen.py, which make-shapes.py shares), deterministic for a
seed.  The counts of each failure kind are printed on stderr, and written
beside the capture as OUT.pcap.truth (one line per gateway 502: its time
offset and insertion order, which sorted give its frame number, cause,
host), so that the benchmark can also check what the plugin found.
(`make-shapes.py --shape cut --snaplen 65535` writes the same traffic with
a truth of frame numbers that bench/check-shapes.py reads.)
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcapgen import Writer, mixed_traffic  # noqa: E402


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
    # Sessions until the frame budget is reached; each is one keep-alive
    # client connection with a few requests (pcapgen.mixed_traffic).
    gw, sessions = mixed_traffic(w, rng, args.frames, args.failure_rate, args.clients, args.duration)
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
