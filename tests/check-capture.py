#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks mwg502's verdicts on one capture, in every way Wireshark runs.

usage: check-capture.py [--cut-short] [--keys KEYLOG|none] [--expected FILE]
                        PATH/TO/mwg502.so CAPTURE

--cut-short: the capture file ends in the middle of a record; tshark then
reads what is there and exits 2, which is expected.
--keys: the TLS key log to give tshark instead of CAPTURE.keys ("none": no
key log); --expected: the verdicts with it, instead of CAPTURE.expected.

The .expected file beside the capture holds one line per gateway error
response:

    frame category cause request_frame evidence_frame host [incomplete|cut|in-tunnel]

('-' for no evidence frame or no host; "incomplete": the response never
arrived whole, and its verdict sits on the frame of its status line, which
only a second pass can show; "cut": the snap length cut the segment with
its status line, and the verdict, incomplete, sits there in every run; "in-tunnel": the error travels inside TLS the
key log does not open, and its verdict sits on the 200 that opened the
tunnel, which only a second pass can show too), and optionally a "# options: ..." line of
extra tshark options.  Every other frame must get no verdict.  A TLS key log
beside the capture (CAPTURE.keys, both legs' keys) is given to tshark
(tls.keylog_file), as a user who has one would.

The same verdicts must come out of each of these runs of real tshark with
the plugin:

  plain     tshark -r (no protocol tree: what the GUI's first pass and a
            plain read do), read from the Info column
  expert    tshark -r with an Expert column and no tree: every verdict's
            frame shows Error or Warning
  taps      -q -z mwg502,tree -z expert (the statistics tree and Expert
            Information count each verdict once)
  filter    -Y mwg502.cause -T fields (a tree, reduced to the fields)
  wording   the same with mwg502.summary and _ws.expert.message: every
            verdict is worded, in its field and its expert info alike, and
            -z expert lists the same words
  verbose   -V (the whole tree)
  two-pass  -2 -T fields -z mwg502,tree (the second pass, where responses
            that never arrived whole get their verdicts too, and where every
            frame of an incident carries mwg502.incident)

A run that fails shows tshark's stderr.  Exit status 0: all agree; 1: a
difference (listed); 2: the input is missing or unreadable.
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(HERE, "tshark-with-plugin.sh")
EMPTY = "-"        # the explicit mark of an empty field
MARKER = re.compile(r"\[(\d{3}): ([a-z_]+), ([^\]]*)\]")
FIELDS = ["frame.number", "mwg502.category", "mwg502.cause", "mwg502.request_frame",
          "mwg502.evidence_frame", "mwg502.host"]


class Verdict:
    def __init__(self, frame, category, cause, request, evidence, host, mark=None):
        self.frame, self.category, self.cause = int(frame), category, cause
        self.request, self.evidence, self.host = request, evidence, host
        self.incomplete, self.in_tunnel = mark in ("incomplete", "cut"), mark == "in-tunnel"
        self.cut = mark == "cut"
        self.second_pass = mark in ("incomplete", "in-tunnel")

    def key(self):
        return (self.frame, self.category, self.cause, self.request, self.evidence, self.host)

    def __str__(self):
        return " ".join(str(x) for x in self.key()) + (" cut" if self.cut else " incomplete" if self.incomplete else "") + \
            (" in-tunnel" if self.in_tunnel else "")


def fail_input(msg):
    print("ERROR " + msg)
    sys.exit(2)


def read_expected(capture, path=None, keys=None):
    path = path or os.path.splitext(capture)[0] + ".expected"
    if not os.path.isfile(capture):
        fail_input("no capture %s" % capture)
    if not os.path.isfile(path):
        fail_input("no %s" % path)
    options, verdicts = [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.startswith("# options:"):
                options = line.split(":", 1)[1].split()
            if line.startswith("#") or not line.strip():
                continue
            cols = line.split()
            if len(cols) not in (6, 7) or (len(cols) == 7 and cols[6] not in ("incomplete", "cut", "in-tunnel")):
                fail_input("%s:%d: cannot read %r" % (path, n, line))
            verdicts.append(Verdict(*cols[:6], mark=cols[6] if len(cols) == 7 else None))
    keys = keys or os.path.splitext(capture)[0] + ".keys"
    if keys != "none" and os.path.isfile(keys):
        options += ["-o", "tls.keylog_file:" + os.path.abspath(keys)]
    elif keys not in ("none", os.path.splitext(capture)[0] + ".keys"):
        fail_input("no key log %s" % keys)
    return options, verdicts


class Tshark:
    def __init__(self, plugin, capture, options, cut_short):
        self.plugin, self.capture, self.options = plugin, capture, options
        # tshark's exit for a file cut short: 2 up to 4.4, 14 (WS_EXIT_READ_ERROR) on 4.6
        self.ok_status = (0, 2, 14) if cut_short else (0,)

    def run(self, mode, args):
        cmd = ["bash", WRAPPER, self.plugin, "-r", self.capture] + self.options + args
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
        stderr = "\n".join(l for l in p.stderr.splitlines() if not (l.startswith("Running as user") and
                                                                    "dangerous" in l))
        if p.returncode not in self.ok_status:
            raise RuntimeError("%s: tshark exited %d\n%s" % (mode, p.returncode, stderr))
        return p.stdout


def fields_rows(text, n_fields):
    """-T fields output, tab-separated: one list per frame, EMPTY for an empty field."""
    rows = []
    for line in text.splitlines():
        if not line or line.startswith("=") or "\t" not in line and n_fields > 1:
            continue
        cols = line.split("\t")
        if len(cols) != n_fields or not cols[0].isdigit():
            continue
        rows.append([c if c != "" else EMPTY for c in cols])
    return rows


def verdicts_from_fields(rows):
    """Several verdicts in one frame come as comma-joined values."""
    out = []
    for row in rows:
        if row[2] == EMPTY:
            continue
        parts = [c.split(",") if c != EMPTY else [] for c in row[1:6]]
        for i in range(len(parts[1])):
            def at(p):
                return parts[p][i] if i < len(parts[p]) else EMPTY
            out.append((int(row[0]), at(0), at(1), at(2), at(3), at(4)))
    return sorted(out)


def expected_keys(verdicts, with_incomplete):
    return sorted(v.key() for v in verdicts if with_incomplete or not v.second_pass)


def tree_counts(text):
    """The mwg502 statistics tree: {(level, name): count} of the verdict part."""
    counts, inside = {}, False
    for line in text.splitlines():
        m = re.match(r"^( *)(\S.*?)\s{2,}(\d+)\s", line)
        if not m:
            continue
        level, name, count = len(m.group(1)), m.group(2), int(m.group(3))
        if level == 0:
            inside = name == "Gateway errors"
        if inside and count:
            counts[(level, name)] = counts.get((level, name), 0) + count
    return counts


def expected_tree(keys):
    counts = {}
    for _, category, cause, _, _, host in keys:
        for k in [(0, "Gateway errors"), (1, category), (2, cause), (3, host if host != EMPTY else "(unknown host)")]:
            counts[k] = counts.get(k, 0) + 1
    return counts


def expert_count(text):
    """MWG502 entries in the Errors and Warns sections of -z expert."""
    n, section = 0, None
    for line in text.splitlines():
        m = re.match(r"^(Errors|Warns|Notes|Chats|Comments) \(\d+\)", line)
        if m:
            section = m.group(1)
            continue
        cols = line.split()
        if section in ("Errors", "Warns") and len(cols) >= 3 and cols[2] == "MWG502" and cols[0].isdigit():
            n += int(cols[0])
    return n


def expert_messages(text):
    """The texts of the verdicts' entries of -z expert (group Response)."""
    out = set()
    for line in text.splitlines():
        m = re.match(r"^\s*\d+\s+Response\s+MWG502\s+(.*)$", line)
        if m:
            out.add(m.group(1).strip())
    return out


def diff(mode, want, got):
    if want == got:
        return []
    lines = ["FAIL %s: verdicts differ (- expected, + got)" % mode]
    lines += ["- " + " ".join(str(x) for x in w) for w in want if w not in got]
    lines += ["+ " + " ".join(str(x) for x in g) for g in got if g not in want]
    return lines


def check(plugin, capture, cut_short, expected_path=None, keys=None):
    options, expected = read_expected(capture, expected_path, keys)
    ts = Tshark(plugin, capture, options, cut_short)
    one_pass = expected_keys(expected, False)
    both = expected_keys(expected, True)
    problems = []

    # plain: no tree; the Info column carries "[502: cause, host]".
    plain = []
    for line in ts.run("plain", ["-T", "tabs"]).splitlines():
        frame = line.split("\t", 1)[0].strip()
        for m in MARKER.finditer(line):
            plain.append((int(frame), m.group(2), m.group(3) if m.group(3) != "?" else EMPTY))
    problems += diff("plain read (Info column)", [(k[0], k[2], k[5]) for k in one_pass], sorted(plain))

    # expert column: without a tree, the severity of each verdict still
    # shows where a column asks for it
    args = ["-o", 'gui.column.format:"No.","%m","Expert","%a"', "-T", "tabs"]
    severity = {}
    for line in ts.run("expert column", args).splitlines():
        cols = line.strip().split("\t")
        if len(cols) == 2 and cols[0].strip().isdigit():
            severity[int(cols[0])] = cols[1].strip()
    for frame in sorted({k[0] for k in one_pass}):
        if severity.get(frame) not in ("Error", "Warning"):
            problems.append("FAIL Expert column: frame %d shows %r, expected Error or Warning"
                            % (frame, severity.get(frame)))

    # taps
    text = ts.run("taps", ["-q", "-z", "mwg502,tree", "-z", "expert"])
    tapped_messages = expert_messages(text)
    want_tree = expected_tree(one_pass)
    got_tree = tree_counts(text)
    if want_tree != got_tree and (want_tree or got_tree):
        problems.append("FAIL -z mwg502,tree: counts %s, expected %s" % (sorted(got_tree.items()),
                                                                         sorted(want_tree.items())))
    if expert_count(text) != len(one_pass):
        problems.append("FAIL -z expert: %d MWG502 errors and warnings, expected %d" % (expert_count(text),
                                                                                      len(one_pass)))

    # filter: one pass, a tree reduced to the fields
    args = ["-Y", "mwg502.cause", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a"]
    for f in FIELDS:
        args += ["-e", f]
    got = verdicts_from_fields(fields_rows(ts.run("filter", args), len(FIELDS)))
    problems += diff("-Y mwg502.cause -T fields", one_pass, got)

    # wording: a summary asked for by field is there, and is its expert
    # info's text (both are worded only where something shows them)
    args = ["-Y", "mwg502.cause", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|",
            "-e", "frame.number", "-e", "mwg502.summary", "-e", "_ws.expert.message"]
    worded, summaries = 0, set()
    for row in fields_rows(ts.run("wording", args), 3):
        messages = set(row[2].split("|"))
        for summary in row[1].split("|"):
            worded += 1
            summaries.add(summary)
            if summary in ("", EMPTY) or summary not in messages:
                problems.append("FAIL -Y mwg502.cause: frame %s: summary %r is not among its expert messages"
                                % (row[0], summary))
    if worded != len(one_pass):
        problems.append("FAIL -Y mwg502.cause -e mwg502.summary: %d summaries, expected %d" % (worded, len(one_pass)))
    # -z expert, without a tree, lists the same summaries (cut to the
    # length of an item's label)
    for message in sorted(tapped_messages):
        if not any(s.startswith(message) for s in summaries):
            problems.append("FAIL -z expert: %r is no verdict's summary" % message)

    # verbose: the whole tree
    frame, got = None, []
    current = {}
    for line in ts.run("verbose", ["-V"]).splitlines():
        m = re.match(r"^Frame (\d+):", line)
        if m:
            frame = int(m.group(1))
            continue
        m = re.match(r"^\s+\[(Category|Cause|Client request in frame|Evidence in frame|Host): (.*)\]$", line)
        if m and frame is not None:
            current.setdefault(frame, []).append((m.group(1), m.group(2)))
    for frame, items in current.items():
        verdict = {}
        for name, value in items:
            if name == "Category" and verdict:
                got.append(verdict)
                verdict = {}
            verdict[name] = value
            verdict["frame"] = frame
        if verdict:
            got.append(verdict)
    got = sorted((v["frame"], v.get("Category", EMPTY), v.get("Cause", EMPTY),
                  v.get("Client request in frame", EMPTY), v.get("Evidence in frame", EMPTY),
                  v.get("Host", EMPTY)) for v in got if "Cause" in v)
    problems += diff("-V", one_pass, got)

    # two-pass: every verdict, and the incident links
    args = ["-2", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-z", "mwg502,tree"]
    for f in FIELDS + ["mwg502.incident", "mwg502.incomplete", "mwg502.in_tunnel"]:
        args += ["-e", f]
    text = ts.run("two-pass", args)
    rows = fields_rows(text, len(FIELDS) + 3)
    got = verdicts_from_fields([r[:len(FIELDS)] for r in rows])
    problems += diff("-2 -T fields", both, got)
    incidents = {int(r[0]): set(r[6].split(",")) if r[6] != EMPTY else set() for r in rows}
    for v in expected:
        for linked in [int(x) for x in (v.frame, v.request, v.evidence) if x != EMPTY]:
            if str(v.frame) not in incidents.get(linked, set()):
                problems.append("FAIL -2: frame %d does not carry mwg502.incident == %d" % (linked, v.frame))
    incomplete = {int(r[0]) for r in rows if r[7] not in (EMPTY, "0", "False")}
    if incomplete != {v.frame for v in expected if v.incomplete}:
        problems.append("FAIL -2: mwg502.incomplete on frames %s, expected %s"
                        % (sorted(incomplete), sorted(v.frame for v in expected if v.incomplete)))
    in_tunnel = {int(r[0]) for r in rows if r[8] not in (EMPTY, "0", "False")}
    if in_tunnel != {v.frame for v in expected if v.in_tunnel}:
        problems.append("FAIL -2: mwg502.in_tunnel on frames %s, expected %s"
                        % (sorted(in_tunnel), sorted(v.frame for v in expected if v.in_tunnel)))
    want_tree = expected_tree(both)
    got_tree = tree_counts(text)
    if want_tree != got_tree and (want_tree or got_tree):
        problems.append("FAIL -2 -z mwg502,tree: counts %s, expected %s" % (sorted(got_tree.items()),
                                                                            sorted(want_tree.items())))
    return problems


def main():
    args = sys.argv[1:]
    cut_short = bool(args) and args[0] == "--cut-short"
    if cut_short:
        args = args[1:]
    given = {}
    while len(args) > 2 and args[0] in ("--keys", "--expected"):
        given[args[0][2:]] = args[1]
        args = args[2:]
    if len(args) != 2:
        fail_input(__doc__.split("\n\n")[1])
    plugin, capture = args
    if not os.path.isfile(plugin):
        fail_input("no plugin %s" % plugin)
    try:
        problems = check(plugin, capture, cut_short, given.get("expected"), given.get("keys"))
    except RuntimeError as e:
        print("FAIL %s: %s" % (os.path.basename(capture), e))
        sys.exit(1)
    name = os.path.basename(capture)
    if problems:
        print("FAIL %s" % name)
        print("\n".join(problems))
        sys.exit(1)
    print("ok   %s" % name)


if __name__ == "__main__":
    main()
