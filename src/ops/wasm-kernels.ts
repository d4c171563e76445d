/**
 * WebAssembly SIMD fold kernels (assembly/kernels.ts, built into build/kernels.wasm by scripts/build-wasm.mjs),
 * behind the same fold signature as the TypeScript kernels: `pickFold` (reduce.ts) asks `wasmFold` first and
 * keeps the TypeScript kernel when there is no WASM one for the (op, dtype, missing plan) or when it is disabled.
 * Results are bit-identical to the TypeScript kernels (test/unit/ops/wasm-kernels.test.ts), so folds of both kinds
 * may be mixed on one Acc.
 *
 * One instance per thread, instantiated on first use, with one fixed-size memory that is never grown (growing
 * would detach every view handed out). Data already inside that memory (`kernelMemory` views) is folded in
 * place; other data is copied through an L2-sized scratch block where that was measured to beat the TypeScript
 * kernel (bench/kernels.ts), else the TypeScript kernel runs.
 *
 * `S3AS_KERNELS=ts` disables the WASM folds (the tests use it to run the numpy fixtures through both kernel sets);
 * `S3AS_KERNEL_ARENA_MIB` sizes the memory (default 32 MiB: ~100 stream read buffers of 320 KiB, plus the scratch).
 */
import { readFileSync } from 'node:fs';
import { swapBytesInPlace } from '../array/byte-order.js';
import type { AnyTypedArray, DTypeInfo } from '../array/dtype.js';
import type { BoundsPlan } from '../array/missing.js';
import { type Acc, attachWords, type ReduceSpec } from './op-spec.js';
import type { AnyFold, AnyPlan } from './reduce.js';

type Kernel = (p: number, n: number, st: number, ...bounds: (number | bigint)[]) => void;

interface Module {
  readonly kernels: Record<string, Kernel>;
  readonly buffer: ArrayBuffer;
  readonly bytes: Uint8Array;
  /** OUT of assembly/kernels.ts: [0] value (or i64 words), [1] high-word sum, [2] count. */
  readonly out: Float64Array;
  readonly outU32: Uint32Array;
  readonly outI32: Int32Array;
  readonly scratch: number;
  readonly arena: Arena;
}

const PAGE = 65536;
const SCRATCH = 256 * 1024;
/** Kernels reading every other element load 32 bytes at a time, up to 16 bytes past the last one they use. */
const GUARD = 64;
/** Below this many elements a WASM call costs more than the TypeScript loop. */
const MIN_RUN = 32;
/** Integer sums: blocks whose totals stay exact in a float64, as sum.ts. */
const INT_BLOCK = 1048576;
const TWO52 = 4503599627370496;

/** First-fit allocator over [start, end) of the module memory; blocks are multiples of 64 bytes. */
class Arena {
  private readonly free: { at: number; size: number }[];
  private readonly used = new Map<number, number>();

  constructor(start: number, end: number) {
    this.free = [{ at: start, size: end - start }];
  }

  alloc(bytes: number): number | undefined {
    const size = Math.max(64, Math.ceil(bytes / 64) * 64);
    const i = this.free.findIndex((b) => b.size >= size);
    if (i < 0) return undefined;
    const block = this.free[i]!;
    const at = block.at;
    if (block.size === size) this.free.splice(i, 1);
    else {
      block.at += size;
      block.size -= size;
    }
    this.used.set(at, size);
    return at;
  }

  release(at: number): boolean {
    const size = this.used.get(at);
    if (size === undefined) return false;
    this.used.delete(at);
    let i = 0;
    while (i < this.free.length && this.free[i]!.at < at) i++;
    this.free.splice(i, 0, { at, size });
    const next = this.free[i + 1];
    if (next !== undefined && at + size === next.at) {
      this.free[i]!.size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev !== undefined && prev.at + prev.size === at) {
      prev.size += this.free[i]!.size;
      this.free.splice(i, 1);
    }
    return true;
  }
}

