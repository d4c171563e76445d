/**
 * The WASM SIMD folds (src/ops/wasm-kernels.ts) against the TypeScript folds they replace, on random data: every
 * op x dtype x missing-plan kind x stride x length (0..300 around the pairwise block edges, and long runs that pass
 * through the scratch in pieces), with NaN, infinities, -0 and missing values present, data inside the kernels'
 * memory (folded in place) and outside it (copied in blocks), and runs split over several folds of one Acc with
 * WASM and TypeScript folds mixed. Results must be identical: every output bit (NaN compared as NaN) and the count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { swapBytesInPlace } from '../../../src/array/byte-order.js';
import {
  type AnyTypedArray,
  DTYPE_NAMES,
  type DType,
  type DTypeInfo,
  dtypeInfo,
} from '../../../src/array/dtype.js';
import { planMissing } from '../../../src/array/missing.js';
import { Acc, attachWords, type ReduceSpec } from '../../../src/ops/op-spec.js';
import {
  type AnyFold,
  type AnyPlan,
  pickFold,
  pickSwappedFold,
  pickTsFold,
} from '../../../src/ops/reduce.js';
import { OPS } from '../../../src/ops/registry.js';
import { freeKernelMemory, kernelMemory, wasmKernelsActive } from '../../../src/ops/wasm-kernels.js';
import type { MissingRule } from '../../../src/request/chunk-request.js';
import { uniform } from '../../support/prng.js';

const MISSING = 7;
const FLOAT_SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, 5e-324, 1e308];

/**
 * Random elements for `info`: floats spread over 20 orders of magnitude and both signs (so a different summation
 * order gives a different float64), with `specials` of the float specials; integers over the dtype's whole range.
 * About one element in 8 is the missing value 7, one in 16 is zero.
 */
function fill(a: AnyTypedArray, info: DTypeInfo, rnd: () => number, specials: boolean): void {
  for (let i = 0; i < a.length; i++) {
    const r = rnd();
    if (info.isBigInt) {
      const hi = BigInt(Math.floor(rnd() * 4294967296));
      const lo = BigInt(Math.floor(rnd() * 4294967296));
      const v = r < 0.125 ? BigInt(MISSING) : r < 0.19 ? 0n : (hi << 32n) | lo;
      (a as BigInt64Array)[i] = info.family === 'int' ? BigInt.asIntN(64, v) : v;
    } else if (info.family === 'float') {
      const x =
        r < 0.125
          ? MISSING
          : r < 0.19
            ? rnd() < 0.5
              ? 0
              : -0
            : specials && r < 0.21
              ? FLOAT_SPECIALS[Math.floor(rnd() * FLOAT_SPECIALS.length)]!
              : (rnd() - 0.5) * 10 ** Math.floor(rnd() * 20 - 10);
      (a as Float64Array)[i] = x;
    } else {
      (a as Int32Array)[i] =
        r < 0.125 ? MISSING : r < 0.19 ? 0 : info.min + Math.floor(rnd() * (info.max - info.min + 1));
    }
  }
}

/**
 * Makes every float element's magnitude carry `sign`, zeros keeping theirs: min (sign 1) or max (-1) is then often
 * a zero, whose sign must come out as Math.min/max give it whatever the order of the elements.
 */
function oneSigned(a: Float64Array, sign: number): void {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x !== 0 && !Number.isNaN(x)) a[i] = sign * Math.abs(x);
  }
}

/** The missing rules whose plans have WASM kernels: one missing value, a valid range (bounds off the float32 grid). */
function rules(info: DTypeInfo): (MissingRule | undefined)[] {
  const seven = info.isBigInt ? BigInt(MISSING) : MISSING;
  const range: MissingRule = info.isBigInt
    ? info.family === 'int'
      ? { kind: 'range', min: -(1n << 62n), max: 1n << 62n }
      : { kind: 'range', min: 1n << 60n, max: 1n << 63n }
    : info.family === 'float'
      ? { kind: 'range', min: -0.1, max: 1e5 + 0.1 }
      : { kind: 'range', min: info.min / 2 - 0.5, max: info.max / 2 + 0.5 };
  return [undefined, { kind: 'values', values: [seven] }, range];
}

