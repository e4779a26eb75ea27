#!/usr/bin/env bash
# Bounded load test: publishes the service and tests/GradApi.LoadBaseline (Release), starts both on
# 127.0.0.1 at free ports, and runs wrk with 32 connections posting the CS231n sigmoid neuron for DURATION
# (default 10s) to /v1/evaluate, then the same body to the baseline's bare endpoint that only parses it and
# answers a tiny JSON, then GET /healthz. Prints requests/s, latency percentiles and the ratio of evaluate to
# the baseline (target >= 0.7, p99 <= 5 ms), then stops both.
# Talks to 127.0.0.1 only. Needs wrk (Debian package `wrk`: apt-get install wrk).
#
#   tests/load/load.sh                 # publish, start, measure
#   DURATION=5s CONNECTIONS=16 tests/load/load.sh
#   ROUNDS=5 tests/load/load.sh        # the three runs five times over, then the median ratio
#   WARMUP=15s tests/load/load.sh      # a longer warm-up of each server (default 2s), for the JIT's optimized code
#   LOG_FORMAT=json tests/load/load.sh # the service's log lines as JSON, as in the container (default: simple)
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/load/common.sh

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-1}
WARMUP=${WARMUP:-2s}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
server="" baseline_pid=""
cleanup() {
  stop "$server"
  stop "$baseline_pid"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publish (Release)"
dotnet publish src/GradApi -c Release -o "$work/app" --nologo -v q >/dev/null
dotnet publish tests/GradApi.LoadBaseline -c Release -o "$work/baseline" --nologo -v q >/dev/null

port=$(free_port)
base="http://127.0.0.1:$port"
# The shipped defaults (appsettings.json): one log line per request at Information; LOG_FORMAT=json for the
# container's format.
(cd "$work/app" && ASPNETCORE_ENVIRONMENT=Production Logging__Console__FormatterName="${LOG_FORMAT:-simple}" \
   exec dotnet GradApi.dll --urls "$base" >"$work/server.log" 2>&1) &
server=$!
wait_healthy "$base" "$server" "$work/server.log"

bport=$(free_port)
bbase="http://127.0.0.1:$bport"
(cd "$work/baseline" && ASPNETCORE_ENVIRONMENT=Production exec dotnet GradApi.LoadBaseline.dll --urls "$bbase" \
   --Logging:LogLevel:Default=Warning >"$work/baseline.log" 2>&1) &
baseline_pid=$!

neuron_json "$work/sigmoid.json"
post_lua "$work/sigmoid.lua" "$work/sigmoid.json"

echo "== check: one evaluate, one baseline parse"
curl -fs "$base/v1/evaluate" -H 'Content-Type: application/json' --data-binary @"$work/sigmoid.json" | head -c 120; echo
for _ in $(seq 100); do
  curl -fs "$bbase/parse" -H 'Content-Type: application/json' --data-binary @"$work/sigmoid.json" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "$bbase/parse" -H 'Content-Type: application/json' --data-binary @"$work/sigmoid.json" || { cat "$work/baseline.log"; exit 1; }
echo

summary() { # name, wrk output
  local rps p50 p90 p99 errors
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$2")
  p50=$(awk '$1=="50%" {print $2}' <<<"$2"); p90=$(awk '$1=="90%" {print $2}' <<<"$2"); p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$2"); errors=${errors:-0}
  printf '%-9s %10s req/s   p50 %8s   p90 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p90" "$p99" "$errors"
}
rps() { awk '/^Requests\/sec/ {print $2}' <<<"$1"; }

echo "== warm-up ($WARMUP each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$work/sigmoid.lua" "$base/v1/evaluate" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$work/sigmoid.lua" "$bbase/parse" >/dev/null

ratios=()
for round in $(seq "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && echo "== round $round of $ROUNDS"
  echo "== evaluate: $CONNECTIONS connections, $DURATION, sigmoid neuron"
  evaluate=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/sigmoid.lua" "$base/v1/evaluate")
  echo "$evaluate"
  echo "== baseline: $CONNECTIONS connections, $DURATION, the same body parsed by a bare endpoint"
  baseline=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/sigmoid.lua" "$bbase/parse")
  echo "$baseline"
  echo "== healthz: $CONNECTIONS connections, $DURATION (comparison)"
  healthz=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base/healthz")
  echo "$healthz"

  echo "== summary"
  summary evaluate "$evaluate"
  summary baseline "$baseline"
  summary healthz "$healthz"
  ratio=$(python3 -c "print(round($(rps "$evaluate") / $(rps "$baseline"), 2))")
  ratios+=("$ratio")
  echo "evaluate / baseline requests/s: $ratio (target >= 0.70)"
done
if [ "$ROUNDS" -gt 1 ]; then
  echo "evaluate / baseline requests/s over $ROUNDS rounds: ${ratios[*]}; median $(python3 -c "import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))" "${ratios[@]}")"
fi
