#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Records real forward proxies failing on a real network stack, for mwg502.
#
# usage (as root): tests/lab/record.sh [OUTDIR [PROXY...]]
#   OUTDIR  where the captures go (default: captures/lab of this repository)
#   PROXY   any of: squid nginx apache tinyproxy squid-longconnect
#           squid-negcache squid-sll1 squid-pcapng squid-multi nginx-multi
#           apache-multi, or `multi` for the three -multi runs (default: all
#           of these); the optional runs, never in the default:
#           squid-badhdr nginx-badhdr apache-badhdr (`badhdr`),
#           squid-timeout nginx-timeout apache-timeout (`timeout`),
#           squid-storm nginx-storm (`storm`), squid-parent,
#           squid-intercept, mitmproxy, squid-ipv6 nginx-ipv6 (`ipv6`),
#           squid-bridge; `extra` for all of the optional runs but the
#           TLS ones; the TLS-intercepting runs (`tls`): mitmproxy-tls
#           mitmproxy-tls-h2 squid-bump (see "TLS interception" below)
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
#                .30-.38 start a good reply and go bad (lab-servers.py):
#                nocolon, nocolon-late, nul, nul-late, badcl, badcl-late,
#                twocl, twocl-late, bighdr (.lab names alike)
#                .39 silentrst.lab: silent, resets when the gateway closes
#   127.0.3.x    the squid-parent run: .1 the parent Squid (port 3128), .2
#                closed port, .3 drops SYNs, .4 ICMP host-unreachable, .5
#                accepts and never answers (the child Squid is restarted
#                with each as its only parent for ok.via<kind>.lab)
#   fd6d:7735:502::/64 (the -ipv6 runs): ::1 the proxy (lo here); in an
#                upstream namespace behind a veth (fd6d:7735:502:1::/64):
#                ::53 dnsmasq, ::10.. as 127.0.1.10.. (ok6.lab, drop6.lab,
#                closed6.lab, adminprohib6.lab, addrunreach6.lab,
#                portunreach6.lab, garbage6.lab, silent6.lab, close6.lab,
#                err502-6.lab; ip6tables DROP / REJECT icmp6-*); AAAA only
#   127.9.0.0/24, 127.9.1.0/24: veth segments to the extra namespaces of the
#                squid-bridge and squid-intercept runs (lo holds 127.0.0.1/16,
#                not /8, so that these are not local; route_localnet lets
#                127/8 cross a veth).  squid-bridge: the proxy alone in a
#                namespace (127.9.0.2), joined to this one (127.9.0.1) by a
#                Linux bridge in a third, where tcpdump captures on both
#                bridge ports (every packet twice).  squid-intercept: curl in
#                a client namespace (127.9.1.1) with its own /etc/hosts asks
#                the origins directly; this namespace REDIRECTs its port 80
#                to Squid's `intercept` port 3129.
#   127.0.2.56   a second dnsmasq, the FIRST of two DNS servers in the -multi
#                runs (127.0.2.53 is the second): it answers the lab's names
#                as 127.0.2.53 does, but never answers *.dead.lab (forwarded
#                to the blackholed 127.0.2.55) and answers *.sf.lab Server
#                failure (forwarded to 127.0.2.54); 127.0.2.53 answers
#                ok.dead.lab / ok.sf.lab 127.0.1.10 and the rest NXDOMAIN
#   127.0.0.1:9090  one proxy at a time; curl -x drives it.
#
# TLS interception (the `tls` runs; tests/lab/tls-servers.py): origins on
# 127.0.1.40-.53 port 443, certificates of a lab CA made at run time (the
# gateway is told to trust it; curl trusts the gateway's interception CA):
#   .40 tlsok.lab        a good handshake, answers 200 (healthy)
#   .41 tlsalert.lab     answers the ClientHello with a fatal TLS alert
#                        (handshake_failure)
#   .42 tlsrst.lab       resets (RST) after the ClientHello
#   .43 tlsfin.lab       closes (FIN) after the ClientHello
#   .44 tlshang.lab      accepts, reads the ClientHello, never answers
#   .45 tlsplain.lab     a plain HTTP server on 443: "HTTP/1.1 400"
#   .46 selfsigned.lab   TLS 1.2, a self-signed certificate
#   .47 expired.lab      TLS 1.2, an expired certificate (lab CA)
#   .48 wrongname.lab    TLS 1.2, a certificate for other.lab (lab CA)
#   .49 selfsigned13.lab TLS 1.3 only, a self-signed certificate
#   .50 tlsgarbage.lab   good handshake, then bytes that are not HTTP
#   .51 tlssilent.lab    good handshake, reads the request, never answers
#   .52 tlsclose.lab     good handshake, reads the request, closes (FIN)
#   .53 tlserr502.lab    good handshake, answers its own 502
# plus CONNECT to nx.lab, drop.lab and closed.lab.  Key logs: curl's
# (SSLKEYLOGFILE) and the gateway's: mitmproxy writes one (SSLKEYLOGFILE);
# Squid (Debian's squid-openssl, installed in place of squid when missing,
# ssl_bump peek/stare/bump) through tests/lab/keylog-preload.c, built here
# with gcc and LD_PRELOADed.  Beside each capture X.pcap: X.keys (both legs,
# for tshark -o tls.keylog_file:X.keys) and X.client.keys (curl's only).
# Each proxy run is captured with `tcpdump -i any` (one run also with
# dumpcap as pcapng, one with Linux cooked v1), with a filter that leaves
# out the DNS server's own forwarding (a gateway capture would not hold it).
# The client's results (URL -> HTTP status) go to OUTDIR/<proxy>-all.log.
#
# Needs Debian packages (installed here when missing): dnsmasq-base squid
# nginx apache2 tinyproxy tcpdump iptables curl; dumpcap for the pcapng run;
# mitmproxy for its run; the tls runs: mitmproxy, squid-openssl (replaces
# squid), gcc, libssl-dev, python3-cryptography, python3-h2.
# Every wait is bounded and every command runs under `timeout`; a trap stops
# everything started here and deletes the namespace.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
repo=$(readlink -f "$here/../..")
out=$(readlink -f "${1:-$repo/captures/lab}")
shift || true
proxies=("$@")
[ ${#proxies[@]} -gt 0 ] || proxies=(squid nginx apache tinyproxy squid-longconnect squid-negcache squid-sll1 squid-pcapng multi)
declare -A groups=(
    [multi]="squid-multi nginx-multi apache-multi"
    [badhdr]="squid-badhdr nginx-badhdr apache-badhdr"
    [timeout]="squid-timeout nginx-timeout apache-timeout"
    [storm]="squid-storm nginx-storm"
    [ipv6]="squid-ipv6 nginx-ipv6"
    [tls]="mitmproxy-tls mitmproxy-tls-h2 squid-bump"
)
groups[extra]="${groups[badhdr]} ${groups[timeout]} ${groups[storm]} squid-parent squid-intercept mitmproxy ${groups[ipv6]} squid-bridge"
for i in "${!proxies[@]}"; do [ -n "${groups[${proxies[$i]}]:-}" ] && proxies[$i]="${groups[${proxies[$i]}]}"; done
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
case " ${proxies[*]} " in *" mitmproxy "*|*" mitmproxy-tls"*) command -v mitmdump >/dev/null || need+=(mitmproxy) ;; esac
case " ${proxies[*]} " in
    *" mitmproxy-tls"*|*" squid-bump "*)
        /usr/bin/python3 -c 'import cryptography' 2>/dev/null || need+=(python3-cryptography)
        /usr/bin/python3 -c 'import h2' 2>/dev/null || need+=(python3-h2) ;;
