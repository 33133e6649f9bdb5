#!/usr/bin/env bash
# Measures what a durable commit costs on this machine's disk, for the WAL settings that keep durability, on a
# throwaway PostgreSQL 15 cluster (never the running one): pg_test_fsync on the cluster's filesystem, then pgbench loops
# of the intake's commit (one job, or eight jobs as one group commit) for each setting. Prints markdown tables.
# Run as root (the cluster runs as user postgres). Usage: infra/local/wal-sync-check.sh [seconds per pass] [rounds]
# LODE_WALCHECK_DIR: where the cluster lives (default: a temporary folder under $LODE_DATA, i.e. the disk Lode's own
# cluster uses); LODE_WALCHECK_PORT (default 55439).
source "$(dirname "$0")/common.sh"

seconds="${1:-8}"
rounds="${2:-2}"
port="${LODE_WALCHECK_PORT:-55439}"
mkdir -p "$LODE_DATA"
work="${LODE_WALCHECK_DIR:-$(mktemp -d "$LODE_DATA/wal-sync-check.XXXXXX")}"
pgdata="$work/pgdata"
mkdir -p "$work" && chown postgres:postgres "$work"
d="$work"; while [ "$d" != "/" ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done

as_postgres() { su postgres -s /bin/sh -c "$1"; }
stop_cluster() {
  as_postgres "$PG_BIN/pg_ctl -D '$pgdata' -m fast -w stop" >/dev/null 2>&1 || true
  [ -z "${LODE_WALCHECK_DIR:-}" ] && rm -rf "$work"
}
trap stop_cluster EXIT

# The same settings infra/local/postgres.sh gives Lode's cluster, so only the setting under test differs.
as_postgres "$PG_BIN/initdb -D '$pgdata' -U postgres --auth-local=trust --auth-host=trust -E UTF8 >/dev/null"
lode_pg_settings "$port" "$pgdata" >> "$pgdata/postgresql.conf"
as_postgres "$PG_BIN/pg_ctl -D '$pgdata' -l '$work/server.log' -w -t 60 start" >/dev/null
psql_su() { psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_su -c "CREATE DATABASE bench"
# ingest_jobs as Lode's migration 1 creates it: the table the webhook's commit writes to.
psql_su -d bench <<'SQL'
CREATE TABLE ingest_jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, bucket text NOT NULL, key text NOT NULL, reason text NOT NULL,
    force boolean NOT NULL DEFAULT false, generation integer NOT NULL DEFAULT 1, attempts integer NOT NULL DEFAULT 0,
    enqueued_at timestamptz NOT NULL DEFAULT now(), available_at timestamptz NOT NULL DEFAULT now(), lease_token uuid,
    leased_by text, leased_until timestamptz, last_error text, UNIQUE (bucket, key));
CREATE INDEX ingest_jobs_available_idx ON ingest_jobs (available_at, id);
SQL

# One job per commit (a lone webhook request), and eight jobs per commit (eight senders sharing one group commit).
cat > "$work/one.sql" <<'SQL'
\set k random(1, 2000000000)
INSERT INTO ingest_jobs (bucket, key, reason) VALUES ('docs', 'bench/object ' || :k || '.pdf', 'benchmark')
ON CONFLICT (bucket, key) DO UPDATE SET generation = ingest_jobs.generation + 1, available_at = now();
SQL
cat > "$work/eight.sql" <<'SQL'
\set k random(1, 2000000000)
INSERT INTO ingest_jobs (bucket, key, reason)
SELECT 'docs', 'bench/object ' || :k || '-' || i || '.pdf', 'benchmark' FROM generate_series(1, 8) AS i
ON CONFLICT (bucket, key) DO UPDATE SET generation = ingest_jobs.generation + 1, available_at = now();
SQL
chmod a+r "$work"/*.sql

echo "# WAL sync check, $(date -u '+%Y-%m-%d %H:%M UTC'), $seconds s per pass, best of $rounds round(s)"
echo "Filesystem: $(df -P "$work" | awk 'NR==2 {print $1" mounted on "$6}') ($(findmnt -no FSTYPE,OPTIONS --target "$work"))"
echo "Load average at the start: $(cat /proc/loadavg)"
echo
echo '```'
as_postgres "cd '$work' && $PG_BIN/pg_test_fsync -s $seconds -f '$work/pg_test_fsync.tmp'"
echo '```'
rm -f "$work/pg_test_fsync.tmp"

# name|settings (name=value;...)|needs restart
configs=(
  "fdatasync (default)|wal_sync_method=fdatasync|"
  "open_datasync|wal_sync_method=open_datasync|"
  "fsync|wal_sync_method=fsync|"
  "open_sync|wal_sync_method=open_sync|"
  "fdatasync, commit_delay 200 us|wal_sync_method=fdatasync;commit_delay=200|"
  "fdatasync, commit_delay 1000 us|wal_sync_method=fdatasync;commit_delay=1000|"
  "fdatasync, wal_writer_flush_after 0|wal_sync_method=fdatasync;wal_writer_flush_after=0|"
  "fdatasync, wal_buffers 64MB|wal_sync_method=fdatasync;wal_buffers=64MB|restart"
)
# name|script|clients
workloads=("1 job/commit, 1 client|one|1" "1 job/commit, 8 clients|one|8" "8 jobs/commit, 1 client|eight|1")

apply() {
  psql_su -c "ALTER SYSTEM RESET ALL"
  IFS=';' read -ra pairs <<< "$1"
  for pair in "${pairs[@]}"; do psql_su -c "ALTER SYSTEM SET ${pair%%=*} = '${pair#*=}'"; done
  if [ -n "$2" ] || [ "${restarted:-}" = "yes" ]; then
    # wal_buffers needs a restart; so does leaving it again.
    as_postgres "$PG_BIN/pg_ctl -D '$pgdata' -l '$work/server.log' -w -t 60 restart" >/dev/null
    restarted=$([ -n "$2" ] && echo yes || echo no)
  else
    psql_su -c "SELECT pg_reload_conf()" >/dev/null
  fi
  psql_su -c "CHECKPOINT"
}

# One pass: transactions/s and per-commit latency p50/p95 (ms) from pgbench's per-transaction log.
pass() {
  local script="$1" clients="$2" log="$work/log"
  rm -rf "$log" && mkdir -p "$log" && chown postgres "$log"
  as_postgres "cd '$log' && pgbench -h 127.0.0.1 -p $port -U postgres -n -M prepared -f '$work/$script.sql' \
    -c $clients -j $clients -T $seconds -l --log-prefix=tx bench" > "$work/pgbench.out" 2>&1
  local tps; tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.out")
  cat "$log"/tx* | awk '{print $3}' | sort -n | awk -v tps="$tps" \
    '{v[NR]=$1} END {printf "%.0f %.2f %.2f\n", tps, v[int(NR*0.5)+1]/1000, v[int(NR*0.95)+1]/1000}'
}

declare -A best
for round in $(seq 1 "$rounds"); do
  # Alternate the order so a change in the machine's load does not favour the settings measured first.
  order=("${configs[@]}"); [ $((round % 2)) -eq 0 ] && mapfile -t order < <(printf '%s\n' "${configs[@]}" | tac)
  for config in "${order[@]}"; do
    IFS='|' read -r name settings restart <<< "$config"
    apply "$settings" "$restart"
    for workload in "${workloads[@]}"; do
      IFS='|' read -r wname script clients <<< "$workload"
      result=$(pass "$script" "$clients")
      echo "round $round, $name, $wname: $result (tx/s p50 p95)" >&2
      read -r tps _ <<< "$result"
      read -r old _ <<< "${best["$name|$wname"]:-0}"
      [ "${tps%.*}" -ge "${old%.*}" ] && best["$name|$wname"]="$result"
    done
  done
done

echo
echo "Load average at the end: $(cat /proc/loadavg)"
echo
header="| setting |"; rule="|---|"
for workload in "${workloads[@]}"; do header+=" ${workload%%|*}: commits/s (jobs/s), p50 / p95 ms |"; rule+="---:|"; done
echo "$header"; echo "$rule"
for config in "${configs[@]}"; do
  name="${config%%|*}"; row="| $name |"
  for workload in "${workloads[@]}"; do
    IFS='|' read -r wname script _ <<< "$workload"
    read -r tps p50 p95 <<< "${best["$name|$wname"]}"
    jobs=$([ "$script" = eight ] && echo $((tps * 8)) || echo "$tps")
    row+=" $tps ($jobs), $p50 / $p95 |"
  done
  echo "$row"
done
