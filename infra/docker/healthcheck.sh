#!/usr/bin/env bash
# Container health check: GET /api/health on the contract port, without curl or wget (the base images have neither,
# and adding a download tool to a production image only to probe itself is not worth it). bash's /dev/tcp does.
# Exits 0 only for HTTP 200, which the app answers when every check (database, object store, embedder, LLM) passes.
# Usage: lode-healthcheck [port]   (default 7071)
set -euo pipefail
port="${1:-7071}"
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$port" >&3
IFS= read -r -t 10 status <&3
[[ "$status" =~ ^HTTP/1\.[01]\ 200\  ]]
