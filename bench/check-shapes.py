#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks mwg502's verdicts on a capture of make-shapes.py against its truth.

usage: check-shapes.py [--examples K] PLUGIN.so OUT.pcap [tshark options...]

Runs tshark with the plugin (tests/tshark-with-plugin.sh) twice, one pass
and two passes (-2), each `-Y mwg502.cause -T json`, and compares every
verdict with OUT.pcap.truth (frame cause host evidence_frame request_frame,
'-' where the shape defines none).  Per truth cause it counts:

  right   the cause and host of the truth, and its evidence and request
          frames where the truth gives them
  weaker  no_upstream_evidence (the plugin says it could not tell) with
          the truth's category or none, or the right cause without a host
  WRONG   a cause naming another failure, a host that is not the request's,
          another evidence or request frame than the truth's, a category
          of another family; a verdict on a frame the truth does not list
          (counted under "(not in the truth)"); a listed frame without
          verdict ("no verdict")
  unseen  a listed frame without verdict where Wireshark, in that pass,
          shows no HTTP response (a snap length that kept less than the
          status code, or a body whose end it lost): the verdict sits on
          the error response Wireshark shows, and there is none

and shows up to K (default 5) examples of each kind of WRONG per pass:
frame, expected, got.  Exit status: 0 no WRONG; 1 some WRONG (a missing
verdict is one); 2 the input is missing or tshark failed.

JSON rather than -T fields: a frame may carry several verdicts (pipelined
502s in one segment), and -T fields joins each field's values over the
verdicts, losing which evidence frame belongs to which verdict when one of
them has none.  Where a frame has as many verdicts as the truth has lines,
they are paired in order (the order of the responses); otherwise by host
and request first, so that one missing verdict does not shift the rest.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(os.path.dirname(HERE), "tests", "tshark-with-plugin.sh")
NONE = "-"
# The category of each cause (plugin/verdict.c): a no_upstream_evidence
# verdict takes its category from the block page, which must agree.
CATEGORY = {
    "dns_nxdomain": "host_not_resolvable", "dns_servfail": "host_not_resolvable",
    "dns_refused": "host_not_resolvable", "dns_error": "host_not_resolvable",
    "dns_nodata": "host_not_resolvable", "dns_no_response": "host_not_resolvable",
    "dns_server_unreachable": "host_not_resolvable",
    "tcp_syn_timeout": "cannot_connect", "tcp_rst": "cannot_connect", "icmp_unreachable": "cannot_connect",
    "http_invalid_response": "bad_response", "http_response_timeout": "bad_response",
    "upstream_closed": "bad_response", "upstream_status": "upstream_error",
}
EXTRA = "(not in the truth)"


class Verdict:
    def __init__(self, frame, cause, host, evidence, request, category=None):
        self.frame, self.cause, self.host = int(frame), cause, host
        self.evidence, self.request, self.category = evidence, request, category

    def __str__(self):
        cat = "" if self.category is None or self.cause != "no_upstream_evidence" else "/" + self.category
        return "%s%s host %s evidence %s request %s" % (self.cause, cat, self.host, self.evidence, self.request)


def fail_input(msg):
    print("ERROR " + msg)
    sys.exit(2)


