/**
 * The numpy-generated case matrix (test/fixtures/matrix.json, from scripts/make-matrix.py): loading it losslessly,
 * re-serialising wire fields without losing int64 precision, and the one comparison rule every matrix test uses.
 *
 * Comparison: integer results, counts, dtypes and shapes exactly. Float results numerically (NaN equals NaN, -0
 * equals 0: numpy's min/max may pick either zero). Where the fixture gives a per-element `tol` (float sums and
 * means) the difference may be up to that bound: numpy sums float32 in float32 with its own pairwise order, we sum
 * in float64 and round once, so the two agree only within the summation error bound the generator writes down.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dtypeInfo, isDType } from '../../src/array/dtype.js';
import {
  isJsonObject,
  JsonNumber,
  type JsonObject,
  type JsonValue,
  parseJson,
} from '../../src/request/json.js';

export interface ExpectedResult {
  dtype: string;
  shape: number[];
  bytes: string;
  count: number[];
  tol: (number | null)[] | undefined;
}

export interface RawMatrixCase {
  name: string;
  op: string;
  /** Wire fields exactly as the generator wrote them (numbers keep their literal text). */
  request: JsonObject;
  data: Uint8Array;
  expected: ExpectedResult;
}

export interface ActualResult {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
  count: number[];
}

function num(v: JsonValue | undefined): number {
  assert.ok(v instanceof JsonNumber, `expected a number, got ${JSON.stringify(v)}`);
  return v.toNumber();
}

export function loadMatrix(): { numpy: string; cases: RawMatrixCase[]; fixture: JsonObject } {
  const fixture = parseJson(readFileSync(new URL('../fixtures/matrix.json', import.meta.url), 'utf8'));
  assert.ok(isJsonObject(fixture) && Array.isArray(fixture.cases));
  const cases = fixture.cases.map((raw): RawMatrixCase => {
    assert.ok(isJsonObject(raw) && isJsonObject(raw.request) && isJsonObject(raw.expected));
    const exp = raw.expected;
    const tol = exp.tol;
    return {
      name: String(raw.name),
      op: String(raw.op),
      request: raw.request,
      data: Uint8Array.from(Buffer.from(String(raw.data), 'hex')),
      expected: {
        dtype: String(exp.dtype),
        shape: (exp.shape as JsonValue[]).map(num),
        bytes: String(exp.bytes),
        count: (exp.count as JsonValue[]).map(num),
        tol: Array.isArray(tol) ? tol.map((t) => (t === null ? null : num(t))) : undefined,
      },
    };
  });
  return { numpy: String(fixture.numpy), cases, fixture };
}

/** JSON text of a lossless tree: numbers are written back exactly as they were read. */
export function stringifyJson(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (v instanceof JsonNumber) return v.literal;
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringifyJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function floats(b: Buffer, itemsize: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length; i += itemsize)
    out.push(itemsize === 4 ? b.readFloatLE(i) : b.readDoubleLE(i));
  return out;
}

/** Returns a failure description, or undefined when `got` matches `e`. */
export function compareResult(got: ActualResult, e: ExpectedResult): string | undefined {
  const hex = Buffer.from(got.bytes).toString('hex');
  if (got.dtype !== e.dtype) return `dtype ${got.dtype}, expected ${e.dtype}`;
  if (JSON.stringify(got.shape) !== JSON.stringify(e.shape))
    return `shape ${JSON.stringify(got.shape)} vs ${e.shape}`;
  if (JSON.stringify(got.count) !== JSON.stringify(e.count))
    return `count ${JSON.stringify(got.count)} vs ${e.count}`;
  if (!isDType(got.dtype) || dtypeInfo(got.dtype).family !== 'float') {
    return hex === e.bytes ? undefined : `bytes ${hex}, expected ${e.bytes}`;
  }
  const itemsize = dtypeInfo(got.dtype).itemsize;
  const a = floats(Buffer.from(got.bytes), itemsize);
  const b = floats(Buffer.from(e.bytes, 'hex'), itemsize);
  if (a.length !== b.length) return `${a.length} elements, expected ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const tol = e.tol?.[i] ?? null;
    const ok = Number.isNaN(y) ? Number.isNaN(x) : tol === null ? x === y : Math.abs(x - y) <= tol;
    if (!ok) return `element ${i}: ${x}, expected ${y}${tol === null ? '' : ` within ${tol}`}`;
  }
  return undefined;
}
