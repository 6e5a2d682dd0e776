#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs tshark with a freshly built mwg502.so, whoever runs it.
#
# usage: tshark-with-plugin.sh PATH/TO/mwg502.so [tshark arguments...]
#
# tshark reads WIRESHARK_PLUGIN_DIR only when not run as root, and that
# folder then replaces the global one.  So we lay out a plugin folder
# (copies of every global plugin but mwg502, plus the one just built) and
# give it to tshark: as WIRESHARK_PLUGIN_DIR for a user; for root (as CI
# runs) bind-mounted over the global folder in a private mount namespace, so
# that no system folder changes and tshark still reads every input root can.
set -euo pipefail

plugin=$(readlink -f "$1")
shift
[ -f "$plugin" ] || { echo "tshark-with-plugin: no plugin at $plugin" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
source "$(dirname "$(readlink -f "$0")")/plugin-folder.sh"
# MWG502_PLUGIN_FOLDER: where to keep the folder between runs (the tests
# set it); without it, a folder of this run's own.
if [ -n "${MWG502_PLUGIN_FOLDER:-}" ]; then
    mwg502_plugin_folder_kept "$plugin" "$MWG502_PLUGIN_FOLDER"
else
    mwg502_plugin_folder "$plugin" "$work"
fi

# A sanitizer build of the plugin needs the sanitizer runtime loaded first
# in the uninstrumented tshark: MWG502_TSHARK_PRELOAD names it.
# MWG502_HOME: a home whose Wireshark configuration (profiles) tshark uses.
run_env=(HOME="${MWG502_HOME:-$work}" WIRESHARK_PLUGIN_DIR="${MWG502_LOCAL_PLUGINS%/*}")
if [ -n "${MWG502_TSHARK_PRELOAD:-}" ]; then
    run_env+=(LD_PRELOAD="$MWG502_TSHARK_PRELOAD"
              ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
              UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}")
fi

if [ "$(id -u)" -eq 0 ]; then
    # In a chroot (the Debian 13 leg) / is no mount point and cannot be made
    # private; that chroot already runs in a mount namespace of its own.
    propagation=private
    unshare --mount --propagation private true 2>/dev/null || propagation=unchanged
    unshare --mount --propagation "$propagation" sh -c \
        'mount --bind "$1" "$2" && shift 2 && exec env "$@"' \
        sh "$MWG502_LOCAL_PLUGINS" "$MWG502_GLOBAL_PLUGINS" "${run_env[@]}" tshark "$@"
else
    env "${run_env[@]}" tshark "$@"
fi
