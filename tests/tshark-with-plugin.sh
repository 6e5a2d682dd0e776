#!/usr/bin/env bash
# Runs tshark with a freshly built mwg502.so, whoever runs it.
#
# usage: tshark-with-plugin.sh PATH/TO/mwg502.so [tshark arguments...]
#
# tshark reads WIRESHARK_PLUGIN_DIR only when not run as root (CI runs as
# root), and that folder then replaces the global one.  So we lay out a
# throw-away plugin folder: links to every global plugin but mwg502, plus the
# one just built, and run tshark as an unprivileged user when we are root.
set -euo pipefail

plugin=$(readlink -f "$1")
shift
[ -f "$plugin" ] || { echo "tshark-with-plugin: no plugin at $plugin" >&2; exit 2; }

global=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins:/ {print $2}' | sed 's/[[:space:]]*$//')
[ -d "$global" ] || { echo "tshark-with-plugin: cannot find tshark's global plugin folder" >&2; exit 2; }
version=$(basename "$global")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
dest="$work/plugins/$version"
for kind in "$global"/*/; do
    kind=$(basename "$kind")
    mkdir -p "$dest/$kind"
    for so in "$global/$kind"/*.so; do
        [ -e "$so" ] || continue
        [ "$(basename "$so")" = mwg502.so ] && continue
        ln -s "$so" "$dest/$kind/"
    done
done
mkdir -p "$dest/epan"
cp "$plugin" "$dest/epan/mwg502.so"
chmod -R a+rX "$work"

# A sanitizer build of the plugin needs the sanitizer runtime loaded first
# in the uninstrumented tshark: MWG502_TSHARK_PRELOAD names it.
run_env=(HOME="$work" WIRESHARK_PLUGIN_DIR="$work/plugins")
if [ -n "${MWG502_TSHARK_PRELOAD:-}" ]; then
    run_env+=(LD_PRELOAD="$MWG502_TSHARK_PRELOAD"
              ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
              UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}")
fi

if [ "$(id -u)" -eq 0 ]; then
    # The unprivileged user must read the inputs: tshark gets them as given.
    setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all env "${run_env[@]}" tshark "$@"
else
    env "${run_env[@]}" tshark "$@"
fi
