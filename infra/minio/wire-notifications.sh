#!/bin/sh
# Wires a MinIO bucket to Lode: the webhook notification target, the bucket, a least-privilege user for Lode's S3
# reads, and the bucket's put/delete notifications. Safe to rerun. POSIX sh plus `mc` only, so it also runs inside the
# minio/mc image (infra/compose/compose.yaml runs it there as the minio-init service).
#
# Usage: wire-notifications.sh ALIAS BUCKET
#   ALIAS is an mc alias with admin rights (`mc alias set ALIAS https://minio:9000 ADMIN_USER ADMIN_PASSWORD`, or
#   MC_HOST_<ALIAS>=https://ADMIN_USER:ADMIN_PASSWORD@minio:9000 in the environment).
#
# Environment:
#   LODE_WEBHOOK_ENDPOINT    Lode's webhook URL, e.g. http://lode-ingest.lode.svc.cluster.local:7071/api/minio/events
#                            (required when this script configures the target)
#   LODE_WEBHOOK_TOKEN       the bearer token MinIO sends; Lode's Webhook:Token (required when configuring the target)
#   LODE_WEBHOOK_QUEUE_DIR   directory on the MinIO servers where undelivered events wait while Lode is down
#                            (recommended; without it MinIO drops events it cannot deliver)
#   LODE_NOTIFY_TARGET       target identifier (default: lode); the ARN is arn:minio:sqs::<target>:webhook
#   LODE_CONFIGURE_TARGET    "yes" (default) sets the target with `mc admin config set` and restarts MinIO;
#                            "no" when the server's environment already defines it (MINIO_NOTIFY_WEBHOOK_*_<TARGET>)
#   LODE_S3_ACCESS_KEY, LODE_S3_SECRET_KEY
#                            when set: a MinIO user Lode signs in as (Storage:AccessKey/SecretKey) that may only
#                            list the bucket and read its objects
#   LODE_S3_UPLOAD_ACCESS_KEY, LODE_S3_UPLOAD_SECRET_KEY
#                            when set: a second MinIO user that may only write objects (s3:PutObject; policy as in
#                            infra/minio/upload-policy.json), for uploads through Lode (POST api/uploads, the web
#                            page): Lode signs their presigned PUTs with it (Storage:UploadAccessKey/UploadSecretKey).
#                            It cannot read, so a presigned PUT turned into a CopyObject (an unsigned
#                            x-amz-copy-source header) is refused: MinIO checks s3:GetObject on the copy's source.
#                            Never give this user s3:GetObject, and never sign uploads with the reading user.
#   LODE_S3_UPLOAD_PREFIXES  comma-separated key prefixes the upload user may write under (default: the whole bucket)
set -eu

if [ "$#" -ne 2 ]; then
  echo "usage: $0 ALIAS BUCKET" >&2
  exit 2
fi
alias_name="$1"
bucket="$2"
target="${LODE_NOTIFY_TARGET:-lode}"
arn="arn:minio:sqs::${target}:webhook"

if [ "${LODE_CONFIGURE_TARGET:-yes}" = "yes" ]; then
  : "${LODE_WEBHOOK_ENDPOINT:?set LODE_WEBHOOK_ENDPOINT to Lode's /api/minio/events URL}"
  : "${LODE_WEBHOOK_TOKEN:?set LODE_WEBHOOK_TOKEN to Lode's Webhook:Token}"
  if [ -n "${LODE_WEBHOOK_QUEUE_DIR:-}" ]; then
    mc admin config set "$alias_name" "notify_webhook:${target}" \
      endpoint="$LODE_WEBHOOK_ENDPOINT" auth_token="$LODE_WEBHOOK_TOKEN" \
      queue_dir="$LODE_WEBHOOK_QUEUE_DIR" queue_limit="100000"
  else
    echo "warning: LODE_WEBHOOK_QUEUE_DIR is not set: events MinIO cannot deliver while Lode is down are lost" >&2
    mc admin config set "$alias_name" "notify_webhook:${target}" \
      endpoint="$LODE_WEBHOOK_ENDPOINT" auth_token="$LODE_WEBHOOK_TOKEN"
  fi
  # A notification target takes effect only after a restart.
  mc admin service restart "$alias_name"
  attempts=0
  until mc ready "$alias_name" >/dev/null 2>&1; do
    attempts=$((attempts + 1))
    if [ "$attempts" -ge 60 ]; then
      echo "MinIO did not come back within 60 s after the restart" >&2
      exit 1
    fi
    sleep 1
  done
