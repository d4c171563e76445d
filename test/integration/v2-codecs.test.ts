/**
 * Every codec chain end to end (test/fixtures/e2e/codecs.json, from scripts/make-e2e-fixtures.py): arrays encoded
 * by the reference implementations (numcodecs, python-blosc2) sit at unaligned offsets inside one object in a
 * SigV4-checking S3 server (moto); each case is posted to our server with its `compression` and `filters` exactly as
 * a client sends them, and the answer must equal numpy's (test/support/matrix.ts holds the comparison rule). A
 * sample goes through v1 too, and a few corrupt objects must fail with a 400 that says why. Decode-level failures
 * (bombs, truncation, every codec's corrupt input) are covered by test/unit/decode/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { decode } from 'cbor2';
import {
  isJsonObject,
  JsonNumber,
  type JsonObject,
  type JsonValue,
  parseJson,
} from '../../src/request/json.js';
import { mapLimit } from '../support/map-limit.js';
import { type ActualResult, compareResult, type ExpectedResult, stringifyJson } from '../support/matrix.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { basicAuth, type RunningApp, startApp } from '../support/start-app.js';

const FIXTURES = new URL('../fixtures/e2e/', import.meta.url);
const BUCKET = 'codecs';
const KEY = 'e2e/codec chunks (all chains).bin';

interface CodecCase {
  name: string;
  op: string;
  request: JsonObject;
  object: number;
  expected: ExpectedResult;
}

interface StoredObject {
  name: string;
  offset: number;
  size: number;
}

interface FailureCase extends StoredObject {
  request: JsonObject;
  status: number;
  message: string;
  causedByContains: string;
}

function num(v: JsonValue | undefined): number {
  assert.ok(v instanceof JsonNumber, `expected a number, got ${JSON.stringify(v)}`);
  return v.toNumber();
}

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(isJsonObject(v), `expected an object, got ${JSON.stringify(v)}`);
  return v;
}

function list(v: JsonValue | undefined): JsonValue[] {
  assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
  return v;
}

function loadFixture() {
  const doc = obj(parseJson(readFileSync(new URL('codecs.json', FIXTURES), 'utf8')));
  const objects = list(doc.objects).map((o): StoredObject => {
    const r = obj(o);
    return { name: String(r.name), offset: num(r.offset), size: num(r.size) };
  });
  const cases = list(doc.cases).map((c): CodecCase => {
    const r = obj(c);
    const e = obj(r.expected);
    return {
      name: String(r.name),
      op: String(r.op),
      request: obj(r.request),
      object: num(r.object),
      expected: {
        dtype: String(e.dtype),
        shape: list(e.shape).map(num),
        bytes: String(e.bytes),
        count: list(e.count).map(num),
        tol: Array.isArray(e.tol) ? e.tol.map((t) => (t === null ? null : num(t))) : undefined,
      },
    };
  });
  const failures = list(doc.failures).map((f): FailureCase => {
    const r = obj(f);
    return {
      name: String(r.name),
      offset: num(r.offset),
      size: num(r.size),
      request: obj(r.request),
      status: num(r.status),
      message: String(r.message),
      causedByContains: String(r.caused_by_contains),
    };
  });
  const blob = readFileSync(new URL(String(doc.blob), FIXTURES));
  return { versions: obj(doc.versions), objects, cases, failures, blob };
}

const { versions, objects, cases, failures, blob } = loadFixture();

let s3: S3Server;
let server: RunningApp;

before(async () => {
  [s3, server] = await Promise.all([startS3Server(), startApp()]);
  await s3.makeBucket(BUCKET);
  await s3.put(BUCKET, KEY, blob);
});
after(async () => {
  await Promise.all([server?.close(), s3?.stop()]);
});

/** The fixture's wire fields after the location fields; literals (int64, float32 missing values) kept exactly. */
function bodyText(location: string, where: StoredObject, request: JsonObject): string {
  const fields = stringifyJson(request).slice(1, -1);
  return `{${location},"offset":${where.offset},"size":${where.size}${fields ? `,${fields}` : ''}}`;
}

