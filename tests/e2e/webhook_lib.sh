# tests/e2e/webhook_lib.sh: helpers for the webhook's end-to-end tests,
# sourced by tests/e2e/webhook_*.sh. Usage of a test script:
#   webhook_X.sh CELGATE FAKE_SERVE SOURCE_DIR
# The server under test (SERVER) is `celgate serve` when its policy engine
# compiles the test policies (`celgate serve --check`), else wh_fake_serve:
# the same server with the fake engine of tests/wh_fake_engine.h, so that
# the server is tested while the engine is incomplete. ENGINE_NOTE says
# which. Everything runs on 127.0.0.1 with free ports and stops by itself
# (bounded loops, a trap that stops the server).
set -euo pipefail
CELGATE=$1
FAKE=$2
SRC=$3
WORK=$(mktemp -d /tmp/celgate-e2e.XXXXXX)
SERVER_PID=
PORT=
HEALTH=
LOG=$WORK/server.log
E2E_POLICIES=$SRC/tests/e2e/webhook/policies
SAMPLES=$SRC/deploy/samples

cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -f $LOG ]]; then echo "--- server log (last 20 lines)" >&2; tail -n 20 "$LOG" >&2; fi
  exit 1
}

ok() { echo "ok: $*"; }

for tool in curl jq openssl; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps)"; exit 77; }
done

make_certs() { # DIR [--client]
  "$CELGATE" cert --service celgate --namespace e2e --out "$1" ${2:-} >/dev/null 2>&1 ||
    fail "celgate cert failed"
}

make_certs "$WORK/probe"
if ENGINE_NOTE=$("$CELGATE" serve --check --policies "$E2E_POLICIES" --cert "$WORK/probe/tls.crt" \
     --key "$WORK/probe/tls.key" 2>&1); then
  SERVER=$CELGATE
  ENGINE_NOTE="real engine"
else
  SERVER=$FAKE
  ENGINE_NOTE="fake engine: celgate serve --check says: $(head -c 300 <<<"$ENGINE_NOTE")"
fi
echo "server under test: $SERVER ($ENGINE_NOTE)"
uses_real_engine() { [[ $SERVER == "$CELGATE" ]]; }

# start_server ARGS...: starts `SERVER serve` on free ports, waits for it.
start_server() {
  : > "$LOG"
  "$SERVER" serve --addr 127.0.0.1 --port 0 --health-port 0 --shutdown-delay 200ms \
    --threads 2 "$@" 2>>"$LOG" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if grep -q '"msg":"serving"' "$LOG"; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || fail "server exited at start"
    sleep 0.1
  done
  local line
  line=$(grep -m1 '"msg":"serving"' "$LOG") || fail "server did not start within 10s"
  PORT=$(jq -r .port <<<"$line")
  HEALTH=$(jq -r .health_port <<<"$line")
  [[ $PORT =~ ^[0-9]+$ && $PORT != 0 ]] || fail "no port in: $line"
}

# stop_server: SIGTERM, then waits (bounded) for a clean exit.
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill -TERM "$SERVER_PID"
  local rc=0
  for _ in $(seq 1 150); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$SERVER_PID" 2>/dev/null && fail "server still running 15s after SIGTERM"
  wait "$SERVER_PID" || rc=$?
  SERVER_PID=
  [[ $rc == 0 ]] || fail "server exited with status $rc after SIGTERM"
}

URL() { echo "https://127.0.0.1:$PORT${1:-/validate}"; }

# post FILE [curl args...]: POSTs FILE; sets STATUS and BODY.
post() {
  local file=$1; shift
  local out=$WORK/reply
  STATUS=$(curl -sS --cacert "$CERTS/ca.crt" -o "$out" -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @"$file" "$@" "$(URL)") || STATUS=000
  BODY=$(cat "$out" 2>/dev/null || true)
}

expect_status() { # WANT CONTEXT
  [[ $STATUS == "$1" ]] || fail "$2: HTTP $STATUS, want $1; body: ${BODY:0:300}"
}

expect_jq() { # FILTER WANT CONTEXT   (compares jq -r output)
  local got
  got=$(jq -r "$1" <<<"$BODY" 2>/dev/null) || fail "$3: reply is not JSON: ${BODY:0:300}"
  [[ $got == "$2" ]] || fail "$3: $1 = '$got', want '$2'"
}

metric() { # NAME_WITH_LABELS -> value (0 when absent)
  curl -sS "http://127.0.0.1:$HEALTH/metrics" | awk -v k="$1" '$1 == k { print $2; f=1 } END { if (!f) print 0 }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status"; }
