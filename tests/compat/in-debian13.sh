#!/usr/bin/env bash
# A command in the Debian 13 root: tests/compat/in-root.sh trixie CMD [ARGS...].
exec bash "$(dirname "${BASH_SOURCE[0]}")/in-root.sh" trixie "$@"
