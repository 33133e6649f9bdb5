#!/usr/bin/env node
// Local S3 server for Lode: s3rver (a real S3 protocol server, path-style) plus what it lacks to stand in for MinIO:
//  - SigV4 signatures are verified against the configured key pair (s3rver only checks that the access key exists);
//  - XML responses carry the S3 namespace that SDKs deserialise against (s3rver writes a wrong one);
//  - object events are forwarded to a webhook exactly as MinIO's webhook target posts them;
//  - an optional second key pair (--upload-access-key) is held to the policy Lode's MinIO upload user gets
//    (infra/minio/upload-policy.json): s3:PutObject and nothing else, so a presigned PUT signed with it cannot become
//    a CopyObject (which needs s3:GetObject on the source) or read anything.
// Usage: node launcher.mjs [--port 9000] [--address 127.0.0.1] [--data-dir DIR] [--bucket NAME ...]
//        [--access-key KEY] [--secret-key SECRET] [--upload-access-key KEY --upload-secret-key SECRET]
//        [--webhook-url URL] [--webhook-token TOKEN]
// Prints "S3 ready on http://ADDRESS:PORT" on stdout once listening (--port 0 picks a free port).
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
let S3rver, AWSAccount, S3Error;
try {
  S3rver = require('s3rver');
  AWSAccount = require('s3rver/lib/models/account');
  S3Error = require('s3rver/lib/models/error');
} catch (err) {
  console.error(`s3rver is not installed (${err.code ?? err.message}): run infra/local/install.sh ` +
    `(or 'npm ci' in ${new URL('.', import.meta.url).pathname})`);
  process.exit(3);
}

// ---------------------------------------------------------------------------------------------------------------
// Configuration: CLI flags win over environment variables, which win over defaults.
const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    address: { type: 'string' },
    'data-dir': { type: 'string' },
    bucket: { type: 'string', multiple: true },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    'upload-access-key': { type: 'string' },
    'upload-secret-key': { type: 'string' },
    'webhook-url': { type: 'string' },
    'webhook-token': { type: 'string' },
    'webhook-attempts': { type: 'string' },
    'cors-origin': { type: 'string', multiple: true },
    'allow-anonymous': { type: 'boolean' },
    'exit-on-stdin-close': { type: 'boolean' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(`node launcher.mjs [options]            (env var in brackets)
  --port N              listen port, 0 = any free port         [LODE_S3_PORT]        9000
  --address A           listen address                         [LODE_S3_ADDRESS]     127.0.0.1
  --data-dir DIR        where objects are stored               [LODE_S3_DATA]        $TMPDIR/lode-s3
  --bucket NAME         bucket to create (repeatable)          [LODE_S3_BUCKETS]     comma-separated, none
  --access-key KEY      the one accepted access key            [LODE_S3_ACCESS_KEY]  minioadmin
  --secret-key SECRET   its secret                             [LODE_S3_SECRET_KEY]  minioadmin
  --upload-access-key K a second key that may only PutObject (no reads, no copies) [LODE_S3_UPLOAD_ACCESS_KEY] none
  --upload-secret-key S its secret                             [LODE_S3_UPLOAD_SECRET_KEY] none
  --webhook-url URL     where object events are POSTed         [LODE_WEBHOOK_URL]    none: no events sent
  --webhook-token T     sent as "Authorization: Bearer T"      [LODE_WEBHOOK_TOKEN]  none
  --webhook-attempts N  delivery attempts per event            [LODE_WEBHOOK_ATTEMPTS] 8
  --cors-origin O       origin browsers may call from (repeatable) [LODE_S3_CORS_ORIGINS] *  (MinIO's default)
  --allow-anonymous     accept unsigned requests (MinIO refuses them)
  --exit-on-stdin-close exit when stdin closes (a test harness that dies takes the server with it)
  --verbose             log every S3 request (s3rver's own log)`);
  process.exit(0);
}
const env = process.env;
const config = {
  port: Number(args.port ?? env.LODE_S3_PORT ?? 9000),
  address: args.address ?? env.LODE_S3_ADDRESS ?? '127.0.0.1',
  dataDir: args['data-dir'] ?? env.LODE_S3_DATA ?? join(tmpdir(), 'lode-s3'),
  buckets: args.bucket ?? (env.LODE_S3_BUCKETS ?? '').split(',').map(b => b.trim()).filter(Boolean),
  accessKey: args['access-key'] ?? env.LODE_S3_ACCESS_KEY ?? 'minioadmin',
  secretKey: args['secret-key'] ?? env.LODE_S3_SECRET_KEY ?? 'minioadmin',
  uploadAccessKey: args['upload-access-key'] ?? env.LODE_S3_UPLOAD_ACCESS_KEY ?? '',
  uploadSecretKey: args['upload-secret-key'] ?? env.LODE_S3_UPLOAD_SECRET_KEY ?? '',
  webhookUrl: args['webhook-url'] ?? env.LODE_WEBHOOK_URL ?? '',
  webhookToken: args['webhook-token'] ?? env.LODE_WEBHOOK_TOKEN ?? '',
  webhookAttempts: Math.max(1, Number(args['webhook-attempts'] ?? env.LODE_WEBHOOK_ATTEMPTS ?? 8)),
  corsOrigins: args['cors-origin'] ?? (env.LODE_S3_CORS_ORIGINS ?? '*').split(',').map(o => o.trim()).filter(Boolean),
  allowAnonymous: Boolean(args['allow-anonymous']),
  verbose: Boolean(args.verbose),
};
if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) fail(`invalid port: ${args.port ?? env.LODE_S3_PORT}`);
if (Boolean(config.uploadAccessKey) !== Boolean(config.uploadSecretKey)) fail('give --upload-access-key and --upload-secret-key together');
if (config.uploadAccessKey && config.uploadAccessKey === config.accessKey) fail('the upload access key must differ from --access-key');
// Access key -> secret. The upload key's requests are held to putOnlyPolicy below.
const secrets = new Map([[config.accessKey, config.secretKey]]);
if (config.uploadAccessKey) secrets.set(config.uploadAccessKey, config.uploadSecretKey);
if (config.webhookUrl) {
  try { new URL(config.webhookUrl); } catch { fail(`invalid webhook URL: ${config.webhookUrl}`); }
}

