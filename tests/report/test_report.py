#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tests of tools/mwg502-report and of the incident links, against the
.expected file of a crafted capture.

usage: test_report.py CHECK --plugin PATH/mwg502.so --source REPO [--capture CAP]

CHECK is one of: table json csv split errors truncated links disabled empty
status-codes proxy-ports split-target several stdin progress.  Standard
library only; tshark runs through tests/tshark-with-plugin.sh.
"""

import argparse
import collections
import csv
import io
import json
import os
import re
import shlex
import shutil
import struct
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

    def run_report(self, *args, wrapper=None, env=None, quiet=True, stdin=None, options=None):
        argv = [sys.executable, self.report, "--tshark-wrapper", wrapper or self.wrapper]
        if quiet:
            argv.append("-q")
        argv += self.options if options is None else options
        argv += list(args)
        p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        p.stdout = p.stdout.decode("utf-8", "replace")
        p.stderr = p.stderr.decode("utf-8", "replace")
        return p

    def path(self, name, data=b""):
        """A world-readable scratch file (tshark may run as nobody)."""
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        return path

    def script(self, name, text):
        path = self.path(name, text.encode())
        os.chmod(path, 0o755)
        return path

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
    check(doc["capture"] == env.capture, "json capture %r" % doc["capture"])
    check(all(i.get("file") == env.capture for i in doc["incidents"]), "json incidents without their file")
    check(doc.get("files") == [{"file": env.capture, "frames": doc["frames"], "incidents": len(env.expected),
                            "truncated": False, "warnings": [], "suggested_options": []}],
          "json files %r" % doc.get("files"))
    total = sum(c["count"] for c in doc["by_cause"])
    check(total == len(env.expected), "by_cause total %d != %d" % (total, len(env.expected)))
    check(sum(h["count"] for h in doc["by_host"]) == len(env.expected), "by_host total")


def t_csv(env):
    p = env.run_report("--csv", env.capture)
    check(p.returncode == 0, "report --csv exit %d: %s" % (p.returncode, p.stderr))
    rows = list(csv.reader(io.StringIO(p.stdout)))
    header = ["frame", "time", "client", "host", "category", "cause", "status",
              "request_frame", "attempt_frame", "evidence_frame", "elapsed",
              "upstream", "upstream_port", "attempts", "block_page", "summary", "advice", "file"]
    check(rows and rows[0] == header, "csv header %r" % (rows[:1],))
    recs = [dict(zip(rows[0], r)) for r in rows[1:]]
    check(all(len(r) == len(header) for r in rows[1:]), "csv rows of uneven width")
    check([int(r["frame"]) for r in recs] == [e["frame"] for e in env.expected], "csv frames")
    check(all(r.get("file") == env.capture for r in recs), "csv file column")
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

    # A tshark without the plugin: the wrapper's plugin folder holds a
    # mwg502.so that does not load (in place of the one installed, if any).
    broken = env.path("broken-mwg502.so")
    nopl = "%s %s" % (shlex.quote(env.wrapper_script), shlex.quote(broken))
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
    """Every incident's request, evidence and error frames
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


# ---------------------------------------------------------------------------
# Why nothing, or not everything, was explained (exit status 4, 5, 6).

