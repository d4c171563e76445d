/**
 * API v1 (the S3 Active Storage prototype's API, API.md §3) over real HTTP: the app on port 0 beside the seeded demo
 * store. The prototype README's Python example runs unchanged but for the two addresses, and numpy checks every op
 * on every Reductionist dtype through v1.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { DemoStore } from '../../src/demo/demo-store.js';
import { errorBodySchema } from '../../src/http/response-schemas.js';
import { OP_NAMES } from '../../src/ops/registry.js';
import { startDemo } from '../support/demo.js';

/** The original prototype README's Python example, character for character (see README.md, API v1). */
const SEED_EXAMPLE = `import requests
import numpy as np

request_data = {
  'source': 'http://localhost:9000',
  'bucket': 'sample-data',
  'object': 'data-float32.dat',
  'dtype': 'float32',
  # All other fields assume their default values
}

reducer = 'sum'
response = requests.post(
  f'http://localhost:8000/v1/{reducer}',
  json=request_data, 
  auth=('minioadmin', 'minioadmin')
)
sum_result = np.frombuffer(response.content, dtype=response.headers['x-activestorage-dtype'])
`;

const AUTH = `Basic ${Buffer.from('minioadmin:minioadmin').toString('base64')}`;

/** Runs python3 without blocking the event loop: the servers under test live in this process. */
function python(program: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', program, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString('utf8'))
        : reject(new Error(`python3 exited with ${code}:\n${Buffer.concat(err).toString('utf8')}`)),
    );
  });
}