fi

mc mb --ignore-existing "${alias_name}/${bucket}"

# create_policy NAME LINE...: a policy document from its lines, created (or updated) in MinIO under NAME.
create_policy() {
  policy_name="$1"
  shift
  policy_file="${TMPDIR:-/tmp}/${policy_name}.$$.json"
  printf '%s\n' "$@" > "$policy_file"
  mc admin policy create "$alias_name" "$policy_name" "$policy_file"
  rm -f "$policy_file"
}

# add_user USER SECRET POLICY: the user, with the policy attached. Attaching a policy the user already has is an
# error, so a rerun attaches only what is missing.
add_user() {
  mc admin user add "$alias_name" "$1" "$2"
  user_info="$(mc admin user info "$alias_name" "$1")"
  case "$user_info" in
    *"$3"*) ;;
    *) mc admin policy attach "$alias_name" "$3" --user "$1" ;;
  esac
}

if [ -n "${LODE_S3_ALLOW_UPLOADS:-}" ]; then
  echo "LODE_S3_ALLOW_UPLOADS is gone: Lode's reading user must never sign uploads (a presigned PUT can be turned into a" >&2
  echo "copy of any object it may read). Set LODE_S3_UPLOAD_ACCESS_KEY and LODE_S3_UPLOAD_SECRET_KEY for a put-only user." >&2
  exit 2
fi

if [ -n "${LODE_S3_ACCESS_KEY:-}" ]; then
  : "${LODE_S3_SECRET_KEY:?set LODE_S3_SECRET_KEY together with LODE_S3_ACCESS_KEY}"
  # Lode reads: HEAD/GET objects (with their lode-groups metadata), list the bucket (reconcile, health). Never writes.
  create_policy "lode-read-${bucket}" \
    '{' \
    '  "Version": "2012-10-17",' \
    '  "Statement": [' \
    "    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetBucketLocation\", \"s3:ListBucket\"], \"Resource\": [\"arn:aws:s3:::${bucket}\"]}," \
    "    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetObject\"], \"Resource\": [\"arn:aws:s3:::${bucket}/*\"]}" \
    '  ]' \
    '}'
  add_user "$LODE_S3_ACCESS_KEY" "$LODE_S3_SECRET_KEY" "lode-read-${bucket}"
fi

if [ -n "${LODE_S3_UPLOAD_ACCESS_KEY:-}" ]; then
  : "${LODE_S3_UPLOAD_SECRET_KEY:?set LODE_S3_UPLOAD_SECRET_KEY together with LODE_S3_UPLOAD_ACCESS_KEY}"
  if [ "$LODE_S3_UPLOAD_ACCESS_KEY" = "${LODE_S3_ACCESS_KEY:-}" ]; then
    echo "LODE_S3_UPLOAD_ACCESS_KEY must be a user of its own, not LODE_S3_ACCESS_KEY" >&2
    exit 2
  fi
  resources=""
  old_ifs="$IFS"
  IFS=','
  for prefix in ${LODE_S3_UPLOAD_PREFIXES:-}; do
    resources="${resources}${resources:+, }\"arn:aws:s3:::${bucket}/${prefix}*\""
  done
  IFS="$old_ifs"
  [ -n "$resources" ] || resources="\"arn:aws:s3:::${bucket}/*\""
  # s3:PutObject only (it covers the multipart calls): no GetObject, so no copy; no ListBucket, no DeleteObject.
  create_policy "lode-put-${bucket}" \
    '{' \
    '  "Version": "2012-10-17",' \
    '  "Statement": [' \
    "    {\"Effect\": \"Allow\", \"Action\": [\"s3:PutObject\"], \"Resource\": [${resources}]}" \
    '  ]' \
    '}'
  add_user "$LODE_S3_UPLOAD_ACCESS_KEY" "$LODE_S3_UPLOAD_SECRET_KEY" "lode-put-${bucket}"
fi

# Created and removed objects only: Lode re-reads the object itself, so the event is a hint, never the content.
mc event add "${alias_name}/${bucket}" "$arn" --event put,delete --ignore-existing
echo "Bucket ${bucket} on ${alias_name} notifies ${arn}"
