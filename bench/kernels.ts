/**
 * Kernel micro-bench: the server's own view + op code (src/array, src/ops, imported directly) over 64 MiB arrays,
 * against this machine's memory read bandwidth measured in the same process. Run as a child of bench/run.ts,
 * pinned to one core; prints one JSON line.
 *
 *   node --import tsx bench/kernels.ts '{"dtypes": [...], "variants": [...], "ops": [...], "mib": 64}'
 *
 * Memory read bandwidth is `Buffer.indexOf` of a byte that is not there: node answers it with libc memchr, a
 * native SIMD loop that only reads, so it runs at the rate one core can stream bytes in. A typed-array copy also
 * writes (and reads the destination's lines first), and a JavaScript Float64Array sum is limited by its one
 * scalar add per 8 bytes, so both understate the bandwidth a kernel could reach; they are reported beside it.
 * Arrays and the bandwidth buffer are the same size (twice the L3 here), so both see the same mix of cache and
 * memory.
 *
 * Each variant times buildView + selectView + runOp, as the pipeline runs them. Variants:
 *   plain     little-endian, every element, no missing rule
 *   missing   `missing_value` rule, with every 10th element (on average) equal to it
 *   strided   1-D selection [0, n, 2] (every other element; memory traffic is still the whole array)
 *   big       big-endian bytes: folded by the byte-swapping kernels as they are stored (view.ts storedElements);
 *             whatever else reads the elements swaps them in place first (timed)
 * GB/s is the array's byte length over the best time.
 *
 * The arrays live where the server keeps chunk data: inside the WASM kernels' memory (`kernelMemory`, folded in
 * place), sized here by S3AS_KERNEL_ARENA_MIB to hold two of them, or in ordinary memory when the WASM kernels are
 * unavailable; the JSON line says which (`memory`: "kernel" or "js") and which kernels ran (`kernels`: "wasm" or
 * "ts"; S3AS_KERNELS=ts forces the TypeScript ones, for a before/after comparison):
 *
 *   taskset -c 1 node --import tsx bench/kernels.ts '{"dtypes": ["float64"], "variants": ["plain"], ...}'
 */
import { fileURLToPath } from 'node:url';
import { type DType, dtypeInfo } from '../src/array/dtype.js';
import { selectView } from '../src/array/selection.js';
import { buildView } from '../src/array/view.js';
import { runOp } from '../src/ops/registry.js';
import { freeKernelMemory, kernelMemory, wasmKernelsActive } from '../src/ops/wasm-kernels.js';
import type { ArraySpec, MissingRule, Slice } from '../src/request/chunk-request.js';
import { mulberry32 } from '../test/support/prng.js';

export type Variant = 'plain' | 'missing' | 'strided' | 'big';
export type KernelOp = 'sum' | 'min' | 'max' | 'count';

export interface KernelOptions {
  dtypes: DType[];
  variants: Variant[];
  ops: KernelOp[];
  mib: number;
}

export interface Bandwidth {
  /** memchr over the same number of bytes as each array: the reference. */
  readGBps: number;
  /** memchr over 4x as many bytes (further out of cache), for comparison. */
  readLargeGBps: number;
  copyGBps: number;
  jsFloat64SumGBps: number;
}

export interface KernelResult {
  dtype: DType;
  variant: Variant;
  op: KernelOp;
  gbps: number;
  bestMs: number;
  /**
   * Read bandwidth (memchr) measured right before and right after this dtype's runs, the larger of the two: the
   * host's memory bandwidth drifts during a run on a shared VM (36-46 GB/s here), so each figure is compared with
   * what the machine gave at that moment.
   */
  readGBps: number;
  /** Empty when consistent; otherwise what disagreed (a void figure). */
  problem: string;
}

/** Returns the best of several runs, in seconds; stops early when one run is already slow. */
function bestOf(fn: () => void, prepare?: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  let spent = 0;
  for (let rep = 0; rep < 5 && (rep < 2 || spent < 0.25); rep++) {
    prepare?.();
    const t = process.hrtime.bigint();
    fn();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    best = Math.min(best, s);
    spent += s;
    if (s > 0.5) break;
  }
  return best;
}

let sink = 0;

/** memchr over a filled buffer: the rate one core streams bytes in (see measureBandwidth). */
function readRate(filled: Buffer): number {
  const seconds = bestOf(() => {
    sink += filled.indexOf(1);
  });
  return filled.length / seconds / 1e9;
}

export function measureBandwidth(bytes: number): Bandwidth {
  // Filled, not zeroed: untouched zero pages all map to one physical page, which would be read from cache.
  const filled = Buffer.alloc(bytes, 2);
  const large = Buffer.alloc(bytes * 4, 2);
  const dst = Buffer.alloc(bytes, 2);
  const f64 = new Float64Array(filled.buffer, filled.byteOffset, bytes / 8);
  const read = bestOf(() => {
    sink += filled.indexOf(1);
  });
  const readLarge = bestOf(() => {
    sink += large.indexOf(1);
  });
  const copy = bestOf(() => {
    dst.set(filled);
  });
  const jsSum = bestOf(() => {
    let s = 0;
    for (let i = 0; i < f64.length; i++) s += f64[i]!;
    sink += s;
  });
  return {
    readGBps: bytes / read / 1e9,
    readLargeGBps: (bytes * 4) / readLarge / 1e9,
    copyGBps: bytes / copy / 1e9,
    jsFloat64SumGBps: bytes / jsSum / 1e9,
  };
}

/** The value the `missing` variant marks; representable in every dtype. */
const MISSING = 7;

