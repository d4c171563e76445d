/**
 * streamReducer against the buffered path: for random arrays (every dtype, 0-4 dimensions with sizes 0 and 1, C/F,
 * both byte orders), selections in the matrix generator's styles, every missing-rule kind and every reduce op, the
 * stored bytes go through the sink in random pieces (write() of any size, readBuffer()+filled(n) down to single
 * bytes that split elements) and finish() must equal computeChunk on a copy of the same bytes: dtype, shape,
 * counts and result bytes. The comparison is exact because both paths are documented to give the same answer;
 * numpy agreement of the buffered path is test/unit/ops/matrix.test.ts's job.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DTYPE_NAMES, type DType, dtypeInfo } from '../../../src/array/dtype.js';
import { type ComputePlan, computeChunk } from '../../../src/compute/chunk.js';
import { STREAM_BUFFER_BYTES, type StreamReducer, streamReducer } from '../../../src/compute/stream.js';
import { ActiveStorageError } from '../../../src/errors.js';
import { freeKernelMemory, kernelMemory } from '../../../src/ops/wasm-kernels.js';
import type { MissingRule, OpResult, Slice } from '../../../src/request/chunk-request.js';
import { parseJson } from '../../../src/request/json.js';
import { parseMissing } from '../../../src/request/missing.js';
import type { BodySink } from '../../../src/storage/byte-source.js';
import { uniform } from '../../support/prng.js';

type Rng = () => number;

/** Integer in [lo, hi], both included. */
function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

const OPS = ['sum', 'min', 'max', 'count', 'mean'] as const;
const SELECTIONS = ['none', 'positive', 'negative', 'reverse', 'strided', 'single', 'empty'] as const;
const MISSING_KINDS = [
  'none',
  'missing_value',
  'missing_values',
  'missing_values_empty',
  'valid_min',
  'valid_max',
  'valid_range',
] as const;
/** Slices are clamped to ±2^53 at the request edge (chunk-request.ts), so that is the largest bound they carry. */
const BIG = 2 ** 53;

/** Values drawn from a small pool, so equality-based missing rules find matches, plus the dtype's extremes. */
function valuePool(rng: Rng, dtype: DType): (number | bigint)[] {
  const info = dtypeInfo(dtype);
  if (info.family === 'float') {
    const round = dtype === 'float32' ? Math.fround : (x: number) => x;
    const pool: number[] = [];
    // Full-precision values of mixed magnitude, so that a different summation grouping shows in the last bit.
    for (let i = 0; i < 10; i++)
      pool.push(round((Math.exp((rng() - 0.5) * 12) * (rng() < 0.5 ? -1 : 1)) / 3));
    pool.push(round(0.1), -999, -0, 0);
    if (rng() < 0.2) pool.push(round(dtype === 'float32' ? 1e20 : 1e200));
    if (rng() < 0.2) pool.push(Number.NaN);
    if (rng() < 0.2) pool.push(Number.POSITIVE_INFINITY);
    if (rng() < 0.2) pool.push(Number.NEGATIVE_INFINITY);
    return pool;
  }
  if (info.isBigInt) {
    const lo = info.min;
    const hi = info.max;
    const pool: bigint[] = [lo, hi, 2n ** 53n + 1n, 2n ** 60n + 3n, 2n ** 62n - 5n];
    if (lo < 0n) pool.push(-(2n ** 53n) - 1n, -(2n ** 61n) - 7n);
    else pool.push(2n ** 63n + 11n, 2n ** 64n - 2n);
    for (let i = 0; i < 8; i++) pool.push(BigInt(int(rng, lo < 0n ? -20 : 0, 20)));
    return pool;
  }
  const lo = info.min;
  const hi = info.max;
  const pool: number[] = [lo, hi, lo + 1, hi - 1];
  for (let i = 0; i < 8; i++) pool.push(int(rng, Math.max(lo, -20), Math.min(hi, 20)));
  return pool;
}

