#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build the plugin's .deb for each Wireshark and install it with apt in a
# fresh Debian root of the matching release, then check that tshark there
# loads the plugin and explains a capture.
#
#   tests/package/deb-install.sh            # all: 4.0 (host), 4.4 (Debian 13), 4.6 (forky)
#   tests/package/deb-install.sh 4.0        # only the host's Wireshark
#   tests/package/deb-install.sh 4.4 4.6    # only the Debian 13 and forky roots'
#   MWG502_KEEP_ROOTS=1 tests/package/...   # keep the throw-away roots
#
# Legs: 4.0 (or host), 4.4 (or trixie, debian13), 4.6 (or forky).
# For each leg:
#  1. a fresh build tree (build-deb-<leg>) and `cpack -G DEB` there: on the
#     host for 4.0, in the build root of tests/compat/debian-root.sh (made when
#     absent) for 4.4 (trixie) and 4.6 (forky);
#  2. lintian on the .deb, run where it was built (the lintian of its
#     release): any error (E:) fails the leg; warnings are listed;
#  3. a throw-away root `debootstrap --variant=minbase <release>` under .roots/
#     (git-ignored) with no Wireshark in it; the release is the one the .deb
#     was built on;
#  4. `apt-get install ./mwg502_*.deb` there: apt must pull the matching
#     libwireshark through the package's Depends; then the .deb of every
#     other Wireshark built must be refused (simulated);
#  5. `apt-get install tshark`, then, as root in the root, `tshark -G plugins`
#     must list mwg502 and captures/crafted/dns-nxdomain-a.pcap must give
#     frame 8, cause dns_nxdomain.
# The throw-away roots are removed at the end. debootstrap's downloads are kept
# as tarballs in .roots/pkgcache (remade after a week), and apt's downloaded
# packages per release in .roots/pkgcache/<release>-archives, for speed.
# Mounts live in a private mount namespace. Needs root and Debian's archive
# (the mirror this machine's apt uses, or $DEBIAN_MIRROR). Logs: .roots/package.log/
set -euo pipefail

LOG_TAG=package
# shellcheck source=tests/compat/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../compat/root-lib.sh"

legs=()
for a in "$@"; do
    case "$a" in
        4.0|host|bookworm) legs+=(host) ;;
        -h|--help) sed -n '2,33p' "$0"; exit 0 ;;
        -*) die "unknown argument: $a (try --help)" ;;
        # A build root of tests/compat: 4.4/trixie/debian13, 4.6/forky.
        *) legs+=("$(root_select "$a" && echo "$ROOT_NAME")") || exit 1 ;;
    esac
