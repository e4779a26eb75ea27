#!/usr/bin/env bash
# Builds the local stand-ins for the official base images, for machines
# that can reach Debian's package archive but no container registry.
#
#   debian  : a minimal Debian bookworm root made with debootstrap
#   aspnet  : debian + this machine's .NET and ASP.NET Core runtimes and the
#             `app` user (uid 1654), like mcr.microsoft.com/dotnet/aspnet
#   sdk     : aspnet + this machine's whole .NET SDK, like .../dotnet/sdk
#   nginx   : debian + Debian's nginx, like the official nginx image
#   redis   : debian + Debian's redis-server, like the official redis image
#             (these two install their package from the apt mirror, so their
#             build needs the network the host's apt uses)
#
# Each image is built only if it is missing; the .NET images are tagged with
# the host's runtime / SDK version so a new host .NET builds new ones.
# The Debian mirror is read from this machine's apt sources at run time.
#
# Usage: base-images.sh [--rebuild] [dotnet] [nginx] [redis]
#   builds what is missing of the images asked for (dotnet when none is named:
#   aspnet and sdk), then prints a NAME_IMAGE=... line for each: SDK_IMAGE and
#   RUNTIME_IMAGE, NGINX_IMAGE, REDIS_IMAGE. --rebuild rebuilds them all,
#   the Debian root included.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}

DOTNET_ROOT_DIR=${DOTNET_ROOT_DIR:-$(dirname "$(readlink -f "$(command -v dotnet)")")}
SUITE=bookworm
REPO=localhost/gradapi-smoke

log() { printf '[base-images] %s\n' "$*" >&2; }

rebuild=0
wanted=()
for arg in "$@"; do
  case $arg in
    --rebuild) rebuild=1 ;;
    dotnet | nginx | redis) wanted+=("$arg") ;;
    *) log "unknown argument '$arg' (expected --rebuild, dotnet, nginx, redis)"; exit 2 ;;
  esac
done
((${#wanted[@]})) || wanted=(dotnet)
wants() { [[ " ${wanted[*]} " == *" $1 "* ]]; }

# The first archive URI that apt uses for $SUITE (deb822 .sources files or
# one-line .list files), without any trailing slash.
apt_mirror() {
  local f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk -v suite="$SUITE" '
      function flush() { if (!done && uris != "" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ")) { split(uris, u, " "); print u[1]; done = 1; exit } uris = ""; suites = ""; types = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "types:"  { $1 = ""; types = $0 }
      tolower($1) == "uris:"   { $1 = ""; uris = $0; sub(/^ +/, "", uris) }
      tolower($1) == "suites:" { $1 = ""; suites = $0; sub(/^ +/, "", suites) }
      END { flush() }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    uri=$(awk -v suite="$SUITE" '
      $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                    if ($(i + 1) == suite) { print $i; exit } }' "$f")
    [[ -n $uri ]] && { echo "${uri%/}"; return 0; }
  done
  return 1
}

image_exists() { podman image exists "$1"; }

runtime_version=$(ls "$DOTNET_ROOT_DIR/shared/Microsoft.AspNetCore.App" | sort -V | tail -n1)
sdk_version=$(ls "$DOTNET_ROOT_DIR/sdk" | sort -V | tail -n1)
[[ -n $runtime_version && -n $sdk_version ]] || { log "no .NET runtime/SDK under $DOTNET_ROOT_DIR"; exit 1; }
[[ -d $DOTNET_ROOT_DIR/shared/Microsoft.NETCore.App/$runtime_version ]] || { log "Microsoft.NETCore.App $runtime_version missing"; exit 1; }

DEBIAN_IMAGE=$REPO/debian:$SUITE
RUNTIME_IMAGE=$REPO/aspnet:$runtime_version
SDK_IMAGE=$REPO/sdk:$sdk_version

if (( rebuild )) || ! image_exists "$DEBIAN_IMAGE"; then
  mirror=$(apt_mirror) || { log "cannot find a Debian $SUITE archive in the apt sources"; exit 1; }
  root=$(mktemp -d /var/tmp/gradapi-rootfs.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap $SUITE from the apt mirror (a few minutes)"
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,zlib1g \
    "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; exit 1; }
  rm -f "$root.log"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  log "importing $DEBIAN_IMAGE"
  tar --numeric-owner -C "$root" -c . |
    podman import --quiet --change 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  rm -rf "$root"
  trap - EXIT
  rebuild=1   # the images above it are stale now
fi

if wants dotnet; then
  if (( rebuild )) || ! image_exists "$RUNTIME_IMAGE"; then
    log "building $RUNTIME_IMAGE from $DOTNET_ROOT_DIR"
    podman build --quiet --network none --format docker --pull=never \
      --build-arg BASE_IMAGE="$DEBIAN_IMAGE" --build-arg DOTNET_VERSION="$runtime_version" \
      -f "$here/aspnet.Containerfile" -t "$RUNTIME_IMAGE" "$DOTNET_ROOT_DIR" >/dev/null
  fi
  if (( rebuild )) || ! image_exists "$SDK_IMAGE"; then
    log "building $SDK_IMAGE from $DOTNET_ROOT_DIR"
    podman build --quiet --network none --format docker --pull=never \
      --build-arg BASE_IMAGE="$RUNTIME_IMAGE" --build-arg SDK_VERSION="$sdk_version" \
      -f "$here/sdk.Containerfile" -t "$SDK_IMAGE" "$DOTNET_ROOT_DIR" >/dev/null
  fi
  echo "SDK_IMAGE=$SDK_IMAGE"
  echo "RUNTIME_IMAGE=$RUNTIME_IMAGE"
fi

# nginx and redis: Debian's packages, installed in the build from the Debian mirror.
for service in nginx redis; do
  wants "$service" || continue
  image=$REPO/$service:$SUITE
  if (( rebuild )) || ! image_exists "$image"; then
    log "building $image from Debian's package"
    podman build --quiet --format docker --pull=never --build-arg BASE_IMAGE="$DEBIAN_IMAGE" \
      -f "$here/$service.Containerfile" -t "$image" "$here" >/dev/null
  fi
  echo "${service^^}_IMAGE=$image"
done
