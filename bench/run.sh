#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The mwg502 benchmark: tshark with the plugin against tshark without it.
#
# usage: bench/run.sh [-r ROUNDS] [-c CAPTURE] [-a ADVERSARIAL] [PATH/TO/mwg502.so]
#        bench/run.sh --shapes[=NAME,...] [-r ROUNDS] [PATH/TO/mwg502.so]
#        bench/run.sh --instructions[=FRAMES] [--shapes[=NAME,...]] [-c CAPTURE] [PATH/TO/mwg502.so]
#
# Defaults: 5 rounds, bench/out/gateway.pcap and bench/out/adversarial.pcap
# (made by bench/make-capture.py and bench/make-adversarial.py when missing),
# build/mwg502.so.  Every measured command runs as the same user with the
# same throw-away HOME, in three set-ups:
#
#   plugin   tests/tshark-with-plugin.sh (the plugin loaded and enabled)
#   disabled the same, with --disable-protocol mwg502
#   plain    tshark with its global plugins but mwg502: a copy of the
#            global folder without it, as WIRESHARK_PLUGIN_DIR (a global
#            mwg502.so, as an installed package leaves, would otherwise run
#            in the baseline too)
#
# Rounds alternate the set-ups, so that a slow spell of the machine hits all
# of them alike.  Each command's wall time and peak RSS come from
# /usr/bin/time -f '%e %M' around tshark itself (not around the wrapper's
# own set-up).  Printed: medians, and the ratios plugin/plain and
# disabled/plain (targets: <= 1.10 and <= 1.02).
#
# --shapes: instead, the same comparison (plugin against plain, one pass
# `-r` and two passes `-2 -r`) on each stress shape of bench/make-shapes.py
# at its benchmark scale (bench/out/shape-NAME.pcap, made when missing),
# and a table of ratios per shape: wall time, CPU time (user + system,
# steadier when other work shares the machine) and peak RSS.  NAME,...:
# some of them (see SHAPES below).  In the cut shapes the two are
# not like for like: the plugin has Wireshark decode its proxy ports as
# HTTP, while plain tshark finds HTTP on 9090 by heuristics, which fail on
# records cut short.
#
# --instructions: the instructions tshark executes, counted by valgrind's
# callgrind (installed when missing), plugin against plain, one pass and
# two, on the first FRAMES frames (default 100,000) of the realistic capture
# or of each shape given with --shapes.  Unlike time, the count does not
# move with the machine's load, so a change of a few percent shows; it
# misses what waiting for memory costs (see README.md).  Callgrind runs
# tshark some 50 times slower: a shape takes minutes.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
root=$(dirname "$here")
rounds=5
capture="$here/out/gateway.pcap"
adversarial="$here/out/adversarial.pcap"
# name|make-shapes.py arguments: the shapes at benchmark scale
SHAPES=(
    "storm|--shape storm"
    "shared-evidence|--shape shared-evidence"
    "shared-syn|--shape shared-syn"
    "big-pages|--shape big-pages"
    "dense-flood|--shape dense-flood"
    "pipeline|--shape pipeline --depth 17"
    "pipeline-100|--shape pipeline --depth 100"
    "per-segment|--shape per-segment"
    "lost-response|--shape lost-response"
    "lost-request|--shape lost-request"
    "cut-96|--shape cut --snaplen 96"
    "cut-68|--shape cut --snaplen 68"
    "unresolved|--shape unresolved"
    "dns-outage|--shape dns-outage"
)
shapes=""
instructions=""
args=()
for a in "$@"; do
    case $a in
    --shapes) shapes=all ;;
    --shapes=*) shapes=${a#--shapes=} ;;
    --instructions) instructions=100000 ;;
    --instructions=*) instructions=${a#--instructions=} ;;
    *) args+=("$a") ;;
    esac
