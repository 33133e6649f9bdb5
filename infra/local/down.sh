#!/usr/bin/env bash
# Stops what up.sh started: the function app, the S3 server and PostgreSQL (all under $LODE_DATA). Safe to run when
# nothing runs. Data stays: the next up.sh finds the database, the bucket and the credentials as they were.
source "$(dirname "$0")/common.sh"

stop_pid "$LODE_RUN/app.pid" "$LODE_DATA/app/" "function app"
stop_pid "$LODE_RUN/s3.pid" "launcher.mjs" "S3 server"

pgdata="$LODE_DATA/postgres"
if [ -f "$pgdata/PG_VERSION" ] && [ -x "$PG_BIN/pg_ctl" ] \
   && su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$pgdata' status" >/dev/null 2>&1; then
  log "stopping PostgreSQL ($pgdata)"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$pgdata' -m fast -w -t 60 stop" >/dev/null
fi
log "down"