/**
 * Valid values for `dtype` (floats 200-320, so no NaN, infinity or subnormal skews the timing; integers over
 * their whole range), with every 10th element on average set to MISSING.
 */
function makeData(dtype: DType, bytes: number): Uint8Array {
  const info = dtypeInfo(dtype);
  const buf = allocate(bytes);
  const next = mulberry32(bytes ^ info.itemsize);
  if (info.family === 'float') {
    const a = new info.arrayType(buf.buffer, buf.byteOffset, bytes / info.itemsize);
    for (let i = 0; i < a.length; i++) a[i] = next() % 10 === 0 ? MISSING : 200 + (next() / 4294967296) * 120;
    return buf;
  }
  const words = new Uint32Array(buf.buffer, buf.byteOffset, bytes / 4);
  for (let i = 0; i < words.length; i++) words[i] = next();
  if (info.isBigInt) {
    const a = new info.arrayType(buf.buffer, buf.byteOffset, bytes / 8);
    for (let i = 0; i < a.length; i++) if (next() % 10 === 0) a[i] = BigInt(MISSING);
  } else {
    const a = new info.arrayType(buf.buffer, buf.byteOffset, bytes / info.itemsize);
    for (let i = 0; i < a.length; i++) if (next() % 10 === 0) a[i] = MISSING;
  }
  return buf;
}

let memory: 'kernel' | 'js' = 'kernel';

/** An array's bytes: in the kernels' memory when it has room, as the server would hold them. */
function allocate(bytes: number): Uint8Array {
  const view = kernelMemory(bytes);
  if (view !== undefined) return view;
  memory = 'js';
  return new Uint8Array(new ArrayBuffer(bytes));
}

function swapCopy(src: Uint8Array, itemsize: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(src.length));
  out.set(src);
  const b = Buffer.from(out.buffer);
  if (itemsize === 2) b.swap16();
  else if (itemsize === 4) b.swap32();
  else if (itemsize === 8) b.swap64();
  return out;
}

function resultKey(r: ReturnType<typeof runOp>): string {
  return `${Buffer.from(r.bytes).toString('hex')}/${r.counts.join(',')}`;
}

export function runKernels(o: KernelOptions): {
  bandwidth: Bandwidth;
  results: KernelResult[];
  memory: 'kernel' | 'js';
  kernels: 'wasm' | 'ts';
} {
  const bytes = o.mib * 1024 * 1024;
  const bandwidth = measureBandwidth(bytes);
  const reference = Buffer.alloc(bytes, 2);
  const results: KernelResult[] = [];
  for (const dtype of o.dtypes) {
    const before = readRate(reference);
    const first = results.length;
    const info = dtypeInfo(dtype);
    const n = bytes / info.itemsize;
    const little = makeData(dtype, bytes);
    const bigPristine = o.variants.includes('big') ? swapCopy(little, info.itemsize) : undefined;
    const work = bigPristine === undefined ? undefined : allocate(bytes);
    const missing: MissingRule = { kind: 'values', values: [info.isBigInt ? BigInt(MISSING) : MISSING] };
    const strided: Slice[] = [{ start: 0, stop: n, step: 2 }];
    const plainAnswers = new Map<KernelOp, string>();
    for (const variant of o.variants) {
      for (const op of o.ops) {
        const byteOrder = variant === 'big' ? 'big' : 'little';
        const input = variant === 'big' ? work! : little;
        const spec: ArraySpec = { dtype, byteOrder, shape: [n], order: 'C' };
        const selection = variant === 'strided' ? strided : undefined;
        const params = {
          axes: undefined,
          missing: variant === 'missing' ? missing : undefined,
          order: 'C',
        } as const;
        let answer: ReturnType<typeof runOp> | undefined;
        const seconds = bestOf(
          () => {
            answer = runOp(op, selectView(buildView(input, spec), selection), params);
          },
          // A run may swap big-endian bytes in place, so every run starts again from the stored bytes.
          variant === 'big' ? () => work!.set(bigPristine!) : undefined,
        );
        let problem = '';
        const key = resultKey(answer!);
        if (variant === 'plain') plainAnswers.set(op, key);
        if (variant === 'big' && plainAnswers.has(op) && plainAnswers.get(op) !== key) {
          problem = 'big-endian answer differs from the little-endian one';
        }
        const expectCount =
          variant === 'strided' ? Math.ceil(n / 2) : variant === 'plain' || variant === 'big' ? n : -1;
        if (expectCount >= 0 && answer!.counts[0] !== expectCount) {
          problem = `count ${answer!.counts[0]} where ${expectCount} elements were selected`;
        }
        results.push({
          dtype,
          variant,
          op,
          gbps: bytes / seconds / 1e9,
          bestMs: seconds * 1000,
          readGBps: 0,
          problem,
        });
      }
    }
    const local = Math.max(before, readRate(reference));
    for (const r of results.slice(first)) r.readGBps = local;
    freeKernelMemory(little);
    if (work !== undefined) freeKernelMemory(work);
  }
  return { bandwidth, results, memory, kernels: wasmKernelsActive() ? 'wasm' : 'ts' };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = JSON.parse(process.argv[2] ?? '{}') as KernelOptions;
  // Room for the little-endian array and the big-endian working copy, plus the kernels' own scratch.
  process.env.S3AS_KERNEL_ARENA_MIB ??= String(2 * options.mib + 8);
  const out = runKernels(options);
  process.stdout.write(`${JSON.stringify({ ...out, sink: sink > 0 })}\n`);
}
