#!/bin/sh
# Runs once, as the superuser, when the PostgreSQL data volume is first initialised (docker-entrypoint-initdb.d).
# The app gets its own role that owns the lode database but is no superuser. pgvector is not a trusted extension, so
# the superuser creates it here; the app's first migration then finds it (CREATE EXTENSION IF NOT EXISTS).
set -eu
: "${LODE_DB_PASSWORD:?LODE_DB_PASSWORD must be set}"
# The password travels as a psql variable (:'name' quotes it as a literal), never spliced into the SQL text.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v lode_password="$LODE_DB_PASSWORD" <<'SQL'
CREATE ROLE lode LOGIN PASSWORD :'lode_password';
CREATE DATABASE lode OWNER lode;
\connect lode
CREATE EXTENSION IF NOT EXISTS vector;
SQL
