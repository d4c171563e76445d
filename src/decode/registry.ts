/**
 * The codec table: every compression and filter id a request may name (API.md §2 rule 11, §7, §10.1–10.2), built
 * once at start-up. Request validation, the OpenAPI enums and the docs read it; decode/pipeline.ts builds decoders
 * from it. Adding a codec = one file in codecs/ + one row here + a fixture case in scripts/make-codec-fixtures.py.
 */
import { DTYPE_NAMES, DTYPES, type DType, isDType } from '../array/dtype.js';
import { describeJson, isJsonObject, JsonNumber, type JsonValue } from '../request/json.js';
import type { CodecParam, CodecRole, CodecSpec } from './codec-spec.js';
import { bitshuffle } from './codecs/bitshuffle.js';
import { blosc } from './codecs/blosc.js';
import { blosc2 } from './codecs/blosc2.js';
import { bz2 } from './codecs/bz2.js';
import { delta } from './codecs/delta.js';
import { fletcher32Filter } from './codecs/fletcher32.js';
import { gzip } from './codecs/gzip.js';
import { lz4 } from './codecs/lz4.js';
import { shuffle } from './codecs/shuffle.js';
import { zlib } from './codecs/zlib.js';
import { zstd } from './codecs/zstd.js';

/** A validated codec object from a request, with camelCase option names. */
export interface CodecConfig {
  /** The wire id as sent; an alias keeps its own id (`shuffle_simd`). */
  id: string;
  /** `element_size`: bytes per element (shuffle, shuffle_simd, bitshuffle). */
  elementSize?: number;
  /** `block_size`: bitshuffle block in elements; 0 or absent = the library default. */
  blockSize?: number;
  /** `astype`: dtype of delta's stored differences; absent = the request dtype. */
  astype?: DType;
}

export interface CodecRow {
  /** Wire id; also the id in `CodecConfig`. */
  id: string;
  spec: CodecSpec;
  /** For an alias row, the id of the row it mirrors. */
  aliasOf?: string;
}

/** Reductionist's ids first, then ours (API.md §2 table), so enums list them in that order. */
const ROWS: readonly CodecRow[] = [
  { id: 'gzip', spec: gzip },
  { id: 'zlib', spec: zlib },
  { id: 'blosc2', spec: blosc2 },
  { id: 'blosc', spec: blosc },
  { id: 'zstd', spec: zstd },
  { id: 'lz4', spec: lz4 },
  { id: 'bz2', spec: bz2 },
  { id: 'shuffle', spec: shuffle },
  // Reductionist's name for the same byte shuffle done with SIMD instructions: identical output.
  { id: 'shuffle_simd', spec: shuffle, aliasOf: 'shuffle' },
  { id: 'bitshuffle', spec: bitshuffle },
  { id: 'delta', spec: delta },
  { id: 'fletcher32', spec: fletcher32Filter },
];

/** Turns rows into the lookup; a duplicate id or a mislabelled row is a start-up error. */
export function buildCodecTable(rows: readonly CodecRow[]): ReadonlyMap<string, CodecRow> {
  const table = new Map<string, CodecRow>();
  for (const row of rows) {
    if (table.has(row.id)) throw new Error(`codec registry: duplicate id "${row.id}"`);
    if (row.aliasOf === undefined && row.spec.id !== row.id) {
      throw new Error(
        `codec registry: row "${row.id}" points at spec "${row.spec.id}" without being an alias`,
      );
    }
    table.set(row.id, row);
  }
  return table;
}

const TABLE = buildCodecTable(ROWS);

export const CODEC_ROWS: readonly CodecRow[] = ROWS;
export const COMPRESSION_IDS: readonly string[] = ROWS.filter((r) => r.spec.role === 'compression').map(
  (r) => r.id,
);
export const FILTER_IDS: readonly string[] = ROWS.filter((r) => r.spec.role === 'filter').map((r) => r.id);

export function codecSpec(id: string): CodecSpec | undefined {
  return TABLE.get(id)?.spec;
}

const INT32_MAX = 2 ** 31 - 1;

function describeValue(v: JsonValue): string {
  return v instanceof JsonNumber ? v.literal : describeJson(v);
}

