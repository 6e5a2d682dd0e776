#!/usr/bin/env bash
# The Debian 13 (trixie, Wireshark 4.4) root: tests/compat/debian-root.sh trixie [--force].
exec bash "$(dirname "${BASH_SOURCE[0]}")/debian-root.sh" trixie "$@"
