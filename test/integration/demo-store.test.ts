/**
 * The embedded demo store, driven by real clients: boto3 (signature v4, path style) in a python3 subprocess, plain
 * fetch for the wire details, and the AWS documentation's published chunk-signed upload replayed byte for byte.
 * The sample data is checked against numpy, regenerated from the expressions the descriptions quote.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import aws4 from 'aws4';
import { decodeAwsChunked } from '../../src/demo/aws-chunked.js';
import { type DemoStore, startDemoStore } from '../../src/demo/demo-store.js';
import { S3Fault } from '../../src/demo/s3-fault.js';
import { sampleObjects, seedSampleData } from '../../src/demo/sample-data.js';
import { STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, signingKeyFor } from '../../src/demo/sigv4.js';

const ACCESS_KEY = 'minioadmin';
const SECRET_KEY = 'minioadmin';

/** Runs a python3 program without blocking the event loop (the store under test lives in this process). */
function runPython(program: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`python3 exited with ${code}:\n${Buffer.concat(err).toString('utf8')}`));
    });
  });
}

function objectName(object: { bucket: string; key: string }): string {
  return `${object.bucket}/${object.key}`;
}

function unshuffle(bytes: Buffer, elementSize: number): Buffer {
  const count = bytes.length / elementSize;
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < elementSize; b++) out[i * elementSize + b] = bytes[b * count + i] ?? 0;
  }
  return out;
}

function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

// Each expression is the one quoted in the object's description (API.md §13 for bucket `sample`).
const NUMPY_SAMPLES = `
import json, numpy as np
out = {}
for dt in ['int32', 'int64', 'uint32', 'uint64', 'float32', 'float64']:
    out['sample-data/data-%s.dat' % dt] = np.arange(10, dtype=np.dtype(dt).newbyteorder('<')).tobytes()
out['sample-data/data-float32-be.dat'] = np.arange(10, dtype='>f4').tobytes()
out['sample-data/grid-float64-3x4x5.dat'] = (np.arange(60, dtype='<f8').reshape(3, 4, 5) / 4).tobytes()
out['sample-data/matrix-int32-4x6-F.dat'] = np.arange(24, dtype='<i4').reshape(4, 6).tobytes(order='F')
a = (280 + 0.5 * np.arange(20)).astype('<f4').reshape(4, 5)
a[0, 3] = a[2, 1] = a[3, 4] = -9999.0
out['sample-data/temperature-float32-4x5-fill.dat'] = a.tobytes()
a = (1000 - 2.5 * np.arange(24)).astype('>f8').reshape(2, 3, 4)
a[0, 1, 2] = a[1, 2, 3] = 1e20
out['sample-data/pressure-float64-be-2x3x4-fill.dat'] = a.tobytes()
a = (np.arange(20, dtype='<i4') * 7 % 50).reshape(5, 4)
a[0, 2] = a[2, 1] = -1
a[3, 2] = 999
out['sample-data/counts-int32-5x4-valid-range.dat'] = a.tobytes()
a = np.arange(8, dtype='<i8') * 10**12
a[5] = -9223372036854775806
out['sample-data/ids-int64-8-fill.dat'] = a.tobytes()
a = (2**53 + 1 + 2 * np.arange(6)).astype('>u8')
a[2] = 18446744073709551614
out['sample-data/ids-uint64-be-6-fill.dat'] = a.tobytes()
a = (10 * (np.arange(12) + 1)).astype('<u4').reshape(3, 4)
a[0, 1] = a[1, 3] = 4294967295
a[2, 2] = 0
out['sample-data/levels-uint32-3x4-missing-values.dat'] = a.tobytes()
out['sample/demo/ints.bin'] = np.arange(10, dtype='<i4').tobytes()
out['sample/demo/i64.bin'] = np.arange(20, dtype='<i8').tobytes()
f32 = np.array([[0.5, 3.25, 9.0, 12.0], [-1.0, 20.0, 0.0, 100.0], [1.0, 8.5, 2.0, 9.5]], dtype='>f4')
out['sample/demo/f32be.bin'] = bytes(range(16)) + f32.tobytes() + bytes(8)
out['sample/demo/u32.bin'] = np.array([[0, 7, 3, 0], [5, 0, 4, 2], [9, 9, 0, 1]], dtype='<u4').tobytes()
out['sample/demo/small.bin'] = np.array([4, -2, 7, 1, 0], dtype='<i4').tobytes()
f64 = np.array([[[1.5, -999.0], [2.25, 4.0]], [[-999.0, 8.0], [0.125, -3.5]]], dtype='<f8')
out['decoded f64.z'] = f64.tobytes()
print(json.dumps({name: data.hex() for name, data in out.items()}))
`;

