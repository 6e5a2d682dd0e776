#!/usr/bin/env python3
"""Tests of tools/mwg502-report and of the incident links, against the
.expected file of a crafted capture.

usage: test_report.py CHECK --plugin PATH/mwg502.so --source REPO [--capture CAP]

CHECK is one of: table json csv split errors truncated links.  Standard
library only; tshark runs through tests/tshark-with-plugin.sh.
"""

import argparse
import csv
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, msg):
    if not cond:
        FAILURES.append(msg)
        print("FAIL: " + msg)
    return cond


def load_expected(capture):
    """[{frame, category, cause, request, evidence, host}] from CAPTURE's .expected."""
    stem = os.path.splitext(capture)[0]
    rows, options = [], []
    with open(stem + ".expected") as f:
        for line in f:
            line = line.strip()
            if line.startswith("# options:"):
                options = shlex.split(line[len("# options:"):])
            if not line or line.startswith("#"):
                continue
            frame, cat, cause, req, ev, host = line.split(None, 5)
            rows.append({"frame": int(frame), "category": cat, "cause": cause,
                         "request": int(req), "evidence": None if ev == "-" else int(ev),
                         "host": host})
    return rows, options


class Env:
    def __init__(self, a):
        self.source = os.path.abspath(a.source)
        self.plugin = os.path.abspath(a.plugin)
        self.capture = os.path.abspath(a.capture or os.path.join(
            self.source, "captures", "crafted", "mixed-10-clients.pcap"))
        self.wrapper_script = os.path.join(self.source, "tests", "tshark-with-plugin.sh")
        self.wrapper = "%s %s" % (shlex.quote(self.wrapper_script), shlex.quote(self.plugin))
        self.report = os.path.join(self.source, "tools", "mwg502-report")
        self.expected, self.options = load_expected(self.capture)
        # World-readable scratch: tshark may run as nobody.
        self.tmp = tempfile.mkdtemp(prefix="mwg502-report-test-")
        os.chmod(self.tmp, 0o755)

    def run_report(self, *args, wrapper=None, env=None):
        argv = [sys.executable, self.report, "--tshark-wrapper", wrapper or self.wrapper, "-q"]
        for o in self.options:
            argv.append(o)
        argv += list(args)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, env=env)
        return p

    def tshark(self, *args):
        p = subprocess.run([self.wrapper_script, self.plugin] + self.options + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        return p

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


def by_frame(rows):
    return {r["frame"]: r for r in rows}


# ---------------------------------------------------------------------------

def t_table(env):
    p = env.run_report(env.capture)
    check(p.returncode == 0, "report exit %d: %s" % (p.returncode, p.stderr))
    lines = p.stdout.splitlines()
    check(lines and "%d explained gateway error" % len(env.expected) in lines[0],
          "first line does not count %d errors: %r" % (len(env.expected), lines[:1]))
    header = next((l for l in lines if l.startswith("frame ")), "")
    cols = header.split()
    check(cols[:2] == ["frame", "time"] and "cause" in cols and "advice" in cols,
          "table header: %r" % header)
    rows = {}
    for l in lines[lines.index(header) + 2:] if header in lines else []:
        if not l.strip():
            break
        f = l.split()
        # frame, date, time, client, host, category, cause, evidence, elapsed...
        rows[int(f[0])] = {"client": f[3], "host": f[4], "category": f[5], "cause": f[6],
                           "evidence": None if f[7] == "-" else int(f[7]), "advice": l}
    check(sorted(rows) == [e["frame"] for e in env.expected],
          "table frames %s != expected %s" % (sorted(rows), [e["frame"] for e in env.expected]))
    for e in env.expected:
        r = rows.get(e["frame"])
        if not r:
            continue
        for k in ("host", "category", "cause", "evidence"):
            check(r[k] == e[k], "frame %d: table %s %r != expected %r" % (e["frame"], k, r[k], e[k]))
        check(r["client"].count(".") == 3 or ":" in r["client"], "frame %d: client %r" % (e["frame"], r["client"]))
    # Summary by cause: counts equal the expected file's.
    want = {}
    for e in env.expected:
        want[e["cause"]] = want.get(e["cause"], 0) + 1
    text = p.stdout
    check("\nBy cause\n" in text and "\nBy host\n" in text, "no summaries")
    if "\nBy cause\n" in text:
        part = text.split("\nBy cause\n", 1)[1].split("\nBy host\n", 1)[0].splitlines()[2:]
        got = {l.split()[0]: int(l.split()[2]) for l in part if l.strip()}
        check(got == want, "by-cause summary %s != expected %s" % (got, want))
    if "\nBy host\n" in text:
        part = text.split("\nBy host\n", 1)[1].splitlines()[2:]
        got = {l.split()[0]: int(l.split()[1]) for l in part if l.strip()}
        wanth = {}
        for e in env.expected:
            wanth[e["host"]] = wanth.get(e["host"], 0) + 1
        check(got == wanth, "by-host summary %s != expected %s" % (got, wanth))


def t_json(env):
    p = env.run_report("--json", env.capture)
    check(p.returncode == 0, "report --json exit %d: %s" % (p.returncode, p.stderr))
    doc = json.loads(p.stdout)
    got = by_frame(doc["incidents"])
    check(sorted(got) == [e["frame"] for e in env.expected],
          "json frames %s != expected %s" % (sorted(got), [e["frame"] for e in env.expected]))
    for e in env.expected:
        g = got.get(e["frame"])
        if not g:
            continue
        for k, gk in (("category", "category"), ("cause", "cause"), ("request", "request_frame"),
                      ("evidence", "evidence_frame"), ("host", "host")):
            check(g[gk] == e[k], "frame %d: json %s %r != expected %r" % (e["frame"], gk, g[gk], e[k]))
        check(g["status"] == 502, "frame %d: status %r" % (e["frame"], g["status"]))
        check(isinstance(g["elapsed"], float) and g["elapsed"] >= 0, "frame %d: elapsed %r" % (e["frame"], g["elapsed"]))
        check(bool(g["advice"]) and bool(g["summary"]), "frame %d: no advice/summary" % e["frame"])
        check(bool(g["client"]), "frame %d: no client" % e["frame"])
    check(doc["truncated"] is False and doc["warnings"] == [], "json warnings %r" % doc["warnings"])
    total = sum(c["count"] for c in doc["by_cause"])
    check(total == len(env.expected), "by_cause total %d != %d" % (total, len(env.expected)))
    check(sum(h["count"] for h in doc["by_host"]) == len(env.expected), "by_host total")


def t_csv(env):
    p = env.run_report("--csv", env.capture)
    check(p.returncode == 0, "report --csv exit %d: %s" % (p.returncode, p.stderr))
    rows = list(csv.reader(io.StringIO(p.stdout)))
    header = ["frame", "time", "client", "host", "category", "cause", "status",
              "request_frame", "attempt_frame", "evidence_frame", "elapsed",
              "upstream", "upstream_port", "attempts", "block_page", "summary", "advice"]
    check(rows and rows[0] == header, "csv header %r" % (rows[:1],))
    recs = [dict(zip(rows[0], r)) for r in rows[1:]]
    check(all(len(r) == len(header) for r in rows[1:]), "csv rows of uneven width")
    check([int(r["frame"]) for r in recs] == [e["frame"] for e in env.expected], "csv frames")
    for r, e in zip(recs, env.expected):
        check(r["cause"] == e["cause"] and r["host"] == e["host"]
              and r["evidence_frame"] == ("" if e["evidence"] is None else str(e["evidence"])),
              "csv row %r vs expected %r" % (r, e))


def t_split(env):
    out = os.path.join(env.tmp, "split")
    p = env.run_report("--split", out, "--json", env.capture)
    check(p.returncode == 0, "report --split exit %d: %s" % (p.returncode, p.stderr))
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    want = sorted("incident-%d.pcapng" % e["frame"] for e in env.expected)
    check(files == want, "split files %s != %s" % (files, want))
    for e in env.expected:
        path = os.path.join(out, "incident-%d.pcapng" % e["frame"])
        if not os.path.exists(path):
            continue
        os.chmod(path, 0o644)
        q = env.tshark("-r", path, "-Y", "mwg502.cause", "-T", "fields", "-E", "separator=/t",
                       "-e", "frame.number", "-e", "mwg502.category", "-e", "mwg502.cause",
                       "-e", "mwg502.host", "-e", "mwg502.request_frame", "-e", "mwg502.evidence_frame")
        lines = [l.split("\t") for l in q.stdout.splitlines() if l.strip()]
        check(len(lines) == 1, "%s: %d verdicts, want 1: %r" % (os.path.basename(path), len(lines), lines))
        if len(lines) != 1:
            continue
        fr, cat, cause, host, req, ev = lines[0]
        check((cat, cause, host) == (e["category"], e["cause"], e["host"]),
              "%s: verdict %s %s %s, want %s %s %s" % (os.path.basename(path), cat, cause, host,
                                                       e["category"], e["cause"], e["host"]))
        check(req != "", "%s: the request frame is not in the split capture" % os.path.basename(path))
        check((ev != "") == (e["evidence"] is not None),
              "%s: evidence frame %r (expected %r)" % (os.path.basename(path), ev, e["evidence"]))
        # The small capture is small: far fewer frames than the original.
        n = env.tshark("-r", path, "-T", "fields", "-e", "frame.number").stdout.split()
        check(0 < len(n) < 60, "%s: %d frames" % (os.path.basename(path), len(n)))


def t_errors(env):
    missing = os.path.join(env.tmp, "no-such.pcap")
    p = env.run_report(missing)
    check(p.returncode == 2 and "no such file" in p.stderr,
          "missing file: exit %d, stderr %r" % (p.returncode, p.stderr))

    text = os.path.join(env.tmp, "notes.pcap")
    with open(text, "w") as f:
        f.write("This is a text file that somebody named .pcap\n" * 20)
    os.chmod(text, 0o644)
    p = env.run_report(text)
    check(p.returncode == 2 and "not a capture" in p.stderr,
          "text file: exit %d, stderr %r" % (p.returncode, p.stderr))

    js = os.path.join(env.tmp, "data.json")
    with open(js, "w") as f:
        f.write('{"frames": [1, 2, 3]}\n')
    os.chmod(js, 0o644)
    p = env.run_report(js)
    check(p.returncode == 2 and "not a network capture" in p.stderr,
          "JSON file (which tshark opens): exit %d, stderr %r" % (p.returncode, p.stderr))

    # A tshark without the plugin: the plain one when it lacks mwg502, else a
    # tshark whose protocol list hides it.
    plain = subprocess.run(["tshark", "-G", "protocols"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, universal_newlines=True).stdout
    if "\tmwg502" in plain:
        fake = os.path.join(env.tmp, "tshark-without-mwg502")
        with open(fake, "w") as f:
            f.write('#!/bin/sh\ntshark "$@" | grep -v mwg502\n')
        os.chmod(fake, 0o755)
        nopl = fake
    else:
        nopl = "tshark"
    p = env.run_report(env.capture, wrapper=nopl)
    check(p.returncode == 3 and "no mwg502 plugin" in p.stderr,
          "tshark without plugin: exit %d, stderr %r" % (p.returncode, p.stderr))

    # No tshark at all: default command, PATH without it.
    e = dict(os.environ, PATH=env.tmp)
    e.pop("MWG502_TSHARK", None)
    p = subprocess.run([sys.executable, env.report, env.capture], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, env=e)
    check(p.returncode == 3 and "tshark not found" in p.stderr,
          "no tshark: exit %d, stderr %r" % (p.returncode, p.stderr))
    check(p.stdout == "", "no tshark: something on stdout")


def t_truncated(env):
    with open(env.capture, "rb") as f:
        data = f.read()
    # Cut in the middle of a packet, past the first incidents.
    cut = int(len(data) * 0.55)
    path = os.path.join(env.tmp, "cut.pcap")
    with open(path, "wb") as f:
        f.write(data[:cut])
    os.chmod(path, 0o644)
    p = env.run_report("--json", path)
    check(p.returncode == 0, "truncated: exit %d, stderr %r" % (p.returncode, p.stderr))
    check("truncated" in p.stderr and "warning" in p.stderr, "truncated: no warning: %r" % p.stderr)
    doc = json.loads(p.stdout or "{}")
    check(doc.get("truncated") is True, "truncated: json truncated flag %r" % doc.get("truncated"))
    frames = doc.get("frames", 0)
    check(0 < frames, "truncated: no frames read")
    want = [e for e in env.expected if e["frame"] <= frames]
    got = by_frame(doc.get("incidents", []))
    check(len(want) > 0 and len(want) < len(env.expected),
          "truncated: cut does not fall between incidents (%d of %d)" % (len(want), len(env.expected)))
    check(sorted(got) == [e["frame"] for e in want], "truncated: frames %s != %s"
          % (sorted(got), [e["frame"] for e in want]))
    for e in want:
        g = got.get(e["frame"])
        if g:
            check((g["cause"], g["evidence_frame"]) == (e["cause"], e["evidence"]),
                  "truncated: frame %d %s/%s != %s/%s" % (e["frame"], g["cause"], g["evidence_frame"],
                                                          e["cause"], e["evidence"]))
    # The table says it too.
    p = env.run_report(path)
    check(p.returncode == 0 and "explained gateway error" in p.stdout and "truncated" in p.stderr,
          "truncated table: exit %d" % p.returncode)


def t_links(env):
    """Issue 4 point 1: every incident's request, evidence and error frames
    carry mwg502.incident == N on a second pass; the evidence frame carries
    mwg502.explains == N."""
    for e in env.expected:
        n = e["frame"]
        p = env.tshark("-2", "-r", env.capture, "-Y", "mwg502.incident == %d" % n, "-T", "fields",
                       "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
                       "-e", "frame.number", "-e", "mwg502.explains")
        check(p.returncode == 0, "links %d: tshark exit %d %s" % (n, p.returncode, p.stderr))
        rows = {}
        for l in p.stdout.splitlines():
            c = l.split("\t")
            rows[int(c[0])] = [int(x) for x in c[1].split(",") if x] if len(c) > 1 else []
        for what, fr in (("request", e["request"]), ("evidence", e["evidence"]), ("error", n)):
            if fr is None:
                continue
            check(fr in rows, "incident %d: %s frame %d lacks mwg502.incident == %d (frames %s)"
                  % (n, what, fr, n, sorted(rows)))
        if e["evidence"] is not None and e["evidence"] in rows:
            check(n in rows[e["evidence"]], "incident %d: evidence frame %d explains %s, not %d"
                  % (n, e["evidence"], rows[e["evidence"]], n))
        # Nothing else explains it: no other frame carries explains == N.
        others = [f for f, ex in rows.items() if n in ex and f != e["evidence"]]
        check(not others, "incident %d: frames %s also claim to explain it" % (n, others))
    # Single pass: no back-link on a frame before the error.
    p = env.tshark("-r", env.capture, "-Y", "mwg502.explains", "-T", "fields", "-e", "frame.number")
    check(p.stdout.strip() == "", "single pass shows mwg502.explains on frames %s" % p.stdout.split())


CHECKS = {"table": t_table, "json": t_json, "csv": t_csv, "split": t_split,
          "errors": t_errors, "truncated": t_truncated, "links": t_links}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check", choices=sorted(CHECKS))
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--capture")
    a = ap.parse_args()
    env = Env(a)
    try:
        CHECKS[a.check](env)
    finally:
        env.cleanup()
    if FAILURES:
        print("%d failure(s) in %s" % (len(FAILURES), a.check))
        return 1
    print("ok   %s (%d incidents of %s)" % (a.check, len(env.expected), os.path.basename(env.capture)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
