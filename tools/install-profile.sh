#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the mwg502 Wireshark configuration profile (columns, coloring
# rules, filter buttons, display-filter macros, column widths) for one user.
#
# usage: tools/install-profile.sh [HOME]
#
# Copies profile/mwg502 into HOME/.config/wireshark/profiles/mwg502 (HOME
# defaults to $HOME; $XDG_CONFIG_HOME or $WIRESHARK_CONFIG_DIR are honoured
# when no HOME is given, as Wireshark does).  An existing mwg502 profile is
# kept as mwg502.bak-<time>.  Then: wireshark -C mwg502 capture.pcap, or pick
# "mwg502" under Edit > Configuration Profiles.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src="$here/../profile/mwg502"
[ -f "$src/preferences" ] || { echo "install-profile: no profile at $src" >&2; exit 2; }

if [ $# -ge 1 ]; then
    [ -d "$1" ] || { echo "install-profile: $1 is not a directory" >&2; exit 2; }
    confdir="$1/.config/wireshark"
elif [ -n "${WIRESHARK_CONFIG_DIR:-}" ]; then
    confdir=$WIRESHARK_CONFIG_DIR
elif [ -n "${XDG_CONFIG_HOME:-}" ]; then
    confdir="$XDG_CONFIG_HOME/wireshark"
else
    confdir="${HOME:?no HOME}/.config/wireshark"
fi
dest="$confdir/profiles/mwg502"

mkdir -p "$confdir/profiles"
if [ -e "$dest" ]; then
    backup="$dest.bak-$(date +%Y%m%d%H%M%S)"
    mv "$dest" "$backup"
    echo "install-profile: kept the previous profile as $backup"
fi
mkdir "$dest"
for f in preferences recent colorfilters dfilter_buttons dfilter_macros; do
    cp "$src/$f" "$dest/$f"
done
chmod 755 "$dest"
chmod 644 "$dest"/*
# Give the files to the home's owner when we install for someone else as root.
if [ $# -ge 1 ] && [ "$(id -u)" -eq 0 ]; then
    owner=$(stat -c %u:%g "$1")
    chown -R "$owner" "$confdir" 2>/dev/null || true
fi
echo "install-profile: installed $dest"
echo "  wireshark -C mwg502 capture.pcap    (or Edit > Configuration Profiles > mwg502)"
