/**
 * The OpenAPI document as served: a committed snapshot keeps the public surface changing only on purpose, and the
 * document is checked to be well-formed OpenAPI 3.1 (structure, every $ref resolves, valid JSON Schema 2020-12),
 * to list exactly the routes the app serves, and to carry examples that the request validators accept.
 *
 * After an intended change: UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs test/unit/http/openapi.test.ts
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { ERROR_STATUS } from '../../../src/http/error-response.js';
import { errorBodySchema } from '../../../src/http/response-schemas.js';
import { isOpName, OP_NAMES } from '../../../src/ops/registry.js';
import { parseJson } from '../../../src/request/json.js';
import { parseV1Request } from '../../../src/request/v1.js';
import { parseV2Request } from '../../../src/request/v2.js';

const SNAPSHOT = 'test/fixtures/openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const LIMITS = { maxDecodedBytes: 2 ** 30, memoryLimitBytes: 2 ** 30, fileInterface: false };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => {
  assert.ok(
    typeof v === 'object' && v !== null && !Array.isArray(v),
    `expected an object, got ${JSON.stringify(v)}`,
  );
  return v as Json;
};

function operations(doc: Json): { path: string; method: string; op: Json }[] {
  return Object.entries(obj(doc.paths)).flatMap(([path, item]) =>
    Object.entries(obj(item))
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ path, method, op: obj(op) })),
  );
}

/** Every `$ref` anywhere in the document, with where it was found. */
function refs(node: unknown, where = '#'): { ref: string; where: string }[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => refs(v, `${where}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [{ ref: v, where }] : refs(v, `${where}/${k}`),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  assert.ok(ref.startsWith('#/'), `only local references are used, got ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);
}

