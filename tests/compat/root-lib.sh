# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the scripts that source this
# Helpers shared by debian-root.sh, in-root.sh and tests/package/deb-install.sh.
# Sourced, not run.
#
# The functions that work on a root use $ROOT (and $SUITE for the sources);
# root_select sets both (and the marker and lock) for one of the project's
# build roots; a script that makes other roots sets ROOT and SUITE itself.
#
# The scripts run their mounts inside a private mount namespace (unshare -m),
# so a mount can never outlive the script, not even after a kill -9; the exit
# trap unmounts as well, in reverse order, for the ordinary case.

# LOG_TAG: the prefix of messages (set it before sourcing to change it; by
# default the name of the selected root).
msg() { printf '[%s] %s\n' "${LOG_TAG:-${ROOT_NAME:-root}}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-${ROOT_NAME:-root}}" "$*" >&2; exit 1; }

compat_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_TOP=$(git -C "$compat_dir" rev-parse --show-toplevel 2>/dev/null) \
    || REPO_TOP=$(cd "$compat_dir/../.." && pwd -P)

# The project's build roots: NAME SUITE WIRESHARK TITLE, one a line.  A root
# lives in <repository top>/.roots/NAME (git-ignored), or wherever the
# variable <NAME in capitals>_ROOT says (DEBIAN13_ROOT, FORKY_ROOT), e.g. a
# shared cache.
ROOT_TABLE='debian13 trixie 4.4 Debian 13
forky forky 4.6 Debian forky'

# root_select WHICH: select a build root by its name, suite or Wireshark
# (debian13, trixie, 13 or 4.4; forky or 4.6).  Sets ROOT_NAME, SUITE,
# ROOT_WS, ROOT_TITLE, ROOT, ROOT_MARKER and ROOT_LOCK.
root_select() {
    local name suite ws title override
    while read -r name suite ws title; do
        case "$1" in
            "$name"|"$suite"|"$ws"|"${title#Debian }")
                ROOT_NAME=$name SUITE=$suite ROOT_WS=$ws ROOT_TITLE=$title
                override=${name^^}_ROOT
                ROOT=${!override:-$REPO_TOP/.roots/$name}
                ROOT_MARKER=$ROOT/.mwg502-root-complete
                ROOT_LOCK=$(dirname "$ROOT")/.$(basename "$ROOT").lock
                return 0 ;;
        esac
    done <<<"$ROOT_TABLE"
    die "unknown root: $1 (known: $(awk '{ printf "%s%s (Wireshark %s)", (NR > 1 ? ", " : ""), $2, $3 }' <<<"$ROOT_TABLE"))"
}

# Packages the plugin needs to build, test and package against the root's
# Wireshark (file: for CPack's dpkg-shlibdeps step; lintian: the package check).
ROOT_PACKAGES=(build-essential cmake pkg-config libglib2.0-dev
               libwireshark-dev wireshark-dev tshark python3 file lintian)

# suite_pockets SUITE: the archive suites a root of SUITE takes packages
# from besides SUITE itself ("updates" for SUITE-updates, "security" for
# SUITE-security).  A released Debian has both; testing (forky) has none
# that matter: its -updates and -security suites are empty, fixes reach
# testing itself.
suite_pockets() {
    case "$1" in
        bookworm|trixie) echo "updates security" ;;
        *) echo "" ;;
    esac
}

# suite_is_testing SUITE: true for a suite whose Release file is renewed
# every week (testing, unstable); a frozen mirror of it is soon past its
# Valid-Until, so apt in such a root must not check that date.
suite_is_testing() {
    case "$1" in
        forky|sid|testing|unstable) return 0 ;;
        *) return 1 ;;
    esac
}

# debootstrap_script SUITE: the debootstrap script to give for SUITE, or
# nothing when the host's debootstrap knows the suite (Debian 12's has no
# forky script; testing is made as sid is).
debootstrap_script() {
    local dir=/usr/share/debootstrap/scripts
    if [ ! -e "$dir/$1" ] && [ -e "$dir/sid" ]; then
        echo "$dir/sid"
    fi
}

require_root() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it)"
}

# Re-run the calling script in a private mount namespace, once.
enter_private_mount_ns() {
    if [ -z "${MWG502_IN_MOUNT_NS:-}" ]; then
        command -v unshare >/dev/null || die "unshare (util-linux) is missing"
        export MWG502_IN_MOUNT_NS=1
        exec unshare --mount --propagation private -- bash "$0" "$@"
    fi
}

MOUNTED=()
# mount_in TARGET MOUNT-ARGS...: mount and remember it for cleanup.
mount_in() {
    local target=$1; shift
    mkdir -p "$target"
    mount "$@" "$target" || die "mount $* $target failed"
    MOUNTED+=("$target")
}

unmount_all() {
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -l "${MOUNTED[i]}" 2>/dev/null || true
    done
    MOUNTED=()
}

# Mount what a chroot needs: /proc, /dev (with /dev/pts) and /sys.
mount_basics() {
    mount_in "$ROOT/proc" -t proc proc
    mount_in "$ROOT/sys" -t sysfs sysfs
    mount_in "$ROOT/dev" --bind /dev
    mount_in "$ROOT/dev/pts" --bind /dev/pts
}

# List mount points at or below $1 (as seen from this namespace).
mounts_below() {
    awk -v p="$1" '{ if ($5 == p || index($5, p "/") == 1) print $5 }' /proc/self/mountinfo
}