/** The part of the WebAssembly JS API used here (tsconfig's lib has no DOM, where its types live). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (limits: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}

let loaded: Module | null | undefined;

function wasmBytes(): Uint8Array | undefined {
  // src/ops -> build/ from the source tree, dist/src/ops -> build/ from a compiled tree.
  for (const rel of ['../../build/kernels.wasm', '../../../build/kernels.wasm']) {
    try {
      return readFileSync(new URL(rel, import.meta.url));
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function load(): Module | null {
  const bytes = wasmBytes();
  // validate() is false without SIMD support (or for a broken build): the TypeScript kernels then run.
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (bytes === undefined || wasm === undefined || !wasm.validate(bytes)) return null;
  const mib = Number(process.env.S3AS_KERNEL_ARENA_MIB ?? 32);
  const pages = Math.ceil(((Number.isFinite(mib) && mib > 0 ? mib : 32) * 1048576) / PAGE);
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  const kernels = instance.exports as unknown as Record<string, Kernel>;
  const buffer = memory.buffer;
  const outAt = (kernels.outPtr as unknown as () => number)();
  const heap = Math.ceil((kernels.heapBase as unknown as () => number)() / 64) * 64;
  const scratch = heap;
  const arenaStart = scratch + SCRATCH + GUARD;
  return {
    kernels,
    buffer,
    bytes: new Uint8Array(buffer),
    out: new Float64Array(buffer, outAt, 4),
    outU32: new Uint32Array(buffer, outAt, 8),
    outI32: new Int32Array(buffer, outAt, 8),
    scratch,
    arena: new Arena(arenaStart, buffer.byteLength - GUARD),
  };
}

function module(): Module | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * A 64-byte-aligned view of `byteLength` bytes inside the kernels' memory (data there is folded in place, with no
 * copy), valid until `freeKernelMemory(view)`; undefined when the memory is exhausted or WASM is unavailable.
 */
export function kernelMemory(byteLength: number): Uint8Array | undefined {
  const m = module();
  if (m === null || !(byteLength >= 0)) return undefined;
  const at = m.arena.alloc(byteLength);
  return at === undefined ? undefined : new Uint8Array(m.buffer, at, byteLength);
}

/** Returns a `kernelMemory` view's bytes to the arena; views of other memory are ignored. */
export function freeKernelMemory(view: Uint8Array): void {
  const m = module();
  if (m !== null && view.buffer === m.buffer) m.arena.release(view.byteOffset);
}

/** True when the WASM folds are in use (built, SIMD available, not disabled by S3AS_KERNELS=ts). */
export function wasmKernelsActive(): boolean {
  return process.env.S3AS_KERNELS !== 'ts' && module() !== null;
}

type OpKind = 'sum' | 'min' | 'max' | 'count';

function opKind(spec: ReduceSpec): OpKind | undefined {
  if (spec.name === 'sum' || spec.name === 'mean') return 'sum';
  if (spec.name === 'min' || spec.name === 'max' || spec.name === 'count') return spec.name;
  return undefined;
}

const SUFFIX: Record<string, string> = {
  int8: 'i8',
  uint8: 'u8',
  int16: 'i16',
  uint16: 'u16',
  int32: 'i32',
  uint32: 'u32',
  int64: 'i64',
  uint64: 'u64',
  float32: 'f32',
  float64: 'f64',
};

/**
 * The WASM fold for this (op, dtype, plan), or undefined when the TypeScript fold `ts` should run. With `swapped`,
 * the fold reads elements stored byte-reversed (big-endian, view.ts `storedElements`), swapping each as it loads
 * them, with the same result as `ts` over the swapped elements; undefined then means the data must be swapped
 * first, as there is no such fold.
 */
