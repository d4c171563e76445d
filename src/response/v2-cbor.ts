/**
 * The v2 response: one definite-length CBOR map with Reductionist's seven keys, in its order (API.md §4).
 *
 * Written by hand because the map's shape never changes and a generic encoder is the slowest part of a small
 * request: cbor2's `encode` took 131 µs per response (16.6% of busy time on 64 KiB chunks, docs/performance.md),
 * this takes a few µs. test/unit/response/v2-cbor.test.ts checks the bytes against cbor2 for every variation.
 */
import type { OpResult } from '../request/chunk-request.js';

export interface V2Options {
  shapeAsBytes: boolean;
  countAsBytes: boolean;
}

const MAJOR_UINT = 0;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_ARRAY = 4;
const MAP_OF_SEVEN = 0xa7;

/** Bytes of a head (major type + argument) in its shortest form, as RFC 8949 §4.2.1 asks. */
function headLength(n: number): number {
  if (n < 24) return 1;
  if (n < 0x100) return 2;
  if (n < 0x10000) return 3;
  if (n < 0x100000000) return 5;
  return 9;
}

class Writer {
  readonly out: Uint8Array;
  private readonly view: DataView;
  at = 0;

  constructor(length: number) {
    this.out = new Uint8Array(length);
    this.view = new DataView(this.out.buffer);
  }

  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.out[this.at++] = m | n;
    else if (n < 0x100) {
      this.out[this.at++] = m | 24;
      this.out[this.at++] = n;
    } else if (n < 0x10000) {
      this.out[this.at++] = m | 25;
      this.view.setUint16(this.at, n);
      this.at += 2;
    } else if (n < 0x100000000) {
      this.out[this.at++] = m | 26;
      this.view.setUint32(this.at, n);
      this.at += 4;
    } else {
      this.out[this.at++] = m | 27;
      this.view.setBigUint64(this.at, BigInt(n));
      this.at += 8;
    }
  }

  bytes(b: Uint8Array): void {
    this.head(MAJOR_BYTES, b.length);
    this.out.set(b, this.at);
    this.at += b.length;
  }

  text(s: string): void {
    // Keys and values here are ASCII (fixed keys, dtype names, "little").
    this.head(MAJOR_TEXT, s.length);
    for (let i = 0; i < s.length; i++) this.out[this.at++] = s.charCodeAt(i);
  }

  uints(values: readonly number[]): void {
    this.head(MAJOR_ARRAY, values.length);
    for (const v of values) this.head(MAJOR_UINT, v);
  }
}

const textLength = (s: string) => headLength(s.length) + s.length;
const bytesLength = (n: number) => headLength(n) + n;
const uintsLength = (values: readonly number[]) =>
  values.reduce((sum, v) => sum + headLength(v), headLength(values.length));

function packInt64(values: readonly number[], signed: boolean): Uint8Array {
  const out = signed ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
  values.forEach((v, i) => {
    out[i] = BigInt(v);
  });
  return new Uint8Array(out.buffer);
}

const NONE: readonly number[] = [];
const EMPTY = new Uint8Array(0);

export function encodeV2Response(result: OpResult, opts: V2Options): Uint8Array {
  const shape = opts.shapeAsBytes ? NONE : result.shape;
  const shapeBytes = opts.shapeAsBytes ? packInt64(result.shape, false) : EMPTY;
  const count = opts.countAsBytes ? NONE : result.counts;
  const countBytes = opts.countAsBytes ? packInt64(result.counts, true) : EMPTY;
  const entries: [string, number][] = [
    ['bytes', bytesLength(result.bytes.length)],
    ['dtype', textLength(result.dtype)],
    ['shape', uintsLength(shape)],
    ['shape_as_bytes', bytesLength(shapeBytes.length)],
    ['count', uintsLength(count)],
    ['count_as_bytes', bytesLength(countBytes.length)],
    ['byte_order', textLength('little')],
  ];
  const w = new Writer(entries.reduce((sum, [key, n]) => sum + textLength(key) + n, 1));
  w.out[w.at++] = MAP_OF_SEVEN;
  w.text('bytes');
  w.bytes(result.bytes);
  w.text('dtype');
  w.text(result.dtype);
  w.text('shape');
  w.uints(shape);
  w.text('shape_as_bytes');
  w.bytes(shapeBytes);
  w.text('count');
  w.uints(count);
  w.text('count_as_bytes');
  w.bytes(countBytes);
  w.text('byte_order');
  w.text('little');
  return w.out;
}
