# Shared by the container tests (smoke.sh, scale.sh): sourced, not run.
#
# Before sourcing, set SUITE (the name in each line and in the final count,
# e.g. "smoke"). After it: $repo, $here, $logs (a temporary folder, removed
# when everything passed), the check helpers and the build helpers below.
# The sourcing script sets its own EXIT trap that calls `summary` last.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$repo/tests/container
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

logs=$(mktemp -d "${TMPDIR:-/tmp}/gradapi-$SUITE.XXXXXX")
start=$SECONDS
passed=0
failed=0

say() { printf '[%s %3ss] %s\n' "$SUITE" "$((SECONDS - start))" "$*"; }
pass() { passed=$((passed + 1)); printf '  PASS  %s\n' "$1"; }
fail() {
  failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"
  [[ -n ${2:-} && -f $2 ]] && sed 's/^/        | /' <(tail -n "${3:-25}" "$2")
  return 0
}
# check NAME COMMAND...: one check, passed when COMMAND succeeds.
check() {
  local name=$1; shift
  if "$@" >"$logs/check.log" 2>&1; then pass "$name"; else fail "$name" "$logs/check.log"; fi
}
# A fatal failure: nothing after it can run.
abort() { fail "$@"; exit 1; }

# summary LABEL: the verdict and the 'LABEL: N passed, N failed' line .ci/run counts.
summary() {
  echo
  if ((failed == 0 && passed > 0)); then
    say "$SUITE test: PASS"
    rm -rf "$logs"
  else
    say "$SUITE test: FAIL (logs in $logs)"
  fi
  echo "$1: $passed passed, $failed failed"
}

free_port() {
  local p
  for ((p = $1; p < $1 + 200; p++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# post URL BODY OUT: POST a JSON body, write the answer to OUT, print the status.
post() {
  curl -sS -o "$3" -w '%{http_code}' --max-time 20 -H 'Content-Type: application/json' --data-binary "$2" "$1"
}

# wait_healthy CONTAINER SECONDS: run the container's HEALTHCHECK until it passes.
wait_healthy() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if podman healthcheck run "$1" >>"$logs/health.log" 2>&1; then
      [[ $(podman inspect -f '{{.State.Health.Status}}' "$1" 2>/dev/null) == healthy ]] && return 0
    fi
    [[ $(podman inspect -f '{{.State.Running}}' "$1" 2>/dev/null) == true ]] || { echo "$1 is not running"; return 1; }
    sleep 1
  done
  echo "$1 not healthy after $2 s"; return 1
}

# wait_http URL SECONDS: until URL answers 200.
wait_http() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1") == 200 ]] && return 0
    sleep 1
  done
  echo "$1 did not answer 200 within $2 s"; return 1
}

# install_tools: podman, podman-compose and what they need, from Debian, if missing.
install_tools() {
  local need=() tool
  for tool in podman:podman runc:runc debootstrap:debootstrap newuidmap:uidmap fuse-overlayfs:fuse-overlayfs \
              podman-compose:podman-compose docker-compose:docker-compose iptables:iptables curl:curl python3:python3 \
              /usr/lib/cni/dnsname:golang-github-containernetworking-plugin-dnsname "$@"; do
    if [[ ${tool%%:*} == /* ]]; then [[ -e ${tool%%:*} ]] && continue
    else command -v "${tool%%:*}" >/dev/null && continue; fi
    need+=("${tool#*:}")
  done
  if ((${#need[@]})); then
    ((EUID == 0)) || abort "install ${need[*]} (needs root)"
    say "installing ${need[*]}"
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"; } \
      >"$logs/apt.log" 2>&1 || abort "install ${need[*]}" "$logs/apt.log"
  fi
  command -v dotnet >/dev/null || abort "the .NET SDK is on PATH"
  podman info >"$logs/podman-info.log" 2>&1 || abort "podman works" "$logs/podman-info.log"
  pass "podman $(podman version -f '{{.Client.Version}}'), podman-compose, runc installed"
}

# base_images [nginx] [redis]: the local stand-ins (base-images.sh, built once, then cached), exported as
# SDK_IMAGE and RUNTIME_IMAGE (unless both are set already), NGINX_IMAGE and REDIS_IMAGE when asked for.
base_images() {
  local what=() name
  if [[ -n ${SDK_IMAGE:-} && -n ${RUNTIME_IMAGE:-} ]]; then
    say ".NET base images from the environment: $SDK_IMAGE, $RUNTIME_IMAGE"
  else
    what+=(dotnet)
  fi
  what+=("$@")
  ((${#what[@]})) || return 0
  say "base images: ${what[*]} (built once, then cached)"
  bash "$here/base-images.sh" "${what[@]}" >"$logs/base-images.out" 2>"$logs/base-images.log" ||
    abort "local base images (${what[*]})" "$logs/base-images.log"
  for name in SDK_IMAGE RUNTIME_IMAGE NGINX_IMAGE REDIS_IMAGE; do
    grep -q "^$name=" "$logs/base-images.out" && export "$name=$(sed -n "s/^$name=//p" "$logs/base-images.out")"
  done
  pass "local base images ($(sed 's/^[A-Z_]*=//' "$logs/base-images.out" | tr '\n' ' '))"
}

# offline_build_args: restores on the host and sets offline_args, the podman build arguments that restore
# from this machine's NuGet package folders, mounted read-only into a build that has no network (the NuGet
# feed's TLS chain is not trusted inside a container). --format docker keeps the HEALTHCHECK (OCI images
# have no such field).
offline_build_args() {
  local packages sources i nuget_source=
  say "restoring on the host (fills the NuGet folder the offline build reads)"
  dotnet restore "$repo/src/GradApi/GradApi.csproj" >"$logs/restore.log" 2>&1 || abort "host restore" "$logs/restore.log"
  packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
  packages=${packages%/}
  [[ -d $packages ]] || abort "NuGet global packages folder found ($packages)"
  sources=("$packages")
  [[ -d /opt/nuget/packages && /opt/nuget/packages != "$packages" ]] && sources+=(/opt/nuget/packages)
  offline_args=(--format docker --network none --pull=missing)
  for i in "${!sources[@]}"; do
    offline_args+=(-v "${sources[$i]}:/nuget/$i:ro")
    nuget_source+=" /nuget/$i"
  done
  offline_args+=(--build-arg "NUGET_SOURCE=${nuget_source# }")
}

# build_image TAG: the repository's Dockerfile built offline on the base images.
build_image() {
  say "podman build -f Dockerfile -t $1"
  podman build "${offline_args[@]}" --build-arg "SDK_IMAGE=$SDK_IMAGE" --build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE" \
    --build-arg "SOURCE_REVISION=$(git -C "$repo" rev-parse HEAD 2>/dev/null)" \
    -f "$repo/Dockerfile" -t "$1" "$repo" >"$logs/build.log" 2>&1 ||
    abort "image builds from the Dockerfile" "$logs/build.log" 40
  pass "image builds from the Dockerfile ($(podman image inspect -f '{{.Size}}' "$1" | awk '{printf "%.0f MB", $1/1e6}'))"
}

# remove_project PROJECT: every container and the network of a compose project, whatever their state.
remove_project() {
  local ids
  ids=$(podman ps -aq --filter "label=com.docker.compose.project=$1" 2>/dev/null)
  [[ -n $ids ]] && podman rm -f -t 2 $ids >/dev/null 2>&1
  podman network exists "${1}_default" 2>/dev/null && podman network rm -f "${1}_default" >/dev/null 2>&1
  return 0
}