esac
case " ${proxies[*]} " in
    *" squid-bump "*)
        # ssl_bump needs Squid built with OpenSSL (Debian's squid is GnuTLS)
        squid -v 2>/dev/null | grep -q -- --with-openssl || need+=(squid-openssl)
        command -v gcc >/dev/null || need+=(gcc libc6-dev)
        [ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev) ;;
esac
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

# Addresses on lo are in 127/8 already (lo keeps 127.0.0.0/16 as local, so
# that the veth segments 127.9.x of the bridge and intercept runs are not);
# the firewall is the namespace's own.
inns 10 ip addr del 127.0.0.1/8 dev lo
inns 10 ip addr add 127.0.0.1/16 dev lo
# Global IPv6 addresses are here only during the -ipv6 runs (ipv6_setup):
# while one is, glibc's AI_ADDRCONFIG asks for AAAA only (lo's 127/8 does not
# count as IPv4), which would change what Apache and tinyproxy do.
v6=fd6d:7735:502
ipt() { inns 10 iptables -w 5 "$@"; }

ipt -A INPUT -d 127.0.1.11 -p tcp --syn -j DROP
ipt -A INPUT -d 127.0.1.23 -p tcp --syn -j DROP
ipt -A INPUT -d 127.0.1.13 -p tcp --syn -j REJECT --reject-with icmp-admin-prohibited
ipt -A INPUT -d 127.0.1.14 -p tcp --syn -j REJECT --reject-with icmp-host-unreachable
ipt -A INPUT -d 127.0.1.15 -p tcp --syn -j REJECT --reject-with icmp-port-unreachable
ipt -A INPUT -d 127.0.2.55 -j DROP
ipt -A INPUT -d 127.0.3.3 -p tcp --syn -j DROP
ipt -A INPUT -d 127.0.3.4 -p tcp --syn -j REJECT --reject-with icmp-host-unreachable
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
dns_common "$v6::53" >"$work/dnsmasq-v6.conf"
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
host-record=nocolon.lab,127.0.1.30
host-record=nocolon-late.lab,127.0.1.31
host-record=nul.lab,127.0.1.32
host-record=nul-late.lab,127.0.1.33
host-record=badcl.lab,127.0.1.34
host-record=badcl-late.lab,127.0.1.35
host-record=twocl.lab,127.0.1.36
host-record=twocl-late.lab,127.0.1.37
host-record=bighdr.lab,127.0.1.38
host-record=silentrst.lab,127.0.1.39
host-record=tlsok.lab,127.0.1.40
host-record=tlsalert.lab,127.0.1.41
host-record=tlsrst.lab,127.0.1.42
host-record=tlsfin.lab,127.0.1.43
host-record=tlshang.lab,127.0.1.44
host-record=tlsplain.lab,127.0.1.45
host-record=selfsigned.lab,127.0.1.46
host-record=expired.lab,127.0.1.47
host-record=wrongname.lab,127.0.1.48
host-record=selfsigned13.lab,127.0.1.49
host-record=tlsgarbage.lab,127.0.1.50
host-record=tlssilent.lab,127.0.1.51
host-record=tlsclose.lab,127.0.1.52
host-record=tlserr502.lab,127.0.1.53
host-record=ok6.lab,fd6d:7735:502::10
host-record=drop6.lab,fd6d:7735:502::11
host-record=closed6.lab,fd6d:7735:502::12
host-record=adminprohib6.lab,fd6d:7735:502::13
host-record=addrunreach6.lab,fd6d:7735:502::14
host-record=portunreach6.lab,fd6d:7735:502::15
host-record=garbage6.lab,fd6d:7735:502::16
host-record=silent6.lab,fd6d:7735:502::17
host-record=close6.lab,fd6d:7735:502::18
host-record=err502-6.lab,fd6d:7735:502::19
server=/servfail.lab/127.0.2.54#53
server=/noanswer.lab/127.0.2.55#53
cache-size=0
neg-ttl=0
EOF
for c in dnsmasq dnsmasq-first dnsmasq-v6; do
    cat "$work/dnsmasq-names.conf" >>"$work/$c.conf"
    [ $c = dnsmasq-v6 ] && continue      # started by ipv6_setup
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
i=30
for mode in nocolon nocolon-late nul nul-late badcl badcl-late twocl twocl-late bighdr silentrst; do
    srv $mode 127.0.1.$i 80
    i=$((i + 1))
