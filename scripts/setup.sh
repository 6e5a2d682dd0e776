#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what is missing, builds mwg502, installs it where tshark and
# Wireshark load it (and mwg502-report into /usr/local/bin), and shows it
# explaining the bundled sample captures.
# Run as root on Debian 12 (or 13): sudo scripts/setup.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

mwg502_install_missing
mwg502_build "$MWG502_TOP/build"
cmake --install "$MWG502_TOP/build"
install -m 755 "$MWG502_TOP/tools/mwg502-report" /usr/local/bin/mwg502-report

echo
echo "==> tshark -G plugins:"
tshark -G plugins 2>/dev/null | grep mwg502 || { echo "tshark does not load mwg502" >&2; exit 1; }
echo
echo "==> verdicts on the bundled captures (frame, category, cause, host, summary)"
for capture in "$MWG502_TOP"/captures/*/*.pcap "$MWG502_TOP"/captures/*/*.pcapng; do
    [ -f "$capture" ] || continue
    expected="${capture%.*}.expected"
    options=()
    if [ -f "$expected" ]; then
        opt_line=$(sed -n 's/^# options: //p' "$expected" | head -n 1)
        [ -n "$opt_line" ] && read -r -a options <<<"$opt_line"
    fi
    echo "--- ${capture#"$MWG502_TOP"/}"
    tshark -r "$capture" "${options[@]}" -Y mwg502.cause -T fields -E separator=' | ' \
        -e frame.number -e mwg502.category -e mwg502.cause -e mwg502.host -e mwg502.summary 2>/dev/null |
        sed 's/^/    /'
done
