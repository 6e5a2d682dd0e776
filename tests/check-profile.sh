#!/usr/bin/env bash
# The mwg502 configuration profile, installed the documented way, loads in
# tshark: its display-filter macro finds every explained error and its custom
# columns show the cause and host.
#
# usage: check-profile.sh PATH/TO/mwg502.so CAPTURE
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
plugin=$1
capture=$2
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
"$here/../tools/install-profile.sh" "$home" >/dev/null
chmod -R a+rX "$home"
run() { MWG502_HOME=$home "$here/tshark-with-plugin.sh" "$plugin" -C mwg502 -r "$capture" "$@" 2>/dev/null; }

want=$(run -Y mwg502.cause -T fields -e frame.number -e mwg502.cause -e mwg502.host)
[ -n "$want" ] || { echo "FAIL: no verdict in $(basename "$capture")"; exit 1; }
by_macro=$(run -Y '${mwg_verdicts}' -T fields -e frame.number -e mwg502.cause -e mwg502.host)
# The profile's "502 cause" and "502 host" columns (tshark -T tabs puts an
# arrow column between source and destination).
columns=$(run -Y mwg502.cause -T tabs | awk -F'\t' '{ gsub(/^ +| +$/, "", $1); print $1 "\t" $8 "\t" $9 }')
status=0
[ "$by_macro" = "$want" ] || { echo "FAIL: the \${mwg_verdicts} macro finds other frames"; status=1; }
[ "$columns" = "$want" ] || { echo "FAIL: the profile's columns do not show cause and host"; diff <(echo "$want") <(echo "$columns") || true; status=1; }
[ "$status" = 0 ] && echo "ok   profile mwg502: macro and columns on $(wc -l <<<"$want") verdicts"
exit "$status"
