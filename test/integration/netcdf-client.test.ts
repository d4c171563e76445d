/**
 * Real files reduced the way PyActiveStorage reduces them. netCDF4-python and h5py wrote test/fixtures/e2e/model.nc
 * and gzip-shuffle.h5, numcodecs the Zarr v2 chunks of tas.zarr/ (scripts/make-e2e-fixtures.py, which also read
 * each chunk's offset, size and filter pipeline from the HDF5 chunk index). They are uploaded to moto; then, for
 * every variable, whole and as a hyperslab across chunk boundaries, this test acts as the client: one v2 request per
 * chunk (POST {server}/v2/{op}/ with the trailing slash, Basic auth, the `…/{bucket}//{key}` URL PyActiveStorage
 * builds from an s3:// URI, the chunk's shape and chunk-local selection, every axis listed, `missing` from
 * _FillValue), 30 requests in flight like its thread pool, CBOR answers decoded and combined as the client does.
 * The combined answers must equal numpy's over the whole variable masked by its fill value.
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
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { basicAuth, type RunningApp, startApp } from '../support/start-app.js';

const FIXTURES = new URL('../fixtures/e2e/', import.meta.url);
const BUCKET = 'cmip';
/** PyActiveStorage's thread pool size: every chunk of a reduction is sent at once through it. */
const IN_FLIGHT = 30;
const OPS = ['sum', 'count', 'min', 'max'] as const;
type Op = (typeof OPS)[number];

interface Chunk {
  key: string;
  offset: number;
  size: number;
}

interface Expected {
  count: bigint;
  sum: JsonNumber;
  sumTol: number | null;
  min: JsonNumber;
  max: JsonNumber;
  mean: number;
  meanTol: number;
}

interface VariableCase {
  name: string;
  requests: { chunk: Chunk; selection: JsonValue }[];
  expected: Expected;
}

interface Variable {
  label: string;
  /** Wire fields shared by every chunk: dtype, byte_order, order, compression, filters, missing. */
  request: JsonObject;
  chunkShape: number[];
  ndim: number;
  /** PyActiveStorage's `…/{bucket}//{key}` form (from an s3:// URI) or the plain one. */
  doubleSlash: boolean;
  cases: VariableCase[];
}

function num(v: JsonValue | undefined): JsonNumber {
  assert.ok(v instanceof JsonNumber, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(isJsonObject(v), `expected an object, got ${JSON.stringify(v)}`);
  return v;
}

function list(v: JsonValue | undefined): JsonValue[] {
  assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
  return v;
}

function parseVariable(
  raw: JsonValue,
  label: string,
  fileKey: string | null,
  doubleSlash: boolean,
): Variable {
  const v = obj(raw);
  const chunks = list(v.chunks).map((c): Chunk => {
    const r = obj(c);
    const key = fileKey ?? String(r.key);
    return { key, offset: num(r.offset).toNumber(), size: num(r.size).toNumber() };
  });
  const cases = list(v.cases).map((c): VariableCase => {
    const r = obj(c);
    const e = obj(r.expected);
    return {
      name: String(r.name),
      requests: list(r.chunks).map((p) => {
        const q = obj(p);
        const chunk = chunks[num(q.chunk).toNumber()];
        assert.ok(chunk !== undefined);
        return { chunk, selection: q.selection ?? null };
      }),
      expected: {
        count: num(e.count).toBigInt(),
        sum: num(e.sum),
        sumTol: e.sum_tol === null ? null : num(e.sum_tol).toNumber(),
        min: num(e.min),
        max: num(e.max),
        mean: num(e.mean).toNumber(),
        meanTol: num(e.mean_tol).toNumber(),
      },
    };
  });
  const chunkShape = list(v.chunk_shape).map((n) => num(n).toNumber());
  return { label, request: obj(v.request), chunkShape, ndim: chunkShape.length, doubleSlash, cases };
}

const doc = obj(parseJson(readFileSync(new URL('variables.json', FIXTURES), 'utf8')));
const files = list(doc.files).map((f) => {
  const r = obj(f);
  return { file: String(r.file), key: String(r.key), variables: list(r.variables) };
});
const zarr = obj(doc.zarr);
const variables: Variable[] = [
  ...files.flatMap(({ file, key, variables: vars }) =>
    vars.map((v) => parseVariable(v, `${file}:${String(obj(v).name)}`, key, file.endsWith('.nc'))),
  ),
  parseVariable(zarr, String(zarr.name), null, false),
];
const versions = obj(doc.versions);

/** JSON text as Python's json.dumps writes it (requests' `json=`): `, ` and `: ` separators, literals kept. */
function pythonJson(v: JsonValue): string {
  if (v instanceof JsonNumber) return v.literal;
  if (Array.isArray(v)) return `[${v.map(pythonJson).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}: ${pythonJson(x)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(v);
}

function literal(n: number): JsonNumber {
  return new JsonNumber(String(n));
}

let s3: S3Server;
let server: RunningApp;

/** PyActiveStorage's request body for one chunk, its fields in the order its build_request_data writes them. */
function chunkBody(v: Variable, chunk: Chunk, selection: JsonValue): string {
  const r = v.request;
  const url = `${s3.endpoint}/${BUCKET}/${v.doubleSlash ? '/' : ''}${chunk.key}`;
  const body: JsonObject = {
    interface_type: 's3',
    url,
    dtype: r.dtype ?? null,
    byte_order: r.byte_order ?? null,
    offset: literal(chunk.offset),
    size: literal(chunk.size),
    order: r.order ?? null,
    shape: v.chunkShape.map(literal),
    selection,
  };
  if (r.compression !== undefined) body.compression = r.compression;
  if (r.filters !== undefined) body.filters = r.filters;
  if (r.missing !== undefined) body.missing = r.missing;
  body.axis = Array.from({ length: v.ndim }, (_, i) => literal(i));
  return pythonJson(body);
}

interface ChunkAnswer {
  dtype: string;
  shape: unknown;
  value: number | bigint;
  count: number;
}

interface Job {
  variable: Variable;
  caseIndex: number;
  op: Op;
  chunk: Chunk;
  selection: JsonValue;
}

function readScalar(bytes: Uint8Array, dtype: string): number | bigint {
  const b = Buffer.from(bytes);
  switch (dtype) {
    case 'float32':
      return b.readFloatLE(0);
    case 'float64':
      return b.readDoubleLE(0);
    case 'int16':
      return BigInt(b.readInt16LE(0));
    case 'int64':
      return b.readBigInt64LE(0);
    default:
      throw new Error(`no reader for ${dtype}`);
  }
}

let inFlight = 0;
let maxInFlight = 0;

async function send(job: Job): Promise<ChunkAnswer | string> {
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  try {
    return await exchange(job);
  } finally {
    inFlight--;
  }
}

async function exchange(job: Job): Promise<ChunkAnswer | string> {
  const res = await fetch(`${server.url}/v2/${job.op}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...basicAuth(s3.accessKey, s3.secretKey) },
    body: chunkBody(job.variable, job.chunk, job.selection),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200) return `${res.status} ${bytes.toString()}`;
  if (res.headers.get('content-type') !== 'application/cbor')
    return `content-type ${res.headers.get('content-type')}`;
  const r = decode(bytes) as { bytes: Uint8Array; dtype: string; shape: unknown; count: number[] };
  if (r.count.length !== 1) return `count ${JSON.stringify(r.count)} for a scalar result`;
  return { dtype: r.dtype, shape: r.shape, value: readScalar(r.bytes, r.dtype), count: r.count[0] as number };
}

