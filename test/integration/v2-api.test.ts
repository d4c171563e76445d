/**
 * The v2 wire contract end to end (API.md §1, §4, §9, §13): our server in front of the embedded sample store, whose
 * public bucket `sample` holds exactly the objects of the worked examples. Expected bytes are the contract's own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode } from 'cbor2';
import { type DemoStore, startDemoStore } from '../../src/demo/demo-store.js';
import { seedSampleData } from '../../src/demo/sample-data.js';
import { basicAuth, post, type RunningApp, startApp } from '../support/start-app.js';

let store: DemoStore;
let server: RunningApp;
let base: string;

before(async () => {
  store = await startDemoStore({
    host: '127.0.0.1',
    port: 0,
    accessKey: 'minioadmin',
    secretKey: 'minioadmin',
  });
  seedSampleData(store);
  server = await startApp({ bodyLimitBytes: 64 * 1024 });
  base = server.url;
});
after(async () => {
  await server?.close();
  await store?.close();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sumBody = () => ({ interface_type: 's3', url: `${store.url}/sample/demo/ints.bin`, dtype: 'int32' });

async function cbor(res: Response): Promise<Record<string, unknown>> {
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('content-type'), 'application/cbor');
  return decode(Buffer.from(await res.arrayBuffer()));
}

async function jsonError(res: Response, status: number): Promise<{ message: string; caused_by?: string[] }> {
  assert.equal(res.status, status);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const text = await res.text();
  assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(text)));
  const body = JSON.parse(text) as { error: { message: string; caused_by?: string[] } };
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

describe('worked examples (API.md §13)', () => {
  it('A: whole-object sum, exact 89-byte body', async () => {
    const res = await post(base, '/v2/sum/', sumBody());
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '89');
    assert.equal(res.headers.get('transfer-encoding'), null);
    assert.equal(
      hex(new Uint8Array(await res.arrayBuffer())),
      'a7656279746573442d00000065647479706565696e743332657368617065806e73686170655f61735f62797465734065636f756e74810a6e636f756e745f61735f6279746573406a627974655f6f72646572666c6974746c65',
    );
  });

  it('B: select, F order, negative stride, shape as bytes', async () => {
    const body = {
      interface_type: 's3',
      url: `${store.url}/sample/demo/i64.bin`,
      dtype: 'int64',
      shape: [4, 5],
      order: 'F',
      selection: [
        [1, 4, 2],
        [-1, -6, -2],
      ],
      option_shape_as_bytes: true,
    };
    const r = await cbor(await post(base, '/v2/select', body));
    assert.equal(
      hex(r.bytes as Uint8Array),
      '110000000000000013000000000000000900000000000000' + '0b0000000000000001000000000000000300000000000000',
    );
    assert.deepEqual(r.shape, []);
    assert.equal(hex(r.shape_as_bytes as Uint8Array), '02000000000000000300000000000000');
    assert.deepEqual(r.count, [6]);
    assert.equal(r.dtype, 'int64');
  });

  it('C: max along an axis, big-endian, valid range, offset, counts as bytes', async () => {
    const body = {
      interface_type: 's3',
      url: `${store.url}/sample/demo/f32be.bin`,
      dtype: 'float32',
      byte_order: 'big',
      offset: 16,
      size: 48,
      shape: [3, 4],
      axis: 1,
      missing: { valid_range: [1.0, 9.0] },
      option_count_as_bytes: true,
    };
    const r = await cbor(await post(base, '/v2/max', body));
    assert.equal(hex(r.bytes as Uint8Array), '00001041ffff7fff00000841');
    assert.deepEqual(r.shape, [3]);
    assert.deepEqual(r.count, []);
    assert.equal(hex(r.count_as_bytes as Uint8Array), '020000000000000000000000000000000300000000000000');
    assert.equal(r.byte_order, 'little');
  });

  it('D: zlib + shuffle chunk, missing value, every axis, doubled slashes', async () => {
    const body = {
      interface_type: 's3',
      url: `${store.url}/sample/demo/f64.z`,
      dtype: 'float64',
      byte_order: 'little',
      offset: 0,
      size: 32,
      order: 'C',
      shape: [2, 2, 2],
      selection: [
        [0, 2, 1],
        [0, 2, 1],
        [0, 2, 1],
      ],
      compression: { id: 'zlib' },
      filters: [{ id: 'shuffle', element_size: 8 }],
      missing: { missing_value: -999.0 },
      axis: [0, 1, 2],
    };
    const r = await cbor(await post(base, '//v2/sum/', body));
    assert.equal(hex(r.bytes as Uint8Array), '0000000000c02840');
    assert.deepEqual(r.count, [6]);
    const mean = await cbor(await post(base, '/v2/mean', body));
    assert.equal(new Float64Array(new Uint8Array(mean.bytes as Uint8Array).buffer)[0], 12.375 / 6);
  });

  it('F: empty selection gives the sentinel with count 0', async () => {
    const body = {
      interface_type: 's3',
      url: `${store.url}/sample/demo/small.bin`,
      dtype: 'int32',
      shape: [5],
      selection: [[3, 1, 1]],
    };
    const r = await cbor(await post(base, '/v2/min', body));
    assert.equal(hex(r.bytes as Uint8Array), 'ffffff7f');
    assert.deepEqual(r.count, [0]);
  });

  it('F: unknown op, private bucket without credentials, invalid selection', async () => {
    const e404 = await jsonError(await post(base, '/v2/median/', 'not even json'), 404);
    assert.equal(e404.message, 'unsupported operation median');

    const priv = { ...sumBody(), url: `${store.url}/sample-data/data-int32.dat` };
    const e401 = await jsonError(await post(base, '/v2/sum', priv), 401);
    assert.ok(e401.caused_by?.some((c) => c.includes('AccessDenied')));
    assert.ok(e401.caused_by?.includes('Access Denied.'));
    const ok = await cbor(await post(base, '/v2/sum', priv, basicAuth('minioadmin', 'minioadmin')));
    assert.equal(hex(ok.bytes as Uint8Array), '2d000000');

    const e400 = await jsonError(await post(base, '/v2/sum', { ...sumBody(), selection: [[10, 1, 0]] }), 400);
    assert.equal(e400.message, 'request data is not valid');
    assert.ok(e400.caused_by?.some((c) => c.includes('selection') && c.includes('shape')));
    assert.ok(e400.caused_by?.some((c) => c.includes('selection[0]') && c.includes('stride')));
  });
});

describe('routes and content types (API.md §1)', () => {
  it('normalises leading and trailing slashes, ignores the query, never redirects', async () => {
    for (const path of ['/v2/sum', '/v2/sum/', '/v2/sum//', '//v2/sum/', '/v2/sum?x=1']) {
      const res = await post(base, path, sumBody());
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
    await jsonError(await post(base, '/v2//sum', sumBody()), 404);
  });

  it('answers other methods on an op route with 405 and Allow: POST', async () => {
    const res = await fetch(`${base}/v2/sum`);
    assert.equal(res.headers.get('allow'), 'POST');
    await jsonError(res, 405);
  });

  it('answers unknown paths with a JSON 404', async () => {
    await jsonError(await fetch(`${base}/v3/sum`), 404);
    await jsonError(await post(base, '/nothing/here', {}), 404);
  });

  it('requires a JSON content type', async () => {
    await jsonError(await post(base, '/v2/sum', sumBody(), { 'content-type': 'text/plain' }), 400);
    const none = await fetch(`${base}/v2/sum`, {
      method: 'POST',
      body: new Blob([JSON.stringify(sumBody())]),
    });
    await jsonError(none, 400);
    for (const type of ['application/json; charset=utf-8', 'application/vnd.api+json']) {
      const res = await post(base, '/v2/sum', sumBody(), { 'content-type': type });
      assert.equal(res.status, 200, type);
      await res.arrayBuffer();
    }
  });

  it('rejects bodies that are not one JSON object', async () => {
    for (const body of ['', '{', '[1]', '"x"', '{"dtype": "int32", "dtype": "int32"}']) {
      await jsonError(await post(base, '/v2/sum', body), 400);
    }
  });

  it('rejects an oversized body with 413', async () => {
    const big = JSON.stringify({ ...sumBody(), url: `${store.url}/sample/${'x'.repeat(70 * 1024)}` });
    await jsonError(await post(base, '/v2/sum', big), 413);
  });

  it('reports health', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('exposes Reductionist-named Prometheus metrics', async () => {
    await (await post(base, '/v2/sum', sumBody())).arrayBuffer();
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /incoming_requests\{http_method="POST",path="\/v2\/sum"\} \d+/);
    assert.match(text, /outgoing_response\{status_code="200",http_method="POST",path="\/v2\/sum"\} \d+/);
    assert.match(text, /response_time_bucket\{/);
    assert.match(text, /# TYPE cache_miss counter/);
    assert.match(text, /process_cpu_user_seconds_total/);
  });

  it('answers 30 simultaneous keep-alive requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, () => post(base, '/v2/sum', sumBody()).then((r) => cbor(r))),
    );
    for (const r of results) assert.equal(hex(r.bytes as Uint8Array), '2d000000');
  });
});