done
[ ${#legs[@]} -gt 0 ] || legs=(host debian13 forky)

require_root
enter_private_mount_ns "$@"

CACHE=$REPO_TOP/.roots/pkgcache
LOG_DIR=$REPO_TOP/.roots/package.log
PCAP=captures/crafted/dns-nxdomain-a.pcap
EXPECTED=$'8\tdns_nxdomain'
mkdir -p "$CACHE" "$LOG_DIR"

# One run at a time: the caches and apt's archive folders are shared.
exec 8>"$CACHE/.lock"
if ! flock -n -x 8; then
    msg "another run is using $CACHE; waiting"
    flock -x 8
fi

FRESH=()
cleanup() {
    unmount_all
    local r
    if [ "${MWG502_KEEP_ROOTS:-0}" = 1 ]; then
        [ ${#FRESH[@]} -eq 0 ] || msg "kept: ${FRESH[*]}"
        return 0
    fi
    for r in "${FRESH[@]}"; do remove_fresh_root "$r"; done
}
trap cleanup EXIT
trap 'msg "interrupted"; exit 130' INT TERM

remove_fresh_root() {
    local r=$1 left
    [ -e "$r" ] || return 0
    left=$(mounts_below "$(realpath "$r")")
    [ -z "$left" ] || { msg "not removing $r: still mounted below it: $left"; return 0; }
    rm -rf --one-file-system "$r"
}

# Roots left by a killed run (we hold the lock, so none is in use).
for r in "$REPO_TOP"/.roots/pkgtest-*; do
    [ -d "$r" ] && { msg "removing leftover $r"; remove_fresh_root "$r"; }
done

# log_run NAME CMD...: run with output to $LOG_DIR/NAME.log; on failure show its end.
log_run() {
    local name=$1; shift
    if ! "$@" >"$LOG_DIR/$name.log" 2>&1; then
        tail -n 25 "$LOG_DIR/$name.log" >&2
        die "$name failed (log: $LOG_DIR/$name.log)"
    fi
}

# shellcheck disable=SC2016  # expanded by the inner bash
BUILD_CMDS='rm -rf "$1" && cmake -S . -B "$1" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF &&
    cmake --build "$1" -j "$(nproc)" && cd "$1" && cpack -G DEB'

# on_build_side LEG CMD...: run CMD where LEG's .deb is built (the host, or
# in the build root), from the repository top.
on_build_side() {
    local leg=$1; shift
    if [ "$leg" = host ]; then
        (cd "$REPO_TOP" && "$@")
    else
        (cd "$REPO_TOP" && bash "$REPO_TOP/tests/compat/in-root.sh" "$leg" "$@")
    fi
}

# build_deb LEG: build the .deb; sets DEB (its path), DEB_SUITE, DEB_WS.
build_deb() {
    local leg=$1 dir=build-deb-$1 t0=$SECONDS
    if [ "$leg" = host ]; then
        DEB_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
        msg "building the .deb on the host (Debian $DEB_SUITE)"
    else
        DEB_SUITE=$(root_select "$leg" && echo "$SUITE")
        log_run "$leg-root" bash "$REPO_TOP/tests/compat/debian-root.sh" "$leg"
        msg "building the .deb in the $(root_select "$leg" && echo "$ROOT_TITLE") root"
    fi
    log_run "build-$leg" on_build_side "$leg" bash -c "$BUILD_CMDS" sh "$dir"
    [ -n "$DEB_SUITE" ] || die "cannot tell the Debian release of the $leg build"
    local debs=("$REPO_TOP/$dir"/mwg502_*+ws*.deb)
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
        die "expected one mwg502_*.deb in $dir"
    fi
    DEB=${debs[0]}
    DEB_WS=${DEB##*+ws}; DEB_WS=${DEB_WS%%_*}
    msg "built $(basename "$DEB") in $((SECONDS - t0)) s (Depends: $(dpkg-deb -f "$DEB" Depends))"
}

# lintian_deb LEG DEB: lintian on the .deb, with the lintian of the release it
# was built on; fails on any error (E:), lists the other tags.
lintian_deb() {
    local leg=$1 deb=$2 log=$LOG_DIR/lintian-$1.log rc=0 version tags
    version=$(on_build_side "$leg" lintian --version 2>/dev/null) \
        || die "$leg: lintian is missing where the .deb was built"
    on_build_side "$leg" lintian --fail-on error --display-info "$deb" >"$log" 2>&1 || rc=$?
    # (lintian only says it would rather not run as root.)
    tags=$(grep -v 'running with root privileges' "$log" || true)
    if [ -n "$tags" ]; then
        msg "$leg: $version on $(basename "$deb"):"
        awk '{ print "    " $0 }' <<<"$tags" >&2
    else
        msg "$leg: $version on $(basename "$deb"): no tags"
    fi
    if [ "$rc" -ne 0 ] || grep -q '^E: ' "$log"; then
        die "$leg: lintian found errors in $(basename "$deb") (exit $rc; log: $log)"
    fi
}

# make_fresh_root SUITE: debootstrap a minbase root (from the cached tarball),
# sets ROOT (and SUITE).
# shellcheck disable=SC2086  # $script: one path or nothing
make_fresh_root() {
    local suite=$1 tgz=$CACHE/$1-minbase.tgz script
    script=$(debootstrap_script "$suite")
    if [ -f "$tgz" ] && [ -n "$(find "$tgz" -mtime +7)" ]; then
        msg "$tgz is over a week old; remaking it"
        rm -f "$tgz"
    fi
    if [ ! -f "$tgz" ]; then
        msg "caching debootstrap's packages for $suite in $tgz"
        local tmp
        tmp=$(mktemp -d "$REPO_TOP/.roots/pkgtest-$suite-tarball.XXXXXX")
        FRESH+=("$tmp")
        log_run "debootstrap-tarball-$suite" \
            debootstrap --variant=minbase --make-tarball="$tgz.part" "$suite" "$tmp" "$MIRROR" $script
        mv "$tgz.part" "$tgz"
        remove_fresh_root "$tmp"
    fi
    ROOT=$(mktemp -d "$REPO_TOP/.roots/pkgtest-$suite.XXXXXX")
    FRESH+=("$ROOT")
    chmod 755 "$ROOT"
    log_run "debootstrap-$suite" \
        debootstrap --variant=minbase --unpack-tarball="$tgz" "$suite" "$ROOT" "$MIRROR" $script
    SUITE=$suite
    write_root_sources "$MIRROR" "$SECURITY"
    write_root_apt_conf
    cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
    chmod 755 "$ROOT/usr/sbin/policy-rc.d"
    mount_basics
    mkdir -p "$CACHE/$suite-archives/partial"
    mount_in "$ROOT/var/cache/apt/archives" --bind "$CACHE/$suite-archives"
}

# installed PKG: true when PKG is installed in the root.
installed() {
    # shellcheck disable=SC2016
    in_root dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

root_apt() {
    in_root apt-get -o DPkg::Lock::Timeout=600 -q -y "$@"
}

# runtime_of DEB: the libwireshark package the .deb depends on.
runtime_of() {
    dpkg-deb -f "$1" Depends | grep -o '\blibwireshark[0-9]*\b' | head -n 1 \
        || die "$(basename "$1") does not depend on a libwireshark package"
}

# test_deb DEB SUITE WS [OTHER_DEB...]: the install test of one .deb in a
# fresh root of SUITE; every OTHER_DEB must be refused there.
test_deb() {
    local deb_path=$1 suite=$2 ws=$3 t0=$SECONDS deb runtime out other
    shift 3
    deb=$(basename "$deb_path")
    runtime=$(runtime_of "$deb_path")

    msg "fresh $suite root (debootstrap --variant=minbase)"
    make_fresh_root "$suite"
    ! installed tshark || die "tshark is already in the fresh root"
    ! installed "$runtime" || die "$runtime is already in the fresh root"
    cp "$deb_path" "$ROOT/tmp/$deb"
    cp "$REPO_TOP/$PCAP" "$ROOT/tmp/capture.pcap"
    log_run "apt-update-$suite" root_apt update

    msg "$suite: apt-get install ./$deb (must pull $runtime)"
    log_run "apt-install-deb-$suite" root_apt install "/tmp/$deb"
    # shellcheck disable=SC2016
    out=$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Package} ${Version}\n' mwg502 "$runtime" 2>&1) \
        || die "$suite: mwg502 or $runtime is not installed: $out"
    grep -qv '^ii ' <<<"$out" && die "$suite: not fully installed: $out"
    msg "$suite: installed: $(cut -c4- <<<"$out" | paste -sd,)"
    ! installed tshark || die "$suite: the .deb pulled tshark in (it should only recommend it)"
    local so
    so=$(in_root dpkg -L mwg502 | grep '/mwg502\.so$') || die "$suite: the package holds no mwg502.so"
    grep -qx "/usr/lib/[^/]*/wireshark/plugins/$ws/epan/mwg502.so" <<<"$so" \
        || die "$suite: the plugin is at $so, not in plugins/$ws/epan"
    [ -f "$ROOT$so" ] || die "$suite: $so is not on disk"

    for other in "$@"; do
        # (A Debian 13 host builds for the same Wireshark as the trixie root.)
        [ "$(runtime_of "$other")" != "$runtime" ] || continue
        cp "$other" "$ROOT/tmp/"
        local other_runtime other_deb refuse_log
        other_deb=$(basename "$other")
        other_runtime=$(runtime_of "$other")
        refuse_log=$LOG_DIR/apt-refuse-$suite-${other_deb%.deb}.log
        if root_apt install -s "/tmp/$other_deb" >"$refuse_log" 2>&1; then
            die "$suite: apt would install $other_deb (built for another Wireshark)"
        fi
        grep -q "$other_runtime" "$refuse_log" \
            || die "$suite: apt refused $other_deb for another reason than $other_runtime (log: $refuse_log)"
        msg "$suite: apt refuses $other_deb ($other_runtime), as it should"
    done

    msg "$suite: apt-get install tshark"
    log_run "apt-install-tshark-$suite" root_apt install tshark
    in_root apt-get -q autoclean >/dev/null 2>&1 || true

    out=$(in_root tshark -G plugins 2>/dev/null | grep -w mwg502) \
        || die "$suite: tshark -G plugins does not list mwg502"
    msg "$suite: tshark -G plugins: $(tr -s '\t' ' ' <<<"$out")"
    out=$(in_root tshark -r /tmp/capture.pcap -Y mwg502.cause \
              -T fields -e frame.number -e mwg502.cause 2>"$LOG_DIR/tshark-$suite.log") \
        || { cat "$LOG_DIR/tshark-$suite.log" >&2; die "$suite: tshark failed on $PCAP"; }
    [ "$out" = "$EXPECTED" ] \
        || die "$suite: $PCAP gave '${out//$'\t'/ }', expected '${EXPECTED//$'\t'/ }'"
    msg "$suite: $PCAP: frame 8 dns_nxdomain, as expected"

    unmount_all
    if [ "${MWG502_KEEP_ROOTS:-0}" != 1 ]; then
        remove_fresh_root "$ROOT"
    fi
    msg "PASS: $deb on Debian $suite ($((SECONDS - t0)) s)"
}

install_host_debootstrap
for leg in "${legs[@]}"; do
    # lintian where the .deb is built; the build roots have it.
    [ "$leg" != host ] || install_host_tool lintian
done
uris=$(host_debian_uris)
MIRROR=${DEBIAN_MIRROR:-$(sed -n 1p <<<"$uris")}
SECURITY=${DEBIAN_SECURITY_MIRROR-$(sed -n 2p <<<"$uris")}
[ -n "$MIRROR" ] || die "no Debian archive found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR"

t_all=$SECONDS
# Build every .deb first, so each root can also check that the others are refused.
declare -A deb_of suite_of ws_of
for leg in "${legs[@]}"; do
    build_deb "$leg"
    lintian_deb "$leg" "$DEB"
    deb_of[$leg]=$DEB suite_of[$leg]=$DEB_SUITE ws_of[$leg]=$DEB_WS
done
msg "built and checked with lintian in $((SECONDS - t_all)) s"
for leg in "${legs[@]}"; do
    others=()
    for o in "${legs[@]}"; do [ "$o" = "$leg" ] || others+=("${deb_of[$o]}"); done
    test_deb "${deb_of[$leg]}" "${suite_of[$leg]}" "${ws_of[$leg]}" "${others[@]}"
done
msg "all passed in $((SECONDS - t_all)) s: $(for l in "${legs[@]}"; do printf '%s ' "${deb_of[$l]#"$REPO_TOP"/}"; done)"