/** Every chunk request of every variable, case and op, sent `limit` at a time. */
async function sendAll(jobs: Job[], limit: number): Promise<(ChunkAnswer | string)[]> {
  const out: (ChunkAnswer | string)[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        const job = jobs[i] as Job;
        out[i] = await send(job).catch((err: unknown) => `request failed: ${String(err)}`);
      }
    }),
  );
  return out;
}

const jobs: Job[] = variables.flatMap((variable) =>
  variable.cases.flatMap((c, caseIndex) =>
    OPS.flatMap((op) =>
      c.requests.map(({ chunk, selection }) => ({ variable, caseIndex, op, chunk, selection })),
    ),
  ),
);
let answers: (ChunkAnswer | string)[] = [];

before(async () => {
  [s3, server] = await Promise.all([startS3Server(), startApp()]);
  await s3.makeBucket(BUCKET);
  const uploads = files.map(({ file, key }) => s3.put(BUCKET, key, readFileSync(new URL(file, FIXTURES))));
  for (const c of list(zarr.chunks)) {
    const r = obj(c);
    uploads.push(s3.put(BUCKET, String(r.key), readFileSync(new URL(String(r.file), FIXTURES))));
  }
  await Promise.all(uploads);
  answers = await sendAll(jobs, IN_FLIGHT);
});
after(async () => {
  await Promise.all([server?.close(), s3?.stop()]);
});

interface Combined {
  sum: number | bigint;
  sumCount: number;
  count: number;
  min: number | bigint | undefined;
  max: number | bigint | undefined;
}

const INT_BITS: Record<string, number> = { int16: 16, int64: 64 };

