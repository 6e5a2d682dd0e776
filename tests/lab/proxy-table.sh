#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the markdown table "proxy x failure -> status the client got, cause
# mwg502 reports" from the lab recordings, by running the plugin over them.
#
# usage: tests/lab/proxy-table.sh PATH/TO/mwg502.so [CAPTURE_DIR]
#   CAPTURE_DIR defaults to captures/lab of this repository.
# Prints markdown on stdout (captures/lab/RESULTS.md holds its output).
#
# The failure of each request is known from the host it asked for (the lab's
# names, see tests/lab/record.sh); the status is the proxy's answer on port
# 9090 and the cause is mwg502's verdict on that answer (-o
# mwg502.status_codes:500-504), "-" when it gives none; where the verdict
# differs from the capture's .expected file, the expected cause is shown too.
set -euo pipefail

here=$(dirname "$(readlink -f "$0")")
plugin=$(readlink -f "$1")
dir=$(readlink -f "${2:-$here/../../captures/lab}")

label() {
    case $1 in
        ok.lab)          echo "healthy origin" ;;
        nx.lab)          echo "DNS: NXDOMAIN" ;;
        servfail.lab)    echo "DNS: SERVFAIL" ;;
        noanswer.lab)    echo "DNS: never answered" ;;
        drop.lab)        echo "SYNs dropped (firewall DROP)" ;;
        closed.lab)      echo "closed port (RST)" ;;
        dual.lab)        echo "closed port on A and AAAA (127.0.1.12, ::1)" ;;
        adminprohib.lab) echo "ICMP admin-prohibited" ;;
        hostunreach.lab) echo "ICMP host-unreachable" ;;
        portunreach.lab) echo "ICMP port-unreachable" ;;
        garbage.lab)     echo "answers bytes that are not HTTP" ;;
        badstatus.lab)   echo "answers a broken status line" ;;
        silent.lab)      echo "accepts, never answers" ;;
        close.lab)       echo "closes without answering" ;;
        err502.lab)      echo "origin answers its own 502" ;;
        rst3.lab)        echo "three addresses, all closed ports (RST)" ;;
        drop2.lab)       echo "two addresses, both drop SYNs" ;;
        droprst.lab)     echo "two addresses: one drops SYNs, one RST" ;;
        ok.dead.lab)     echo "first DNS server silent, second answers (healthy)" ;;
        nx.dead.lab|nxc.dead.lab) echo "first DNS server silent, second NXDOMAIN" ;;
        ok.sf.lab)       echo "first DNS server SERVFAIL, second answers (healthy)" ;;
        nx.sf.lab)       echo "first DNS server SERVFAIL, second NXDOMAIN" ;;
        nocolon.lab)     echo "200, then a header line without a colon (same segment)" ;;
        nocolon-late.lab) echo "200, then a header line without a colon (50 ms later)" ;;
        nul.lab)         echo "200, then a NUL in a header (same segment)" ;;
        nul-late.lab)    echo "200, then a NUL in a header (50 ms later)" ;;
        badcl.lab)       echo "200, then Content-Length: abc (same segment)" ;;
        badcl-late.lab)  echo "200, then Content-Length: abc (50 ms later)" ;;
        twocl.lab)       echo "200, then two Content-Lengths that disagree (same segment)" ;;
        twocl-late.lab)  echo "200, then two Content-Lengths that disagree (the second 50 ms later)" ;;
        bighdr.lab)      echo "200, then 72 KB of headers in 10 segments" ;;
        silentrst.lab)   echo "accepts, never answers, RST when the gateway closes" ;;
        ok.viaclosed.lab)  echo "parent proxy: closed port (RST)" ;;
        ok.viadrop.lab)    echo "parent proxy: SYNs dropped" ;;
        ok.viaunreach.lab) echo "parent proxy: ICMP host-unreachable" ;;
        ok.viasilent.lab)  echo "parent proxy: accepts, never answers" ;;
        ok6.lab)         echo "IPv6: healthy origin" ;;
        nx6.lab)         echo "IPv6: DNS NXDOMAIN" ;;
        drop6.lab)       echo "IPv6: SYNs dropped" ;;
        closed6.lab)     echo "IPv6: closed port (RST)" ;;
        adminprohib6.lab) echo "IPv6: ICMPv6 admin-prohibited" ;;
        addrunreach6.lab) echo "IPv6: ICMPv6 address-unreachable" ;;
        portunreach6.lab) echo "IPv6: ICMPv6 port-unreachable" ;;
        garbage6.lab)    echo "IPv6: answers bytes that are not HTTP" ;;
        silent6.lab)     echo "IPv6: accepts, never answers" ;;
        close6.lab)      echo "IPv6: closes without answering" ;;
        err502-6.lab)    echo "IPv6: origin answers its own 502" ;;
        tlsok.lab)       echo "HTTPS intercepted: healthy origin" ;;
        tlsalert.lab)    echo "TLS: the origin sends a fatal alert" ;;
        tlsrst.lab)      echo "TLS: the origin resets during the handshake" ;;
        tlsfin.lab)      echo "TLS: the origin closes during the handshake" ;;
        tlshang.lab)     echo "TLS: the origin never answers the ClientHello" ;;
        tlsplain.lab)    echo "TLS: the origin speaks plain HTTP on 443" ;;
        selfsigned.lab)  echo "TLS 1.2: self-signed certificate" ;;
        expired.lab)     echo "TLS 1.2: expired certificate" ;;
        wrongname.lab)   echo "TLS 1.2: certificate for another name" ;;
        selfsigned13.lab) echo "TLS 1.3: self-signed certificate" ;;
        tlsgarbage.lab)  echo "TLS, then bytes that are not HTTP" ;;
        tlssilent.lab)   echo "TLS, then no answer" ;;
        tlsclose.lab)    echo "TLS, then the origin closes" ;;
        tlserr502.lab)   echo "TLS, then the origin's own 502" ;;
        *)               echo "$1" ;;
    esac
}

