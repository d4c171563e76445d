/**
 * The objects `npm start` puts in the embedded store.
 *
 * - Bucket `sample-data` (private: needs the demo keys) holds the original prototype's sample data,
 *   `data-{dtype}.dat` = `numpy.arange(10, dtype)` little-endian for the six Reductionist dtypes, plus a few
 *   multi-dimensional, big-endian and missing-value arrays.
 * - Bucket `sample` (public-read) holds exactly the objects of API.md §13's worked examples, so those examples
 *   work verbatim against `http://localhost:9000`.
 *
 * Every array is built here from the same arithmetic as the numpy expression quoted in its description; the
 * integration test regenerates each one with numpy and compares bytes.
 */
import { DTYPES } from '../array/dtype.js';
import type { DemoStore } from './demo-store.js';

export type SampleDType = 'int32' | 'int64' | 'uint32' | 'uint64' | 'float32' | 'float64';
export type SampleByteOrder = 'little' | 'big';

export interface SampleObject {
  bucket: string;
  /** True when the bucket allows anonymous GET (public-read). */
  public: boolean;
  key: string;
  bytes: Uint8Array;
  /** Shape, dtype, byte order, memory order and fill value: what a request needs to read the object. */
  description: string;
}

export const PRIVATE_SAMPLE_BUCKET = 'sample-data';
export const PUBLIC_SAMPLE_BUCKET = 'sample';

const ARANGE_DTYPES: readonly SampleDType[] = ['int32', 'int64', 'uint32', 'uint64', 'float32', 'float64'];

