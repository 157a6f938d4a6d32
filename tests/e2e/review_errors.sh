#!/usr/bin/env bash
# review_errors.sh: `celgate review` on bad input: a request that is not an
# AdmissionReview exits 2 with a clear message; a malformed policy is named
# by file, line and field path; a folder with a bad policy refuses to load
# unless --skip-invalid is given. Needs no CEL evaluation.
set -u
celgate=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # description, condition...
    local what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

mkdir "$tmp/empty"
# not JSON
echo '{"apiVersion": ' > "$tmp/bad.json"
"$celgate" review --policies "$tmp/empty" "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
check "invalid JSON exits 2" test $? -eq 2
check "invalid JSON says where" grep -q 'not a valid AdmissionReview: AdmissionReview: invalid JSON at line 2' "$tmp/err"
# wrong kind / missing request fields
echo '{"apiVersion":"admission.k8s.io/v1","kind":"Pod"}' | "$celgate" review --policies "$tmp/empty" - >"$tmp/out" 2>"$tmp/err"
check "wrong kind exits 2" test $? -eq 2
check "wrong kind is named" grep -q 'kind: Unsupported value: "Pod"' "$tmp/err"
echo '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1"}}' |
    "$celgate" review --policies "$tmp/empty" - >"$tmp/out" 2>"$tmp/err"
check "missing request.kind exits 2" test $? -eq 2
check "missing request.kind is named" grep -q 'request.kind: Required value' "$tmp/err"
# a well-formed review with no policies is allowed, uid echoed
"$celgate" review --policies "$tmp/empty" "$src/tests/fixtures/vap/servicecidr/review-create-newcidr3.json" >"$tmp/out" 2>"$tmp/err"
check "no policies: allowed (exit 0)" test $? -eq 0
check "uid echoed" grep -q '"uid": "7f0b2c1e-0003-4c3e-9a51-0f1d2b3c4d03"' "$tmp/out"

# a malformed policy: file, line and field path
mkdir "$tmp/pol"
cat > "$tmp/pol/bad.yaml" <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: bad
spec:
  failurePolicy: Sometimes
  matchConstraints:
    resourceRules:
    - apiGroups: ["networking.k8s.io"]
      apiVersions: ["v1"]
      operations: ["CREATE"]
      resources: ["servicecidrs"]
  validations:
  - expression: "true"
YAML
cat > "$tmp/pol/binding.yaml" <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: only-binding
spec:
  policyName: bad
  validationActions: [Deny, Warn]
YAML
"$celgate" review --policies "$tmp/pol" "$src/tests/fixtures/vap/servicecidr/review-create-newcidr1.json" >"$tmp/out" 2>"$tmp/err"
check "bad folder refuses to load (exit 2)" test $? -eq 2
check "policy error names file:line and path" \
    grep -q "bad.yaml:6: spec.failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", \"Ignore\"" "$tmp/err"
check "binding error names file:line and path" \
    grep -q "binding.yaml:7: spec.validationActions: Invalid value: \[\]admissionregistration.ValidationAction{\"Deny\", \"Warn\"}: must not contain both Deny and Warn" "$tmp/err"
cat > "$tmp/pol/good.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: param
  namespace: default
data: {}
YAML
"$celgate" review --skip-invalid --policies "$tmp/pol" "$src/tests/fixtures/vap/servicecidr/review-create-newcidr1.json" >"$tmp/out" 2>"$tmp/err"
check "--skip-invalid loads the rest (exit 0)" test $? -eq 0
check "--skip-invalid still reports the problem" grep -q "bad.yaml:6: spec.failurePolicy" "$tmp/err"
check "--help exits 0" "$celgate" review --help

echo "$fails failed"
test "$fails" -eq 0
