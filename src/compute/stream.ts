/**
 * A reduction over every axis of an uncompressed chunk, folded while the body streams in: each socket read lands in
 * a small buffer this reducer owns (inside the WebAssembly kernels' memory when there is room, so they fold it in
 * place) and is folded while it is still in cache, so the chunk never exists whole in memory and each byte is
 * touched once, by the kernel. The walk and the fold pieces are ops/stream-reduce.ts's, shared with the buffered
 * path, so the answer is the same bytes whichever path served it and wherever the reads ended.
 */
import { HOST_IS_LITTLE_ENDIAN, swapBytesInPlace } from '../array/byte-order.js';
import { type DTypeInfo, dtypeInfo } from '../array/dtype.js';
import { planMissing } from '../array/missing.js';
import { selectView } from '../array/selection.js';
import { denseStrides, type NdView } from '../array/view.js';
import type { ReduceSpec } from '../ops/op-spec.js';
import { type AnyPlan, pickFold } from '../ops/reduce.js';
import { OPS } from '../ops/registry.js';
import { BLOCK_ELEMENTS, FullReduction } from '../ops/stream-reduce.js';
import { freeKernelMemory, kernelMemory } from '../ops/wasm-kernels.js';
import type { OpResult } from '../request/chunk-request.js';
import type { BodySink } from '../storage/byte-source.js';
import { type ComputePlan, checkDecodedLength, hasCodecs } from './chunk.js';

/** Bytes one read may fill: big enough that per-read costs vanish, small enough to stay in L2 with its kernel. */
export const STREAM_BUFFER_BYTES = 256 * 1024;
/** Element data starts here (aligned for every element size). */
const PAD = 16;
/**
 * Bytes waiting in front of the next read: a split element, and for float sums the unfinished fold piece (at most
 * one block of float64).
 */
const MAX_PENDING = BLOCK_ELEMENTS * 8 + 8;
const CAPACITY = PAD + MAX_PENDING + STREAM_BUFFER_BYTES;
/** What one streamed request holds in memory: its read buffer. */
export const STREAM_MEMORY_BYTES = CAPACITY;

export interface StreamReducer {
  /** Checks the body's length against the request and returns where it goes; throws INVALID_REQUEST on a mismatch. */
  open(length: number): BodySink;
  /** The result, once the whole body went through the sink. */
  finish(): OpResult;
  /** Gives the read buffer back for the next request; the reducer is unusable afterwards. Always call it. */
  release(): void;
}

/**
 * Read buffers kept between requests: allocating a third of a MiB per request costs an mmap, its page faults and an
 * munmap (glibc maps blocks that large directly), all on the latency of small chunks.
 */
const spareBuffers: Uint8Array[] = [];
const MAX_SPARE_BUFFERS = 16;

function takeBuffer(): Uint8Array {
  return spareBuffers.pop() ?? kernelMemory(CAPACITY) ?? new Uint8Array(CAPACITY);
}

function giveBack(buffer: Uint8Array): void {
  if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffer);
  else freeKernelMemory(buffer);
}

const RELEASED = new Uint8Array(0);

/**
 * A reducer for `plan` when it can stream: a reduce op over every axis, no codecs. `undefined` otherwise, and also
 * when the request has a problem (a bad selection or axis), which the buffered path then reports in its usual order.
 */
export function streamReducer(plan: ComputePlan): StreamReducer | undefined {
  const spec = OPS[plan.op];
  if (spec.kind !== 'reduce' || hasCodecs(plan)) return undefined;
  const { shape } = plan.array;
  const ndim = shape?.length ?? 1;
  if (plan.axes !== undefined && !(plan.axes.length === ndim && plan.axes.every((axis, i) => axis === i))) {
    return undefined;
  }
  const info = dtypeInfo(plan.array.dtype);
  try {
    const missing = planMissing(plan.missing, info);
    // Checked now so that a bad selection is reported by the buffered path, after the read, as it always was.
    if (shape !== undefined) selectedView(shape, plan);
    return new StreamingReduction(spec, info, missing, plan);
  } catch {
    return undefined;
  }
}

