#!/usr/bin/env bash
# Records real forward proxies failing on a real network stack, for mwg502.
#
# usage (as root): tests/lab/record.sh [OUTDIR [PROXY...]]
#   OUTDIR  where the captures go (default: captures/lab of this repository)
#   PROXY   any of: squid nginx apache tinyproxy squid-longconnect
#           squid-negcache squid-sll1 squid-pcapng squid-multi nginx-multi
#           apache-multi, or `multi` for the three -multi runs (default: all)
#
# Everything happens inside a private network namespace made here with
# `ip netns add` (loopback only: no interface, no route leaves it; firewall
# rules are the namespace's own).  In it:
#   127.0.2.53   dnsmasq, the DNS server every proxy uses; names under .lab:
#                ok -> .10, drop -> .11, ... (see NAMES below), nx.lab is
#                NXDOMAIN, servfail.lab is answered Server failure (forwarded
#                to a tiny server on 127.0.2.54 that says so), noanswer.lab
#                is never answered (forwarded to 127.0.2.55, whose packets
#                the namespace's firewall drops)
#   127.0.1.x    upstreams on port 80 (and 443, for CONNECT):
#                .10 serves HTTP            .11 drops SYNs (firewall DROP)
#                .12 closed port (RST)      .13 ICMP admin-prohibited
#                .14 ICMP host-unreachable  .15 ICMP port-unreachable
#                .16 answers non-HTTP bytes .17 accepts, never answers
#                .18 closes without a byte  .19 answers its own 502
#                .20 answers a broken status line ("HTTP/1.1 abc")
#                dual.lab has 127.0.1.12 and ::1 (both closed ports: RST)
#                rst3.lab has 127.0.1.12, .21, .22 (all closed: RST each)
#                drop2.lab has 127.0.1.11 and .23 (both drop SYNs)
#                droprst.lab has 127.0.1.11 (drops) and 127.0.1.12 (RST)
#   127.0.2.56   a second dnsmasq, the FIRST of two DNS servers in the -multi
#                runs (127.0.2.53 is the second): it answers the lab's names
#                as 127.0.2.53 does, but never answers *.dead.lab (forwarded
#                to the blackholed 127.0.2.55) and answers *.sf.lab Server
#                failure (forwarded to 127.0.2.54); 127.0.2.53 answers
#                ok.dead.lab / ok.sf.lab 127.0.1.10 and the rest NXDOMAIN
#   127.0.0.1:9090  one proxy at a time; curl -x drives it.
# Each proxy run is captured with `tcpdump -i any` (one run also with
# dumpcap as pcapng, one with Linux cooked v1), with a filter that leaves
# out the DNS server's own forwarding (a gateway capture would not hold it).
# The client's results (URL -> HTTP status) go to OUTDIR/<proxy>-all.log.
#
# Needs Debian packages (installed here when missing): dnsmasq-base squid
# nginx apache2 tinyproxy tcpdump iptables curl; dumpcap for the pcapng run.
# Every wait is bounded and every command runs under `timeout`; a trap stops
# everything started here and deletes the namespace.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$here/../..")
out=$(readlink -f "${1:-$repo/captures/lab}")
shift || true
proxies=("$@")
[ ${#proxies[@]} -gt 0 ] || proxies=(squid nginx apache tinyproxy squid-longconnect squid-negcache squid-sll1 squid-pcapng multi)
multi=(squid-multi nginx-multi apache-multi)
for i in "${!proxies[@]}"; do [ "${proxies[$i]}" = multi ] && proxies[$i]="${multi[*]}"; done
read -r -a proxies <<<"${proxies[*]}"

[ "$(id -u)" -eq 0 ] || { echo "record.sh: run as root (it makes a network namespace)" >&2; exit 2; }

source "$here/netns.sh"
lab_netns_begin lab
T() { timeout "$@"; }                       # every command gets a bound

need=()
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
command -v squid >/dev/null || need+=(squid)
command -v nginx >/dev/null || need+=(nginx)
command -v apache2 >/dev/null || need+=(apache2)
command -v tinyproxy >/dev/null || need+=(tinyproxy)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v iptables >/dev/null || need+=(iptables)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
    T 1200 apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${need[@]}"
fi

# --- the namespace -----------------------------------------------------------
lab_netns_up
# ip netns exec bind-mounts /etc/netns/$NS/* over /etc: the proxies that use
# the system resolver (Apache, tinyproxy) then ask our dnsmasq only.
# The DNS servers every proxy is given, in order (the -multi runs use two).
resolvers="127.0.2.53"
set_resolvers() {   # resolv.conf from $resolvers (rewritten in place: same inode)
    mkdir -p "/etc/netns/$NS"
    { printf 'nameserver %s\n' $resolvers; printf 'options timeout:2 attempts:2\n'; } \
        >"/etc/netns/$NS/resolv.conf"
}
set_resolvers
printf '127.0.0.1 localhost\n::1 localhost\n' >"/etc/netns/$NS/hosts"

# Addresses on lo are in 127/8 already; the firewall is the namespace's own.
ipt() { inns 10 iptables -w 5 "$@"; }
ipt -A INPUT -d 127.0.1.11 -p tcp --syn -j DROP
ipt -A INPUT -d 127.0.1.23 -p tcp --syn -j DROP
ipt -A INPUT -d 127.0.1.13 -p tcp --syn -j REJECT --reject-with icmp-admin-prohibited
ipt -A INPUT -d 127.0.1.14 -p tcp --syn -j REJECT --reject-with icmp-host-unreachable
ipt -A INPUT -d 127.0.1.15 -p tcp --syn -j REJECT --reject-with icmp-port-unreachable
ipt -A INPUT -d 127.0.2.55 -j DROP
# Kernel defaults for the SYN retries (per namespace): say what they are.
syn_retries=$(inns 5 sysctl -n net.ipv4.tcp_syn_retries)
syn_linear=$(inns 5 sysctl -n net.ipv4.tcp_syn_linear_timeouts 2>/dev/null || echo n/a)

# --- DNS -----------------------------------------------------------------------
# Two instances share the lab's names: 127.0.2.53 (every proxy's server, the
# second of two in the -multi runs) and 127.0.2.56 (the first in those runs).
dns_common() {   # listen-address
    cat <<EOF
no-resolv
no-hosts
no-poll
bind-interfaces
listen-address=$1
port=53
log-queries
EOF
}
dns_common 127.0.2.53 >"$work/dnsmasq.conf"
dns_common 127.0.2.56 >"$work/dnsmasq-first.conf"
cat >>"$work/dnsmasq-first.conf" <<'EOF'
server=/dead.lab/127.0.2.55#53
server=/sf.lab/127.0.2.54#53
EOF
cat >>"$work/dnsmasq.conf" <<'EOF'
host-record=ok.dead.lab,127.0.1.10
host-record=ok.sf.lab,127.0.1.10
EOF
cat >"$work/dnsmasq-names.conf" <<'EOF'
local=/lab/
host-record=ok.lab,127.0.1.10
host-record=drop.lab,127.0.1.11
host-record=closed.lab,127.0.1.12
host-record=adminprohib.lab,127.0.1.13
host-record=hostunreach.lab,127.0.1.14
host-record=portunreach.lab,127.0.1.15
host-record=garbage.lab,127.0.1.16
host-record=silent.lab,127.0.1.17
host-record=close.lab,127.0.1.18
host-record=err502.lab,127.0.1.19
host-record=badstatus.lab,127.0.1.20
host-record=dual.lab,127.0.1.12,::1
host-record=rst3.lab,127.0.1.12
host-record=rst3.lab,127.0.1.21
host-record=rst3.lab,127.0.1.22
host-record=drop2.lab,127.0.1.11
host-record=drop2.lab,127.0.1.23
host-record=droprst.lab,127.0.1.11
host-record=droprst.lab,127.0.1.12
server=/servfail.lab/127.0.2.54#53
server=/noanswer.lab/127.0.2.55#53
cache-size=0
neg-ttl=0
EOF
for c in dnsmasq dnsmasq-first; do
    cat "$work/dnsmasq-names.conf" >>"$work/$c.conf"
    bgns 1800 dnsmasq --keep-in-foreground --conf-file="$work/$c.conf" --user=root \
        --pid-file="$work/$c.pid" --log-facility="$work/$c.log"
done

# --- upstreams -----------------------------------------------------------------
srv() { bgns 1800 /usr/bin/python3 "$here/lab-servers.py" "$@" 1700; }
srv servfail 127.0.2.54 53
for port in 80 443; do
    srv http 127.0.1.10 $port
    srv garbage 127.0.1.16 $port
    srv silent 127.0.1.17 $port
    srv close 127.0.1.18 $port
    srv err502 127.0.1.19 $port
    srv badstatus 127.0.1.20 $port
done

wait_port() {   # address port: bounded wait for a listener
    local i
    for i in $(seq 1 50); do
        inns 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "record.sh: nothing listens on $1:$2" >&2
    return 1
}
wait_port 127.0.1.10 80
wait_port 127.0.1.19 443
for i in $(seq 1 50); do
    [ -s "$work/dnsmasq.pid" ] && [ -s "$work/dnsmasq-first.pid" ] && break
    sleep 0.2
done

# --- proxies -----------------------------------------------------------------
# Each writes its config into $work/<name>/ and starts in the foreground.
start_squid() {   # connect_timeout in seconds
    local d="$work/squid" ct=$1
    mkdir -p "$d"; chown proxy:proxy "$d"
    cat >"$d/squid.conf" <<EOF
http_port 127.0.0.1:9090
http_access allow all
dns_nameservers $resolvers
dns_timeout 4 seconds
dns_retransmit_interval 1 seconds
connect_timeout $ct seconds
forward_timeout $((ct + 2)) seconds
read_timeout 4 seconds
request_timeout 10 seconds
connect_retries 0
forward_max_tries $squid_tries
negative_dns_ttl 30 seconds
positive_dns_ttl 1 seconds
hosts_file none
pid_filename $d/squid.pid
cache_log $d/cache.log
access_log stdio:$d/access.log
cache deny all
cache_mem 8 MB
shutdown_lifetime 1 seconds
coredump_dir $d
visible_hostname mwg502lab
EOF
    chown -R proxy:proxy "$d"
    bgns 1800 squid -N -f "$d/squid.conf"
    proxy_pid=$bg_pid
}

start_nginx() {
    local d="$work/nginx"
    mkdir -p "$d"; chmod 777 "$d"
    cat >"$d/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log info;
events { worker_connections 64; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
    resolver $resolvers valid=1s;
    resolver_timeout ${nginx_resolver_timeout}s;
    server {
        listen 127.0.0.1:9090;
        location / {
            proxy_pass http://\$http_host\$request_uri;
            proxy_connect_timeout 3s;
            proxy_read_timeout 4s;
            proxy_send_timeout 4s;
        }
    }
}
EOF
    bgns 1800 nginx -c "$d/nginx.conf"
    proxy_pid=$bg_pid
}

start_apache() {
    local d="$work/apache"
    mkdir -p "$d"; chmod 777 "$d"
    cat >"$d/apache2.conf" <<EOF
ServerRoot /etc/apache2
ServerName mwg502lab
PidFile $d/apache2.pid
Mutex file:$d default
DefaultRuntimeDir $d
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LoadModule proxy_connect_module /usr/lib/apache2/modules/mod_proxy_connect.so
User www-data
Group www-data
Listen 127.0.0.1:9090
ErrorLog $d/error.log
LogLevel warn
Timeout 4
ProxyTimeout 4
ProxyRequests On
AllowCONNECT 443 80
<Proxy "*">
    Require all granted
</Proxy>
EOF
    bgns 1800 apache2 -f "$d/apache2.conf" -DFOREGROUND
    proxy_pid=$bg_pid
}

start_tinyproxy() {
    local d="$work/tinyproxy"
    mkdir -p "$d"; chmod 777 "$d"
    cat >"$d/tinyproxy.conf" <<EOF
User nobody
Group nogroup
Port 9090
Listen 127.0.0.1
Timeout 5
LogFile "$d/tinyproxy.log"
LogLevel Info
PidFile "$d/tinyproxy.pid"
MaxClients 20
Allow 127.0.0.1
ConnectPort 443
ConnectPort 80
EOF
    bgns 1800 tinyproxy -d -c "$d/tinyproxy.conf"
    proxy_pid=$bg_pid
}

stop_proxy() {
    # $proxy_pid is timeout(1); its child (ip netns exec execs) is the proxy.
    local i child
    child=$(pgrep -P "$proxy_pid" || true)
    kill $child "$proxy_pid" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$proxy_pid" $child 2>/dev/null || break; sleep 0.2; done
    kill -9 $child "$proxy_pid" 2>/dev/null || true
    # Proxies' helpers (squid's children, nginx/apache workers) end with it;
    # anything listening on 9090 still would be ours: wait for it to go.
    for i in $(seq 1 30); do
        inns 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090' 2>/dev/null || break
        sleep 0.2
    done
}

# --- the client ----------------------------------------------------------------
get() {   # url [max-time]: one request through the proxy, logs the status
    local code
    # For https URLs the status that matters is the CONNECT's (http_connect).
    code=$(inns $(( ${2:-30} + 5 )) curl -s -o /dev/null -w '%{http_code} %{http_connect}' \
        --max-time "${2:-30}" -x http://127.0.0.1:9090 -k "$1" 2>/dev/null) || true
    case $1 in https:*) code=${code#* } ;; *) code=${code% *} ;; esac
    printf '%s %s\n' "${code:-000}" "$1" | tee -a "$log"
    sleep 1
}

scenario_all() {
    get http://ok.lab/
    get http://nx.lab/
    get http://servfail.lab/
    get http://noanswer.lab/
    get http://ok.lab/again
    get http://drop.lab/ 60
    get http://closed.lab/
    get http://dual.lab/
    get http://adminprohib.lab/
    get http://hostunreach.lab/
    get http://portunreach.lab/
    get http://ok.lab/between
    get http://garbage.lab/
    get http://badstatus.lab/
    get http://silent.lab/
    get http://close.lab/
    get http://err502.lab/
    get http://ok.lab/healthy
    if true; then   # nginx has no CONNECT: it answers 400 (no verdict)
        get https://closed.lab/
        get https://drop.lab/
        get https://portunreach.lab/
        get https://nx.lab/
        get https://ok.lab/ 5     # a tunnel that works (TLS then fails: not HTTP)
    fi
    get http://ok.lab/last
}

scenario_negcache() {   # the second asks hit the proxy's negative DNS cache
    get http://ok.lab/
    get http://nx.lab/
    get http://nx.lab/again
    get https://nx.lab/
    get http://ok.lab/last
}

scenario_multi() {   # several A records; two DNS servers, the first failing
    get http://ok.lab/
    get http://rst3.lab/          # three addresses, all closed ports (RST)
    get http://drop2.lab/ 60      # two addresses, both drop SYNs
    get http://droprst.lab/ 60    # one drops SYNs, one RSTs
    get http://ok.lab/between
    get http://ok.dead.lab/       # first server silent, second answers
    get http://nx.dead.lab/       # first server silent, second NXDOMAIN
    get http://ok.sf.lab/         # first server SERVFAIL, second answers
    get http://nx.sf.lab/         # first server SERVFAIL, second NXDOMAIN
    get http://servfail.lab/      # both SERVFAIL
    get http://noanswer.lab/ 60   # neither answers
    get http://ok.lab/healthy
    get https://rst3.lab/         # CONNECT (nginx: 400)
    get https://nxc.dead.lab/
    get http://ok.lab/last
}

scenario_longconnect() {
    get http://ok.lab/
    get http://drop.lab/ 90
    get http://ok.lab/last
}

record() {   # name proxy-start-command capture-tool scenario
    local name=$1 start=$2 tool=$3 scen=$4 ext=pcap cap_pid
    log="$out/$name.log"
    : >"$log"
    [ "$tool" = dumpcap ] && ext=pcapng
    local file="$out/$name.$ext"
    rm -f "$out/$name.pcap" "$out/$name.pcapng"
    # Leave out the DNS server's forwarding to its own backends.
    local filter='not host 127.0.2.54 and not host 127.0.2.55'
    case $tool in
        tcpdump)   bgns 600 tcpdump -i any -s 0 -U -w "$file" "$filter" 2>"$work/cap.err" ;;
        tcpdump1)  bgns 600 tcpdump -i any -y LINUX_SLL -s 0 -U -w "$file" "$filter" 2>"$work/cap.err" ;;
        dumpcap)   bgns 600 dumpcap -q -i any -f "$filter" -w "$file" 2>"$work/cap.err" ;;
    esac
    cap_pid=$bg_pid
    sleep 2
    $start
    wait_port 127.0.0.1 9090
    sleep 1
    echo "== $name ($(proxy_version "$name"))" | tee -a "$log"
    $scen "$name"
    sleep 2
    stop_proxy
    sleep 1
    # timeout(1) passes TERM on to the capture tool, which then flushes.
    kill -TERM "$cap_pid" 2>/dev/null || true
    wait "$cap_pid" 2>/dev/null || true
    chmod 644 "$file"
    echo "   -> $file ($(stat -c %s "$file") bytes)"
}

