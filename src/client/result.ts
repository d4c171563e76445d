/**
 * A reduction's answer as a person or a program reads it: the little-endian result bytes turned into numbers in
 * their logical shape, printed as text (numpy-like numbers) or as one JSON object.
 */
import type { DType } from '../array/dtype.js';

export interface ReduceResult {
  dtype: DType;
  shape: number[];
  count: (number | bigint)[];
  bytes: Uint8Array;
}

type Value = number | bigint;
export type Nested = Value | Nested[];

const READ: Readonly<Record<DType, [itemsize: number, read: (view: DataView, at: number) => Value]>> = {
  int8: [1, (v, at) => v.getInt8(at)],
  int16: [2, (v, at) => v.getInt16(at, true)],
  int32: [4, (v, at) => v.getInt32(at, true)],
  int64: [8, (v, at) => v.getBigInt64(at, true)],
  uint8: [1, (v, at) => v.getUint8(at)],
  uint16: [2, (v, at) => v.getUint16(at, true)],
  uint32: [4, (v, at) => v.getUint32(at, true)],
  uint64: [8, (v, at) => v.getBigUint64(at, true)],
  float32: [4, (v, at) => v.getFloat32(at, true)],
  float64: [8, (v, at) => v.getFloat64(at, true)],
};

/** Little-endian elements of `dtype` (64-bit integers as bigint). */
export function decodeValues(bytes: Uint8Array, dtype: DType): Value[] {
  const [itemsize, read] = READ[dtype];
  if (bytes.byteLength % itemsize !== 0) {
    throw new Error(`${bytes.byteLength} result bytes are not a whole number of ${dtype} elements`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Value[] = [];
  for (let at = 0; at < bytes.byteLength; at += itemsize) out.push(read(view, at));
  return out;
}

/** Packed 64-bit integers (shape_as_bytes: u64, count_as_bytes: i64), as numbers where exact. */
export function decodePacked(bytes: Uint8Array, signed: boolean): (number | bigint)[] {
  return decodeValues(bytes, signed ? 'int64' : 'uint64').map((v) =>
    typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(v)
      : v,
  );
}

/** Flat values laid out in `order` -> nested arrays of `shape`; a scalar for shape []. */
export function nest(values: readonly Value[], shape: readonly number[], order: 'C' | 'F'): Nested {
  if (shape.length === 0) {
    if (values.length !== 1) throw new Error(`a scalar result needs 1 element, got ${values.length}`);
    return values[0] as Value;
  }
  const total = shape.reduce((a, b) => a * b, 1);
  if (values.length !== total) {
    throw new Error(`shape ${JSON.stringify(shape)} needs ${total} elements, got ${values.length}`);
  }
  const strides: number[] = new Array(shape.length);
  let step = 1;
  const dims = shape.map((_, k) => (order === 'F' ? k : shape.length - 1 - k));
  for (const k of dims) {
    strides[k] = step;
    step *= shape[k] as number;
  }
  const build = (dim: number, offset: number): Nested[] =>
    Array.from({ length: shape[dim] as number }, (_, i) => {
      const at = offset + i * (strides[dim] as number);
      return dim === shape.length - 1 ? (values[at] as Value) : build(dim + 1, at);
    });
  return build(0, 0);
}

/**
 * The shortest decimal text that reads back as `v` (as float32 when `isFloat32`), in exponent form where numpy's
 * repr uses it (|v| >= 1e16 or < 1e-4).
 */
function shortestText(v: number, isFloat32: boolean): string {
  const isExponent = v !== 0 && (Math.abs(v) >= 1e16 || Math.abs(v) < 1e-4);
  for (let digits = 1; digits <= 17; digits++) {
    const text = isExponent ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
    const back = Number(text);
    if ((isFloat32 ? Math.fround(back) : back) === v) return text;
  }
  return String(v);
}

/** numpy-like: floats keep a decimal point (45.0), nan / inf / -inf. */
export function formatNumber(v: Value, dtype: DType): string {
  if (typeof v === 'bigint' || !dtype.startsWith('float')) return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  // numpy writes at least two exponent digits (1e-05).
  const text = shortestText(v, dtype === 'float32').replace(/e([+-])(\d)$/, 'e$10$2');
  return /[.e]/.test(text) ? text : `${text}.0`;
}

function formatNested(x: Nested, dtype: DType): string {
  return Array.isArray(x) ? `[${x.map((y) => formatNested(y, dtype)).join(', ')}]` : formatNumber(x, dtype);
}

export function formatHuman(result: ReduceResult, order: 'C' | 'F'): string {
  const values = nest(decodeValues(result.bytes, result.dtype), result.shape, order);
  return [
    `values  ${formatNested(values, result.dtype)}`,
    `dtype   ${result.dtype}`,
    `shape   ${JSON.stringify(result.shape)}`,
    `count   [${result.count.map(String).join(', ')}]`,
    '',
  ].join('\n');
}

/**
 * JSON numbers are written exactly: 64-bit integers in full, float32 in their shortest form. JSON has no NaN or
 * infinity, so those become the strings "NaN", "Infinity", "-Infinity" (what Python's json module reads back).
 */
function jsonValue(x: Nested, dtype: DType): string {
  if (Array.isArray(x)) return `[${x.map((y) => jsonValue(y, dtype)).join(',')}]`;
  if (typeof x === 'bigint') return String(x);
  if (Number.isNaN(x)) return '"NaN"';
  if (!Number.isFinite(x)) return x > 0 ? '"Infinity"' : '"-Infinity"';
  return dtype.startsWith('float') ? shortestText(x, dtype === 'float32') : String(x);
}

export function formatJson(
  result: ReduceResult,
  meta: { api: string; op: string },
  order: 'C' | 'F',
): string {
  const values = nest(decodeValues(result.bytes, result.dtype), result.shape, order);
  const count = `[${result.count.map(String).join(',')}]`;
  return (
    `{"api":${JSON.stringify(meta.api)},"op":${JSON.stringify(meta.op)},"dtype":${JSON.stringify(result.dtype)},` +
    `"shape":${JSON.stringify(result.shape)},"count":${count},"values":${jsonValue(values, result.dtype)}}\n`
  );
}
