/**
 * Every upstream failure class of API.md §9, against moto (real S3 error documents, SigV4 checking on) and the
 * range server (statuses, faults, stalls). Each case checks the code, the message and the causes clients read.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ActiveStorageError, type ErrorCode } from '../../src/errors.js';
import type { ByteRange, Credentials, Location } from '../../src/request/chunk-request.js';
import type { ByteSource } from '../../src/storage/byte-source.js';
import { createHttpSource } from '../../src/storage/http.js';
import { createS3Source } from '../../src/storage/s3.js';
import { type RangeServer, startRangeServer } from '../support/range-server.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';

const WHOLE: ByteRange = { offset: 0, hasOffset: false, size: undefined };
const OBJECT = Buffer.from('0123456789abcdefghij'); // 20 bytes

function at(offset: number | undefined, size?: number): ByteRange {
  return { offset: offset ?? 0, hasOffset: offset !== undefined, size };
}

interface Read {
  location: Location;
  range?: ByteRange;
  credentials?: Credentials;
  signal?: AbortSignal;
}

function read(source: ByteSource, r: Read): Promise<Uint8Array> {
  return source.read({
    location: r.location,
    range: r.range ?? WHOLE,
    credentials: r.credentials,
    signal: r.signal ?? new AbortController().signal,
  });
}

/** Asserts the read fails with `code`, the message, and causes matching each pattern in turn. */
async function rejects(
  promise: Promise<unknown>,
  code: ErrorCode,
  message: string | RegExp,
  causes: (string | RegExp)[] = [],
): Promise<ActiveStorageError> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, the read succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ActiveStorageError, `not an ActiveStorageError: ${String(err)}`);
  assert.equal(err.code, code, `${err.code}: ${err.message} ${JSON.stringify(err.causedBy)}`);
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  assert.ok(err.causedBy.length >= causes.length, JSON.stringify(err.causedBy));
  causes.forEach((cause, i) => {
    const actual = err.causedBy[i] ?? '';
    if (typeof cause === 'string') assert.equal(actual, cause);
    else assert.match(actual, cause);
  });
  return err;
}