done
srv silent 127.0.3.5 3128     # the silent parent of the squid-parent run

wait_port() {   # address port [namespace]: bounded wait for a listener
    local i
    for i in $(seq 1 50); do
        inn "${3:-$NS}" 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
        sleep 0.2
    done
    echo "record.sh: nothing listens on $1:$2" >&2
    return 1
}
wait_port 127.0.1.10 80
wait_port 127.0.1.19 443
wait_port 127.0.1.39 80
for i in $(seq 1 50); do
    [ -s "$work/dnsmasq.pid" ] && [ -s "$work/dnsmasq-first.pid" ] && break
    sleep 0.2
done

# --- proxies -----------------------------------------------------------------
# Each writes its config into $work/<name>/ and starts in the foreground.
# Where the proxy listens and runs (the bridge, intercept and IPv6 runs
# change these), and the knobs of the configurations the optional runs turn.
proxy_ns=$NS proxy_addr=127.0.0.1 proxy_port=9090
squid_dir=squid squid_service=squid squid_ports="http_port 127.0.0.1:9090" squid_read=4 squid_extra=""
squid_env=()      # VAR=value for Squid's environment (squid-bump: the key logger)
squid_host=mwg502lab
nginx_listen=127.0.0.1:9090 nginx_read=4 nginx_wc=64
apache_timeout=4
start_squid() {   # connect_timeout in seconds
    local d="$work/$squid_dir" ct=$1
    mkdir -p "$d"; chown proxy:proxy "$d"
    cat >"$d/squid.conf" <<EOF
$squid_ports
http_access allow all
dns_nameservers $resolvers
dns_timeout 4 seconds
dns_retransmit_interval 1 seconds
connect_timeout $ct seconds
forward_timeout $((ct + 2)) seconds
read_timeout $squid_read seconds
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
visible_hostname $squid_host
$squid_extra
EOF
    chown -R proxy:proxy "$d"
    bgn "$proxy_ns" 1800 env "${squid_env[@]}" squid -N -n "$squid_service" -f "$d/squid.conf"
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
events { worker_connections $nginx_wc; }
http {
    access_log $d/access.log;
    client_body_temp_path $d/body; proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fcgi; uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
    resolver $(for r in $resolvers; do case $r in *:*) printf '[%s] ' $r ;; *) printf '%s ' $r ;; esac; done)valid=1s;
    resolver_timeout ${nginx_resolver_timeout}s;
    server {
        listen $nginx_listen;
        location / {
            proxy_pass http://\$http_host\$request_uri;
            proxy_connect_timeout 3s;
            proxy_read_timeout ${nginx_read}s;
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
Timeout $apache_timeout
ProxyTimeout $apache_timeout
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

start_mitmproxy() {
    local d="$work/mitmproxy"
    mkdir -p "$d"
    bgns 1800 mitmdump --mode regular --listen-host 127.0.0.1 --listen-port 9090 \
        --set confdir="$d" --set ssl_insecure=true --set termlog_verbosity=info >"$d/mitmdump.log" 2>&1
    proxy_pid=$bg_pid
}

stop_pid() {   # pid of a timeout(1) whose child (ip netns exec execs) is a proxy
    local i child
    child=$(pgrep -P "$1" || true)
    kill $child "$1" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$1" $child 2>/dev/null || break; sleep 0.2; done
    kill -9 $child "$1" 2>/dev/null || true
}

stop_proxy() {
    local i
    stop_pid "$proxy_pid"
    # Proxies' helpers (squid's children, nginx/apache workers) end with it;
    # anything listening on the proxy's port still would be ours: wait for it.
    for i in $(seq 1 30); do
        inn "$proxy_ns" 5 bash -c "exec 3<>/dev/tcp/$proxy_addr/$proxy_port" 2>/dev/null || break
        sleep 0.2
    done
}

# --- the client ----------------------------------------------------------------
client_ns=$NS direct=0
proxy_url() { case $proxy_addr in *:*) echo "http://[$proxy_addr]:$proxy_port" ;; *) echo "http://$proxy_addr:$proxy_port" ;; esac; }
get() {   # url [max-time]: one request through the proxy, logs the status
    local code via=(-x "$(proxy_url)")
    [ "$direct" = 1 ] && via=()     # intercepted: curl asks the origin itself
    # For https URLs the status that matters is the CONNECT's (http_connect).
    code=$(inn "$client_ns" $(( ${2:-30} + 5 )) curl -s -o /dev/null -w '%{http_code} %{http_connect}' \
        --max-time "${2:-30}" "${via[@]}" -k "$1" 2>/dev/null) || true
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
    [ "${skip_dual:-0}" = 1 ] || get http://dual.lab/
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

scenario_badhdr() {   # replies that start well and go bad (lab-servers.py)
    get http://ok.lab/
    local h
    for h in nocolon nocolon-late nul nul-late badcl badcl-late twocl twocl-late bighdr; do
        get "http://$h.lab/" 20
    done
    get http://ok.lab/last
}

scenario_timeout() {   # the gateway gives up on a silent origin first
    get http://ok.lab/
    get http://silent.lab/ 20       # the origin FINs after the gateway's FIN
    get http://silentrst.lab/ 20    # the origin RSTs after the gateway's FIN
    get http://ok.lab/last
}

# The storm: $storm_clients concurrent clients for $storm_seconds s, each
# asking the names of storm_hosts in turn (starting at its own offset) with
# a 0.5 s pause; every URL is unique (/s<client>-<n>).
storm_clients=32 storm_seconds=30
storm_hosts=(ok.lab nx.lab ok.lab closed.lab ok.lab drop.lab ok.lab)
storm_client() {   # id deadline(epoch s)
    local id=$1 n=0 host url code
    sleep "0.$((id % 10))"
    while [ "$(date +%s)" -lt "$2" ]; do
        host=${storm_hosts[$(( (id + n) % ${#storm_hosts[@]} ))]}
        url="http://$host/s$id-$n"
        code=$(inn "$client_ns" 25 curl -s -o /dev/null -w '%{http_code}' --max-time 20 \
            -x "$(proxy_url)" "$url" 2>/dev/null) || true
        printf '%s %s\n' "${code:-000}" "$url" >>"$log"
        n=$((n + 1))
        sleep 0.5
    done
}
scenario_storm() {
    get http://ok.lab/
    local i deadline=$(( $(date +%s) + storm_seconds )) spids=()
    for i in $(seq 1 "$storm_clients"); do
        storm_client "$i" "$deadline" & spids+=($!); pids+=($!)
    done
    wait "${spids[@]}" || true
    sleep 2
    get http://ok.lab/last
}

scenario_parent() {   # a child Squid whose next hop is a parent Squid
    get http://ok.lab/
    get http://nx.lab/              # the parent answers its own error
    get http://closed.lab/
    get http://silent.lab/ 20       # the parent's read timeout (3 s) first
    get http://err502.lab/          # the origin's 502, relayed twice
    get http://ok.lab/between
    # the parents that fail themselves (the child restarted for each)
    parent_switch 127.0.3.2; get http://ok.viaclosed.lab/
    parent_switch 127.0.3.3; get http://ok.viadrop.lab/ 60
    parent_switch 127.0.3.4; get http://ok.viaunreach.lab/
    parent_switch 127.0.3.5; get http://ok.viasilent.lab/ 30
    parent_switch 127.0.3.1; get http://ok.lab/last
}

scenario_ipv6() {
    get http://ok6.lab/
    get http://nx6.lab/
    get http://servfail.lab/
    get http://drop6.lab/ 60
    get http://closed6.lab/
    get http://adminprohib6.lab/
    get http://addrunreach6.lab/
    get http://portunreach6.lab/
    get http://ok6.lab/between
    get http://garbage6.lab/
    get http://silent6.lab/
    get http://close6.lab/
    get http://err502-6.lab/
    get http://ok6.lab/last
}

scenario_intercept() {   # curl asks the origins (its own /etc/hosts), no -x
    get http://ok.lab/
    get http://nx.lab/             # the client resolves these three; the
    get http://servfail.lab/       # gateway's DNS fails them
    get http://noanswer.lab/
    get http://ok.lab/again
    get http://drop.lab/ 60
    get http://closed.lab/
    get http://adminprohib.lab/
    get http://hostunreach.lab/
    get http://portunreach.lab/
    get http://ok.lab/between
    get http://garbage.lab/
    get http://badstatus.lab/
    get http://silent.lab/
    get http://close.lab/
    get http://err502.lab/
    get http://nocolon.lab/
    get http://ok.lab/last
}

scenario_mitmproxy() {
    scenario_all
    get http://nocolon.lab/ 20
    get http://bighdr.lab/ 20
    get http://ok.lab/final
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
    local filter="not host 127.0.2.54 and not host 127.0.2.55$cap_filter"
    case $tool in
        tcpdump)   bgn "$cap_ns" 600 tcpdump -i any -B 16384 -s 0 -U -w "$file" "$filter" 2>"$work/cap.err" ;;
        tcpdump1)  bgn "$cap_ns" 600 tcpdump -i any -y LINUX_SLL -s 0 -U -w "$file" "$filter" 2>"$work/cap.err" ;;
        dumpcap)   bgn "$cap_ns" 600 dumpcap -q -i any -f "$filter" -w "$file" 2>"$work/cap.err" ;;
    esac
    cap_pid=$bg_pid
    sleep 2
    $start
    wait_port "$proxy_addr" "$proxy_port" "$proxy_ns"
    sleep 1
    echo "== $name ($(proxy_version "$name"))" | tee -a "$log"
    $scen "$name"
    sleep 2
    stop_proxy
    sleep 1
    # timeout(1) passes TERM on to the capture tool, which then flushes.
    kill -TERM "$cap_pid" 2>/dev/null || true
    wait "$cap_pid" 2>/dev/null || true
    grep -h 'dropped by kernel' "$work/cap.err" | sed 's/^/   /' || true
    chmod 644 "$file"
    echo "   -> $file ($(stat -c %s "$file") bytes)"
}

proxy_version() {
    case $1 in
        squid*)    squid -v | sed -n '1s/.*Version /squid /p' ;;
        nginx*)    nginx -v 2>&1 | sed 's/.*version: //' ;;
        apache*)   apache2 -v | sed -n '1s/.*version: //p' ;;
        tinyproxy*) tinyproxy -v | head -n 1 ;;
        mitmproxy*) mitmdump --version | sed -n 's/^Mitmproxy: /mitmproxy /p' ;;
    esac
}

