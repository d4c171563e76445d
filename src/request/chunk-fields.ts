/**
 * The fields v1 and v2 share (everything but where the object lives), their schema, and the cross-field rules of
 * API.md §2 that turn them into a `ChunkRequest`.
 */
import { z } from 'zod';
import { DTYPE_NAMES, type DType, dtypeInfo } from '../array/dtype.js';
import {
  COMPRESSION_IDS,
  type CodecConfig,
  checkCodecChain,
  FILTER_IDS,
  isLengthPreserving,
  parseCodecConfig,
} from '../decode/registry.js';
import { invalidRequest } from '../errors.js';
import type { OpName } from '../ops/registry.js';
import type { ChunkRequest, Credentials, Location, Slice } from './chunk-request.js';
import { formatIssues, INT64_MAX, INT64_MIN, jsonAny, jsonBoolean, jsonEnum, jsonInteger } from './fields.js';
import { describeJson, isJsonObject, JsonNumber, type JsonObject, type JsonValue } from './json.js';
import { MISSING_SCHEMA, parseMissing } from './missing.js';

export interface RequestLimits {
  /** Largest decoded array (product(shape) × itemsize) a request may name. */
  maxDecodedBytes: number;
  /** Memory the server may ever grant one request: a larger `size` can never run (API.md §7, Reductionist). */
  memoryLimitBytes: number;
  fileInterface: boolean;
}

const SLICE_SCHEMA = {
  description:
    '[start, end, stride] with Python slice semantics (negative values count from the end; stride must not be 0); ' +
    'an object {start, end, stride} is also accepted',
  oneOf: [
    { type: 'array', items: { type: 'integer' }, minItems: 3, maxItems: 3 },
    {
      type: 'object',
      required: ['start', 'end', 'stride'],
      additionalProperties: false,
      properties: { start: { type: 'integer' }, end: { type: 'integer' }, stride: { type: 'integer' } },
    },
  ],
};

function codecSchema(ids: readonly string[], description: string) {
  return {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'string', enum: [...ids] } },
    additionalProperties: true,
    description,
  };
}

/** Shared body fields, as zod shape entries (the v1/v2 schemas add where the object lives). */
export const chunkFieldsShape = {
  dtype: jsonEnum(DTYPE_NAMES, 'element type of the decoded data'),
  byte_order: jsonEnum(['little', 'big'], 'byte order of the stored elements (default little)').optional(),
  offset: jsonInteger({
    min: 0n,
    description: 'first byte of the stored data in the object (default 0)',
  }).optional(),
  size: jsonInteger({
    min: 1n,
    description: 'number of stored bytes from offset (default: to the end)',
  }).optional(),
  shape: z
    .array(jsonInteger({ min: 1n }))
    .min(1)
    .optional()
    .meta({ description: 'dimensions of the decoded array (default: 1-D of every element)' }),
  order: jsonEnum(
    ['C', 'F'],
    'layout of the decoded bytes: C row-major (default) or F column-major',
  ).optional(),
  selection: jsonAny({
    type: 'array',
    minItems: 1,
    items: SLICE_SCHEMA,
    description: 'one [start, end, stride] per dimension of shape (requires shape)',
  }).optional(),
  axis: jsonAny({
    description:
      'axes to reduce over (default: all); a list must be ascending without repeats (requires shape)',
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'array', items: { type: 'integer', minimum: 0 } },
    ],
  }).optional(),
  compression: jsonAny(codecSchema(COMPRESSION_IDS, 'compression of the stored bytes')).optional(),
  filters: jsonAny({
    type: 'array',
    items: codecSchema(FILTER_IDS, 'a filter, in the order it was applied when writing'),
    description: 'filters applied when writing, undone in reverse order',
  }).optional(),
  missing: jsonAny(MISSING_SCHEMA).optional(),
  option_disable_chunk_cache: jsonBoolean('skip the chunk cache for this request').optional(),
  option_shape_as_bytes: jsonBoolean('v2: return the shape as packed u64 bytes').optional(),
  option_count_as_bytes: jsonBoolean('v2: return the counts as packed i64 bytes').optional(),
};

type ChunkFields = z.output<z.ZodObject<typeof chunkFieldsShape>>;

