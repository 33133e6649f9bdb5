#!/usr/bin/env node
// Uploads files into a bucket through the S3 API (SigV4-signed PUTs, path-style), so the server fires its events.
// No dependencies beyond Node 20.
// Usage: node upload.mjs --endpoint http://127.0.0.1:9000 --bucket documents [--prefix dir/]
//        [--access-key KEY --secret-key SECRET] [--create-bucket] FILE...
// Each file is stored under <prefix><file name>. Credentials default to LODE_S3_ACCESS_KEY/LODE_S3_SECRET_KEY.
import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' },
    bucket: { type: 'string' },
    prefix: { type: 'string', default: '' },
    'access-key': { type: 'string' },
    'secret-key': { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    'create-bucket': { type: 'boolean' },
  },
});
const endpoint = args.endpoint ?? `http://127.0.0.1:${process.env.LODE_S3_PORT ?? 9000}`;
const accessKey = args['access-key'] ?? process.env.LODE_S3_ACCESS_KEY ?? 'minioadmin';
const secretKey = args['secret-key'] ?? process.env.LODE_S3_SECRET_KEY ?? 'minioadmin';
if (!args.bucket) {
  console.error('usage: node upload.mjs --endpoint URL --bucket NAME [--prefix P] [--create-bucket] FILE...');
  process.exit(2);
}

const CONTENT_TYPES = {
  '.pdf': 'application/pdf', '.md': 'text/markdown', '.markdown': 'text/markdown', '.txt': 'text/plain',
  '.html': 'text/html', '.htm': 'text/html', '.json': 'application/json', '.csv': 'text/csv',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and '/' in paths) as %XX of UTF-8.
function uriEncode(s, keepSlash) {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const sha256 = data => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();

async function signedRequest(method, path, body, extraHeaders = {}) {
  const url = new URL(endpoint);
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  const date = amzDate.slice(0, 8);
  const payloadHash = sha256(body ?? '');
  const headers = { host: url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate, ...extraHeaders };
  const names = Object.keys(headers).map(h => h.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonicalPath = uriEncode(path, true);
  const canonicalRequest = [method, canonicalPath, '', names.map(n => `${n}:${lower[n]}\n`).join(''), names.join(';'),
    payloadHash].join('\n');
  const scope = `${date}/${args.region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac('AWS4' + secretKey, date);
  for (const part of [args.region, 's3', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  const { host, ...sent } = headers; // fetch sets Host itself, to the same value
  void host;
  sent.Authorization = `AWS4-HMAC-SHA256 Credential=${accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  const res = await fetch(new URL(canonicalPath, url), { method, headers: sent, body });
  const text = await res.text();
  return { status: res.status, text };
}

if (args['create-bucket']) {
  const { status, text } = await signedRequest('PUT', `/${args.bucket}`);
  if (status !== 200 && !text.includes('BucketAlreadyOwnedByYou') && !text.includes('BucketAlreadyExists')) {
    console.error(`create bucket ${args.bucket}: HTTP ${status} ${text}`);
    process.exit(1);
  }
}

let failed = 0;
for (const file of files) {
  const body = await readFile(file);
  const key = args.prefix + basename(file);
  const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const { status, text } = await signedRequest('PUT', `/${args.bucket}/${key}`, body, { 'content-type': contentType });
  if (status === 200) {
    console.log(`uploaded ${args.bucket}/${key} (${body.length} bytes)`);
  } else {
    console.error(`upload ${args.bucket}/${key}: HTTP ${status} ${text}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
