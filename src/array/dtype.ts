/** The one dtype table: every dtype-dependent decision reads it. */

export const DTYPE_NAMES = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float32',
  'float64',
] as const;
export type DType = (typeof DTYPE_NAMES)[number];

/** The six dtypes Reductionist knows; the others are our extension (API.md §10.4). */
export const REDUCTIONIST_DTYPES: readonly DType[] = [
  'int32',
  'int64',
  'uint32',
  'uint64',
  'float32',
  'float64',
];

export type NumericArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Float32Array
  | Float64Array;
export type BigIntArray = BigInt64Array | BigUint64Array;
export type AnyTypedArray = NumericArray | BigIntArray;

interface DTypeBase {
  readonly name: DType;
  readonly itemsize: 1 | 2 | 4 | 8;
}

/** Integers that fit a JS number exactly: 8, 16 and 32 bits. */
export interface SmallIntInfo extends DTypeBase {
  readonly family: 'int' | 'uint';
  readonly isBigInt: false;
  readonly min: number;
  readonly max: number;
  readonly bits: 8 | 16 | 32;
  readonly arrayType: new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => NumericArray;
}

/** 64-bit integers: read as bigint, reduced with exact arithmetic. */
export interface BigIntInfo extends DTypeBase {
  readonly family: 'int' | 'uint';
  readonly isBigInt: true;
  readonly min: bigint;
  readonly max: bigint;
  readonly bits: 64;
  readonly arrayType: new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => BigIntArray;
}

export interface FloatInfo extends DTypeBase {
  readonly family: 'float';
  readonly isBigInt: false;
  /** Lowest finite value: the `max` sentinel for an empty reduction (API.md §5.4). */
  readonly min: number;
  /** Largest finite value: the `min` sentinel for an empty reduction. */
  readonly max: number;
  readonly arrayType: new (
    buffer: ArrayBufferLike,
    byteOffset?: number,
    length?: number,
  ) => Float32Array | Float64Array;
  /** Rounds a float64 to the nearest value of this dtype. */
  readonly round: (x: number) => number;
}

export type DTypeInfo = SmallIntInfo | BigIntInfo | FloatInfo;

const F32_MAX = 3.4028234663852886e38;

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  int8: {
    name: 'int8',
    itemsize: 1,
    family: 'int',
    isBigInt: false,
    bits: 8,
    min: -128,
    max: 127,
    arrayType: Int8Array,
  },
  int16: {
    name: 'int16',
    itemsize: 2,
    family: 'int',
    isBigInt: false,
    bits: 16,
    min: -32768,
    max: 32767,
    arrayType: Int16Array,
  },
  int32: {
    name: 'int32',
    itemsize: 4,
    family: 'int',
    isBigInt: false,
    bits: 32,
    min: -2147483648,
    max: 2147483647,
    arrayType: Int32Array,
  },
  int64: {
    name: 'int64',
    itemsize: 8,
    family: 'int',
    isBigInt: true,
    bits: 64,
    min: -(2n ** 63n),
    max: 2n ** 63n - 1n,
    arrayType: BigInt64Array,
  },
  uint8: {
    name: 'uint8',
    itemsize: 1,
    family: 'uint',
    isBigInt: false,
    bits: 8,
    min: 0,
    max: 255,
    arrayType: Uint8Array,
  },
  uint16: {
    name: 'uint16',
    itemsize: 2,
    family: 'uint',
    isBigInt: false,
    bits: 16,
    min: 0,
    max: 65535,
    arrayType: Uint16Array,
  },
  uint32: {
    name: 'uint32',
    itemsize: 4,
    family: 'uint',
    isBigInt: false,
    bits: 32,
    min: 0,
    max: 4294967295,
    arrayType: Uint32Array,
  },
  uint64: {
    name: 'uint64',
    itemsize: 8,
    family: 'uint',
    isBigInt: true,
    bits: 64,
    min: 0n,
    max: 2n ** 64n - 1n,
    arrayType: BigUint64Array,
  },
  float32: {
    name: 'float32',
    itemsize: 4,
    family: 'float',
    isBigInt: false,
    min: -F32_MAX,
    max: F32_MAX,
    arrayType: Float32Array,
    round: Math.fround,
  },
  float64: {
    name: 'float64',
    itemsize: 8,
    family: 'float',
    isBigInt: false,
    min: -Number.MAX_VALUE,
    max: Number.MAX_VALUE,
    arrayType: Float64Array,
    round: (x) => x,
  },
};

export function isDType(name: string): name is DType {
  return Object.hasOwn(DTYPES, name);
}

export function dtypeInfo(name: DType): DTypeInfo {
  return DTYPES[name];
}
