#!/usr/bin/env bash
# Requests/s through nginx with 1 and with 3 replicas (docker-compose.yml, profile `scale`; docs/scaling.md).
#
# Brings the profile up with podman-compose as tests/container/scale.sh does (same helpers, same local images),
# registers the CS231n sigmoid neuron through nginx, and runs wrk with CONNECTIONS connections posting one point
# to POST /v1/graphs/{id}/evaluate for DURATION: with all three replicas, then with api-2 and api-3 stopped and
# taken out of nginx's upstream (nginx -s reload), alternating ROUNDS times. GET /healthz through nginx with
# three replicas is measured too, as the ceiling of nginx and the network on this machine. Prints a table and
# the ratio of 3 to 1 replicas per round, then brings everything down.
#
#   bash tests/load/replicas.sh
#   DURATION=20s CONNECTIONS=64 ROUNDS=3 bash tests/load/replicas.sh
#
# Run as root (podman). Talks to 127.0.0.1 only; every wrk run is bounded by DURATION.
set -uo pipefail

SUITE=replicas
source "$(dirname "${BASH_SOURCE[0]}")/../container/common.sh"

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
IMAGE=localhost/gradapi:scale
PROJECT=gradapi-replicas

NEURON='{"nodes":[{"id":"w0","op":"input","value":2},{"id":"x0","op":"input","value":-1},{"id":"w1","op":"input","value":-3},{"id":"x1","op":"input","value":-2},{"id":"w2","op":"input","value":-3},{"id":"a","op":"mul","inputs":["w0","x0"]},{"id":"b","op":"mul","inputs":["w1","x1"]},{"id":"d","op":"add","inputs":["a","b","w2"]},{"id":"f","op":"sigmoid","inputs":["d"]}],"output":"f"}'
INPUTS='{"inputs":{"x0":0.5,"x1":-1.25}}'

on_exit() {
  local rc=$?
  trap - EXIT
  command -v podman >/dev/null && remove_project "$PROJECT"
  summary replicas
  ((failed == 0 && rc == 0)) || exit 1
  exit 0
}
trap on_exit EXIT
trap 'exit 130' INT TERM

container_of() {
  podman ps -aq --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$1"
}

install_tools wrk:wrk
remove_project "$PROJECT"
base_images nginx redis
offline_build_args
build_image "$IMAGE"

port=$(free_port 18390) || abort "a free port on 127.0.0.1"
base=http://127.0.0.1:$port
say "podman-compose --profile scale up on $base"
(cd "$repo" && GRADAPI_IMAGE=$IMAGE GRADAPI_SCALE_PORT=$port \
  podman-compose -p "$PROJECT" -f "$repo/docker-compose.yml" up -d --no-build nginx) >"$logs/compose.log" 2>&1
nginx=$(container_of nginx)
[[ -n $nginx ]] || abort "the profile comes up" "$logs/compose.log" 40
for service in api-1 api-2 api-3; do
  wait_healthy "$(container_of "$service")" 60 >"$logs/wait.log" 2>&1 || abort "$service healthy" "$logs/wait.log"
done
check "nginx answers /healthz" wait_http "$base/healthz" 30

status=$(post "$base/v1/graphs" "$NEURON" "$logs/register.json")
[[ $status == 201 ]] || abort "the neuron registers through nginx ($status)" "$logs/register.json"
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$logs/register.json")
pass "the neuron registered through nginx as $id"
cat >"$logs/evaluate.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$INPUTS'
LUA
url=$base/v1/graphs/$id/evaluate

# Keeps nginx's full upstream, to go back to after a one-replica run.
podman exec "$nginx" cp /etc/nginx/conf.d/default.conf /tmp/three.conf
replicas() { # N: 1 or 3 replicas behind nginx
  if (($1 == 1)); then
    podman stop -t 10 "$(container_of api-2)" "$(container_of api-3)" >/dev/null
    podman exec "$nginx" sh -c "sed -i '/server api-[23]:8080/d' /etc/nginx/conf.d/default.conf && nginx -s reload"
  else
    podman start "$(container_of api-2)" "$(container_of api-3)" >/dev/null
    wait_healthy "$(container_of api-2)" 60 >/dev/null && wait_healthy "$(container_of api-3)" 60 >/dev/null
    # reload also resolves the replicas' names again (a restarted container may have a new address).
    podman exec "$nginx" sh -c "cp /tmp/three.conf /etc/nginx/conf.d/default.conf && nginx -s reload"
  fi
  sleep 2
}

# run NAME URL [LUA]: one wrk run after a warm-up; appends a row to the table.
run() {
  local name=$1 target=$2 script=() out rps p50 p99 non2xx
  [[ -n ${3:-} ]] && script=(-s "$3")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${script[@]}" "$target" >/dev/null
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${script[@]}" "$target")
  echo "$out" >>"$logs/wrk.log"
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '| %-44s | %10s | %8s | %8s | %7s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" | tee -a "$logs/table.md"
  last_rps=$rps
}

say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS -c$CONNECTIONS -d$DURATION (warm-up $WARMUP)"
printf '| %-44s | %10s | %8s | %8s | %7s |\n|%s|%s|%s|%s|%s|\n' "run" "requests/s" "p50" "p99" "non-2xx" \
  "----------------------------------------------" "------------" "----------" "----------" "---------" | tee "$logs/table.md"
ratios=()
for round in $(seq "$ROUNDS"); do
  run "round $round: 3 replicas, registered evaluate" "$url" "$logs/evaluate.lua"; three=$last_rps
  replicas 1
  run "round $round: 1 replica, registered evaluate" "$url" "$logs/evaluate.lua"; one=$last_rps
  replicas 3
  ratios+=("$(python3 -c "print(round($three / $one, 2))")")
done
run "3 replicas, GET /healthz (nginx ceiling)" "$base/healthz"
echo
say "3 replicas / 1 replica, requests/s, per round: ${ratios[*]}; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
check "every run answered 2xx only" bash -c "! grep -q 'Non-2xx' '$logs/wrk.log'"
cp "$logs/table.md" "${TMPDIR:-/tmp}/gradapi-replicas-table.md"
say "table also in ${TMPDIR:-/tmp}/gradapi-replicas-table.md"
