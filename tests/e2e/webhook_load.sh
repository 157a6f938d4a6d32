#!/usr/bin/env bash
# tests/e2e/webhook_load.sh: bounded load with wrk over TLS and keep-alive
# (3 runs of 3 s): no request may fail, and the server's memory must stay
# flat across runs (checked in builds without ASan, whose quarantine holds
# freed memory on purpose).
source "$(dirname "$0")/webhook_lib.sh"
command -v wrk >/dev/null || { echo "SKIP: wrk is not installed (scripts/install-deps)"; exit 77; }
CERTS=$WORK/certs
make_certs "$CERTS"
start_server --policies "$E2E_POLICIES" --cert "$CERTS/tls.crt" --key "$CERTS/tls.key"
{
  echo 'wrk.method = "POST"'
  echo 'wrk.headers["Content-Type"] = "application/json"'
  printf 'wrk.body = [==[%s]==]\n' "$(cat "$SAMPLES/servicecidr-allowed.json")"
} > "$WORK/post.lua"
rss=()
for run in 1 2 3; do
  out=$(wrk -t2 -c8 -d3s -s "$WORK/post.lua" "$(URL)" 2>&1) || fail "wrk: $out"
  reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
  [[ $reqs -gt 0 ]] || fail "run $run: no requests: $out"
  grep -q "Non-2xx" <<<"$out" && fail "run $run: failed requests: $out"
  grep -q "Socket errors" <<<"$out" && fail "run $run: socket errors: $out"
  rss+=("$(rss_kb)")
  ok "run $run: $reqs requests, all 200; server RSS ${rss[-1]} kB"
done
if ldd "$SERVER" | grep -q libasan; then
  echo "memory check skipped: ASan build (quarantine keeps freed memory)"
else
  # Flat: the third run may not grow past the first by more than 10% + 2 MiB.
  limit=$(( rss[0] + rss[0] / 10 + 2048 ))
  [[ ${rss[2]} -le $limit ]] || fail "memory grows: ${rss[*]} kB"
  ok "memory flat across runs: ${rss[*]} kB"
fi
[[ $(metric celgate_admission_requests_in_flight) == 0 ]] || fail "in-flight gauge not back to 0"
stop_server