const OP_NAMES = ['sum', 'mean', 'min', 'max', 'count'] as const;

function sameBits(a: AnyTypedArray, b: AnyTypedArray): boolean {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** identity, `folds` over consecutive pieces of the run, finish: the output element and the count. */
function reduceRun(
  spec: ReduceSpec,
  info: DTypeInfo,
  plan: AnyPlan,
  folds: AnyFold[],
  data: AnyTypedArray,
  start: number,
  stride: number,
  n: number,
): { out: AnyTypedArray; n: number } {
  const acc = new Acc();
  if (info.isBigInt) attachWords(acc, data, info);
  spec.identity(acc, info);
  let k = 0;
  folds.forEach((fold, j) => {
    const len = j === folds.length - 1 ? n - k : Math.floor(n / folds.length);
    fold(acc, data, start + k * stride, stride, len, plan);
    k += len;
  });
  const outInfo = dtypeInfo(spec.resultDType(info.name));
  const out = new outInfo.arrayType(new ArrayBuffer(outInfo.itemsize));
  spec.finish(acc, info, out, 0);
  return { out, n: acc.n };
}

/** A typed array of `length` elements in the kernels' memory (in place) or in ordinary memory (copied in blocks). */
function place(info: DTypeInfo, length: number, inKernelMemory: boolean): AnyTypedArray {
  const bytes = inKernelMemory ? kernelMemory(length * info.itemsize) : undefined;
  if (inKernelMemory) assert.ok(bytes !== undefined, 'kernel memory exhausted');
  const buffer = bytes?.buffer ?? new ArrayBuffer(length * info.itemsize);
  return new info.arrayType(buffer, bytes?.byteOffset ?? 0, length);
}

function release(a: AnyTypedArray): void {
  freeKernelMemory(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/**
 * `data` with every element's bytes reversed, placed as `data` is (kernel memory or not): what a big-endian chunk
 * holds before anything swaps it.
 */
function reversedCopy(info: DTypeInfo, data: AnyTypedArray, inKernelMemory: boolean): AnyTypedArray {
  const copy = place(info, data.length, inKernelMemory);
  const bytes = new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  swapBytesInPlace(bytes, info.itemsize);
  return copy;
}

/**
 * The byte-swapping folds (pickSwappedFold) over `reversed` against the TypeScript folds over `data`, the same
 * elements in host order; returns what disagreed. A swapping fold must exist for every op and rule here.
 */
function compareSwapped(
  dtype: DType,
  data: AnyTypedArray,
  reversed: AnyTypedArray,
  start: number,
  stride: number,
  n: number,
  label: string,
): string[] {
  const info = dtypeInfo(dtype);
  const problems: string[] = [];
  for (const rule of rules(info)) {
    const plan = planMissing(rule, info);
    for (const name of OP_NAMES) {
      const spec = OPS[name] as ReduceSpec;
      const swapped = pickSwappedFold(spec, info, plan);
      const ts = pickTsFold(spec, info, plan);
      const what = `${label} ${name} ${rule === undefined ? 'none' : rule.kind}`;
      if (swapped === undefined) {
        if (wasmKernelsActive()) problems.push(`${what}: no byte-swapping fold`);
        continue;
      }
      const cases = [
        ['one fold', [swapped], [ts]],
        ['three folds', [swapped, swapped, swapped], [ts, ts, ts]],
      ] as const;
      for (const [how, gotFolds, wantFolds] of cases) {
        const g = reduceRun(spec, info, plan, [...gotFolds], reversed, start, stride, n);
        const w = reduceRun(spec, info, plan, [...wantFolds], data, start, stride, n);
        if (!sameBits(g.out, w.out) || g.n !== w.n) {
          problems.push(`${what} ${how}: swapped ${g.out[0]} (count ${g.n}), ts ${w.out[0]} (count ${w.n})`);
        }
      }
    }
  }
  return problems;
}

/** Runs every op over the case; returns what disagreed. */
function compare(
  dtype: DType,
  data: AnyTypedArray,
  start: number,
  stride: number,
  n: number,
  label: string,
): string[] {
  const info = dtypeInfo(dtype);
  const problems: string[] = [];
  for (const rule of rules(info)) {
    const plan = planMissing(rule, info);
    for (const name of OP_NAMES) {
      const spec = OPS[name] as ReduceSpec;
      const wasm = pickFold(spec, info, plan);
      const ts = pickTsFold(spec, info, plan);
      const want = reduceRun(spec, info, plan, [ts], data, start, stride, n);
      const splitWant = reduceRun(spec, info, plan, [ts, ts, ts], data, start, stride, n);
      const got = [
        ['one fold', reduceRun(spec, info, plan, [wasm], data, start, stride, n), want],
        ['three folds', reduceRun(spec, info, plan, [wasm, wasm, wasm], data, start, stride, n), splitWant],
        ['mixed folds', reduceRun(spec, info, plan, [wasm, ts, wasm], data, start, stride, n), splitWant],
      ] as const;
      for (const [how, g, w] of got) {
        if (!sameBits(g.out, w.out) || g.n !== w.n) {
          const rule_ =
            rule === undefined
              ? 'none'
              : JSON.stringify(rule, (_k, v) => (typeof v === 'bigint' ? `${v}` : v));
          problems.push(
            `${label} ${name} ${rule_} ${how}: wasm ${g.out[0]} (count ${g.n}), ts ${w.out[0]} (count ${w.n})`,
          );
        }
      }
    }
  }
  return problems;
}

const STRIDES = [1, 2, 3, -1, -2];

describe('WASM kernels match the TypeScript kernels bit for bit', () => {
  it('are built and active (npm run build compiles assembly/ to build/kernels.wasm)', () => {
    assert.equal(wasmKernelsActive(), process.env.S3AS_KERNELS !== 'ts');
  });

  for (const dtype of DTYPE_NAMES) {
    it(`${dtype}: lengths 0-300, strides ${STRIDES.join(' ')}, in place and copied`, () => {
      const info = dtypeInfo(dtype);
      const rnd = uniform(dtype.length * 7919 + info.itemsize);
      const problems: string[] = [];
      for (const inKernelMemory of [true, false]) {
        const data = place(info, 3 * 301 + 8, inKernelMemory);
        for (let n = 0; n <= 300; n += n < 40 || (n > 120 && n < 136) || n > 250 ? 1 : 5) {
          fill(data, info, rnd, n % 3 === 0);
          if (info.family === 'float' && n % 4 > 1) oneSigned(data as Float64Array, n % 4 === 2 ? 1 : -1);
          const reversed = reversedCopy(info, data, inKernelMemory);
          for (const stride of STRIDES) {
            if (n > 0 && Math.abs(stride) * (n - 1) >= data.length - 3) continue;
            const start = stride > 0 ? n % 3 : Math.abs(stride) * (n - 1) + (n % 3);
            const where = inKernelMemory ? 'in place' : 'copied';
            const label = `n=${n} stride=${stride} ${where}`;
            problems.push(...compare(dtype, data, start, stride, n, label));
            problems.push(...compareSwapped(dtype, data, reversed, start, stride, n, `big-endian ${label}`));
          }
          release(reversed);
        }
        release(data);
      }
      assert.deepEqual(problems.slice(0, 10), []);
    });

    it(`${dtype}: long runs (pairwise halves, 2^20-element blocks, several scratch blocks)`, () => {
      const info = dtypeInfo(dtype);
      const rnd = uniform(dtype.length * 104729);
      const problems: string[] = [];
      const length = info.isBigInt || info.family === 'float' ? 300_000 : 2_200_000;
      for (const inKernelMemory of [true, false]) {
        const data = place(info, length, inKernelMemory);
        fill(data, info, rnd, false);
        const reversed = reversedCopy(info, data, inKernelMemory);
        const where = inKernelMemory ? 'in place' : 'copied';
        for (const [start, stride, n] of [
          [1, 1, length - 9],
          [0, 2, Math.floor(length / 2) - 1],
          [5, 3, 40_000],
          [7, 1200, 200],
        ] as const) {
          const label = `n=${n} stride=${stride} ${where}`;
          problems.push(...compare(dtype, data, start, stride, n, label));
          problems.push(...compareSwapped(dtype, data, reversed, start, stride, n, `big-endian ${label}`));
        }
        release(reversed);
        release(data);
      }
      assert.deepEqual(problems, []);
    });
  }

  it('runs of one value (the extremes, the missing value) fill every narrow lane counter to its limit', () => {
    // The kernels add 8- and 16-bit elements, and count missing lanes, in narrow vector lanes that they widen
    // every so many vectors; uniform runs of the dtype's extremes or of the missing value take every lane to the
    // most those chunks allow, which random data never does. Long enough for several chunks of each kernel.
    const problems: string[] = [];
    for (const dtype of DTYPE_NAMES) {
      const info = dtypeInfo(dtype);
      const length = info.itemsize <= 2 ? 300_000 : 40_000;
      const seven = info.isBigInt ? BigInt(MISSING) : MISSING;
      for (const value of [info.min, info.max, seven]) {
        for (const inKernelMemory of [true, false]) {
          const data = place(info, length, inKernelMemory);
          (data as Float64Array).fill(value as number);
          const reversed = reversedCopy(info, data, inKernelMemory);
          for (const [start, stride, n] of [
            [0, 1, length],
            [3, 2, Math.floor(length / 2) - 2],
          ] as const) {
            const label = `all ${value} n=${n} stride=${stride} ${inKernelMemory ? 'in place' : 'copied'}`;
            problems.push(...compare(dtype, data, start, stride, n, `${dtype} ${label}`));
            problems.push(
              ...compareSwapped(dtype, data, reversed, start, stride, n, `${dtype} big-endian ${label}`),
            );
          }
          release(reversed);
          release(data);
        }
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
  });

  it('min and max give -0 below +0 whatever the order, as Math.min and Math.max', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const info = dtypeInfo(dtype);
      for (const order of [
        [0, -0],
        [-0, 0],
      ]) {
        const data = place(info, 64, true);
        for (let i = 0; i < 64; i++) data[i] = order[i < 40 ? 0 : 1]!;
        for (const name of ['min', 'max'] as const) {
          const spec = OPS[name] as ReduceSpec;
          const plan = planMissing(undefined, info);
          for (const fold of [pickFold(spec, info, plan), pickTsFold(spec, info, plan)]) {
            const r = reduceRun(spec, info, plan, [fold], data, 0, 1, 64);
            assert.ok(Object.is(r.out[0], name === 'min' ? -0 : 0), `${dtype} ${name} ${order}: ${r.out[0]}`);
          }
        }
        release(data);
      }
    }
  });
});

describe('kernelMemory', () => {
  it('hands out aligned, disjoint views and takes them back', () => {
    if (!wasmKernelsActive()) return;
    const views = [1, 100, 4096, 262144].map((size) => kernelMemory(size)!);
    for (const v of views) assert.equal(v.byteOffset % 16, 0);
    const spans = views
      .map((v) => [v.byteOffset, v.byteOffset + v.byteLength] as const)
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]![1] <= spans[i]![0]);
    for (const v of views) freeKernelMemory(v);
    const all = kernelMemory(16 * 1048576);
    assert.ok(all !== undefined, 'freed views are merged back into one free block');
    assert.equal(kernelMemory(1 << 30), undefined);
    freeKernelMemory(all);
  });
});