# root_lock_shared WAIT-MESSAGE: hold the root's lock shared on fd 9 (the
# root is not remade while held); waits while the root is being made.
# root_lock_exclusive WAIT-MESSAGE: upgrade it to exclusive (making or
# changing the root), waiting for the users to finish.
# Users of a root hold the lock shared; changing the root takes it
# exclusively (a developer and CI may share the machine).
root_lock_shared() {
    mkdir -p "$(dirname "$ROOT_LOCK")"
    exec 9>"$ROOT_LOCK"
    if ! flock -n -s 9; then
        msg "$1"
        flock -s 9
    fi
}
root_lock_exclusive() {
    if ! flock -n -x 9; then
        msg "$1"
        flock -x 9
    fi
}

# A root is complete when the marker exists and its tools are in place.
root_is_complete() {
    [ -f "$ROOT_MARKER" ] && [ -x "$ROOT/usr/bin/tshark" ] \
        && [ -f "$ROOT/usr/include/wireshark/ws_version.h" ] \
        && [ -x "$ROOT/usr/bin/cmake" ] && [ -x "$ROOT/usr/bin/gcc" ]
}

# Print the URI of the host's main Debian archive, and on a second line the
# URI of its security archive (may be empty). Reads both the one-line
# (*.list) and the deb822 (*.sources) formats; only files apt itself reads.
host_debian_uris() {
    local files=() f
    [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
    for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk '
    function consider(uri, suites,   n, s, i) {
        n = split(suites, s, /[ \t]+/)
        for (i = 1; i <= n; i++) {
            if (s[i] == "") continue
            if (s[i] ~ /-security$/ || uri ~ /debian-security\/?$/) {
                if (sec == "") sec = uri
            } else if (s[i] ~ /^(oldoldstable|oldstable|stable|testing|unstable|sid|buster|bullseye|bookworm|trixie|forky|duke)(-updates|-backports)?$/) {
                if (main == "" || (s[i] !~ /-/ && mainbare == "")) {
                    if (s[i] !~ /-/) mainbare = 1
                    main = uri
                }
            }
        }
    }
    function flush() {
        if (uris != "" && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
            n = split(uris, u, /[ \t]+/)
            for (k = 1; k <= n; k++) if (u[k] != "") consider(u[k], suites)
        }
        types = uris = suites = enabled = ""
    }
    FNR == 1 { flush(); deb822 = (FILENAME ~ /\.sources$/) }
    deb822 {
        if ($0 ~ /^[ \t]*$/) { flush(); next }
        if ($0 ~ /^#/) next
        line = $0; key = tolower(line); sub(/:.*/, "", key)
        val = line; sub(/^[^:]*:[ \t]*/, "", val)
        if (key == "types") types = val
        else if (key == "uris") uris = val
        else if (key == "suites") suites = val
        else if (key == "enabled") enabled = tolower(val)
        next
    }
    {
        sub(/#.*/, "")
        if ($1 != "deb") next
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if (i + 1 <= NF) consider($i, $(i + 1))
    }
    END { flush(); print main; print sec }
    ' "${files[@]}"
}

# Copy the host's Valid-Until/Date checking into the root, so a root made
# from a frozen (snapshot) archive behaves as the host's apt does; a testing
# root (forky) never checks Valid-Until: its Release file is valid for a
# week only, and the archive this machine reads is older than that.
write_root_apt_conf() {
    local conf=$ROOT/etc/apt/apt.conf.d/90mwg502-from-host v dump
    # Read whole (grep -q on a pipe would kill apt-config: a failure under pipefail).
    dump=$(apt-config dump)
    : >"$conf"
    for v in Acquire::Check-Valid-Until Acquire::Check-Date; do
        if grep -qxF "$v \"false\";" <<<"$dump" \
            || { [ "$v" = Acquire::Check-Valid-Until ] && suite_is_testing "$SUITE"; }; then
            echo "$v \"false\";" >>"$conf"
        fi
    done
    cat >>"$conf" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
EOF
}

# write_root_sources MIRROR SECURITY-MIRROR: the root's sources.list, for
# $SUITE and the pockets suite_pockets gives it.
write_root_sources() {
    local mirror=$1 security=$2 pockets
    pockets=" $(suite_pockets "$SUITE") "
    {
        echo "deb $mirror $SUITE main"
        [[ $pockets == *" updates "* ]] && echo "deb $mirror $SUITE-updates main"
        [[ $pockets == *" security "* ]] && [ -n "$security" ] && echo "deb $security $SUITE-security main"
        true
    } >"$ROOT/etc/apt/sources.list"
}

in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# install_host_tool COMMAND [PACKAGE]: install PACKAGE (default: COMMAND)
# on the host when COMMAND is missing (log in $LOG_DIR).
install_host_tool() {
    local cmd=$1 pkg=${2:-$1}
    command -v "$cmd" >/dev/null && return 0
    msg "installing $pkg on the host"
    local apt=(apt-get -o DPkg::Lock::Timeout=600 -q)
    # On a machine whose package lists were never fetched, update and retry.
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$pkg" >"$LOG_DIR/host-apt.log" 2>&1 \
        || { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$pkg"; } \
            >>"$LOG_DIR/host-apt.log" 2>&1 \
        || { tail -n 20 "$LOG_DIR/host-apt.log" >&2; die "could not install $pkg on the host (log: $LOG_DIR/host-apt.log)"; }
}
install_host_debootstrap() { install_host_tool debootstrap; }
