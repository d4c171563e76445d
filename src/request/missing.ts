/**
 * The `missing` object (API.md §6): exactly one of five keys, every value converted to the dtype and checked.
 */
import { type DType, dtypeInfo } from '../array/dtype.js';
import type { MissingRule } from './chunk-request.js';
import { describeJson, isJsonObject, JsonNumber, type JsonValue } from './json.js';

const MISSING_KEYS = ['missing_value', 'missing_values', 'valid_min', 'valid_max', 'valid_range'] as const;
type MissingKey = (typeof MISSING_KEYS)[number];

export const MISSING_SCHEMA = {
  type: 'object',
  description:
    'Missing-data rule: exactly one key. Values are converted to the dtype (float32 rounding for float32 data); ' +
    'integer dtypes need integer literals that fit the dtype.',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties: {
    missing_value: { type: 'number', description: 'an element equal to this value is missing' },
    missing_values: {
      type: 'array',
      items: { type: 'number' },
      description: 'an element equal to any is missing',
    },
    valid_min: { type: 'number', description: 'an element below this value is missing (the bound is valid)' },
    valid_max: { type: 'number', description: 'an element above this value is missing (the bound is valid)' },
    valid_range: {
      type: 'array',
      items: { type: 'number' },
      minItems: 2,
      maxItems: 2,
      description: '[min, max]: an element outside is missing (both bounds valid); min < max',
    },
  },
} as const;

/** Converts one JSON number to the dtype, or returns a problem text. */
function convertValue(v: JsonValue | undefined, dtype: DType, where: string): number | bigint | string {
  if (!(v instanceof JsonNumber)) return `${where}: must be a number, got ${describeJson(v)}`;
  const info = dtypeInfo(dtype);
  if (info.family === 'float') {
    const x = info.round(v.toNumber());
    if (!Number.isFinite(x))
      return `${where}: ${v.literal} is out of range for ${dtype} (rounds to infinity)`;
    return x;
  }
  if (!v.isInteger) return `${where}: ${dtype} data needs an integer literal, got ${v.literal}`;
  const n = v.toBigInt();
  if (n < BigInt(info.min) || n > BigInt(info.max)) {
    return `${where}: ${v.literal} is out of range for ${dtype} (allowed ${info.min} to ${info.max})`;
  }
  return info.isBigInt ? n : Number(n);
}

/**
 * Parses `missing` for `dtype`. Every problem is pushed to `problems` (each mentions `missing`); returns undefined
 * when there were problems.
 */
export function parseMissing(raw: JsonValue, dtype: DType, problems: string[]): MissingRule | undefined {
  if (!isJsonObject(raw)) {
    problems.push(
      `missing: must be an object with exactly one of ${MISSING_KEYS.join(', ')}, got ${describeJson(raw)}`,
    );
    return undefined;
  }
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !(MISSING_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    problems.push(
      `missing: unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${MISSING_KEYS.join(', ')}`,
    );
    return undefined;
  }
  if (keys.length !== 1) {
    problems.push(`missing: must have exactly one key of ${MISSING_KEYS.join(', ')}, got ${keys.length}`);
    return undefined;
  }
  const key = keys[0] as MissingKey;
  const value = raw[key];
  const where = `missing.${key}`;
  const before = problems.length;
  const one = (v: JsonValue | undefined, at: string): number | bigint | undefined => {
    const r = convertValue(v, dtype, at);
    if (typeof r === 'string') {
      problems.push(r);
      return undefined;
    }
    return r;
  };

  switch (key) {
    case 'missing_value': {
      const v = one(value, where);
      return v === undefined ? undefined : { kind: 'values', values: [v] };
    }
    case 'missing_values': {
      if (!Array.isArray(value)) {
        problems.push(`${where}: must be an array of numbers, got ${describeJson(value)}`);
        return undefined;
      }
      const values = value.map((v, i) => one(v, `${where}[${i}]`));
      return problems.length > before ? undefined : { kind: 'values', values: values as (number | bigint)[] };
    }
    case 'valid_min': {
      const v = one(value, where);
      return v === undefined ? undefined : { kind: 'range', min: v, max: undefined };
    }
    case 'valid_max': {
      const v = one(value, where);
      return v === undefined ? undefined : { kind: 'range', min: undefined, max: v };
    }
    case 'valid_range': {
      if (!Array.isArray(value) || value.length !== 2) {
        problems.push(
          `${where}: must be an array of exactly two numbers [min, max], got ${describeJson(value)}`,
        );
        return undefined;
      }
      const lo = one(value[0], `${where}[0]`);
      const hi = one(value[1], `${where}[1]`);
      if (lo === undefined || hi === undefined) return undefined;
      if (!(lo < hi)) {
        problems.push(`${where}: min must be less than max after conversion to ${dtype}, got [${lo}, ${hi}]`);
        return undefined;
      }
      return { kind: 'range', min: lo, max: hi };
    }
  }
}
