#!/usr/bin/env bash
# Runs the whole test suite: builds with warnings as errors, runs the unit
# tests and every bundled capture through real tshark with the plugin just
# built, then the same under AddressSanitizer/UBSan, then again against
# Wireshark 4.4 in a Debian 13 root (made on first use, reused after), then
# the .deb of each version installed with apt in a fresh root of its Debian
# (MWG502_SKIP_DEBIAN13=1 skips those two legs).  Installs missing Debian
# packages first (as root).  CI runs exactly this.
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

if [ "${MWG502_SKIP_DEBIAN13:-0}" != 1 ]; then
    echo "==> Wireshark 4.4 build in a Debian 13 root"
    if bash "$MWG502_TOP/tests/compat/debian13-root.sh"; then
        bash "$MWG502_TOP/tests/compat/in-debian13.sh" bash -c \
            'source scripts/common.sh && mwg502_build build-debian13 &&
             cd build-debian13 && ctest --output-on-failure -j "$(nproc)"' || status=1
    else
        echo "could not make the Debian 13 root" >&2
        status=1
    fi
    echo "==> Debian packages, installed with apt in fresh Debian 12 and 13 roots"
    bash "$MWG502_TOP/tests/package/deb-install.sh" || status=1
fi

exit "$status"
