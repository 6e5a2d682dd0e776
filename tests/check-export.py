#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cuts every incident of a capture out and checks that it explains itself.

usage: check-export.py PATH/TO/mwg502.so CAPTURE [tshark options...]

For each verdict of a second pass over CAPTURE, writes the frames that
carry mwg502.incident == N (the error frame N, its request, the upstream
attempt, the evidence and every segment of the messages involved) with
`tshark -2 -Y "mwg502.incident == N" -w`, as an engineer exporting one
incident would, reopens that small capture and expects exactly one verdict
there, with the same category, cause and host.  Exit status 0: every
incident reopens with its verdict; 1: one does not; 2: bad input.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WRAPPER = os.path.join(HERE, "tshark-with-plugin.sh")
FIELDS = ["frame.number", "mwg502.category", "mwg502.cause", "mwg502.host"]


def tshark(plugin, args):
    p = subprocess.run(["bash", WRAPPER, plugin] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    if p.returncode != 0:
        raise RuntimeError("tshark %s exited %d:\n%s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def verdicts(plugin, capture, options):
    args = ["-r", capture, "-2", "-Y", "mwg502.cause", "-T", "fields", "-E", "separator=/t",
            "-E", "occurrence=f"] + options
    for f in FIELDS:
        args += ["-e", f]
    return [tuple(line.split("\t")) for line in tshark(plugin, args).splitlines() if line]


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    plugin, capture, options = sys.argv[1], sys.argv[2], sys.argv[3:]
    if not os.path.isfile(capture):
        print("ERROR no capture %s" % capture)
        sys.exit(2)
    problems = []
    found = verdicts(plugin, capture, options)
    with tempfile.TemporaryDirectory() as tmp:
        for frame, category, cause, host in found:
            cut = os.path.join(tmp, "incident-%s.pcapng" % frame)
            tshark(plugin, ["-r", capture, "-2", "-Y", "mwg502.incident == %s" % frame, "-w", cut] + options)
            again = [v[1:] for v in verdicts(plugin, cut, options)]
            if again != [(category, cause, host)]:
                problems.append("incident %s (%s %s %s) reopens as %s" % (frame, category, cause, host, again))
    name = os.path.basename(capture)
    if problems:
        print("FAIL %s\n%s" % (name, "\n".join(problems)))
        sys.exit(1)
    print("ok   %s: %d incidents reopen with their verdicts" % (name, len(found)))


if __name__ == "__main__":
    main()
