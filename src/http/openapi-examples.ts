/**
 * Request examples for the OpenAPI document. Every one reads an object the demo store (`npm start`,
 * src/demo/sample-data.ts) holds at http://localhost:9000, so a reader can send it unchanged from the docs page;
 * a test sends each of them, in both API versions, against a seeded store.
 */
import type { OpName } from '../ops/registry.js';

/** The address `npm start` prints for its sample store (src/demo/run.ts). */
export const DEMO_STORE_URL = 'http://localhost:9000';

export interface RequestExample {
  /** Key in the OpenAPI `examples` map. */
  name: string;
  summary: string;
  description: string;
  /** v2 body; the v1 form is derived from it. */
  body: Record<string, unknown>;
}

interface ExampleSpec {
  name: string;
  ops: readonly OpName[] | 'all';
  summary: (op: OpName) => string;
  description: string;
  body: Record<string, unknown>;
}

const PRIVATE = `${DEMO_STORE_URL}/sample-data`;
const PUBLIC = `${DEMO_STORE_URL}/sample`;
const REDUCTIONS: readonly OpName[] = ['count', 'max', 'mean', 'min', 'sum'];
const DEMO_KEYS = 'Private bucket sample-data: authorize with the demo keys minioadmin / minioadmin.';
const ANONYMOUS = 'Public-read bucket sample: works without credentials.';

/** numpy.arange(10) as float32: the result of each op is small enough to state. */
const ARANGE_RESULT: Readonly<Record<OpName, string>> = {
  count: '10',
  max: '9.0',
  mean: '4.5',
  min: '0.0',
  select: '[0.0, 1.0, ..., 9.0] (count [10])',
  sum: '45.0 (count [10])',
};

