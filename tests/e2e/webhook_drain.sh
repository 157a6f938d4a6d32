#!/usr/bin/env bash
# tests/e2e/webhook_drain.sh: SIGTERM while requests are in flight: /readyz
# fails first, the in-flight requests are all answered, then the process
# exits 0 by itself.
source "$(dirname "$0")/webhook_lib.sh"
CERTS=$WORK/certs
make_certs "$CERTS"
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key" \
  --shutdown-delay 500ms --drain-timeout 20s
# Slow uploads (about 2 s each) keep requests in flight across the signal.
head -c 200000 /dev/zero | tr '\0' x > "$WORK/pad"
jq --rawfile pad "$WORK/pad" '.request.object.metadata.annotations.pad = $pad' \
  "$SAMPLES/servicecidr-allowed.json" > "$WORK/slow.json"
pids=()
for i in 1 2 3 4; do
  curl -sS --cacert "$CERTS/ca.crt" -o "$WORK/body.$i" -w '%{http_code}' --limit-rate 100k \
    -H 'Content-Type: application/json' --data-binary @"$WORK/slow.json" "$(URL)" > "$WORK/status.$i" &
  pids+=($!)
done
# Wait until all four are being read by the server.
for _ in $(seq 1 100); do
  [[ $(metric celgate_admission_requests_in_flight) == 4 ]] && break
  sleep 0.05
done
[[ $(metric celgate_admission_requests_in_flight) == 4 ]] || fail "requests not in flight"
kill -TERM "$SERVER_PID"
ready=
for _ in $(seq 1 40); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HEALTH/readyz" || true)
  [[ $ready == 503 ]] && break
  sleep 0.025
done
[[ $ready == 503 ]] || fail "/readyz did not fail after SIGTERM (got $ready)"
ok "/readyz fails once SIGTERM arrives"
wait "${pids[@]}"
for i in 1 2 3 4; do
  [[ $(cat "$WORK/status.$i") == 200 ]] || fail "in-flight request $i: HTTP $(cat "$WORK/status.$i")"
  jq -e '.response.allowed == true' "$WORK/body.$i" >/dev/null || fail "in-flight request $i: body"
done
ok "4/4 in-flight requests answered 200 after SIGTERM"
for _ in $(seq 1 150); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$SERVER_PID" 2>/dev/null && fail "server still running 15s after draining"
rc=0
wait "$SERVER_PID" || rc=$?
SERVER_PID=
[[ $rc == 0 ]] || fail "exit status $rc"
grep -q '"msg":"stopped","in_flight_dropped":0' "$LOG" || fail "stop not logged with 0 dropped"
ok "exited 0 with no request dropped"