cap_ns=$NS cap_filter=""

# --- the optional runs' set-ups --------------------------------------------------
sysns() { inn "$1" 5 sysctl -qw "${@:2}"; }

start_parent_run() {   # the parent Squid (127.0.3.1:3128), then the child
    squid_dir=squid-parent squid_service=mwg502parent squid_ports="http_port 127.0.3.1:3128"
    squid_host=mwg502parent squid_read=3
    squid_extra="tcp_outgoing_address 127.0.3.1
udp_outgoing_address 127.0.3.1"
    start_squid 3
    parent_pid=$proxy_pid
    wait_port 127.0.3.1 3128
    squid_dir=squid squid_service=squid squid_ports="http_port 127.0.0.1:9090" squid_host=mwg502lab
    child_with_parent 127.0.3.1
}
# The child has one parent at a time (with several cache_peer_access-split
# parents, Squid 5.7 tried other parents too after a failure, and probed the
# failed ones): the scenario restarts it for each failing parent.
child_with_parent() {   # address of the parent
    squid_read=8
    squid_extra="cache_peer $1 parent 3128 0 no-query no-digest no-netdb-exchange name=next
peer_connect_timeout 3 seconds
never_direct allow all"
    start_squid 3
    squid_extra="" squid_read=4
}
parent_switch() {   # address: restart the child with this parent
    stop_proxy
    child_with_parent "$1"
    wait_port 127.0.0.1 9090
    # Squid probes a new parent with a TCP connect as it starts; a request
    # that comes while that probe still waits is refused at once (502, no
    # attempt of its own): let the probe end first (peer_connect_timeout 3 s).
    sleep 5
}