let numpySamples: Promise<Record<string, string>> | undefined;
function fromNumpy(): Promise<Record<string, string>> {
  numpySamples ??= runPython(NUMPY_SAMPLES).then((text) => JSON.parse(text) as Record<string, string>);
  return numpySamples;
}

describe('sample data', () => {
  test('every sample object equals the numpy array its description names', async () => {
    const expected = await fromNumpy();
    const objects = sampleObjects();
    const names = objects.map(objectName);
    assert.equal(new Set(names).size, names.length, 'object names are unique');
    const compared = names.filter((name) => name !== 'sample/demo/f64.z').sort();
    const generated = Object.keys(expected)
      .filter((name) => name !== 'decoded f64.z')
      .sort();
    assert.deepEqual(compared, generated, 'numpy covers every sample object except the stored zlib stream');
    for (const object of objects) {
      const hex = expected[objectName(object)];
      if (hex !== undefined) assert.equal(Buffer.from(object.bytes).toString('hex'), hex, objectName(object));
    }
  });

  test('demo/f64.z is the 32 bytes of API.md §13 D and decodes to its array', async () => {
    const expected = await fromNumpy();
    const stored = sampleObjects().find((o) => objectName(o) === 'sample/demo/f64.z');
    assert.ok(stored !== undefined);
    const bytes = Buffer.from(stored.bytes);
    assert.equal(bytes.length, 32);
    assert.equal(bytes.toString('hex'), '789c63602012588011c38f7e26817e85033cf6071c1c0e38d81f0000416b0703');
    assert.equal(unshuffle(inflateSync(bytes), 8).toString('hex'), expected['decoded f64.z']);
  });

  test('bucket sample is public and holds exactly the §13 objects; sample-data is private', () => {
    const objects = sampleObjects();
    const inSample = objects.filter((o) => o.bucket === 'sample');
    assert.deepEqual(inSample.map((o) => o.key).sort(), [
      'demo/f32be.bin',
      'demo/f64.z',
      'demo/i64.bin',
      'demo/ints.bin',
      'demo/small.bin',
      'demo/u32.bin',
    ]);
    assert.ok(inSample.every((o) => o.public));
    const inSampleData = objects.filter((o) => o.bucket === 'sample-data');
    assert.equal(inSampleData.length + inSample.length, objects.length, 'no third bucket');
    assert.ok(inSampleData.every((o) => !o.public));
    for (const dtype of ['int32', 'int64', 'uint32', 'uint64', 'float32', 'float64']) {
      assert.ok(
        inSampleData.some((o) => o.key === `data-${dtype}.dat`),
        `data-${dtype}.dat`,
      );
    }
    assert.ok(
      objects.every((o) => o.description.length > 20),
      'every object is described',
    );
  });
});

// Keys that need escaping in a URL and in a signature: spaces, brackets, commas, '=', '+', '&', '%', '?', '#',
// non-ASCII letters, a character outside the BMP (which sorts differently in UTF-8 and UTF-16) and a key near S3's
// 1024-byte limit.
const AWKWARD_KEYS = [
  'with space/a b.bin',
  'brackets[0]/x[1].bin',
  'comma,separated=eq.bin',
  'non-ascii/température µ 日本.bin',
  'plus+(paren)&amp.bin',
  'percent%20literal.bin',
  'query?hash#.bin',
  'astral/\u{1F642}.bin',
  'astral/\uFF5E.bin',
  `long/${'x'.repeat(900)}.bin`,
];

const MULTIPART_BYTES = 11 * 1024 * 1024 + 777;

