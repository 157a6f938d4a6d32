#!/usr/bin/env bash
# tests/e2e/readme_serve.sh: the README's first command, scripts/serve (with
# the built binary: CELGATE_BIN), serves the bundled policy on loopback and
# prints a curl that works: run as printed, it gets the answer printed
# beside it; the denied sample gets the status code and message printed.
set -euo pipefail
CELGATE=$(realpath "$1")
SRC=$(realpath "$2")
for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
WORK=$(mktemp -d /tmp/celgate-serve.XXXXXX)
PID=
cleanup() {
  [[ -n $PID ]] && kill -KILL "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [[ -f $WORK/out ]] && tail -n 30 "$WORK/out" >&2; exit 1; }
# Free ports are not known in advance (the printed curl names the port):
# try a few random ones.
for attempt in 1 2 3 4 5; do
  port=$((20000 + RANDOM % 20000)); health=$((port + 1))
  CELGATE_BIN=$CELGATE CELGATE_CERTS=$WORK/certs CELGATE_PORT=$port CELGATE_HEALTH_PORT=$health \
    bash "$SRC/scripts/serve" > "$WORK/out" 2>&1 < /dev/null &
  PID=$!
  for _ in $(seq 1 100); do
    grep -q '"msg":"serving"' "$WORK/out" && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  grep -q '"msg":"serving"' "$WORK/out" && break
  kill -KILL "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  PID=
done
[[ -n $PID ]] || fail "scripts/serve did not start"
grep -q "celgate serves $SRC/policies/servicecidr-default.yaml on https://127.0.0.1:$port/validate" "$WORK/out" ||
  fail "the banner does not say what is served where"
# The curl as printed: the two lines after "Try it", continuation joined.
cmd=$(awk '/^Try it/ { on = 1; next } on && /^  curl/ { c = $0; getline; print c " " $0; exit }' "$WORK/out" |
      sed 's/\\ *  */ /')
[[ $cmd == *"curl --cacert $WORK/certs/ca.crt"*"https://127.0.0.1:$port/validate"* ]] || fail "no curl printed: $cmd"
expected=$(awk '/^expected answer/ { getline; getline; print; exit }' "$WORK/out" | sed 's/^ *//')
got=$(cd / && eval "${cmd/curl /curl -sS }") || fail "the printed curl failed: $cmd"
[[ $(jq -cS . <<<"$got") == "$(jq -cS . <<<"$expected")" ]] || fail "answer $got, printed $expected"
echo "ok: the printed curl gets the printed answer: $got"
denied=$(cd / && eval "$(sed 's/servicecidr-allowed/servicecidr-denied/' <<<"${cmd/curl /curl -sS }")")
msg=$(awk '/code 422, reason Invalid, the message/ { getline; print; exit }' "$WORK/out" | sed 's/^ *//')
jq -e --arg m "$msg" '.response.allowed == false and .response.status.code == 422 and .response.status.reason == "Invalid"
  and .response.status.message == $m and (.response.auditAnnotations.validation_failure | fromjson | .[0].validationActions) == ["Deny", "Audit"]' \
  <<<"$denied" >/dev/null || fail "denied sample: $denied (printed message: $msg)"
echo "ok: the denied sample gets the printed 422 message and the validation_failure annotation"
kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PID" 2>/dev/null && fail "still running after SIGTERM"
rc=0; wait "$PID" || rc=$?; PID=
[[ $rc == 0 ]] || fail "exit status $rc after SIGTERM"
echo "ok: Ctrl-C/SIGTERM stops it cleanly"
echo "0 failed"
