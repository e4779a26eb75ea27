#!/usr/bin/env bash
# Mixed load with answers checked: publishes the service (Release), starts it on 127.0.0.1 at a free
# port, and runs wrk with 32 connections for DURATION (default 60s) on a mix of the two CS231n worked
# examples, 40 small random graphs over every op and 4 random DAGs of 10^4 nodes (about 1 request in
# 25), each in training and in inference mode.
#
# Every answer is checked. First, once per body and mode, the service's answer is compared with an
# independent reference evaluator (tests/load/mixed_bodies.py, written from API.md's op table): same
# ids, ops and order, every value and grad within 1e-9 relative. Then, under load, every answer must
# be byte for byte the answer so checked (the service is deterministic), or it counts as wrong.
# Prints requests/s, latency percentiles, non-2xx, socket errors and wrong answers, and exits
# non-zero unless all three are 0.
# Talks to 127.0.0.1 only. Needs wrk (Debian package `wrk`: apt-get install wrk).
#
#   tests/load/mixed.sh                       # 60 s
#   DURATION=10s CONNECTIONS=16 tests/load/mixed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/load/common.sh

DURATION=${DURATION:-60s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }

work=$(mktemp -d)
server=""
cleanup() {
  stop "$server"
  rm -rf "$work"
}
trap cleanup EXIT

echo "== bodies and reference answers"
python3 tests/load/mixed_bodies.py gen "$work/bodies"

echo "== publish (Release)"
dotnet publish src/GradApi -c Release -o "$work/app" --nologo -v q >/dev/null

port=$(free_port)
base="http://127.0.0.1:$port"
# Request logging off: at Information level the console log would cost more than a small evaluation.
(cd "$work/app" && ASPNETCORE_ENVIRONMENT=Production exec dotnet GradApi.dll --urls "$base" \
   --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1) &
server=$!
wait_healthy "$base" "$server" "$work/server.log"

echo "== every body and mode once, against the reference"
names=()
for body in "$work"/bodies/*.ref.json; do names+=("$(basename "$body" .ref.json)"); done
for name in "${names[@]}"; do
  for mode in training inference; do
    answer="$work/bodies/$name.$mode.answer.json"
    status=$(curl -s -o "$answer" -w '%{http_code}' "$base/v1/evaluate?mode=$mode" \
      -H 'Content-Type: application/json' --data-binary @"$work/bodies/$name.json")
    [ "$status" = 200 ] || { echo "$name ($mode): HTTP $status"; head -c 600 "$answer"; echo; exit 1; }
    python3 tests/load/mixed_bodies.py check "$work/bodies/$name.ref.json" "$answer"
  done
done
echo "${#names[@]} bodies x 2 modes agree with the reference"

# The schedule: every small body in turn, a 10^4-node body after every 24 small ones.
small=() big=()
for name in "${names[@]}"; do case $name in big*) big+=("$name") ;; *) small+=("$name") ;; esac; done
schedule=() b=0
for round in $(seq 6); do
  for name in "${small[@]}"; do
    for mode in training inference; do
      schedule+=("$name.$mode")
      if (( ${#schedule[@]} % 25 == 0 )); then schedule+=("${big[b % ${#big[@]}]}.$mode"); b=$((b + 1)); fi
    done
  done
done

lua_list() { local out="" x; for x in "$@"; do out+="\"$x\","; done; echo "{${out%,}}"; }
cat >"$work/mixed.lua" <<LUA
-- Each thread posts the schedule in turn (from its own offset) and checks every answer against the
-- answer verified for its body and mode, found by the output id and mode the answer names.
local dir = "$work/bodies"
local names = $(lua_list "${names[@]}")
local schedule = $(lua_list "${schedule[@]}")
local requests, expected = {}, {}
local counter = 0
checked, wrong, failed, first_wrong = 0, 0, 0, ""

local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("*a"); f:close(); return s
end

function setup(thread)
  threads = threads or {}
  table.insert(threads, thread)
  thread:set("offset", #threads * 7)
end

function init(args)
  local bodies = {}
  for _, name in ipairs(names) do
    bodies[name] = read(dir .. "/" .. name .. ".json")
    for _, mode in ipairs({"training", "inference"}) do
      local answer = read(dir .. "/" .. name .. "." .. mode .. ".answer.json")
      expected[answer:match('"output":"([^"]*)"') .. "/" .. mode] = answer
    end
  end
  local headers = { ["Content-Type"] = "application/json" }
  for i, entry in ipairs(schedule) do
    local name, mode = entry:match("^(.*)%.(%a+)$")
    requests[i] = wrk.format("POST", "/v1/evaluate?mode=" .. mode, headers, bodies[name])
  end
  counter = offset or 0
end

function request()
  counter = counter + 1
  return requests[counter % #requests + 1]
end

function response(status, headers, body)
  if status ~= 200 then failed = failed + 1; return end
  checked = checked + 1
  local key = (body:match('"output":"([^"]*)"') or "?") .. "/" .. (body:match('"mode":"(%a+)"') or "?")
  if expected[key] ~= body then
    wrong = wrong + 1
    if first_wrong == "" then first_wrong = key end
  end
end

function done(summary, latency, requests)
  local c, w, f, first = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    c = c + thread:get("checked"); w = w + thread:get("wrong"); f = f + thread:get("failed")
    if first == "" then first = thread:get("first_wrong") end
  end
  local e = summary.errors
  io.write(string.format("checked %d answers: %d wrong, %d non-200, socket errors %d (connect %d, read %d, write %d, timeout %d)\n",
    c, w, f, e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
  if first ~= "" then io.write("first wrong answer: " .. first .. "\n") end
  io.write(string.format("p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
LUA

echo "== warm-up (3s)"
wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s "$work/mixed.lua" "$base" >/dev/null

echo "== mixed load: $CONNECTIONS connections, $DURATION, ${#schedule[@]} requests in the schedule (${#big[@]} bodies of 10^4 nodes, 1 request in 25)"
out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$work/mixed.lua" "$base")
echo "$out"
grep -q "^checked [1-9][0-9]* answers: 0 wrong, 0 non-200, socket errors 0 " <<<"$out" || { echo "FAIL: errors or wrong answers"; exit 1; }
echo "PASS: no errors, no wrong answers"
