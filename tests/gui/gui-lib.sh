# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Sourced by the GUI scripts: the real Wireshark (Debian's wireshark-qt)
# under Xvfb, with the mwg502 profile and a freshly built plugin.
#
# Wireshark, like tshark, ignores WIRESHARK_PLUGIN_DIR when run as root, so
# it runs as nobody with a throw-away HOME that holds the profile and a
# plugin folder (copies of the global plugins but mwg502, plus the fresh
# one).  Everything lives in $GUI_WORK and goes with gui_cleanup (set as
# the EXIT trap by gui_setup).

GUI_WIDTH=${GUI_WIDTH:-1400}
GUI_HEIGHT=${GUI_HEIGHT:-1000}
GUI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
gui_xvfb_pid=""
gui_ws_pid=""

gui_die() {
    echo "gui: $*" >&2
    exit 1
}

# gui_need PACKAGE=COMMAND...: installs (as root) the packages whose command is missing.
gui_need() {
    local need=() pc
    for pc in "$@"; do
        command -v "${pc#*=}" >/dev/null || need+=("${pc%%=*}")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || gui_die "missing ${need[*]}: install them (apt-get install ${need[*]})"
    echo wireshark-common wireshark-common/install-setuid boolean false | debconf-set-selections || true
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
        "${need[@]}" >&2
}

gui_cleanup() {
    [ -n "$gui_ws_pid" ] && kill "$gui_ws_pid" 2>/dev/null || true
    [ -n "$gui_xvfb_pid" ] && kill "$gui_xvfb_pid" 2>/dev/null || true
    [ -n "${GUI_WORK:-}" ] && rm -rf "$GUI_WORK"
}

# gui_setup PLUGIN CAPTURE: the work folder, plugin folder, profile, the
# capture as $GUI_WORK/capture.<ext> (in $GUI_CAPTURE), and the TLS key log
# beside it, if any, with the option that gives it to Wireshark (in
# $GUI_KEYLOG, an array).
gui_setup() {
    local plugin=$1 capture=$2
    [ -f "$plugin" ] || gui_die "no plugin at $plugin (build first)"
    [ -f "$capture" ] || gui_die "no capture $capture"
    gui_need wireshark-qt=wireshark xvfb=Xvfb imagemagick=import xdotool=xdotool x11-utils=xwininfo tshark=tshark
    GUI_WORK=$(mktemp -d)
    trap gui_cleanup EXIT
    chmod 755 "$GUI_WORK"
    # shellcheck source=tests/plugin-folder.sh
    source "$GUI_ROOT/tests/plugin-folder.sh"
    mwg502_plugin_folder "$plugin" "$GUI_WORK"
    GUI_CAPTURE="$GUI_WORK/capture.${capture##*.}"
    cp "$capture" "$GUI_CAPTURE"
    # Copied too: Wireshark runs as nobody, who may not read the original's
    # folder (a clone in a private temporary folder).
    GUI_KEYLOG=()
    if [ -f "${capture%.*}.keys" ]; then
        cp "${capture%.*}.keys" "$GUI_WORK/capture.keys"
        GUI_KEYLOG=(-o "tls.keylog_file:$GUI_WORK/capture.keys")
    fi

    # HOME: the profile as a user gets it, and a window that fills the screen.
    GUI_HOME="$GUI_WORK/home"
    mkdir -p "$GUI_HOME"
    "$GUI_ROOT/tools/install-profile.sh" "$GUI_HOME" >/dev/null
    cat >"$GUI_HOME/.config/wireshark/recent_common" <<RECENT
# Recent settings file for Wireshark.
gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: $GUI_WIDTH
gui.geometry_main_height: $GUI_HEIGHT
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
privs.warn_if_no_npf: FALSE
gui.last_used_profile: mwg502
RECENT
    cat >>"$GUI_HOME/.config/wireshark/profiles/mwg502/recent" <<RECENT
# Recent settings file for Wireshark.
gui.toolbar_main_show: TRUE
gui.filter_toolbar_show: TRUE
gui.packet_list_show: TRUE
gui.tree_view_show: TRUE
gui.byte_view_show: FALSE
gui.statusbar_show: TRUE
gui.time_format: RELATIVE
gui.geometry_main_upper_pane: 330
gui.geometry_main_lower_pane: 0
RECENT
    chmod -R a+rX "$GUI_WORK"
    chown -R nobody:nogroup "$GUI_HOME" 2>/dev/null || true
}

# gui_start_wireshark ARGS...: Xvfb on a free display, Wireshark with ARGS
# (and the capture), then waits until its main window shows the capture.
# Sets GUI_WINDOW.
gui_start_wireshark() {
    local display=99
    while [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
    Xvfb ":$display" -screen 0 "${GUI_WIDTH}x${GUI_HEIGHT}x24" -nolisten tcp >"$GUI_WORK/xvfb.log" 2>&1 &
    gui_xvfb_pid=$!
    export DISPLAY=":$display"
    for _ in $(seq 50); do xwininfo -root >/dev/null 2>&1 && break; sleep 0.2; done

    local as_user=() run_env=()
    if [ "$(id -u)" -eq 0 ]; then
        as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all)
    fi
    # A sanitizer build of the plugin needs its runtime loaded first (see
    # tests/tshark-with-plugin.sh).
    if [ -n "${MWG502_TSHARK_PRELOAD:-}" ]; then
        run_env=(LD_PRELOAD="$MWG502_TSHARK_PRELOAD" ASAN_OPTIONS="detect_leaks=0:abort_on_error=1"
                 UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
    fi
    "${as_user[@]}" env HOME="$GUI_HOME" WIRESHARK_PLUGIN_DIR="$GUI_WORK/plugins" DISPLAY="$DISPLAY" \
        XDG_RUNTIME_DIR="$GUI_WORK" QT_QPA_PLATFORM=xcb LIBGL_ALWAYS_SOFTWARE=1 "${run_env[@]}" \
        wireshark -C mwg502 "$@" -r "$GUI_CAPTURE" >"$GUI_WORK/wireshark.log" 2>&1 &
    gui_ws_pid=$!

    GUI_WINDOW=""
    local name
    name=$(basename "$GUI_CAPTURE")
    for _ in $(seq 120); do
        GUI_WINDOW=$(xdotool search --onlyvisible --name "$name" 2>/dev/null | head -n 1 || true)
        [ -n "$GUI_WINDOW" ] && break
        kill -0 "$gui_ws_pid" 2>/dev/null || { cat "$GUI_WORK/wireshark.log" >&2; gui_die "wireshark exited"; }
        sleep 0.5
    done
    [ -n "$GUI_WINDOW" ] || { cat "$GUI_WORK/wireshark.log" >&2; gui_die "no Wireshark window"; }
    sleep 4
}

# gui_shot OUT.png: the whole screen.
gui_shot() {
    import -window root "$1"
}
