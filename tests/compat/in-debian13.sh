#!/usr/bin/env bash
# Run a command inside the Debian 13 root made by debian13-root.sh, with the
# repository bind-mounted at the same path as on the host, so a build there
# uses the same sources (and build trees inside the repository).
#
#   tests/compat/in-debian13.sh CMD [ARGS...]
#   tests/compat/in-debian13.sh bash -c 'cmake -S . -B build-4.4 && cmake --build build-4.4'
#
# The command starts in the current directory when it is inside the
# repository, else at the repository top. Environment: a clean one (PATH,
# HOME, LANG, TERM, CI, and any MWG502_* variables are passed). The mounts
# live in a private mount namespace and are undone on exit. Needs root.
# The exit status is the command's.
set -euo pipefail

# shellcheck source=tests/compat/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"

[ $# -gt 0 ] || die "usage: $0 CMD [ARGS...]"
require_root
root_is_complete || die "no complete Debian 13 root at $ROOT; run tests/compat/debian13-root.sh first"
enter_private_mount_ns "$@"
# Shared lock: the root is not remade while a command runs in it.
exec 9>"$ROOT_LOCK"
if ! flock -n -s 9; then
    msg "the root is being made or changed; waiting"
    flock -s 9
fi
root_is_complete || die "the Debian 13 root at $ROOT is no longer complete"
trap unmount_all EXIT
trap 'msg "interrupted"; exit 130' INT TERM

mount_basics
mount_in "$ROOT$REPO_TOP" --bind "$REPO_TOP"
# /tmp in the root is its own, but keep it usable for non-root users.
chmod 1777 "$ROOT/tmp"

workdir=$REPO_TOP
case "$PWD/" in "$REPO_TOP"/*) workdir=$PWD ;; esac

envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
      HOME=/root LANG=C.UTF-8 "TERM=${TERM:-dumb}")
[ -n "${CI:-}" ] && envs+=("CI=$CI")
while IFS='=' read -r name _; do
    case "$name" in MWG502_IN_MOUNT_NS) ;; MWG502_*) envs+=("$name=${!name}") ;; esac
done < <(env)

set +e
# shellcheck disable=SC2016  # $1/$@ are for the inner sh
chroot "$ROOT" /usr/bin/env -i "${envs[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$workdir" "$@" 9>&-
rc=$?
set -e
exit "$rc"
