#!/usr/bin/env bash
# Federation between two nodes on loopback (docs/federation.md): PL and AZ, each its own
# `tarcza serve` and database, mutual TLS 1.3 on their federation ports. PL queues N messages in
# C cases through the API while its sender is off; then AZ and PL's sender start and the script
# prints how long the queue took to drain (batch envelopes: up to 64 messages of a case in one
# signed envelope, stored in one commit), the CPU both nodes spent per message, and checks that AZ
# stored each message once. Then, both nodes up, N more messages are posted through PL's API by
# 8 clients at once, and the script prints the rate they were offered at and the p50 / p99
# time from send (the message stored at PL and queued) to its delivery receipt back at PL, from
# the outbox's queued_at and done_at (whole seconds: "0" means under a second).
#   usage: bench/federation.sh [TARCZA [N [C]]]   (defaults: build/release/tarcza, 300, 4)
# The drain is timed from the first receipt settled at PL to the last, polled every 50 ms; the
# rate leaves out what the first poll saw settled.
# Needs curl and sqlite3. Ports 9801, 9802, 9811, 9812 on 127.0.0.1.
set -euo pipefail
T=$(realpath "${1:-build/release/tarcza}")
N=${2:-300}
C=${3:-4}
D=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT
trap 'exit 1' INT TERM # the servers go with the script, however it ends
for port in 9801 9802 9811 9812; do # a server left there would answer in ours' stead
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is taken" >&2; exit 1; fi
done
cd "$D"
mkdir a b
"$T" node init --node-dir a --node PL >/dev/null
"$T" node init --node-dir b --node AZ >/dev/null
cat a/tls.crt b/tls.crt >ca.pem
"$T" demo --db pl.db --reports 0 >/dev/null
"$T" demo --db az.db --reports 0 >/dev/null
"$T" node add AZ --name AZ --country AZ --endpoint https://127.0.0.1:9802 --cert b/tls.crt \
  --sign-key "$(cat b/sign.pub)" --db pl.db --node PL >/dev/null
"$T" node add PL --name PL --country PL --endpoint https://127.0.0.1:9801 --cert a/tls.crt \
  --sign-key "$(cat a/sign.pub)" --db az.db --node AZ >/dev/null
export TARCZA_PASSWORD="correct horse battery"
"$T" user add ala --role spoc_supervisor --unit KGP-SPOC --db pl.db >/dev/null
tok=$("$T" user token ala --db pl.db)
up() { until curl -s -o /dev/null "http://127.0.0.1:$1/healthz"; do sleep 0.1; done; }
# The queue is built while PL's sender is off (PL serves its API only): the drain then measures
# the sender and the receiver, not the back-off a partner that was down leaves behind.
"$T" serve --port 9811 --db pl.db --node PL --write-rate 0 --login-rate 0 --log off \
  >/dev/null 2>&1 &
pids+=($!)
up 9811
msg() { # the subject member (or nothing), the text -> the JSON of a message PL sends AZ
  printf '{"type":"information",%s"originator":{"node":"PL","unit":"KGP-SPOC"},"addressees":[{"node":"AZ","unit":"AZ-SPOC"}],"lang":"en","handling":"H0","evaluation":{"source":"A","information":"1"},"text":"%s"}' "$1" "$2"
}
for c in $(seq 1 "$C"); do # the cases, in order, then the rest of the queue by 8 clients at once
  curl -s -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    -d "$(msg '"subject":"bench",' "m$c")" "http://127.0.0.1:9811/api/v1/exchange/cases"
done
export tok
for i in $(seq $((C + 1)) "$N"); do echo "$(((i % C) + 1)) $i"; done |
  xargs -P 8 -n 2 sh -c 'curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $tok" \
    -H "Content-Type: application/json" -d "{\"type\":\"information\",\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},\"text\":\"m$1\"}" \
    "http://127.0.0.1:9811/api/v1/exchange/cases/$0/messages"' | sort | uniq -c >codes.txt
