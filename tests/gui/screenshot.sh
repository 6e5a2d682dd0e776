#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Takes docs/screenshot.png: the real Wireshark GUI (Debian's wireshark-qt)
# under Xvfb, on a crafted capture, with the mwg502 profile and the plugin
# just built.  As people use it: the capture is opened first, then the
# display filter is typed; one explained error is selected, its mwg502 tree
# expanded and the Expert Information dialog open.
#
# usage: tests/gui/screenshot.sh [PATH/TO/mwg502.so] [CAPTURE] [FRAME] [OUT.png] [FILTER]
#   defaults: build/mwg502.so, captures/crafted/mixed-10-clients.pcap,
#             the first tcp_rst error frame, docs/screenshot.png, mwg502.cause
# Installs what it needs with apt-get when run as root.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/gui-lib.sh"

plugin=$(readlink -f "${1:-$GUI_ROOT/build/mwg502.so}")
capture=$(readlink -f "${2:-$GUI_ROOT/captures/crafted/mixed-10-clients.pcap}")
frame=${3:-}
out=${4:-$GUI_ROOT/docs/screenshot.png}
filter=${5:-mwg502.cause}

gui_setup "$plugin" "$capture"
if [ -z "$frame" ]; then
    for f in 'mwg502.cause == "tcp_rst"' mwg502.cause; do
        frame=$("$GUI_ROOT/tests/tshark-with-plugin.sh" "$plugin" -r "$GUI_CAPTURE" "${GUI_KEYLOG[@]}" -Y "$f" -T fields \
                    -e frame.number 2>/dev/null | head -n 1)
        [ -n "$frame" ] && break
    done
fi
[ -n "$frame" ] || gui_die "no explained error frame in $capture"

gui_start_wireshark "${GUI_KEYLOG[@]}"
win=$GUI_WINDOW
# The filter, typed into the filter bar; then Go to Packet (Ctrl+G).
xdotool key --window "$win" ctrl+slash
sleep 0.5
xdotool type --delay 30 "$filter" 2>/dev/null
xdotool key Return 2>/dev/null
sleep 3
# The packet list takes the focus; Go to Packet (Ctrl+G) asks for a number.
xdotool mousemove --sync 300 125 click 1
sleep 0.5
xdotool key --window "$win" ctrl+g
sleep 0.5
xdotool type --delay 30 "$frame" 2>/dev/null
xdotool key Return 2>/dev/null
sleep 2

# Packet details: the last top-level item is the mwg502 tree; expand it and
# its subtrees.
xdotool mousemove --sync 300 $((330 + 150)) click 1
sleep 0.5
xdotool key --window "$win" End
sleep 0.3
xdotool key --window "$win" shift+Right
sleep 1

# Expert Information: the last item of the Analyze menu.
xdotool key --window "$win" alt+a
sleep 1
xdotool key Up
sleep 0.3
xdotool key Return
sleep 3
exp=$(xdotool search --onlyvisible --name 'Expert Information' 2>/dev/null | head -n 1 || true)
if [ -n "$exp" ]; then
    xdotool windowsize "$exp" 820 300 windowmove "$exp" $((GUI_WIDTH - 830)) $((GUI_HEIGHT - 330))
    sleep 1
    # Expand every group of the dialog.
    xdotool mousemove --sync $((GUI_WIDTH - 700)) $((GUI_HEIGHT - 230)) click 1
    sleep 0.3
    xdotool key --window "$exp" ctrl+Right 2>/dev/null || true
    xdotool key --window "$exp" asterisk
    sleep 2
else
    echo "screenshot: the Expert Information dialog did not open" >&2
fi

mkdir -p "$(dirname "$out")"
gui_shot "$GUI_WORK/shot.png"
# Fewer colours keep the PNG small (the picture has few anyway).
convert "$GUI_WORK/shot.png" -colors 128 -strip "PNG8:$out"
size=$(stat -c %s "$out")
echo "screenshot: wrote $out ($size bytes; frame $frame of $(basename "$capture"))"
[ "$size" -lt 300000 ] || echo "screenshot: warning: $out is over 300 KB" >&2