/** The bytes boto3 uploads in the multipart case: 0, 1, …, 255, 0, 1, … */
function multipartPayload(): Buffer {
  const bytes = Buffer.alloc(MULTIPART_BYTES);
  for (let i = 0; i < bytes.length; i++) bytes[i] = i % 256;
  return bytes;
}

const BOTO3_SESSION = `
import hashlib, io, json, sys
import boto3, botocore
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config

endpoint, access_key, secret_key = sys.argv[1], sys.argv[2], sys.argv[3]
keys = json.loads(sys.argv[4])
multipart_bytes = int(sys.argv[5])
base = Config(signature_version='s3v4', s3={'addressing_style': 'path'}, retries={'max_attempts': 1, 'mode': 'standard'})

def client(ak, sk, signature_version='s3v4'):
    return boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=ak, aws_secret_access_key=sk,
                        region_name='us-east-1', config=base.merge(Config(signature_version=signature_version)))

def failure(call):
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return {'code': error.response['Error'].get('Code'), 'message': error.response['Error'].get('Message'),
                'status': error.response['ResponseMetadata']['HTTPStatusCode']}
    return None

s3 = client(access_key, secret_key)
anonymous = client('unused', 'unused', UNSIGNED)
out = {}
s3.create_bucket(Bucket='uploads')
out['create_again'] = failure(lambda: s3.create_bucket(Bucket='uploads'))

out['keys'] = {}
for key in keys:
    body = (key * 3).encode('utf-8')
    put = s3.put_object(Bucket='uploads', Key=key, Body=body)
    whole = s3.get_object(Bucket='uploads', Key=key)
    part = s3.get_object(Bucket='uploads', Key=key, Range='bytes=2-5')
    head = s3.head_object(Bucket='uploads', Key=key)
    out['keys'][key] = {
        'put_etag': put['ETag'],
        'whole': whole['Body'].read().hex(),
        'whole_status': whole['ResponseMetadata']['HTTPStatusCode'],
        'part': part['Body'].read().hex(),
        'part_status': part['ResponseMetadata']['HTTPStatusCode'],
        'content_range': part['ContentRange'],
        'head_length': head['ContentLength'],
        'head_etag': head['ETag'],
    }

out['list'] = [o['Key'] for o in s3.list_objects_v2(Bucket='uploads')['Contents']]
out['list_v1'] = [o['Key'] for o in s3.list_objects(Bucket='uploads')['Contents']]
out['list_prefix'] = [o['Key'] for o in s3.list_objects_v2(Bucket='uploads', Prefix='with space/')['Contents']]
delimited = s3.list_objects_v2(Bucket='uploads', Delimiter='/')
out['list_delimited'] = {'keys': [o['Key'] for o in delimited.get('Contents', [])],
                         'prefixes': [p['Prefix'] for p in delimited.get('CommonPrefixes', [])]}
pages = list(s3.get_paginator('list_objects_v2').paginate(Bucket='uploads', PaginationConfig={'PageSize': 2}))
out['list_paged'] = {'pages': len(pages), 'keys': [o['Key'] for page in pages for o in page.get('Contents', [])]}
out['buckets'] = [b['Name'] for b in s3.list_buckets()['Buckets']]

out['wrong_secret'] = failure(lambda: client(access_key, secret_key + 'x').get_object(Bucket='sample-data', Key='data-int32.dat'))
out['unknown_key_id'] = failure(lambda: client('nobody', secret_key).get_object(Bucket='sample-data', Key='data-int32.dat'))
out['wrong_secret_put'] = failure(lambda: client(access_key, 'wrong').put_object(Bucket='uploads', Key='x', Body=b'x'))
out['anonymous_public'] = anonymous.get_object(Bucket='sample', Key='demo/ints.bin')['Body'].read().hex()
out['anonymous_public_list'] = [o['Key'] for o in anonymous.list_objects_v2(Bucket='sample')['Contents']]
out['anonymous_private'] = failure(lambda: anonymous.get_object(Bucket='sample-data', Key='data-int32.dat'))
out['anonymous_private_list'] = failure(lambda: anonymous.list_objects_v2(Bucket='sample-data'))
out['anonymous_put'] = failure(lambda: anonymous.put_object(Bucket='sample', Key='new.bin', Body=b'x'))
out['private_signed'] = s3.get_object(Bucket='sample-data', Key='data-float32.dat')['Body'].read().hex()
out['missing_key'] = failure(lambda: s3.get_object(Bucket='sample-data', Key='no-such.dat'))
out['missing_key_head'] = failure(lambda: s3.head_object(Bucket='sample-data', Key='no-such.dat'))
out['missing_bucket'] = failure(lambda: s3.get_object(Bucket='no-such-bucket', Key='x.bin'))
out['range_past_end'] = failure(lambda: s3.get_object(Bucket='sample', Key='demo/ints.bin', Range='bytes=40-50'))
suffix = s3.get_object(Bucket='sample', Key='demo/ints.bin', Range='bytes=-4')
out['suffix_range'] = {'body': suffix['Body'].read().hex(), 'content_range': suffix['ContentRange']}
clamped = s3.get_object(Bucket='sample', Key='demo/ints.bin', Range='bytes=36-100')
out['clamped_range'] = {'body': clamped['Body'].read().hex(), 'content_range': clamped['ContentRange']}

s3.put_object(Bucket='uploads', Key='meta.bin', Body=b'x', ContentType='application/x-netcdf', Metadata={'origin': 'test'})
head = s3.head_object(Bucket='uploads', Key='meta.bin')
out['metadata'] = {'content_type': head['ContentType'], 'metadata': head['Metadata']}
s3.delete_object(Bucket='uploads', Key='meta.bin')
out['deleted'] = failure(lambda: s3.get_object(Bucket='uploads', Key='meta.bin'))
out['delete_non_empty'] = failure(lambda: s3.delete_bucket(Bucket='uploads'))

payload = bytes(range(256)) * (multipart_bytes // 256) + bytes(range(multipart_bytes % 256))
chunk = 5 * 1024 * 1024
s3.upload_fileobj(io.BytesIO(payload), 'uploads', 'multi part/data.bin',
                  Config=TransferConfig(multipart_threshold=chunk, multipart_chunksize=chunk, use_threads=False))
got = s3.get_object(Bucket='uploads', Key='multi part/data.bin')
out['multipart'] = {'sha256': hashlib.sha256(got['Body'].read()).hexdigest(), 'etag': got['ETag']}

out['presigned'] = s3.generate_presigned_url('get_object', Params={'Bucket': 'sample-data', 'Key': 'data-float64.dat'},
                                             ExpiresIn=300)
print(json.dumps(out))
`;

