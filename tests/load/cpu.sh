#!/usr/bin/env bash
# CPU per request: publishes the service (Release, shipped defaults), starts it on 127.0.0.1 at a free port and
# measures, for the sigmoid neuron, the server process's user + system time divided by the requests it answered
# over a wrk run, for /v1/evaluate (the graph posted whole) and for the same graph registered
# (POST /v1/graphs/{id}/evaluate with its values), alternated ROUNDS times after a warm-up. CPU per request, unlike
# requests/s, does not count what wrk itself spends on the same machine's cores.
# Settings for the service go in the environment, e.g. Logging__LogLevel__Default=Warning tests/load/cpu.sh.
# APP=folder uses a build published there instead (to compare two builds in one sitting).
#
#   tests/load/cpu.sh
#   ROUNDS=3 DURATION=4s CONNECTIONS=8 tests/load/cpu.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/load/common.sh

DURATION=${DURATION:-4s}
CONNECTIONS=${CONNECTIONS:-8}
ROUNDS=${ROUNDS:-3}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  stop "$server"
  rm -rf "$work"
}
trap cleanup EXIT

app=${APP:-}
if [ -z "$app" ]; then
  echo "== publish (Release)"
  dotnet publish src/GradApi -c Release -o "$work/app" --nologo -v q >/dev/null
  app="$work/app"
fi

port=$(free_port)
base="http://127.0.0.1:$port"
(cd "$app" && ASPNETCORE_ENVIRONMENT=Production exec dotnet GradApi.dll --urls "$base" >"$work/server.log" 2>&1) &
server=$!
wait_healthy "$base" "$server" "$work/server.log"

neuron_json "$work/neuron.json"
echo '{"inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}' >"$work/point.json"
id=$(curl -fs "$base/v1/graphs" -H 'Content-Type: application/json' --data-binary @"$work/neuron.json" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
post_lua "$work/evaluate.lua" "$work/neuron.json"
post_lua "$work/registered.lua" "$work/point.json"
url() { [ "$1" = evaluate ] && echo "$base/v1/evaluate" || echo "$base/v1/graphs/$id/evaluate"; }

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
measure() { # name
  local before after out requests
  before=$(cpu)
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s "$work/$1.lua" "$(url "$1")")
  after=$(cpu)
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  if grep -q Non-2xx <<<"$out"; then echo "$out"; echo "non-2xx answers"; exit 1; fi
  python3 -c "print(f'{\"$1\":11s} {$requests:8d} requests  {($after - $before) * 1e6 / $ticks / $requests:6.1f} us CPU each  $(awk '/Requests\/sec/ {print $2}' <<<"$out") requests/s')"
}

echo "== warm-up"
for name in evaluate registered; do wrk -t1 -c"$CONNECTIONS" -d3s -s "$work/$name.lua" "$(url "$name")" >/dev/null; done
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS ($DURATION each, $CONNECTIONS connections)"
  measure evaluate
  measure registered
done