# One line per client request: proxy<TAB>kind<TAB>host<TAB>status<TAB>cause
# The cause is mwg502's; where it differs from the capture's .expected file
# (the correct verdict) both are shown: "got (expected: right)".
rows() {
    local cap=$1 proxy=$2 expected="${1%.*}.expected"
    [ -f "$expected" ] || expected=/dev/null
    # the capture's own options (status codes, parent proxies), as its test
    local -a opts
    read -r -a opts < <(sed -n 's/^# options://p' "$expected")
    [ "${#opts[@]}" -gt 0 ] || opts=(-o mwg502.status_codes:500-504)
    # the key log beside an HTTPS recording, as its test gives it
    [ -f "${cap%.*}.keys" ] && opts+=(-o "tls.keylog_file:${cap%.*}.keys")
    "$here/../tshark-with-plugin.sh" "$plugin" -2 -r "$cap" "${opts[@]}" \
        -Y 'tcp.port == 9090 && (http.request || http.response)' -T fields -E separator='|' \
        -e frame.number -e http.request.method -e http.request.uri -e http.request_in \
        -e http.response.code -e mwg502.cause -e http.host 2>/dev/null |
    awk -F'|' -v proxy="$proxy" -v expected="$expected" '
        BEGIN { while ((getline line < expected) > 0) if (line !~ /^#/ && split(line, w, " ") >= 3) want[w[1]] = w[3] }
        $2 != "" { method[$1] = $2; uri[$1] = ($3 ~ /^\// ? "https://" $7 $3 : $3); order[++n] = $1; next }
        $5 != "" {
            split($4, rq, ","); r = rq[1]; code[r] = ($5 == "0" ? "unparsable status line" : $5)
            got = ($6 == "" ? "-" : $6)
            ex = ($1 in want) ? want[$1] : "-"
            cause[r] = (got == ex) ? got : got " (expected: " ex ")"
        }
        END {
            for (i = 1; i <= n; i++) {
                f = order[i]; u = uri[f]
                if (method[f] == "CONNECT") { kind = "CONNECT"; host = u; sub(/:[0-9]+$/, "", host) }
                else { kind = method[f]; host = u; sub(/^[a-z]+:\/\//, "", host); sub(/[:\/].*$/, "", host) }
                c = (f in code) ? code[f] : "no HTTP response"
                k = (f in cause) ? cause[f] : "-"
                printf "%s\t%s\t%s\t%s\t%s\n", proxy, kind, host, c, k
            }
        }'
}

all=$(mktemp)
trap 'rm -f "$all"' EXIT
# One column per capture: the proxies' "-all" runs first, then the others
# (other capture formats, the long connect timeout).
proxies=()
for cap in "$dir"/*-all.pcap "$dir"/*-all.pcapng "$dir"/*.pcap "$dir"/*.pcapng; do
    [ -e "$cap" ] || continue
    # An intercepting gateway's clients ask the origins on port 80: not a
    # column of this table (its .expected has the verdicts).
    grep -qs '^# options:.*mwg502.transparent' "${cap%.*}.expected" && continue
    proxy=$(basename "$cap"); proxy=${proxy%.*}; proxy=${proxy%-all}
    case " ${proxies[*]-} " in *" $proxy "*) continue ;; esac
    proxies+=("$proxy")
    rows "$cap" "$proxy" >>"$all"
done

echo "| failure | request |$(printf ' %s |' "${proxies[@]}")"
echo "|---|---|$(printf -- '---|%.0s' "${proxies[@]}")"
# Failures in the order the lab drives them (first capture's order).
awk -F'\t' '!seen[$2 FS $3]++ { print $2 "\t" $3 }' "$all" | while IFS=$'\t' read -r kind host; do
    line="| $(label "$host") | $kind $host |"
    for p in "${proxies[@]}"; do
        cell=$(awk -F'\t' -v p="$p" -v k="$kind" -v h="$host" \
            '$1 == p && $2 == k && $3 == h { c = $4 ($5 == "-" ? "" : " `" $5 "`"); gsub(/ \(expected: /, "` (expected `", c); sub(/\)`$/, "`)", c); if (!seen[c]++) out = out (out == "" ? "" : ", ") c }
             END { print (out == "" ? "not tried" : out) }' "$all")
        line="$line $cell |"
    done
    echo "$line"
done

