/**
 * A reduction over every axis, folded from successive pieces of the array as they become available: the whole
 * decoded array at once (reduce.ts) or each socket read of a streamed body (compute/stream.ts). Both give the same
 * bytes, because what is folded together never depends on where the pieces end:
 *
 * - the selected elements are walked as strided runs in increasing address order (dimensions sorted by decreasing
 *   stride and merged where one steps over the next; a reversed dimension is walked forwards, which a reduction
 *   over every axis may do);
 * - for order-sensitive folds (float sums and means) each run is cut at fixed element addresses, every
 *   BLOCK_ELEMENTS, and each cut piece is one fold call (pairwise inside, compensated between pieces). A piece
 *   whose bytes have not all arrived is left for the next call: `fold` reports how far it got.
 */
import type { AnyTypedArray, DTypeInfo } from '../array/dtype.js';
import { coalesce, type NdView } from '../array/view.js';
import { Acc, attachWords, type ReduceSpec } from './op-spec.js';
import type { AnyFold, AnyPlan } from './reduce.js';

/** Fold pieces of order-sensitive reductions end at multiples of this element address. */
export const BLOCK_ELEMENTS = 8192;

/** The walk of a full reduction: strided runs in increasing address order (see the header). */
interface Walk {
  first: number;
  count: number;
  outerLen: number[];
  outerStride: number[];
  runLen: number;
  runStride: number;
}

function walkOf(view: Pick<NdView, 'shape' | 'strides' | 'offset'>): Walk {
  let first = view.offset;
  let count = 1;
  const dims: { len: number; stride: number }[] = [];
  for (let d = 0; d < view.shape.length; d++) {
    const len = view.shape[d]!;
    let stride = view.strides[d]!;
    count *= len;
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
  return { first, count, outerLen: walk.shape, outerStride: walk.strides, runLen, runStride };
}

/** Elements per run of a full reduction's walk: what a kernel gets per call (at most). */
export function fullRunLength(view: Pick<NdView, 'shape' | 'strides' | 'offset'>): number {
  return walkOf(view).runLen;
}

export class FullReduction {
  readonly acc = new Acc();
  /** Selected elements in all, and folded so far. */
  readonly count: number;
  private folded = 0;
  private readonly block: number;
  private readonly outerLen: number[];
  private readonly outerStride: number[];
  private readonly runLen: number;
  private readonly runStride: number;
  /** The cursor: index in each outer dimension, the current run's first element, its next one, how many are left. */
  private readonly outerIdx: number[];
  private runBase: number;
  private next: number;
  private leftInRun: number;

  constructor(
    private readonly spec: ReduceSpec,
    private readonly info: DTypeInfo,
    private readonly foldRun: AnyFold,
    private readonly plan: AnyPlan,
    view: Pick<NdView, 'shape' | 'strides' | 'offset'>,
  ) {
    const walk = walkOf(view);
    this.runLen = walk.runLen;
    this.runStride = walk.runStride;
    this.outerLen = walk.outerLen;
    this.outerStride = walk.outerStride;
    this.outerIdx = new Array<number>(this.outerLen.length).fill(0);
    this.count = walk.count;
    this.runBase = walk.first;
    this.next = walk.first;
    this.leftInRun = walk.count === 0 ? 0 : this.runLen;
    const orderSensitive = info.family === 'float' && (spec.name === 'sum' || spec.name === 'mean');
    this.block = orderSensitive ? BLOCK_ELEMENTS : Number.POSITIVE_INFINITY;
    spec.identity(this.acc, info);
  }

  /** Every selected element has been folded. */
  get done(): boolean {
    return this.folded === this.count;
  }

  /**
   * Folds what it can of `data[0..n)`, which holds the elements at addresses `base..base+n`: everything when `last`
   * (no more elements will come), otherwise up to the last piece boundary. Returns the address it folded up to;
   * the caller passes the elements from there again, with the ones that follow, next time.
   */
  fold(data: AnyTypedArray, base: number, n: number, last: boolean): number {
    const end = base + n;
    const limit = last || this.block === Number.POSITIVE_INFINITY ? end : end - (end % this.block);
    if (this.info.isBigInt) attachWords(this.acc, data, this.info);
    const stride = this.runStride;
    while (this.leftInRun > 0 && this.next < limit) {
      const pieceEnd = Math.min(limit, this.next - (this.next % this.block) + this.block);
      const k = Math.min(this.leftInRun, Math.floor((pieceEnd - 1 - this.next) / stride) + 1);
      this.foldRun(this.acc, data, this.next - base, stride, k, this.plan);
      this.next += k * stride;
      this.leftInRun -= k;
      this.folded += k;
      if (this.leftInRun === 0) this.nextRun();
    }
    return limit;
  }

  /** Writes the result element into `out[0]`. */
  finish(out: AnyTypedArray): void {
    this.spec.finish(this.acc, this.info, out, 0);
  }

  private nextRun(): void {
    for (let d = this.outerLen.length - 1; d >= 0; d--) {
      this.runBase += this.outerStride[d]!;
      if (++this.outerIdx[d]! < this.outerLen[d]!) {
        this.next = this.runBase;
        this.leftInRun = this.runLen;
        return;
      }
      this.runBase -= this.outerStride[d]! * this.outerLen[d]!;
      this.outerIdx[d] = 0;
    }
  }
}
