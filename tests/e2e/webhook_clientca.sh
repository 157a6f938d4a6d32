#!/usr/bin/env bash
# tests/e2e/webhook_clientca.sh: with --client-ca, only clients presenting a
# certificate from that CA are answered; others get 403 (or no handshake).
source "$(dirname "$0")/webhook_lib.sh"
CERTS=$WORK/certs
make_certs "$CERTS" --client
make_certs "$WORK/other" --client
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key" \
  --client-ca "$CERTS/ca.crt"

post "$SAMPLES/servicecidr-allowed.json"
expect_status 403 "no client certificate"
expect_jq .message "a client certificate is required" "no client certificate"
ok "no client certificate: 403"

post "$SAMPLES/servicecidr-allowed.json" --cert "$WORK/other/client.crt" --key "$WORK/other/client.key"
[[ $STATUS == 403 || $STATUS == 000 ]] || fail "foreign client certificate: HTTP $STATUS"
ok "client certificate from another CA: refused ($STATUS)"

post "$SAMPLES/servicecidr-allowed.json" --cert "$CERTS/client.crt" --key "$CERTS/client.key"
expect_status 200 "trusted client certificate"
expect_jq .response.uid 7c2b4f3e-1d8a-4a56-9e0b-3f6c2d1a9b01 "trusted client certificate"
ok "trusted client certificate: 200"

# The handshake asks for a certificate naming our CA.
out=$(openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile "$CERTS/ca.crt" </dev/null 2>&1) || true
grep -q "Acceptable client certificate CA names" <<<"$out" || fail "no certificate request in the handshake"
grep -q "celgate CA for celgate.e2e.svc" <<<"$out" || fail "certificate request does not name our CA"
ok "TLS 1.2 handshake requests a client certificate from our CA"
stop_server
