/**
 * A reduction over every axis of an uncompressed chunk, folded while the body streams in: each socket read lands in
 * a small buffer this reducer owns and is folded while it is still in cache, so the chunk never exists whole in
 * memory and each byte is touched once, by the kernel. Same kernels and accumulator as compute/chunk.ts (a fold
 * may be called on successive runs), so the answer is the one the buffered path gives.
 *
 * The selection is walked as strided runs in address order (dimensions sorted by decreasing stride, merged where
 * one steps over the next); a run that spans reads is folded a piece per read.
 */
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from '../array/byte-order.js';
import { type AnyTypedArray, type DTypeInfo, dtypeInfo } from '../array/dtype.js';
import { planMissing } from '../array/missing.js';
import { selectView } from '../array/selection.js';
import { coalesce, denseStrides, type NdView } from '../array/view.js';
import { Acc, type ReduceSpec } from '../ops/op-spec.js';
import { type AnyFold, type AnyPlan, attachWords, pickFold } from '../ops/reduce.js';
import { OPS } from '../ops/registry.js';
import type { OpResult } from '../request/chunk-request.js';
import type { BodySink } from '../storage/byte-source.js';
import { type ComputePlan, checkDecodedLength, hasCodecs } from './chunk.js';

/** Bytes one read may fill: big enough that per-read costs vanish, small enough to stay in L2 with its kernel. */
export const STREAM_BUFFER_BYTES = 256 * 1024;
/** Element data starts here, so that the up to 7 bytes of a split element can sit in front of the next read. */
const PAD = 16;

export interface StreamReducer {
  /** Checks the body's length against the request and returns where it goes; throws INVALID_REQUEST on a mismatch. */
  open(length: number): BodySink;
  /** The result, once the whole body went through the sink. */
  finish(): OpResult;
  /** Gives the read buffer back for the next request; the reducer is unusable afterwards. Always call it. */
  release(): void;
}

/**
 * Read buffers kept between requests: allocating 256 KiB per request costs an mmap, its page faults and an munmap
 * (glibc maps blocks that large directly), all on the latency of small chunks.
 */
const spareBuffers: ArrayBuffer[] = [];
const MAX_SPARE_BUFFERS = 16;

/** Strided runs of a full reduction, in increasing address order: the geometry of the selected view. */
interface Runs {
  /** Outer dimensions (lengths and strides in elements), outermost first; the innermost run is `runLen` x `runStride`. */
  outerLen: number[];
  outerStride: number[];
  runLen: number;
  runStride: number;
  /** Element index of the first selected element; `count` elements in all. */
  first: number;
  count: number;
}

function runsOf(view: Pick<NdView, 'shape' | 'strides' | 'offset'>): Runs {
  let first = view.offset;
  let count = 1;
  const dims: { len: number; stride: number }[] = [];
  for (let d = 0; d < view.shape.length; d++) {
    const len = view.shape[d]!;
    let stride = view.strides[d]!;
    count *= len;
    // A full reduction may visit elements in any order: a reversed dimension is walked forwards.
    if (stride < 0 && len > 0) {
      first += (len - 1) * stride;
      stride = -stride;
    }
    if (len !== 1) dims.push({ len, stride });
  }
  dims.sort((a, b) => b.stride - a.stride);
  const walk = coalesce(
    dims.map((d) => d.len),
    dims.map((d) => d.stride),
  );
  const runLen = walk.shape.pop() ?? 1;
  const runStride = walk.strides.pop() ?? 1;
  return { outerLen: walk.shape, outerStride: walk.strides, runLen, runStride, first, count };
}

/**
 * A reducer for `plan` when it can stream: a reduce op over every axis, no codecs. `undefined` otherwise, and also
 * when the request has a problem (a bad selection or axis), which the buffered path then reports in its usual order.
 */
export function streamReducer(plan: ComputePlan): StreamReducer | undefined {
  const spec = OPS[plan.op];
  if (spec.kind !== 'reduce' || hasCodecs(plan)) return undefined;
  const { dtype, shape, order, byteOrder } = plan.array;
  const ndim = shape?.length ?? 1;
  if (plan.axes !== undefined && !(plan.axes.length === ndim && plan.axes.every((axis, i) => axis === i))) {
    return undefined;
  }
  const info = dtypeInfo(dtype);
  let missingPlan: AnyPlan;
  let runs: Runs | undefined;
  try {
    missingPlan = planMissing(plan.missing, info);
    if (shape !== undefined) runs = geometry(shape, order, plan);
  } catch {
    return undefined;
  }
  return new FoldingReducer(
    spec,
    info,
    pickFold(spec, info, missingPlan),
    missingPlan,
    plan,
    runs,
    byteOrder,
  );
}

function geometry(shape: number[], order: 'C' | 'F', plan: ComputePlan): Runs {
  const view: NdView = {
    dtype: plan.array.dtype,
    data: new Uint8Array(0),
    shape,
    strides: denseStrides(shape, order),
    offset: 0,
  };
  return runsOf(selectView(view, plan.selection));
}

