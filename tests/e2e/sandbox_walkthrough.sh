#!/usr/bin/env bash
# sandbox_walkthrough.sh: the Kubernetes documentation page "Extend Service
# IP Ranges" typed into a real kubectl (v1.32) against `celgate sandbox`,
# asserting what kubectl prints: the tables, the ClusterIPs, the errors word
# for word, the finalizer and condition of a deleting ServiceCIDR, the two
# policies of the page; that kubectl prints no warning; and that everything
# is still there after a restart.
#   sandbox_walkthrough.sh CELGATE SOURCE_DIR
set -euo pipefail
CELGATE=$1
SRC=$2

# kubectl 1.32: $KUBECTL, else the 1.32 binary beside the gcloud dispatcher
# (which would pick its client by the server's version), else kubectl on
# PATH when it is 1.32. A fresh CI machine of this project has the
# dispatcher package; Debian's kubernetes-client is 1.20, too old.
pick_kubectl() {
  if [[ -n ${KUBECTL:-} ]]; then echo "$KUBECTL"; return; fi
  local k
  k=$(command -v kubectl || true)
  if [[ -n $k ]]; then
    local dir
    dir=$(dirname "$(readlink -f "$k")")
    if [[ -x $dir/kubectl.1.32 ]]; then echo "$dir/kubectl.1.32"; return; fi
    if "$k" version --client 2>/dev/null | grep -q 'Client Version: v1\.32\.'; then echo "$k"; return; fi
  fi
}
KUBECTL=$(pick_kubectl)
if [[ -z $KUBECTL ]]; then
  echo "SKIP: no kubectl v1.32 on this machine (kubectl not on PATH, or not 1.32; set KUBECTL=)"
  exit 77
fi
for tool in jq; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps)"; exit 77; }
done

