# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the scripts that source this
# Helpers shared by debian13-root.sh, in-debian13.sh and
# tests/package/deb-install.sh. Sourced, not run.
#
# The functions that work on a root use $ROOT (and $SUITE for the sources);
# a script that makes other roots sets ROOT after sourcing this.
#
# Both scripts run their mounts inside a private mount namespace (unshare -m),
# so a mount can never outlive the script, not even after a kill -9; the exit
# trap unmounts as well, in reverse order, for the ordinary case.

# LOG_TAG: the prefix of messages (set it before sourcing to change it).
msg() { printf '[%s] %s\n' "${LOG_TAG:-debian13}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${LOG_TAG:-debian13}" "$*" >&2; exit 1; }

compat_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_TOP=$(git -C "$compat_dir" rev-parse --show-toplevel 2>/dev/null) \
    || REPO_TOP=$(cd "$compat_dir/../.." && pwd -P)
# The root may be put elsewhere (e.g. a shared cache) with DEBIAN13_ROOT.
ROOT=${DEBIAN13_ROOT:-$REPO_TOP/.roots/debian13}
ROOT_MARKER=$ROOT/.mwg502-root-complete
ROOT_LOCK=$(dirname "$ROOT")/.$(basename "$ROOT").lock

# Packages the plugin needs to build and test against Debian 13's Wireshark.
ROOT_PACKAGES=(build-essential cmake pkg-config libglib2.0-dev
               libwireshark-dev wireshark-dev tshark python3)

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
# from a frozen (snapshot) archive behaves as the host's apt does.
write_root_apt_conf() {
    local conf=$ROOT/etc/apt/apt.conf.d/90mwg502-from-host v
    : >"$conf"
    for v in Acquire::Check-Valid-Until Acquire::Check-Date; do
        if apt-config dump | grep -q "^$v \"false\";"; then
            echo "$v \"false\";" >>"$conf"
        fi
    done
    cat >>"$conf" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
EOF
}

write_root_sources() {
    local mirror=$1 security=$2
    {
        echo "deb $mirror $SUITE main"
        echo "deb $mirror $SUITE-updates main"
        [ -n "$security" ] && echo "deb $security $SUITE-security main"
    } >"$ROOT/etc/apt/sources.list"
}

in_root() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Install debootstrap on the host when missing (log in $LOG_DIR).
install_host_debootstrap() {
    command -v debootstrap >/dev/null && return 0
    msg "installing debootstrap on the host"
    local apt=(apt-get -o DPkg::Lock::Timeout=600 -q)
    # On a machine whose package lists were never fetched, update and retry.
    DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y debootstrap >"$LOG_DIR/host-apt.log" 2>&1 \
        || { "${apt[@]}" update && DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y debootstrap; } \
            >>"$LOG_DIR/host-apt.log" 2>&1 \
        || { tail -n 20 "$LOG_DIR/host-apt.log" >&2; die "could not install debootstrap on the host (log: $LOG_DIR/host-apt.log)"; }
}