queued=$(sqlite3 pl.db "SELECT count(*) FROM fed_outbox WHERE state = 'queued'")
[ "$queued" -eq "$N" ] || { echo "federation: $queued of $N queued" >&2; sqlite3 pl.db "SELECT state, last_error, count(*) FROM fed_outbox GROUP BY 1, 2; SELECT count(*) FROM x_messages" >&2; cat codes.txt >&2; exit 1; }
kill "${pids[0]}"
wait "${pids[0]}" || true
"$T" serve --port 9812 --db az.db --node AZ --spoc-unit AZ-SPOC --federation-port 9802 \
  --node-dir b --node-ca ca.pem --send-poll-ms 20 --log off >/dev/null 2>&1 &
pids[1]=$!
up 9812
"$T" serve --port 9811 --db pl.db --node PL --federation-port 9801 --node-dir a --node-ca ca.pem \
  --write-rate 0 --login-rate 0 --send-poll-ms 20 --log off >/dev/null 2>&1 &
pids[0]=$!
# timed from the first receipt settled (PL's start left out) to the last
until [ "$(sqlite3 pl.db "SELECT count(*) FROM fed_outbox WHERE state = 'delivered'")" -gt 0 ]; do
  sleep 0.02
done
cpu() { awk '{ s += $14 + $15 } END { print s }' "/proc/${pids[0]}/stat" "/proc/${pids[1]}/stat"; }
c0=$(cpu)
a0=$(date +%s.%N)
first=$(sqlite3 pl.db "SELECT count(*) FROM fed_outbox WHERE state = 'delivered'")
until [ "$(sqlite3 pl.db "SELECT count(*) FROM fed_outbox WHERE state = 'delivered'")" -ge "$N" ]; do
  sleep 0.05
done
a1=$(date +%s.%N)
c1=$(cpu)
stored=$(sqlite3 az.db "SELECT count(DISTINCT body) || '/' || count(*) FROM x_messages WHERE inbound = 1")
awk -v n="$N" -v c="$C" -v a="$a0" -v b="$a1" -v st="$stored" -v f="$first" \
  -v cpu=$(((c1 - c0) * 1000 / $(getconf CLK_TCK))) \
  'BEGIN { printf "federation drain messages=%d cases=%d drained_in=%.2fs rate=%.0f/s (after the first %d) cpu_both_nodes=%.2fms/message (%.2f cores) stored_distinct/all=%s\n", n, c, b - a, (n - f) / (b - a), f, cpu / (n - f), cpu / 1000 / (b - a), st }'
# Live: PL's officers send while AZ is up; send -> receipt per message.
last=$(sqlite3 pl.db "SELECT max(id) FROM fed_outbox")
export tok
t0=$(date +%s.%N)
for i in $(seq 1 "$N"); do echo "$(((i % C) + 1)) $i"; done |
  xargs -P 8 -n 2 sh -c 'curl -s -o /dev/null -H "Authorization: Bearer $tok" \
    -H "Content-Type: application/json" -d "{\"type\":\"information\",\"originator\":{\"node\":\"PL\",\"unit\":\"KGP-SPOC\"},\"addressees\":[{\"node\":\"AZ\",\"unit\":\"AZ-SPOC\"}],\"lang\":\"en\",\"handling\":\"H0\",\"evaluation\":{\"source\":\"A\",\"information\":\"1\"},\"text\":\"live$1\"}" \
    "http://127.0.0.1:9811/api/v1/exchange/cases/$0/messages"'
t1=$(date +%s.%N)
until [ "$(sqlite3 pl.db "SELECT count(*) FROM fed_outbox WHERE id > $last AND state = 'delivered'")" -ge "$N" ]; do
  sleep 0.1
done
t2=$(date +%s.%N)
pct() { sqlite3 pl.db "SELECT done_at - queued_at FROM fed_outbox WHERE id > $last ORDER BY 1 LIMIT 1 OFFSET (SELECT count(*) * $1 / 100 FROM fed_outbox WHERE id > $last)"; }
awk -v n="$N" -v c="$C" -v a="$t0" -v b="$t1" -v e="$t2" -v p50="$(pct 50)" -v p99="$(pct 99)" \
  'BEGIN { printf "federation live messages=%d cases=%d offered=%.0f/s delivered_all_in=%.1fs (%.0f/s) p50_s=%s p99_s=%s\n", n, c, n / (b - a), e - a, n / (e - a), p50, p99 }'
stored=$(sqlite3 az.db "SELECT count(DISTINCT body) || '/' || count(*) FROM x_messages WHERE inbound = 1")
echo "federation stored_distinct/all=$stored"
