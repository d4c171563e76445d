/**
 * Upstream failures through the whole server: each failure class of API.md §9 reaches the client with its status,
 * Reductionist's JSON error body and the store's own words in caused_by. The storage tests check classification in
 * depth; this checks the mapping to HTTP end to end, on a real S3 server (moto, SigV4 on) and an HTTP upstream.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RangeServer, startRangeServer } from '../support/range-server.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { basicAuth, post, type RunningApp, startApp } from '../support/start-app.js';

let s3: S3Server;
let http: RangeServer;
let server: RunningApp;
const DATA = new Uint8Array(new Int32Array([1, 2, 3, 4]).buffer);

before(async () => {
  [s3, http, server] = await Promise.all([
    startS3Server(),
    startRangeServer(),
    startApp({ upstreamTimeoutMs: 400 }),
  ]);
  await s3.makeBucket('private');
  await s3.makeBucket('public', { public: true });
  await s3.put('private', 'x.bin', DATA);
  await s3.put('public', 'x.bin', DATA);
  http.put('x.bin', DATA);
});
after(async () => {
  await Promise.all([server?.close(), s3?.stop(), http?.stop()]);
});

const s3Body = (bucket: string, key: string, extra: Record<string, unknown> = {}) => ({
  interface_type: 's3',
  url: `${s3.endpoint}/${bucket}/${key}`,
  dtype: 'int32',
  ...extra,
});
const httpBody = (route: string, extra: Record<string, unknown> = {}) => ({
  interface_type: 'http',
  url: http.url(route, 'x.bin'),
  dtype: 'int32',
  ...extra,
});

async function expectError(res: Response, status: number, ...words: string[]): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const all = JSON.stringify(JSON.parse(text).error);
  for (const w of words) assert.ok(all.includes(w), `${w} not in ${all}`);
}

/** A loopback port with nothing listening. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('S3 upstream failures', () => {
  const admin = () => basicAuth(s3.accessKey, s3.secretKey);

  it('reads with valid keys, and anonymously from a public bucket', async () => {
    assert.equal((await post(server.url, '/v2/sum', s3Body('private', 'x.bin'), admin())).status, 200);
    assert.equal((await post(server.url, '/v2/sum', s3Body('public', 'x.bin'))).status, 200);
  });
  it('NoSuchKey → 400', async () =>
    expectError(await post(server.url, '/v2/sum', s3Body('private', 'nope.bin'), admin()), 400, 'NoSuchKey'));
  it('NoSuchBucket → 400', async () =>
    expectError(
      await post(server.url, '/v2/sum', s3Body('nobucket', 'x.bin'), admin()),
      400,
      'NoSuchBucket',
    ));
  it('anonymous access to a private bucket → 401', async () =>
    expectError(await post(server.url, '/v2/sum', s3Body('private', 'x.bin')), 401));
  it('wrong secret → 401 SignatureDoesNotMatch', async () =>
    expectError(
      await post(server.url, '/v2/sum', s3Body('private', 'x.bin'), basicAuth(s3.accessKey, 'wrong')),
      401,
      'SignatureDoesNotMatch',
    ));
  it('unknown key id → 401 InvalidAccessKeyId', async () =>
    expectError(
      await post(server.url, '/v2/sum', s3Body('private', 'x.bin'), basicAuth('AKIANOBODY', 'x')),
      401,
      'InvalidAccessKeyId',
    ));
  it('an identity denied by policy → 401 AccessDenied', async () =>
    expectError(
      await post(
        server.url,
        '/v2/sum',
        s3Body('private', 'x.bin'),
        basicAuth(s3.denied.accessKey, s3.denied.secretKey),
      ),
      401,
      'AccessDenied',
    ));
  it('offset past the end → 400', async () =>
    expectError(await post(server.url, '/v2/sum', s3Body('private', 'x.bin', { offset: 64 }), admin()), 400));
  it('a short read → 400', async () =>
    expectError(
      await post(server.url, '/v2/sum', s3Body('private', 'x.bin', { offset: 8, size: 16 }), admin()),
      400,
    ));
  it('never echoes the secret', async () => {
    const res = await post(
      server.url,
      '/v2/sum',
      s3Body('private', 'x.bin'),
      basicAuth(s3.accessKey, 'sekr1t-value'),
    );
    assert.ok(!(await res.text()).includes('sekr1t-value'));
  });
});

describe('HTTP upstream failures', () => {
  it('reads a plain ranged object', async () => {
    const res = await post(server.url, '/v2/sum', httpBody('obj', { offset: 4, size: 8 }));
    assert.equal(res.status, 200);
  });
  it('404 → 400', async () => expectError(await post(server.url, '/v2/sum', httpBody('status/404')), 400));
  it('403 → 401', async () => expectError(await post(server.url, '/v2/sum', httpBody('status/403')), 401));
  it('500 → 502', async () => expectError(await post(server.url, '/v2/sum', httpBody('status/500')), 502));
  it('connection dropped → 502', async () =>
    expectError(await post(server.url, '/v2/sum', httpBody('drop')), 502));
  it('truncated body → 502', async () =>
    expectError(await post(server.url, '/v2/sum', httpBody('truncate')), 502));
  it('a stalled upstream → 504 within the deadline', async () => {
    const start = Date.now();
    await expectError(await post(server.url, '/v2/sum', httpBody('stall')), 504);
    assert.ok(Date.now() - start < 5000);
  });
  it('refused connection → 502', async () => {
    const port = await closedPort();
    await expectError(
      await post(server.url, '/v2/sum', {
        interface_type: 'http',
        url: `http://127.0.0.1:${port}/x`,
        dtype: 'int32',
      }),
      502,
    );
  });
  it('the server stays up after all of this', async () => {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  });
});

describe('overload', () => {
  it('a request that cannot get memory within the queueing deadline gets 503 with Retry-After', async () => {
    const busy = await startApp({ memoryLimitBytes: 16, queueTimeoutMs: 100 });
    try {
      // The first request holds the whole budget while its upstream takes 1.5 s to answer.
      const slow = post(busy.url, '/v2/sum', httpBody('slow/1500', { size: 16 }));
      await new Promise((r) => setTimeout(r, 100));
      const res = await post(busy.url, '/v2/sum', httpBody('obj', { size: 16 }));
      assert.equal(res.headers.get('retry-after'), '1');
      await expectError(res, 503, 'busy');
      assert.equal((await slow).status, 200);
      // With the budget free again, the same request runs.
      assert.equal((await post(busy.url, '/v2/sum', httpBody('obj', { size: 16 }))).status, 200);
    } finally {
      await busy.close();
    }
  });
});