def rewrite_tcp_port(src, dst, old, new):
    """Copy of the Ethernet pcap SRC with TCP port OLD made NEW (checksums
    left as they are: Wireshark does not check them by default)."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    assert struct.unpack(endian + "I", data[20:24])[0] == 1, "not an Ethernet pcap"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        pkt = off + 16
        if data[pkt + 12:pkt + 14] == b"\x08\x00" and data[pkt + 23] == 6:
            tcp = pkt + 14 + (data[pkt + 14] & 15) * 4
            for at in (tcp, tcp + 2):
                if struct.unpack(">H", data[at:at + 2])[0] == old:
                    data[at:at + 2] = struct.pack(">H", new)
        off = pkt + incl
    with open(dst, "wb") as f:
        f.write(data)
    os.chmod(dst, 0o644)


def t_disabled(env):
    """mwg502 disabled: by --disable-protocol in the tshark command, or by a
    disabled_protos file in tshark's configuration; HTTP disabled."""
    p = env.run_report(env.capture, wrapper=env.wrapper + " --disable-protocol mwg502")
    check(p.returncode == 4, "--disable-protocol mwg502: exit %d, stderr %r" % (p.returncode, p.stderr))
    check("mwg502 protocol is disabled" in p.stderr and "--disable-protocol mwg502: remove it" in p.stderr,
          "--disable-protocol mwg502: stderr %r" % p.stderr)
    check(p.stdout == "", "--disable-protocol mwg502: something on stdout: %r" % p.stdout[:200])

    home = os.path.join(env.tmp, "home")
    conf = os.path.join(home, ".config", "wireshark")
    os.makedirs(conf)
    for d in (home, os.path.dirname(conf), conf):
        os.chmod(d, 0o755)
    disabled = os.path.join(conf, "disabled_protos")
    with open(disabled, "w") as f:
        f.write("mwg502\n")
    os.chmod(disabled, 0o644)
    p = env.run_report(env.capture, env=dict(os.environ, MWG502_HOME=home))
    check(p.returncode == 4, "disabled_protos: exit %d, stderr %r" % (p.returncode, p.stderr))
    check("mwg502 protocol is disabled" in p.stderr
          and 'delete the line "mwg502" from %s' % disabled in p.stderr
          and "--enable-protocol mwg502" in p.stderr, "disabled_protos: stderr %r" % p.stderr)

    p = env.run_report(env.capture, wrapper=env.wrapper + " --disable-protocol http")
    check(p.returncode == 4 and "did not decode HTTP" in p.stderr,
          "--disable-protocol http: exit %d, stderr %r" % (p.returncode, p.stderr))


def t_empty(env):
    # A pcap file header (Ethernet, snaplen 65535) and no packet.
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for name, data, said in (("empty.pcap", b"", "is empty (0 bytes)"),
                             ("header-only.pcap", header, "holds no packets, only a capture file header")):
        path = env.path(name, data)
        p = env.run_report(path)
        check(p.returncode == 5, "%s: exit %d, stderr %r" % (name, p.returncode, p.stderr))
        check("warning" in p.stderr and said in p.stderr, "%s: stderr %r" % (name, p.stderr))
        check(p.stdout.startswith("%s: 0 frames, 0 explained" % path), "%s: stdout %r" % (name, p.stdout))
        p = env.run_report("--json", path)
        doc = json.loads(p.stdout or "{}")
        check(p.returncode == 5 and doc.get("frames") == 0
              and any(said in w for w in doc.get("warnings", [])),
              "%s --json: exit %d, %r" % (name, p.returncode, doc))


def t_status_codes(env):
    """Squid answers 500, 503 and 504 too: with the default 502 the report
    counts the others and gives the -o that explains them."""
    capture = os.path.join(env.source, "captures", "lab", "squid-all.pcap")
    expected, options = load_expected(capture)
    q = env.tshark("-r", capture, "-Y", "tcp.srcport == 9090 && http.response.code >= 500", "-T", "fields",
                   "-e", "http.response.code")
    others = collections.Counter(int(c) for c in q.stdout.split() if int(c) != 502)
    check(others, "squid-all.pcap has no 5xx but 502: %r" % q.stdout)
    span = set(others) | {502}
    want = "mwg502.status_codes:%d-%d" % (min(span), max(span))

    p = env.run_report("--json", capture, options=[])
    check(p.returncode == 6, "default status_codes: exit %d, stderr %r" % (p.returncode, p.stderr))
    check("-o " + want in p.stderr, "no '-o %s' in %r" % (want, p.stderr))
    for code, n in others.items():
        check("%d: %d" % (code, n) in p.stderr, "status %d not counted %d times: %r" % (code, n, p.stderr))
    doc = json.loads(p.stdout or "{}")
    check(doc.get("files", [{}])[0].get("suggested_options") == [want], "json suggested_options %r"
          % doc.get("files"))
    n502 = len(expected) - sum(others.values())
    check(len(doc.get("incidents", [])) == n502,
          "explained %d, want the %d 502s" % (len(doc.get("incidents", [])), n502))

    p = env.run_report("--json", capture, options=["-o", want])
    doc = json.loads(p.stdout or "{}")
    check(p.returncode == 0 and doc.get("warnings") == [], "with -o %s: exit %d, %r" % (want, p.returncode,
                                                                                      p.stderr))
    check(sorted(i["frame"] for i in doc.get("incidents", [])) == [e["frame"] for e in expected],
          "with -o %s: frames %s != expected" % (want, [i["frame"] for i in doc.get("incidents", [])]))