/** Stored bytes of `values` in `byteOrder`. */
function encode(dtype: DType, values: (number | bigint)[], byteOrder: 'little' | 'big'): Uint8Array {
  const info = dtypeInfo(dtype);
  const bytes = new Uint8Array(values.length * info.itemsize);
  const dv = new DataView(bytes.buffer);
  const le = byteOrder === 'little';
  values.forEach((v, i) => {
    const at = i * info.itemsize;
    switch (dtype) {
      case 'int8':
        dv.setInt8(at, v as number);
        break;
      case 'uint8':
        dv.setUint8(at, v as number);
        break;
      case 'int16':
        dv.setInt16(at, v as number, le);
        break;
      case 'uint16':
        dv.setUint16(at, v as number, le);
        break;
      case 'int32':
        dv.setInt32(at, v as number, le);
        break;
      case 'uint32':
        dv.setUint32(at, v as number, le);
        break;
      case 'int64':
        dv.setBigInt64(at, v as bigint, le);
        break;
      case 'uint64':
        dv.setBigUint64(at, v as bigint, le);
        break;
      case 'float32':
        dv.setFloat32(at, v as number, le);
        break;
      case 'float64':
        dv.setFloat64(at, v as number, le);
        break;
    }
  });
  return bytes;
}

/** `[start, stop, step]` per dimension in the styles of scripts/make-matrix.py, for dimension lengths `shape`. */
function selectionFor(rng: Rng, kind: (typeof SELECTIONS)[number], shape: number[]): Slice[] | undefined {
  if (kind === 'none') return undefined;
  const emptyDim = int(rng, 0, shape.length - 1);
  return shape.map((n, d): Slice => {
    const m = Math.max(n, 1);
    switch (kind) {
      case 'positive': {
        const start = int(rng, 0, m - 1);
        const stop = rng() < 0.8 ? int(rng, start + 1, m) : BIG;
        return { start, stop, step: int(rng, 1, 2) };
      }
      case 'negative': {
        const start = rng() < 0.8 ? -int(rng, 1, m) : -BIG;
        return { start, stop: -int(rng, 0, 1) || n + 3, step: 1 };
      }
      case 'reverse': {
        const start = pick(rng, [-1, n - 1, n + 4, BIG]);
        const stop = rng() < 0.7 ? pick(rng, [-n - 1, -n - 5, -BIG]) : -int(rng, 1, m);
        return { start, stop, step: -int(rng, 1, 3) };
      }
      case 'strided':
        return { start: int(rng, 0, 1), stop: n, step: int(rng, 2, 4) };
      case 'single': {
        const i = int(rng, 0, m - 1);
        return rng() < 0.5
          ? { start: i, stop: i + 1, step: 1 }
          : { start: i - n, stop: i - n + 1 || n, step: 1 };
      }
      default:
        // 'empty': one dimension selects nothing.
        if (d !== emptyDim) return { start: 0, stop: n, step: 1 };
        return pick(rng, [
          { start: n, stop: n + 2, step: 1 },
          { start: 2, stop: 1, step: 1 },
          { start: 0, stop: 0, step: 1 },
          { start: -1, stop: n, step: -1 },
          { start: n + 3, stop: n + 9, step: 2 },
        ]);
    }
  });
}

/** A missing rule through the real wire parser (values converted to the dtype as in production). */
function missingFor(
  rng: Rng,
  kind: (typeof MISSING_KINDS)[number],
  dtype: DType,
  pool: (number | bigint)[],
): MissingRule | undefined {
  if (kind === 'none') return undefined;
  const finite = [...new Set(pool.filter((v) => typeof v === 'bigint' || Number.isFinite(v)))];
  const lit = (v: number | bigint): string => String(v);
  let text: string;
  switch (kind) {
    case 'missing_value':
      text = `{"missing_value":${lit(pick(rng, finite))}}`;
      break;
    case 'missing_values':
      text = `{"missing_values":[${Array.from({ length: int(rng, 1, 4) }, () => lit(pick(rng, finite))).join(',')}]}`;
      break;
    case 'missing_values_empty':
      text = '{"missing_values":[]}';
      break;
    case 'valid_min':
      text = `{"valid_min":${lit(pick(rng, finite))}}`;
      break;
    case 'valid_max':
      text = `{"valid_max":${lit(pick(rng, finite))}}`;
      break;
    case 'valid_range': {
      const a = pick(rng, finite);
      let b = pick(rng, finite);
      for (let i = 0; i < 20 && b === a; i++) b = pick(rng, finite);
      if (a === b) return undefined;
      const [lo, hi] = a < b ? [a, b] : [b, a];
      text = `{"valid_range":[${lit(lo)},${lit(hi)}]}`;
      break;
    }
  }
  const problems: string[] = [];
  const rule = parseMissing(parseJson(text), dtype, problems);
  assert.deepEqual(problems, [], text);
  return rule;
}