interface Failure {
  code: string;
  message: string;
  status: number;
}

function assertFailure(actual: unknown, code: string, status: number, message?: string): void {
  const failure = actual as Failure | null;
  assert.ok(failure !== null, `expected ${code}, the call succeeded`);
  assert.equal(failure.code, code);
  assert.equal(failure.status, status);
  if (message !== undefined) assert.equal(failure.message, message);
}

describe('demo store', () => {
  let store: DemoStore;

  before(async () => {
    store = await startDemoStore({
      host: '127.0.0.1',
      port: 0,
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
    });
    seedSampleData(store);
  });
  after(() => store.close());

  test('boto3 (SigV4, path style) round-trips, ranges, lists and is refused exactly as S3 refuses', async () => {
    const output = await runPython(BOTO3_SESSION, [
      store.url,
      ACCESS_KEY,
      SECRET_KEY,
      JSON.stringify(AWKWARD_KEYS),
      String(MULTIPART_BYTES),
    ]);
    const out = JSON.parse(output) as Record<string, unknown>;
    const sample = (bucket: string, key: string): Buffer => {
      const found = sampleObjects().find((o) => o.bucket === bucket && o.key === key);
      assert.ok(found !== undefined, `${bucket}/${key}`);
      return Buffer.from(found.bytes);
    };

    assertFailure(out.create_again, 'BucketAlreadyOwnedByYou', 409);

    const perKey = out.keys as Record<string, Record<string, unknown>>;
    for (const key of AWKWARD_KEYS) {
      const body = Buffer.from(key.repeat(3), 'utf8');
      const md5 = `"${createHash('md5').update(body).digest('hex')}"`;
      const seen = perKey[key];
      assert.ok(seen !== undefined, key);
      assert.equal(seen.whole, body.toString('hex'), `${key}: whole object`);
      assert.equal(seen.whole_status, 200);
      assert.equal(seen.part, body.subarray(2, 6).toString('hex'), `${key}: bytes 2-5`);
      assert.equal(seen.part_status, 206);
      assert.equal(seen.content_range, `bytes 2-5/${body.length}`);
      assert.equal(seen.head_length, body.length);
      assert.equal(seen.put_etag, md5);
      assert.equal(seen.head_etag, md5);
      assert.deepEqual(
        store.getObject('uploads', key),
        Uint8Array.from(body),
        `${key}: stored under its exact name`,
      );
    }

    const allKeys = [...AWKWARD_KEYS].sort(compareUtf8);
    assert.deepEqual(out.list, allKeys, 'ListObjectsV2 in UTF-8 byte order');
    assert.deepEqual(out.list_v1, allKeys, 'ListObjects');
    assert.deepEqual(out.list_prefix, ['with space/a b.bin']);
    assert.deepEqual(out.list_delimited, {
      keys: allKeys.filter((key) => !key.includes('/')),
      prefixes: ['astral/', 'brackets[0]/', 'long/', 'non-ascii/', 'with space/'],
    });
    const paged = out.list_paged as { pages: number; keys: string[] };
    assert.deepEqual(paged.keys, allKeys, 'pages of two join up to the full listing');
    assert.equal(paged.pages, Math.ceil(allKeys.length / 2));
    assert.deepEqual(out.buckets, ['sample', 'sample-data', 'uploads']);

    assertFailure(out.wrong_secret, 'SignatureDoesNotMatch', 403);
    assertFailure(out.wrong_secret_put, 'SignatureDoesNotMatch', 403);
    assertFailure(out.unknown_key_id, 'InvalidAccessKeyId', 403);
    assert.equal(out.anonymous_public, sample('sample', 'demo/ints.bin').toString('hex'));
    assert.deepEqual(
      out.anonymous_public_list,
      sampleObjects()
        .filter((o) => o.bucket === 'sample')
        .map((o) => o.key)
        .sort(),
    );
    assertFailure(out.anonymous_private, 'AccessDenied', 403, 'Access Denied.');
    assertFailure(out.anonymous_private_list, 'AccessDenied', 403, 'Access Denied.');
    assertFailure(out.anonymous_put, 'AccessDenied', 403, 'Access Denied.');
    assert.equal(store.getObject('sample', 'new.bin'), undefined, 'the refused anonymous PUT stored nothing');
    assert.equal(out.private_signed, sample('sample-data', 'data-float32.dat').toString('hex'));
    assertFailure(out.missing_key, 'NoSuchKey', 404, 'The specified key does not exist.');
    assertFailure(out.missing_key_head, '404', 404);
    assertFailure(out.missing_bucket, 'NoSuchBucket', 404);
    assertFailure(out.range_past_end, 'InvalidRange', 416);
    const ints = sample('sample', 'demo/ints.bin');
    assert.deepEqual(out.suffix_range, {
      body: ints.subarray(36).toString('hex'),
      content_range: 'bytes 36-39/40',
    });
    assert.deepEqual(out.clamped_range, {
      body: ints.subarray(36).toString('hex'),
      content_range: 'bytes 36-39/40',
    });

    assert.deepEqual(out.metadata, { content_type: 'application/x-netcdf', metadata: { origin: 'test' } });
    assertFailure(out.deleted, 'NoSuchKey', 404);
    assertFailure(out.delete_non_empty, 'BucketNotEmpty', 409);

    const payload = multipartPayload();
    const multipart = out.multipart as { sha256: string; etag: string };
    assert.equal(multipart.sha256, createHash('sha256').update(payload).digest('hex'));
    assert.match(multipart.etag, /^"[0-9a-f]{32}-3"$/, 'an 11 MiB upload in 5 MiB parts has three parts');

    const presigned = out.presigned as string;
    const fetched = await fetch(presigned);
    assert.equal(fetched.status, 200);
    assert.deepEqual(Buffer.from(await fetched.arrayBuffer()), sample('sample-data', 'data-float64.dat'));
    const tampered = presigned.replace(
      /X-Amz-Signature=([0-9a-f])/,
      (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`,
    );
    const refused = await fetch(tampered);
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  test('anonymous reads on the wire: S3 XML errors, 206 and 416 with Content-Range, HEAD without a body', async () => {
    const denied = await fetch(`${store.url}/sample-data/data-int32.dat`);
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get('content-type') ?? '', /application\/xml/);
    const deniedXml = await denied.text();
    assert.match(deniedXml, /<Error><Code>AccessDenied<\/Code><Message>Access Denied\.<\/Message>/);
    assert.match(deniedXml, /<Resource>\/sample-data\/data-int32\.dat<\/Resource>/);

    const part = await fetch(`${store.url}/sample/demo/f32be.bin`, { headers: { range: 'bytes=16-63' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 16-63/72');
    assert.equal(part.headers.get('content-length'), '48');
    assert.equal(part.headers.get('accept-ranges'), 'bytes');

    const unsatisfiable = await fetch(`${store.url}/sample/demo/ints.bin`, {
      headers: { range: 'bytes=40-' },
    });
    assert.equal(unsatisfiable.status, 416);
    assert.equal(unsatisfiable.headers.get('content-range'), 'bytes */40');
    assert.match(await unsatisfiable.text(), /<Code>InvalidRange<\/Code>/);

    const multiRange = await fetch(`${store.url}/sample/demo/ints.bin`, {
      headers: { range: 'bytes=0-1,4-5' },
    });
    assert.equal(multiRange.status, 200, 'several ranges are ignored, as S3 ignores them');
    assert.equal((await multiRange.arrayBuffer()).byteLength, 40);

    const head = await fetch(`${store.url}/sample/demo/f32be.bin`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '72');
    assert.equal((await head.arrayBuffer()).byteLength, 0);

    const listAll = await fetch(`${store.url}/`);
    assert.equal(listAll.status, 403, 'listing buckets needs keys');

    const sigV2 = await fetch(`${store.url}/sample-data/data-int32.dat`, {
      headers: { authorization: `AWS ${ACCESS_KEY}:c2lnbmF0dXJl` },
    });
    assert.equal(sigV2.status, 400);
    assert.match(await sigV2.text(), /Please use AWS4-HMAC-SHA256/);
  });

  test('a signed body that does not match its x-amz-content-sha256 is refused and not stored', async () => {
    const url = new URL(store.url);
    const signed = aws4.sign(
      {
        host: url.host,
        method: 'PUT',
        path: '/sample-data/tampered.bin',
        service: 's3',
        region: 'us-east-1',
        body: 'the signed body',
      },
      { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    );
    const headers = Object.fromEntries(Object.entries(signed.headers ?? {}).map(([k, v]) => [k, String(v)]));
    const response = await fetch(`${store.url}/sample-data/tampered.bin`, {
      method: 'PUT',
      headers: { ...headers, 'content-length': '15' },
      body: 'the other body!',
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    assert.equal(store.getObject('sample-data', 'tampered.bin'), undefined);
  });

  test('a busy port rejects with EADDRINUSE', async () => {
    await assert.rejects(
      startDemoStore({ host: '127.0.0.1', port: store.port, accessKey: ACCESS_KEY, secretKey: SECRET_KEY }),
      (error: unknown) => (error as { code?: string }).code === 'EADDRINUSE',
    );
  });
});

// "Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks" (AWS S3 API
// reference): 66560 bytes of 'a' in chunks of 65536, 1024 and 0 bytes, with the published signatures.
const DOC = {
  accessKey: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  datetime: '20130524T000000Z',
  scope: '20130524/us-east-1/s3/aws4_request',
  seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  chunks: [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ],
};
const DOC_DATA = Buffer.alloc(66_560, 'a');

function docBody(signatures: readonly string[], trailer = '\r\n'): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    DOC_DATA.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    DOC_DATA.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${trailer}`),
  ]);
}

function sendRaw(
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('chunk-signed uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  let store: DemoStore;
  const docHeaders = {
    host: 's3.amazonaws.com',
    'x-amz-date': DOC.datetime,
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    authorization:
      `AWS4-HMAC-SHA256 Credential=${DOC.accessKey}/${DOC.scope},` +
      'SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;' +
      `x-amz-decoded-content-length;x-amz-storage-class,Signature=${DOC.seed}`,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  };

  before(async () => {
    store = await startDemoStore({
      host: '127.0.0.1',
      port: 0,
      accessKey: DOC.accessKey,
      secretKey: DOC.secretKey,
      now: () => Date.UTC(2013, 4, 24, 0, 0, 30),
    });
    store.createBucket('examplebucket');
  });
  after(() => store.close());

  test('the AWS documentation example is accepted over HTTP and stores the 66560 decoded bytes', async () => {
    const body = docBody(DOC.chunks);
    assert.equal(body.length, 66_824, 'the documented Content-Length');
    const response = await sendRaw(store.port, '/examplebucket/chunkObject.txt', docHeaders, body);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(store.getObject('examplebucket', 'chunkObject.txt'), Uint8Array.from(DOC_DATA));
  });

  test('a changed chunk signature or a changed byte is refused and nothing is stored', async () => {
    for (let i = 0; i < 3; i++) {
      const signatures = [...DOC.chunks];
      signatures[i] = `${signatures[i]?.slice(0, 63)}${signatures[i]?.endsWith('0') ? '1' : '0'}`;
      const response = await sendRaw(
        store.port,
        '/examplebucket/changed.txt',
        docHeaders,
        docBody(signatures),
      );
      assert.equal(response.status, 403, `chunk ${i}`);
      assert.match(response.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    }
    const changedByte = docBody(DOC.chunks);
    changedByte[1000] = 0x62;
    const response = await sendRaw(store.port, '/examplebucket/changed.txt', docHeaders, changedByte);
    assert.equal(response.status, 403);
    assert.equal(store.getObject('examplebucket', 'changed.txt'), undefined);
  });

  test('a body shorter or longer than x-amz-decoded-content-length, or cut short, is IncompleteBody', () => {
    const signing = {
      signingKey: signingKeyFor(DOC.secretKey, '20130524', 'us-east-1'),
      datetime: DOC.datetime,
      scope: DOC.scope,
      seedSignature: DOC.seed,
    };
    const upload = { payloadHash: STREAMING_SIGNED, signing, decodedLength: DOC_DATA.length };
    assert.deepEqual(decodeAwsChunked(docBody(DOC.chunks), upload), DOC_DATA);
    const incomplete = (error: unknown) => error instanceof S3Fault && error.code === 'IncompleteBody';
    for (const decodedLength of [DOC_DATA.length - 1, DOC_DATA.length + 1]) {
      assert.throws(() => decodeAwsChunked(docBody(DOC.chunks), { ...upload, decodedLength }), incomplete);
    }
    assert.throws(() => decodeAwsChunked(docBody(DOC.chunks).subarray(0, 60_000), upload), incomplete);
  });

  test('the documented signed-trailer example verifies chunk by chunk and its trailer signature', () => {
    // "Signature calculations for trailing headers": same data, seed taken as published.
    const signing = {
      signingKey: signingKeyFor(DOC.secretKey, '20130524', 'us-east-1'),
      datetime: DOC.datetime,
      scope: DOC.scope,
      seedSignature: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
    };
    const signatures = [
      'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
      '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
      '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
    ];
    const trailer =
      'x-amz-checksum-crc32c:sOO8/Q==\r\n' +
      'x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n\r\n';
    const upload = { payloadHash: STREAMING_SIGNED_TRAILER, signing, decodedLength: DOC_DATA.length };
    assert.deepEqual(decodeAwsChunked(docBody(signatures, trailer), upload), DOC_DATA);
    assert.throws(
      () => decodeAwsChunked(docBody(signatures, trailer.replace('sOO8/Q==', 'sOO8/A==')), upload),
      (error: unknown) => error instanceof S3Fault && error.code === 'SignatureDoesNotMatch',
    );
  });
});
