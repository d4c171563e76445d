/**
 * Missing-data tests in the form the reduction kernels want (API.md §6). A `MissingRule` (values already converted
 * to the dtype) becomes a `MissingPlan`, chosen so that a kernel needs one inline test per element:
 *
 *   bounds: x is missing when `x < lo || x > hi || x === eq`
 *
 * covers `missing_value` (lo/hi at the dtype's extremes, eq the value) and `valid_min`/`valid_max`/`valid_range`
 * (eq chosen so it can never add a match: NaN for number dtypes, a value already outside [lo, hi] for 64-bit
 * ones). Several `missing_values` become a `set`. NaN compares false with everything, so it is never missing.
 */
import type { MissingRule } from '../request/chunk-request.js';
import type { DTypeInfo } from './dtype.js';

export interface NonePlan {
  readonly kind: 'none';
}
export interface BoundsPlan<T extends number | bigint> {
  readonly kind: 'bounds';
  readonly lo: T;
  readonly hi: T;
  readonly eq: T;
  /**
   * 64-bit dtypes: lo/hi/eq as [high word, low word] pairs (high word signed for int64), so kernels can test an
   * element read as two 32-bit words without making a BigInt of it.
   */
  readonly words: T extends bigint ? WordBounds : undefined;
}

export interface WordBounds {
  readonly loHi: number;
  readonly loLo: number;
  readonly hiHi: number;
  readonly hiLo: number;
  readonly eqHi: number;
  readonly eqLo: number;
}
export interface SetPlan<T extends number | bigint> {
  readonly kind: 'set';
  readonly values: readonly T[];
}
export type MissingPlan<T extends number | bigint> = NonePlan | BoundsPlan<T> | SetPlan<T>;

const NONE: NonePlan = { kind: 'none' };

export function planMissing(
  rule: MissingRule | undefined,
  info: DTypeInfo,
): MissingPlan<number> | MissingPlan<bigint> {
  if (info.isBigInt) return planBigInt(rule, info.min, info.max, info.family === 'int');
  return planNumber(rule);
}

function planNumber(rule: MissingRule | undefined): MissingPlan<number> {
  if (rule === undefined) return NONE;
  if (rule.kind === 'values') {
    const values = [...new Set(rule.values.map(Number))];
    if (values.length === 0) return NONE;
    if (values.length === 1)
      return { kind: 'bounds', lo: -Infinity, hi: Infinity, eq: values[0]!, words: undefined };
    return { kind: 'set', values };
  }
  const lo = rule.min === undefined ? -Infinity : Number(rule.min);
  const hi = rule.max === undefined ? Infinity : Number(rule.max);
  return { kind: 'bounds', lo, hi, eq: Number.NaN, words: undefined };
}

function planBigInt(
  rule: MissingRule | undefined,
  min: bigint,
  max: bigint,
  signed: boolean,
): MissingPlan<bigint> {
  if (rule === undefined) return NONE;
  const bounds = (lo: bigint, hi: bigint, eq: bigint): BoundsPlan<bigint> => {
    const [loHi, loLo] = splitWords(lo, signed);
    const [hiHi, hiLo] = splitWords(hi, signed);
    const [eqHi, eqLo] = splitWords(eq, signed);
    return { kind: 'bounds', lo, hi, eq, words: { loHi, loLo, hiHi, hiLo, eqHi, eqLo } };
  };
  if (rule.kind === 'values') {
    const values = [...new Set(rule.values.map((v) => BigInt(v)))];
    if (values.length === 0) return NONE;
    if (values.length === 1) return bounds(min, max, values[0]!);
    return { kind: 'set', values };
  }
  const lo = rule.min === undefined ? min : BigInt(rule.min);
  const hi = rule.max === undefined ? max : BigInt(rule.max);
  if (lo <= min && hi >= max) return NONE;
  // Any value below lo (or above hi) is missing already, so matching it again changes nothing; it also stays
  // inside the dtype, so it has a word form.
  return bounds(lo, hi, lo > min ? lo - 1n : hi + 1n);
}

/** A 64-bit value as [high word, low word]: the high word signed for int64, unsigned for uint64. */
export function splitWords(v: bigint, signed: boolean): [number, number] {
  const high = v >> 32n;
  return [Number(signed ? BigInt.asIntN(32, high) : BigInt.asUintN(32, high)), Number(BigInt.asUintN(32, v))];
}
