#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Opens a capture in the real Wireshark as people do (the file first, no
# filter), then types a display filter into the filter bar and reads the
# number of displayed frames from the status bar (OCR of a screenshot):
# it must equal the number of verdicts the capture's .expected lists.
# The GUI's first pass builds no protocol tree; the filter runs on later
# passes: a verdict that moved or doubled between them shows here.
#
# usage: tests/gui/verdict-count.sh PATH/TO/mwg502.so CAPTURE [FILTER]
#   FILTER defaults to mwg502.cause; the capture's "# options:" line is
#   passed to Wireshark, and so is the TLS key log beside it (CAPTURE.keys).
#   Installs what it needs when run as root.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/gui-lib.sh"

plugin=$(readlink -f "$1")
capture=$(readlink -f "$2")
filter=${3:-mwg502.cause}
expected="${capture%.*}.expected"
[ -f "$expected" ] || gui_die "no $expected"
want=$(grep -cv '^#' "$expected" || true)
options=()
opt_line=$(sed -n 's/^# options: //p' "$expected" | head -n 1)
[ -n "$opt_line" ] && read -r -a options <<<"$opt_line"

gui_need tesseract-ocr=tesseract
gui_setup "$plugin" "$capture"
gui_start_wireshark "${options[@]}" "${GUI_KEYLOG[@]}"

# The display filter bar: Ctrl+/ gives it the focus.
xdotool key --window "$GUI_WINDOW" ctrl+slash
sleep 0.5
xdotool type --delay 30 "$filter" 2>/dev/null
xdotool key Return 2>/dev/null
sleep 4

# The status bar is the bottom line of the window: "Packets: N · Displayed: M".
gui_shot "$GUI_WORK/shot.png"
convert "$GUI_WORK/shot.png" -crop "${GUI_WIDTH}x28+0+$((GUI_HEIGHT - 28))" -resize 300% -colorspace Gray \
    "$GUI_WORK/status.png"
text=$(tesseract "$GUI_WORK/status.png" - 2>/dev/null | tr '\n' ' ')
shown=$(sed -n 's/.*Displayed: *\([0-9][0-9]*\).*/\1/p' <<<"$text")
packets=$(sed -n 's/.*Packets: *\([0-9][0-9]*\).*/\1/p' <<<"$text")
if [ -z "$shown" ] || [ -z "$packets" ]; then
    cp "$GUI_WORK/shot.png" "${TMPDIR:-/tmp}/verdict-count-failed.png" 2>/dev/null || true
    gui_die "cannot read the status bar (\"$text\"); screenshot kept in ${TMPDIR:-/tmp}/verdict-count-failed.png"
fi
name=$(basename "$capture")
if [ "$shown" != "$want" ]; then
    echo "FAIL $name: Wireshark displays $shown of $packets frames for \"$filter\", expected $want verdicts"
    exit 1
fi
echo "ok   $name: Wireshark displays $shown of $packets frames for \"$filter\", as expected"
