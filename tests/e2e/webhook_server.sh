#!/usr/bin/env bash
# tests/e2e/webhook_server.sh: `celgate serve` over TLS with real clients
# (curl, openssl s_client): a review answered with its uid, v1beta1 answered
# in v1beta1, malformed bodies, a 9 MiB body, wrong method and path, TLS
# versions, health, readiness and metrics.
source "$(dirname "$0")/webhook_lib.sh"
CERTS=$WORK/certs
make_certs "$CERTS"
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"

post "$SAMPLES/servicecidr-allowed.json" --url-query timeout=10s
expect_status 200 "allowed review"
expect_jq .apiVersion admission.k8s.io/v1 "allowed review"
expect_jq .kind AdmissionReview "allowed review"
expect_jq .response.uid 7c2b4f3e-1d8a-4a56-9e0b-3f6c2d1a9b01 "allowed review"
expect_jq .response.allowed true "allowed review"
ok "allowed review: 200, uid echoed"

jq '.apiVersion = "admission.k8s.io/v1beta1" | .request.uid = "beta-1"' \
  "$SAMPLES/servicecidr-allowed.json" > "$WORK/beta.json"
post "$WORK/beta.json"
expect_status 200 "v1beta1 review"
expect_jq .apiVersion admission.k8s.io/v1beta1 "v1beta1 review"
expect_jq .response.uid beta-1 "v1beta1 review"
ok "v1beta1 answered in v1beta1"

bad() { # BODY-FILE MESSAGE CONTEXT
  post "$1"
  expect_status 400 "$3"
  expect_jq .kind Status "$3"
  expect_jq .code 400 "$3"
  expect_jq .message "$2" "$3"
  ok "$3: 400 $2"
}
head -c 200 "$SAMPLES/servicecidr-allowed.json" > "$WORK/truncated.json"
post "$WORK/truncated.json"
expect_status 400 "truncated JSON"
[[ $(jq -r .message <<<"$BODY") == "invalid JSON at line "*": premature end of input"* ]] ||
  fail "truncated JSON: message $(jq -r .message <<<"$BODY")"
ok "truncated JSON: 400"
jq '.kind = "Pod"' "$SAMPLES/servicecidr-allowed.json" > "$WORK/kind.json"
bad "$WORK/kind.json" 'kind: expected "AdmissionReview", got "Pod"' "wrong kind"
jq 'del(.request.uid)' "$SAMPLES/servicecidr-allowed.json" > "$WORK/nouid.json"
bad "$WORK/nouid.json" "request.uid: required field is missing" "missing uid"
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"\xc3\x28"}}' > "$WORK/utf8.json"
post "$WORK/utf8.json"
expect_status 400 "invalid UTF-8"
[[ $(jq -r .message <<<"$BODY") == *"unable to decode byte 0xc3"* ]] ||
  fail "invalid UTF-8: message $(jq -r .message <<<"$BODY")"
ok "invalid UTF-8: 400"

head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' > "$WORK/big.json"
post "$WORK/big.json"
expect_status 413 "9 MiB body"
expect_jq .message "request body of 9437184 bytes exceeds the limit of 8388608 bytes" "9 MiB body"
ok "9 MiB body: 413 before reading it"

STATUS=$(curl -sS --cacert "$CERTS/ca.crt" -o "$WORK/reply" -w '%{http_code}' "$(URL)")
BODY=$(cat "$WORK/reply")
expect_status 405 "GET /validate"
ok "GET: 405"
STATUS=$(curl -sS --cacert "$CERTS/ca.crt" -o "$WORK/reply" -w '%{http_code}' \
  -H 'Content-Type: application/json' --data-binary @"$SAMPLES/servicecidr-allowed.json" "$(URL /mutate)")
BODY=$(cat "$WORK/reply")
expect_status 404 "POST /mutate"
ok "wrong path: 404"

# Keep-alive: several reviews over one connection (curl reuses it).
n=$(curl -sS --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' \
  --data-binary @"$SAMPLES/servicecidr-allowed.json" -o /dev/null "$(URL)" --next \
  --cacert "$CERTS/ca.crt" -H 'Content-Type: application/json' \
  --data-binary @"$SAMPLES/servicecidr-allowed.json" -o /dev/null -w '%{num_connects}\n' "$(URL)")
[[ $n == 0 ]] || fail "keep-alive: second request opened $n new connections"
ok "keep-alive: second review reused the connection"

# TLS: 1.3 and 1.2 accepted, 1.1 refused.
for v in tls1_3 tls1_2; do
  out=$(openssl s_client -connect "127.0.0.1:$PORT" -"$v" -CAfile "$CERTS/ca.crt" \
    -verify_return_error -servername celgate.e2e.svc </dev/null 2>&1) || fail "$v handshake: $out"
  grep -q "Verify return code: 0 (ok)" <<<"$out" || fail "$v: certificate not verified"
done
ok "TLS 1.3 and 1.2 handshakes verify against the CA"
if openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 </dev/null >/dev/null 2>&1; then
  fail "TLS 1.1 was accepted"
fi
ok "TLS 1.1 refused"
# TLS 1.2: AEAD ciphers only.
cipher() {
  openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher "$1" -CAfile "$CERTS/ca.crt" </dev/null 2>/dev/null |
    awk '/Cipher is/ { print $NF; exit }'
}
[[ $(cipher ECDHE-ECDSA-AES128-GCM-SHA256) == ECDHE-ECDSA-AES128-GCM-SHA256 ]] || fail "TLS 1.2 AES-GCM refused"
[[ $(cipher ECDHE-ECDSA-CHACHA20-POLY1305) == ECDHE-ECDSA-CHACHA20-POLY1305 ]] || fail "TLS 1.2 ChaCha20 refused"
for c in ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA; do
  [[ $(cipher "$c") == "(NONE)" ]] || fail "TLS 1.2 CBC cipher $c accepted"
done
ok "TLS 1.2: AES-GCM and ChaCha20-Poly1305 accepted, CBC refused"

[[ $(curl -sS "http://127.0.0.1:$HEALTH/healthz") == ok ]] || fail "/healthz"
[[ $(curl -sS "http://127.0.0.1:$HEALTH/readyz") == ok ]] || fail "/readyz"
[[ $(metric 'celgate_admission_requests_total{verdict="allowed",code="200"}') -ge 4 ]] ||
  fail "metrics: allowed count"
[[ $(metric 'celgate_admission_requests_total{verdict="rejected",code="400"}') == 4 ]] ||
  fail "metrics: rejected count"
[[ $(metric 'celgate_admission_requests_total{verdict="rejected",code="413"}') == 1 ]] ||
  fail "metrics: 413 count"
exp=$(metric celgate_certificate_expiry_timestamp_seconds)
want=$(date -d "$(openssl x509 -in "$CERTS/tls.crt" -noout -enddate | cut -d= -f2)" +%s)
[[ $exp == "$want" ]] || fail "metrics: certificate expiry $exp, want $want"
ok "health, readiness, metrics"

grep '"msg":"review"' "$LOG" | head -1 | jq -e '.uid and .operation == "CREATE" and .group == "networking.k8s.io"
  and .resource == "servicecidrs" and .name == "newcidr1" and .user == "kubernetes-admin"
  and .dryRun == false and .allowed == true and (.latency_ms | type == "number") and (.object | not)' >/dev/null ||
  fail "log line: $(grep '"msg":"review"' "$LOG" | head -1)"
ok "one JSON log line per review"
stop_server
ok "clean exit on SIGTERM"
