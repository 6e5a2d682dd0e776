# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by setup.sh and test.sh: what the project needs from Debian, and
# how to build it.  Sourced, not run.

# Debian packages the build and the tests need (Debian 12 names).
MWG502_PACKAGES=(
    build-essential cmake pkg-config libglib2.0-dev
    tshark libwireshark-dev wireshark-dev
    util-linux python3
)

# What only the test suite needs: the real Wireshark GUI under a virtual
# display, driven and read back (tests/gui).
MWG502_TEST_PACKAGES=(
    wireshark-qt xvfb xdotool x11-utils imagemagick tesseract-ocr tesseract-ocr-eng
)

# Installs whichever of the packages (and any given as arguments) is missing.
mwg502_install_missing() {
    local missing=() p
    for p in "${MWG502_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root to install them)" >&2
        return 1
    fi
    echo "==> installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# mwg502_build BUILD_DIR [cmake options...]
mwg502_build() {
    local dir=$1
    shift
    cmake -S "$MWG502_TOP" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMWG502_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

MWG502_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
