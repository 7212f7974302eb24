# Shared by tests/run.sh and tests/deploy.sh (source it after tests/lib/services.sh): a Docker engine, and the local
# base image every image of the project builds on where no registry is reachable (docs/operations.md, ADR 0033).
#
# ensure_docker: installs Debian's docker.io (and debootstrap) when missing, starts the daemon when none answers, and
#   exports what Testcontainers needs against Debian's engine (API 1.41; no reaper image to pull).
# ensure_base_image: local/debian:bookworm, built once from the Debian mirror apt already uses (debootstrap, minbase).
#   Skipped when the image exists. DOCKER_BASE_IMAGE names it for the other builds.
# ensure_local_image IMAGE CONTEXT DOCKERFILE [FILE...] [-- BUILD-ARG...]: builds IMAGE unless it already carries the
#   content hash of the Dockerfile, the other FILEs it copies, the build arguments and the base image's id.

ensure_docker() {
  ensure_packages 'command -v dockerd && command -v debootstrap' docker.io debootstrap
  if ! docker info >/dev/null 2>&1; then
    echo "Starting the Docker engine"
    mkdir -p /var/log
    (dockerd > /var/log/marketplace-dockerd.log 2>&1 &)
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
    docker info >/dev/null 2>&1 || { echo "The Docker engine did not start: see /var/log/marketplace-dockerd.log"; return 1; }
  fi
  # Debian's engine speaks API 1.41; newer clients (Testcontainers' Docker.DotNet) must be told.
  local api
  api=$(docker version --format '{{.Server.APIVersion}}' 2>/dev/null || echo 1.41)
  export DOCKER_API_VERSION=${DOCKER_API_VERSION:-$api}
  # The reaper (Ryuk) is an image from a registry; the tests dispose of their containers themselves.
  export TESTCONTAINERS_RYUK_DISABLED=${TESTCONTAINERS_RYUK_DISABLED:-true}
}

DOCKER_BASE_IMAGE=${DOCKER_BASE_IMAGE:-local/debian:bookworm}

ensure_base_image() {
  if docker image inspect "$DOCKER_BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  if docker pull debian:bookworm-slim >/dev/null 2>&1; then
    docker tag debian:bookworm-slim "$DOCKER_BASE_IMAGE"
    return 0
  fi
  echo "Building $DOCKER_BASE_IMAGE from the Debian mirror (no registry reachable)"
  local rootfs mirror
  rootfs=$(mktemp -d /tmp/marketplace-rootfs.XXXXXX)
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  mirror=${mirror:-$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
  mirror=${mirror:-http://deb.debian.org/debian}
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  tar -C "$rootfs" -c . | docker import - "$DOCKER_BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# The label that says which content an image was built from: a changed Dockerfile, copied file, build argument or base
# image rebuilds it; an unchanged one is used as it is (a build through the layer cache still costs seconds here).
DOCKER_CONTENT_LABEL=org.marketplace.content-hash

ensure_local_image() {
  local image=$1 context=$2 dockerfile=$3
  shift 3
  local files=("$dockerfile") args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do files+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  for arg in "$@"; do args+=(--build-arg "$arg"); done
  local hash current
  hash=$({
    for file in "${files[@]}"; do printf '%s\n' "$file"; cat "$file"; done
    printf '%s\n' "$@"
    docker image inspect --format '{{.Id}}' "$DOCKER_BASE_IMAGE"
  } | sha256sum | cut -c1-16)
  current=$(docker image inspect --format "{{ index .Config.Labels \"$DOCKER_CONTENT_LABEL\" }}" "$image" 2>/dev/null || true)
  if [ "$current" = "$hash" ]; then return 0; fi
  echo "Building $image ($dockerfile)"
  local log
  log=$(mktemp /tmp/marketplace-docker-build.XXXXXX)
  if ! docker build --network host --label "$DOCKER_CONTENT_LABEL=$hash" -t "$image" -f "$dockerfile" "${args[@]}" "$context" >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    echo "Building $image failed"
    return 1
  fi
  rm -f "$log"
}
