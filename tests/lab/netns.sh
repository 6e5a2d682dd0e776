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

lab_netns_begin() {
    NS="mwg502$1$$"
    work=$(mktemp -d "/tmp/mwg502$1.XXXXXX")
    chmod 755 "$work"
    pids=()
    lab_label=$1
    trap lab_netns_cleanup EXIT
    trap 'exit 130' INT TERM
}

lab_netns_cleanup() {
    set +e
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.5
    # Whatever is still inside our namespace was started by this script.
    if ip netns pids "$NS" >/dev/null 2>&1; then
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        sleep 0.5
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$NS" 2>/dev/null
    fi
    rm -rf "/etc/netns/$NS" "$work"
}

inns() { timeout "$1" ip netns exec "$NS" "${@:2}"; }
# timeout(1) itself must be the background job (not a shell running a
# function), so that its pid is $! and a signal to it reaches the command.
bgns() { timeout "$1" ip netns exec "$NS" "${@:2}" & pids+=($!); bg_pid=$!; }

lab_netns_up() {
    timeout 10 ip netns add "$NS" ||
        { echo "$lab_label: cannot make network namespace $NS; refusing to run" >&2; exit 2; }
    inns 10 ip link set lo up
    local links
    links=$(inns 10 ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')
    [ "$links" = "lo " ] || { echo "$lab_label: namespace has unexpected links: $links" >&2; exit 2; }
}
