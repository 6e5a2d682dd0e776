#!/usr/bin/env bash
# Compares mwg502's verdicts on one capture with its .expected file.
#
# usage: check-capture.sh PATH/TO/mwg502.so CAPTURE
#
# The .expected file beside the capture holds one line per gateway error
# response: "frame category cause request_frame evidence_frame host" ('-' for
# no evidence frame), and optionally a "# options: ..." line of extra tshark
# options.  Every other frame must get no verdict.  The verdicts must be the
# same in one pass and in two (-2).
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
plugin=$1
capture=$2
expected="${capture%.*}.expected"
[ -f "$expected" ] || { echo "no $expected" >&2; exit 2; }

options=()
opt_line=$(sed -n 's/^# options: //p' "$expected" | head -n 1)
[ -n "$opt_line" ] && read -r -a options <<<"$opt_line"

want=$(grep -v '^#' "$expected" | sed '/^[[:space:]]*$/d' || true)
status=0
for passes in 1 2; do
    extra=()
    [ "$passes" = 2 ] && extra=(-2)
    got=$("$here/tshark-with-plugin.sh" "$plugin" -r "$capture" "${extra[@]}" "${options[@]}" \
            -Y mwg502.cause -T fields -E separator=' ' \
            -e frame.number -e mwg502.category -e mwg502.cause -e mwg502.request_frame \
            -e mwg502.evidence_frame -e mwg502.host 2>/dev/null |
          awk '{ if ($5 == "") $5 = "-"; print }' | sed 's/  */ /g')
    # An absent evidence frame leaves an empty column: normalise to '-'.
    got=$(awk 'NF == 5 { print $1, $2, $3, $4, "-", $5; next } { print }' <<<"$got")
    if [ "$got" != "$want" ]; then
        echo "FAIL $(basename "$capture") ($passes pass): verdicts differ (- expected, + got)"
        diff <(echo "$want") <(echo "$got") | sed -n 's/^</-/p; s/^>/+/p' || true
        status=1
    fi
done
[ "$status" = 0 ] && echo "ok   $(basename "$capture")"
exit "$status"
