#!/usr/bin/env bash
# review_servicecidr.sh: the bundled policies of the Kubernetes page "Extend
# Service IP Ranges", through `celgate review`, on requests built from
# `kubectl label --local -o json` objects (tests/fixtures/vap/servicecidr).
set -u
celgate=$1
src=$2
fx=$src/tests/fixtures/vap/servicecidr
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {
    local what=$1; shift
    if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
run() { # policy-file fixture -> sets rc, output in $tmp/out
    "$celgate" review --policies "$src/policies/$1" "$fx/$2" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

run servicecidr-default.yaml review-create-newcidr1.json
if grep -q "CEL core is not linked" "$tmp/err"; then
    echo "SKIP: this build has no CEL evaluator yet (the CEL core has not landed in main)"
    exit 77
fi

# servicecidrs.default: allowed 10.96.0.0/16 and 2001:db8::/64
check "10.96.1.0/24 allowed" test "$rc" -eq 0
check "10.96.1.0/24 allowed: true" jq -e '.response.allowed == true' "$tmp/out"
run servicecidr-default.yaml review-create-newcidr2.json
check "2001:db8:0:0:ffff::/80 + 10.96.0.0/20 allowed" test "$rc" -eq 0
run servicecidr-default.yaml review-create-newcidr3.json
check "172.20.0.0/16 denied (exit 1)" test "$rc" -eq 1
want='servicecidrs.networking.k8s.io "newcidr3" is forbidden: ValidatingAdmissionPolicy '"'"'servicecidrs.default'"'"' with binding '"'"'servicecidrs-default-binding'"'"' denied request: failed expression: object.spec.cidrs.all(newCIDR, variables.allowed.exists(allowedCIDR, cidr(allowedCIDR).containsCIDR(newCIDR)))'
check "172.20.0.0/16: exact upstream message" jq -e --arg m "$want" '.response.status.message == $m' "$tmp/out"
check "172.20.0.0/16: 422 Invalid" jq -e '.response.status.code == 422 and .response.status.reason == "Invalid"' "$tmp/out"
check "172.20.0.0/16: uid echoed" jq -e '.response.uid == "7f0b2c1e-0003-4c3e-9a51-0f1d2b3c4d03"' "$tmp/out"
check "172.20.0.0/16: audited" jq -e '.response.auditAnnotations.validation_failure | fromjson | .[0].policy == "servicecidrs.default"' "$tmp/out"
for k in review-create-kubernetes-apiserver.json review-update-kubernetes-apiserver.json review-create-kubernetes-outside.json; do
    run servicecidr-default.yaml "$k"
    check "default policy: kubernetes ServiceCIDR allowed ($k)" test "$rc" -eq 0
done

# servicecidrs.deny: every ServiceCIDR create denied except kubernetes
for k in newcidr1 newcidr2 newcidr3; do
    run servicecidr-deny.yaml "review-create-$k.json"
    check "deny policy: $k denied" test "$rc" -eq 1
    check "deny policy: $k message" jq -e '.response.status.message | endswith("denied request: you can only create or update the default ServiceCIDR")' "$tmp/out"
done
for k in review-create-kubernetes-apiserver.json review-update-kubernetes-apiserver.json; do
    run servicecidr-deny.yaml "$k"
    check "deny policy: kubernetes allowed ($k)" test "$rc" -eq 0
done

echo "$fails failed"
test "$fails" -eq 0