done
set -- ${args[@]+"${args[@]}"}
while getopts r:c:a: opt; do
    case $opt in
    r) rounds=$OPTARG ;;
    c) capture=$OPTARG ;;
    a) adversarial=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[[ -z "$instructions" || "$instructions" =~ ^[1-9][0-9]*$ ]] || { echo "--instructions=FRAMES: a frame count" >&2; exit 2; }
plugin=$(readlink -f "${1:-$root/build/mwg502.so}")
[ -f "$plugin" ] || { echo "no plugin at $plugin (build it first)" >&2; exit 2; }

py=/usr/bin/python3
mkdir -p "$here/out"
if [ -z "$shapes" ]; then
    [ -f "$capture" ] || "$py" "$here/make-capture.py" -o "$capture"
    [ -f "$adversarial" ] || [ -n "$instructions" ] || "$py" "$here/make-adversarial.py" -o "$adversarial"
    chmod a+r "$capture"
    [ -n "$instructions" ] || chmod a+r "$adversarial"
fi
# tshark runs as nobody when we are root: it must reach the inputs.
d=$(dirname "$(readlink -f "$capture")")
while [ "$d" != / ] && [ "$d" != . ]; do chmod a+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 777 "$work"
mkdir -p "$work/bin" "$work/home"
chmod 777 "$work/home"
real_tshark=$(command -v tshark)
# A tshark that times itself or, for --instructions, runs under callgrind;
# not for the wrapper's "tshark -G folders".
cat >"$work/bin/tshark" <<EOF
#!/bin/sh
if [ "\$1" != -G ] && [ -n "\${BENCH_CALLGRIND_OUT:-}" ]; then
    exec valgrind --tool=callgrind --callgrind-out-file="\$BENCH_CALLGRIND_OUT" "$real_tshark" "\$@"
fi
if [ "\$1" = -G ] || [ -z "\${BENCH_TIME_FILE:-}" ]; then exec "$real_tshark" "\$@"; fi
exec /usr/bin/time -o "\$BENCH_TIME_FILE" -f "\${BENCH_TIME_FORMAT:-%e %M}" "$real_tshark" "\$@"
EOF
chmod 755 "$work/bin/tshark"
export PATH="$work/bin:$PATH"

as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all env HOME="$work/home" "$@"
    else
        env HOME="$work/home" "$@"
    fi
}