describe('OpenAPI document', () => {
  let app: FastifyInstance;
  let raw: string;
  let doc: Json;

  before(async () => {
    app = await buildApp(loadConfig({}, {}, { logLevel: 'silent' }));
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/json');
    raw = res.body;
    doc = JSON.parse(raw) as Json;
  });
  after(() => app.close());

  test('matches the committed snapshot (the public surface changes only on purpose)', () => {
    if (process.env.UPDATE_SNAPSHOTS === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(doc, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Json;
    assert.deepStrictEqual(
      doc,
      expected,
      `GET /openapi.json differs from ${SNAPSHOT}. If the change is intended, run ` +
        'UPDATE_SNAPSHOTS=1 node scripts/run-tests.mjs test/unit/http/openapi.test.ts and commit the snapshot.',
    );
  });

  test('is served byte for byte the same at /.well-known/reductionist-schema, trailing slash or not', async () => {
    for (const url of [
      '/.well-known/reductionist-schema',
      '/.well-known/reductionist-schema/',
      '/openapi.json/',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'application/json', url);
      assert.equal(res.body, raw, url);
    }
  });

  test('has the top-level structure of OpenAPI 3.1', () => {
    assert.match(String(doc.openapi), /^3\.1\.\d+$/);
    const info = obj(doc.info);
    assert.equal(typeof info.title, 'string');
    assert.equal(typeof info.version, 'string');
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    assert.equal(info.version, version);
    const allowedTop = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components'];
    for (const key of Object.keys(doc)) {
      assert.ok(
        [...allowedTop, 'security', 'tags', 'externalDocs'].includes(key),
        `unknown top-level key ${key}`,
      );
    }
    for (const path of Object.keys(obj(doc.paths))) assert.match(path, /^\//);
  });

  test('every operation is well formed: unique id, known tags and security schemes, described responses', () => {
    const tags = new Set((doc.tags as Json[]).map((t) => t.name));
    const schemes = new Set(Object.keys(obj(obj(doc.components).securitySchemes)));
    const ids = new Set<string>();
    for (const { path, method, op } of operations(doc)) {
      const where = `${method.toUpperCase()} ${path}`;
      assert.equal(typeof op.operationId, 'string', where);
      assert.ok(!ids.has(op.operationId as string), `${where}: duplicate operationId ${op.operationId}`);
      ids.add(op.operationId as string);
      for (const tag of (op.tags as string[]) ?? [])
        assert.ok(tags.has(tag), `${where}: undeclared tag ${tag}`);
      for (const requirement of (op.security as Json[]) ?? []) {
        for (const name of Object.keys(requirement))
          assert.ok(schemes.has(name), `${where}: unknown scheme ${name}`);
      }
      const responses = obj(op.responses);
      assert.ok(Object.keys(responses).length > 0, `${where}: no responses`);
      for (const [status, response] of Object.entries(responses)) {
        assert.match(status, /^([1-5]\d\d|default)$/, where);
        assert.equal(
          typeof obj(response).description,
          'string',
          `${where} ${status}: description is required`,
        );
      }
      if (op.requestBody !== undefined) assert.ok(obj(obj(op.requestBody).content), where);
    }
  });

  test('every $ref resolves', () => {
    const found = refs(doc);
    assert.ok(found.length > 0);
    for (const { ref, where } of found) {
      assert.notEqual(resolvePointer(doc, ref), undefined, `${ref} (at ${where}) does not resolve`);
    }
  });

  test('component schemas are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(obj(obj(doc.components).schemas))) {
      assert.doesNotThrow(() => ajv.compile(obj(schema)), name);
    }
  });

  test('documents exactly the routes the app serves', () => {
    // `printRoutes({ commonPrefix: false })` prints one `/path (METHODS)` line per route.
    const served = new Map<string, string[]>();
    for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
      const m = /(\/\S*) \(([A-Z, ]+)\)/.exec(line);
      if (m) served.set(m[1] as string, (m[2] as string).split(', '));
    }
    const documented = operations(doc);
    for (const { path, method } of documented) {
      assert.ok(
        app.hasRoute({ method: method.toUpperCase() as 'GET', url: path }),
        `documented ${method} ${path} is not served`,
      );
    }
    for (const [path, methods] of served) {
      // Parametric routes answer 404/405 for what is not an operation or asset; they are described in text.
      if (path.includes('/:')) continue;
      for (const method of methods.filter((m) => m !== 'HEAD')) {
        assert.ok(
          documented.some((d) => d.path === path && d.method === method.toLowerCase()),
          `served ${method} ${path} is not documented`,
        );
      }
    }
  });

  test('every op of the op table has a POST route in both versions with the statuses of API.md §9', () => {
    const routing = new Set(['UNSUPPORTED_OPERATION', 'ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED']);
    const errorStatuses = [
      ...new Set(
        Object.entries(ERROR_STATUS)
          .filter(([code]) => !routing.has(code))
          .map(([, status]) => String(status)),
      ),
    ].sort();
    const paths = obj(doc.paths);
    for (const version of ['v1', 'v2']) {
      for (const op of OP_NAMES) {
        const post = obj(obj(paths[`/${version}/${op}`]).post);
        const statuses = Object.keys(obj(post.responses));
        assert.deepEqual(statuses.sort(), ['200', ...errorStatuses].sort(), `/${version}/${op}`);
        for (const status of errorStatuses) {
          const content = obj(obj(obj(post.responses)[status]).content);
          assert.deepEqual(obj(content['application/json']).schema, {
            $ref: '#/components/schemas/ErrorBody',
          });
        }
      }
    }
    const opPaths = Object.keys(paths).filter((p) => /^\/v[12]\//.test(p));
    assert.equal(opPaths.length, 2 * OP_NAMES.length);
  });

  test('the v2 success is CBOR with the seven keys; the v1 success is octet-stream with the §3 headers', () => {
    const paths = obj(doc.paths);
    const v2 = obj(obj(obj(obj(obj(paths['/v2/sum']).post).responses)['200']).content);
    assert.deepEqual(Object.keys(v2), ['application/cbor']);
    const v2Schema = obj(resolvePointer(doc, obj(obj(v2['application/cbor']).schema).$ref as string));
    assert.deepEqual(Object.keys(obj(v2Schema.properties)), [
      'bytes',
      'dtype',
      'shape',
      'shape_as_bytes',
      'count',
      'count_as_bytes',
      'byte_order',
    ]);
    assert.deepEqual(v2Schema.required, Object.keys(obj(v2Schema.properties)));
    const v1 = obj(obj(obj(obj(paths['/v1/sum']).post).responses)['200']);
    assert.deepEqual(Object.keys(obj(v1.content)), ['application/octet-stream']);
    assert.deepEqual(Object.keys(obj(v1.headers)), [
      'Content-Length',
      'x-activestorage-dtype',
      'x-activestorage-shape',
      'x-activestorage-count',
      'x-activestorage-byte-order',
    ]);
  });

  test('every request example passes the server validation and the published JSON Schema', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ components: obj(doc.components) }, 'doc');
    let checked = 0;
    for (const { path, op } of operations(doc)) {
      if (op.requestBody === undefined) continue;
      const [, version, name] = /^\/(v[12])\/(\w+)$/.exec(path) ?? [];
      assert.ok(name !== undefined && isOpName(name), path);
      const media = obj(obj(obj(op.requestBody).content)['application/json']);
      const validate = ajv.getSchema(`doc${obj(media.schema).$ref as string}`);
      assert.ok(validate, `${path}: schema not found`);
      const examples = Object.entries(obj(media.examples));
      assert.ok(examples.length > 0, `${path}: no examples`);
      for (const [key, example] of examples) {
        const value = obj(example).value;
        assert.ok(validate(value), `${path} ${key}: ${JSON.stringify(validate.errors)}`);
        const parse = version === 'v1' ? parseV1Request : parseV2Request;
        assert.doesNotThrow(
          () => parse(name, parseJson(JSON.stringify(value)), undefined, LIMITS),
          `${path} ${key}`,
        );
        checked++;
      }
    }
    assert.ok(checked >= 4 * OP_NAMES.length);
  });

  test('the ErrorBody schema describes a real error response', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/sum',
      headers: { 'content-type': 'application/json' },
      payload:
        '{"interface_type": "s3", "url": "http://localhost:9000/b/k", "dtype": "int32", "selection": [[1, 2, 0]]}',
    });
    assert.equal(res.statusCode, 400);
    const body = JSON.parse(res.body) as unknown;
    assert.ok(errorBodySchema.safeParse(body).success, res.body);
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ components: obj(doc.components) }, 'doc');
    const validate = ajv.getSchema('doc#/components/schemas/ErrorBody');
    assert.ok(validate?.(body), JSON.stringify(validate?.errors));
  });
});