interface Case {
  plan: ComputePlan;
  stored: Uint8Array;
}

function randomShape(rng: Rng, large: boolean, itemsize: number): number[] | undefined {
  const ndim = int(rng, 0, 4);
  if (large) {
    // 300 KiB - 1.2 MiB: several 256 KiB read buffers, so elements and runs span buffer boundaries.
    const elements = Math.floor(int(rng, 300 * 1024, 1200 * 1024) / itemsize);
    if (ndim === 0) return undefined;
    const shape = new Array<number>(ndim).fill(1);
    let left = elements;
    for (let d = 0; d < ndim - 1; d++) {
      shape[d] = int(rng, 2, 9);
      left = Math.ceil(left / shape[d]!);
    }
    shape[ndim - 1] = left;
    return shape;
  }
  if (ndim === 0) return undefined;
  const limit = [0, 40, 8, 4, 3][ndim]!;
  return Array.from({ length: ndim }, () => (rng() < 0.08 ? 0 : rng() < 0.15 ? 1 : int(rng, 1, limit)));
}

function randomCase(rng: Rng, dtype: DType, large: boolean): Case {
  const info = dtypeInfo(dtype);
  const shape = randomShape(rng, large, info.itemsize);
  let count: number;
  if (shape !== undefined) count = shape.reduce((a, b) => a * b, 1);
  else count = large ? Math.floor(int(rng, 300 * 1024, 1200 * 1024) / info.itemsize) : int(rng, 0, 60);
  const pool = valuePool(rng, dtype);
  const values = Array.from({ length: count }, () => pick(rng, pool));
  const byteOrder = rng() < 0.5 ? 'little' : 'big';
  const order = rng() < 0.5 ? 'C' : 'F';
  const selection = shape === undefined ? undefined : selectionFor(rng, pick(rng, SELECTIONS), shape);
  const axes = shape !== undefined && rng() < 0.4 ? shape.map((_, i) => i) : undefined;
  const plan: ComputePlan = {
    op: pick(rng, OPS),
    array: { dtype, byteOrder, shape, order },
    selection,
    axes,
    compression: undefined,
    filters: [],
    missing: missingFor(rng, pick(rng, MISSING_KINDS), dtype, pool),
    maxDecodedBytes: 1 << 30,
  };
  return { plan, stored: encode(dtype, values, byteOrder) };
}

/** Bytes of one piece: mostly small (splitting elements), sometimes large (crossing read buffers). */
function pieceSize(rng: Rng, left: number): number {
  const r = rng();
  const size = r < 0.4 ? int(rng, 1, 17) : r < 0.8 ? int(rng, 1, 4096) : int(rng, 1, 700_000);
  return Math.min(size, left);
}

/**
 * Delivers `stored` through the sink as a transport would, in random pieces. Memory handed to `write` is scribbled
 * over after the call and a few bytes past `n` in a read buffer are junk, so a reducer that keeps a reference or
 * reads past what it was given shows up as a wrong result.
 */
function feed(sink: BodySink, stored: Uint8Array, rng: Rng): void {
  let at = 0;
  while (at < stored.length) {
    const size = pieceSize(rng, stored.length - at);
    if (rng() < 0.5) {
      const piece = stored.slice(at, at + size);
      sink.write(piece);
      piece.fill(0xa5);
      at += size;
    } else {
      const buf = sink.readBuffer();
      assert.ok(buf.length > 0, 'readBuffer() gave no room');
      const n = Math.min(size, buf.length);
      buf.set(stored.subarray(at, at + n));
      buf.fill(0x5a, n, Math.min(buf.length, n + 16));
      sink.filled(n);
      at += n;
    }
  }
}

