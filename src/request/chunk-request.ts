/**
 * The one internal request model. v1 and v2 bodies are both normalised into a `ChunkRequest` at the edge
 * (request/v1.ts, request/v2.ts); every stage after that sees only this.
 */
import type { DType } from '../array/dtype.js';
import type { CodecConfig } from '../decode/registry.js';
import type { OpName } from '../ops/registry.js';

/** Where the stored bytes live. */
export type Location =
  /** `endpoint` is `scheme://host[:port][/prefix]` with no trailing slash; `key` is the decoded object key. */
  | { kind: 's3'; endpoint: string; bucket: string; key: string }
  | { kind: 'http'; url: string }
  | { kind: 'file'; path: string };

/** From the request's `Authorization: Basic` header: S3 access key id / secret, or HTTP Basic pass-through. */
export interface Credentials {
  username: string;
  password: string;
}

/** A byte range of the object: `offset` defaults to 0; `size` absent means "to the end of the object". */
export interface ByteRange {
  offset: number;
  /** True when the client sent `offset` (API.md §8.1: `Range: bytes={offset}-` only when it was given). */
  hasOffset: boolean;
  size: number | undefined;
}

/** One dimension's `[start, end, stride]` exactly as sent (values clamped to ±2^53, which cannot change a slice). */
export interface Slice {
  start: number;
  stop: number;
  step: number;
}

/**
 * Missing-data rule with bounds already converted to the dtype (rounded to float32 for float32 data; bigint for
 * 64-bit integer dtypes).
 */
export type MissingRule =
  | { kind: 'values'; values: (number | bigint)[] }
  | { kind: 'range'; min: number | bigint | undefined; max: number | bigint | undefined };

export interface ArraySpec {
  dtype: DType;
  byteOrder: 'little' | 'big';
  /** Absent: 1-D of every decoded element. */
  shape: number[] | undefined;
  order: 'C' | 'F';
}

export interface ChunkRequest {
  op: OpName;
  location: Location;
  credentials: Credentials | undefined;
  range: ByteRange;
  array: ArraySpec;
  selection: Slice[] | undefined;
  /** Axes to reduce over, sorted and unique; `undefined` = every axis. */
  axes: number[] | undefined;
  compression: CodecConfig | undefined;
  filters: CodecConfig[];
  missing: MissingRule | undefined;
  options: {
    disableChunkCache: boolean;
    shapeAsBytes: boolean;
    countAsBytes: boolean;
  };
}

/** What every op produces; response/ serialises it for v1 or v2. */
export interface OpResult {
  dtype: DType;
  /** Logical result shape; `[]` for a scalar. */
  shape: number[];
  /** Result elements, little-endian, laid out in the request's `order`. */
  bytes: Uint8Array;
  /** Non-missing elements behind each result element, in C order (one entry for `select`). */
  counts: number[];
}