def read_truth(capture):
    path = capture + ".truth"
    if not os.path.isfile(capture):
        fail_input("no capture %s" % capture)
    if not os.path.isfile(path):
        fail_input("no %s (made by bench/make-shapes.py)" % path)
    truth, header = [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith("#"):
                header.append(line[1:].strip())
                continue
            cols = line.split()
            if not cols:
                continue
            if len(cols) != 5 or not cols[0].isdigit() or cols[1] not in CATEGORY:
                fail_input("%s:%d: not 'frame cause host evidence_frame request_frame': %r" % (path, n, line))
            truth.append(Verdict(*cols))
    return truth, header


def run_tshark(plugin, capture, options, two_pass):
    cmd = ["bash", WRAPPER, plugin, "-r", capture] + (["-2"] if two_pass else []) + options + \
          ["-Y", "mwg502.cause", "-T", "json", "-j", "frame mwg502"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        err = "\n".join(l for l in p.stderr.decode(errors="replace").splitlines() if "dangerous" not in l)
        fail_input("tshark exited %d: %s\n%s" % (p.returncode, " ".join(cmd), err))
    # Several verdicts in a frame are several "mwg502" keys of one object.
    packets = json.loads(p.stdout.decode(errors="replace") or "[]", object_pairs_hook=lambda pairs: pairs)
    got = []
    for packet in packets:
        layers = dict(dict(packet)["_source"])["layers"]
        frame = dict(dict(layers)["frame"])["frame.number"]
        for name, value in layers:
            if name != "mwg502":
                continue
            fields = dict(value)
            if "mwg502.cause" not in fields:
                continue        # an incident or explains item of the second pass
            got.append(Verdict(frame, fields["mwg502.cause"], fields.get("mwg502.host", NONE),
                               fields.get("mwg502.evidence_frame", NONE), fields.get("mwg502.request_frame", NONE),
                               fields.get("mwg502.category", NONE)))
    return got


def shown_responses(plugin, capture, options, two_pass):
    """The frames where Wireshark shows an HTTP response code (a cut
    capture may differ in one pass and two)."""
    cmd = ["bash", WRAPPER, plugin, "-r", capture] + (["-2"] if two_pass else []) + options + \
          ["-Y", "http.response.code", "-T", "fields", "-e", "frame.number"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        fail_input("tshark exited %d: %s" % (p.returncode, " ".join(cmd)))
    return {int(line) for line in p.stdout.decode().split()}


def judge(want, got):
    """(kind, reason) for one verdict against its truth line."""
    if got is None:
        return "WRONG", "no verdict"
    if got.host != NONE and got.host != want.host:
        return "WRONG", "host"
    if NONE not in (want.request, got.request) and got.request != want.request:
        return "WRONG", "request"
    if got.cause == "no_upstream_evidence":
        if got.category in (CATEGORY[want.cause], "unknown", NONE):
            return "weaker", ""
        return "WRONG", "category"
    if got.cause != want.cause:
        return "WRONG", "cause"
    if want.evidence != NONE and got.evidence != want.evidence:
        return "WRONG", "evidence"
    if got.host == NONE:
        return "weaker", ""
    return "right", ""


def pair(wants, gots):
    """Pairs the truth lines and verdicts of one frame: [(want|None, got|None)]."""
    if len(wants) == len(gots):
        return list(zip(wants, gots))
    gots = list(gots)
    out = []
    for w in wants:
        match = next((g for g in gots if g.host == w.host and g.request == w.request), None)
        if match is not None:
            gots.remove(match)
        out.append([w, match])
    for p in out:           # the rest in order: wrong hosts stay visible
        if p[1] is None and gots:
            p[1] = gots.pop(0)
    return [tuple(p) for p in out] + [(None, g) for g in gots]


def compare(truth, got, shown):
    by_frame = {}
    for v in truth:
        by_frame.setdefault(v.frame, ([], []))[0].append(v)
    for v in got:
        by_frame.setdefault(v.frame, ([], []))[1].append(v)
    counts, wrong = {}, []
    for frame in sorted(by_frame):
        wants, gots = by_frame[frame]
        for want, g in pair(wants, gots):
            if want is None:
                kind, reason, cause = "WRONG", "not in the truth", EXTRA
            elif g is None and frame not in shown:
                kind, reason, cause = "unseen", "", want.cause
            else:
                (kind, reason), cause = judge(want, g), want.cause
            c = counts.setdefault(cause, {"right": 0, "weaker": 0, "WRONG": 0, "unseen": 0})
            c[kind] += 1
            if kind == "WRONG":
                wrong.append((reason, frame, want, g))
    return counts, wrong


def report(title, counts, wrong, examples):
    print("%s:" % title)
    print("  %-24s %7s %7s %7s %7s" % ("cause", "right", "weaker", "WRONG", "unseen"))
    total = {"right": 0, "weaker": 0, "WRONG": 0, "unseen": 0}
    for cause in sorted(counts, key=lambda c: (c == EXTRA, c)):
        c = counts[cause]
        print("  %-24s %7d %7d %7d %7d" % (cause, c["right"], c["weaker"], c["WRONG"], c["unseen"]))
        for k in total:
            total[k] += c[k]
    print("  %-24s %7d %7d %7d %7d" % ("total", total["right"], total["weaker"], total["WRONG"], total["unseen"]))
    reasons = {}
    for w in wrong:
        reasons.setdefault(w[0], []).append(w)
    for reason in sorted(reasons):
        items = reasons[reason]
        print("  WRONG (%s): %d, e.g." % (reason, len(items)))
        for _, frame, want, g in items[:examples]:
            print("    frame %d: expected %s; got %s" % (frame, want if want else "no verdict",
                                                          g if g else "no verdict"))
    return total["WRONG"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--examples", type=int, default=5, help="WRONG examples shown per reason and pass")
    ap.add_argument("plugin")
    ap.add_argument("capture")
    ap.add_argument("tshark_options", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    plugin = os.path.abspath(args.plugin)
    if not os.path.isfile(plugin):
        fail_input("no plugin %s" % plugin)
    truth, header = read_truth(args.capture)
    print("capture: %s, %d gateway errors in the truth (%s)" % (
        args.capture, len(truth), header[0] if header else "no header"))
    n_wrong = 0
    for title, two_pass in (("one pass", False), ("two passes (-2)", True)):
        got = run_tshark(plugin, args.capture, args.tshark_options, two_pass)
        with_verdict = {v.frame for v in got}
        shown = set()
        if any(v.frame not in with_verdict for v in truth):
            shown = shown_responses(plugin, args.capture, args.tshark_options, two_pass)
        counts, wrong = compare(truth, got, shown)
        n_wrong += report("%s: %d verdicts" % (title, len(got)), counts, wrong, args.examples)
    print("RESULT: %s" % ("%d WRONG" % n_wrong if n_wrong else "no WRONG verdict"))
    sys.exit(1 if n_wrong else 0)


if __name__ == "__main__":
    main()
