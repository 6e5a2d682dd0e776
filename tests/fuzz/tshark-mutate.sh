#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzzes tshark with the mwg502 plugin on mutated captures.
#
# usage: tshark-mutate.sh [--smoke | -n COUNT] [--seed S] [--jobs J] [--keep DIR] PATH/TO/mwg502.so
#
#   --smoke     100 mutations, fixed seeds (ctest fuzz/tshark-smoke)
#   -n COUNT    that many mutations (default 100); the long run:
#                   tests/fuzz/tshark-mutate.sh -n 2000 --jobs 2 build-asan/mwg502.so
#   --seed S    first seed (default 502); input i uses seed S+i
#   --keep DIR  where failing inputs and their logs are kept (default: a
#               temporary folder, printed)
#
# Inputs: every bundled capture (captures/**/*.pcap*).  Mutation i is
#   - 9 times out of 10: editcap -E P --seed S+i of capture i mod N, with P
#     cycling over 0.002 0.005 0.02 0.05 (bytes changed at random, headers
#     included),
#   - 1 time out of 10: randpkt -r (random packets of every kind it knows:
#     randpkt has no seed, so these are kept when they fail).
# Each mutated input is read by tshark with the plugin in two passes (-2)
# with the full tree (-V) and a filter naming mwg502 fields.  When the
# plugin is built with AddressSanitizer (cmake -DMWG502_SANITIZE=ON), the
# compiler's libasan is preloaded into tshark and every sanitizer report
# counts.  A failure (signal, abort, sanitizer report, exit status > 2) is
# then checked with the same tshark without the plugin (same preload): a
# crash that happens without the plugin too is Wireshark's, not ours.
#
# Prints one line per failure and a summary; exits 1 when the plugin caused
# any failure.
set -uo pipefail

here=$(dirname "$(readlink -f "$0")")
root=$(readlink -f "$here/../..")
count=100
seed=502
jobs=1
keep=""
while [ $# -gt 1 ]; do
    case $1 in
    --smoke) count=100; seed=502 ;;
    -n) count=$2; shift ;;
    --seed) seed=$2; shift ;;
    --jobs) jobs=$2; shift ;;
    --keep) keep=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
plugin=$(readlink -f "${1:?usage: tshark-mutate.sh [--smoke | -n COUNT] PATH/TO/mwg502.so}")
[ -f "$plugin" ] || { echo "no plugin at $plugin" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
[ -n "$keep" ] || keep=$(mktemp -d -t mwg502-fuzz-XXXXXX)
mkdir -p "$keep"

mapfile -t inputs < <(find "$root/captures" -name '*.pcap' -o -name '*.pcapng' | sort)
[ "${#inputs[@]}" -gt 0 ] || { echo "no captures under $root/captures" >&2; exit 2; }

# An ASan plugin in an un-instrumented tshark needs the runtime preloaded.
# tshark-with-plugin.sh hands the environment to tshark (setpriv and env keep
# it); we preload only into tshark, through a tshark on PATH that adds it.
preload=""
if nm -D "$plugin" 2>/dev/null | grep __asan_init >/dev/null; then
    preload=$(gcc -print-file-name=libasan.so)
    ubsan=$(gcc -print-file-name=libubsan.so)
    [ -f "$ubsan" ] && preload="$preload:$ubsan"
fi
real_tshark=$(command -v tshark)
mkdir -p "$work/bin"
cat >"$work/bin/tshark" <<EOF
#!/bin/sh
if [ "\$1" = -G ]; then exec "$real_tshark" "\$@"; fi
exec env LD_PRELOAD="$preload" \
    ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:handle_abort=1:allocator_may_return_null=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" "$real_tshark" "\$@"
EOF
chmod 755 "$work/bin/tshark"
export PATH="$work/bin:$PATH"

# The plugin folder, laid out once as tests/tshark-with-plugin.sh does, so
# that each input costs one tshark start and not two.
# shellcheck source=tests/plugin-folder.sh
source "$root/tests/plugin-folder.sh"
mwg502_plugin_folder "$plugin" "$work" || exit 2
chmod -R a+rX "$work"

# tshark runs unprivileged, as in tests/tshark-with-plugin.sh.
user=(env)
[ "$(id -u)" -eq 0 ] && user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all env)

