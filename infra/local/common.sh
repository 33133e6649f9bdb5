# Shared settings for the infra/local scripts. Source it; do not run it.
# Everything the local stack writes lives under LODE_DATA (default: <repo>/.data).
set -euo pipefail
LODE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export LODE_DATA="${LODE_DATA:-$LODE_REPO/.data}"
export LODE_PG_PORT="${LODE_PG_PORT:-54329}"
export LODE_PG_USER="${LODE_PG_USER:-lode}"
export LODE_PG_PASSWORD="${LODE_PG_PASSWORD:-lode}"
export LODE_PG_DB="${LODE_PG_DB:-lode}"
PG_BIN="/usr/lib/postgresql/15/bin"

# The postgresql.conf lines of a Lode cluster listening on port $1 with its sockets in folder $2. postgres.sh gives
# them to Lode's cluster and wal-sync-check.sh to its throwaway one, so that a measured setting is the only difference.
lode_pg_settings() {
  cat <<CONF
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$2'
max_connections = 200
shared_buffers = 256MB
maintenance_work_mem = 256MB
# Durability: the webhook answers 2xx only after its jobs' commit is flushed, so none of these may trade the flush away.
# The flush is the intake's limit (N senders: at most N events per flush + round trip); what each WAL setting costs on
# this disk is measured by wal-sync-check.sh (docs/benchmarks.md, "What a durable commit costs on this disk"):
# fdatasync was no slower than open_datasync, fsync or open_sync; commit_delay only made commits slower (the intake's
# one group-commit writer never has the concurrent committers it waits for); wal_buffers and wal_writer_flush_after
# changed nothing a commit pays.
fsync = on
synchronous_commit = on
full_page_writes = on
wal_sync_method = fdatasync
commit_delay = 0
CONF
}

log() { printf '[lode] %s\n' "$*" >&2; }

# apt-get update once per machine boot and script run, not per package.
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  if [ -z "${LODE_APT_UPDATED:-}" ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; export LODE_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Background services started by up.sh keep a pid file under $LODE_DATA/run and a log under $LODE_DATA/logs.
LODE_RUN="$LODE_DATA/run"
LODE_LOGS="$LODE_DATA/logs"

# Prints the pid in pid file $1 if that process is alive and its command line contains $2.
running_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null || true)
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # A zombie or a recycled pid has another (or an empty) command line.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2" || return 1
  echo "$pid"
}

# Stops the process of pid file $1 (command line containing $2, named $3 in messages): TERM, then KILL after 15 s.
stop_pid() {
  local pid i
  if pid=$(running_pid "$1" "$2"); then
    log "stopping $3 (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do running_pid "$1" "$2" >/dev/null || break; sleep 0.1; done
    if running_pid "$1" "$2" >/dev/null; then log "$3 did not stop within 15 s: killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$1"
}
