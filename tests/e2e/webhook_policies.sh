#!/usr/bin/env bash
# tests/e2e/webhook_policies.sh: `celgate serve` with the real policy engine:
# the bundled policies (policies/) allow a ServiceCIDR inside 10.96.0.0/16
# and deny one outside with the API server's message; the test policies
# (tests/e2e/webhook/policies) give a denial, a warning and an audit
# annotation through Deny, Warn and Audit bindings.
source "$(dirname "$0")/webhook_lib.sh"
uses_real_engine || { echo "SKIP: needs celgate built with the policy engine (src/vap)"; exit 77; }
probe=$("$SERVER" serve --policies /nonexistent --cert x --key x 2>&1 || true)
if grep -q "no policy engine" <<<"$probe"; then
  echo "SKIP: this celgate has no policy engine (src/vap not built)"; exit 77
fi
CERTS=$WORK/certs
make_certs "$CERTS"

labelled() { # LABEL -> review of the denied sample with celgate-e2e=LABEL
  jq --arg l "$1" '.request.object.metadata.labels["celgate-e2e"] = $l | .request.name = "bad-" + $l
    | .request.object.metadata.name = "bad-" + $l | .request.uid = "uid-" + $l' \
    "$SAMPLES/servicecidr-denied.json" > "$WORK/$1.json"
}
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"
msg="cidrs must be inside 10.96.0.0/16"

labelled deny
post "$WORK/deny.json"
expect_status 200 "Deny binding"
expect_jq .response.uid uid-deny "Deny binding"
expect_jq .response.allowed false "Deny binding"
expect_jq .response.status.code 422 "Deny binding"
expect_jq .response.status.reason Invalid "Deny binding"
expect_jq .response.status.message "servicecidrs.networking.k8s.io \"bad-deny\" is forbidden: ValidatingAdmissionPolicy 'servicecidrs.e2e' with binding 'e2e-deny' denied request: $msg" "Deny binding"
ok "Deny binding: 422 with the API server's message"

labelled warn
post "$WORK/warn.json"
expect_status 200 "Warn binding"
expect_jq .response.allowed true "Warn binding"
expect_jq '.response.warnings | length' 1 "Warn binding"
expect_jq '.response.warnings[0]' "Validation failed for ValidatingAdmissionPolicy 'servicecidrs.e2e' with binding 'e2e-warn': $msg" "Warn binding"
ok "Warn binding: allowed with the warning"

labelled audit
post "$WORK/audit.json"
expect_status 200 "Audit binding"
expect_jq .response.allowed true "Audit binding"
expect_jq '[.response.auditAnnotations | keys[] | select(contains("/"))] | length' 0 "Audit binding"
expect_jq '.response.auditAnnotations | to_entries[] | select(.key | endswith("validation_failure")) | .value | fromjson | .[0] | [.message, .policy, .binding, .expressionIndex, (.validationActions | join(","))] | join("|")' \
  "$msg|servicecidrs.e2e|e2e-audit|0|Audit" "Audit binding"
ok "Audit binding: allowed with the validation_failure audit annotation"

post "$SAMPLES/servicecidr-allowed.json"
expect_jq .response.allowed true "no binding matches"
expect_jq '.response.warnings // [] | length' 0 "no binding matches"
ok "no binding matches: allowed, nothing added"
[[ $(metric 'celgate_admission_requests_total{verdict="denied",code="422"}') == 1 ]] || fail "metrics: denied"
curl -sS "http://127.0.0.1:$HEALTH/metrics" | grep -q 'celgate_validating_admission_policy_check_total{policy="servicecidrs.e2e",policy_binding="e2e-deny"' ||
  fail "metrics: policy check by policy and binding"
grep '"uid":"uid-deny"' "$LOG" | jq -e '.allowed == false and .policy == "servicecidrs.e2e" and .binding == "e2e-deny" and .action == "deny"' >/dev/null ||
  fail "log line of the denial: $(grep '"uid":"uid-deny"' "$LOG")"
ok "metrics and log name policy, binding and action"
stop_server

if [[ -d $SRC/policies ]]; then
  start_server --policies "$SRC/policies" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"
  post "$SAMPLES/servicecidr-allowed.json"
  expect_status 200 "bundled: allowed"
  expect_jq .response.allowed true "bundled: 10.96.100.0/24"
  post "$SAMPLES/servicecidr-denied.json"
  expect_jq .response.allowed false "bundled: 192.168.0.0/24"
  expect_jq .response.status.code 422 "bundled: 192.168.0.0/24"
  got=$(jq -r .response.status.message <<<"$BODY")
  [[ $got == "servicecidrs.networking.k8s.io \"bad-cidr\" is forbidden: ValidatingAdmissionPolicy 'servicecidrs.default' with binding '"*"' denied request: "* ]] ||
    fail "bundled: message '$got'"
  ok "bundled policies: 10.96.100.0/24 allowed; 192.168.0.0/24 denied: $got"
  stop_server
else
  echo "note: no policies/ folder in this checkout; bundled-policy checks not run"
fi