proxy_version() {
    case $1 in
        squid*)    squid -v | sed -n '1s/.*Version /squid /p' ;;
        nginx*)    nginx -v 2>&1 | sed 's/.*version: //' ;;
        apache*)   apache2 -v | sed -n '1s/.*version: //p' ;;
        tinyproxy*) tinyproxy -v | head -n 1 ;;
    esac
}

# Knobs of the proxies' configurations; the -multi runs change them.
squid_tries=2 nginx_resolver_timeout=4
multi_setup() {   # two DNS servers, the first failing; room for the retries
    resolvers="127.0.2.56 127.0.2.53"
    # Squid: all three addresses of rst3.lab; nginx: its resend to the
    # second server comes 5 s after the first query (fixed), so wait longer.
    squid_tries=3 nginx_resolver_timeout=12
    set_resolvers
}
multi_reset() { resolvers="127.0.2.53"; squid_tries=2 nginx_resolver_timeout=4; set_resolvers; }

mkdir -p "$out"
echo "kernel $(uname -r): tcp_syn_retries=$syn_retries tcp_syn_linear_timeouts=$syn_linear"
for p in "${proxies[@]}"; do
    case $p in
        squid)             record squid-all "start_squid 3" tcpdump scenario_all ;;
        nginx)             record nginx-all start_nginx tcpdump scenario_all ;;
        apache)            record apache-all start_apache tcpdump scenario_all ;;
        tinyproxy)         record tinyproxy-all start_tinyproxy tcpdump scenario_all ;;
        squid-longconnect) record squid-longconnect "start_squid 60" tcpdump scenario_longconnect ;;
        squid-negcache)    record squid-negcache "start_squid 3" tcpdump scenario_negcache ;;
        squid-sll1)        record squid-sll1 "start_squid 3" tcpdump1 scenario_all ;;
        squid-pcapng)      record squid-pcapng "start_squid 3" dumpcap scenario_all ;;
        squid-multi)       multi_setup; record squid-multi "start_squid 3" tcpdump scenario_multi; multi_reset ;;
        nginx-multi)       multi_setup; record nginx-multi start_nginx tcpdump scenario_multi; multi_reset ;;
        apache-multi)      multi_setup; record apache-multi start_apache tcpdump scenario_multi; multi_reset ;;
        *) echo "record.sh: unknown proxy $p" >&2; exit 2 ;;
    esac
done
