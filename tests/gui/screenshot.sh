#!/usr/bin/env bash
# Takes docs/screenshot.png: the real Wireshark GUI (Debian's wireshark-qt)
# under Xvfb, on a crafted capture, with the mwg502 profile and the plugin
# just built, one explained 502 selected, its mwg502 tree expanded and the
# Expert Information dialog open.
#
# usage: tests/gui/screenshot.sh [PATH/TO/mwg502.so] [CAPTURE] [FRAME] [OUT.png]
#   defaults: build/mwg502.so, captures/crafted/mixed-10-clients.pcap,
#             the first tcp_rst error frame, docs/screenshot.png
#
# Installs what it needs with apt-get when run as root (wireshark-qt, xvfb,
# imagemagick, xdotool, x11-utils).  Wireshark, like tshark, ignores
# WIRESHARK_PLUGIN_DIR when run as root, so it runs as nobody with a
# throw-away HOME that holds the profile and a plugin folder (links to the
# global plugins but mwg502, plus the fresh one).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
plugin=$(readlink -f "${1:-$root/build/mwg502.so}")
capture=$(readlink -f "${2:-$root/captures/crafted/mixed-10-clients.pcap}")
frame=${3:-}
out=${4:-$root/docs/screenshot.png}
width=1400
height=1000

[ -f "$plugin" ] || { echo "screenshot: no plugin at $plugin (build first)" >&2; exit 2; }
[ -f "$capture" ] || { echo "screenshot: no capture $capture" >&2; exit 2; }

need=()
command -v wireshark >/dev/null || need+=(wireshark-qt)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v import >/dev/null || need+=(imagemagick)
command -v xdotool >/dev/null || need+=(xdotool)
command -v xwininfo >/dev/null || need+=(x11-utils)
command -v tshark >/dev/null || need+=(tshark)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "screenshot: missing ${need[*]}: install them (apt-get install ${need[*]})" >&2
        exit 2
    fi
    # Other jobs may hold the dpkg lock: wait for it rather than fail.
    echo wireshark-common wireshark-common/install-setuid boolean false | debconf-set-selections || true
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y "${need[@]}" >&2
fi

work=$(mktemp -d)
xvfb_pid=""
ws_pid=""
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null || true
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
chmod 755 "$work"

source "$(dirname "$(readlink -f "$0")")/../plugin-folder.sh"
mwg502_plugin_folder "$plugin" "$work"
cp "$capture" "$work/capture.pcap"

# HOME: the profile as a user gets it, and a window that fills the screen.
home="$work/home"
mkdir -p "$home"
"$root/tools/install-profile.sh" "$home" >/dev/null
cat >"$home/.config/wireshark/recent_common" <<EOF
# Recent settings file for Wireshark 4.0.
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $width
gui.geometry_main_height: $height
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
privs.warn_if_no_npf: FALSE
gui.last_used_profile: mwg502
EOF
cat >"$home/.config/wireshark/profiles/mwg502/recent" <<EOF
# Recent settings file for Wireshark 4.0.
gui.toolbar_main_show: TRUE
gui.filter_toolbar_show: TRUE
gui.packet_list_show: TRUE
gui.tree_view_show: TRUE
gui.byte_view_show: FALSE
gui.statusbar_show: TRUE
gui.time_format: RELATIVE
gui.geometry_main_upper_pane: 330
gui.geometry_main_lower_pane: 0
column.width: "%m", "60", "%t", "80", "%s", "95", "%d", "95", "%p", "55", "%L", "55", "%Cus:mwg502.cause:0:R", "150", "%Cus:mwg502.host:0:R", "190", "%Cus:mwg502.elapsed:0:R", "100", "%i", "480"
EOF
chmod -R a+rX "$work"
chown -R nobody:nogroup "$home" 2>/dev/null || true

if [ -z "$frame" ]; then
    frame=$(HOME="$home" "$root/tests/tshark-with-plugin.sh" "$plugin" -r "$work/capture.pcap" \
                -Y 'mwg502.cause == "tcp_rst"' -T fields -e frame.number 2>/dev/null | head -n 1)
    [ -n "$frame" ] || frame=$("$root/tests/tshark-with-plugin.sh" "$plugin" -r "$work/capture.pcap" \
                -Y mwg502.cause -T fields -e frame.number 2>/dev/null | head -n 1)
fi
[ -n "$frame" ] || { echo "screenshot: no explained error frame in $capture" >&2; exit 1; }

# A free display.
display=99
while [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 "${width}x${height}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=":$display"
for _ in $(seq 50); do xwininfo -root >/dev/null 2>&1 && break; sleep 0.2; done

as_user=()
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all)
fi
"${as_user[@]}" env HOME="$home" WIRESHARK_PLUGIN_DIR="$work/plugins" DISPLAY="$DISPLAY" \
    XDG_RUNTIME_DIR="$work" QT_QPA_PLATFORM=xcb LIBGL_ALWAYS_SOFTWARE=1 \
    wireshark -C mwg502 -r "$work/capture.pcap" -Y mwg502.cause -g "$frame" \
    >"$work/wireshark.log" 2>&1 &
ws_pid=$!

# Wait for the main window and for the capture to be loaded.
win=""
for _ in $(seq 120); do
    win=$(xdotool search --onlyvisible --name 'capture.pcap' 2>/dev/null | head -n 1 || true)
    [ -n "$win" ] && break
    kill -0 "$ws_pid" 2>/dev/null || { cat "$work/wireshark.log" >&2; echo "screenshot: wireshark exited" >&2; exit 1; }
    sleep 0.5
done
[ -n "$win" ] || { cat "$work/wireshark.log" >&2; echo "screenshot: no Wireshark window" >&2; exit 1; }
sleep 4

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
    xdotool windowsize "$exp" 820 300 windowmove "$exp" $((width - 830)) $((height - 330))
    sleep 1
    # Expand every group of the dialog.
    xdotool mousemove --sync $((width - 700)) $((height - 230)) click 1
    sleep 0.3
    xdotool key --window "$exp" ctrl+Right 2>/dev/null || true
    xdotool key --window "$exp" asterisk
    sleep 2
else
    echo "screenshot: the Expert Information dialog did not open" >&2
fi

mkdir -p "$(dirname "$out")"
import -window root "$work/shot.png"
# Fewer colours keep the PNG small (the picture has few anyway).
convert "$work/shot.png" -colors 128 -strip "PNG8:$out"
size=$(stat -c %s "$out")
echo "screenshot: wrote $out ($size bytes; frame $frame of $(basename "$capture"))"
[ "$size" -lt 300000 ] || echo "screenshot: warning: $out is over 300 KB" >&2