# failed LOG STATUS: did this run crash or report?
failed() {
    [ "$2" -gt 2 ] || grep -qE 'ERROR: AddressSanitizer|runtime error:|Segmentation fault|Aborted|GLib-CRITICAL|GLib-ERROR' "$1"
}

# fails SETUP INPUT LOG: runs tshark (SETUP plugin or plain) on INPUT, two
# passes, the full tree and a mwg502 filter; true when it crashed or reported.
fails() {
    local setup=$1 in=$2 log=$3 st=0 plugdir=()
    [ "$setup" = plugin ] && plugdir=(WIRESHARK_PLUGIN_DIR="$work/plugins")
    timeout 120 "${user[@]}" HOME="$work" "${plugdir[@]}" tshark -r "$in" -2 -V \
        -Y 'mwg502 || http.response.code == 502 || frame' >/dev/null 2>"$log"
    st=$?
    if [ "$st" = 124 ]; then echo "TIMEOUT" >>"$log"; return 0; fi
    failed "$log" "$st" && { echo "exit status $st" >>"$log"; return 0; }
    return 1
}

probs=(0.002 0.005 0.02 0.05)
types=(dns icmp tcp udp ip ipv6 eth)
# mutate I OUT: writes mutated input I, prints its description
mutate() {
    local i=$1 out=$2 s=$((seed + $1))
    if ((i % 10 == 9)); then
        local t=${types[$(((i / 10) % ${#types[@]}))]}
        randpkt -b 1500 -c 300 -t "$t" "$out" >/dev/null 2>&1
        echo "randpkt -t $t (unseeded)"
    else
        local src=${inputs[$((i % ${#inputs[@]}))]} p=${probs[$(((i / ${#inputs[@]}) % ${#probs[@]}))]}
        editcap -E "$p" --seed "$s" "$src" "$out" >/dev/null 2>&1
        echo "editcap -E $p --seed $s ${src#"$root"/}"
    fi
}

# worker J: handles inputs i with i mod jobs == J, appends results
worker() {
    local j=$1 i
    for ((i = j; i < count; i += jobs)); do
        local in="$work/in.$j.pcap" log="$work/log.$j"
        local desc
        desc=$(mutate "$i" "$in")
        chmod a+r "$in"
        if ! [ -s "$in" ]; then echo "skip $i" >>"$work/results.$j"; continue; fi
        if fails plugin "$in" "$log"; then
            if fails plain "$in" "$log.plain"; then
                echo "notours $i $desc" >>"$work/results.$j"
                echo "crash also without the plugin (not ours): input $i: $desc"
            else
                cp "$in" "$keep/input-$i.pcap"
                cp "$log" "$keep/input-$i.log"
                echo "ours $i $desc" >>"$work/results.$j"
                echo "FAILURE with the plugin only: input $i: $desc (kept in $keep/input-$i.pcap)"
                grep -m 3 -E 'ERROR: AddressSanitizer|runtime error:|#[0-3] .*mwg|exit status' "$log" | sed 's/^/    /'
            fi
        else
            echo "ok $i" >>"$work/results.$j"
        fi
    done
}

start=$SECONDS
echo "mwg502 tshark fuzz: $count mutated inputs from ${#inputs[@]} captures, seeds $seed.., $jobs job(s)," \
     "plugin $(basename "$plugin")${preload:+ (ASan/UBSan, preloaded)}"
for ((j = 0; j < jobs; j++)); do
    worker "$j" &
done
wait
cat "$work"/results.* >"$work/all"
ok=$(grep -c '^ok ' "$work/all"); ours=$(grep -c '^ours ' "$work/all")
notours=$(grep -c '^notours ' "$work/all"); skip=$(grep -c '^skip ' "$work/all")
echo "inputs: $count, clean: $ok, failures caused by the plugin: $ours," \
     "failures without the plugin too: $notours, unusable mutations: $skip, time: $((SECONDS - start)) s"
[ "$ours" = 0 ] || { echo "failing inputs kept in $keep"; exit 1; }
rmdir "$keep" 2>/dev/null || true
exit 0