intercept_setup() {   # a client namespace on 127.9.1.0/24; REDIRECT 80 -> 3129
    lab_netns_extra c
    local c="${NS}c"
    inn "$NS" 10 ip link add m1 type veth peer name c0 netns "$c"
    sysns "$NS" net.ipv6.conf.m1.disable_ipv6=1 net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.m1.route_localnet=1
    sysns "$c" net.ipv6.conf.c0.disable_ipv6=1 net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.c0.route_localnet=1
    inn "$NS" 10 ip addr add 127.9.1.2/24 dev m1
    inn "$NS" 10 ip link set m1 up
    inn "$c" 10 ip addr del 127.0.0.1/8 dev lo
    inn "$c" 10 ip addr add 127.0.0.1/32 dev lo
    inn "$c" 10 ip addr add 127.9.1.1/24 dev c0
    inn "$c" 10 ip link set c0 up
    inn "$c" 10 ip route add 127.0.0.0/16 via 127.9.1.2 src 127.9.1.1
    mkdir -p "/etc/netns/$c"
    # The client's own names: nx/servfail/noanswer.lab resolve here (to the
    # healthy origin) but not at the gateway.  Its DNS is its own lo: no one.
    cat >"/etc/netns/$c/hosts" <<'EOF'
127.0.0.1 localhost
127.0.1.10 ok.lab nx.lab servfail.lab noanswer.lab
127.0.1.11 drop.lab
127.0.1.12 closed.lab
127.0.1.13 adminprohib.lab
127.0.1.14 hostunreach.lab
127.0.1.15 portunreach.lab
127.0.1.16 garbage.lab
127.0.1.17 silent.lab
127.0.1.18 close.lab
127.0.1.19 err502.lab
127.0.1.20 badstatus.lab
127.0.1.30 nocolon.lab
EOF
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/$c/resolv.conf"
    inn "$NS" 10 iptables -w 5 -t nat -A PREROUTING -i m1 -p tcp --dport 80 -j REDIRECT --to-ports 3129
    squid_ports="http_port 127.0.0.1:9090
http_port 127.9.1.2:3129 intercept"
    client_ns=$c direct=1
}
intercept_reset() {
    squid_ports="http_port 127.0.0.1:9090" client_ns=$NS direct=0
    inn "$NS" 10 iptables -w 5 -t nat -D PREROUTING -i m1 -p tcp --dport 80 -j REDIRECT --to-ports 3129
}

