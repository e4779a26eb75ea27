#!/usr/bin/env bash
# Container smoke test for GradApi (see docs/container.md).
#
# Builds the image from the repository's Dockerfile with podman, runs it the
# way production does (read-only root, tmpfs /tmp, no capabilities, memory
# limit, image's own non-root user) and checks it; then brings
# docker-compose.yml up with podman-compose and checks that too.
#
# Works on a machine with Debian's package archive and NuGet but no container
# registry: it installs podman and friends if missing, builds local stand-ins
# for the official .NET base images once (base-images.sh, cached), and
# restores NuGet packages from this machine's global packages folder, mounted
# read-only into a build that has no network.
#
#   bash tests/container/smoke.sh
#
# Env: SDK_IMAGE / RUNTIME_IMAGE use these base images instead of the local
# ones. Run as root. Talks to 127.0.0.1 only. Exits non-zero on any failure
# and removes its containers in every case.
set -uo pipefail

SUITE=smoke
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

IMAGE=localhost/gradapi:smoke
COMPOSE_IMAGE=localhost/gradapi:smoke-compose
CONTAINER=gradapi-smoke
PROJECT=gradapi-smoke
WORKED_EXAMPLE='{"nodes":[{"id":"x","op":"input","value":-2},{"id":"y","op":"input","value":5},{"id":"z","op":"input","value":-4},{"id":"q","op":"add","inputs":["x","y"]},{"id":"f","op":"mul","inputs":["q","z"]}],"output":"f"}'
# The worked example plus one node: 6 nodes, over a limit of 5.
SIX_NODES='{"nodes":[{"id":"x","op":"input","value":-2},{"id":"y","op":"input","value":5},{"id":"z","op":"input","value":-4},{"id":"q","op":"add","inputs":["x","y"]},{"id":"f","op":"mul","inputs":["q","z"]},{"id":"g","op":"neg","inputs":["f"]}],"output":"g"}'

# Stops and removes everything this test started, whatever state it is in.
cleanup() {
  podman rm -f -t 2 "$CONTAINER" >/dev/null 2>&1
  remove_project "$PROJECT"
}
on_exit() {
  local rc=$?
  trap - EXIT
  command -v podman >/dev/null && cleanup
  summary container
  ((failed == 0 && rc == 0)) || exit 1
  exit 0
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# worked_example_ok STATUS FILE: a 200 with value -12 and x's gradient -4.
worked_example_ok() {
  echo "status $1"; cat "$2"; echo
  [[ $1 == 200 ]] || return 1
  python3 - "$2" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
nodes = {n["id"]: n for n in body["nodes"]}
print("value", body["value"], "grad x", nodes["x"]["grad"])
sys.exit(0 if body["value"] == -12 and nodes["x"]["grad"] == -4 else 1)
PY
}

# ---------------------------------------------------------------- tools
say "tools"
install_tools
cleanup   # leftovers of an interrupted earlier run

# ---------------------------------------------------------------- base images
base_images

# ---------------------------------------------------------------- build
offline_build_args
build_image "$IMAGE"

image_config_ok() {
  local cfg
  cfg=$(podman image inspect -f '{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Healthcheck.Test}}' "$IMAGE")
  echo "$cfg"
  [[ $cfg == "1654|"*"8080/tcp"*"|"*"--probe"*"http://127.0.0.1:8080/healthz"* ]]
}
check "image runs as user 1654, exposes 8080, has the --probe HEALTHCHECK" image_config_ok

revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null)
image_labels_ok() {
  local labels
  labels=$(podman image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}|{{index .Config.Labels "org.opencontainers.image.revision"}}' "$IMAGE")
  echo "$labels"
  [[ $labels == 1.*"|$revision" ]]
}
check "image labels org.opencontainers.image.version and .revision ($revision)" image_labels_ok

# ---------------------------------------------------------------- run
port=$(free_port 18080) || abort "a free port on 127.0.0.1"
say "podman run $IMAGE read-only, tmpfs /tmp, no capabilities, on 127.0.0.1:$port"
podman run -d --name "$CONTAINER" \
  --read-only --read-only-tmpfs=false --tmpfs /tmp:rw,size=64m,mode=1777 \
  --cap-drop ALL --security-opt no-new-privileges --memory 512m \
  -p "127.0.0.1:$port:8080" "$IMAGE" >"$logs/run.log" 2>&1 ||
  abort "container starts" "$logs/run.log"

if wait_healthy "$CONTAINER" 60 >"$logs/wait.log" 2>&1; then
  pass "HEALTHCHECK (dotnet GradApi.dll --probe) reports healthy"
else
  podman logs "$CONTAINER" >>"$logs/wait.log" 2>&1
  abort "HEALTHCHECK reports healthy" "$logs/wait.log" 40
fi

check "GET /healthz is 200 on 127.0.0.1:$port" wait_http "http://127.0.0.1:$port/healthz" 10

status=$(post "http://127.0.0.1:$port/v1/evaluate" "$WORKED_EXAMPLE" "$logs/evaluate.json")
version_ok() {
  local body header
  body=$(curl -s "http://127.0.0.1:$port/version")
  header=$(curl -s -D - -o /dev/null "http://127.0.0.1:$port/healthz" | tr -d '\r' | sed -n 's/^GradApi-Version: //Ip')
  echo "$body $header"
  [[ $body == *"\"commit\":\"$revision\""* && $header == *"+$revision" ]]
}
check "GET /version and the GradApi-Version header name the commit built from" version_ok
metrics_ok() {
  # Read whole, then searched: under pipefail, `curl | grep -q` fails whenever grep stops reading before curl
  # has written everything (curl exits 23), and the metrics run past a pipe's buffer.
  local metrics
  metrics=$(curl -s "http://127.0.0.1:$port/metrics")
  grep -q '^http_server_request_duration_seconds_count{' <<<"$metrics"
}
check "GET /metrics answers Prometheus text with the request metrics" metrics_ok

