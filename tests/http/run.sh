#!/usr/bin/env bash
# Runs every request of http/GradApi.http with httpyac against the service started on a free port of
# 127.0.0.1 (its shipped defaults, nothing external), and fails on any answer other than the one the file
# asserts. Ends with one line 'http: N passed, N failed' (N requests). Needs node and npm, and a built
# solution (dotnet build GradApi.sln).
set -uo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "npm ci failed"; echo "http: 0 passed, 1 failed"; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
dotnet run --no-build --project ../../src/GradApi --urls "http://127.0.0.1:$port" > "$log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null; wait "$service" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$service" 2>/dev/null || break
  sleep 0.5
done
if ! curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
  echo "the service did not start:"; cat "$log"; echo "http: 0 passed, 1 failed"; exit 1
fi

out=$(mktemp)
(cd ../.. && timeout 300 tests/http/node_modules/.bin/httpyac send http/GradApi.http --all --env local \
  --var "baseUrl=http://127.0.0.1:$port" -o short) 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

# httpyac's summary: 'N requests processed (A succeeded, B failed)' or '(A succeeded)'.
summary=$(grep -aE '[0-9]+ requests processed' "$out" | tail -n 1)
rm -f "$out"
passed=$(echo "$summary" | grep -oE '[0-9]+ succeeded' | grep -oE '[0-9]+' || echo 0)
failed=$(echo "$summary" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
[ -n "$summary" ] || failed=1
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "http: ${passed} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
