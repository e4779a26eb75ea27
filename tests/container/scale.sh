#!/usr/bin/env bash
# Scale-out test for GradApi (see docs/scaling.md).
#
# Brings docker-compose.yml's `scale` profile up with podman-compose (three
# replicas sharing registered graphs through Redis, behind nginx) and checks,
# all through nginx:
#   - a graph registered once evaluates 1,000 times, every replica serves some
#     of the requests (X-GradApi-Replica) and every answer is byte for byte the
#     answer of one process on its own;
#   - a replica stopped under load: no wrong answer, and the only failed
#     requests are the few in flight on it (counted and printed);
#   - Redis stopped: graphs already compiled still evaluate, registering
#     answers a 503 problem with Retry-After, each replica logs why once,
#     readiness says Degraded; Redis started again: registering works again
#     without restarting anything.
# Then brings it all down, in every case.
#
# Builds what it needs as smoke.sh does (common.sh): podman and friends from
# Debian if missing, local stand-ins for the official images (base-images.sh:
# .NET, nginx and redis from Debian's packages), the app image offline.
#
#   bash tests/container/scale.sh
#
# Run as root. Talks to 127.0.0.1 only. Ends with 'scale: N passed, N failed'
# and exits non-zero on any failure.
set -uo pipefail

SUITE=scale
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMAGE=localhost/gradapi:scale
PROJECT=gradapi-scale
SINGLE=gradapi-scale-single
REPLICAS=(api-1 api-2 api-3)
LOAD=$here/scale_load.py

# The sigmoid neuron, registered with its inputs' defaults; evaluated at other x.
NEURON='{"nodes":[{"id":"w0","op":"input","value":2},{"id":"x0","op":"input","value":-1},{"id":"w1","op":"input","value":-3},{"id":"x1","op":"input","value":-2},{"id":"w2","op":"input","value":-3},{"id":"a","op":"mul","inputs":["w0","x0"]},{"id":"b","op":"mul","inputs":["w1","x1"]},{"id":"d","op":"add","inputs":["a","b","w2"]},{"id":"f","op":"sigmoid","inputs":["d"]}],"output":"f"}'
INPUTS='{"inputs":{"x0":0.5,"x1":-1.25}}'
# Registered while Redis is down: a graph no replica has seen.
OTHER='{"nodes":[{"id":"x","op":"input","value":3},{"id":"f","op":"tanh","inputs":["x"]}],"output":"f"}'

