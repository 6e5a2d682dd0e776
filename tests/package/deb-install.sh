#!/usr/bin/env bash
# Build the plugin's .deb for each Wireshark and install it with apt in a
# fresh Debian root of the matching release, then check that tshark there
# loads the plugin and explains a capture.
#
#   tests/package/deb-install.sh            # both: 4.0 (host) and 4.4 (Debian 13 root)
#   tests/package/deb-install.sh 4.0        # only the host's Wireshark
#   tests/package/deb-install.sh 4.4        # only the Debian 13 root's
#   MWG502_KEEP_ROOTS=1 tests/package/...   # keep the throw-away roots
#
# For each leg:
#  1. a fresh build tree (build-deb-<ws>) and `cpack -G DEB` there: on the host
#     for 4.0, in the Debian 13 root of tests/compat (made when absent) for 4.4;
#  2. a throw-away root `debootstrap --variant=minbase <release>` under .roots/
#     (git-ignored) with no Wireshark in it; the release is the one the .deb
#     was built on;
#  3. `apt-get install ./mwg502_*.deb` there: apt must pull the matching
#     libwireshark through the package's Depends; then the .deb of the other
#     Wireshark (when built) must be refused (simulated);
#  4. `apt-get install tshark`, then, as root in the root, `tshark -G plugins`
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
        4.0|host) legs+=(host) ;;
        4.4|debian13) legs+=(debian13) ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) die "unknown argument: $a (try --help)" ;;
    esac
done
[ ${#legs[@]} -gt 0 ] || legs=(host debian13)

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

# build_deb LEG: build the .deb; sets DEB (its path), DEB_SUITE, DEB_WS.
build_deb() {
    local leg=$1 dir
    case "$leg" in
        host)
            DEB_SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
            dir=build-deb-host
            msg "building the .deb on the host (Debian $DEB_SUITE)"
            (cd "$REPO_TOP" && log_run build-host bash -c "$BUILD_CMDS" sh "$dir")
            ;;
        debian13)
            DEB_SUITE=trixie
            dir=build-deb-debian13
            log_run debian13-root bash "$REPO_TOP/tests/compat/debian13-root.sh"
            msg "building the .deb in the Debian 13 root"
            (cd "$REPO_TOP" && log_run build-debian13 \
                bash "$REPO_TOP/tests/compat/in-debian13.sh" bash -c "$BUILD_CMDS" sh "$dir")
            ;;
    esac
    [ -n "$DEB_SUITE" ] || die "cannot tell the Debian release of the $leg build"
    local debs=("$REPO_TOP/$dir"/mwg502_*+ws*.deb)
    if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
        die "expected one mwg502_*.deb in $dir"
    fi
    DEB=${debs[0]}
    DEB_WS=${DEB##*+ws}; DEB_WS=${DEB_WS%%_*}
    msg "built $(basename "$DEB") ($(dpkg-deb -f "$DEB" Depends))"
}

# make_fresh_root SUITE: debootstrap a minbase root (from the cached tarball),
# sets ROOT.
make_fresh_root() {
    local suite=$1 tgz=$CACHE/$1-minbase.tgz
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
            debootstrap --variant=minbase --make-tarball="$tgz.part" "$suite" "$tmp" "$MIRROR"
        mv "$tgz.part" "$tgz"
        remove_fresh_root "$tmp"
    fi
    ROOT=$(mktemp -d "$REPO_TOP/.roots/pkgtest-$suite.XXXXXX")
    FRESH+=("$ROOT")
    chmod 755 "$ROOT"
    log_run "debootstrap-$suite" \
        debootstrap --variant=minbase --unpack-tarball="$tgz" "$suite" "$ROOT" "$MIRROR"
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

# test_deb DEB SUITE WS [OTHER_DEB]: the install test of one .deb in a fresh
# root of SUITE; OTHER_DEB must be refused there.
test_deb() {
    local deb_path=$1 suite=$2 ws=$3 other=${4:-} t0=$SECONDS deb runtime out
    deb=$(basename "$deb_path")
    runtime=$(dpkg-deb -f "$deb_path" Depends | sed 's/[ (,].*//')

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

    if [ -n "$other" ]; then
        cp "$other" "$ROOT/tmp/"
        local other_runtime
        other_runtime=$(dpkg-deb -f "$other" Depends | sed 's/[ (,].*//')
        if root_apt install -s "/tmp/$(basename "$other")" >"$LOG_DIR/apt-refuse-$suite.log" 2>&1; then
            die "$suite: apt would install $(basename "$other") (built for another Wireshark)"
        fi
        grep -q "$other_runtime" "$LOG_DIR/apt-refuse-$suite.log" \
            || die "$suite: apt refused $(basename "$other") for another reason than $other_runtime (log: $LOG_DIR/apt-refuse-$suite.log)"
        msg "$suite: apt refuses $(basename "$other"), as it should"
    fi

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

if ! command -v debootstrap >/dev/null; then
    install_host_debootstrap
fi
uris=$(host_debian_uris)
MIRROR=${DEBIAN_MIRROR:-$(sed -n 1p <<<"$uris")}
SECURITY=${DEBIAN_SECURITY_MIRROR-$(sed -n 2p <<<"$uris")}
[ -n "$MIRROR" ] || die "no Debian archive found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR"

t_all=$SECONDS
# Build every .deb first, so each root can also check that the other one is refused.
declare -A deb_of suite_of ws_of
for leg in "${legs[@]}"; do
    build_deb "$leg"
    deb_of[$leg]=$DEB suite_of[$leg]=$DEB_SUITE ws_of[$leg]=$DEB_WS
done
msg "built in $((SECONDS - t_all)) s"
for leg in "${legs[@]}"; do
    other=""
    for o in "${legs[@]}"; do [ "$o" = "$leg" ] || other=${deb_of[$o]}; done
    test_deb "${deb_of[$leg]}" "${suite_of[$leg]}" "${ws_of[$leg]}" "$other"
done
msg "all passed in $((SECONDS - t_all)) s: $(for l in "${legs[@]}"; do printf '%s ' "${deb_of[$l]#"$REPO_TOP"/}"; done)"
