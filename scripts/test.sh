#!/usr/bin/env bash
# Runs the whole test suite: builds with warnings as errors, runs the unit
# tests and every bundled capture through real tshark with the plugin just
# built, then the same under AddressSanitizer/UBSan.  Installs missing
# Debian packages first (as root).  CI runs exactly this.
set -euo pipefail
source "$(dirname "$0")/common.sh"

mwg502_install_missing

status=0
run_suite() {
    local name=$1 dir=$2
    shift 2
    echo "==> $name"
    mwg502_build "$dir" "$@"
    (cd "$dir" && ctest --output-on-failure -j "$(nproc)") || status=1
}

run_suite "Wireshark $(dpkg-query -W -f='${Version}' tshark) build" "$MWG502_TOP/build-test"
run_suite "AddressSanitizer + UBSan build" "$MWG502_TOP/build-asan" -DMWG502_SANITIZE=ON

exit "$status"
