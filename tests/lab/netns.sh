# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced by record.sh and live.sh: a private network namespace, named after
# the calling script and its pid, and a work folder, both removed on exit with
# everything started in them.
#
# lab_netns_begin NAME: sets NS and work, installs the exit trap.
# lab_netns_up: makes the namespace (refusing to go on if it cannot, or if it
#   holds any link but lo) and brings lo up.
# inns SECONDS CMD...: runs CMD in the namespace, bounded.
# bgns SECONDS CMD...: starts CMD in the namespace in the background, bounded;
#   its pid is $bg_pid and it is killed on exit.
# lab_netns_extra SUFFIX: makes one more namespace, $NS$SUFFIX (record.sh's
#   client, gateway and bridge namespaces), with lo up; removed on exit like
#   the first.  inn / bgn NAMESPACE SECONDS CMD...: inns / bgns in it.

lab_netns_begin() {
    NS="mwg502$1$$"
    work=$(mktemp -d "/tmp/mwg502$1.XXXXXX")
    chmod 755 "$work"
    pids=()
    extra_ns=()
    lab_label=$1
    trap lab_netns_cleanup EXIT
    trap 'exit 130' INT TERM
}

lab_netns_cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.5
    # Whatever is still inside our namespaces was started by this script.
    local ns
    for ns in "${extra_ns[@]}" "$NS"; do
        if ip netns pids "$ns" >/dev/null 2>&1; then
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
            sleep 0.5
            for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
            ip netns del "$ns" 2>/dev/null
        fi
        rm -rf "/etc/netns/$ns"
    done
    rm -rf "$work"
}

inns() { timeout "$1" ip netns exec "$NS" "${@:2}"; }
inn() { timeout "$2" ip netns exec "$1" "${@:3}"; }
# timeout(1) itself must be the background job (not a shell running a
# function), so that its pid is $! and a signal to it reaches the command.
bgns() { timeout "$1" ip netns exec "$NS" "${@:2}" & pids+=($!); bg_pid=$!; }
bgn() { timeout "$2" ip netns exec "$1" "${@:3}" & pids+=($!); bg_pid=$!; }

lab_netns_extra() {
    local ns="$NS$1"
    extra_ns+=("$ns")
    timeout 10 ip netns add "$ns" ||
        { echo "$lab_label: cannot make network namespace $ns; refusing to run" >&2; exit 2; }
    inn "$ns" 10 ip link set lo up
}

lab_netns_up() {
    timeout 10 ip netns add "$NS" ||
        { echo "$lab_label: cannot make network namespace $NS; refusing to run" >&2; exit 2; }
    inns 10 ip link set lo up
    local links
    links=$(inns 10 ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
    [ "$links" = "lo " ] || { echo "$lab_label: namespace has unexpected links: $links" >&2; exit 2; }
}
