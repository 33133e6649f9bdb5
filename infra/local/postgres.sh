#!/usr/bin/env bash
# Installs PostgreSQL 15 + pgvector 0.8 (built from Debian's trixie source package, as bookworm has no pgvector)
# and starts a cluster under $LODE_DATA/postgres on 127.0.0.1:$LODE_PG_PORT. Idempotent: safe to rerun.
source "$(dirname "$0")/common.sh"

apt_install postgresql-15 postgresql-server-dev-15 build-essential dpkg-dev ca-certificates

if [ ! -f /usr/share/postgresql/15/extension/vector.control ]; then
  # Reuse the URI of the machine's own Debian source for the trixie deb-src entry.
  uri=$(grep -rhE '^[[:space:]]*(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
    | grep -oE 'https?://[^ ]+/debian/?' | grep -v security | head -n1 || true)
  uri="${uri:-http://deb.debian.org/debian}"
  echo "deb-src $uri trixie main" > /etc/apt/sources.list.d/lode-trixie-src.list
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  build=$(mktemp -d)
  log "building pgvector from source in $build"
  (cd "$build" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ \
    && make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null \
    && make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null)
  rm -rf "$build"
fi

pgdata="$LODE_DATA/postgres"
mkdir -p "$LODE_DATA"
if [ ! -f "$pgdata/PG_VERSION" ]; then
  log "initialising cluster in $pgdata"
  mkdir -p "$pgdata" && chown postgres:postgres "$pgdata"
  pwfile=$(mktemp); echo "$LODE_PG_PASSWORD" > "$pwfile"; chown postgres "$pwfile"
  su postgres -s /bin/sh -c "$PG_BIN/initdb -D '$pgdata' -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null"
  rm -f "$pwfile"
  lode_pg_settings "$LODE_PG_PORT" "$pgdata" >> "$pgdata/postgresql.conf"
fi
# The data folder may sit under a path postgres cannot traverse (e.g. /root): let it through.
d="$pgdata"; while [ "$d" != "/" ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done

if ! su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$pgdata' status" >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$LODE_PG_PORT"
  su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D '$pgdata' -l '$pgdata/server.log' -w -t 60 start" >/dev/null
fi

psql_admin() { su postgres -s /bin/sh -c "PGOPTIONS='-c client_min_messages=warning' psql -h '$pgdata' -p $LODE_PG_PORT -U postgres -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname='$LODE_PG_USER'\"")" != "1" ]; then
  # CREATEDB lets the tests make a database per test class.
  psql_admin "-c \"CREATE ROLE $LODE_PG_USER LOGIN CREATEDB PASSWORD '$LODE_PG_PASSWORD'\""
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname='$LODE_PG_DB'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE $LODE_PG_DB OWNER $LODE_PG_USER\""
fi
# The extension must be created by a superuser once per database; template1 makes every new database have it.
psql_admin "-d template1 -c \"CREATE EXTENSION IF NOT EXISTS vector\""
psql_admin "-d $LODE_PG_DB -c \"CREATE EXTENSION IF NOT EXISTS vector\""
log "PostgreSQL ready: Host=127.0.0.1;Port=$LODE_PG_PORT;Username=$LODE_PG_USER;Database=$LODE_PG_DB"