/** The bytes of `values` stored as `dtype` in `byteOrder`, as numpy's `tobytes()` writes them. */
export function encodeValues(
  dtype: SampleDType,
  values: readonly (number | bigint)[],
  byteOrder: SampleByteOrder = 'little',
): Uint8Array {
  const itemsize = DTYPES[dtype].itemsize;
  const bytes = new Uint8Array(values.length * itemsize);
  const view = new DataView(bytes.buffer);
  const isLittle = byteOrder === 'little';
  values.forEach((value, i) => {
    const at = i * itemsize;
    switch (dtype) {
      case 'int32':
        view.setInt32(at, Number(value), isLittle);
        break;
      case 'uint32':
        view.setUint32(at, Number(value), isLittle);
        break;
      case 'int64':
        view.setBigInt64(at, BigInt(value), isLittle);
        break;
      case 'uint64':
        view.setBigUint64(at, BigInt(value), isLittle);
        break;
      case 'float32':
        view.setFloat32(at, Number(value), isLittle);
        break;
      case 'float64':
        view.setFloat64(at, Number(value), isLittle);
        break;
    }
  });
  return bytes;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** Flat C-order values with the listed flat positions replaced by `fill`. */
function withFill<T extends number | bigint>(values: T[], flatPositions: readonly number[], fill: T): T[] {
  const out = [...values];
  for (const at of flatPositions) out[at] = fill;
  return out;
}

/** Row-major values of a rows×cols matrix rewritten in column-major (Fortran) memory order. */
function toFortranOrder<T>(values: readonly T[], rows: number, cols: number): T[] {
  const out: T[] = [];
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out.push(values[i * cols + j] as T);
  return out;
}

// netCDF's default fill values for the 64-bit integer types (NC_FILL_INT64 / NC_FILL_UINT64): both are past
// 2^53, so a request has to carry them as exact JSON integers.
const NC_FILL_INT64 = -9223372036854775806n;
const NC_FILL_UINT64 = 18446744073709551614n;

function privateSamples(): SampleObject[] {
  const bucket = PRIVATE_SAMPLE_BUCKET;
  const sample = (key: string, bytes: Uint8Array, description: string): SampleObject => ({
    bucket,
    public: false,
    key,
    bytes,
    description,
  });
  const aranges = ARANGE_DTYPES.map((dtype) =>
    sample(
      `data-${dtype}.dat`,
      encodeValues(dtype, range(10)),
      `numpy.arange(10, dtype='${dtype}'): shape [10], ${dtype}, little-endian (the original prototype's sample data)`,
    ),
  );

  const temperature = withFill(
    range(20).map((i) => 280 + 0.5 * i),
    [3, 11, 19],
    -9999,
  );
  const pressure = withFill(
    range(24).map((i) => 1000 - 2.5 * i),
    [6, 23],
    1e20,
  );
  const counts = withFill(
    range(20).map((i) => (i * 7) % 50),
    [2, 9],
    -1,
  );
  counts[14] = 999;
  const ids = withFill(
    range(8).map((i) => BigInt(i) * 1_000_000_000_000n),
    [5],
    NC_FILL_INT64,
  );
  const bigIds = withFill(
    range(6).map((i) => 2n ** 53n + 1n + 2n * BigInt(i)),
    [2],
    NC_FILL_UINT64,
  );
  const levels = withFill(
    range(12).map((i) => 10 * (i + 1)),
    [1, 7],
    4294967295,
  );
  levels[10] = 0;

  return [
    ...aranges,
    sample(
      'data-float32-be.dat',
      encodeValues('float32', range(10), 'big'),
      "numpy.arange(10, dtype='>f4'): shape [10], float32, big-endian",
    ),
    sample(
      'grid-float64-3x4x5.dat',
      encodeValues(
        'float64',
        range(60).map((i) => i / 4),
      ),
      "numpy.arange(60, dtype='<f8').reshape(3, 4, 5) / 4: shape [3, 4, 5], float64, little-endian, order C",
    ),
    sample(
      'matrix-int32-4x6-F.dat',
      encodeValues('int32', toFortranOrder(range(24), 4, 6)),
      "numpy.arange(24, dtype='<i4').reshape(4, 6).tobytes(order='F'): shape [4, 6], int32, little-endian, " +
        'order F (element [i, j] = 6i + j)',
    ),
    sample(
      'temperature-float32-4x5-fill.dat',
      encodeValues('float32', temperature),
      "(280 + 0.5 * numpy.arange(20)).astype('<f4').reshape(4, 5) with [0, 3], [2, 1], [3, 4] = -9999.0: " +
        'shape [4, 5], float32, little-endian, order C, missing_value -9999.0',
    ),
    sample(
      'pressure-float64-be-2x3x4-fill.dat',
      encodeValues('float64', pressure, 'big'),
      "(1000 - 2.5 * numpy.arange(24)).astype('>f8').reshape(2, 3, 4) with [0, 1, 2], [1, 2, 3] = 1e20: " +
        'shape [2, 3, 4], float64, big-endian, order C, missing_value 1e20',
    ),
    sample(
      'counts-int32-5x4-valid-range.dat',
      encodeValues('int32', counts),
      "(numpy.arange(20, dtype='<i4') * 7 % 50).reshape(5, 4) with [0, 2], [2, 1] = -1 and [3, 2] = 999: " +
        'shape [5, 4], int32, little-endian, order C, valid_range [0, 100]',
    ),
    sample(
      'ids-int64-8-fill.dat',
      encodeValues('int64', ids),
      "numpy.arange(8, dtype='<i8') * 10**12 with [5] = -9223372036854775806 (netCDF NC_FILL_INT64): " +
        'shape [8], int64, little-endian, missing_value -9223372036854775806',
    ),
    sample(
      'ids-uint64-be-6-fill.dat',
      encodeValues('uint64', bigIds, 'big'),
      "(2**53 + 1 + 2 * numpy.arange(6)).astype('>u8') with [2] = 18446744073709551614 (netCDF NC_FILL_UINT64): " +
        'shape [6], uint64, big-endian, missing_value 18446744073709551614',
    ),
    sample(
      'levels-uint32-3x4-missing-values.dat',
      encodeValues('uint32', levels),
      "(10 * (numpy.arange(12) + 1)).astype('<u4').reshape(3, 4) with [0, 1], [1, 3] = 4294967295 and " +
        '[2, 2] = 0: shape [3, 4], uint32, little-endian, order C, missing_values [0, 4294967295]',
    ),
  ];
}

/** API.md §13, object by object. */
function publicSamples(): SampleObject[] {
  const bucket = PUBLIC_SAMPLE_BUCKET;
  const sample = (key: string, bytes: Uint8Array, description: string): SampleObject => ({
    bucket,
    public: true,
    key,
    bytes,
    description,
  });
  const f32be = [
    [0.5, 3.25, 9.0, 12.0],
    [-1.0, 20.0, 0.0, 100.0],
    [1.0, 8.5, 2.0, 9.5],
  ].flat();
  return [
    sample(
      'demo/ints.bin',
      encodeValues('int32', range(10)),
      "API.md §13 A: numpy.arange(10, dtype='<i4'): shape [10], int32, little-endian",
    ),
    sample(
      'demo/i64.bin',
      encodeValues('int64', range(20)),
      "API.md §13 B: numpy.arange(20, dtype='<i8'): int64, little-endian, read as shape [4, 5] order F",
    ),
    sample(
      'demo/f32be.bin',
      concatBytes(
        fromHex('000102030405060708090a0b0c0d0e0f'),
        encodeValues('float32', f32be, 'big'),
        new Uint8Array(8),
      ),
      'API.md §13 C: 16 header bytes 00..0f, then a float32 big-endian [3, 4] array (offset 16, size 48), ' +
        'then 8 zero bytes',
    ),
    sample(
      'demo/f64.z',
      fromHex('789c63602012588011c38f7e26817e85033cf6071c1c0e38d81f0000416b0703'),
      'API.md §13 D: 32 stored bytes, zlib then shuffle (element_size 8) of a float64 little-endian [2, 2, 2] ' +
        'array with missing_value -999.0',
    ),
    sample(
      'demo/u32.bin',
      encodeValues('uint32', [0, 7, 3, 0, 5, 0, 4, 2, 9, 9, 0, 1]),
      "API.md §13 E: numpy.array([[0, 7, 3, 0], [5, 0, 4, 2], [9, 9, 0, 1]], dtype='<u4'): shape [3, 4], " +
        'uint32, little-endian, missing_value 0',
    ),
    sample(
      'demo/small.bin',
      encodeValues('int32', [4, -2, 7, 1, 0]),
      "API.md §13 F: numpy.array([4, -2, 7, 1, 0], dtype='<i4'): shape [5], int32, little-endian",
    ),
  ];
}

export function sampleObjects(): SampleObject[] {
  return [...privateSamples(), ...publicSamples()];
}

/** Creates the sample buckets (public-read where marked) and uploads every sample object. */
export function seedSampleData(store: Pick<DemoStore, 'createBucket' | 'putObject'>): SampleObject[] {
  const objects = sampleObjects();
  const buckets = new Map(objects.map((object) => [object.bucket, object.public]));
  for (const [name, isPublic] of buckets) store.createBucket(name, { isPublic });
  for (const object of objects) store.putObject(object.bucket, object.key, object.bytes);
  return objects;
}
