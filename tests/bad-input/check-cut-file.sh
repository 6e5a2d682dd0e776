#!/usr/bin/env bash
# Like tests/check-capture.sh, for a capture file cut short in the middle of
# a record: tshark then exits 2 after reading what is there ("appears to have
# been cut short"), which check-capture.sh (set -e, pipefail) takes for a
# failure before it compares anything.  Here exit status 2 is expected; any
# other non-zero status, or different verdicts, fail.
#
# usage: check-cut-file.sh PATH/TO/mwg502.so [CAPTURE]  (default: truncated-file.pcap here)
set -uo pipefail
here=$(dirname "$(readlink -f "$0")")
plugin=$1
capture=${2:-$here/truncated-file.pcap}
want=$(grep -v '^#' "${capture%.*}.expected" | sed '/^[[:space:]]*$/d')
status=0
for extra in "" -2; do
    got=$("$here/../tshark-with-plugin.sh" "$plugin" -r "$capture" $extra -Y mwg502.cause -T fields -E separator=' ' \
            -e frame.number -e mwg502.category -e mwg502.cause -e mwg502.request_frame \
            -e mwg502.evidence_frame -e mwg502.host 2>/dev/null)
    st=$?
    if [ "$st" != 2 ] && [ "$st" != 0 ]; then echo "FAIL $(basename "$capture"): tshark exit status $st"; status=1; fi
    if [ "$got" != "$want" ]; then
        echo "FAIL $(basename "$capture") ${extra:-1 pass}: verdicts differ"; diff <(echo "$want") <(echo "$got"); status=1
    fi
done
[ "$status" = 0 ] && echo "ok   $(basename "$capture") (tshark: cut short, status 2)"
exit "$status"