check "POST /v1/evaluate worked example: 200, value -12, x grad -4" \
  worked_example_ok "$status" "$logs/evaluate.json"

# The real, effective, saved and filesystem uids of the container's process 1.
app_uid_ok() {
  local pid uids
  pid=$(podman inspect -f '{{.State.Pid}}' "$CONTAINER")
  uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")
  echo "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline")) uids $uids"
  [[ $uids == "1654 1654 1654 1654" ]]
}
check "the app process runs as uid 1654" app_uid_ok
check "root filesystem is read-only, /tmp is writable" \
  podman exec "$CONTAINER" sh -c '! touch /app/x 2>/dev/null && ! touch /home/app/x 2>/dev/null && touch /tmp/x'
probe_of_closed_port_fails() {
  ! podman exec "$CONTAINER" dotnet /app/GradApi.dll --probe http://127.0.0.1:8081/healthz
}
check "probe of a closed port exits 1" probe_of_closed_port_fails

# The black-box contract check (../shared beside the repository, as in CI) against the container.
contract=$repo/../shared/contract/check.py
if [[ -f $contract ]]; then
  check "contract check (check.py --url) against the container" \
    python3 "$contract" --url "http://127.0.0.1:$port"
else
  fail "contract check: $contract not found"
fi

podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1

# ---------------------------------------------------------------- compose
compose_file_valid() { (cd "$repo" && docker-compose -f docker-compose.yml config -q); }
check "docker-compose config -q accepts docker-compose.yml" compose_file_valid

cport=$(free_port $((port + 1))) || abort "a free port on 127.0.0.1"
say "podman-compose up --build (docker-compose.yml) on 127.0.0.1:$cport"
# The compose file's own build args pick up SDK_IMAGE / RUNTIME_IMAGE; the
# offline package source goes to podman build directly.
compose() {
  GRADAPI_IMAGE=$COMPOSE_IMAGE GRADAPI_PORT=$cport GRADAPI_MAX_NODES=5 \
    podman-compose -p "$PROJECT" -f "$repo/docker-compose.yml" \
    --podman-build-args "$(printf '%q ' "${offline_args[@]}")" "$@"
}
# podman-compose 1.0 has no profiles: name the service, or the `scale` profile comes up too.
(cd "$repo" && compose up -d --build api) >"$logs/compose.log" 2>&1
api=$(podman ps -q --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=api")
if [[ -z $api ]]; then
  abort "podman-compose brings the api service up" "$logs/compose.log" 40
fi
pass "podman-compose brings the api service up"

if wait_healthy "$api" 60 >"$logs/wait-compose.log" 2>&1; then
  pass "compose healthcheck reports healthy"
else
  podman logs "$api" >>"$logs/wait-compose.log" 2>&1
  fail "compose healthcheck reports healthy" "$logs/wait-compose.log" 40
fi

status=$(post "http://127.0.0.1:$cport/v1/evaluate" "$WORKED_EXAMPLE" "$logs/evaluate-compose.json")
check "compose: worked example answers value -12, x grad -4" \
  worked_example_ok "$status" "$logs/evaluate-compose.json"
status=$(post "http://127.0.0.1:$cport/v1/evaluate" "$SIX_NODES" "$logs/evaluate-limit.json")
over_limit_ok() { echo "status $1"; cat "$2"; [[ $1 == 413 ]]; }
check "compose: GradApi__MaxNodes from the environment applies (6 nodes over 5 is 413)" \
  over_limit_ok "$status" "$logs/evaluate-limit.json"

compose_settings_ok() {
  local s
  s=$(podman inspect -f 'user={{.Config.User}} ro={{.HostConfig.ReadonlyRootfs}} mem={{.HostConfig.Memory}} restart={{.HostConfig.RestartPolicy.Name}} sec={{.HostConfig.SecurityOpt}} ports={{json .HostConfig.PortBindings}}' "$api"
      podman exec "$api" sh -c 'grep -E "^(CapEff|NoNewPrivs)" /proc/1/status; printenv GradApi__MaxNodes GradApi__MaxBodyBytes')
  echo "$s"
  [[ $s == *"user=1654 "* && $s == *"ro=true"* && $s == *"mem=1073741824"* && $s == *"restart=unless-stopped"* &&
     $s == *"no-new-privileges"* && $s == *"\"HostIp\":\"127.0.0.1\""* &&
     $s =~ CapEff:[[:space:]]+0000000000000000 && $s =~ NoNewPrivs:[[:space:]]+1 && $s == *67108864* ]]
}
check "compose: user 1654, read-only, 1g memory, restart policy, no capabilities, no-new-privileges, loopback port, limits" \
  compose_settings_ok

(cd "$repo" && compose down) >>"$logs/compose.log" 2>&1
compose_gone() { [[ -z $(podman ps -aq --filter "label=com.docker.compose.project=$PROJECT") ]]; }
check "podman-compose down removes the service" compose_gone
