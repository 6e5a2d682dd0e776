#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run a command inside a Debian root made by debian-root.sh (trixie or
# forky), with the repository bind-mounted at the same path as on the host,
# so a build there uses the same sources (and build trees inside the
# repository).
#
#   tests/compat/in-root.sh ROOT CMD [ARGS...]
#   tests/compat/in-root.sh forky bash -c 'cmake -S . -B build-forky && cmake --build build-forky'
#
# ROOT: trixie (or debian13, 4.4) or forky (or 4.6).
# The command starts in the current directory when it is inside the
# repository, else at the repository top. Environment: a clean one (PATH,
# HOME, LANG, TERM, CI, and any MWG502_* variables are passed). The mounts
# live in a private mount namespace and are undone on exit. Needs root.
# The exit status is the command's.
set -euo pipefail

# shellcheck source=tests/compat/root-lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/root-lib.sh"

case "${1:-}" in -h|--help) sed -n '2,16p' "$0"; exit 0 ;; esac
[ $# -gt 1 ] || die "usage: $0 ROOT CMD [ARGS...] (ROOT: trixie or forky)"
root_select "$1"
require_root
root_is_complete || die "no complete $ROOT_TITLE root at $ROOT; run tests/compat/debian-root.sh $SUITE first"
enter_private_mount_ns "$@"
shift
# Shared lock: the root is not remade while a command runs in it.
root_lock_shared "the root is being made or changed; waiting"
root_is_complete || die "the $ROOT_TITLE root at $ROOT is no longer complete"
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