function describeCase(c: Case): string {
  const { op, array, selection, axes, missing } = c.plan;
  return JSON.stringify(
    {
      op,
      ...array,
      bytes: c.stored.length,
      selection: selection?.map((s) => [s.start, s.stop, s.step]),
      axes,
      missing,
    },
    (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
}

/** Exact equality: float sums too, since both paths fold the same pieces in the same order. */
function same(a: OpResult, b: OpResult): string | undefined {
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} != ${b.dtype}`;
  if (JSON.stringify(a.shape) !== JSON.stringify(b.shape)) return `shape ${a.shape} != ${b.shape}`;
  if (JSON.stringify(a.counts) !== JSON.stringify(b.counts)) return `counts ${a.counts} != ${b.counts}`;
  const x = Buffer.from(a.bytes).toString('hex');
  const y = Buffer.from(b.bytes).toString('hex');
  return x === y ? undefined : `bytes ${x} != ${y}`;
}

function referenceCopy(stored: Uint8Array): Uint8Array {
  return Uint8Array.from(stored);
}

/** Streams one case and compares; a description of the difference, or undefined. */
function check(c: Case, rng: Rng): string | undefined {
  const expected = computeChunk(referenceCopy(c.stored), c.plan);
  const reducer = streamReducer(c.plan);
  if (reducer === undefined) return 'streamReducer declined a full reduction without codecs';
  try {
    const sink = reducer.open(c.stored.length);
    feed(sink, c.stored, rng);
    return same(reducer.finish(), expected);
  } finally {
    // Read buffers are reused, stale bytes and all, by the next case's reducer, as between requests.
    reducer.release();
  }
}

const seen = new Set<string>();

function noteCoverage(c: Case): void {
  const { op, array, selection, axes, missing } = c.plan;
  seen.add(`op:${op}`);
  seen.add(`rank:${array.shape?.length ?? 0}`);
  seen.add(`axes:${axes === undefined ? 'absent' : 'all'}`);
  seen.add(`missing:${missing?.kind ?? 'none'}`);
  seen.add(`order:${array.order}/${array.byteOrder}`);
  if (array.shape?.includes(0)) seen.add('zero-size');
  if (selection?.some((s) => s.step < 0)) seen.add('negative-step');
  if (c.stored.length > 2 * STREAM_BUFFER_BYTES) seen.add('large');
}

const CASES_PER_DTYPE = 60;
const LARGE_PER_DTYPE = 3;

describe('streamReducer matches computeChunk for any split of the body', () => {
  DTYPE_NAMES.forEach((dtype, d) => {
    it(`${dtype}: ${CASES_PER_DTYPE} small and ${LARGE_PER_DTYPE} large random cases`, () => {
      const rng = uniform(0x5eed + d);
      const failures: string[] = [];
      for (let i = 0; i < CASES_PER_DTYPE + LARGE_PER_DTYPE; i++) {
        const c = randomCase(rng, dtype, i >= CASES_PER_DTYPE);
        const problem = check(c, rng);
        noteCoverage(c);
        if (problem !== undefined) failures.push(`case ${i} ${describeCase(c)}: ${problem}`);
      }
      assert.deepEqual(failures, []);
    });
  });

  it('covered every op, shape rank, missing kind and both axes forms', () => {
    // The cases are drawn independently; this pins that the draws above did reach each of these.
    for (const want of [
      ...OPS.map((op) => `op:${op}`),
      ...[0, 1, 2, 3, 4].map((r) => `rank:${r}`),
      'axes:absent',
      'axes:all',
      'missing:none',
      'missing:values',
      'missing:range',
      'zero-size',
      'negative-step',
      'large',
      'order:C/little',
      'order:F/big',
    ]) {
      assert.ok(seen.has(want), want);
    }
  });
});

function basePlan(overrides: Partial<ComputePlan> = {}): ComputePlan {
  return {
    op: 'sum',
    array: { dtype: 'int32', byteOrder: 'little', shape: [3, 4], order: 'C' },
    selection: undefined,
    axes: undefined,
    compression: undefined,
    filters: [],
    missing: undefined,
    maxDecodedBytes: 1 << 30,
    ...overrides,
  };
}

function thrown(run: () => unknown): ActiveStorageError {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof ActiveStorageError, String(err));
    return err;
  }
  assert.fail('expected an error');
}

describe('streamReducer declines what it cannot stream', () => {
  it('declines compression and filters', () => {
    assert.equal(streamReducer(basePlan({ compression: { id: 'zlib' } })), undefined);
    assert.equal(streamReducer(basePlan({ filters: [{ id: 'shuffle', elementSize: 4 }] })), undefined);
  });

  it('declines select', () => {
    assert.equal(streamReducer(basePlan({ op: 'select' })), undefined);
  });

  it('declines partial and empty axis lists, and all axes listed out of order', () => {
    assert.equal(streamReducer(basePlan({ axes: [0] })), undefined);
    assert.equal(streamReducer(basePlan({ axes: [1] })), undefined);
    assert.equal(streamReducer(basePlan({ axes: [] })), undefined);
    assert.equal(streamReducer(basePlan({ axes: [1, 0] })), undefined);
    assert.notEqual(streamReducer(basePlan({ axes: [0, 1] })), undefined);
  });

  it('declines a selection with the wrong number of dimensions, for the buffered path to report', () => {
    assert.equal(streamReducer(basePlan({ selection: [{ start: 0, stop: 2, step: 1 }] })), undefined);
  });
});

describe('StreamReducer.open checks the length like the buffered path', () => {
  const cases: { name: string; plan: ComputePlan; length: number }[] = [
    { name: 'shape needs more bytes', plan: basePlan(), length: 44 },
    { name: 'shape needs fewer bytes', plan: basePlan(), length: 52 },
    {
      name: 'no shape, not a multiple of the item size',
      plan: basePlan({ array: { dtype: 'float64', byteOrder: 'big', shape: undefined, order: 'C' } }),
      length: 20,
    },
  ];
  for (const { name, plan, length } of cases) {
    it(`${name}: INVALID_REQUEST with the buffered path's message`, () => {
      const reducer = streamReducer(plan) as StreamReducer;
      assert.ok(reducer);
      const streamed = thrown(() => reducer.open(length));
      const buffered = thrown(() => computeChunk(new Uint8Array(length), plan));
      assert.equal(streamed.code, 'INVALID_REQUEST');
      assert.deepEqual(
        { code: streamed.code, message: streamed.message, causedBy: streamed.causedBy },
        { code: buffered.code, message: buffered.message, causedBy: buffered.causedBy },
      );
    });
  }

  it('the buffered path sums an empty 64-bit chunk (the reference for an empty streamed body)', () => {
    for (const dtype of ['int64', 'uint64'] as const) {
      const plan = basePlan({ array: { dtype, byteOrder: 'little', shape: undefined, order: 'C' } });
      const streamed = streamReducer(plan) as StreamReducer;
      streamed.open(0);
      assert.deepEqual(computeChunk(new Uint8Array(0), plan), streamed.finish());
    }
  });

  it('finish() refuses a body that stopped short, even mid-element', () => {
    const reducer = streamReducer(basePlan()) as StreamReducer;
    const sink = reducer.open(48);
    sink.write(new Uint8Array(46));
    assert.throws(() => reducer.finish(), /the body ended before every selected element was folded/);
  });
});