bridge_setup() {   # the proxy alone in ${NS}g, a bridge in ${NS}b: w0 <-> pw|br0|pg <-> g0
    lab_netns_extra g
    lab_netns_extra b
    local g="${NS}g" b="${NS}b" d
    sysns "$b" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    sysns "$g" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    inn "$NS" 10 ip link add w0 type veth peer name pw netns "$b"
    inn "$g" 10 ip link add g0 type veth peer name pg netns "$b"
    sysns "$NS" net.ipv6.conf.w0.disable_ipv6=1 net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.w0.route_localnet=1
    sysns "$g" net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.g0.route_localnet=1
    for d in pw pg; do sysns "$b" "net.ipv6.conf.$d.disable_ipv6=1"; done
    inn "$b" 10 ip link add br0 type bridge stp_state 0
    sysns "$b" net.ipv6.conf.br0.disable_ipv6=1
    inn "$b" 10 ip link set pw master br0
    inn "$b" 10 ip link set pg master br0
    for d in pw pg br0; do inn "$b" 10 ip link set "$d" up; done
    inn "$NS" 10 ip addr add 127.9.0.1/24 dev w0
    inn "$NS" 10 ip link set w0 up
    inn "$g" 10 ip addr del 127.0.0.1/8 dev lo
    inn "$g" 10 ip addr add 127.0.0.1/32 dev lo
    inn "$g" 10 ip addr add 127.9.0.2/24 dev g0
    inn "$g" 10 ip link set g0 up
    inn "$g" 10 ip route add 127.0.0.0/16 via 127.9.0.1 src 127.9.0.2
    proxy_ns=$g proxy_addr=127.9.0.2 squid_ports="http_port 127.9.0.2:9090" cap_ns=$b skip_dual=1
}
bridge_reset() {
    proxy_ns=$NS proxy_addr=127.0.0.1 squid_ports="http_port 127.0.0.1:9090" cap_ns=$NS skip_dual=0
}

