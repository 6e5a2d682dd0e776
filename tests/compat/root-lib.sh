# shellcheck shell=bash
# shellcheck disable=SC2034  # variables used by the scripts that source this
# Helpers shared by debian13-root.sh and in-debian13.sh. Sourced, not run.
#
# Both scripts run their mounts inside a private mount namespace (unshare -m),
# so a mount can never outlive the script, not even after a kill -9; the exit
# trap unmounts as well, in reverse order, for the ordinary case.

msg() { printf '[debian13] %s\n' "$*" >&2; }
die() { printf '[debian13] ERROR: %s\n' "$*" >&2; exit 1; }

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
