#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A command in the Debian 13 root: tests/compat/in-root.sh trixie CMD [ARGS...].
exec bash "$(dirname "${BASH_SOURCE[0]}")/in-root.sh" trixie "$@"
