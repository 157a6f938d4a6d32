#!/usr/bin/env bash
# tests/e2e/webhook_limits.sh: what keeps slow or greedy clients from hurting
# others: an idle connection is closed after --conn-timeout, a body trickled
# past the request deadline (ours, or the API server's ?timeout= less its
# margin) is cut off, and connections beyond --max-connections wait in the
# listen queue, unserved, until a connection closes.
source "$(dirname "$0")/webhook_lib.sh"
CERTS=$WORK/certs
make_certs "$CERTS"
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key" \
  --threads 1 --conn-timeout 2s --deadline 2s --max-connections 3

# Idle (slowloris): a TLS connection that sends nothing is closed by the server.
start=$SECONDS
timeout 20 openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CERTS/ca.crt" -quiet \
  < <(sleep 15) >/dev/null 2>&1 || true
(( SECONDS - start < 12 )) || fail "idle connection not closed by the server"
ok "idle connection closed by the server (--conn-timeout)"

# A body trickled at 1 kB/s: cut off at the deadline, never evaluated.
head -c 20000 /dev/zero | tr '\0' x > "$WORK/pad"
jq --rawfile pad "$WORK/pad" '.request.object.metadata.annotations.pad = $pad' \
  "$SAMPLES/servicecidr-allowed.json" > "$WORK/slow.json"
trickle() { # QUERY -> http code (000: connection cut)
  curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' --limit-rate 1k --max-time 30 \
    -H 'Content-Type: application/json' --data-binary @"$WORK/slow.json" "$(URL)$1" 2>/dev/null || true
}
code=$(trickle "")
[[ $code == 000 ]] || fail "trickled body past --deadline: HTTP $code, want the connection cut"
ok "body trickled past --deadline 2s: connection cut"
code=$(trickle "?timeout=1s")
[[ $code == 000 ]] || fail "trickled body past ?timeout=1s: HTTP $code"
[[ $(metric 'celgate_admission_requests_total{verdict="aborted",code="499"}') == 2 ]] ||
  fail "aborted requests not counted"
ok "body trickled past the API server's ?timeout=1s: cut, counted as aborted"

# Connection cap: three idle connections fill it; a fourth gets no answer
# while they are open; once the server has closed them (idle), it is served.
held=()
for i in 1 2 3; do
  ( exec 3<>"/dev/tcp/127.0.0.1/$PORT"; sleep 4 ) &
  held+=($!)
done
sleep 0.3
post "$SAMPLES/servicecidr-allowed.json" --max-time 1
[[ $STATUS == 000 ]] || fail "fourth connection beyond --max-connections 3: HTTP $STATUS"
ok "connection beyond --max-connections waits unserved"
post "$SAMPLES/servicecidr-allowed.json" --max-time 10
expect_status 200 "once the idle connections are closed"
ok "served once the idle connections are closed"
wait "${held[@]}"
stop_server