describe('API v1 against the demo store', () => {
  let store: DemoStore;
  let app: FastifyInstance;
  let origin: string;

  before(async () => {
    ({ store, app, origin } = await startDemo());
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  /** `auth: null` sends no Authorization header. */
  function post(path: string, body: unknown, auth: string | null = AUTH): Promise<Response> {
    return fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth === null ? {} : { authorization: auth }) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async function errorOf(res: Response) {
    assert.equal(res.headers.get('content-type'), 'application/json');
    return errorBodySchema.parse(await res.json()).error;
  }

  test("the prototype README's Python example returns 45.0", async () => {
    // Only the two addresses change: the store and the server listen on ports chosen at run time.
    const program = SEED_EXAMPLE.replace("'http://localhost:9000'", `'${store.url}'`).replace(
      'http://localhost:8000',
      origin,
    );
    assert.notEqual(program, SEED_EXAMPLE);
    const out = await python(`${program}\nprint(sum_result.tolist())\n`);
    assert.equal(out.trim(), '[45.0]');
  });

  test('every op on every Reductionist dtype agrees with numpy', async () => {
    const out = await python(
      `import json, sys, numpy as np, requests
origin, store = sys.argv[1], sys.argv[2]
checked = 0
for dtype in ['int32', 'int64', 'uint32', 'uint64', 'float32', 'float64']:
    a = np.arange(10, dtype=dtype)
    expected = {'count': np.array(a.size, dtype='int64'), 'max': a.max(), 'min': a.min(), 'sum': a.sum(dtype=a.dtype),
                'select': a, 'mean': np.mean(a)}
    for op in sys.argv[3].split(','):
        r = requests.post(origin + '/v1/' + op + '/', auth=('minioadmin', 'minioadmin'),
                          json={'source': store, 'bucket': 'sample-data', 'object': 'data-%s.dat' % dtype, 'dtype': dtype})
        assert r.status_code == 200, (op, dtype, r.text)
        got = np.frombuffer(r.content, dtype=r.headers['x-activestorage-dtype']).reshape(
            json.loads(r.headers['x-activestorage-shape']))
        want = np.asarray(expected[op])
        assert got.dtype == want.dtype, (op, dtype, got.dtype, want.dtype)
        assert got.shape == want.shape and np.allclose(got, want), (op, dtype, got, want)
        assert json.loads(r.headers['x-activestorage-count']) == [10], (op, dtype, r.headers)
        checked += 1
print(checked)
`,
      [origin, store.url, OP_NAMES.join(',')],
    );
    assert.equal(Number(out), 6 * OP_NAMES.length);
  });

  test('headers exactly as API.md §3: dtype, shape, count as JSON arrays, byte order, length', async () => {
    const res = await post('/v1/sum', {
      source: store.url,
      bucket: 'sample-data',
      object: 'data-int32.dat',
      dtype: 'int32',
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-length'), '4');
    assert.equal(res.headers.get('transfer-encoding'), null);
    assert.equal(res.headers.get('x-activestorage-dtype'), 'int32');
    assert.equal(res.headers.get('x-activestorage-shape'), '[]');
    assert.equal(res.headers.get('x-activestorage-count'), '[10]');
    assert.equal(res.headers.get('x-activestorage-byte-order'), 'little');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from('2d000000', 'hex'));
  });

  test('with or without a trailing slash, and with doubled outer slashes, the answer is the same', async () => {
    const body = { source: store.url, bucket: 'sample-data', object: 'data-uint64.dat', dtype: 'uint64' };
    const answers = [];
    for (const path of ['/v1/max', '/v1/max/', '//v1/max//']) {
      const res = await post(path, body);
      assert.equal(res.status, 200, path);
      answers.push({
        shape: res.headers.get('x-activestorage-shape'),
        count: res.headers.get('x-activestorage-count'),
        body: Buffer.from(await res.arrayBuffer()).toString('hex'),
      });
    }
    assert.deepEqual(answers[1], answers[0]);
    assert.deepEqual(answers[2], answers[0]);
    assert.equal(answers[0]?.body, '0900000000000000');
  });

  test('anonymous read of the public bucket: API.md §13 E, exact bytes and headers', async () => {
    const res = await post(
      '/v1/count/',
      {
        source: store.url,
        bucket: 'sample',
        object: 'demo/u32.bin',
        dtype: 'uint32',
        shape: [3, 4],
        selection: [
          [0, 3, 1],
          [0, 4, 2],
        ],
        axis: 1,
        missing: { missing_value: 0 },
      },
      null,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('content-length'), '24');
    assert.equal(res.headers.get('x-activestorage-dtype'), 'int64');
    assert.equal(res.headers.get('x-activestorage-shape'), '[3]');
    assert.equal(res.headers.get('x-activestorage-count'), '[1,2,1]');
    assert.equal(res.headers.get('x-activestorage-byte-order'), 'little');
    assert.deepEqual(
      Buffer.from(await res.arrayBuffer()),
      Buffer.from('010000000000000002000000000000000100000000000000', 'hex'),
    );
  });

  test('the object key is used verbatim: spaces, brackets, commas, = and parentheses', async () => {
    const key = 'odd keys/a b[1],c=(2).dat';
    store.putObject('sample-data', key, Buffer.from('0100000002000000', 'hex'));
    const res = await post('/v1/sum', {
      source: store.url,
      bucket: 'sample-data',
      object: key,
      dtype: 'int32',
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from('03000000', 'hex'));
  });

  test('null fields count as absent', async () => {
    const res = await post('/v1/min', {
      source: store.url,
      bucket: 'sample-data',
      object: 'data-int64.dat',
      dtype: 'int64',
      offset: null,
      size: null,
      shape: null,
      selection: null,
      axis: null,
      missing: null,
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-activestorage-count'), '[10]');
  });

  test('a missing object is a 400 whose caused_by names NoSuchKey', async () => {
    const res = await post('/v1/sum', {
      source: store.url,
      bucket: 'sample-data',
      object: 'absent.dat',
      dtype: 'int32',
    });
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.ok(
      error.caused_by?.some((c) => c.includes('NoSuchKey')),
      JSON.stringify(error),
    );
  });

  test('a wrong secret is a 401, and so is an anonymous read of the private bucket', async () => {
    const body = { source: store.url, bucket: 'sample-data', object: 'data-int32.dat', dtype: 'int32' };
    const wrong = await post('/v1/sum', body, `Basic ${Buffer.from('minioadmin:wrong').toString('base64')}`);
    assert.equal(wrong.status, 401);
    assert.ok((await errorOf(wrong)).caused_by?.some((c) => c.includes('SignatureDoesNotMatch')));
    const anonymous = await post('/v1/sum', body, null);
    assert.equal(anonymous.status, 401);
    assert.ok((await errorOf(anonymous)).caused_by?.some((c) => c.includes('AccessDenied')));
  });

  test('interface_type and url are v2 fields: a v1 body with them is a 400 naming them', async () => {
    const res = await post('/v1/sum', {
      source: store.url,
      bucket: 'sample-data',
      object: 'data-int32.dat',
      dtype: 'int32',
      interface_type: 's3',
      url: `${store.url}/sample-data/data-int32.dat`,
    });
    assert.equal(res.status, 400);
    const causes = (await errorOf(res)).caused_by ?? [];
    assert.ok(
      causes.some((c) => c.startsWith('interface_type')),
      JSON.stringify(causes),
    );
    assert.ok(
      causes.some((c) => c.startsWith('url')),
      JSON.stringify(causes),
    );
  });

  test('an unknown op is a 404 mentioning the operation; another method is a 405 with Allow: POST', async () => {
    const unknown = await post('/v1/median/', { anything: true });
    assert.equal(unknown.status, 404);
    assert.match((await errorOf(unknown)).message, /operation/);
    const get = await fetch(`${origin}/v1/sum/`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    await errorOf(get);
  });
});