/**
 * Validates a body against `schema` (a strict object). `null` fields count as absent (API.md §2). Returns the parsed
 * fields or pushes problems.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: JsonValue,
  problems: string[],
): z.output<S> | undefined {
  if (!isJsonObject(body)) {
    problems.push(`body: must be a JSON object, got ${describeJson(body)}`);
    return undefined;
  }
  const present: JsonObject = {};
  // for-in over the parser's null-prototype object: same keys and order as Object.entries without its per-key
  // pair arrays (~0.9 KB per request, issue 6's heap profile).
  for (const k in body) {
    const v = body[k] as JsonValue;
    if (v !== null) present[k] = v;
  }
  const result = schema.safeParse(present, { reportInput: true });
  if (result.success) return result.data;
  problems.push(...formatIssues(result.error.issues));
  return undefined;
}

const CLAMP = BigInt(Number.MAX_SAFE_INTEGER);

function sliceInteger(v: JsonValue | undefined, where: string, problems: string[]): number | undefined {
  if (!(v instanceof JsonNumber) || !v.isInteger) {
    problems.push(`${where}: must be an integer, got ${describeJson(v)}`);
    return undefined;
  }
  const n = v.toBigInt();
  if (n < INT64_MIN || n > INT64_MAX) {
    problems.push(`${where}: must fit a signed 64-bit integer, got ${v.literal}`);
    return undefined;
  }
  // Clamping to ±2^53 cannot change a slice: no dimension is that long.
  return Number(n > CLAMP ? CLAMP : n < -CLAMP ? -CLAMP : n);
}

function parseSelection(
  raw: JsonValue,
  shape: number[] | undefined,
  problems: string[],
): Slice[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    problems.push(`selection: must be a non-empty array of [start, end, stride], got ${describeJson(raw)}`);
    return undefined;
  }
  const before = problems.length;
  if (shape === undefined) problems.push('selection: selection requires shape to be specified');
  else if (raw.length !== shape.length) {
    problems.push(
      `selection: must have one [start, end, stride] per dimension of shape (${shape.length}), got ${raw.length}`,
    );
  }
  const slices = raw.map((entry, i): Slice | undefined => {
    const where = `selection[${i}]`;
    let parts: (JsonValue | undefined)[];
    if (Array.isArray(entry) && entry.length === 3) parts = entry;
    else if (isJsonObject(entry) && Object.keys(entry).sort().join() === 'end,start,stride') {
      parts = [entry.start, entry.end, entry.stride];
    } else {
      problems.push(`${where}: must be [start, end, stride] (three integers), got ${describeJson(entry)}`);
      return undefined;
    }
    const [start, stop, step] = [
      sliceInteger(parts[0], `${where}.start`, problems),
      sliceInteger(parts[1], `${where}.end`, problems),
      sliceInteger(parts[2], `${where}.stride`, problems),
    ];
    if (step === 0) problems.push(`${where}: stride must not be zero`);
    if (start === undefined || stop === undefined || step === undefined || step === 0) return undefined;
    return { start, stop, step };
  });
  return problems.length > before ? undefined : (slices as Slice[]);
}

function parseAxis(raw: JsonValue, shape: number[] | undefined, problems: string[]): number[] | undefined {
  if (shape === undefined) {
    problems.push('axis: axis requires shape to be specified');
    return undefined;
  }
  const ndim = shape.length;
  const check = (v: JsonValue | undefined, where: string): number | undefined => {
    if (!(v instanceof JsonNumber) || !v.isInteger || v.toBigInt() < 0n) {
      problems.push(`${where}: must be an integer >= 0, got ${describeJson(v)}`);
      return undefined;
    }
    const n = v.toBigInt();
    if (n >= BigInt(ndim)) {
      problems.push(
        `${where}: ${n} is out of range for a ${ndim}-dimensional shape (allowed 0 to ${ndim - 1})`,
      );
      return undefined;
    }
    return Number(n);
  };
  if (!Array.isArray(raw)) {
    const a = check(raw, 'axis');
    return a === undefined ? undefined : [a];
  }
  if (raw.length > ndim) {
    problems.push(`axis: lists ${raw.length} axes but shape has ${ndim} dimensions`);
    return undefined;
  }
  const before = problems.length;
  const axes = raw.map((v, i) => check(v, `axis[${i}]`));
  if (problems.length > before) return undefined;
  const list = axes as number[];
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1] as number;
    const cur = list[i] as number;
    if (cur === prev) {
      problems.push(`axis: axis ${cur} is repeated; each axis may appear once`);
      return undefined;
    }
    if (cur < prev) {
      problems.push(`axis: must be sorted in ascending order, got [${list.join(', ')}]`);
      return undefined;
    }
  }
  return list;
}

function parseCodecs(fields: ChunkFields, problems: string[]) {
  let compression: CodecConfig | undefined;
  if (fields.compression !== undefined) {
    compression = parseCodecConfig('compression', fields.compression, 'compression', problems);
  }
  const filters: CodecConfig[] = [];
  if (fields.filters !== undefined) {
    if (!Array.isArray(fields.filters)) {
      problems.push(`filters: must be an array of filter objects, got ${describeJson(fields.filters)}`);
    } else {
      fields.filters.forEach((raw, i) => {
        const f = parseCodecConfig('filter', raw, `filters[${i}]`, problems);
        if (f !== undefined) filters.push(f);
      });
      checkCodecChain(filters, fields.dtype, problems);
    }
  }
  return { compression, filters };
}

function checkSizes(
  fields: ChunkFields,
  dtype: DType,
  lengthPreserving: boolean,
  limits: RequestLimits,
  problems: string[],
) {
  const itemsize = dtypeInfo(dtype).itemsize;
  const shape = fields.shape;
  if (shape !== undefined) {
    const decodedBytes = shape.reduce((a, b) => a * b, itemsize);
    if (decodedBytes > limits.maxDecodedBytes) {
      problems.push(
        `shape: ${JSON.stringify(shape)} of ${dtype} is ${decodedBytes} bytes, over the server's limit of ${limits.maxDecodedBytes}`,
      );
    } else if (fields.size !== undefined && lengthPreserving && fields.size !== decodedBytes) {
      problems.push(
        `size: ${fields.size} bytes does not match shape ${JSON.stringify(shape)} of ${dtype} (${decodedBytes} bytes)`,
      );
    }
  } else if (fields.size !== undefined && lengthPreserving && fields.size % itemsize !== 0) {
    problems.push(`size: ${fields.size} bytes is not a multiple of the ${dtype} item size (${itemsize})`);
  }
}

/** Builds the internal request from validated shared fields, or throws one 400 listing every problem. */
export function buildChunkRequest(
  op: OpName,
  fields: ChunkFields | undefined,
  location: Location | undefined,
  credentials: Credentials | undefined,
  limits: RequestLimits,
  problems: string[],
): ChunkRequest {
  if (fields === undefined || location === undefined || problems.length > 0) {
    // Cross-field rules still run on what parsed, so one response reports as much as it can.
    if (fields !== undefined) crossFieldProblems(fields, limits, problems);
    throw invalidRequest(problems);
  }
  const parsed = crossFieldProblems(fields, limits, problems);
  if (problems.length > 0 || parsed === undefined) throw invalidRequest(problems);
  return {
    op,
    location,
    credentials,
    range: { offset: fields.offset ?? 0, hasOffset: fields.offset !== undefined, size: fields.size },
    array: {
      dtype: fields.dtype,
      byteOrder: fields.byte_order ?? 'little',
      shape: fields.shape,
      order: fields.order ?? 'C',
    },
    selection: parsed.selection,
    axes: parsed.axes,
    compression: parsed.compression,
    filters: parsed.filters,
    missing: parsed.missing,
    options: {
      disableChunkCache: fields.option_disable_chunk_cache ?? false,
      shapeAsBytes: fields.option_shape_as_bytes ?? false,
      countAsBytes: fields.option_count_as_bytes ?? false,
    },
  };
}

function crossFieldProblems(fields: ChunkFields, limits: RequestLimits, problems: string[]) {
  const before = problems.length;
  const selection =
    fields.selection === undefined ? undefined : parseSelection(fields.selection, fields.shape, problems);
  const axes = fields.axis === undefined ? undefined : parseAxis(fields.axis, fields.shape, problems);
  const { compression, filters } = parseCodecs(fields, problems);
  const missing =
    fields.missing === undefined ? undefined : parseMissing(fields.missing, fields.dtype, problems);
  const itemsize = dtypeInfo(fields.dtype).itemsize;
  checkSizes(fields, fields.dtype, isLengthPreserving(compression, filters, itemsize), limits, problems);
  if (fields.size !== undefined && fields.size > limits.memoryLimitBytes) {
    problems.push(
      `size: Insufficient memory to process request (${fields.size} > ${limits.memoryLimitBytes})`,
    );
  }
  if (problems.length > before) return undefined;
  return { selection, axes, compression, filters, missing };
}