/** `n` float64 values of mixed magnitude with full mantissas, so any change of summation grouping can show. */
function float64Body(seed: number, n: number): Uint8Array {
  const rng = uniform(seed);
  const values = Float64Array.from(
    { length: n },
    () => (Math.exp((rng() - 0.5) * 20) * (rng() < 0.5 ? -1 : 1)) / 3,
  );
  return new Uint8Array(values.buffer);
}

function sumPlan(shape: number[], selection: Slice[] | undefined): ComputePlan {
  return basePlan({ array: { dtype: 'float64', byteOrder: 'little', shape, order: 'C' }, selection });
}

function streamed(plan: ComputePlan, body: Uint8Array, pieces: (rng: Rng) => number, seed: number): string {
  const reducer = streamReducer(plan) as StreamReducer;
  const sink = reducer.open(body.length);
  const rng = uniform(seed);
  for (let at = 0; at < body.length; ) {
    const n = Math.min(body.length - at, pieces(rng));
    sink.write(body.subarray(at, at + n));
    at += n;
  }
  const result = Buffer.from(reducer.finish().bytes).toString('hex');
  reducer.release();
  return result;
}

describe('float sums stream to the buffered answer bit for bit', () => {
  it('when the body arrives in one piece', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const body = float64Body(seed, 3000);
      const plan = sumPlan([3000], undefined);
      const expected = Buffer.from(computeChunk(Uint8Array.from(body), plan).bytes).toString('hex');
      assert.equal(
        streamed(plan, body, () => body.length, seed),
        expected,
        `seed ${seed}`,
      );
    }
  });

  it('whatever the read sizes', () => {
    const differing: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      // 30,000 elements: several fold blocks, reads of 1 byte to 100 KiB that end anywhere.
      const body = float64Body(seed, 30_000);
      const plan = sumPlan([30_000], undefined);
      const expected = Buffer.from(computeChunk(Uint8Array.from(body), plan).bytes).toString('hex');
      const small = streamed(plan, body, (rng) => int(rng, 1, 200), seed);
      const large = streamed(plan, body, (rng) => int(rng, 1, 100_000), seed);
      if (small !== expected || large !== expected) differing.push(seed);
    }
    assert.deepEqual(differing, []);
  });

  it('over a reversed strided selection', () => {
    const differing: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const body = float64Body(seed, 1000);
      const plan = sumPlan([1000], [{ start: -1, stop: -BIG, step: -2 }]);
      const expected = Buffer.from(computeChunk(Uint8Array.from(body), plan).bytes).toString('hex');
      if (streamed(plan, body, () => body.length, seed) !== expected) differing.push(seed);
    }
    assert.deepEqual(differing, []);
  });
});

