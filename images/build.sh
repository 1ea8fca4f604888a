#!/usr/bin/env bash
# build.sh makes the stack's stand-in images on a host that cannot pull from a
# registry: a Debian bookworm root made by debootstrap (with PostgreSQL, Redis
# and both exporters from Debian's own packages) becomes firedrill/base, and
# each service image adds only an entrypoint that honours the official image's
# interface. Images that already exist are left alone unless FORCE=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
base=firedrill/base:bookworm
force=${FORCE:-0}

say() { printf 'images: %s\n' "$*" >&2; }

have() { [ "$force" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

build_base() {
  if have "$base"; then say "$base present"; return; fi
  command -v debootstrap >/dev/null || { say "debootstrap missing: apt-get install debootstrap"; exit 3; }
  work=$(mktemp -d /tmp/firedrill-rootfs.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  say "debootstrap bookworm into $work (about a minute)"
  mkdir -p "$work/etc/postgresql-common"
  # The Debian package would create a cluster of its own; the entrypoint makes one at run time.
  echo 'create_main_cluster = false' > "$work/etc/postgresql-common/createcluster.conf"
  debootstrap --variant=minbase \
    --include=postgresql-15,redis-server,prometheus-postgres-exporter,prometheus-redis-exporter,procps \
    bookworm "$work" "$mirror" >"$work.log" 2>&1 || { tail -20 "$work.log" >&2; exit 1; }
  rm -f "$work.log"
  rm -rf "$work"/var/cache/apt/archives/*.deb "$work"/var/lib/apt/lists/*
  say "importing $base"
  tar -C "$work" -c . | docker import - "$base" >/dev/null
  rm -rf "$work"; trap - EXIT
}

build_service() { # image dir [extra files for the build context...]
  local image=$1 dir=$2 ctx
  shift 2
  if have "$image"; then say "$image present"; return; fi
  say "building $image"
  ctx=$(mktemp -d)
  cp -r "$dir"/. "$ctx"/
  [ $# -gt 0 ] && cp "$@" "$ctx"/
  docker build -q -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
}

build_demoapp() {
  local image=${FIREDRILL_APP_IMAGE:-firedrill/demoapp:dev} ctx
  ctx=$(mktemp -d)
  say "building $image"
  (cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$ctx/demoapp" ./cmd/demoapp)
  cp "$here/demoapp/Dockerfile" "$ctx/"
  docker build -q -t "$image" "$ctx" >/dev/null
  rm -rf "$ctx"
}

docker info >/dev/null 2>&1 || { say "no Docker engine answers (docker info failed)"; exit 3; }
build_base
build_service "${FIREDRILL_POSTGRES_IMAGE:-firedrill/postgres:15}" "$here/postgres"
build_service "${FIREDRILL_REDIS_IMAGE:-firedrill/redis:7}" "$here/redis"
build_service "${FIREDRILL_POSTGRES_EXPORTER_IMAGE:-firedrill/postgres-exporter:0.11}" "$here/postgres-exporter" "$root/stack/postgres_exporter_queries.yaml"
build_service "${FIREDRILL_REDIS_EXPORTER_IMAGE:-firedrill/redis-exporter:1.45}" "$here/redis-exporter"
# The app image is always rebuilt: it is the code under drill.
build_demoapp
say "done"