function log(message) { console.log(`${new Date().toISOString()} ${message}`); }
function fail(message) { console.error(message); process.exit(2); }

// ---------------------------------------------------------------------------------------------------------------
// Go's url.QueryEscape, which MinIO applies to Records[].s3.object.key: every UTF-8 byte except A-Z a-z 0-9 - _ . ~
// becomes %XX (upper-case hex), and space becomes '+'.
function goQueryEscape(s) {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    if ((byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ||
        byte === 0x2d || byte === 0x5f || byte === 0x2e || byte === 0x7e) {
      out += String.fromCharCode(byte);
    } else if (byte === 0x20) {
      out += '+';
    } else {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

// S3's encoding-type=url for listings, as MinIO's s3URLEncode does it: QueryEscape, but '/' and '*' stay as they are.
function s3UrlEncode(s) {
  return goQueryEscape(s).replace(/%2F/g, '/').replace(/%2A/g, '*');
}

// SigV4's URI encoding: like QueryEscape but space is %20, and '/' is kept when encoding a path.
function awsUriEncode(s, keepSlash) {
  const escaped = goQueryEscape(s).replace(/\+/g, '%20');
  return keepSlash ? escaped.replace(/%2F/g, '/') : escaped;
}

// ---------------------------------------------------------------------------------------------------------------
// SigV4 verification, done the way MinIO does it: the canonical request is rebuilt from the decoded path and query
// (re-encoded strictly), the signed headers as received and the client's x-amz-content-sha256 (payload bytes are
// not re-hashed). s3rver itself skips this step entirely and accepts any signature for a known access key.
function decodeQueryComponent(s) {
  try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; }
}

function parseRawQuery(rawQuery) {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map(pair => {
    const i = pair.indexOf('=');
    return i < 0 ? [decodeQueryComponent(pair), ''] : [decodeQueryComponent(pair.slice(0, i)), decodeQueryComponent(pair.slice(i + 1))];
  });
}

function s3Error(code, message, status) {
  const err = new S3Error(code, message);
  if (status) err.status = status;
  return err;
}

// The access key that signed the request (SigV4 or SigV2), or null when it is unsigned; then verifies SigV4 (s3rver
// verifies SigV2 against its own registry).
function verifySigV4(req) {
  const [rawPath, rawQuery = ''] = req.url.split(/\?(.*)/s);
  const query = parseRawQuery(rawQuery);
  const queryMap = new Map(query);
  const header = req.headers['authorization'];
  let credential, signedHeaders, signature, amzDate, payloadHash;
  if (header) {
    if (!header.startsWith('AWS4-HMAC-SHA256 ')) return false; // SigV2: s3rver verifies those itself
    const parts = new Map(header.slice('AWS4-HMAC-SHA256 '.length).split(',').map(p => {
      const [k, ...v] = p.trim().split('=');
      return [k, v.join('=')];
    }));
    credential = parts.get('Credential');
    signedHeaders = parts.get('SignedHeaders');
    signature = parts.get('Signature');
    amzDate = req.headers['x-amz-date'] ?? req.headers['date'];
    payloadHash = req.headers['x-amz-content-sha256'];
  } else if (queryMap.get('X-Amz-Algorithm') === 'AWS4-HMAC-SHA256') {
    credential = queryMap.get('X-Amz-Credential');
    signedHeaders = queryMap.get('X-Amz-SignedHeaders');
    signature = queryMap.get('X-Amz-Signature');
    amzDate = queryMap.get('X-Amz-Date');
    payloadHash = req.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD';
    // A presigned URL works for X-Amz-Expires seconds from X-Amz-Date (S3 allows 1 to 604800).
    const expires = Number(queryMap.get('X-Amz-Expires'));
    const signedAt = Date.parse((amzDate ?? '').replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!Number.isInteger(expires) || expires < 1 || expires > 604800 || Number.isNaN(signedAt)) {
      throw s3Error('AuthorizationQueryParametersError', 'X-Amz-Expires must be a number of seconds from 1 to 604800.', 400);
    }
    if (Date.now() > signedAt + expires * 1000) throw s3Error('AccessDenied', 'Request has expired', 403);
  } else {
    return false;
  }
  if (!credential || !signedHeaders || !signature || !amzDate || !payloadHash) {
    throw s3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed.', 400);
  }
  const [accessKey, ...scopeParts] = credential.split('/');
  const secretKey = secrets.get(accessKey);
  if (secretKey === undefined) {
    throw s3Error('InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.', 403);
  }
  if (scopeParts.length !== 4 || scopeParts[3] !== 'aws4_request') {
    throw s3Error('AuthorizationHeaderMalformed', 'The credential scope is malformed.', 400);
  }
  const [date, region, service] = scopeParts;

  let path;
  try { path = decodeURIComponent(rawPath); } catch { path = rawPath; }
  const canonicalQuery = query
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [awsUriEncode(k, false), awsUriEncode(v, false)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headerNames = signedHeaders.split(';');
  const canonicalHeaders = headerNames.map(name => {
    const value = req.headers[name];
    const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${String(joined).trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const canonicalRequest = [req.method, awsUriEncode(path, true), canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scopeParts.join('/'),
    createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  let key = createHmac('sha256', 'AWS4' + secretKey).update(date).digest();
  for (const part of [region, service, 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const provided = Buffer.from(signature, 'hex');
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    if (config.verbose) log(`signature mismatch; canonical request:\n${canonicalRequest}`);
    throw s3Error('SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403);
  }
  return accessKey;
}

// The access key of a SigV2 request (header "AWS KEY:SIGNATURE" or query AWSAccessKeyId), which s3rver verifies.
function sigV2AccessKey(req, query) {
  const header = req.headers['authorization'];
  if (typeof header === 'string' && header.startsWith('AWS ')) return header.slice(4).split(':')[0];
  return typeof query.AWSAccessKeyId === 'string' ? query.AWSAccessKeyId : null;
}

// MinIO's evaluation of a policy that allows s3:PutObject on objects and nothing else: PutObject and the multipart
// calls it covers (create, upload part, complete). CopyObject and UploadPartCopy also need s3:GetObject on the source,
// so any request carrying x-amz-copy-source is denied, as is everything else (reads, listings, deletes, buckets,
// ACLs, tagging). MinIO answers AccessDenied for all of them.
const PUT_ONLY_QUERY = new Set(['partNumber', 'uploadId', 'uploads', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date',
  'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'AWSAccessKeyId', 'Signature', 'Expires']);
function putOnlyPolicyAllows(ctx) {
  const [rawPath] = ctx.url.split('?');
  const objectPath = /^\/[^/]+\/.+/.test(rawPath);
  if (!objectPath || 'x-amz-copy-source' in ctx.req.headers) return false;
  if (Object.keys(ctx.query).some(name => !PUT_ONLY_QUERY.has(name) && !name.toLowerCase().startsWith('x-amz-meta-'))) return false;
  if (ctx.method === 'PUT') return !('uploads' in ctx.query);
  if (ctx.method === 'POST') return 'uploads' in ctx.query || 'uploadId' in ctx.query;
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// MinIO-shaped events.
const deploymentId = randomUUID();
let listeningPort = config.port;
let lastSequencer = 0n;
function sequencer() {
  // MinIO: the event time in Unix nanoseconds as upper-case hex; kept strictly increasing here.
  let nanos = BigInt(Date.now()) * 1_000_000n;
  if (nanos <= lastSequencer) nanos = lastSequencer + 1n;
  lastSequencer = nanos;
  return nanos.toString(16).toUpperCase();
}

function canonicalHeaderName(name) {
  return name.split('-').map(w => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()).join('-');
}

function minioEvent({ eventName, bucket, key, size, etag, contentType, metadata, request }) {
  const created = eventName.startsWith('s3:ObjectCreated:');
  const object = { key: goQueryEscape(key) };
  if (created) {
    if (size) object.size = size;
    if (etag) object.eTag = etag.replace(/"/g, '');
    if (contentType) object.contentType = contentType;
    const userMetadata = {};
    if (contentType) userMetadata['content-type'] = contentType;
    for (const [k, v] of Object.entries(metadata ?? {})) {
      if (k.toLowerCase().startsWith('x-amz-meta-')) userMetadata[canonicalHeaderName(k)] = String(v);
    }
    object.userMetadata = userMetadata;
  }
  object.sequencer = sequencer();
  const record = {
    eventVersion: '2.0',
    eventSource: 'minio:s3',
    awsRegion: '',
    eventTime: new Date().toISOString(),
    eventName,
    userIdentity: { principalId: request.accessKey },
    requestParameters: { principalId: request.accessKey, region: '', sourceIPAddress: request.ip },
    responseElements: {
      'x-amz-id-2': createHash('sha256').update(deploymentId).digest('hex'),
      'x-amz-request-id': request.requestId,
      'x-minio-deployment-id': deploymentId,
      'x-minio-origin-endpoint': `http://${config.address}:${listeningPort}`,
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'Config',
      bucket: { name: bucket, ownerIdentity: { principalId: request.accessKey }, arn: `arn:aws:s3:::${bucket}` },
      object,
    },
    source: { host: request.ip, port: '', userAgent: request.userAgent },
  };
  return { EventName: eventName, Key: `${bucket}/${key}`, Records: [record] };
}

// Delivery: one POST per event, in order, like MinIO's webhook target. A target that is down or answers 5xx is
// retried with backoff; the S3 server never waits for it.
const queue = []; // events, or promises of events still being assembled; delivered strictly in this order
let delivering = false;
function enqueue(event) {
  if (!config.webhookUrl) return;
  queue.push(event);
  if (!delivering) void deliverAll();
}

async function deliverAll() {
  delivering = true;
  try {
    while (queue.length > 0) {
      const event = await queue[0];
      if (event) await deliver(event);
      queue.shift();
    }
  } finally {
    delivering = false;
  }
}

async function deliver(event) {
  const body = JSON.stringify(event);
  const headers = { 'Content-Type': 'application/json', 'User-Agent': 'MinIO (linux; x64) lode-s3-launcher' };
  if (config.webhookToken) headers.Authorization = `Bearer ${config.webhookToken}`;
  const what = `${event.EventName} ${event.Key}`;
  for (let attempt = 1; attempt <= config.webhookAttempts; attempt++) {
    const started = Date.now();
    let retry;
    try {
      const res = await fetch(config.webhookUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
      await res.arrayBuffer().catch(() => undefined);
      log(`webhook ${what} -> ${res.status} (${Date.now() - started} ms, attempt ${attempt})`);
      if (res.ok) return;
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
    } catch (err) {
      log(`webhook ${what} -> error ${err.cause?.code ?? err.name}: ${err.cause?.message ?? err.message} (attempt ${attempt})`);
      retry = true;
    }
    if (!retry || attempt === config.webhookAttempts) {
      log(`webhook ${what} dropped`);
      return;
    }
    await new Promise(r => setTimeout(r, Math.min(250 * 2 ** (attempt - 1), 5000)));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The server.
mkdirSync(config.dataDir, { recursive: true });
// s3rver's only account holds S3RVER/S3RVER: replace that pair by the configured one (SigV2 requests are checked by
// s3rver against this registry; SigV4 ones by verifySigV4 above).
const account = AWSAccount.DUMMY_ACCOUNT;
for (const key of [...account.accessKeys.keys()]) account.revokeAccessKey(key);
for (const [accessKey, secretKey] of secrets) account.createKeyPair(accessKey, secretKey);

const server = new S3rver({
  address: config.address,
  port: config.port,
  directory: config.dataDir,
  silent: !config.verbose,
  vhostBuckets: false,
  configureBuckets: config.buckets.map(name => ({ name, configs: [] })),
});

const requestContext = new AsyncLocalStorage();
const WRONG_NS = 'xmlns="http://doc.s3.amazonaws.com/2006-03-01/"';
const S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

// CORS the way MinIO does it: one server-wide list of allowed origins (MINIO_API_CORS_ALLOW_ORIGIN, default "*"), not
// s3rver's per-bucket configuration. Browsers need it to PUT to a presigned URL from a page on another origin (Lode's
// web page uploads this way). Returns true when the request was a preflight, answered here.
function applyCors(ctx) {
  const origin = ctx.get('Origin');
  if (!origin || !(config.corsOrigins.includes('*') || config.corsOrigins.includes(origin))) return false;
  ctx.set('Access-Control-Allow-Origin', origin);
  ctx.set('Vary', 'Origin');
  ctx.set('Access-Control-Expose-Headers', 'ETag, x-amz-request-id');
  if (ctx.method !== 'OPTIONS' || !ctx.get('Access-Control-Request-Method')) return false;
  ctx.set('Access-Control-Allow-Methods', 'GET, PUT, HEAD, POST, DELETE');
  ctx.set('Access-Control-Allow-Headers', ctx.get('Access-Control-Request-Headers'));
  ctx.set('Access-Control-Max-Age', '3600');
  ctx.status = 204;
  return true;
}

// A presigned PUT carries user metadata as signed query parameters (x-amz-meta-NAME=VALUE), which MinIO stores as the
// object's metadata (its extractMetadata reads the query, then the headers, so a header of the same name wins); s3rver
// reads headers only.
function queryMetadataToHeaders(ctx) {
  if (ctx.method !== 'PUT') return;
  for (const [name, value] of Object.entries(ctx.query)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-meta-') && !(lower in ctx.req.headers)) ctx.req.headers[lower] = String(value);
  }
}

// Conditional writes (S3 and MinIO: If-None-Match: * creates only, If-Match: ETAG replaces only that version), which
// s3rver ignores on PUT. Lode signs one of them into every upload link, so an upload can never replace an object the
// uploader could not read.
async function checkWriteConditions(ctx) {
  if (ctx.method !== 'PUT' || 'uploadId' in ctx.query) return;
  const noneMatch = ctx.headers['if-none-match'];
  const match = ctx.headers['if-match'];
  if (noneMatch === undefined && match === undefined) return;
  const [rawPath] = ctx.url.split('?');
  let path;
  try { path = decodeURIComponent(rawPath); } catch { path = rawPath; }
  const slash = path.indexOf('/', 1);
  if (slash < 0) return;
  const [bucket, key] = [path.slice(1, slash), path.slice(slash + 1)];
  const stored = await server.store.getMetadata(bucket, key).catch(() => undefined);
  const etag = stored?.etag?.replace(/"/g, '');
  const failed = (noneMatch === '*' && stored !== undefined) ||
    (match !== undefined && (etag === undefined || match.replace(/"/g, '') !== etag));
  if (failed) throw s3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412);
}

// Outermost middleware (s3rver's handlers and its error writer run inside it).
async function lodeMiddleware(ctx, next) {
  if (applyCors(ctx)) return;
  const request = {
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    ip: ctx.req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '',
    userAgent: ctx.get('User-Agent'),
    accessKey: config.accessKey,
    multiDelete: ctx.method === 'POST' && 'delete' in ctx.query,
    completeMultipart: ctx.method === 'POST' && 'uploadId' in ctx.query,
  };
  ctx.set('x-amz-request-id', request.requestId);
  const signedBy = ctx.method === 'OPTIONS' ? null : (verifySigV4(ctx.req) || sigV2AccessKey(ctx.req, ctx.query));
  const signed = ctx.method === 'OPTIONS' || Boolean(signedBy) || 'authorization' in ctx.headers || 'Signature' in ctx.query;
  if (!signed && !config.allowAnonymous) {
    throw s3Error('AccessDenied', 'Access Denied.', 403);
  }
  if (signedBy) request.accessKey = signedBy;
  if (config.uploadAccessKey && signedBy === config.uploadAccessKey && !putOnlyPolicyAllows(ctx)) {
    throw s3Error('AccessDenied', 'Access Denied.', 403);
  }
  queryMetadataToHeaders(ctx);
  await checkWriteConditions(ctx);
  // s3rver reads x-amz-copy-source with decodeURI, which leaves %2B, %2F, %3F, ... encoded, so a copy of any name
  // with such characters finds no source. Decode it here and hand s3rver a form that decodeURI maps back exactly.
  const copySource = ctx.headers['x-amz-copy-source'];
  if (typeof copySource === 'string') {
    const [rawSource] = copySource.split('?'); // "?versionId=..." is not part of the name
    let source;
    try { source = decodeURIComponent(rawSource); } catch { source = rawSource; }
    ctx.req.headers['x-amz-copy-source'] = source.replace(/%/g, '%25');
  }
  await requestContext.run(request, next);
  // s3rver writes ListBucketResult, ListAllMyBucketsResult, LocationConstraint and AccessControlPolicy with the
  // namespace "http://doc.s3.amazonaws.com/2006-03-01/"; S3 (and every SDK's XML model) uses
  // "http://s3.amazonaws.com/doc/2006-03-01/". The XML is a string by now: swap the attribute.
  if (typeof ctx.body === 'string' && ctx.body.includes(WRONG_NS)) {
    ctx.body = ctx.body.replace(WRONG_NS, S3_NS);
  }
}
server.middleware.unshift(lodeMiddleware);

// Listings with encoding-type=url (the Minio SDKs always ask for it and URL-decode the keys they get back): s3rver
// ignores the parameter and returns raw names, so a '+' in a name came back as a space. Encode the
// names the way S3 does. This runs between s3rver's XML encoder and its router, where the response is still an object.
async function encodeListing(ctx, next) {
  await next();
  const result = ctx.body?.ListBucketResult;
  if (!result || String(ctx.query['encoding-type']).toLowerCase() !== 'url') return;
  for (const field of ['Prefix', 'Delimiter', 'Marker', 'NextMarker', 'StartAfter']) {
    if (typeof result[field] === 'string') result[field] = s3UrlEncode(result[field]);
  }
  for (const item of result.Contents ?? []) item.Key = s3UrlEncode(item.Key);
  for (const item of result.CommonPrefixes ?? []) item.Prefix = s3UrlEncode(item.Prefix);
  result.EncodingType = 'url';
}
if (!server.middleware.at(-1)?.router) fail('unexpected s3rver middleware layout: is s3rver still 3.7.1?');
server.middleware.splice(server.middleware.length - 1, 0, encodeListing);

// s3rver's events: Put, Post (browser form upload and CompleteMultipartUpload), Copy, Delete.
server.on('event', s3event => {
  const record = s3event.Records?.[0];
  const request = requestContext.getStore();
  if (!record || !request) return;
  const bucket = record.s3.bucket.name;
  const key = record.s3.object.key;
  let eventName;
  switch (record.eventName) {
    case 'ObjectCreated:Put': eventName = 's3:ObjectCreated:Put'; break;
    case 'ObjectCreated:Copy': eventName = 's3:ObjectCreated:Copy'; break;
    case 'ObjectCreated:Post':
      eventName = request.completeMultipart ? 's3:ObjectCreated:CompleteMultipartUpload' : 's3:ObjectCreated:Post';
      break;
    case 'ObjectRemoved:Delete': eventName = 's3:ObjectRemoved:Delete'; break;
    default: return;
  }
  if (!config.webhookUrl) return;
  if (!eventName.startsWith('s3:ObjectCreated:')) {
    enqueue(minioEvent({ eventName, bucket, key, request }));
    return;
  }
  // The event's own metadata lacks the content type for multipart uploads and the etag for copies: read what the
  // store holds now, as MinIO reports the object it has just written. The queue keeps the order meanwhile.
  enqueue(server.store.getMetadata(bucket, key).catch(() => undefined).then(stored => {
    const m = stored ?? {};
    return minioEvent({
      eventName, bucket, key, request,
      size: Number(m['content-length'] ?? record.s3.object.size ?? 0),
      etag: m['etag'] ?? record.s3.object.eTag ?? '',
      contentType: m['content-type'] ?? '',
      metadata: m,
    });
  }));
});

// Multi-object delete (POST ?delete) fires no event in s3rver; MinIO sends ObjectRemoved:Delete for each object.
const storeDeleteObject = server.store.deleteObject.bind(server.store);
server.store.deleteObject = async (bucket, key) => {
  const result = await storeDeleteObject(bucket, key);
  const request = requestContext.getStore();
  if (request?.multiDelete) enqueue(minioEvent({ eventName: 's3:ObjectRemoved:Delete', bucket, key, request }));
  return result;
};

const { port } = await server.run();
listeningPort = port;
console.log(`S3 ready on http://${config.address}:${port} (started in ${Math.round(process.uptime() * 1000)} ms)`);
log(`data ${config.dataDir}; buckets ${config.buckets.join(',') || '(none)'}; access key ${config.accessKey}; ` +
  `upload key ${config.uploadAccessKey || '(none)'} (PutObject only); ` +
  `webhook ${config.webhookUrl || '(none)'}`);

let stopping = false;
async function stop(reason) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${reason})`);
  server.close().catch(() => undefined);
  // Give queued webhook deliveries a moment, then go.
  const deadline = Date.now() + 2000;
  while (queue.length > 0 && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
if (args['exit-on-stdin-close']) {
  process.stdin.on('end', () => void stop('stdin closed'));
  process.stdin.on('error', () => void stop('stdin error'));
  process.stdin.resume();
}
