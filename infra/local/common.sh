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