const SPECS: readonly ExampleSpec[] = [
  {
    name: 'arange',
    ops: 'all',
    summary: (op) => `${op} of numpy.arange(10) as float32 → ${ARANGE_RESULT[op]}`,
    description: `The original prototype's sample object data-float32.dat. ${DEMO_KEYS}`,
    body: { interface_type: 's3', url: `${PRIVATE}/data-float32.dat`, dtype: 'float32' },
  },
  {
    name: 'grid-axis',
    ops: REDUCTIONS,
    summary: (op) => `${op} along axis 1 of a selection of a 3×4×5 float64 grid`,
    description: `grid-float64-3x4x5.dat = numpy.arange(60).reshape(3, 4, 5) / 4, C order. ${DEMO_KEYS}`,
    body: {
      interface_type: 's3',
      url: `${PRIVATE}/grid-float64-3x4x5.dat`,
      dtype: 'float64',
      shape: [3, 4, 5],
      selection: [
        [0, 3, 1],
        [1, 4, 2],
        [0, 5, 2],
      ],
      axis: 1,
    },
  },
  {
    name: 'missing-value',
    ops: 'all',
    summary: (op) => `${op} per row of a float32 4×5 array whose fill value is -9999.0`,
    description: `temperature-float32-4x5-fill.dat: three elements hold the fill value. ${DEMO_KEYS}`,
    body: {
      interface_type: 's3',
      url: `${PRIVATE}/temperature-float32-4x5-fill.dat`,
      dtype: 'float32',
      shape: [4, 5],
      axis: 1,
      missing: { missing_value: -9999.0 },
    },
  },
  {
    name: 'big-endian',
    ops: REDUCTIONS,
    summary: (op) => `${op} over axes 0 and 2 of a big-endian float64 2×3×4 array with fill 1e20`,
    description: `pressure-float64-be-2x3x4-fill.dat. ${DEMO_KEYS}`,
    body: {
      interface_type: 's3',
      url: `${PRIVATE}/pressure-float64-be-2x3x4-fill.dat`,
      dtype: 'float64',
      byte_order: 'big',
      shape: [2, 3, 4],
      axis: [0, 2],
      missing: { missing_value: 1e20 },
    },
  },
  {
    name: 'valid-range',
    ops: REDUCTIONS,
    summary: (op) => `${op} per column of an int32 5×4 array, values outside [0, 100] missing`,
    description: `counts-int32-5x4-valid-range.dat. ${DEMO_KEYS}`,
    body: {
      interface_type: 's3',
      url: `${PRIVATE}/counts-int32-5x4-valid-range.dat`,
      dtype: 'int32',
      shape: [5, 4],
      axis: 0,
      missing: { valid_range: [0, 100] },
    },
  },
  {
    name: 'fortran-order',
    ops: ['select', 'sum'],
    summary: (op) => `${op} of a strided selection of an int32 4×6 array stored in Fortran order`,
    description: `matrix-int32-4x6-F.dat (element [i, j] = 6i + j). ${DEMO_KEYS}`,
    body: {
      interface_type: 's3',
      url: `${PRIVATE}/matrix-int32-4x6-F.dat`,
      dtype: 'int32',
      shape: [4, 6],
      order: 'F',
      selection: [
        [1, 4, 2],
        [0, 6, 2],
      ],
    },
  },
  {
    name: 'contract-A',
    ops: ['sum'],
    summary: () => 'API contract example A: whole-object sum of numpy.arange(10) as int32 → 45',
    description: ANONYMOUS,
    body: { interface_type: 's3', url: `${PUBLIC}/demo/ints.bin`, dtype: 'int32' },
  },
  {
    name: 'contract-B',
    ops: ['select'],
    summary: () => 'API contract example B: select in F order with a negative stride, shape as bytes',
    description: ANONYMOUS,
    body: {
      interface_type: 's3',
      url: `${PUBLIC}/demo/i64.bin`,
      dtype: 'int64',
      shape: [4, 5],
      order: 'F',
      selection: [
        [1, 4, 2],
        [-1, -6, -2],
      ],
      option_shape_as_bytes: true,
    },
  },
  {
    name: 'contract-C',
    ops: ['max'],
    summary: () => 'API contract example C: max along an axis, big-endian, offset, valid range',
    description: ANONYMOUS,
    body: {
      interface_type: 's3',
      url: `${PUBLIC}/demo/f32be.bin`,
      dtype: 'float32',
      byte_order: 'big',
      offset: 16,
      size: 48,
      shape: [3, 4],
      axis: 1,
      missing: { valid_range: [1.0, 9.0] },
      option_count_as_bytes: true,
    },
  },
  {
    name: 'contract-D',
    ops: ['sum', 'mean'],
    summary: () => 'API contract example D: zlib + shuffle chunk with a missing value, every axis',
    description: ANONYMOUS,
    body: {
      interface_type: 's3',
      url: `${PUBLIC}/demo/f64.z`,
      dtype: 'float64',
      byte_order: 'little',
      offset: 0,
      size: 32,
      order: 'C',
      shape: [2, 2, 2],
      selection: [
        [0, 2, 1],
        [0, 2, 1],
        [0, 2, 1],
      ],
      compression: { id: 'zlib' },
      filters: [{ id: 'shuffle', element_size: 8 }],
      missing: { missing_value: -999.0 },
      axis: [0, 1, 2],
    },
  },
  {
    name: 'contract-E',
    ops: ['count'],
    summary: () => 'API contract example E: count with selection, axis and missing value',
    description: ANONYMOUS,
    body: {
      interface_type: 's3',
      url: `${PUBLIC}/demo/u32.bin`,
      dtype: 'uint32',
      shape: [3, 4],
      selection: [
        [0, 3, 1],
        [0, 4, 2],
      ],
      axis: 1,
      missing: { missing_value: 0 },
    },
  },
  {
    name: 'contract-F',
    ops: ['min'],
    summary: () => 'API contract example F: empty selection → sentinel with count 0',
    description: ANONYMOUS,
    body: {
      interface_type: 's3',
      url: `${PUBLIC}/demo/small.bin`,
      dtype: 'int32',
      shape: [5],
      selection: [[3, 1, 1]],
    },
  },
];

/** v2 examples for `op`, the first being the one a page shows by default. */
export function v2Examples(op: OpName): RequestExample[] {
  return SPECS.filter((s) => s.ops === 'all' || s.ops.includes(op)).map((s) => ({
    name: s.name,
    summary: s.summary(op),
    description: s.description,
    body: s.body,
  }));
}

/**
 * The v1 form of a v2 `s3` body (API.md §8.3): `url` split into `source`, `bucket` and the verbatim `object`; the
 * `*_as_bytes` options are dropped because they have no effect in v1.
 */
export function toV1Body(body: Record<string, unknown>): Record<string, unknown> {
  const { interface_type, url, option_shape_as_bytes, option_count_as_bytes, ...rest } = body;
  if (interface_type !== 's3' || typeof url !== 'string') throw new Error('only s3 examples have a v1 form');
  const parsed = new URL(url);
  const [bucket, ...key] = parsed.pathname.slice(1).split('/');
  return {
    source: parsed.origin,
    bucket: decodeURIComponent(bucket ?? ''),
    object: key.map(decodeURIComponent).join('/'),
    ...rest,
  };
}

export function v1Examples(op: OpName): RequestExample[] {
  return v2Examples(op).map((e) => ({ ...e, body: toV1Body(e.body) }));
}
