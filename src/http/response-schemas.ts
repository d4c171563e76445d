/**
 * zod schemas of what the server sends back (API.md §3, §4, §9). The OpenAPI document is generated from them, the
 * tests check real responses against them, and the command-line client checks what it received with them.
 */
import { z } from 'zod';
import { DTYPE_NAMES } from '../array/dtype.js';

function byteString(description: string) {
  return z.instanceof(Uint8Array).meta({
    type: 'string',
    contentMediaType: 'application/octet-stream',
    description: `CBOR byte string (major type 2, never tagged): ${description}`,
  });
}

const resultDtype = z.enum(DTYPE_NAMES).meta({ description: 'result dtype name' });

/** API.md §4: one definite-length CBOR map with exactly these seven keys. */
export const v2ResponseSchema = z
  .strictObject({
    bytes: byteString(
      "result elements, little-endian, laid out in the request's order (numpy result.tobytes(order))",
    ),
    dtype: resultDtype,
    shape: z
      .array(z.int().min(0))
      .meta({ description: 'result shape; [] for a scalar, and [] when option_shape_as_bytes is true' }),
    shape_as_bytes: byteString(
      'empty, or the shape as consecutive u64 little-endian (option_shape_as_bytes)',
    ),
    count: z.array(z.int().min(0)).meta({
      description:
        'non-missing elements behind each result element, C order; always an array ([10] for a scalar); ' +
        '[] when option_count_as_bytes is true',
    }),
    count_as_bytes: byteString(
      'empty, or the counts as consecutive i64 little-endian (option_count_as_bytes)',
    ),
    byte_order: z.literal('little').meta({ description: 'always "little", whatever the request said' }),
  })
  .meta({
    id: 'V2Response',
    description:
      'The v2 success body, encoded as CBOR (application/cbor): a map of these seven text keys, always all ' +
      'seven. Decode `bytes` with numpy.frombuffer(bytes, dtype).reshape(shape, order=request order).',
  });
export type V2Response = z.output<typeof v2ResponseSchema>;

/** API.md §9. Loose: clients must ignore keys they do not know. */
export const errorBodySchema = z
  .looseObject({
    error: z.looseObject({
      message: z.string().meta({ description: 'one line saying what went wrong' }),
      caused_by: z
        .array(z.string())
        .min(1)
        .optional()
        .meta({ description: 'lower-level causes, root cause last (S3 errors: the code and message)' }),
      chunk: z.int().min(0).optional().meta({ description: '[ext] batch: index of the failed chunk' }),
    }),
  })
  .meta({
    id: 'ErrorBody',
    description: 'Body of every error response, both API versions; Content-Type exactly application/json.',
  });

export const healthBodySchema = z
  .strictObject({ status: z.literal('ok') })
  .meta({ id: 'Health', description: 'The process can serve requests.' });

/** API.md §3: the headers that describe a v1 raw-bytes body. Values are compact JSON where they are arrays. */
export const V1_RESULT_HEADERS = {
  'x-activestorage-dtype': {
    description: 'result dtype name',
    schema: { type: 'string', enum: [...DTYPE_NAMES] },
    example: 'int64',
  },
  'x-activestorage-shape': {
    description: 'result shape as a compact JSON array; [] for a scalar',
    schema: { type: 'string' },
    example: '[3]',
  },
  'x-activestorage-count': {
    description: 'non-missing elements behind each result element, a compact JSON array (always an array)',
    schema: { type: 'string' },
    example: '[1,2,1]',
  },
  'x-activestorage-byte-order': {
    description: 'byte order of the body: always little',
    schema: { type: 'string', enum: ['little'] },
    example: 'little',
  },
} as const;

/** The v1 headers as parsed values; throws a readable error when one is missing or malformed. */
export function parseV1ResultHeaders(get: (name: string) => string | null | undefined): {
  dtype: (typeof DTYPE_NAMES)[number];
  shape: number[];
  count: number[];
  byteOrder: 'little';
} {
  const read = (name: keyof typeof V1_RESULT_HEADERS): string => {
    const v = get(name);
    if (v === null || v === undefined) throw new Error(`response has no ${name} header`);
    return v;
  };
  const jsonList = (name: keyof typeof V1_RESULT_HEADERS): number[] => {
    const raw = read(name);
    const parsed = z.array(z.int().min(0)).safeParse(safeJson(raw));
    if (!parsed.success) throw new Error(`${name} header is not a JSON array of integers: ${raw}`);
    return parsed.data;
  };
  const dtype = z.enum(DTYPE_NAMES).safeParse(read('x-activestorage-dtype'));
  if (!dtype.success)
    throw new Error(`x-activestorage-dtype header is not a dtype: ${read('x-activestorage-dtype')}`);
  if (read('x-activestorage-byte-order') !== 'little') {
    throw new Error(`x-activestorage-byte-order header is ${read('x-activestorage-byte-order')}, not little`);
  }
  return {
    dtype: dtype.data,
    shape: jsonList('x-activestorage-shape'),
    count: jsonList('x-activestorage-count'),
    byteOrder: 'little',
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