cleanup() {
  podman rm -f -t 2 "$SINGLE" >/dev/null 2>&1
  remove_project "$PROJECT"
}
on_exit() {
  local rc=$?
  trap - EXIT
  command -v podman >/dev/null && cleanup
  summary scale
  ((failed == 0 && rc == 0)) || exit 1
  exit 0
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# The container of a compose service.
container_of() {
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"
}

# field FILE KEY: one member of a JSON object in FILE, as text.
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print(json.dumps(v) if isinstance(v,(dict,list)) else v)' "$1" "$2"; }

# ---------------------------------------------------------------- build
say "tools"
install_tools
cleanup   # leftovers of an interrupted earlier run
base_images nginx redis
offline_build_args
build_image "$IMAGE"

# ---------------------------------------------------------------- the reference: one process
sport=$(free_port 18190) || abort "a free port on 127.0.0.1"
podman run -d --name "$SINGLE" --read-only --tmpfs /tmp:rw,size=64m,mode=1777 -p "127.0.0.1:$sport:8080" "$IMAGE" \
  >"$logs/single.log" 2>&1 || abort "single-process container starts" "$logs/single.log"
wait_http "http://127.0.0.1:$sport/healthz" 60 >"$logs/wait-single.log" 2>&1 ||
  abort "single-process container answers" "$logs/wait-single.log"
reference_ok() {
  local status id
  status=$(post "http://127.0.0.1:$sport/v1/graphs" "$NEURON" "$logs/single-register.json")
  echo "register: $status $(cat "$logs/single-register.json")"
  [[ $status == 201 ]] || return 1
  id=$(field "$logs/single-register.json" id)
  status=$(post "http://127.0.0.1:$sport/v1/graphs/$id/evaluate" "$INPUTS" "$logs/reference.json")
  echo "evaluate: $status $(cat "$logs/reference.json")"
  [[ $status == 200 ]] || return 1
  # An independent check of the reference itself: sigmoid(2*0.5 + -3*-1.25 - 3) = sigmoid(1.75).
  python3 - "$logs/reference.json" <<'PY'
import json, math, sys
body = json.load(open(sys.argv[1]))
expected = 1 / (1 + math.exp(-1.75))
print("value", body["value"], "expected", expected)
sys.exit(0 if abs(body["value"] - expected) < 1e-15 else 1)
PY
}
check "one process alone: the neuron registered and evaluated at x = (0.5, -1.25) is sigmoid(1.75)" reference_ok
[[ -s $logs/reference.json ]] || abort "a reference answer to compare with"
podman rm -f -t 2 "$SINGLE" >/dev/null 2>&1

# ---------------------------------------------------------------- up
port=$(free_port $((sport + 1))) || abort "a free port on 127.0.0.1"
base=http://127.0.0.1:$port
compose() {
  GRADAPI_IMAGE=$IMAGE GRADAPI_SCALE_PORT=$port podman-compose -p "$PROJECT" -f "$repo/docker-compose.yml" "$@"
}
say "podman-compose --profile scale up (nginx, api-1..3, redis) on $base"
# podman-compose 1.0 has no profiles: naming nginx brings it up with what it depends on, and only that.
(cd "$repo" && compose up -d --no-build nginx) >"$logs/compose.log" 2>&1
up_ok() {
  local service id
  for service in redis "${REPLICAS[@]}" nginx; do
    id=$(container_of "$service")
    [[ -n $id && $(podman inspect -f '{{.State.Running}}' "$id") == true ]] || { echo "$service is not running"; return 1; }
  done
  [[ -z $(container_of api) ]] || { echo "the plain api service came up too"; return 1; }
}
check "podman-compose brings up redis, api-1, api-2, api-3 and nginx (and not the plain api)" up_ok
[[ -n $(container_of nginx) ]] || abort "nginx is up" "$logs/compose.log" 40
replicas_healthy() {
  local service
  for service in "${REPLICAS[@]}"; do wait_healthy "$(container_of "$service")" 60 || return 1; done
  wait_healthy "$(container_of redis)" 30 && wait_healthy "$(container_of nginx)" 30
}
check "every replica, redis and nginx report healthy" replicas_healthy
check "GET /healthz through nginx is 200" wait_http "$base/healthz" 30

ready_ok() {
  local ready
  ready=$(curl -sS --max-time 5 "$base/healthz/ready")
  echo "$ready"
  grep -q '"status":"Healthy".*Redis at redis:6379 answers' <<<"$ready"
}
check "GET /healthz/ready through nginx: Healthy, Redis answers" ready_ok

# ---------------------------------------------------------------- register once, evaluate 1,000 times
register_ok() {
  local status
  status=$(post "$base/v1/graphs" "$NEURON" "$logs/register.json")
  echo "status $status $(cat "$logs/register.json")"
  [[ $status == 201 && $(field "$logs/register.json" id) == "$(field "$logs/single-register.json" id)" ]]
}
check "POST /v1/graphs through nginx: 201, the same id as the single process gave" register_ok
id=$(field "$logs/register.json" id 2>/dev/null)
printf '%s' "$INPUTS" >"$logs/inputs.json"

say "1,000 evaluations of $id through nginx"
python3 "$LOAD" "$base/v1/graphs/$id/evaluate" "$logs/inputs.json" "$logs/reference.json" --count 1000 --threads 4 \
  >"$logs/load-1000.json" 2>"$logs/load-1000.err"
echo "        $(cat "$logs/load-1000.json")"
spread_ok() {
  python3 - "$logs/load-1000.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
replicas = r["replicas"]
print("by replica:", replicas)
ok = r["requests"] == 1000 and r["ok"] == 1000 and r["wrong"] == 0 and r["failed"] == 0
ok = ok and sorted(replicas) == ["api-1", "api-2", "api-3"] and min(replicas.values()) > 0
sys.exit(0 if ok else 1)
PY
}
check "1,000 evaluations through nginx: every answer byte for byte the single process's, every replica served some" spread_ok

# ---------------------------------------------------------------- a replica stopped under load
say "stopping api-2 while 4 clients evaluate for 6 s"
python3 "$LOAD" "$base/v1/graphs/$id/evaluate" "$logs/inputs.json" "$logs/reference.json" --seconds 6 --threads 4 \
  >"$logs/load-stop.json" 2>"$logs/load-stop.err" &
load_pid=$!
sleep 2
podman stop -t 10 "$(container_of api-2)" >"$logs/stop.log" 2>&1
wait "$load_pid"
echo "        $(cat "$logs/load-stop.json")"
stop_ok() {
  python3 - "$logs/load-stop.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['requests']} requests: {r['ok']} right, {r['wrong']} wrong, {r['failed']} failed {r['statuses']} {r['errors']}; by replica {r['replicas']}")
# At most one request per client can have been in flight on api-2 when it stopped.
sys.exit(0 if r["wrong"] == 0 and r["failed"] <= 4 and r["ok"] > 0 and r["ok"] + r["failed"] == r["requests"] else 1)
PY
}
check "api-2 stopped under load: no wrong answer, failed requests at most the 4 in flight" stop_ok
after_stop_ok() {
  python3 "$LOAD" "$base/v1/graphs/$id/evaluate" "$logs/inputs.json" "$logs/reference.json" --count 200 --threads 4 |
    tee /dev/stderr | python3 -c '
import json, sys
r = json.load(sys.stdin)
sys.exit(0 if r["ok"] == 200 and sorted(r["replicas"]) == ["api-1", "api-3"] else 1)'
}
check "with api-2 stopped: 200 of 200 answered right, by api-1 and api-3" after_stop_ok