function selectedView(shape: number[], plan: ComputePlan): NdView {
  const view: NdView = {
    dtype: plan.array.dtype,
    data: new Uint8Array(0),
    shape,
    strides: denseStrides(shape, plan.array.order),
    offset: 0,
  };
  return selectView(view, plan.selection);
}

class StreamingReduction implements StreamReducer, BodySink {
  /** Taken in open(): a reducer that never gets a body (refused by the memory budget, aborted) holds none. */
  private buffer: Uint8Array = RELEASED;
  private reduction: FullReduction | undefined;
  private readonly swap: boolean;
  /** Element address of the byte at PAD. */
  private base = 0;
  /** Bytes at PAD not folded yet (the last of them possibly a split element); the next read lands after them. */
  private pending = 0;
  /** Of the pending bytes, how many are whole elements already put in host byte order. */
  private swapped = 0;
  private elements = 0;

  constructor(
    private readonly spec: ReduceSpec,
    private readonly info: DTypeInfo,
    private readonly missing: AnyPlan,
    private readonly plan: ComputePlan,
  ) {
    this.swap = (plan.array.byteOrder === 'little') !== HOST_IS_LITTLE_ENDIAN;
  }

  open(length: number): BodySink {
    const { shape } = this.plan.array;
    const itemsize = this.info.itemsize;
    checkDecodedLength(
      length,
      shape?.reduce((a, b) => a * b, itemsize),
      this.plan,
    );
    this.elements = length / itemsize;
    const view = selectedView(shape ?? [this.elements], this.plan);
    if (this.buffer === RELEASED) this.buffer = takeBuffer();
    this.reduction = new FullReduction(
      this.spec,
      this.info,
      pickFold(this.spec, this.info, this.missing),
      this.missing,
      view,
    );
    return this;
  }

  readBuffer(): Uint8Array {
    return this.buffer.subarray(PAD + this.pending);
  }

  filled(n: number): void {
    this.pending += n;
    this.foldPending();
  }

  write(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, this.buffer.length - PAD - this.pending);
      this.buffer.set(bytes.subarray(at, at + take), PAD + this.pending);
      at += take;
      this.pending += take;
      this.foldPending();
    }
  }

  /** Folds what the pending whole elements allow and moves the rest to the front for the next read. */
  private foldPending(): void {
    const reduction = this.reduction!;
    const itemsize = this.info.itemsize;
    const whole = Math.floor(this.pending / itemsize);
    const wholeBytes = whole * itemsize;
    if (this.swap && wholeBytes > this.swapped) {
      swapBytesInPlace(this.buffer.subarray(PAD + this.swapped, PAD + wholeBytes), this.info.itemsize);
      this.swapped = wholeBytes;
    }
    const last = this.base + whole === this.elements;
    const data = new this.info.arrayType(this.buffer.buffer, this.buffer.byteOffset + PAD, whole);
    const upTo = reduction.fold(data, this.base, whole, last);
    const usedBytes = (upTo - this.base) * itemsize;
    if (usedBytes > 0) {
      this.buffer.copyWithin(PAD, PAD + usedBytes, PAD + this.pending);
      this.pending -= usedBytes;
      this.swapped = Math.max(0, this.swapped - usedBytes);
      this.base = upTo;
    }
  }

  release(): void {
    if (this.buffer === RELEASED) return;
    giveBack(this.buffer);
    this.buffer = RELEASED;
  }

  finish(): OpResult {
    const reduction = this.reduction;
    if (reduction === undefined || !reduction.done || this.pending !== 0) {
      throw new Error(`the body ended before every selected element was folded`);
    }
    const outInfo = dtypeInfo(this.spec.resultDType(this.info.name));
    const out = new outInfo.arrayType(new ArrayBuffer(outInfo.itemsize));
    reduction.finish(out);
    const bytes = new Uint8Array(out.buffer, 0, outInfo.itemsize);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(bytes, outInfo.itemsize);
    return { dtype: outInfo.name, shape: [], bytes, counts: [reduction.acc.n] };
  }
}