# plain, without any mwg502: the global plugins but mwg502, for the
# unprivileged user tshark runs as (root ignores WIRESHARK_PLUGIN_DIR)
global=$(tshark -G folders 2>/dev/null | awk -F'\t' '/^Global Plugins:/ {print $2}' | sed 's/[[:space:]]*$//')
plain_dir="$work/plain-plugins"
for kind in "$global"/*/; do
    kind=$(basename "$kind")
    mkdir -p "$plain_dir/$(basename "$global")/$kind"
    for so in "$global/$kind"/*.so; do
        [ -e "$so" ] && [ "$(basename "$so")" != mwg502.so ] && cp "$so" "$plain_dir/$(basename "$global")/$kind/"
    done
done
chmod -R a+rX "$plain_dir"
if as_user WIRESHARK_PLUGIN_DIR="$plain_dir" tshark -G plugins 2>/dev/null | grep -q mwg502; then
    echo "plain tshark still loads an mwg502 plugin: the baseline would not be plain" >&2
    exit 2
fi

# run SETUP NAME tshark-args... : appends "time rss" to $work/NAME.SETUP
run() {
    local setup=$1 name=$2
    shift 2
    local tf="$work/t.$setup.$name"
    rm -f "$tf"
    case $setup in
    plugin) BENCH_TIME_FILE=$tf "$root/tests/tshark-with-plugin.sh" "$plugin" "$@" >/dev/null 2>&1 ;;
    disabled) BENCH_TIME_FILE=$tf "$root/tests/tshark-with-plugin.sh" "$plugin" --disable-protocol mwg502 "$@" >/dev/null 2>&1 ;;
    plain) as_user WIRESHARK_PLUGIN_DIR="$plain_dir" BENCH_TIME_FILE="$tf" tshark "$@" >/dev/null 2>&1 ;;
    esac
    tail -n 1 "$tf" >>"$work/$name.$setup"
}

# The shapes asked for, made when missing.
selected=()
if [ -n "$shapes" ]; then
    for s in "${SHAPES[@]}"; do
        IFS='|' read -r name _ <<<"$s"
        if [ "$shapes" = all ] || [[ ",$shapes," == *",$name,"* ]]; then selected+=("$s"); fi
    done
    [ ${#selected[@]} -gt 0 ] || { echo "no such shape: $shapes (shapes: ${SHAPES[*]%%|*})" >&2; exit 2; }
    for s in "${selected[@]}"; do
        IFS='|' read -r name gen <<<"$s"
        cap="$here/out/shape-$name.pcap"
        # shellcheck disable=SC2086
        [ -f "$cap" ] || "$py" "$here/make-shapes.py" $gen -o "$cap"
        chmod a+r "$cap"
    done
fi

if [ -n "$instructions" ]; then
    source "$root/scripts/common.sh"
    mwg502_install_missing valgrind
    source "$root/tests/plugin-folder.sh"
    mwg502_plugin_folder "$plugin" "$work/with"
    # instructions SETUP ARGS...: what tshark executed, all threads
    instructions() {
        local dir=$plain_dir out="$work/callgrind.out"
        [ "$1" = plugin ] && dir="$work/with/plugins"
        shift
        rm -f "$out"
        as_user WIRESHARK_PLUGIN_DIR="$dir" BENCH_CALLGRIND_OUT="$out" tshark "$@" >/dev/null 2>&1
        awk '/^summary:/ { print $2 }' "$out"
    }
    names=() caps=()
    if [ ${#selected[@]} -gt 0 ]; then
        for s in "${selected[@]}"; do
            names+=("${s%%|*}")
            caps+=("$here/out/shape-${s%%|*}.pcap")
        done
    else
        names+=("$(basename "$capture" .pcap)")
        caps+=("$capture")
    fi
    echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{print $3}')"
    echo "instructions executed (valgrind --tool=callgrind), first $instructions frames"
    printf '\n%-16s %8s | %-25s | %-25s\n' "" "" "one pass (-r)" "two passes (-2 -r)"
    printf '%-16s %8s | %9s %9s %5s | %9s %9s %5s\n' capture frames "M plug" "M plain" ratio "M plug" "M plain" ratio
    status=0
    for i in "${!caps[@]}"; do
        slice="$work/slice.pcap"
        editcap -r "${caps[$i]}" "$slice" "1-$instructions" 2>/dev/null
        chmod a+r "$slice"
        frames=$(capinfos -c -M "$slice" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
        line=$(printf '%-16s %8s' "${names[$i]}" "$frames")
        for mode in "-r" "-2 -r"; do
            # shellcheck disable=SC2086
            n_plug=$(instructions plugin $mode "$slice")
            # shellcheck disable=SC2086
            n_plain=$(instructions plain $mode "$slice")
            if [ -z "$n_plug" ] || [ -z "$n_plain" ]; then
                echo "callgrind gave no count for ${names[$i]} ($mode)" >&2
                exit 2
            fi
            line+=$(awk -v a="$n_plug" -v b="$n_plain" 'BEGIN { printf " | %9.0f %9.0f %5.3f", a / 1e6, b / 1e6, a / b }')
            awk -v a="$n_plug" -v b="$n_plain" 'BEGIN { exit !(a / b > 1.10) }' && status=1
        done
        echo "$line"
    done
    echo "(M: millions of instructions; ratio = plugin/plain; target <= 1.10)"
    [ "$status" = 0 ] && echo "all targets met" || echo "SOME TARGETS MISSED"
    exit "$status"
fi

if [ -n "$shapes" ]; then
    # shape_run SETUP NAME tshark-args...: appends "time rss" to $work/NAME.SETUP
    shape_run() {
        local setup=$1 name=$2 tf="$work/t"
        shift 2
        rm -f "$tf"
        # wall seconds, peak RSS KB, user and system CPU seconds
        if [ "$setup" = plugin ]; then
            BENCH_TIME_FORMAT='%e %M %U %S' BENCH_TIME_FILE=$tf "$root/tests/tshark-with-plugin.sh" "$plugin" "$@" \
                >/dev/null 2>&1
        else
            as_user WIRESHARK_PLUGIN_DIR="$plain_dir" BENCH_TIME_FORMAT='%e %M %U %S' BENCH_TIME_FILE="$tf" \
                tshark "$@" >/dev/null 2>&1
        fi
        tail -n 1 "$tf" >>"$work/$name.$setup"
    }
    echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{print $3}')"
    echo "rounds: $rounds (plugin: $plugin; plain: global plugins without mwg502)"
    for ((r = 1; r <= rounds; r++)); do
        for s in "${selected[@]}"; do
            IFS='|' read -r name _ <<<"$s"
            cap="$here/out/shape-$name.pcap"
            if ((r % 2)); then order="plugin plain"; else order="plain plugin"; fi
            cat "$cap" >/dev/null   # in the page cache: neither set-up pays the disk
            for setup in $order; do
                shape_run "$setup" "$name.read" -r "$cap"
                shape_run "$setup" "$name.two" -2 -r "$cap"
            done
            echo "round $r: $name done" >&2
        done
    done
    median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    col() { awk -v c="$2" '{ print $c }' "$1"; }
    printf '\n%-16s %8s %6s | %-47s | %-47s\n' "" "" "" "one pass (-r)" "two passes (-2 -r)"
    printf '%-16s %8s %6s | %7s %7s %5s %5s %6s %6s %5s | %7s %7s %5s %5s %6s %6s %5s\n' shape frames errors \
        "t plug" "t plain" ratio cpu "MB plg" "MB pln" ratio "t plug" "t plain" ratio cpu "MB plg" "MB pln" ratio
    status=0
    for s in "${selected[@]}"; do
        IFS='|' read -r name _ <<<"$s"
        cap="$here/out/shape-$name.pcap"
        frames=$(capinfos -c -M "$cap" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}')
        errors=$(grep -vc '^#' "$cap.truth" || true)
        line=$(printf '%-16s %8s %6s' "$name" "$frames" "$errors")
        for mode in read two; do
            tp=$(col "$work/$name.$mode.plugin" 1 | median); tn=$(col "$work/$name.$mode.plain" 1 | median)
            mp=$(col "$work/$name.$mode.plugin" 2 | median); mn=$(col "$work/$name.$mode.plain" 2 | median)
            cp=$(awk '{ print $3 + $4 }' "$work/$name.$mode.plugin" | median)
            cn=$(awk '{ print $3 + $4 }' "$work/$name.$mode.plain" | median)
            line+=$(awk -v a="$tp" -v b="$tn" -v c="$mp" -v d="$mn" -v e="$cp" -v f="$cn" \
                'BEGIN { printf " | %7.2f %7.2f %5.2f %5.2f %6.0f %6.0f %5.2f", a, b, a / b, e / f, c / 1024, d / 1024, c / d }')
            awk -v a="$tp" -v b="$tn" -v c="$mp" -v d="$mn" 'BEGIN { exit !(a / b > 1.10 || c / d > 1.10) }' && status=1
        done
        echo "$line"
    done
    echo "(t: median wall seconds; cpu: plugin/plain of the median user+system CPU seconds, steadier than"
    echo " wall time on a busy machine; MB: median peak RSS; ratio = plugin/plain; target <= 1.10)"
    [ "$status" = 0 ] && echo "all targets met" || echo "SOME TARGETS MISSED"
    exit "$status"
fi

cap=$capture
# name, then the arguments for plugin/disabled, then ':::' and those for plain
tests=(
    "read|-r $cap|-r $cap"
    "filter|-r $cap -Y mwg502.cause|-r $cap -Y http.response.code==502"
    "fields|-r $cap -T fields -e frame.number -e mwg502.cause|-r $cap -T fields -e frame.number -e http.response.code"
    "two-pass|-2 -r $cap|-2 -r $cap"
)

echo "capture: $capture ($(capinfos -c -M "$capture" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}') frames)"
echo "machine: $(nproc) cores, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{print $3}')"
echo "rounds: $rounds"
for ((r = 1; r <= rounds; r++)); do
    for t in "${tests[@]}"; do
        IFS='|' read -r name with without <<<"$t"
        # alternate the order of the set-ups from round to round
        if ((r % 2)); then order="plugin disabled plain"; else order="plain disabled plugin"; fi
        for s in $order; do
            # shellcheck disable=SC2086
            if [ "$s" = plain ]; then run plain "$name" $without; else
                if [ "$s" = disabled ]; then run disabled "$name" $without; else run plugin "$name" $with; fi
            fi
        done
    done
    echo "round $r done" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$1"; }

printf '\n%-9s %9s %9s %9s %8s %8s | %9s %9s %9s %8s %8s\n' test "t plugin" "t disab" "t plain" "ratio" "dis/pl" \
    "MB plugin" "MB disab" "MB plain" "ratio" "dis/pl"
status=0
for t in "${tests[@]}"; do
    IFS='|' read -r name _ _ <<<"$t"
    tp=$(col "$work/$name.plugin" 1 | median); td=$(col "$work/$name.disabled" 1 | median); tn=$(col "$work/$name.plain" 1 | median)
    mp=$(col "$work/$name.plugin" 2 | median); md=$(col "$work/$name.disabled" 2 | median); mn=$(col "$work/$name.plain" 2 | median)
    read -r rt rtd rm rmd <<<"$(awk -v a="$tp" -v b="$td" -v c="$tn" -v d="$mp" -v e="$md" -v f="$mn" \
        'BEGIN { printf "%.3f %.3f %.3f %.3f", a / c, b / c, d / f, e / f }')"
    printf '%-9s %9.2f %9.2f %9.2f %8s %8s | %9.1f %9.1f %9.1f %8s %8s\n' "$name" "$tp" "$td" "$tn" "$rt" "$rtd" \
        "$(awk -v k="$mp" 'BEGIN { print k / 1024 }')" "$(awk -v k="$md" 'BEGIN { print k / 1024 }')" \
        "$(awk -v k="$mn" 'BEGIN { print k / 1024 }')" "$rm" "$rmd"
    awk -v a="$rt" -v b="$rm" -v c="$rtd" 'BEGIN { exit !(a > 1.10 || b > 1.10 || c > 1.02) }' && status=1
done
echo "(times: median seconds; MB: median peak RSS; ratio = plugin/plain; dis/pl = disabled/plain;"
echo " targets: ratio <= 1.10, dis/pl <= 1.02)"

echo
echo "adversarial: $adversarial ($(capinfos -c -M "$adversarial" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}') frames)"
for ((r = 1; r <= 2; r++)); do
    run plugin adv -r "$adversarial"
    run plain adv -r "$adversarial"
done
ap=$(col "$work/adv.plugin" 2 | sort -n | tail -n 1); an=$(col "$work/adv.plain" 2 | sort -n | tail -n 1)
atp=$(col "$work/adv.plugin" 1 | median); atn=$(col "$work/adv.plain" 1 | median)
awk -v p="$ap" -v n="$an" -v tp="$atp" -v tn="$atn" 'BEGIN {
    printf "peak RSS plugin %.1f MB, plain %.1f MB: the plugin adds %.1f MB (%.3f); time %.2f s vs %.2f s (%.3f)\n",
        p / 1024, n / 1024, (p - n) / 1024, p / n, tp, tn, tp / tn }'
[ "$status" = 0 ] && echo "all targets met" || echo "SOME TARGETS MISSED"
exit "$status"
