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
#   LODE_S3_ALLOW_UPLOADS    "yes": that user may also write objects (s3:PutObject), which uploads through Lode
#                            (POST api/uploads, the web page) need: their presigned PUTs are signed with its key.
#                            Default "no": Lode only reads.
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

if [ -n "${LODE_S3_ACCESS_KEY:-}" ]; then
  : "${LODE_S3_SECRET_KEY:?set LODE_S3_SECRET_KEY together with LODE_S3_ACCESS_KEY}"
  # Lode reads: HEAD/GET objects (with their lode-groups metadata), list the bucket (reconcile, health); and writes
  # objects only when uploads through Lode are wanted.
  if [ "${LODE_S3_ALLOW_UPLOADS:-no}" = "yes" ]; then
    policy="lode-upload-${bucket}"
    object_actions='"s3:GetObject", "s3:PutObject"'
  else
    policy="lode-read-${bucket}"
    object_actions='"s3:GetObject"'
  fi
  policy_file="${TMPDIR:-/tmp}/${policy}.$$.json"
  printf '%s\n' \
    '{' \
    '  "Version": "2012-10-17",' \
    '  "Statement": [' \
    "    {\"Effect\": \"Allow\", \"Action\": [\"s3:GetBucketLocation\", \"s3:ListBucket\"], \"Resource\": [\"arn:aws:s3:::${bucket}\"]}," \
    "    {\"Effect\": \"Allow\", \"Action\": [${object_actions}], \"Resource\": [\"arn:aws:s3:::${bucket}/*\"]}" \
    '  ]' \
    '}' > "$policy_file"
  mc admin policy create "$alias_name" "$policy" "$policy_file"
  rm -f "$policy_file"
  mc admin user add "$alias_name" "$LODE_S3_ACCESS_KEY" "$LODE_S3_SECRET_KEY"
  # Attaching a policy the user already has is an error, so a rerun attaches only what is missing.
  user_info="$(mc admin user info "$alias_name" "$LODE_S3_ACCESS_KEY")"
  case "$user_info" in
    *"$policy"*) ;;
    *) mc admin policy attach "$alias_name" "$policy" --user "$LODE_S3_ACCESS_KEY" ;;
  esac
fi

# Created and removed objects only: Lode re-reads the object itself, so the event is a hint, never the content.
mc event add "${alias_name}/${bucket}" "$arn" --event put,delete --ignore-existing
echo "Bucket ${bucket} on ${alias_name} notifies ${arn}"
