#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live use of mwg502: tshark, started before the failures, prints each
# verdict while it captures (one pass, live capture).
#
# usage (as root): tests/lab/live.sh PATH/TO/mwg502.so
#
# In a private network namespace (loopback only) it starts dnsmasq, an HTTP
# upstream, and nginx as a forward proxy on 127.0.0.1:9090; then starts
#   tcpdump -i lo -U -w - | tshark -i - -l -o mwg502.status_codes:500-504 -Y mwg502 -T fields
#       -e frame.number -e mwg502.cause -e mwg502.host
# and drives curl through an NXDOMAIN name, a closed port (RST), a host
# whose SYNs are dropped and a healthy request, and checks that each
# failure's verdict line appears while the capture is still running (nginx
# answers 504 to the dropped SYNs, hence the status_codes option).
#
# Why a pipe: tests/tshark-with-plugin.sh is what gives tshark the fresh
# plugin (as WIRESHARK_PLUGIN_DIR for a user, bind-mounted in a private
# mount namespace for root); the capture itself is done by root's tcpdump
# inside the lab namespace and written to the pipe that tshark reads with
# `-i -`, so it works whichever user tshark ends up as (nobody cannot open
# lo).  Set MWG502_LIVE_KEEP=FILE to keep what was captured when it fails.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
plugin=$(readlink -f "${1:?usage: live.sh PATH/TO/mwg502.so}")
[ "$(id -u)" -eq 0 ] || { echo "live.sh: run as root (it makes a network namespace)" >&2; exit 2; }
for tool in dnsmasq nginx tcpdump curl iptables tshark; do
    command -v "$tool" >/dev/null || { echo "live.sh: needs $tool (tests/lab/record.sh installs it)" >&2; exit 2; }
done

source "$here/netns.sh"
lab_netns_begin live

lab_netns_up
inns 10 iptables -w 5 -A INPUT -d 127.0.1.11 -p tcp --syn -j DROP

cat >"$work/dnsmasq.conf" <<'EOF'
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=127.0.2.53
local=/lab/
host-record=ok.lab,127.0.1.10
host-record=drop.lab,127.0.1.11
host-record=closed.lab,127.0.1.12
cache-size=0
EOF
bgns 300 dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq.conf" --user=root --pid-file="$work/dnsmasq.pid"
bgns 300 /usr/bin/python3 "$here/lab-servers.py" http 127.0.1.10 80 280

mkdir -p "$work/nginx"; chmod 777 "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
    resolver 127.0.2.53 ipv6=off valid=1s;
    resolver_timeout 3s;
    server {
        listen 127.0.0.1:9090;
        location / {
            proxy_pass http://\$http_host\$request_uri;
            proxy_connect_timeout 3s;
            proxy_read_timeout 3s;
        }
    }
}
EOF
bgns 300 nginx -c "$work/nginx/nginx.conf"

ready=0
for i in $(seq 1 50); do
    if inns 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090 && exec 4<>/dev/tcp/127.0.1.10/80' 2>/dev/null; then ready=1; break; fi
    sleep 0.2
done
[ "$ready" = 1 ] || { echo "live.sh: the lab did not come up" >&2; exit 1; }

# The live capture: root's tcpdump in the namespace -> pipe -> nobody's tshark.
out="$work/verdicts.txt"
: >"$out"; chmod 666 "$out"
( inns 120 tcpdump -i lo -U -s 0 -w - 2>/dev/null | tee "$work/live.pcap" |
  timeout 120 "$here/../tshark-with-plugin.sh" "$plugin" -i - -l -o mwg502.status_codes:500-504 -Y mwg502 -T fields \
      -e frame.number -e mwg502.cause -e mwg502.host >"$out" 2>"$work/tshark.err" ) &
pids+=($!)
sleep 4   # tshark and its dumpcap must be reading before the first failure

get() { inns 20 curl -s -o /dev/null -w '%{http_code}\n' --max-time 15 -x http://127.0.0.1:9090 "$1" || true; }
echo "client: ok.lab $(get http://ok.lab/) nx.lab $(get http://nx.lab/) closed.lab $(get http://closed.lab/) drop.lab $(get http://drop.lab/) ok.lab $(get http://ok.lab/)"

# Each verdict must show up while the capture still runs (bounded wait).
want=("dns_nxdomain nx.lab" "tcp_rst closed.lab" "tcp_syn_timeout drop.lab")
status=1
for i in $(seq 1 50); do
    missing=0
    for w in "${want[@]}"; do
        awk -F'\t' '{print $2, $3}' "$out" | grep -qx "$w" || missing=1
    done
    [ "$missing" = 0 ] && { status=0; break; }
    sleep 0.2
done
echo "live verdicts:"
sed 's/^/  /' "$out"
lines=$(wc -l <"$out")
if [ "$status" = 0 ] && [ "$lines" = ${#want[@]} ]; then
    echo "ok   live capture printed the ${#want[@]} verdicts as they happened"
    exit 0
fi
echo "FAIL live capture: wanted exactly: ${want[*]}" >&2
sed 's/^/  tshark: /' "$work/tshark.err" >&2
[ -n "${MWG502_LIVE_KEEP:-}" ] && cp "$work/live.pcap" "$MWG502_LIVE_KEEP"
exit 1