class FoldingReducer implements StreamReducer, BodySink {
  private readonly acc = new Acc();
  private memory = spareBuffers.pop() ?? new ArrayBuffer(PAD + STREAM_BUFFER_BYTES);
  private bytes = new Uint8Array(this.memory);
  private readonly itemsize: number;
  private readonly swap: boolean;
  /** Bytes of a split element waiting in front of the next read, at [PAD, PAD + carry). */
  private carry = 0;
  /** Element index of the next whole element to arrive. */
  private seen = 0;
  /** The run cursor: index within each outer dimension, element address of the run's next element, left in it. */
  private outerIdx: number[] = [];
  private runBase = 0;
  private next = 0;
  private leftInRun = 0;
  private done = 0;
  private runs: Runs | undefined;

  constructor(
    private readonly spec: ReduceSpec,
    private readonly info: DTypeInfo,
    private readonly fold: AnyFold,
    private readonly missingPlan: AnyPlan,
    private readonly plan: ComputePlan,
    runs: Runs | undefined,
    byteOrder: 'little' | 'big',
  ) {
    this.itemsize = info.itemsize;
    this.swap = (byteOrder === 'little') !== HOST_IS_LITTLE_ENDIAN;
    this.runs = runs;
    spec.identity(this.acc, info);
  }

  open(length: number): BodySink {
    const shape = this.plan.array.shape;
    const expected = shape === undefined ? undefined : shape.reduce((a, b) => a * b, this.itemsize);
    checkDecodedLength(length, expected, this.plan);
    this.runs ??= geometry([length / this.itemsize], this.plan.array.order, this.plan);
    const runs = this.runs;
    this.outerIdx = new Array<number>(runs.outerLen.length).fill(0);
    this.runBase = runs.first;
    this.next = runs.first;
    this.leftInRun = runs.count === 0 ? 0 : runs.runLen;
    return this;
  }

  readBuffer(): Uint8Array {
    return this.bytes.subarray(PAD + this.carry);
  }

  filled(n: number): void {
    this.consume(this.carry + n);
  }

  write(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, STREAM_BUFFER_BYTES - this.carry);
      this.bytes.set(bytes.subarray(at, at + take), PAD + this.carry);
      at += take;
      this.consume(this.carry + take);
    }
  }

  /** Folds the whole elements among the `total` bytes at PAD and keeps the split one's bytes for the next read. */
  private consume(total: number): void {
    const whole = Math.floor(total / this.itemsize);
    const tail = total - whole * this.itemsize;
    if (whole > 0) {
      if (this.swap)
        swapBytesInPlace(this.bytes.subarray(PAD, PAD + whole * this.itemsize), this.info.itemsize);
      this.foldSegment(new this.info.arrayType(this.memory, PAD, whole), whole);
    }
    if (tail > 0) this.bytes.copyWithin(PAD, PAD + whole * this.itemsize, PAD + total);
    this.carry = tail;
  }

  /** Folds the selected elements among `n` arriving at element index `this.seen`. */
  private foldSegment(data: AnyTypedArray, n: number): void {
    const runs = this.runs!;
    const start = this.seen;
    const end = start + n;
    this.seen = end;
    if (this.info.isBigInt) attachWords(this.acc, data, this.info);
    const stride = runs.runStride;
    // Runs are visited in increasing address order, so the cursor never points before this segment.
    while (this.leftInRun > 0 && this.next < end) {
      const k = Math.min(this.leftInRun, Math.floor((end - 1 - this.next) / stride) + 1);
      this.fold(this.acc, data, this.next - start, stride, k, this.missingPlan);
      this.next += k * stride;
      this.leftInRun -= k;
      this.done += k;
      if (this.leftInRun === 0) this.nextRun();
    }
  }

  private nextRun(): void {
    const { outerLen, outerStride, runLen } = this.runs!;
    for (let d = outerLen.length - 1; d >= 0; d--) {
      this.runBase += outerStride[d]!;
      if (++this.outerIdx[d]! < outerLen[d]!) {
        this.next = this.runBase;
        this.leftInRun = runLen;
        return;
      }
      this.runBase -= outerStride[d]! * outerLen[d]!;
      this.outerIdx[d] = 0;
    }
  }

  release(): void {
    if (this.memory.byteLength === 0) return;
    if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(this.memory);
    this.memory = new ArrayBuffer(0);
    this.bytes = new Uint8Array(this.memory);
  }

  finish(): OpResult {
    const runs = this.runs!;
    if (this.done !== runs.count || this.carry !== 0) {
      throw new Error(`stream ended after ${this.done} of ${runs.count} selected elements`);
    }
    const outInfo = dtypeInfo(this.spec.resultDType(this.info.name));
    const out = new outInfo.arrayType(new ArrayBuffer(outInfo.itemsize));
    this.spec.finish(this.acc, this.info, out, 0);
    const bytes = new Uint8Array(out.buffer, 0, outInfo.itemsize);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(bytes, outInfo.itemsize);
    return { dtype: outInfo.name, shape: [], bytes, counts: [this.acc.n] };
  }
}
