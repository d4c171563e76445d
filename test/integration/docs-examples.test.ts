/**
 * Every request example of the OpenAPI document works against the demo store, as the docs promise: each is sent in
 * both API versions over real HTTP to the app on port 0 beside a seeded store, answers 200 with a body that matches
 * the published response schema, and v1 and v2 agree byte for byte. The stated results of the arange examples are
 * checked against numpy.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { decode } from 'cbor2';
import type { FastifyInstance } from 'fastify';
import type { DemoStore } from '../../src/demo/demo-store.js';
import { DEMO_STORE_URL } from '../../src/http/openapi-examples.js';
import { parseV1ResultHeaders, v2ResponseSchema } from '../../src/http/response-schemas.js';
import { OP_NAMES } from '../../src/ops/registry.js';
import { startDemo } from '../support/demo.js';

const AUTH = `Basic ${Buffer.from('minioadmin:minioadmin').toString('base64')}`;

interface Example {
  path: string;
  name: string;
  value: Record<string, unknown>;
}

describe('OpenAPI examples against the demo store', () => {
  let store: DemoStore;
  let app: FastifyInstance;
  let origin: string;
  let examples: Example[];

  before(async () => {
    ({ store, app, origin } = await startDemo());
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      paths: Record<string, { post?: { requestBody: { content: Record<string, { examples: object }> } } }>;
    };
    examples = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item.post?.requestBody.content['application/json']?.examples ?? {}).map(
        ([name, ex]) => ({
          path,
          name,
          value: (ex as { value: Record<string, unknown> }).value,
        }),
      ),
    );
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  /** The example as a reader of the page would send it, with the store where this test runs it. */
  async function send(example: Example): Promise<Response> {
    const text = JSON.stringify(example.value).replaceAll(DEMO_STORE_URL, store.url);
    return fetch(`${origin}${example.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: AUTH },
      body: text,
    });
  }

  test('every example of both versions answers 200 with a body matching the response schema', async () => {
    assert.ok(examples.length >= 4 * OP_NAMES.length);
    const v2Bytes = new Map<string, Buffer>();
    for (const example of examples.filter((e) => e.path.startsWith('/v2/'))) {
      const res = await send(example);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, `${example.path} ${example.name}: ${body.toString()}`);
      assert.equal(res.headers.get('content-type'), 'application/cbor');
      const parsed = v2ResponseSchema.safeParse(decode(body));
      assert.ok(parsed.success, `${example.path} ${example.name}: ${parsed.error?.message}`);
      v2Bytes.set(`${example.path.slice(4)} ${example.name}`, Buffer.from(parsed.data.bytes));
    }
    for (const example of examples.filter((e) => e.path.startsWith('/v1/'))) {
      const res = await send(example);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 200, `${example.path} ${example.name}: ${body.toString()}`);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.doesNotThrow(() => parseV1ResultHeaders((name) => res.headers.get(name)));
      // One pipeline behind both versions: the same example gives the same result bytes.
      assert.deepEqual(body, v2Bytes.get(`${example.path.slice(4)} ${example.name}`), example.name);
    }
  });

  test('the arange examples give what their summaries state, as numpy computes it', async () => {
    const numpy = JSON.parse(
      execFileSync(
        'python3',
        [
          '-c',
          `import json, numpy as np
a = np.arange(10, dtype='float32')
print(json.dumps({'count': [int(a.size)], 'max': [float(a.max())], 'mean': [float(a.mean())],
                  'min': [float(a.min())], 'select': [float(x) for x in a], 'sum': [float(a.sum())]}))`,
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number[]>;
    for (const op of OP_NAMES) {
      const example = examples.find((e) => e.path === `/v2/${op}` && e.name === 'arange');
      assert.ok(example, `/v2/${op} has an arange example`);
      const res = await send(example);
      const { bytes, dtype } = v2ResponseSchema.parse(decode(Buffer.from(await res.arrayBuffer())));
      const buf = Buffer.from(bytes);
      const values =
        dtype === 'int64'
          ? [Number(buf.readBigInt64LE(0))]
          : Array.from({ length: buf.length / 4 }, (_, i) => buf.readFloatLE(4 * i));
      assert.deepEqual(values, numpy[op], op);
    }
  });
});