# The -ipv6 runs: the DNS server and the upstreams in a namespace of their
# own, ${NS}u, behind a veth (main v6u fd6d:7735:502:1::1/64 <-> v6m ::2), so
# that the gateway's packets carry its own address (on lo, IPv6 would send
# from the destination address itself); the proxy on fd6d:7735:502::1 (lo).
ipv6_setup() {
    local a u="${NS}u"
    if [ -z "${v6_ready:-}" ]; then
        lab_netns_extra u
        inn "$NS" 10 ip link add v6u type veth peer name v6m netns "$u"
        sysns "$NS" net.ipv6.conf.v6u.accept_ra=0 net.ipv6.conf.v6u.addr_gen_mode=1
        sysns "$u" net.ipv6.conf.v6m.accept_ra=0 net.ipv6.conf.v6m.addr_gen_mode=1
        inn "$NS" 10 ip link set v6u up
        inn "$u" 10 ip -6 addr add "$v6:1::2/64" dev v6m nodad
        inn "$u" 10 ip link set v6m up
        for a in 53 10 11 12 13 14 15 16 17 18 19; do inn "$u" 10 ip -6 addr add "$v6::$a/128" dev lo nodad; done
        inn "$u" 10 ip6tables -w 5 -A INPUT -d "$v6::11" -p tcp --syn -j DROP
        inn "$u" 10 ip6tables -w 5 -A INPUT -d "$v6::13" -p tcp --syn -j REJECT --reject-with icmp6-adm-prohibited
        inn "$u" 10 ip6tables -w 5 -A INPUT -d "$v6::14" -p tcp --syn -j REJECT --reject-with icmp6-addr-unreachable
        inn "$u" 10 ip6tables -w 5 -A INPUT -d "$v6::15" -p tcp --syn -j REJECT --reject-with icmp6-port-unreachable
        bgn "$u" 1800 dnsmasq --keep-in-foreground --conf-file="$work/dnsmasq-v6.conf" --user=root \
            --pid-file="$work/dnsmasq-v6.pid" --log-facility="$work/dnsmasq-v6.log"
        bgn "$u" 1800 /usr/bin/python3 "$here/lab-servers.py" servfail 127.0.2.54 53 1700
        for a in "http 10" "garbage 16" "silent 17" "close 18" "err502 19"; do
            set -- $a
            bgn "$u" 1800 /usr/bin/python3 "$here/lab-servers.py" "$1" "$v6::$2" 80 1700
        done
        wait_port "$v6::10" 80 "$u"
        wait_port "$v6::19" 80 "$u"
        v6_ready=1
    fi
    inn "$NS" 10 ip -6 addr add "$v6:1::1/64" dev v6u nodad
    inn "$NS" 10 ip -6 addr add "$v6::1/128" dev lo nodad
    inn "$NS" 10 ip -6 route add "$v6::/64" via "$v6:1::2" dev v6u
    inn "$u" 10 ip -6 route replace "$v6::1/128" via "$v6:1::1" dev v6m
    proxy_addr="$v6::1" squid_ports="http_port [$v6::1]:9090" nginx_listen="[$v6::1]:9090"
    resolvers="$v6::53"; set_resolvers
}
ipv6_reset() {   # no global IPv6 address left here (see the note on AI_ADDRCONFIG)
    inn "$NS" 10 ip -6 route del "$v6::/64" via "$v6:1::2" dev v6u 2>/dev/null || true
    inn "$NS" 10 ip -6 addr del "$v6::1/128" dev lo
    inn "$NS" 10 ip -6 addr del "$v6:1::1/64" dev v6u
    proxy_addr=127.0.0.1 squid_ports="http_port 127.0.0.1:9090" nginx_listen=127.0.0.1:9090
    resolvers="127.0.2.53"; set_resolvers
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

# --- TLS interception (the tls runs) ---------------------------------------------
# The origins of tests/lab/tls-servers.py on 443 (see the header), the lab
# CA they are signed by, and for each run the client's and the gateway's key
# logs, merged beside the capture.
tls_dir=$work/tls
tls_setup() {
    [ -z "${tls_ready:-}" ] || return 0
    mkdir -p "$tls_dir"
    T 60 /usr/bin/python3 "$here/tls-servers.py" certs "$tls_dir"
    chmod 755 "$tls_dir"; chmod 644 "$tls_dir"/*
    local a mode n
    for a in "ok 40" "alert 41" "rst 42" "fin 43" "hang 44" "plain 45" "selfsigned 46" "expired 47" \
             "wrongname 48" "selfsigned13 49" "garbage 50" "silent 51" "close 52" "err502 53"; do
        read -r mode n <<<"$a"
        bgns 1800 /usr/bin/python3 "$here/tls-servers.py" "$mode" "127.0.1.$n" 443 "$tls_dir" 1700
    done
    wait_port 127.0.1.40 443
    wait_port 127.0.1.53 443
    tls_ready=1
}

tls_http=--http1.1 client_ca=""
get_tls() {   # url [max-time]: curl through the intercepting gateway, trusting its CA
    local code rc=0
    code=$(inn "$client_ns" $(( ${2:-20} + 5 )) env SSLKEYLOGFILE="$work/client.keys" \
        curl -s -o /dev/null -w '%{http_connect} %{http_code}' "$tls_http" --cacert "$client_ca" \
        --max-time "${2:-20}" -x "$(proxy_url)" "$1" 2>/dev/null) || rc=$?
    # CONNECT status, status inside the tunnel, curl's exit code
    printf '%s %s %s\n' "${code:-000 000}" "$rc" "$1" | tee -a "$log"
    sleep 1
}

scenario_tls() {
    get_tls https://tlsok.lab/
    get_tls https://nx.lab/
    get_tls https://drop.lab/ 40
    get_tls https://closed.lab/
    get_tls https://tlsok.lab/again
    get_tls https://tlsalert.lab/
    get_tls https://tlsrst.lab/
    get_tls https://tlsfin.lab/
    get_tls https://tlshang.lab/ 20
    get_tls https://tlsplain.lab/
    get_tls https://tlsok.lab/between
    get_tls https://selfsigned.lab/
    get_tls https://expired.lab/
    get_tls https://wrongname.lab/
    get_tls https://selfsigned13.lab/
    get_tls https://tlsok.lab/healthy
    get_tls https://tlsgarbage.lab/
    get_tls https://tlssilent.lab/ 20
    get_tls https://tlsclose.lab/
    get_tls https://tlserr502.lab/
    get_tls https://tlsok.lab/last
}

start_mitmproxy_tls() {   # intercepting; trusts the lab CA upstream, logs its keys
    local d="$work/mitmproxy-tls" i
    rm -rf "$d"; mkdir -p "$d"
    bgns 1800 env SSLKEYLOGFILE="$work/gateway.keys" mitmdump --mode regular \
        --listen-host 127.0.0.1 --listen-port 9090 --set confdir="$d" \
        --set ssl_verify_upstream_trusted_ca="$tls_dir/labca.pem" --set termlog_verbosity=info \
        >"$d/mitmdump.log" 2>&1
    proxy_pid=$bg_pid
    for i in $(seq 1 50); do [ -s "$d/mitmproxy-ca-cert.pem" ] && break; sleep 0.2; done
    client_ca="$d/mitmproxy-ca-cert.pem"
}

keylog_so=""
start_squid_bump() {   # Squid with ssl_bump (peek, stare, bump) and the key logger
    local d="$work/squid-bump"
    if [ -z "$keylog_so" ]; then
        keylog_so="$work/keylog-preload.so"
        T 120 gcc -shared -fPIC -O2 -Wall -o "$keylog_so" "$here/keylog-preload.c" -ldl -lssl
        chmod 755 "$keylog_so"
    fi
    rm -rf "$d"; mkdir -p "$d"
    T 60 openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/O=mwg502 lab/CN=mwg502 lab gateway CA" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$d/gwca.key" -out "$d/gwca.pem" 2>/dev/null
    T 60 /usr/lib/squid/security_file_certgen -c -s "$d/ssl_db" -M 4MB >/dev/null
    chown -R proxy:proxy "$d" "$work/gateway.keys"
    squid_dir=squid-bump
    squid_ports="http_port 127.0.0.1:9090 ssl-bump tls-cert=$d/gwca.pem tls-key=$d/gwca.key generate-host-certificates=on dynamic_cert_mem_cache_size=4MB"
    squid_extra="sslcrtd_program /usr/lib/squid/security_file_certgen -s $d/ssl_db -M 4MB
sslcrtd_children 3 startup=1 idle=1
acl step1 at_step SslBump1
acl step2 at_step SslBump2
ssl_bump peek step1
ssl_bump stare step2
ssl_bump bump all
tls_outgoing_options cafile=$tls_dir/labca.pem"
    squid_env=(LD_PRELOAD="$keylog_so" MWG502_KEYLOG="$work/gateway.keys")
    start_squid 3
    squid_dir=squid squid_ports="http_port 127.0.0.1:9090" squid_extra="" squid_env=()
    client_ca="$d/gwca.pem"
}

record_tls() {   # name start-command http-option: a tls run, then its key logs
    local name=$1
    tls_setup
    : >"$work/client.keys"; : >"$work/gateway.keys"
    chmod 644 "$work/client.keys" "$work/gateway.keys"
    tls_http=$3
    record "$name" "$2" tcpdump scenario_tls
    # one line per secret: the client's first, then the gateway's legs
    awk 'NF && !seen[$0]++' "$work/client.keys" "$work/gateway.keys" >"$out/$name.keys"
    awk 'NF && !seen[$0]++' "$work/client.keys" >"$out/$name.client.keys"
    chmod 644 "$out/$name.keys" "$out/$name.client.keys"
    echo "   -> $out/$name.keys ($(wc -l <"$out/$name.keys") lines; curl logged $(wc -l <"$work/client.keys"), the gateway $(wc -l <"$work/gateway.keys"))"
}

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
        squid-badhdr)      record squid-badhdr "start_squid 3" tcpdump scenario_badhdr ;;
        nginx-badhdr)      record nginx-badhdr start_nginx tcpdump scenario_badhdr ;;
        apache-badhdr)     record apache-badhdr start_apache tcpdump scenario_badhdr ;;
        squid-timeout)     squid_read=3; record squid-timeout "start_squid 3" tcpdump scenario_timeout; squid_read=4 ;;
        nginx-timeout)     nginx_read=3; record nginx-timeout start_nginx tcpdump scenario_timeout; nginx_read=4 ;;
        apache-timeout)    apache_timeout=3; record apache-timeout start_apache tcpdump scenario_timeout; apache_timeout=4 ;;
        squid-storm)       record squid-storm "start_squid 3" tcpdump scenario_storm ;;
        nginx-storm)       nginx_wc=1024; record nginx-storm start_nginx tcpdump scenario_storm; nginx_wc=64 ;;
        squid-parent)      cap_filter=" and not (host 127.0.3.1 and not port 3128)"
                           record squid-parent start_parent_run tcpdump scenario_parent
                           stop_pid "$parent_pid"; cap_filter="" ;;
        squid-intercept)   intercept_setup; record squid-intercept "start_squid 3" tcpdump scenario_intercept; intercept_reset ;;
        mitmproxy)         sysns "$NS" net.ipv4.tcp_syn_retries=3
                           record mitmproxy-all start_mitmproxy tcpdump scenario_mitmproxy
                           sysns "$NS" "net.ipv4.tcp_syn_retries=$syn_retries" ;;
        squid-ipv6)        ipv6_setup; record squid-ipv6 "start_squid 3" tcpdump scenario_ipv6; ipv6_reset ;;
        nginx-ipv6)        ipv6_setup; record nginx-ipv6 start_nginx tcpdump scenario_ipv6; ipv6_reset ;;
        squid-bridge)      bridge_setup; record squid-bridge "start_squid 3" tcpdump scenario_all; bridge_reset ;;
        mitmproxy-tls|mitmproxy-tls-h2)
                           sysns "$NS" net.ipv4.tcp_syn_retries=3
                           if [ "$p" = mitmproxy-tls ]; then h=--http1.1; else h=--http2; fi
                           record_tls "$p" start_mitmproxy_tls "$h"
                           sysns "$NS" "net.ipv4.tcp_syn_retries=$syn_retries" ;;
        squid-bump)        record_tls squid-bump start_squid_bump --http1.1 ;;
        *) echo "record.sh: unknown proxy $p" >&2; exit 2 ;;
    esac
done