function parseParam(
  param: CodecParam,
  raw: JsonValue,
  where: string,
  problems: string[],
): number | DType | undefined {
  if (param.kind === 'dtype') {
    if (typeof raw === 'string' && isDType(raw)) return raw;
    problems.push(`${where}: must be one of ${DTYPE_NAMES.join(', ')}, got ${describeValue(raw)}`);
    return undefined;
  }
  const rule = param.kind === 'positive-integer' ? 'an integer >= 1' : 'an integer >= 0 and a multiple of 8';
  if (!(raw instanceof JsonNumber) || !raw.isInteger) {
    problems.push(`${where}: must be ${rule}, got ${describeValue(raw)}`);
    return undefined;
  }
  const value = raw.toBigInt();
  const min = param.kind === 'positive-integer' ? 1n : 0n;
  if (value < min || (param.kind === 'bitshuffle-block' && value % 8n !== 0n)) {
    problems.push(`${where}: must be ${rule}, got ${raw.literal}`);
    return undefined;
  }
  if (value > BigInt(INT32_MAX)) {
    problems.push(`${where}: must be at most ${INT32_MAX}, got ${raw.literal}`);
    return undefined;
  }
  return Number(value);
}

/**
 * Validates one wire codec object (`compression`, or one entry of `filters`) and returns its config, or pushes
 * messages naming `field` and returns undefined. Keys other than `id` and the codec's own options are ignored
 * (API.md §2 rule 11); `null` counts as absent.
 */
export function parseCodecConfig(
  role: CodecRole,
  raw: JsonValue,
  field: string,
  problems: string[],
): CodecConfig | undefined {
  const allowed = role === 'compression' ? COMPRESSION_IDS : FILTER_IDS;
  const allowedText = `allowed: ${allowed.join(', ')}`;
  if (!isJsonObject(raw)) {
    problems.push(`${field}: must be an object with an "id" naming a ${role}, got ${describeValue(raw)}`);
    return undefined;
  }
  const id = raw.id;
  if (id === undefined || id === null) {
    problems.push(`${field}.id: is required; ${allowedText}`);
    return undefined;
  }
  if (typeof id !== 'string') {
    problems.push(`${field}.id: must be a string; ${allowedText}; got ${describeValue(id)}`);
    return undefined;
  }
  const spec = TABLE.get(id)?.spec;
  if (spec === undefined || spec.role !== role) {
    const hint = spec === undefined ? '' : ` ("${id}" is a ${spec.role}, not a ${role})`;
    problems.push(`${field}.id: unknown ${role} "${id}"${hint}; ${allowedText}`);
    return undefined;
  }
  const config: CodecConfig = { id };
  let isValid = true;
  for (const param of spec.params) {
    const value = raw[param.wire];
    const where = `${field}.${param.wire}`;
    if (value === undefined || value === null) {
      if (param.required) {
        problems.push(`${where}: is required for ${id} (${param.description})`);
        isValid = false;
      }
      continue;
    }
    const parsed = parseParam(param, value, where, problems);
    if (parsed === undefined) {
      isValid = false;
      continue;
    }
    if (param.key === 'astype') config.astype = parsed as DType;
    else config[param.key] = parsed as number;
  }
  return isValid ? config : undefined;
}

/**
 * Rules that need the whole chain or the dtype: at most one fletcher32 (API.md §10.2), and a delta `astype` that
 * numpy could have summed into the dtype. request/ may call this to report them before fetching; decode/pipeline.ts
 * enforces the same rules regardless.
 */
export function checkCodecChain(filters: readonly CodecConfig[], dtype: DType, problems: string[]): void {
  const checksums = filters.flatMap((f, i) => (f.id === 'fletcher32' ? [`filters[${i}]`] : []));
  if (checksums.length > 1) {
    problems.push(`filters: fletcher32 may appear at most once, found at ${checksums.join(' and ')}`);
  }
  filters.forEach((f, i) => {
    if (f.id !== 'delta' || f.astype === undefined) return;
    if (DTYPES[f.astype].family === 'float' && DTYPES[dtype].family !== 'float') {
      problems.push(
        `filters[${i}].astype: ${f.astype} differences cannot be summed into the integer dtype ${dtype}`,
      );
    }
  });
}

/**
 * True when decoding cannot change the byte length, so `size` can be checked against `shape` before fetching
 * (API.md §2 rule 7): no compression, and only shuffle, shuffle_simd, bitshuffle, or delta whose astype has the item
 * size.
 */
export function isLengthPreserving(
  compression: CodecConfig | undefined,
  filters: readonly CodecConfig[],
  itemsize: number,
): boolean {
  if (compression !== undefined) return false;
  return filters.every((f) => codecSpec(f.id)?.isLengthPreserving(f, itemsize) ?? false);
}
