#!/usr/bin/env bash
# Install the Debian packages the cluster topology runs on (README, "Running as a cluster"):
#   patroni      PostgreSQL primary + streaming replica, automatic failover (pulls python3-psycopg2,
#                python3-etcd for the system python it runs on)
#   etcd-server  the consensus store Patroni keeps its leader key in
#   haproxy      the load balancer in front of the web nodes and of the current PostgreSQL primary
# Redis Sentinel needs no package: it is `redis-server --sentinel` (redis-server is already there).
# Used by .ci/run and by the cluster fault test's setup; a no-op when everything is installed.
set -euo pipefail

missing=()
command -v patroni >/dev/null 2>&1 || missing+=(patroni)
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "cluster packages missing (${missing[*]}); install them as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages for the cluster: ${missing[*]}..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: no PostgreSQL server metapackage or etcd client extras; policy-rc.d
# keeps the packages' own services (a system etcd/haproxy on the default ports) from starting.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