const S3_MESSAGE = 'error retrieving object from S3 storage';
const HTTP_MESSAGE = 'error retrieving object from HTTP storage';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('S3 source against moto', () => {
  let s3: S3Server;
  let source: ByteSource;
  let admin: Credentials;
  const at3 = (bucket: string, key: string): Location => ({ kind: 's3', endpoint: s3.endpoint, bucket, key });

  before(async () => {
    s3 = await startS3Server();
    admin = { username: s3.accessKey, password: s3.secretKey };
    source = createS3Source();
    await s3.makeBucket('private');
    await s3.makeBucket('public', { public: true });
    await s3.put('private', 'obj', OBJECT);
    await s3.put('public', 'obj', OBJECT);
    await s3.put('private', 'frozen', OBJECT, { 'x-amz-storage-class': 'GLACIER' });
  });
  after(async () => {
    await source?.close();
    await s3?.stop();
  });

  test('NoSuchKey → UPSTREAM_NOT_FOUND with the store’s Code and Message', async () => {
    await rejects(
      read(source, { location: at3('private', 'missing'), credentials: admin }),
      'UPSTREAM_NOT_FOUND',
      S3_MESSAGE,
      ['S3 error NoSuchKey', 'The specified key does not exist.'],
    );
  });

  test('NoSuchBucket → UPSTREAM_NOT_FOUND', async () => {
    await rejects(
      read(source, { location: at3('no-such-bucket', 'obj'), credentials: admin }),
      'UPSTREAM_NOT_FOUND',
      S3_MESSAGE,
      ['S3 error NoSuchBucket', /bucket does not exist/],
    );
  });

  test('InvalidObjectState (archived object) → UPSTREAM_NOT_FOUND', async () => {
    await rejects(
      read(source, { location: at3('private', 'frozen'), credentials: admin }),
      'UPSTREAM_NOT_FOUND',
      S3_MESSAGE,
      ['S3 error InvalidObjectState'],
    );
  });

  test('offset at the end of the object → InvalidRange → UPSTREAM_BAD_REQUEST', async () => {
    await rejects(
      read(source, { location: at3('private', 'obj'), range: at(20), credentials: admin }),
      'UPSTREAM_BAD_REQUEST',
      S3_MESSAGE,
      ['S3 error InvalidRange', 'The requested range is not satisfiable'],
    );
  });

  test('a size reaching past the end is a short read → UPSTREAM_BAD_REQUEST, never data', async () => {
    await rejects(
      read(source, { location: at3('private', 'obj'), range: at(15, 10), credentials: admin }),
      'UPSTREAM_BAD_REQUEST',
      S3_MESSAGE,
      [/short read: asked for 10 bytes at offset 15, the object has 5 bytes there/],
    );
  });

  test('an identity without permission → AccessDenied → UPSTREAM_UNAUTHORIZED', async () => {
    const denied = { username: s3.denied.accessKey, password: s3.denied.secretKey };
    await rejects(
      read(source, { location: at3('private', 'obj'), credentials: denied }),
      'UPSTREAM_UNAUTHORIZED',
      S3_MESSAGE,
      ['S3 error AccessDenied', 'Access Denied'],
    );
  });

  test('a wrong secret → SignatureDoesNotMatch → UPSTREAM_UNAUTHORIZED, the secret in no message', async () => {
    const secret = 'not-the-secret-but-still-private-42';
    const err = await rejects(
      read(source, {
        location: at3('private', 'obj'),
        credentials: { username: s3.accessKey, password: secret },
      }),
      'UPSTREAM_UNAUTHORIZED',
      S3_MESSAGE,
      ['S3 error SignatureDoesNotMatch', /signature we calculated does not match/],
    );
    assert.ok(!JSON.stringify({ m: err.message, c: err.causedBy }).includes(secret));
  });

  test('an unknown access key → InvalidAccessKeyId → UPSTREAM_UNAUTHORIZED', async () => {
    await rejects(
      read(source, {
        location: at3('private', 'obj'),
        credentials: { username: 'AKIANOSUCHKEY0000000', password: 'x' },
      }),
      'UPSTREAM_UNAUTHORIZED',
      S3_MESSAGE,
      ['S3 error InvalidAccessKeyId'],
    );
  });

  test('anonymous GET of a private object (bare 403) → UPSTREAM_UNAUTHORIZED', async () => {
    await rejects(read(source, { location: at3('private', 'obj') }), 'UPSTREAM_UNAUTHORIZED', S3_MESSAGE, [
      'S3 answered HTTP 403 with no error code',
    ]);
  });

  test('anonymous GET in a private bucket (AccessDenied document) → UPSTREAM_UNAUTHORIZED', async () => {
    await rejects(
      read(source, { location: at3('private', 'missing') }),
      'UPSTREAM_UNAUTHORIZED',
      S3_MESSAGE,
      ['S3 error AccessDenied'],
    );
  });

  test('anonymous GET of a public-read object succeeds; a missing one is NoSuchKey', async () => {
    assert.deepEqual(
      Buffer.from(await read(source, { location: at3('public', 'obj'), range: at(2, 3) })),
      OBJECT.subarray(2, 5),
    );
    await rejects(read(source, { location: at3('public', 'missing') }), 'UPSTREAM_NOT_FOUND', S3_MESSAGE, [
      'S3 error NoSuchKey',
    ]);
  });

  test('a range larger than maxBytes → TOO_LARGE before any request; a whole object too', async () => {
    const small = createS3Source({ maxBytes: 8 });
    try {
      await rejects(
        read(small, { location: at3('private', 'obj'), range: at(0, 9), credentials: admin }),
        'TOO_LARGE',
        /too large/,
        [/9 bytes requested, the server fetches at most 8 bytes/],
      );
      await rejects(
        read(small, { location: at3('private', 'obj'), credentials: admin }),
        'TOO_LARGE',
        /too large/,
        [/20 bytes requested/],
      );
      assert.deepEqual(
        Buffer.from(
          await read(small, { location: at3('private', 'obj'), range: at(4, 8), credentials: admin }),
        ),
        OBJECT.subarray(4, 12),
      );
    } finally {
      await small.close();
    }
  });
});

