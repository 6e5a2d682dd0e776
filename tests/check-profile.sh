#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
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
# The profile's "Error cause" and "Error host" columns (tshark -T tabs puts
# an arrow column between source and destination, then protocol, length,
# error status).
columns=$(run -Y mwg502.cause -T tabs | awk -F'\t' '{ gsub(/^ +| +$/, "", $1); print $1 "\t" $9 "\t" $10 }')
# The "No evidence" button finds the evidence-less verdicts, whatever their
# category (the block page's).
no_evidence=$(run -Y 'mwg502.cause == "no_upstream_evidence"' -T fields -e frame.number)
button=$(sed -n 's/^"TRUE","No evidence","\(.*\)","[^"]*"$/\1/p' "$home/.config/wireshark/profiles/mwg502/dfilter_buttons" |
         sed 's/\\x22/"/g')
by_button=$(run -Y "$button" -T fields -e frame.number)
status=0
[ "$by_macro" = "$want" ] || { echo "FAIL: the \${mwg_verdicts} macro finds other frames"; status=1; }
[ "$columns" = "$want" ] || { echo "FAIL: the profile's columns do not show cause and host"; diff <(echo "$want") <(echo "$columns") || true; status=1; }
[ "$by_button" = "$no_evidence" ] || { echo "FAIL: the No evidence button ($button) finds other frames"; status=1; }
grep -q '^column.width: .*%Cus:mwg502.cause:0:R", "1[5-9][0-9]\|2[0-9][0-9]"' \
    "$home/.config/wireshark/profiles/mwg502/recent" || { echo "FAIL: the profile sets no width for the cause column"; status=1; }
[ "$status" = 0 ] && echo "ok   profile mwg502: macro and columns on $(wc -l <<<"$want") verdicts"
exit "$status"