# ---------------------------------------------------------------- Redis stopped
# The replica's log entries (JSON lines, or plain text) of its Redis connection saying Redis cannot be reached,
# before the outage (one at startup is possible, if the replica was up before Redis).
redis_log() { podman logs "$(container_of "$1")" 2>&1 | grep 'GradApi.CompiledGraphs.Redis.RedisConnection'; }
outage_lines() { redis_log "$1" | grep -c 'cannot be reached'; }
declare -A before
for service in api-1 api-3; do before[$service]=$(outage_lines "$service"); done

say "stopping redis"
podman stop -t 5 "$(container_of redis)" >"$logs/stop-redis.log" 2>&1
sleep 1
cached_ok() {
  python3 "$LOAD" "$base/v1/graphs/$id/evaluate" "$logs/inputs.json" "$logs/reference.json" --count 100 --threads 2 |
    tee /dev/stderr | python3 -c 'import json, sys; r = json.load(sys.stdin); sys.exit(0 if r["ok"] == 100 else 1)'
}
check "redis down: the registered graph, compiled on every replica, still evaluates (100 of 100 right)" cached_ok
register_down_ok() {
  local status i
  for i in 1 2 3 4 5 6; do
    status=$(curl -sS -D "$logs/down.headers" -o "$logs/down.json" -w '%{http_code}' --max-time 20 \
      -H 'Content-Type: application/json' --data-binary "$OTHER" "$base/v1/graphs")
    echo "status $status"; cat "$logs/down.headers" "$logs/down.json"; echo
    [[ $status == 503 ]] || return 1
    grep -qi '^content-type: application/problem+json' "$logs/down.headers" || return 1
    grep -qiE '^retry-after: [0-9]+' "$logs/down.headers" || return 1
  done
}
check "redis down: POST /v1/graphs answers 503, a problem document with Retry-After (6 of 6)" register_down_ok
unknown_down_ok() {
  local status
  status=$(post "$base/v1/graphs/sha256:$(printf '%064d' 7)/evaluate" "$INPUTS" "$logs/unknown-down.json")
  echo "status $status $(cat "$logs/unknown-down.json")"
  [[ $status == 503 ]]
}
check "redis down: evaluating a graph no replica has compiled answers 503 (not 404: it may be in Redis)" unknown_down_ok
degraded_ok() {
  local ready
  ready=$(curl -sS -w ' %{http_code}' --max-time 5 "$base/healthz/ready")
  echo "$ready"
  grep -qE '"status":"Degraded".*cannot be reached.* 200$' <<<"$ready"
}
check "redis down: /healthz/ready answers 200 Degraded, saying Redis cannot be reached" degraded_ok
logged_once_ok() {
  local service n
  for service in api-1 api-3; do
    n=$(($(outage_lines "$service") - before[$service]))
    echo "$service: $n new log entr(ies) saying Redis cannot be reached:"
    redis_log "$service" | grep 'cannot be reached' | tail -n 1 | cut -c 1-400
    ((n == 1)) || return 1
  done
}
check "redis down: each running replica logged why, once (not once per request)" logged_once_ok

say "starting redis again"
podman start "$(container_of redis)" >"$logs/start-redis.log" 2>&1
recovered_ok() {
  local deadline=$((SECONDS + 60)) status
  while ((SECONDS < deadline)); do
    status=$(post "$base/v1/graphs" "$OTHER" "$logs/recovered.json")
    [[ $status == 201 ]] && { echo "201 after $((SECONDS - t0)) s: $(cat "$logs/recovered.json")"; return 0; }
    sleep 1
  done
  echo "last status $status $(cat "$logs/recovered.json")"; return 1
}
t0=$SECONDS
check "redis back: POST /v1/graphs answers 201 again, nothing restarted" recovered_ok
back_ok() {
  # A replica notices that Redis is back the next time it uses it: the registration above reached one of
  # them, and readiness checks through nginx (each one asks Redis) reach the others.
  local deadline=$((SECONDS + 30)) service missing ready
  while :; do
    ready=$(curl -sS --max-time 5 "$base/healthz/ready" || true)
    missing=""
    for service in api-1 api-3; do
      grep -q 'Redis at redis:6379 answers again' <<<"$(redis_log "$service")" || missing+=" $service"
    done
    [[ -z $missing && $ready == *'"status":"Healthy"'* ]] && { echo "after $((SECONDS - t0)) s: $ready"; return 0; }
    ((SECONDS < deadline)) || { echo "not logged that Redis answers again by:${missing:- (all did)}; /healthz/ready: $ready"; return 1; }
    sleep 1
  done
}
check "redis back: the replicas logged it, /healthz/ready is Healthy" back_ok

# ---------------------------------------------------------------- down
(cd "$repo" && compose down) >>"$logs/compose.log" 2>&1
project_gone() { [[ -z $(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT") ]]; }
check "podman-compose down removes every container" project_gone