export function wasmFold(
  spec: ReduceSpec,
  info: DTypeInfo,
  plan: AnyPlan,
  ts: AnyFold,
  swapped = false,
): AnyFold | undefined {
  if (process.env.S3AS_KERNELS === 'ts' || plan.kind === 'set') return undefined;
  const op = opKind(spec);
  const m = module();
  if (op === undefined || m === null) return undefined;
  if (op === 'count' && plan.kind === 'none') return undefined;
  const bounds = plan.kind === 'bounds' ? boundsArgs(info, plan) : [];
  if (bounds === undefined) return allMissing;
  const x = swapped && info.itemsize > 1 ? 'x' : '';
  const name = `${op === 'count' ? 'cnt' : op}${plan.kind === 'bounds' ? 'b' : ''}${x}_${SUFFIX[info.name]}`;
  const kernel = m.kernels[name];
  if (kernel === undefined) return undefined;
  const call = bind(kernel, bounds);
  // Runs the kernels leave to TypeScript (short, reversed or too sparse for the scratch) are swapped on the side.
  if (x !== '') ts = swappedCopyFold(ts, info);
  if (op === 'sum' && info.family === 'float') return floatSum(m, call, plan.kind === 'none' ? 128 : 64, ts);
  const blockMax = op === 'sum' ? INT_BLOCK : 0x40000000;
  const fold = op === 'sum' ? (info.isBigInt ? sum64Into : sumInto) : op === 'count' ? countInto : undefined;
  if (fold !== undefined) return blocked(m, call, blockMax, ts, fold);
  const into = info.isBigInt
    ? op === 'min'
      ? info.family === 'int'
        ? min64Into
        : minU64Into
      : info.family === 'int'
        ? max64Into
        : maxU64Into
    : op === 'min'
      ? minInto
      : maxInto;
  return blocked(m, call, blockMax, ts, into);
}

/**
 * The kernel with its bounds arguments fixed. No rest-argument spread per call: float sums call once per 8192
 * elements (stream-reduce.ts), where the spread cost about 5% of a 64 MiB float sum (bench/kernels.ts).
 */
function bind(kernel: Kernel, b: (number | bigint)[]): (p: number, n: number, st: number) => void {
  if (b.length === 0) return kernel;
  const [lo, hi, eq, on] = b as [
    number | bigint,
    number | bigint,
    number | bigint,
    number | bigint | undefined,
  ];
  if (on === undefined) return (p, n, st) => kernel(p, n, st, lo, hi, eq);
  return (p, n, st) => kernel(p, n, st, lo, hi, eq, on);
}

/**
 * `ts` over a run of byte-reversed elements: the run is copied out densely, swapped there and folded with stride
 * 1. A float sum's association depends only on the number of elements, so the result is the one `ts` gives on the
 * swapped data in place.
 */
function swappedCopyFold(ts: AnyFold, info: DTypeInfo): AnyFold {
  const size = info.itemsize as 2 | 4 | 8;
  return (acc, data, start, stride, n, plan) => {
    const out = new Uint8Array(n * size);
    // Copied through unsigned views of the same size, which never touch a float's bits (NaN payloads stay).
    if (stride === 1) out.set(new Uint8Array(data.buffer, data.byteOffset + start * size, n * size));
    else if (size === 8) {
      const from = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
      const to = new Uint32Array(out.buffer);
      for (let k = 0, i = start * 2; k < 2 * n; k += 2, i += stride * 2) {
        to[k] = from[i]!;
        to[k + 1] = from[i + 1]!;
      }
    } else {
      const from =
        size === 2
          ? new Uint16Array(data.buffer, data.byteOffset, data.length)
          : new Uint32Array(data.buffer, data.byteOffset, data.length);
      const to = size === 2 ? new Uint16Array(out.buffer) : new Uint32Array(out.buffer);
      for (let k = 0, i = start; k < n; k++, i += stride) to[k] = from[i]!;
    }
    swapBytesInPlace(out, size);
    const copy = new info.arrayType(out.buffer, 0, n);
    if (!info.isBigInt) return ts(acc, copy, 0, 1, n, plan);
    const { lo32, hi32 } = acc;
    attachWords(acc, copy, info);
    try {
      ts(acc, copy, 0, 1, n, plan);
    } finally {
      acc.lo32 = lo32;
      acc.hi32 = hi32;
    }
  };
}

/** Every element is missing (the bounds exclude the whole dtype): nothing to fold. */
function allMissing(): void {}

const F32 = new Float32Array(1);
const F32_BITS = new Int32Array(F32.buffer);

