#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Generates one stress shape of bench/make-shapes.py and checks the plugin's
# verdicts on it against the shape's truth (bench/check-shapes.py): any
# confident wrong verdict, in one pass or two, fails.
#
# usage: check-shape.sh PLUGIN.so SHAPE SCALE [make-shapes.py options...]
set -euo pipefail
plugin=$1 shape=$2 scale=$3
shift 3
here=$(dirname "$(readlink -f "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/../bench/make-shapes.py" --shape "$shape" --scale "$scale" "$@" -o "$work/shape.pcap" >/dev/null
python3 "$here/../bench/check-shapes.py" --examples 3 "$plugin" "$work/shape.pcap"
