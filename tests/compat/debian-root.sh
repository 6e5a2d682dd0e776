#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make (if absent) a Debian root with the Wireshark development packages of
# its release, for building and testing the plugin against that Wireshark:
#   trixie (Debian 13, Wireshark 4.4): <repository top>/.roots/debian13
#   forky  (Debian testing, Wireshark 4.6): <repository top>/.roots/forky
#
#   tests/compat/debian-root.sh trixie          # make or reuse the root
#   tests/compat/debian-root.sh forky --force   # remove it and make it again
#
# The root may be elsewhere: $DEBIAN13_ROOT, $FORKY_ROOT (.roots/ is git-ignored).
# The Debian mirror is the one this machine's apt is configured with
# (/etc/apt/sources.list and /etc/apt/sources.list.d), or $DEBIAN_MIRROR.
# Idempotent: a complete root is reused (missing packages are added); a
# half-made one (no completion marker) is removed and made again.
# Needs root. Logs of the long steps go to <root>.log/.
set -euo pipefail

# shellcheck source=tests/compat/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"

force=0 which=""
for a in "$@"; do
    case "$a" in
        --force) force=1 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        -*) die "unknown argument: $a (try --help)" ;;
        *) [ -z "$which" ] || die "one root at a time (got $which and $a)"; which=$a ;;
    esac
done
[ -n "$which" ] || die "which root? trixie or forky (try --help)"
root_select "$which"

require_root
enter_private_mount_ns "$@"
trap unmount_all EXIT
trap 'msg "interrupted"; exit 130' INT TERM

LOG_DIR=$ROOT.log

# Remove the root, refusing if anything is still mounted below it.
remove_root() {
    [ -e "$ROOT" ] || return 0
    local left
    left=$(mounts_below "$(realpath "$ROOT")")
    [ -z "$left" ] || die "refusing to remove $ROOT: still mounted below it: $left"
    rm -rf --one-file-system "$ROOT"
}

install_packages() {
    local t0=$SECONDS
    msg "installing in the root: ${ROOT_PACKAGES[*]}"
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    # Keep package scripts from starting services in the chroot.
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    mount_basics
    in_root apt-get -o DPkg::Lock::Timeout=600 -q update >"$LOG_DIR/apt-update.log" 2>&1 \
        || { tail -n 20 "$LOG_DIR/apt-update.log" >&2; die "apt-get update in the root failed (log: $LOG_DIR/apt-update.log)"; }
    in_root apt-get -o DPkg::Lock::Timeout=600 -q -y install "${ROOT_PACKAGES[@]}" \
        >"$LOG_DIR/apt-install.log" 2>&1 \
        || { tail -n 30 "$LOG_DIR/apt-install.log" >&2; die "package install in the root failed (log: $LOG_DIR/apt-install.log)"; }
    in_root apt-get -q clean >/dev/null 2>&1 || true
    unmount_all
    msg "packages installed in $((SECONDS - t0)) s"
}

write_marker() {
    {
        echo "suite=$SUITE"
        echo "packages=${ROOT_PACKAGES[*]}"
        echo "made=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        # shellcheck disable=SC2016
        chroot "$ROOT" dpkg-query -W -f='${Package}=${Version}\n' tshark libwireshark-dev wireshark-dev
    } >"$ROOT_MARKER"
}

# The root is complete and has every package of ROOT_PACKAGES.
root_is_current() {
    root_is_complete && grep -qxF "suite=$SUITE" "$ROOT_MARKER" \
        && grep -qxF "packages=${ROOT_PACKAGES[*]}" "$ROOT_MARKER"
}

main() {
    root_lock_shared "another run is making the root; waiting for it"
    if [ "$force" -eq 0 ] && root_is_current; then
        msg "reusing complete $ROOT_TITLE root $ROOT ($(grep '^tshark=' "$ROOT_MARKER"))"
        return 0
    fi
    root_lock_exclusive "waiting for other users of the root to finish"
    mkdir -p "$LOG_DIR"

    if [ "$force" -eq 1 ]; then
        msg "--force: removing $ROOT"
        remove_root
    fi

    if root_is_complete && ! grep -qxF "suite=$SUITE" "$ROOT_MARKER"; then
        die "$ROOT is a root of $(sed -n 's/^suite=//p' "$ROOT_MARKER"), not $SUITE; remove it or use --force"
    fi
    if root_is_complete; then
        if root_is_current; then
            msg "reusing complete $ROOT_TITLE root $ROOT ($(grep '^tshark=' "$ROOT_MARKER"))"
            return 0
        fi
        msg "root exists but its package list is older; adding packages"
        rm -f "$ROOT_MARKER"
        install_packages
        write_marker
        msg "root ready: $ROOT"
        return 0
    fi

    if [ -e "$ROOT" ]; then
        msg "found a half-made root (no completion marker); removing it"
        remove_root
    fi

    install_host_debootstrap
    local uris mirror security script
    uris=$(host_debian_uris)
    mirror=${DEBIAN_MIRROR:-$(sed -n 1p <<<"$uris")}
    security=${DEBIAN_SECURITY_MIRROR-$(sed -n 2p <<<"$uris")}
    [ -n "$mirror" ] || die "no Debian archive found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR"
    msg "mirror: $mirror${security:+ (security: $security)}"
    script=$(debootstrap_script "$SUITE")

    local t0=$SECONDS
    msg "debootstrap --variant=minbase $SUITE${script:+ (script $script)} (a few minutes; log: $LOG_DIR/debootstrap.log)"
    # shellcheck disable=SC2086  # $script is one path or nothing
    if ! debootstrap --variant=minbase "$SUITE" "$ROOT" "$mirror" $script >"$LOG_DIR/debootstrap.log" 2>&1; then
        tail -n 20 "$LOG_DIR/debootstrap.log" >&2
        die "debootstrap failed (log: $LOG_DIR/debootstrap.log); the half-made root will be redone next run"
    fi
    msg "debootstrap done in $((SECONDS - t0)) s"

    write_root_sources "$mirror" "$security"
    write_root_apt_conf
    install_packages
    write_marker
    msg "root ready: $ROOT ($(du -sh --one-file-system "$ROOT" | cut -f1), $((SECONDS - t0)) s in all)"
    sed -n 's/^\(tshark\|libwireshark-dev\|wireshark-dev\)=/  \1 /p' "$ROOT_MARKER" >&2
}

main
