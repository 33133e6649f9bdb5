#!/usr/bin/env bash
# Installs everything the local stack and the tests need, on a fresh Debian 12 as root. Idempotent: safe to rerun.
#  - PostgreSQL 15 + pgvector, with the cluster under $LODE_DATA/postgres started (postgres.sh)
#  - Node.js + npm, and the S3 server's packages (npm ci in infra/local/s3)
#  - poppler-utils (pdftotext for the extraction benchmarks, pdftoppm to render scanned pages), libgomp1 (LLamaSharp's native CPU library)
#  - tesseract-ocr with the English, German and orientation data (OCR of scans and images: Ocr:Languages); the
#    OCR tests make their scans with ghostscript and imagemagick
#  - chromium (the web page's end-to-end tests drive it with Playwright; Playwright never downloads a browser here)
#  - the .NET packages of Serverless.sln (dotnet restore)
source "$(dirname "$0")/common.sh"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# The retrieval quality test fetches Debian manuals with apt-get download, which needs package lists.
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && export LODE_APT_UPDATED=1
fi
apt_install ca-certificates curl poppler-utils libgomp1 chromium \
  tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-osd ghostscript imagemagick
# Node 20 comes with the machine image; Debian's own nodejs (18) also runs the launcher.
if ! command -v node >/dev/null 2>&1; then apt_install nodejs; fi
if ! command -v npm >/dev/null 2>&1; then apt_install npm; fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || { log "Node.js >= 18 is needed, found $(node --version)"; exit 1; }

bash "$LODE_REPO/infra/local/postgres.sh"

# npm ci wipes node_modules each time: skip it while the installed tree matches the lock file.
s3dir="$LODE_REPO/infra/local/s3"
stamp="$s3dir/node_modules/.lode-lock.sha256"
want=$(sha256sum "$s3dir/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ] || [ ! -f "$s3dir/node_modules/s3rver/package.json" ]; then
  log "installing the S3 server's npm packages (npm ci in $s3dir)"
  (cd "$s3dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
fi

if ! command -v dotnet >/dev/null 2>&1; then
  log "dotnet is not on PATH: install the .NET 10 SDK (see global.json)"; exit 1
fi
log "restoring NuGet packages of Serverless.sln"
dotnet restore "$LODE_REPO/Serverless.sln" --verbosity quiet
log "install done"
