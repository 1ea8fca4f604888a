#!/usr/bin/env bash
# setup.sh installs what firedrill's stack needs on a Debian host and starts
# the Docker engine when none answers. It is idempotent and quick when all is
# there; `make images`, `make test` and `make drill` call it first.
set -euo pipefail

say() { printf 'setup: %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v prometheus-postgres-exporter >/dev/null || need+=(prometheus-postgres-exporter)
command -v prometheus-redis-exporter >/dev/null || need+=(prometheus-redis-exporter)
# The real servers and checkers the tests compare firedrill with.
command -v prometheus >/dev/null || need+=(prometheus)
command -v amtool >/dev/null || need+=(prometheus-alertmanager)
# The shipped runbook scripts (playbooks/scripts) ask the drill's Prometheus
# and Alertmanager APIs with curl and jq, compare with bc, and check the
# database with psql, as the incident playbook's scripts do.
for tool in curl jq bc psql; do
  pkg=$tool
  [ "$tool" = psql ] && pkg=postgresql-client
  command -v "$tool" >/dev/null || need+=("$pkg")
done
# The game-day console's browser tests drive Debian's Chromium (chromedp).
command -v chromium >/dev/null || need+=(chromium)

if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    say "missing ${need[*]} and this is not a Debian host: install them by hand"; exit 3
  fi
  say "installing ${need[*]}"
  $SUDO apt-get update -qq >/dev/null
  # Debian starts no services in containers; we start dockerd ourselves below.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# The packaged servers would start on their default ports; the stack runs its
# own instances, so stop any the package started.
for svc in redis-server postgresql prometheus-postgres-exporter prometheus-redis-exporter prometheus prometheus-alertmanager prometheus-node-exporter; do
  if command -v service >/dev/null && service "$svc" status >/dev/null 2>&1; then
    $SUDO service "$svc" stop >/dev/null 2>&1 || true
  fi
done

if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null; then say "no dockerd to start"; exit 3; fi
  say "starting dockerd"
  $SUDO mkdir -p /var/log
  # Published ports by the kernel's NAT, not a docker-proxy process per
  # port: every request a drill sends would otherwise be copied through a
  # userland proxy, about an eighth of a compressed drill's CPU on two cores
  # (make bench). A dockerd already running is left as it is.
  $SUDO sh -c 'nohup dockerd --userland-proxy=false >/var/log/firedrill-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { say "dockerd did not come up; see /var/log/firedrill-dockerd.log"; tail -20 /var/log/firedrill-dockerd.log >&2; exit 3; }
fi
say "ready (docker $(docker version --format '{{.Server.Version}}' 2>/dev/null))"
