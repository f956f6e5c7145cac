#!/bin/sh
# Regenerates lab.fstrm (dnstap) and lab.pcap in this folder with real
# software: nsd serves lab.test on 127.0.0.1:5301, unbound resolves it on
# 127.0.0.1:5300 with dnstap (resolver and client responses) to
# fstrm_capture, tcpdump captures both ports on lo, and dig asks the
# questions in QUERIES (one of them over TCP). Debian packages:
# nsd unbound fstrm-bin tcpdump dnsutils. Every server binds 127.0.0.1 only
# and is stopped by its PID. Run as root (tcpdump) from any directory:
#   sh crates/scry-parse/tests/data/pdns/make_captures.sh
set -eu
OUT=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d)
cp "$OUT/lab.test.zone" "$D/test.zone"
cat > "$D/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@5301
  zonesdir: "$D"
  database: ""
  pidfile: "$D/nsd.pid"
  xfrdfile: "$D/xfrd.state"
  zonelistfile: "$D/zone.list"
  username: ""
  logfile: "$D/nsd.log"
remote-control:
  control-enable: no
zone:
  name: lab.test
  zonefile: test.zone
CONF
cat > "$D/unbound.conf" <<CONF
server:
  interface: 127.0.0.1@5300
  port: 5300
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$D"
  pidfile: "$D/unbound.pid"
  logfile: "$D/unbound.log"
  do-not-query-localhost: no
  domain-insecure: "lab.test"
  local-zone: "test." nodefault
  qname-minimisation: no
stub-zone:
  name: "lab.test"
  stub-addr: 127.0.0.1@5301
dnstap:
  dnstap-enable: yes
  dnstap-socket-path: "$D/dnstap.sock"
  dnstap-send-identity: yes
  dnstap-identity: "lab-resolver"
  dnstap-log-resolver-response-messages: yes
  dnstap-log-client-response-messages: yes
CONF
nsd -c "$D/nsd.conf" -P "$D/nsd.pid"
fstrm_capture -t protobuf:dnstap.Dnstap -u "$D/dnstap.sock" -w "$D/out.fstrm" & FSTRM=$!
sleep 1
tcpdump -i lo -w "$D/cap.pcap" -U 'port 5300 or port 5301' & TCPDUMP=$!
sleep 1
unbound -c "$D/unbound.conf" & UNBOUND=$!
sleep 2
q() { timeout 10 dig @127.0.0.1 -p 5300 +tries=1 +time=3 "$@" >> "$D/dig.txt"; }
q www.lab.test A
q www.lab.test AAAA
q alias.lab.test A
q lab.test NS
q lab.test MX
q lab.test SOA
q txt.lab.test TXT
q _sip._tcp.lab.test SRV
q odd.lab.test TYPE65534
q mail.lab.test A +tcp
sleep 1
kill "$TCPDUMP"; wait "$TCPDUMP" || true
kill "$UNBOUND"; wait "$UNBOUND" || true
sleep 1
kill "$FSTRM"; wait "$FSTRM" || true
kill "$(cat "$D/nsd.pid")"
cp "$D/out.fstrm" "$OUT/lab.fstrm"
cp "$D/cap.pcap" "$OUT/lab.pcap"
cp "$D/dig.txt" "$OUT/lab.dig.txt"
rm -rf "$D"
