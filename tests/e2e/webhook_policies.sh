#!/usr/bin/env bash
# tests/e2e/webhook_policies.sh: `celgate serve` with the real policy engine:
# the bundled policies (policies/) allow a ServiceCIDR inside 10.96.0.0/16
# and deny one outside with the API server's message; the test policies
# (tests/e2e/webhook/policies) give a denial, a warning and an audit
# annotation through Deny, Warn and Audit bindings.
source "$(dirname "$0")/webhook_lib.sh"
uses_real_engine || { echo "SKIP: needs the policy engine; $ENGINE_NOTE"; exit 77; }
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
# the apiserver's label values: a failed validation is error_type invalid_error
[[ $(metric 'celgate_validating_admission_policy_check_total{policy="servicecidrs.e2e",policy_binding="e2e-deny",error_type="invalid_error",enforcement_action="deny"}') == 1 ]] ||
  fail "metrics: policy check by policy and binding"
[[ $(metric 'celgate_validating_admission_policy_check_total{policy="servicecidrs.e2e",policy_binding="e2e-warn",error_type="invalid_error",enforcement_action="warn"}') == 1 ]] ||
  fail "metrics: warn check"
[[ $(metric 'celgate_validating_admission_policy_check_total{policy="servicecidrs.e2e",policy_binding="e2e-audit",error_type="invalid_error",enforcement_action="audit"}') == 1 ]] ||
  fail "metrics: audit check"
curl -sS "http://127.0.0.1:$HEALTH/metrics" | grep -q 'enforcement_action="admit"' && fail "metrics: passes are not counted"
grep '"uid":"uid-deny"' "$LOG" | jq -e '.allowed == false and .policy == "servicecidrs.e2e" and .binding == "e2e-deny" and .action == "deny"' >/dev/null ||
  fail "log line of the denial: $(grep '"uid":"uid-deny"' "$LOG")"
ok "metrics and log name policy, binding and action"
stop_server

# The bundled policies: alternatives, served one at a time.
expr="object.spec.cidrs.all(newCIDR, variables.allowed.exists(allowedCIDR, cidr(allowedCIDR).containsCIDR(newCIDR)))"
start_server --policies "$SRC/policies/servicecidr-default.yaml" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"
post "$SAMPLES/servicecidr-allowed.json"
expect_status 200 "servicecidrs.default: 10.96.100.0/24"
expect_jq .response.allowed true "servicecidrs.default: 10.96.100.0/24"
expect_jq '.response.auditAnnotations // {} | length' 0 "servicecidrs.default: 10.96.100.0/24"
ok "servicecidrs.default: 10.96.100.0/24 allowed"
post "$SAMPLES/servicecidr-denied.json"
expect_status 200 "servicecidrs.default: 192.168.0.0/24"
expect_jq .response.uid c1f0a9d2-5e47-4b3c-8a61-0d9e7f2b4c02 "servicecidrs.default: 192.168.0.0/24"
expect_jq .response.allowed false "servicecidrs.default: 192.168.0.0/24"
expect_jq .response.status.code 422 "servicecidrs.default: 192.168.0.0/24"
expect_jq .response.status.reason Invalid "servicecidrs.default: 192.168.0.0/24"
expect_jq .response.status.message "servicecidrs.networking.k8s.io \"bad-cidr\" is forbidden: ValidatingAdmissionPolicy 'servicecidrs.default' with binding 'servicecidrs-default-binding' denied request: failed expression: $expr" "servicecidrs.default: 192.168.0.0/24"
expect_jq '.response.auditAnnotations.validation_failure | fromjson | .[0] | [.message, .policy, .binding, .expressionIndex, (.validationActions | join(","))] | join("|")' \
  "failed expression: $expr|servicecidrs.default|servicecidrs-default-binding|0|Deny,Audit" "servicecidrs.default: 192.168.0.0/24"
ok "servicecidrs.default: 192.168.0.0/24 denied (422) with the API server's message and the validation_failure annotation"
# The webhook shapes its answers itself (one JSON parse per review): they
# must be those of `celgate review`, the engine's own shaping.
for f in servicecidr-allowed servicecidr-denied; do
  post "$SAMPLES/$f.json"
  want=$("$CELGATE" review --policies "$SRC/policies/servicecidr-default.yaml" "$SAMPLES/$f.json" || true)
  [[ $(jq -cS . <<<"$BODY") == "$(jq -cS . <<<"$want")" ]] ||
    fail "$f: webhook answer differs from celgate review:\n$BODY\n$want"
done
ok "answers identical to celgate review's"
stop_server

start_server --policies "$SRC/policies/servicecidr-deny.yaml" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"
post "$SAMPLES/servicecidr-allowed.json"
expect_jq .response.allowed false "servicecidrs.deny"
expect_jq .response.status.message "servicecidrs.networking.k8s.io \"newcidr1\" is forbidden: ValidatingAdmissionPolicy 'servicecidrs.deny' with binding 'servicecidrs-deny-binding' denied request: you can only create or update the default ServiceCIDR" "servicecidrs.deny"
ok "servicecidrs.deny: any new ServiceCIDR denied with its message"
stop_server