def t_proxy_ports(env):
    """The gateway on a port tshark does not decode as HTTP (12345, and no
    HTTP heuristics): the report finds its proxy requests and gives the -o."""
    capture = os.path.join(env.tmp, "port-12345.pcap")
    rewrite_tcp_port(env.capture, capture, 9090, 12345)
    wrapper = env.wrapper + " --disable-heuristic http_tcp"
    p = env.run_report(capture, wrapper=wrapper)
    check(p.returncode == 6, "port 12345: exit %d, stderr %r" % (p.returncode, p.stderr))
    check(" 0 explained" in p.stdout, "port 12345: stdout %r" % p.stdout[:200])
    check("went to TCP port 12345" in p.stderr and "-o mwg502.proxy_ports:9090,12345" in p.stderr,
          "port 12345: stderr %r" % p.stderr)
    p = env.run_report("--json", "-o", "mwg502.proxy_ports:9090,12345", capture, wrapper=wrapper)
    doc = json.loads(p.stdout or "{}")
    check(p.returncode == 0 and doc.get("warnings") == [],
          "with the -o: exit %d, %r" % (p.returncode, p.stderr))
    check(sorted(i["frame"] for i in doc.get("incidents", [])) == [e["frame"] for e in env.expected],
          "with the -o: frames %s" % [i["frame"] for i in doc.get("incidents", [])])


# ---------------------------------------------------------------------------
# --split target, several captures, standard input, progress

def t_split_target(env):
    """A --split DIR that cannot be written: exit 2 before tshark ever runs."""
    log = os.path.join(env.tmp, "tshark-calls")
    logging = env.script("logging-tshark", '#!/bin/sh\necho "$*" >> %s\nexec %s "$@"\n'
                         % (shlex.quote(log), env.wrapper))
    a_file = env.path("a-file")
    targets = [(a_file, "not a directory"), (os.path.join(a_file, "sub"), "cannot create the directory")]
    unwritable = os.path.join(env.tmp, "read-only")
    os.mkdir(unwritable, 0o555)
    if os.geteuid() == 0:
        unwritable = "/sys"     # root writes in any mode; sysfs takes no new files
    try:
        open(os.path.join(unwritable, "mwg502-report-test"), "w").close()
        print("note: %s is writable here, not tried" % unwritable)
    except OSError:
        targets.append((unwritable, "cannot write in the directory"))
    for target, said in targets:
        p = env.run_report("--split", target, env.capture, wrapper=logging)
        check(p.returncode == 2 and said in p.stderr and "Traceback" not in p.stderr,
              "--split %s: exit %d, stderr %r" % (target, p.returncode, p.stderr))
        check(p.stdout == "", "--split %s: stdout %r" % (target, p.stdout[:200]))
        check(not os.path.exists(log), "--split %s: tshark ran first: %r" % (target, open(log).read()
                                                                             if os.path.exists(log) else ""))


def second_capture(env):
    path = os.path.join(env.source, "captures", "crafted", "dns-nxdomain-a.pcap")
    return path, load_expected(path)[0]


def t_several(env):
    other, other_expected = second_capture(env)
    want = {env.capture: [e["frame"] for e in env.expected], other: [e["frame"] for e in other_expected]}
    p = env.run_report(env.capture, other)
    check(p.returncode == 0, "two captures: exit %d, %r" % (p.returncode, p.stderr))
    for path, frames in want.items():
        check(re.search(r"^%s: \d+ frames, %d explained" % (re.escape(path), len(frames)), p.stdout, re.M),
              "no section for %s: %r" % (path, p.stdout[:300]))
    total = sum(map(len, want.values()))
    check(re.search(r"^All 2 captures: \d+ frames, %d explained" % total, p.stdout, re.M)
          and "\nBy cause (all captures)\n" in p.stdout, "no totals over both: %r" % p.stdout[-500:])

    p = env.run_report("--csv", env.capture, other)
    recs = list(csv.DictReader(io.StringIO(p.stdout)))
    got = {path: [int(r["frame"]) for r in recs if r["file"] == path] for path in want}
    check(p.returncode == 0 and got == want, "csv frames by file %r != %r" % (got, want))

    split = os.path.join(env.tmp, "split-two")
    p = env.run_report("--json", "--split", split, env.capture, other)
    doc = json.loads(p.stdout or "{}")
    got = {path: [i["frame"] for i in doc.get("incidents", []) if i["file"] == path] for path in want}
    check(p.returncode == 0 and got == want, "json frames by file %r != %r" % (got, want))
    check(doc.get("capture") is None and [f["file"] for f in doc.get("files", [])] == list(want)
          and doc.get("frames") == sum(f["frames"] for f in doc.get("files", [])),
          "json files %r" % doc.get("files"))
    for path, frames in want.items():
        sub = os.path.join(split, os.path.splitext(os.path.basename(path))[0])
        files = sorted(os.listdir(sub)) if os.path.isdir(sub) else []
        check(files == sorted("incident-%d.pcapng" % f for f in frames), "split %s: %s" % (sub, files))

    p = env.run_report(env.capture, os.path.join(env.tmp, "missing.pcap"), wrapper="/nonexistent/tshark")
    check(p.returncode == 2 and "no such file" in p.stderr and p.stdout == "",
          "a missing file among several: exit %d, %r" % (p.returncode, p.stderr))


