#!/usr/bin/env bash
# The statistics tree (tshark -z mwg502,tree) counts each category and cause
# exactly as often as the display filter finds it, on one capture.
#
# usage: check-stats.sh PATH/TO/mwg502.so CAPTURE
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
plugin=$1
capture=$2
run() { "$here/tshark-with-plugin.sh" "$plugin" -r "$capture" "$@" 2>/dev/null; }

# Rows of the tree: "<indent><name>  <count> ...": keep category and cause rows.
tree=$(run -q -z mwg502,tree | awk '/^ [a-z_]+ / || /^  [a-z_]+ / { print $1, $2 }' | sort)
filtered=$( (run -Y mwg502.cause -T fields -e mwg502.category | sort | uniq -c
             run -Y mwg502.cause -T fields -e mwg502.cause | sort | uniq -c) |
           awk '{ print $2, $1 }' | sort)
total=$(run -q -z mwg502,tree | awk '/^Gateway errors / { print $3 }')
count=$(run -Y mwg502.cause | wc -l)
if [ "$tree" != "$filtered" ] || [ "${total:-0}" != "$count" ] || [ "$count" = 0 ]; then
    echo "FAIL $(basename "$capture"): stats tree (total ${total:-none}) differs from the filter ($count)"
    diff <(echo "$filtered") <(echo "$tree") || true
    exit 1
fi
echo "ok   $(basename "$capture"): $count errors, $(wc -l <<<"$tree") category and cause rows agree"
