#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian 13 (trixie, Wireshark 4.4) root: tests/compat/debian-root.sh trixie [--force].
exec bash "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" trixie "$@"