/** The float32 next to `f` (a float32) towards +Infinity (`up`) or -Infinity. */
function nextF32(f: number, up: boolean): number {
  if (f === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  F32[0] = f;
  F32_BITS[0]! += f > 0 === up ? 1 : -1;
  return F32[0]!;
}

/**
 * The kernel arguments of a bounds plan, such that the kernel's test in the dtype's own arithmetic gives the same
 * answer as `x < lo || x > hi || x === eq` in float64 (or bigint); undefined when every value is missing.
 */
function boundsArgs(info: DTypeInfo, plan: AnyPlan): (number | bigint)[] | undefined {
  if (info.isBigInt) {
    const { lo, hi, eq } = plan as BoundsPlan<bigint>;
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max does not take
    const l = lo < info.min ? info.min : lo;
    // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take
    const h = hi > info.max ? info.max : hi;
    if (l > h) return undefined;
    const on = eq >= info.min && eq <= info.max ? 1 : 0;
    // uint64 lanes are compared signed with their top bit flipped (assembly/kernels.ts bias64).
    const bias = (v: bigint) => BigInt.asIntN(64, info.family === 'int' ? v : v ^ (1n << 63n));
    return [bias(l), bias(h), bias(on ? eq : 0n), on];
  }
  const { lo, hi, eq } = plan as BoundsPlan<number>;
  if (info.family === 'float') {
    if (info.name === 'float64') return [lo, hi, eq];
    // x < lo for a float32 x is x < (the least float32 >= lo); likewise for hi; eq must be a float32 to match.
    let l = Math.fround(lo);
    if (l < lo) l = nextF32(l, true);
    let h = Math.fround(hi);
    if (h > hi) h = nextF32(h, false);
    return [l, h, Math.fround(eq) === eq ? eq : Number.NaN];
  }
  const l = Number.isNaN(lo) ? info.min : Math.max(info.min, Math.ceil(lo));
  const h = Number.isNaN(hi) ? info.max : Math.min(info.max, Math.floor(hi));
  if (l > h) return undefined;
  const on = Number.isInteger(eq) && eq >= info.min && eq <= info.max ? 1 : 0;
  return [l, h, on ? eq : 0, on];
}

type Into = (m: Module, acc: Acc) => void;

function sumInto(m: Module, acc: Acc): void {
  let s = acc.s + m.out[0]!;
  if (s > TWO52 || s < -TWO52) {
    acc.big += BigInt(s);
    s = 0;
  }
  acc.s = s;
  acc.n += m.out[2]!;
}

function sum64Into(m: Module, acc: Acc): void {
  let s = acc.s + m.out[0]!;
  let c = acc.c + m.out[1]!;
  if (s > TWO52 || c > TWO52 || c < -TWO52) {
    acc.big += BigInt(s) + (BigInt(c) << 32n);
    s = 0;
    c = 0;
  }
  acc.s = s;
  acc.c = c;
  acc.n += m.out[2]!;
}

function countInto(m: Module, acc: Acc): void {
  acc.n += m.out[2]!;
}

function minInto(m: Module, acc: Acc): void {
  const c = m.out[2]!;
  if (c > 0) acc.m = Math.min(acc.m, m.out[0]!);
  acc.n += c;
}

function maxInto(m: Module, acc: Acc): void {
  const c = m.out[2]!;
  if (c > 0) acc.m = Math.max(acc.m, m.out[0]!);
  acc.n += c;
}

function min64Into(m: Module, acc: Acc): void {
  words(m, acc, m.outI32[1]!, true);
}
function minU64Into(m: Module, acc: Acc): void {
  words(m, acc, m.outU32[1]!, true);
}
function max64Into(m: Module, acc: Acc): void {
  words(m, acc, m.outI32[1]!, false);
}
function maxU64Into(m: Module, acc: Acc): void {
  words(m, acc, m.outU32[1]!, false);
}

/** 64-bit min/max kept as (high word, low word), compared as min.ts/max.ts do. */
function words(m: Module, acc: Acc, h: number, isMin: boolean): void {
  const c = m.out[2]!;
  acc.n += c;
  if (c === 0) return;
  const l = m.outU32[0]!;
  const mh = acc.mHi;
  if (isMin ? h < mh || (h === mh && l < acc.mLo) : h > mh || (h === mh && l > acc.mLo)) {
    acc.mHi = h;
    acc.mLo = l;
  }
}

/**
 * Folds whose result does not depend on the order of the elements: the run (reversed when its stride is
 * negative) goes through the kernel in blocks of at most `blockMax` elements, in place or through the scratch.
 */
function blocked(
  m: Module,
  call: (p: number, n: number, st: number) => void,
  blockMax: number,
  ts: AnyFold,
  into: Into,
): AnyFold {
  return (acc, data, start, stride, n, plan) => {
    if (n < MIN_RUN) return ts(acc, data, start, stride, n, plan);
    if (stride < 0) {
      start += (n - 1) * stride;
      stride = -stride;
    }
    const size = data.BYTES_PER_ELEMENT;
    const st = stride * size;
    if (data.buffer === m.buffer) {
      const p = data.byteOffset + start * size;
      for (let k = 0; k < n; k += blockMax) {
        call(p + k * st, Math.min(blockMax, n - k), st);
        into(m, acc);
      }
      return;
    }
    const per = Math.min(blockMax, Math.floor((SCRATCH - size) / st) + 1);
    if (per < MIN_RUN) return ts(acc, data, start, stride, n, plan);
    for (let k = 0; k < n; k += per) {
      const c = Math.min(per, n - k);
      copyIn(m, data, start + k * stride, ((c - 1) * stride + 1) * size);
      call(m.scratch, c, st);
      into(m, acc);
    }
  };
}

function copyIn(m: Module, data: AnyTypedArray, first: number, bytes: number): void {
  const at = data.byteOffset + first * data.BYTES_PER_ELEMENT;
  m.bytes.set(new Uint8Array(data.buffer, at, bytes), m.scratch);
}

/**
 * Float sums, pairwise as sum.ts: in place one call sums the whole run; through the scratch, the halves are split
 * here (the same rule: halves rounded down to a multiple of 8) until one fits, so the association is unchanged.
 */
function floatSum(
  m: Module,
  call: (p: number, n: number, st: number) => void,
  leaf: number,
  ts: AnyFold,
): AnyFold {
  let count = 0;
  const viaScratch = (data: AnyTypedArray, start: number, stride: number, n: number): number => {
    const size = data.BYTES_PER_ELEMENT;
    const bytes = ((n - 1) * stride + 1) * size;
    if (bytes <= SCRATCH) {
      copyIn(m, data, start, bytes);
      call(m.scratch, n, stride * size);
      count += m.out[2]!;
      return m.out[0]!;
    }
    let half = n >> 1;
    half -= half % 8;
    return viaScratch(data, start, stride, half) + viaScratch(data, start + half * stride, stride, n - half);
  };
  // The last array folded, and where it lies: a run is folded in pieces of 8192 elements (stream-reduce.ts), and
  // reading `buffer` and `byteOffset` of a view of WebAssembly memory each time cost 15% of a float64 sum's time.
  let last: AnyTypedArray | undefined;
  let lastAt = -1;
  return (acc, data, start, stride, n, plan) => {
    if (n < MIN_RUN || stride <= 0) return ts(acc, data, start, stride, n, plan);
    const size = data.BYTES_PER_ELEMENT;
    if (data !== last) {
      last = data;
      lastAt = data.buffer === m.buffer ? data.byteOffset : -1;
    }
    let s: number;
    if (lastAt >= 0) {
      call(lastAt + start * size, n, stride * size);
      s = m.out[0]!;
      count = m.out[2]!;
    } else {
      // A leaf must fit the scratch whole: its elements are summed in one kernel call.
      if ((leaf - 1) * stride * size + size > SCRATCH) return ts(acc, data, start, stride, n, plan);
      count = 0;
      s = viaScratch(data, start, stride, n);
    }
    acc.n += count;
    const t = acc.s + s;
    acc.c += Math.abs(acc.s) >= Math.abs(s) ? acc.s - t + s : s - t + acc.s;
    acc.s = t;
  };
}
