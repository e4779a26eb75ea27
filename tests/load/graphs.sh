#!/usr/bin/env bash
# Compile once, evaluate many: publishes the service (Release, shipped defaults), starts it on 127.0.0.1 at a free
# port, and measures in one run
#   1. requests/s of the sigmoid neuron evaluated one point per request, registered (POST /v1/graphs/{id}/evaluate
#      with {"inputs": {...}}) against the same graph posted whole to /v1/evaluate: wrk, CONNECTIONS connections,
#      DURATION each, the two alternated ROUNDS times; prints each round and the median ratio (target >= 1.3);
#   2. the server time of one batch of B = 10^5 points on the neuron (x0 and x1 given per point, the weights
#      broadcast), from its Server-Timing header: the median over REPEATS requests of each stage, in training
#      (every input's grad per point), training with reduce=mean, and inference (target < 5 ms), after
#      BATCH_WARMUP requests of each kind (the batch path's code optimized, as in a server that has run a while).
# Every answer is checked first: the registered answer must be /v1/evaluate's byte for byte.
# Talks to 127.0.0.1 only. Needs wrk (Debian package `wrk`) and curl.
#
#   tests/load/graphs.sh
#   DURATION=5s ROUNDS=3 CONNECTIONS=16 REPEATS=20 tests/load/graphs.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/load/common.sh

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-5s}
REPEATS=${REPEATS:-15}
BATCH_WARMUP=${BATCH_WARMUP:-30}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  stop "$server"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== publish (Release)"
dotnet publish src/GradApi -c Release -o "$work/app" --nologo -v q >/dev/null

port=$(free_port)
base="http://127.0.0.1:$port"
(cd "$work/app" && ASPNETCORE_ENVIRONMENT=Production Logging__Console__FormatterName="${LOG_FORMAT:-simple}" \
   exec dotnet GradApi.dll --urls "$base" >"$work/server.log" 2>&1) &
server=$!
wait_healthy "$base" "$server" "$work/server.log"

neuron_json "$work/neuron.json"
# The same point, as the values of the registered neuron.
echo '{"inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}' >"$work/point.json"

echo "== register"
registered=$(curl -fs "$base/v1/graphs" -H 'Content-Type: application/json' --data-binary @"$work/neuron.json")
echo "$registered"
id=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$registered")

echo "== check: the registered answer is /v1/evaluate's, byte for byte"
curl -fs "$base/v1/evaluate" -H 'Content-Type: application/json' --data-binary @"$work/neuron.json" >"$work/direct.out"
curl -fs "$base/v1/graphs/$id/evaluate" -H 'Content-Type: application/json' --data-binary @"$work/point.json" >"$work/registered.out"
cmp "$work/direct.out" "$work/registered.out" || { echo "the answers differ"; exit 1; }
head -c 120 "$work/direct.out"; echo

post_lua "$work/direct.lua" "$work/neuron.json"
post_lua "$work/registered.lua" "$work/point.json"
rps() { awk '/^Requests\/sec/ {print $2}' <<<"$1"; }
summary() { # name, wrk output
  local p50 p99 errors
  p50=$(awk '$1=="50%" {print $2}' <<<"$2"); p99=$(awk '$1=="99%" {print $2}' <<<"$2")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$2"); errors=${errors:-0}
  printf '%-11s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$(rps "$2")" "$p50" "$p99" "$errors"
  [ "$errors" = 0 ] || { echo "non-2xx answers"; exit 1; }
}

echo "== warm-up ($WARMUP each)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$work/direct.lua" "$base/v1/evaluate" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$work/registered.lua" "$base/v1/graphs/$id/evaluate" >/dev/null

ratios=()
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS: $CONNECTIONS connections, $DURATION each"
  direct=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/direct.lua" "$base/v1/evaluate")
  registered=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/registered.lua" "$base/v1/graphs/$id/evaluate")
  summary evaluate "$direct"
  summary registered "$registered"
  ratio=$(python3 -c "print(round($(rps "$registered") / $(rps "$direct"), 2))")
  ratios+=("$ratio")
  echo "registered / evaluate requests/s: $ratio (target >= 1.30)"
done
echo "median registered / evaluate over $ROUNDS rounds: $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') (target >= 1.30)"

echo "== batch: B = 100000 points on the neuron, server time from Server-Timing (median of $REPEATS)"
python3 - "$work/batch.json" "$work/batch-mean.json" <<'PY'
import json, sys
n = 100_000
x0 = [round(-1 + 2 * i / n, 6) for i in range(n)]
x1 = [round(2 - 4 * i / n, 6) for i in range(n)]
batch = {"w0": 2, "w1": -3, "w2": -3, "x0": x0, "x1": x1}
json.dump({"batch": batch}, open(sys.argv[1], "w"))
json.dump({"batch": batch, "grads": ["w0", "w1", "w2"], "reduce": "mean"}, open(sys.argv[2], "w"))
PY
echo "body: $(wc -c <"$work/batch.json") bytes"
timing() { # label, query, body
  for _ in $(seq "$REPEATS"); do
    curl -fs -o /dev/null -D - "$base/v1/graphs/$id/evaluate$2" -H 'Content-Type: application/json' --data-binary @"$3" \
      | tr -d '\r' | awk -F': ' 'tolower($1)=="server-timing" {print $2}'
  done | python3 -c '
import re, statistics, sys
label = sys.argv[1]
runs = [dict((m, float(d)) for m, d in re.findall(r"(\w+);dur=([0-9.]+)", line)) for line in sys.stdin if line.strip()]
stages = [s for s in ("read", "find", "parse", "forward", "backward", "gc") if s in runs[0]]
median = {s: statistics.median(r.get(s, 0) for r in runs) for s in stages}
server = statistics.median(sum(r.get(s, 0) for s in ("find", "parse", "forward", "backward")) for r in runs)
engine = statistics.median(r.get("forward", 0) + r.get("backward", 0) for r in runs)
print(f"{label:22s} " + "  ".join(f"{s} {median[s]:.3f}" for s in stages)
      + f"  | find+parse+forward+backward {server:.3f} ms, forward+backward {engine:.3f} ms (target < 5 ms)")
' "$1"
}
# Warm: the batch path's methods start as quickly jitted code and are compiled again, optimized, on a background
# thread after some calls; on a busy machine that takes many requests, and the first of them run several times slower.
echo "batch warm-up: $BATCH_WARMUP requests of each kind"
for _ in $(seq "$BATCH_WARMUP"); do
  curl -fs -o /dev/null "$base/v1/graphs/$id/evaluate" -H 'Content-Type: application/json' --data-binary @"$work/batch.json"
  curl -fs -o /dev/null "$base/v1/graphs/$id/evaluate" -H 'Content-Type: application/json' --data-binary @"$work/batch-mean.json"
  curl -fs -o /dev/null "$base/v1/graphs/$id/evaluate?mode=inference" -H 'Content-Type: application/json' --data-binary @"$work/batch.json"
done
timing "training, every grad" "" "$work/batch.json"
timing "training, reduce=mean" "" "$work/batch-mean.json"
timing "inference" "?mode=inference" "$work/batch.json"
