/**
 * zod primitives over the lossless JSON tree (numbers are `JsonNumber`), and the one formatter that turns zod issues
 * into "field: what was wrong; what is allowed" lines. Each primitive carries JSON Schema metadata so the same
 * schema feeds the OpenAPI document.
 */
import { z } from 'zod';
import { describeJson, JsonNumber, type JsonValue } from './json.js';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** zod error callback: "required field is missing" for an absent value, else "must be X, got Y". */
function mustBe(what: string) {
  return (iss: { input?: unknown }) =>
    iss.input === undefined
      ? 'required field is missing'
      : `must be ${what}, got ${describeJson(iss.input as JsonValue)}`;
}

function rangeText(min: bigint | undefined, max: bigint | undefined): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer >= ${min}`;
  if (max !== undefined) return `an integer <= ${max}`;
  return 'an integer';
}

/**
 * A JSON integer literal (no fraction, no exponent: API.md §2 rule 1) within [min, max], parsed to a JS number. The
 * default upper bound is 2^53-1: larger offsets/sizes/shapes cannot address anything a server can hold.
 */
export function jsonInteger(opts: { min?: bigint; max?: bigint; description?: string } = {}) {
  const max = opts.max ?? SAFE_MAX;
  const wanted = rangeText(opts.min, max);
  return z
    .custom<JsonNumber>(
      (v) => {
        if (!(v instanceof JsonNumber) || !v.isInteger) return false;
        const n = v.toBigInt();
        return (opts.min === undefined || n >= opts.min) && n <= max;
      },
      { error: mustBe(wanted) },
    )
    .transform((v) => Number(v.toBigInt()))
    .meta({
      type: 'integer',
      ...(opts.min === undefined ? {} : { minimum: Number(opts.min) }),
      ...(opts.description === undefined ? {} : { description: opts.description }),
    });
}

export function jsonBoolean(description: string) {
  return z
    .custom<boolean>((v) => typeof v === 'boolean', {
      error: mustBe('true or false'),
    })
    .meta({ type: 'boolean', description });
}

export function jsonEnum<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  const allowed = values.map((v) => JSON.stringify(v)).join(', ');
  return z
    .custom<T[number]>((v) => typeof v === 'string' && (values as readonly string[]).includes(v), {
      error: mustBe(`one of ${allowed}`),
    })
    .meta({ type: 'string', enum: [...values], description });
}

export function jsonString(description: string, opts: { format?: string; nonEmpty?: boolean } = {}) {
  return z
    .custom<string>((v) => typeof v === 'string' && (!opts.nonEmpty || v.length > 0), {
      error: mustBe(`a${opts.nonEmpty ? ' non-empty' : ''} string`),
    })
    .meta({
      type: 'string',
      description,
      ...(opts.nonEmpty ? { minLength: 1 } : {}),
      ...(opts.format ? { format: opts.format } : {}),
    });
}

/** A value checked later by hand (cross-field rules); `schema` documents it for OpenAPI. */
export function jsonAny(schema: Record<string, unknown>) {
  return z.custom<JsonValue>(() => true).meta(schema);
}

/** `a.b[0].c` from a zod path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** One line per zod issue, each naming the field. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): string[] {
  return issues.flatMap((iss) => {
    const field = fieldPath(iss.path);
    const where = prefix + (prefix && field && !field.startsWith('[') ? '.' : '') + field;
    if (iss.code === 'unrecognized_keys') {
      return iss.keys.map((k) => `${where ? `${where}.` : ''}${k}: unknown field`);
    }
    if (iss.code === 'invalid_type' && iss.input === undefined) {
      return [`${where}: required field is missing`];
    }
    if (iss.code === 'invalid_type') {
      return [`${where}: must be ${iss.expected}, got ${describeJson(iss.input as JsonValue)}`];
    }
    if (iss.code === 'too_small' && iss.origin === 'array') {
      return [`${where}: must have at least ${iss.minimum} entr${iss.minimum === 1 ? 'y' : 'ies'}`];
    }
    return [`${where}: ${iss.message}`];
  });
}
