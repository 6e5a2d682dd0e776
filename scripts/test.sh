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

mwg502_install_missing "${MWG502_TEST_PACKAGES[@]}"

passed=0
failed=0
# leg NAME CMD...: one leg of the suite, counted in the closing line.
leg() {
    echo "==> $1"
    if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
ctest_in() {
    local dir=$1
    shift
    mwg502_build "$dir" "$@" && (cd "$dir" && ctest --output-on-failure -j "$(nproc)")
}
in_debian13() {
    bash "$MWG502_TOP/tests/compat/debian13-root.sh" &&
        bash "$MWG502_TOP/tests/compat/in-debian13.sh" bash -c \
            'source scripts/common.sh && mwg502_build build-debian13 &&
             cd build-debian13 && ctest --output-on-failure -j "$(nproc)"'
}

leg "Wireshark $(dpkg-query -W -f='${Version}' tshark) build" ctest_in "$MWG502_TOP/build-test"
leg "AddressSanitizer + UBSan build" ctest_in "$MWG502_TOP/build-asan" -DMWG502_SANITIZE=ON
if [ "${MWG502_SKIP_DEBIAN13:-0}" != 1 ]; then
    leg "Wireshark 4.4 build in a Debian 13 root" in_debian13
    leg "Debian packages, installed with apt in fresh Debian 12 and 13 roots" \
        bash "$MWG502_TOP/tests/package/deb-install.sh"
fi

echo "legs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