/** What PyActiveStorage does with the per-chunk answers of one reduction. */
function combine(v: Variable, perOp: Record<Op, ChunkAnswer[]>): Combined {
  const dtype = String(v.request.dtype);
  const bits = INT_BITS[dtype];
  let sum: number | bigint;
  if (bits === undefined) {
    // Chunk sums added in float64 in chunk order and rounded once to the dtype. PyActiveStorage adds them with
    // numpy in the dtype; either way the result differs from numpy's whole-variable pairwise float32 sum by less
    // than the summation error bound the fixture gives as sum_tol: 2 (n + 2) eps(dtype) sum|x|.
    const total = perOp.sum.reduce((acc, a) => acc + Number(a.value), 0);
    sum = dtype === 'float32' ? Math.fround(total) : total;
  } else {
    // Integer sums wrap in the dtype, as numpy's sum of the chunk results does.
    sum = BigInt.asIntN(
      bits,
      perOp.sum.reduce((acc, a) => acc + BigInt(a.value), 0n),
    );
  }
  // A chunk with no present element answers min/max with a sentinel and count 0: the client skips it.
  const extreme = (answers: ChunkAnswer[], pick: (a: number | bigint, b: number | bigint) => boolean) =>
    answers
      .filter((a) => a.count > 0)
      .map((a) => a.value)
      .reduce<number | bigint | undefined>(
        (best, x) => (best === undefined || pick(x, best) ? x : best),
        undefined,
      );
  return {
    sum,
    sumCount: perOp.sum.reduce((acc, a) => acc + a.count, 0),
    count: perOp.count.reduce((acc, a) => acc + Number(a.value), 0),
    min: extreme(perOp.min, (a, b) => a < b),
    max: extreme(perOp.max, (a, b) => a > b),
  };
}

function checkCase(v: Variable, caseIndex: number): string[] {
  const c = v.cases[caseIndex] as VariableCase;
  const problems: string[] = [];
  const perOp = { sum: [], count: [], min: [], max: [] } as Record<Op, ChunkAnswer[]>;
  jobs.forEach((job, i) => {
    if (job.variable !== v || job.caseIndex !== caseIndex) return;
    const a = answers[i];
    const where = `${job.op} chunk @${job.chunk.offset} ${JSON.stringify(job.selection)}`;
    if (a === undefined || typeof a === 'string') {
      problems.push(`${where}: ${a}`);
      return;
    }
    const dtype = job.op === 'count' ? 'int64' : String(v.request.dtype);
    if (a.dtype !== dtype) problems.push(`${where}: dtype ${a.dtype}, expected ${dtype}`);
    if (JSON.stringify(a.shape) !== '[]')
      problems.push(`${where}: shape ${JSON.stringify(a.shape)}, expected []`);
    perOp[job.op].push(a);
  });
  if (problems.length > 0) return problems;

  const e = c.expected;
  const got = combine(v, perOp);
  const isInt = INT_BITS[String(v.request.dtype)] !== undefined;
  if (BigInt(got.count) !== e.count) problems.push(`count ${got.count}, numpy ${e.count}`);
  if (BigInt(got.sumCount) !== e.count) problems.push(`sum's count ${got.sumCount}, numpy ${e.count}`);
  if (isInt) {
    // Integers are exact, int64 beyond 2^53 included.
    if (got.sum !== e.sum.toBigInt()) problems.push(`sum ${got.sum}, numpy ${e.sum.literal}`);
    if (got.min !== e.min.toBigInt()) problems.push(`min ${got.min}, numpy ${e.min.literal}`);
    if (got.max !== e.max.toBigInt()) problems.push(`max ${got.max}, numpy ${e.max.literal}`);
  } else {
    const tol = e.sumTol ?? 0;
    if (!(Math.abs(Number(got.sum) - e.sum.toNumber()) <= tol)) {
      problems.push(`sum ${got.sum}, numpy ${e.sum.literal} (tolerance ${tol})`);
    }
    // min and max pick one stored element: exact.
    if (got.min !== e.min.toNumber()) problems.push(`min ${got.min}, numpy ${e.min.literal}`);
    if (got.max !== e.max.toNumber()) problems.push(`max ${got.max}, numpy ${e.max.literal}`);
  }
  // The client's mean: its sum divided by its count (the count that came with the sum).
  const mean = Number(got.sum) / got.sumCount;
  if (!(Math.abs(mean - e.mean) <= e.meanTol)) {
    problems.push(`mean ${mean}, numpy ${e.mean} (tolerance ${e.meanTol})`);
  }
  return problems;
}

describe(`PyActiveStorage-style reductions of netCDF4/HDF5/Zarr files (${jobs.length} chunk requests, ${IN_FLIGHT} in flight; netCDF4 ${String(versions.netCDF4)}, h5py ${String(versions.h5py)})`, () => {
  for (const v of variables) {
    const chunks = new Set(v.cases.flatMap((c) => c.requests.map((r) => r.chunk))).size;
    const chain = [
      v.request.compression ? String(obj(v.request.compression).id) : 'raw',
      ...(Array.isArray(v.request.filters) ? v.request.filters.map((f) => String(obj(f).id)) : []),
    ].join('+');
    for (const [i, c] of v.cases.entries()) {
      it(`${v.label} (${String(v.request.dtype)} ${String(v.request.byte_order)}, ${chain}, ${chunks} chunks): ${c.name} equals numpy`, () => {
        assert.deepEqual(checkCase(v, i), []);
      });
    }
  }

  it('every chunk request was answered (none lost among the 30 concurrent ones)', () => {
    assert.equal(answers.length, jobs.length);
    assert.equal(maxInFlight, IN_FLIGHT, 'the client kept 30 requests open at once');
    const failed = answers.filter((a) => typeof a === 'string');
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${jobs.length} requests failed`);
  });
});
