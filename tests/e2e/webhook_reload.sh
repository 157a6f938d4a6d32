#!/usr/bin/env bash
# tests/e2e/webhook_reload.sh: reloads without a restart.
#  - policies in a ConfigMap-volume layout (kubelet's atomic writer: files are
#    symlinks through `..data` to a timestamped folder, swapped by rename):
#    a new version with a broken file fails to load, is counted, the old set
#    stays, /readyz stays up; the next good version loads; SIGHUP reloads;
#  - certificate rotation during traffic, the Kubernetes Secret-volume way
#    (an atomic `..data` symlink swap): no request fails, a connection open
#    across the swap completes, new handshakes get the new certificate.
source "$(dirname "$0")/webhook_lib.sh"
make_certs "$WORK/v1"
make_certs "$WORK/v2"
CERTS=$WORK/both
mkdir -p "$CERTS"
cat "$WORK/v1/ca.crt" "$WORK/v2/ca.crt" > "$CERTS/ca.crt"
SECRET=$WORK/secret
mkdir -p "$SECRET/..v1"
cp "$WORK/v1/tls.crt" "$WORK/v1/tls.key" "$SECRET/..v1/"
ln -s ..v1 "$SECRET/..data"
ln -s ..data/tls.crt "$SECRET/tls.crt"
ln -s ..data/tls.key "$SECRET/tls.key"
POL=$WORK/policies
# configmap_version NAME FILE...: publishes FILE... as the volume's content,
# the way the kubelet does: new folder, `..data` swapped by rename, the
# visible names symlinked through `..data`, the old ones removed.
configmap_version() {
  local v=$1; shift
  mkdir -p "$POL/..$v"
  cp "$@" "$POL/..$v/"
  ln -sfn "..$v" "$POL/..data_tmp"
  mv -T "$POL/..data_tmp" "$POL/..data"
  for f in "$POL"/*; do
    if [[ -L $f && ! -e $POL/..data/$(basename "$f") ]]; then rm "$f"; fi
  done
  for f in "$@"; do ln -sfn "..data/$(basename "$f")" "$POL/$(basename "$f")"; done
}
mkdir -p "$POL"
configmap_version v1 "$E2E_POLICIES"/*.yaml
start_server --policies "$POL" --cert "$SECRET/tls.crt" --key "$SECRET/tls.key" --reload-interval 1s

wait_metric() { # NAME WANT CONTEXT: polls up to 10 s
  for _ in $(seq 1 100); do
    [[ $(metric "$1") == "$2" ]] && return 0
    sleep 0.1
  done
  fail "$3: $1 = $(metric "$1"), want $2"
}
FAILS='celgate_reloads_total{what="policies",result="failure"}'
OKS='celgate_reloads_total{what="policies",result="success"}'
[[ $(metric "$OKS") == 1 ]] || fail "initial load not counted"

printf 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: broken\n  spec: [\n' > "$WORK/zz-broken.yaml"
configmap_version v2 "$E2E_POLICIES"/*.yaml "$WORK/zz-broken.yaml"
wait_metric "$FAILS" 1 "broken policy file"
grep -q '"msg":"policy reload failed; the previous set stays in force"' "$LOG" || fail "reload failure not logged"
[[ $(curl -sS "http://127.0.0.1:$HEALTH/readyz") == ok ]] || fail "/readyz went down after a failed reload"
post "$SAMPLES/servicecidr-allowed.json"
expect_status 200 "review after a failed reload"
expect_jq .response.allowed true "review after a failed reload"
ok "ConfigMap update with a broken file: reload failed, counted, logged; old set still answers; ready"

configmap_version v3 "$E2E_POLICIES"/*.yaml
wait_metric "$OKS" 2 "fixed ConfigMap version"
ok "fixed ConfigMap version reloaded"
kill -HUP "$SERVER_PID"
wait_metric "$OKS" 3 "SIGHUP"
wait_metric 'celgate_reloads_total{what="certificate",result="success"}' 2 "SIGHUP (certificate)"
ok "SIGHUP reloads policies and certificate"

issuer() {
  openssl s_client -connect "127.0.0.1:$PORT" -CAfile "$CERTS/ca.crt" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256 | cut -d= -f2
}
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2; }
[[ $(issuer) == "$(fp "$WORK/v1/tls.crt")" ]] || fail "not serving the first certificate"

# Traffic during the swap: sequential reviews, and one slow upload whose
# connection is open across the swap.
head -c 150000 /dev/zero | tr '\0' x > "$WORK/pad"
jq --rawfile pad "$WORK/pad" '.request.object.metadata.annotations.pad = $pad' \
  "$SAMPLES/servicecidr-allowed.json" > "$WORK/slow.json"
curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}' --limit-rate 100k \
  -H 'Content-Type: application/json' --data-binary @"$WORK/slow.json" "$(URL)" > "$WORK/slow.status" &
slow=$!
( for i in $(seq 1 40); do
    curl -sS --cacert "$CERTS/ca.crt" -o /dev/null -w '%{http_code}\n' \
      -H 'Content-Type: application/json' --data-binary @"$SAMPLES/servicecidr-allowed.json" "$(URL)" || echo 000
    sleep 0.05
  done ) > "$WORK/traffic.status" &
traffic=$!
sleep 0.5
mkdir "$SECRET/..v2"
cp "$WORK/v2/tls.crt" "$WORK/v2/tls.key" "$SECRET/..v2/"
ln -s ..v2 "$SECRET/..data_tmp"
mv -T "$SECRET/..data_tmp" "$SECRET/..data"
wait_metric 'celgate_reloads_total{what="certificate",result="success"}' 3 "certificate swap"
wait "$traffic" "$slow"
[[ $(sort -u "$WORK/traffic.status") == 200 ]] || fail "requests during rotation: $(sort "$WORK/traffic.status" | uniq -c | tr '\n' ' ')"
[[ $(cat "$WORK/slow.status") == 200 ]] || fail "connection open across the swap: HTTP $(cat "$WORK/slow.status")"
[[ $(issuer) == "$(fp "$WORK/v2/tls.crt")" ]] || fail "new handshakes do not get the new certificate"
exp=$(metric celgate_certificate_expiry_timestamp_seconds)
[[ $exp == "$(date -d "$(openssl x509 -in "$WORK/v2/tls.crt" -noout -enddate | cut -d= -f2)" +%s)" ]] ||
  fail "expiry metric not updated"
ok "certificate rotated by symlink swap during traffic: 40/40 reviews and the open connection answered 200"

# A bad certificate (key of another pair) is refused; the current one stays.
mkdir "$SECRET/..v3"
cp "$WORK/v1/tls.crt" "$SECRET/..v3/tls.crt"
cp "$WORK/v2/tls.key" "$SECRET/..v3/tls.key"
ln -s ..v3 "$SECRET/..data_tmp"
mv -T "$SECRET/..data_tmp" "$SECRET/..data"
wait_metric 'celgate_reloads_total{what="certificate",result="failure"}' 1 "mismatched pair"
[[ $(issuer) == "$(fp "$WORK/v2/tls.crt")" ]] || fail "a refused pair replaced the certificate"
ok "mismatched certificate/key refused; the previous certificate stays"
stop_server