describe('a reducer that never gets a body', () => {
  it('takes no read buffer, so reducers refused by the memory budget cannot use up the kernel memory', () => {
    const plan = basePlan();
    // Far more than the kernel memory holds read buffers for (~100 at the default 32 MiB).
    // Made and dropped without release(), as when the memory budget refuses the request before it starts.
    for (let i = 0; i < 500; i++) streamReducer(plan);
    const reducer = streamReducer(plan) as StreamReducer;
    const sink = reducer.open(48);
    const probe = kernelMemory(16);
    if (probe !== undefined) {
      assert.equal(
        sink.readBuffer().buffer,
        probe.buffer,
        'the read buffer still comes from the kernel memory',
      );
      freeKernelMemory(probe);
    }
    reducer.release();
  });
});

describe('StreamReducer.release', () => {
  it('never lets two live reducers share a read buffer, even when released twice', () => {
    const rng = uniform(99);
    const plan = basePlan({ array: { dtype: 'int16', byteOrder: 'big', shape: [70_000, 3], order: 'F' } });
    const bodies = [0, 1, 2].map(() => Uint8Array.from({ length: 420_000 }, () => int(rng, 0, 255)));
    const expected = bodies.map((b) => computeChunk(Uint8Array.from(b), plan));
    const first = streamReducer(plan) as StreamReducer;
    first.release();
    first.release();
    const live = bodies.map(() => streamReducer(plan) as StreamReducer);
    const sinks = live.map((r, i) => r.open(bodies[i]!.length));
    // Interleaved reads that split elements: any shared memory would mix the bodies.
    const at = [0, 0, 0];
    while (at.some((a, i) => a < bodies[i]!.length)) {
      for (let i = 0; i < 3; i++) {
        const body = bodies[i]!;
        if (at[i]! >= body.length) continue;
        const buf = sinks[i]!.readBuffer();
        const n = Math.min(buf.length, body.length - at[i]!, int(rng, 1, 100_000));
        buf.set(body.subarray(at[i]!, at[i]! + n));
        sinks[i]!.filled(n);
        at[i]! += n;
      }
    }
    live.forEach((r, i) => {
      assert.deepEqual(r.finish(), expected[i]);
      r.release();
    });
  });
});