def t_stdin(env):
    with open(env.capture, "rb") as f:
        data = f.read()
    p = env.run_report("--json", "-", stdin=data)
    doc = json.loads(p.stdout or "{}")
    check(p.returncode == 0, "stdin: exit %d, %r" % (p.returncode, p.stderr))
    check(sorted(i["frame"] for i in doc.get("incidents", [])) == [e["frame"] for e in env.expected],
          "stdin: frames %s" % [i["frame"] for i in doc.get("incidents", [])])
    check(doc.get("capture") == "-" and all(i["file"] == "-" for i in doc.get("incidents", [])),
          "stdin: file names %r" % doc.get("capture"))
    p = env.run_report("-", stdin=data)
    check(p.stdout.startswith("standard input: ") and "%d explained" % len(env.expected) in p.stdout,
          "stdin table: %r" % p.stdout[:200])
    other, other_expected = second_capture(env)
    p = env.run_report("--csv", other, "-", stdin=data)
    files = collections.Counter(r["file"] for r in csv.DictReader(io.StringIO(p.stdout)))
    check(p.returncode == 0 and files == {other: len(other_expected), "-": len(env.expected)},
          "a file and stdin: %r" % files)


def t_progress(env):
    """Progress with a percentage only when asked (stderr here is no
    terminal), never with -q.  A wrapper slows tshark's output so that the
    second pass lasts a few progress intervals."""
    slow = env.script("slow-tshark", """#!%s
import subprocess, sys, time
p = subprocess.Popen(%r + sys.argv[1:], stdout=subprocess.PIPE)
for line in p.stdout:
    sys.stdout.buffer.write(line)
    sys.stdout.flush()
    time.sleep(0.003)
sys.exit(p.wait())
""" % (sys.executable, shlex.split(env.wrapper)))
    total = len(env.tshark("-r", env.capture, "-T", "fields", "-e", "frame.number").stdout.split())
    p = env.run_report("--progress", "--progress-interval", "0.2", env.capture, wrapper=slow, quiet=False)
    check(p.returncode == 0, "--progress: exit %d, %r" % (p.returncode, p.stderr))
    check(re.search(r"second pass \d+%% \(\d+ of %d frames\)" % total, p.stderr),
          "--progress: no percentage of %d frames: %r" % (total, p.stderr))
    check("done, %d frames, %d incidents" % (total, len(env.expected)) in p.stderr,
          "--progress: no done line: %r" % p.stderr)
    for args, why in ((["--progress-interval", "0.2"], "stderr no terminal, no --progress"),
                      (["--progress", "-q", "--progress-interval", "0.2"], "--progress -q")):
        p = env.run_report(*args, env.capture, wrapper=slow, quiet=False)
        check(p.returncode == 0 and p.stderr == "", "%s: exit %d, stderr %r" % (why, p.returncode, p.stderr))


CHECKS = {"table": t_table, "json": t_json, "csv": t_csv, "split": t_split,
          "errors": t_errors, "truncated": t_truncated, "links": t_links,
          "disabled": t_disabled, "empty": t_empty, "status-codes": t_status_codes,
          "proxy-ports": t_proxy_ports, "split-target": t_split_target, "several": t_several,
          "stdin": t_stdin, "progress": t_progress}


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