describe('S3 source against faulty upstreams', () => {
  let upstream: RangeServer;
  let source: ByteSource;
  const at3 = (endpoint: string, key = 'obj'): Location => ({ kind: 's3', endpoint, bucket: 'bucket', key });

  before(async () => {
    upstream = await startRangeServer();
    upstream.put('bucket/obj', OBJECT);
    source = createS3Source({ timeoutMs: 2000, region: 'eu-west-2' });
  });
  after(async () => {
    await source.close();
    await upstream.stop();
  });

  test('signs with SigV4 for the configured region when credentials are given, sends nothing when not', async () => {
    upstream.requests.length = 0;
    await read(source, {
      location: at3(`${upstream.origin}/obj`),
      credentials: { username: 'AKIDEXAMPLE', password: 's' },
    });
    await read(source, { location: at3(`${upstream.origin}/obj`), range: at(2, 3) });
    const [signed, anonymous] = upstream.requests;
    assert.match(
      String(signed?.headers.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/s3\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(signed?.url, '/obj/bucket/obj');
    assert.equal(signed?.headers.range, undefined);
    assert.equal(anonymous?.headers.authorization, undefined);
    assert.equal(anonymous?.headers.range, 'bytes=2-4');
    assert.equal(anonymous?.headers['x-amz-date'], undefined);
  });

  test('an access key id that cannot go in a header → UPSTREAM_UNAUTHORIZED, nothing sent', async () => {
    upstream.requests.length = 0;
    await rejects(
      read(source, {
        location: at3(`${upstream.origin}/obj`),
        credentials: { username: 'AK\nIA', password: 's' },
      }),
      'UPSTREAM_UNAUTHORIZED',
      S3_MESSAGE,
      [/cannot be sent in an HTTP header/],
    );
    assert.equal(upstream.requests.length, 0);
  });

  test('other S3 error codes → UPSTREAM_ERROR with Code and Message verbatim', async () => {
    await rejects(
      read(source, { location: at3(`${upstream.origin}/s3-error/500/InternalError`) }),
      'UPSTREAM_ERROR',
      S3_MESSAGE,
      ['S3 error InternalError', 'We encountered an internal error. Please try again.'],
    );
    await rejects(
      read(source, { location: at3(`${upstream.origin}/s3-error/503/SlowDown`) }),
      'UPSTREAM_ERROR',
      S3_MESSAGE,
      ['S3 error SlowDown', 'Please reduce your request rate.'],
    );
  });

  test('the Code decides over the status: a 403 InvalidObjectState is not found, not unauthorized', async () => {
    await rejects(
      read(source, { location: at3(`${upstream.origin}/s3-error/403/InvalidObjectState`) }),
      'UPSTREAM_NOT_FOUND',
      S3_MESSAGE,
      ['S3 error InvalidObjectState'],
    );
  });

  test('a 5xx with no error document (a proxy in front) → UPSTREAM_UNAVAILABLE', async () => {
    await rejects(
      read(source, { location: at3(`${upstream.origin}/status/502`) }),
      'UPSTREAM_UNAVAILABLE',
      S3_MESSAGE,
      ['S3 answered HTTP 502 with no error code'],
    );
  });

  test('connection refused → UPSTREAM_UNAVAILABLE', async () => {
    const port = await closedPort();
    await rejects(
      read(source, { location: at3(`http://127.0.0.1:${port}`) }),
      'UPSTREAM_UNAVAILABLE',
      S3_MESSAGE,
      [`request to 127.0.0.1:${port} failed`, /ECONNREFUSED/],
    );
  });

  test('unknown host name → UPSTREAM_UNAVAILABLE', async () => {
    await rejects(
      read(source, { location: at3('http://no-such-host.invalid:9000') }),
      'UPSTREAM_UNAVAILABLE',
      S3_MESSAGE,
      ['request to no-such-host.invalid:9000 failed', /ENOTFOUND|EAI_AGAIN/],
    );
  });

  test('TLS failure (https to a plain-HTTP port) → UPSTREAM_UNAVAILABLE', async () => {
    const tlsUrl = upstream.origin.replace('http:', 'https:');
    await rejects(read(source, { location: at3(tlsUrl) }), 'UPSTREAM_UNAVAILABLE', S3_MESSAGE);
  });

  test('connection dropped mid-body → UPSTREAM_UNAVAILABLE, never partial data', async () => {
    await rejects(
      read(source, { location: at3(`${upstream.origin}/truncate`) }),
      'UPSTREAM_UNAVAILABLE',
      S3_MESSAGE,
    );
    await rejects(
      read(source, { location: at3(`${upstream.origin}/truncate`), range: at(2, 10) }),
      'UPSTREAM_UNAVAILABLE',
      S3_MESSAGE,
    );
  });

  test('no answer within the deadline → UPSTREAM_TIMEOUT', async () => {
    const quick = createS3Source({ timeoutMs: 150 });
    try {
      const started = Date.now();
      await rejects(
        read(quick, { location: at3(`${upstream.origin}/stall`) }),
        'UPSTREAM_TIMEOUT',
        S3_MESSAGE,
        [/did not deliver the object within 150 ms/],
      );
      assert.ok(Date.now() - started < 1500);
    } finally {
      await quick.close();
    }
  });
});

describe('HTTP source', () => {
  let upstream: RangeServer;
  let other: RangeServer;
  let guarded: RangeServer;
  let source: ByteSource;
  const creds = { username: 'reader', password: 'open sesame' };

  before(async () => {
    upstream = await startRangeServer();
    other = await startRangeServer();
    guarded = await startRangeServer({ basicAuth: creds });
    for (const server of [upstream, other, guarded]) server.put('obj', OBJECT);
    source = createHttpSource({ timeoutMs: 2000 });
  });
  after(async () => {
    await source.close();
    await Promise.all([upstream.stop(), other.stop(), guarded.stop()]);
  });

  const statusCases: [number, ErrorCode][] = [
    [404, 'UPSTREAM_NOT_FOUND'],
    [410, 'UPSTREAM_NOT_FOUND'],
    [400, 'UPSTREAM_BAD_REQUEST'],
    [418, 'UPSTREAM_BAD_REQUEST'],
    [401, 'UPSTREAM_UNAUTHORIZED'],
    [403, 'UPSTREAM_UNAUTHORIZED'],
    [500, 'UPSTREAM_UNAVAILABLE'],
    [503, 'UPSTREAM_UNAVAILABLE'],
  ];
  for (const [status, code] of statusCases) {
    test(`upstream ${status} → ${code}, status and body excerpt in the causes`, async () => {
      await rejects(
        read(source, { location: { kind: 'http', url: upstream.url('status', String(status)) } }),
        code,
        HTTP_MESSAGE,
        [new RegExp(`^HTTP status ${status} `), `status ${status} from range server`],
      );
    });
  }

  test('a missing object → 404 → UPSTREAM_NOT_FOUND', async () => {
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('obj', 'nope') } }),
      'UPSTREAM_NOT_FOUND',
      HTTP_MESSAGE,
      ['HTTP status 404 Not Found', 'no object named nope'],
    );
  });

  test('offset past the end → 416 → UPSTREAM_BAD_REQUEST', async () => {
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('obj', 'obj') }, range: at(20) }),
      'UPSTREAM_BAD_REQUEST',
      HTTP_MESSAGE,
      ['HTTP status 416 Range Not Satisfiable'],
    );
  });

  for (const route of ['obj', 'ignore-range', 'no-length']) {
    test(`short read via /${route} → UPSTREAM_BAD_REQUEST`, async () => {
      await rejects(
        read(source, { location: { kind: 'http', url: upstream.url(route, 'obj') }, range: at(15, 10) }),
        'UPSTREAM_BAD_REQUEST',
        HTTP_MESSAGE,
        [/short read: asked for 10 bytes at offset 15, the object has 5 bytes there/],
      );
    });
  }

  test('wrong Basic credentials → 401 → UPSTREAM_UNAUTHORIZED; right ones read', async () => {
    const location: Location = { kind: 'http', url: guarded.url('obj', 'obj') };
    await rejects(
      read(source, { location, credentials: { ...creds, password: 'wrong' } }),
      'UPSTREAM_UNAUTHORIZED',
      HTTP_MESSAGE,
    );
    await rejects(read(source, { location }), 'UPSTREAM_UNAUTHORIZED', HTTP_MESSAGE);
    assert.deepEqual(Buffer.from(await read(source, { location, credentials: creds })), OBJECT);
  });

  test('an error page echoing the request does not leak the credentials', async () => {
    const secret = { username: 'who', password: 'hunter2-very-secret' };
    const err = await rejects(
      read(source, {
        location: { kind: 'http', url: upstream.url('echo-headers', '403') },
        credentials: secret,
      }),
      'UPSTREAM_UNAUTHORIZED',
      HTTP_MESSAGE,
    );
    const text = JSON.stringify(err.causedBy);
    assert.ok(text.includes('authorization'), text);
    assert.ok(!text.includes(secret.password), text);
    assert.ok(!text.includes(Buffer.from(`${secret.username}:${secret.password}`).toString('base64')), text);
  });

  test('sequential reads reuse keep-alive connections', async () => {
    const fresh = createHttpSource();
    try {
      upstream.requests.length = 0;
      for (let i = 0; i < 5; i++)
        await read(fresh, { location: { kind: 'http', url: upstream.url('obj', 'obj') } });
      const ports = upstream.requests.map((r) => r.remotePort);
      assert.equal(ports.length, 5);
      // undici frees a connection a moment after its body ends, so back-to-back reads alternate over two.
      assert.ok(new Set(ports).size <= 2, JSON.stringify(ports));
    } finally {
      await fresh.close();
    }
  });

  test('concurrent reads to one origin use at most maxConnections connections', async () => {
    const bounded = createHttpSource({ maxConnections: 2 });
    try {
      upstream.requests.length = 0;
      const location: Location = { kind: 'http', url: upstream.url('slow/40', 'obj') };
      const results = await Promise.all(Array.from({ length: 6 }, () => read(bounded, { location })));
      for (const bytes of results) assert.deepEqual(Buffer.from(bytes), OBJECT);
      assert.equal(new Set(upstream.requests.map((r) => r.remotePort)).size, 2);
    } finally {
      await bounded.close();
    }
  });

  test('the query string is kept (presigned URLs)', async () => {
    upstream.requests.length = 0;
    await read(source, {
      location: { kind: 'http', url: `${upstream.url('obj', 'obj')}?X-Amz-Signature=abc&x=1%202` },
    });
    assert.equal(upstream.requests[0]?.url, '/obj/obj?X-Amz-Signature=abc&x=1%202');
  });

  test('up to 10 redirects are followed; the 11th is refused', async () => {
    const ok = await read(source, {
      location: { kind: 'http', url: upstream.url('redirect/10/obj', 'obj') },
    });
    assert.deepEqual(Buffer.from(ok), OBJECT);
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('redirect/11/obj', 'obj') } }),
      'UPSTREAM_BAD_REQUEST',
      HTTP_MESSAGE,
      [/more than 10 redirects/],
    );
  });

  test('same-origin redirects keep the credentials', async () => {
    const bytes = await read(source, {
      location: { kind: 'http', url: guarded.url('redirect/2/obj', 'obj') },
      credentials: creds,
    });
    assert.deepEqual(Buffer.from(bytes), OBJECT);
  });

  test('credentials are dropped when a redirect changes origin', async () => {
    upstream.requests.length = 0;
    other.requests.length = 0;
    const target = other.url('obj', 'obj');
    const bytes = await read(source, {
      location: { kind: 'http', url: `${upstream.origin}/redirect-to?to=${encodeURIComponent(target)}` },
      credentials: creds,
      range: at(3, 4),
    });
    assert.deepEqual(Buffer.from(bytes), OBJECT.subarray(3, 7));
    assert.match(String(upstream.requests[0]?.headers.authorization), /^Basic /);
    assert.equal(other.requests[0]?.headers.authorization, undefined);
    assert.equal(other.requests[0]?.headers.range, 'bytes=3-6');
  });

  test('a redirect to a non-HTTP scheme → UPSTREAM_BAD_REQUEST', async () => {
    await rejects(
      read(source, {
        location: {
          kind: 'http',
          url: `${upstream.origin}/redirect-to?to=${encodeURIComponent('file:///etc/passwd')}`,
        },
      }),
      'UPSTREAM_BAD_REQUEST',
      HTTP_MESSAGE,
      [/redirected to a file: URL/],
    );
  });

  test('connection dropped before or during the body → UPSTREAM_UNAVAILABLE', async () => {
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('drop', 'obj') } }),
      'UPSTREAM_UNAVAILABLE',
      HTTP_MESSAGE,
    );
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('truncate', 'obj') } }),
      'UPSTREAM_UNAVAILABLE',
      HTTP_MESSAGE,
    );
  });

  test('connection refused → UPSTREAM_UNAVAILABLE', async () => {
    const port = await closedPort();
    await rejects(
      read(source, { location: { kind: 'http', url: `http://127.0.0.1:${port}/x` } }),
      'UPSTREAM_UNAVAILABLE',
      HTTP_MESSAGE,
      [`request to 127.0.0.1:${port} failed`, /ECONNREFUSED/],
    );
  });

  test('headers never come → UPSTREAM_TIMEOUT (overall deadline and headers timeout)', async () => {
    const overall = createHttpSource({ timeoutMs: 150 });
    const headers = createHttpSource({ headersTimeoutMs: 150 });
    try {
      await rejects(
        read(overall, { location: { kind: 'http', url: upstream.url('stall', 'obj') } }),
        'UPSTREAM_TIMEOUT',
        HTTP_MESSAGE,
      );
      await rejects(
        read(headers, { location: { kind: 'http', url: upstream.url('stall', 'obj') } }),
        'UPSTREAM_TIMEOUT',
        HTTP_MESSAGE,
        [/request to 127\.0\.0\.1:\d+ failed/, /no response headers within 150 ms/],
      );
    } finally {
      await Promise.all([overall.close(), headers.close()]);
    }
  });

  test('the body stops halfway → UPSTREAM_TIMEOUT (overall deadline and body timeout)', async () => {
    const overall = createHttpSource({ timeoutMs: 150 });
    const body = createHttpSource({ bodyTimeoutMs: 150 });
    try {
      await rejects(
        read(overall, { location: { kind: 'http', url: upstream.url('stall-body', 'obj') } }),
        'UPSTREAM_TIMEOUT',
        HTTP_MESSAGE,
      );
      await rejects(
        read(body, { location: { kind: 'http', url: upstream.url('stall-body', 'obj') } }),
        'UPSTREAM_TIMEOUT',
        HTTP_MESSAGE,
        [/failed/, /no body bytes for 150 ms/],
      );
    } finally {
      await Promise.all([overall.close(), body.close()]);
    }
  });

  test('the caller’s signal ends the read: its own error is kept, any other reason is a timeout', async () => {
    const stop = new AbortController();
    const pending = read(source, {
      location: { kind: 'http', url: upstream.url('stall', 'obj') },
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(new ActiveStorageError('OVERLOADED', 'server is shutting down')), 50);
    await rejects(pending, 'OVERLOADED', 'server is shutting down');

    const gone = new AbortController();
    gone.abort();
    await rejects(
      read(source, { location: { kind: 'http', url: upstream.url('obj', 'obj') }, signal: gone.signal }),
      'UPSTREAM_TIMEOUT',
      HTTP_MESSAGE,
      [/abandoned/],
    );
  });

  test('an injected allocate receives the body; memory taken by a read that then fails is released', async () => {
    const given: Uint8Array[] = [];
    const released: Uint8Array[] = [];
    const pooled = createHttpSource({
      timeoutMs: 300,
      // A pool hands out views over larger slabs: byteOffset 0, byteLength the body's, buffer bigger.
      allocate: (length) => {
        const view = new Uint8Array(new ArrayBuffer(length + 4096), 0, length);
        given.push(view);
        return view;
      },
      release: (bytes) => released.push(bytes),
    });
    try {
      for (const [route, range] of [
        ['obj', at(2, 5)],
        ['ignore-range', at(2, 5)],
        ['no-length', at(2)],
      ] as const) {
        const got = await read(pooled, {
          location: { kind: 'http', url: upstream.url(route, 'obj') },
          range,
        });
        assert.equal(got, given.at(-1), `${route}: the bytes arrive in the allocated view`);
        assert.deepEqual(Buffer.from(got), OBJECT.subarray(2, range.size === undefined ? 20 : 7));
      }
      assert.equal(released.length, 0);

      given.length = 0;
      await rejects(
        read(pooled, { location: { kind: 'http', url: upstream.url('truncate', 'obj') } }),
        'UPSTREAM_UNAVAILABLE',
        HTTP_MESSAGE,
      );
      await rejects(
        read(pooled, { location: { kind: 'http', url: upstream.url('stall-body', 'obj') } }),
        'UPSTREAM_TIMEOUT',
        HTTP_MESSAGE,
      );
      assert.equal(given.length, 2);
      assert.deepEqual(released, given);
    } finally {
      await pooled.close();
    }
  });

  test('TOO_LARGE: a size over the cap is refused before connecting; an unannounced body as it grows', async () => {
    const small = createHttpSource({ maxBytes: 8 });
    try {
      upstream.requests.length = 0;
      await rejects(
        read(small, { location: { kind: 'http', url: upstream.url('obj', 'obj') }, range: at(0, 9) }),
        'TOO_LARGE',
        /too large/,
      );
      assert.equal(upstream.requests.length, 0);
      await rejects(
        read(small, { location: { kind: 'http', url: upstream.url('obj', 'obj') } }),
        'TOO_LARGE',
        /too large/,
        [/20 bytes requested/],
      );
      await rejects(
        read(small, { location: { kind: 'http', url: upstream.url('no-length', 'obj') } }),
        'TOO_LARGE',
        /too large/,
      );
      await rejects(
        read(small, { location: { kind: 'http', url: upstream.url('ignore-range', 'obj') }, range: at(4) }),
        'TOO_LARGE',
        /too large/,
      );
    } finally {
      await small.close();
    }
  });
});
