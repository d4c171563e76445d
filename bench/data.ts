/**
 * The objects the bench serves, written once per run into a temp directory that nginx serves and the S3 stores
 * are loaded from. Values come from a seeded generator, so every run reads the same bytes; numpy (expected.py)
 * reads the same files to compute the answers, and decodes the compressed object itself to check the encoder here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { mulberry32 } from '../test/support/prng.js';

export const KiB = 1024;
export const MiB = 1024 * 1024;

export type BenchDType = 'float32' | 'int64';

/** One stored object: what the store holds and what a request for it must say. */
export interface BenchObject {
  /** File name in the data directory, also the S3 key and the nginx path. */
  name: string;
  dtype: BenchDType;
  /** Bytes stored (what a direct GET moves). */
  storedBytes: number;
  /** Bytes after decoding (= storedBytes when uncompressed). */
  decodedBytes: number;
  shape: number[] | undefined;
  compression: { id: 'zlib' } | undefined;
  filters: { id: 'shuffle'; element_size: number }[];
  /** For a compressed object: the file holding the decoded bytes, which numpy compares its own decoding with. */
  rawName: string | undefined;
}

/**
 * Temperatures in kelvin (200-320): all positive, so a float32 sum does not cancel and numpy's float32 pairwise sum
 * and the server's float64 accumulation agree within numpy.allclose's default tolerance, as API.md §5.4 requires.
 */
function float32Kelvin(bytes: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(bytes);
  const f32 = new Float32Array(buf.buffer, buf.byteOffset, bytes / 4);
  const next = mulberry32(seed);
  for (let i = 0; i < f32.length; i++) f32[i] = 200 + (next() / 4294967296) * 120;
  return buf;
}

/** Full-range int64 values, so sums wrap modulo 2^64 the way numpy's do and the exact-integer path is exercised. */
function int64Full(bytes: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(bytes);
  const u32 = new Uint32Array(buf.buffer, buf.byteOffset, bytes / 4);
  const next = mulberry32(seed);
  for (let i = 0; i < u32.length; i++) u32[i] = next();
  return buf;
}

/** A smooth 2-D field rounded to 0.01 K, like model output: shuffle + zlib compresses it about as well as real data. */
function float32Smooth(rows: number, cols: number, seed: number): Buffer {
  const buf = Buffer.allocUnsafeSlow(rows * cols * 4);
  const f32 = new Float32Array(buf.buffer, buf.byteOffset, rows * cols);
  const next = mulberry32(seed);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const noise = (next() / 4294967296 - 0.5) * 0.5;
      f32[i * cols + j] = Math.round((260 + 30 * Math.sin(i / 50) * Math.cos(j / 70) + noise) * 100) / 100;
    }
  }
  return buf;
}

/** numcodecs/HDF5 shuffle: byte k of every element goes to plane k. Written here, independently of src/decode. */
export function shuffle(bytes: Uint8Array, elementSize: number): Buffer {
  const n = bytes.length / elementSize;
  const out = Buffer.allocUnsafeSlow(bytes.length);
  for (let k = 0; k < elementSize; k++) {
    const plane = k * n;
    for (let i = 0, src = k; i < n; i++, src += elementSize) out[plane + i] = bytes[src]!;
  }
  return out;
}

/** Value that marks a missing element in the missing-data object (CF `_FillValue` style). */
export const MISSING_VALUE = -9999;

/** Every 10th element (on average) replaced by MISSING_VALUE, the rest as float32Kelvin. */
function float32WithMissing(bytes: number, seed: number): Buffer {
  const buf = float32Kelvin(bytes, seed);
  const f32 = new Float32Array(buf.buffer, buf.byteOffset, bytes / 4);
  const next = mulberry32(seed ^ 0x5bd1e995);
  for (let i = 0; i < f32.length; i++) if (next() % 10 === 0) f32[i] = MISSING_VALUE;
  return buf;
}

const plain = (name: string, dtype: BenchDType, bytes: number, shape?: number[]): BenchObject => ({
  name,
  dtype,
  storedBytes: bytes,
  decodedBytes: bytes,
  shape,
  compression: undefined,
  filters: [],
  rawName: undefined,
});

/** Every object a case may name, by name. Generated lazily: only what the selected cases need is written. */
export const OBJECTS = {
  'f32-64k': plain('f32-64k.bin', 'float32', 64 * KiB),
  'f32-1m': plain('f32-1m.bin', 'float32', MiB),
  'f32-16m': plain('f32-16m.bin', 'float32', 16 * MiB),
  'f32-64m': plain('f32-64m.bin', 'float32', 64 * MiB),
  'i64-1m': plain('i64-1m.bin', 'int64', MiB),
  'i64-16m': plain('i64-16m.bin', 'int64', 16 * MiB),
  'i64-64m': plain('i64-64m.bin', 'int64', 64 * MiB),
  'f32-missing-16m': plain('f32-missing-16m.bin', 'float32', 16 * MiB, [2048, 2048]),
  // 4 MiB decoded, [1024, 1024]: a typical netCDF4/HDF5 chunk. storedBytes is filled in when it is written.
  'f32-zlib-shuffle-4m': {
    name: 'f32-zlib-shuffle-4m.z',
    dtype: 'float32',
    storedBytes: 0,
    decodedBytes: 4 * MiB,
    shape: [1024, 1024],
    compression: { id: 'zlib' },
    filters: [{ id: 'shuffle', element_size: 4 }],
    rawName: 'f32-smooth-4m.bin',
  },
} satisfies Record<string, BenchObject>;

export type ObjectId = keyof typeof OBJECTS;

/** Writes `id`'s file(s) into `dir` and returns the object with its stored size known. */
export function writeObject(dir: string, id: ObjectId): BenchObject {
  const obj: BenchObject = { ...OBJECTS[id] };
  // Distinct seeds per object, so no two objects are byte-identical (a cache could not hide a re-read).
  const seed = [...id].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261);
  if (obj.compression !== undefined) {
    const [rows = 0, cols = 0] = obj.shape ?? [];
    const raw = float32Smooth(rows, cols, seed);
    const stored = deflateSync(shuffle(raw, 4), { level: 4 });
    writeFileSync(join(dir, obj.rawName!), raw);
    writeFileSync(join(dir, obj.name), stored);
    obj.storedBytes = stored.length;
    return obj;
  }
  let bytes: Buffer;
  if (id === 'f32-missing-16m') bytes = float32WithMissing(obj.storedBytes, seed);
  else if (obj.dtype === 'float32') bytes = float32Kelvin(obj.storedBytes, seed);
  else bytes = int64Full(obj.storedBytes, seed);
  writeFileSync(join(dir, obj.name), bytes);
  return obj;
}
