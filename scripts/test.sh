#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs the whole test suite: builds with warnings as errors, runs the unit
# tests and every bundled capture through real tshark with the plugin just
# built, then the same under AddressSanitizer/UBSan, then again against
# Wireshark 4.4 in a Debian 13 root and Wireshark 4.6 in a Debian forky root
# (tests/compat: made on first use, reused after), then the .deb of each
# version checked with lintian and installed with apt in a fresh root of its
# Debian.  Installs missing Debian packages first (as root).  CI runs
# exactly this.
#
# MWG502_SKIP_ROOTS=1 (or the older MWG502_SKIP_DEBIAN13=1) skips the legs
# that need Debian roots (the 4.4 and 4.6 builds and the packages);
# MWG502_ROOTS="trixie forky" (the default) picks which roots are used.
set -euo pipefail
source "$(dirname "$0")/common.sh"

mwg502_install_missing "${MWG502_TEST_PACKAGES[@]}"

passed=0
failed=0
# leg NAME CMD...: one leg of the suite, counted in the closing line.
leg() {
    local t0=$SECONDS
    echo "==> $1"
    if "${@:2}"; then
        passed=$((passed + 1))
        echo "<== $1: passed in $((SECONDS - t0)) s"
    else
        failed=$((failed + 1))
        echo "<== $1: FAILED after $((SECONDS - t0)) s"
    fi
}
ctest_in() {
    local dir=$1
    shift
    mwg502_build "$dir" "$@" && (cd "$dir" && ctest --output-on-failure -j "$(nproc)")
}
# in_root ROOT BUILD_DIR: make (or reuse) the Debian root, then build there
# with warnings as errors and run the whole ctest suite.
in_root() {
    bash "$MWG502_TOP/tests/compat/debian-root.sh" "$1" &&
        bash "$MWG502_TOP/tests/compat/in-root.sh" "$1" bash -c \
            'source scripts/common.sh && mwg502_build "$1" &&
             cd "$1" && ctest --output-on-failure -j "$(nproc)"' sh "$2"
}

roots=${MWG502_ROOTS-trixie forky}
if [ "${MWG502_SKIP_ROOTS:-0}" = 1 ] || [ "${MWG502_SKIP_DEBIAN13:-0}" = 1 ]; then
    roots=""
fi

leg "Wireshark $(dpkg-query -W -f='${Version}' tshark) build" ctest_in "$MWG502_TOP/build-test"
leg "AddressSanitizer + UBSan build" ctest_in "$MWG502_TOP/build-asan" -DMWG502_SANITIZE=ON
package_legs=(host)
for root in $roots; do
    case "$root" in
        trixie|debian13|4.4)
            leg "Wireshark 4.4 build in a Debian 13 root" in_root trixie build-debian13
            package_legs+=(4.4) ;;
        forky|4.6)
            leg "Wireshark 4.6 build in a Debian forky root" in_root forky build-forky
            package_legs+=(4.6) ;;
        *) echo "MWG502_ROOTS: unknown root '$root' (trixie, forky)" >&2; failed=$((failed + 1)) ;;
    esac
done
if [ -n "$roots" ]; then
    leg "Debian packages of the host's Wireshark${package_legs[1]:+ and ${package_legs[*]:1}}: lintian, then apt in fresh roots" \
        bash "$MWG502_TOP/tests/package/deb-install.sh" "${package_legs[@]}"
fi

echo "legs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