WORK=$(mktemp -d /tmp/celgate-sandbox-e2e.XXXXXX)
PID=
cleanup() {
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fails=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
fatal() { echo "FAIL: $*"; tail -n 20 "$WORK/sandbox.log" 2>/dev/null || true; exit 1; }
# expect NAME ACTUAL EXPECTED
expect() { if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1"; printf '  expected: %s\n  got:      %s\n' "$3" "$2"; fi; }
expect_re() { if [[ "$2" =~ $3 ]]; then ok "$1"; else bad "$1"; printf '  expected /%s/\n  got:      %s\n' "$3" "$2"; fi; }

export HOME=$WORK/home
mkdir -p "$HOME"
KC=$WORK/kubeconfig
ERRS=$WORK/stderr.all

start() {
  "$CELGATE" sandbox --data "$WORK/data" --listen 127.0.0.1:0 --kubeconfig "$KC" >"$WORK/sandbox.out" 2>>"$WORK/sandbox.log" &
  PID=$!
  for _ in $(seq 1 100); do
    grep -q '^kubeconfig: ' "$WORK/sandbox.out" 2>/dev/null && return 0
    kill -0 "$PID" 2>/dev/null || fatal "the sandbox exited at start"
    sleep 0.1
  done
  fatal "the sandbox did not start in 10 s"
}
stop() {
  kill -TERM "$PID"
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || { PID=; return 0; }; sleep 0.1; done
  fatal "the sandbox did not stop in 10 s"
}
# k ARGS...: kubectl; stdout in $out, stderr in $err, status in $rc.
k() {
  set +e
  out=$("$KUBECTL" --kubeconfig "$KC" "$@" 2>"$WORK/err")
  rc=$?
  set -e
  err=$(cat "$WORK/err")
  cat "$WORK/err" >>"$ERRS"
}
# k_in STDIN ARGS...
k_in() {
  local input=$1; shift
  set +e
  out=$(printf '%s\n' "$input" | "$KUBECTL" --kubeconfig "$KC" "$@" 2>"$WORK/err")
  rc=$?
  set -e
  err=$(cat "$WORK/err")
  cat "$WORK/err" >>"$ERRS"
}
scidr() { # name cidr
  printf 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: %s\nspec:\n  cidrs:\n  - %s\n' "$1" "$2"
}
ip_num() { local IFS=.; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }

start
echo "kubectl: $KUBECTL ($("$KUBECTL" version --client 2>/dev/null | head -n 1))"

# --- Extend Service IP Ranges
k get servicecidr
expect "get servicecidr: header" "$(sed -n 1p <<<"$out")" "NAME         CIDRS          AGE"
expect_re "get servicecidr: the kubernetes range" "$(sed -n 2p <<<"$out")" '^kubernetes   10\.96\.0\.0/28   [0-9]+s$'

k get service kubernetes
expect "get service kubernetes: header" "$(sed -n 1p <<<"$out")" \
  "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE"
expect_re "get service kubernetes: 10.96.0.1" "$(sed -n 2p <<<"$out")" \
  '^kubernetes   ClusterIP   10\.96\.0\.1    <none>        443/TCP   [0-9]+s$'

k get ipaddress 10.96.0.1
expect "get ipaddress 10.96.0.1" "$out" "NAME        PARENTREF
10.96.0.1   services/default/kubernetes"

# --- Adding a new ServiceCIDR: 13 Services fill the /28, the 14th fails
ips=()
for i in $(seq 1 13); do
  k create service clusterip "test-$i" --tcp 80 -o json
  [[ $rc == 0 ]] || bad "create test-$i: $err"
  ips+=("$(jq -r .spec.clusterIP <<<"$out")")
done
sorted=$(printf '%s\n' "${ips[@]}" 10.96.0.1 | sort -t. -k4 -n | tr '\n' ' ')
expect "13 Services take 10.96.0.2-14 once each" "$sorted" \
  "10.96.0.1 10.96.0.2 10.96.0.3 10.96.0.4 10.96.0.5 10.96.0.6 10.96.0.7 10.96.0.8 10.96.0.9 10.96.0.10 10.96.0.11 10.96.0.12 10.96.0.13 10.96.0.14 "
k create service clusterip test-14 --tcp 80 -o json
expect "the 14th: range is full" "$rc:$err" \
  "1:error: failed to create ClusterIP service: Internal error occurred: failed to allocate a serviceIP: range is full"
k get ipaddress
expect "the 14th left no IPAddress behind" "$(($(wc -l <<<"$out") - 1))" "14"

k_in "$(scidr newcidr1 10.96.0.0/24)" apply -f -
expect "apply newcidr1" "$rc:$out" "0:servicecidr.networking.k8s.io/newcidr1 created"
k_in "$(scidr newcidr1 10.96.0.0/24)" apply -f -
expect "apply newcidr1 again" "$rc:$out" "0:servicecidr.networking.k8s.io/newcidr1 unchanged"

seen=" ${ips[*]} "
for i in $(seq 14 17); do
  k create service clusterip "test-$i" --tcp 80 -o json
  ip=$(jq -r .spec.clusterIP <<<"$out")
  n=$(($(ip_num "$ip") - $(ip_num 10.96.0.0)))
  if [[ $rc == 0 && $n -ge 17 && $n -le 254 && $seen != *" $ip "* ]]; then
    ok "test-$i gets $ip from the /24's dynamic band"
  else
    bad "test-$i: rc $rc, ip '$ip' ($err)"
  fi
  seen+="$ip "
done

# --- Deleting a ServiceCIDR
k delete servicecidr newcidr1 --wait=false
expect "delete newcidr1 --wait=false" "$rc:$out" '0:servicecidr.networking.k8s.io "newcidr1" deleted'
k get servicecidr newcidr1 -o yaml
for line in "  deletionGracePeriodSeconds: 0" "  finalizers:" "  - networking.k8s.io/service-cidr-finalizer" \
  "    message: There are still IPAddresses referencing the ServiceCIDR, please remove" \
  "      them or create a new ServiceCIDR" '    status: "False"' "    type: Ready" "  - 10.96.0.0/24"; do
  if grep -qxF -- "$line" <<<"$out"; then ok "newcidr1 -o yaml has: $line"; else bad "newcidr1 -o yaml lacks: $line"; fi
done
expect_re "newcidr1 has a deletionTimestamp" "$out" 'deletionTimestamp: "[0-9-]+T[0-9:]+Z"'
expect_re "newcidr1 has a resourceVersion and uid" "$out" 'resourceVersion: "[0-9]+".*uid: [0-9a-f-]{36}'

for i in $(seq 14 17); do
  k delete service "test-$i"
  expect "delete test-$i" "$rc:$out" "0:service \"test-$i\" deleted"
done
# The finalizer goes once no IPAddress depends on the range alone and the
# 10 s grace after the deletionTimestamp has passed.
for _ in $(seq 1 40); do
  k get servicecidr newcidr1
  [[ $rc != 0 ]] && break
  sleep 0.5
done
expect "newcidr1 is gone" "$rc:$err" \
  '1:Error from server (NotFound): servicecidrs.networking.k8s.io "newcidr1" not found'

# --- Kubernetes Service CIDR Policies
k apply -f "$SRC/policies/servicecidr-default.yaml"
expect "apply the default policy" "$rc:$out" "0:validatingadmissionpolicy.admissionregistration.k8s.io/servicecidrs.default created
validatingadmissionpolicybinding.admissionregistration.k8s.io/servicecidrs-default-binding created"
k_in "$(scidr newcidr2 172.20.0.0/16)" apply -f -
expect "172.20.0.0/16 is refused" "$rc:$err" \
  "1:The servicecidrs \"newcidr2\" is invalid: : ValidatingAdmissionPolicy 'servicecidrs.default' with binding 'servicecidrs-default-binding' denied request: failed expression: object.spec.cidrs.all(newCIDR, variables.allowed.exists(allowedCIDR, cidr(allowedCIDR).containsCIDR(newCIDR)))"
k get servicecidr newcidr2
expect "the refused ServiceCIDR does not exist" "$rc:$err" \
  '1:Error from server (NotFound): servicecidrs.networking.k8s.io "newcidr2" not found'
k_in "$(scidr newcidr3 10.96.1.0/24)" apply -f -
expect "10.96.1.0/24 is allowed" "$rc:$out" "0:servicecidr.networking.k8s.io/newcidr3 created"
k_in "$(printf 'apiVersion: networking.k8s.io/v1\nkind: ServiceCIDR\nmetadata:\n  name: newcidr5\nspec:\n  cidrs: [2001:db8:0:0:ffff::/80, 10.96.0.0/20]\n')" apply -f -
expect "2001:db8:0:0:ffff::/80 and 10.96.0.0/20 are allowed" "$rc:$out" "0:servicecidr.networking.k8s.io/newcidr5 created"
k get validatingadmissionpolicy
expect_re "get validatingadmissionpolicy" "$out" \
  '^NAME                   VALIDATIONS   PARAMKIND   AGE
servicecidrs.default   1             <unset>     [0-9]+s$'
k apply -f "$SRC/policies/servicecidr-deny.yaml"
expect "apply the deny policy" "$rc:$out" "0:validatingadmissionpolicy.admissionregistration.k8s.io/servicecidrs.deny created
validatingadmissionpolicybinding.admissionregistration.k8s.io/servicecidrs-deny-binding created"
k_in "$(scidr newcidr4 10.96.2.0/24)" apply -f -
expect "the deny policy refuses any new ServiceCIDR" "$rc:$err" \
  "1:The servicecidrs \"newcidr4\" is invalid: : ValidatingAdmissionPolicy 'servicecidrs.deny' with binding 'servicecidrs-deny-binding' denied request: you can only create or update the default ServiceCIDR"
k label servicecidr newcidr3 team=net
expect "an update of an existing ServiceCIDR is refused too" "$rc:$err" \
  "1:The servicecidrs \"newcidr3\" is invalid: : ValidatingAdmissionPolicy 'servicecidrs.deny' with binding 'servicecidrs-deny-binding' denied request: you can only create or update the default ServiceCIDR"

# --- Errors worded as the API server words them
k get service nope
expect "get a missing Service" "$rc:$err" '1:Error from server (NotFound): services "nope" not found'
k create service clusterip test-1 --tcp 80
expect "create an existing Service" "$rc:$err" \
  '1:error: failed to create ClusterIP service: services "test-1" already exists'
k_in "$(scidr bad 10.96.0.1/24)" apply -f -
expect "an invalid CIDR" "$rc:$err" \
  '1:The ServiceCIDR "bad" is invalid: spec.cidrs[0]: Invalid value: "10.96.0.1/24": must not have bits set beyond the prefix length'

# --- kubectl printed no warning
if grep -E '^(Warning|W[0-9]{4} )' "$ERRS" >/dev/null; then
  bad "kubectl printed warnings:"; grep -E '^(Warning|W[0-9]{4} )' "$ERRS" | head -n 5
else
  ok "kubectl printed no warning"
fi

# --- restart: the same data, kubeconfig and answers
before=$(for i in $(seq 1 13); do "$KUBECTL" --kubeconfig "$KC" get service "test-$i" -o jsonpath='{.spec.clusterIP}{" "}{.metadata.uid}{"\n"}'; done)
stop
start
k get servicecidr -o name
expect "after restart: the ServiceCIDRs" "$out" "servicecidr.networking.k8s.io/kubernetes
servicecidr.networking.k8s.io/newcidr3
servicecidr.networking.k8s.io/newcidr5"
after=$(for i in $(seq 1 13); do "$KUBECTL" --kubeconfig "$KC" get service "test-$i" -o jsonpath='{.spec.clusterIP}{" "}{.metadata.uid}{"\n"}'; done)
expect "after restart: the Services keep their ClusterIPs and uids" "$after" "$before"
k get ipaddress -o name
expect "after restart: one IPAddress per ClusterIP" "$(wc -l <<<"$out")" "14"
k_in "$(scidr newcidr6 10.96.3.0/24)" apply -f -
expect "after restart: the policies still deny" "$rc:$err" \
  "1:The servicecidrs \"newcidr6\" is invalid: : ValidatingAdmissionPolicy 'servicecidrs.deny' with binding 'servicecidrs-deny-binding' denied request: you can only create or update the default ServiceCIDR"
k create service clusterip test-14 --tcp 80
expect "after restart: the /28 is still full, the /20 is not" "$rc:$out" "0:service/test-14 created"
stop

if ((fails)); then echo "$fails failed"; exit 1; fi
echo "all passed"