function v2Location(): string {
  return `"interface_type":"s3","url":${JSON.stringify(`${s3.endpoint}/${BUCKET}/${encodeURI(KEY)}`)}`;
}

async function post(path: string, body: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...basicAuth(s3.accessKey, s3.secretKey) },
    body,
  });
}

function objectOf(c: CodecCase): StoredObject {
  const where = objects[c.object];
  assert.ok(where !== undefined, `${c.name}: object ${c.object} is not in the fixture`);
  return where;
}

async function runV2(c: CodecCase): Promise<string | undefined> {
  const res = await post(`/v2/${c.op}`, bodyText(v2Location(), objectOf(c), c.request));
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return `${c.name}: ${res.status} ${bytes.toString()}`;
  const r = decode(bytes) as Record<string, unknown>;
  const got: ActualResult = {
    dtype: r.dtype as string,
    shape: r.shape as number[],
    bytes: r.bytes as Uint8Array,
    count: r.count as number[],
  };
  const problem = compareResult(got, c.expected);
  return problem === undefined ? undefined : `${c.name}: ${problem}`;
}

async function runV1(c: CodecCase): Promise<string | undefined> {
  const location = `"source":${JSON.stringify(s3.endpoint)},"bucket":"${BUCKET}","object":${JSON.stringify(KEY)}`;
  const res = await post(`/v1/${c.op}/`, bodyText(location, objectOf(c), c.request));
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return `${c.name} (v1): ${res.status} ${bytes.toString()}`;
  const header = (name: string): string => res.headers.get(name) ?? '';
  if (header('content-type') !== 'application/octet-stream')
    return `${c.name} (v1): ${header('content-type')}`;
  const got: ActualResult = {
    dtype: header('x-activestorage-dtype'),
    shape: JSON.parse(header('x-activestorage-shape')) as number[],
    bytes,
    count: JSON.parse(header('x-activestorage-count')) as number[],
  };
  const problem = compareResult(got, c.expected);
  return problem === undefined ? undefined : `${c.name} (v1): ${problem}`;
}

const chains = new Set(cases.map((c) => c.name.split(' | ')[0]));

describe(`codec chains through the server (${cases.length} cases, ${objects.length} objects, ${chains.size} chains, numcodecs ${String(versions.numcodecs)})`, () => {
  it('every chain × dtype × op matches numpy through v2', async () => {
    const results = await mapLimit(cases, 8, runV2);
    const failed = results.filter((f) => f !== undefined);
    assert.deepEqual(failed.slice(0, 20), [], `${failed.length} of ${cases.length} cases failed`);
  });

  it('a sample of the same cases gives the same answers through v1', async () => {
    // One case of every chain, a different op each time.
    const sample = [...chains].map((chain, i) => {
      const ofChain = cases.filter((c) => c.name.startsWith(`${chain} | `));
      return ofChain[(i * 7) % ofChain.length] as CodecCase;
    });
    const results = await mapLimit(sample, 8, runV1);
    assert.deepEqual(
      results.filter((f) => f !== undefined),
      [],
    );
  });

  for (const f of failures) {
    it(`refuses a ${f.name}: ${f.status} "${f.message}"`, async () => {
      const res = await post('/v2/sum', bodyText(v2Location(), f, f.request));
      const text = await res.text();
      assert.equal(res.status, f.status, text);
      assert.equal(res.headers.get('content-type'), 'application/json');
      const body = JSON.parse(text) as { error: { message: string; caused_by?: string[] } };
      assert.equal(body.error.message, f.message, text);
      assert.ok(
        (body.error.caused_by ?? []).some((cause) => cause.includes(f.causedByContains)),
        `caused_by should mention "${f.causedByContains}": ${text}`,
      );
    });
  }
});
