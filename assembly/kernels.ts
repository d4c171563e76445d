// SIMD reduction kernels (AssemblyScript, compiled by scripts/build-wasm.mjs to build/kernels.wasm).
//
// Every kernel folds `n` elements at byte address `p`, `st` bytes apart, and writes its answer to OUT:
//   f64 OUT[0]  the value (a float sum, an exact integer sum, a min or a max; 64-bit min/max: the raw i64)
//   f64 OUT[1]  64-bit sums: the sum of the high 32-bit words (OUT[0] is then the sum of the low words)
//   f64 OUT[2]  how many elements were not missing
// src/ops/wasm-kernels.ts calls them and folds OUT into an Acc exactly as the TypeScript kernels in src/ops do;
// the results must be bit-identical to those (test/unit/ops/wasm-kernels.test.ts compares them), so:
//   - float sums follow sum.ts's pairwise association exactly: 8 running sums (4 f64x2 lanes) per leaf of at
//     most 128 elements, 4 (2 lanes) per leaf of at most 64 when missing elements are skipped, halves above that
//     rounded down to a multiple of 8; a missing element adds +0, which leaves a running sum unchanged (the sums
//     start at +0, so they are never -0);
//   - float min/max use f32x4/f64x2.min/max, which propagate NaN and order -0 below +0 as Math.min/max do;
//   - integer sums are exact: the caller passes at most 2^20 elements, so every total fits a float64 exactly.
//
// Type parameters are compile-time switches (AssemblyScript drops the dead branches):
//   T  element type;  M  access: u8 contiguous, u16 every other element, u32 any stride; the signed i8, i16, i32
//      access the same elements stored big-endian (every load byte-swapped in registers);
//   B  u8 no missing rule, u16 bounds rule (x < lo || x > hi || x == eq), u32 one missing value (x == eq);
//   O  u8 min, u16 max.
//
// What V8 (node 20, x64) makes of these loops, learned from --print-wasm-code and bench/kernels.ts; the loops are
// shaped around it:
//   - a vector constant, or a splat of a scalar, is rebuilt at each use inside a loop (2-4 instructions), and an
//     i8x16.shuffle's byte mask from immediates likewise; loop-invariant vectors therefore come through memory
//     (opaque) and byte swaps are swizzles by a constant (bswapV);
//   - there are 16 vector registers: a loop with more live vectors spills to the stack every turn, so the
//     missing-value folds keep two running extremes where the plain ones keep four;
//   - no 64-bit arithmetic shift (emulated in five instructions), no 64-bit min/max, and v128.bitselect is three
//     instructions: 64-bit sums shift logically (sum64), unsigned fills are one OR or AND NOT (fillMissing);
//   - per vector, a bitmask + popcount costs three instructions where adding the compare mask (-1 a lane) costs
//     one, so missing elements are counted in the vector;
//   - float sums cannot interleave two leaves to hide the add latency: two load streams close together in memory
//     (1-32 KiB apart) defeat the hardware prefetcher, and a 64 MiB sum fell to 35-46% of read bandwidth.

const OUT: usize = memory.data(32, 16);
const TMP: usize = memory.data(16, 16);
const KS: usize = memory.data(16, 16);

/**
 * `v` in every lane, through memory: a vector constant that V8 sees is rebuilt at each use inside a loop (two to
 * four instructions: it does not hoist them), while a loaded vector stays in a register. For loop-invariant
 * constants the loop uses (missing-lane fillers, sign flips, all-ones masks).
 */
@inline function opaque<T>(v: T): v128 {
  store<T>(KS, v);
  return v128.load_splat<T>(KS);
}

export function outPtr(): usize {
  return OUT;
}

export function heapBase(): usize {
  return __heap_base;
}

@inline function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

@inline function step<T, M>(st: usize): usize {
  if (sizeof<M>() == 1) return sizeof<T>();
  if (sizeof<M>() == 2) return 2 * sizeof<T>();
  return st;
}

/**
 * Reverses the bytes of each T-sized lane: one pshufb. A swizzle by a constant rather than a shuffle: V8 builds an
 * i8x16.shuffle's byte mask from immediates at every use (four more instructions per vector in the loop), while a
 * constant swizzle mask with every index in range becomes a bare pshufb of a constant it keeps out of the loop.
 */
@inline function bswapV<T>(x: v128): v128 {
  if (sizeof<T>() == 2) return i8x16.swizzle(x, i8x16(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14));
  if (sizeof<T>() == 4) return i8x16.swizzle(x, i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
  if (sizeof<T>() == 8) return i8x16.swizzle(x, i8x16(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8));
  return x;
}

/** The next `lanes<T>()` selected elements from `p`, as one vector (byte-swapped when M is signed). */
@inline function lv<T, M>(p: usize, st: usize): v128 {
  if (sizeof<M>() == 1) return isSigned<M>() ? bswapV<T>(v128.load(p)) : v128.load(p);
  if (sizeof<M>() == 2) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    if (sizeof<T>() == 1) return i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    // Big-endian: one byte shuffle picks every other element and reverses its bytes.
    if (sizeof<T>() == 2) {
      if (isSigned<M>()) return i8x16.shuffle(a, b, 1, 0, 5, 4, 9, 8, 13, 12, 17, 16, 21, 20, 25, 24, 29, 28);
      return i16x8.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
    }
    if (sizeof<T>() == 4) {
      if (isSigned<M>()) return i8x16.shuffle(a, b, 3, 2, 1, 0, 11, 10, 9, 8, 19, 18, 17, 16, 27, 26, 25, 24);
      return i32x4.shuffle(a, b, 0, 2, 4, 6);
    }
    if (isSigned<M>()) return i8x16.shuffle(a, b, 7, 6, 5, 4, 3, 2, 1, 0, 23, 22, 21, 20, 19, 18, 17, 16);
    return i64x2.shuffle(a, b, 0, 2);
  }
  for (let i = 0; i < lanes<T>(); i++) store<T>(TMP + i * sizeof<T>(), load<T>(p + <usize>i * st));
  return isSigned<M>() ? bswapV<T>(v128.load(TMP)) : v128.load(TMP);
}

/** One element at `p` (byte-swapped when M is signed). */
@inline function ld<T, M>(p: usize): T {
  if (!isSigned<M>() || sizeof<T>() == 1) return load<T>(p);
  if (sizeof<T>() == 2) return <T>bswap<u16>(load<u16>(p));
  if (sizeof<T>() == 4) {
    if (isFloat<T>()) return reinterpret<T>(bswap<u32>(load<u32>(p)));
    return <T>bswap<u32>(load<u32>(p));
  }
  if (isFloat<T>()) return reinterpret<T>(bswap<u64>(load<u64>(p)));
  return <T>bswap<u64>(load<u64>(p));
}

@inline function bits<T>(m: v128): i32 {
  if (sizeof<T>() == 1) return popcnt<i32>(i8x16.bitmask(m));
  if (sizeof<T>() == 2) return popcnt<i32>(i16x8.bitmask(m));
  if (sizeof<T>() == 4) return popcnt<i32>(i32x4.bitmask(m));
  return popcnt<i32>(i64x2.bitmask(m));
}

/**
 * Lanes where x is missing under a bounds rule; `on` is all ones when `eq` is a value of the dtype. B = u32: the
 * rule is one missing value (lo and hi at the dtype's extremes, eq a value of it), so only `eq` is tested.
 */
@inline function missV<T, B>(x: v128, lo: v128, hi: v128, eq: v128, on: v128): v128 {
  if (sizeof<B>() == 4) return v128.eq<T>(x, eq);
  return v128.or(v128.or(v128.lt<T>(x, lo), v128.gt<T>(x, hi)), v128.and(v128.eq<T>(x, eq), on));
}

/** True when a bounds rule is a single missing value: the kernels then run with B = u32. */
@inline function eqOnly<T>(lo: T, hi: T, on: i32): bool {
  if (isFloat<T>()) return lo == <T>-Infinity && hi == <T>Infinity;
  return on != 0 && lo == ident<T, u16>() && hi == ident<T, u8>();
}

@inline function missS<T>(x: T, lo: T, hi: T, eq: T, on: i32): bool {
  return x < lo || x > hi || (on != 0 && x == eq);
}

@inline function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

// ---------------------------------------------------------------------------------------------------------
// Float sums: sum.ts's pairwise scheme, lane for lane.

/** Elements 0 and 1 at p as a float64 pair (float32: read contiguously, M u8 or i8). */
@inline function pair<T, M>(p: usize, S: usize): v128 {
  if (sizeof<T>() == 8) return lv<T, M>(p, S);
  const x = v128.load64_zero(p);
  return f64x2.promote_low_f32x4(isSigned<M>() ? bswapV<T>(x) : x);
}

/** (e0, e1), (e2, e3), (e4, e5), (e6, e7) of the 8 elements at p, as float64 pairs, added to a0..a3. */
@inline function leaf8<T, M>(p: usize, n: i32, st: usize): f64 {
  const S = step<T, M>(st);
  let a0: v128;
  let a1: v128;
  let a2: v128;
  let a3: v128;
  if (sizeof<T>() == 8) {
    a0 = lv<T, M>(p, S);
    a1 = lv<T, M>(p + 2 * S, S);
    a2 = lv<T, M>(p + 4 * S, S);
    a3 = lv<T, M>(p + 6 * S, S);
  } else if (sizeof<M>() == 1 && !isSigned<M>()) {
    a0 = f64x2.promote_low_f32x4(v128.load64_zero(p));
    a1 = f64x2.promote_low_f32x4(v128.load64_zero(p, 8));
    a2 = f64x2.promote_low_f32x4(v128.load64_zero(p, 16));
    a3 = f64x2.promote_low_f32x4(v128.load64_zero(p, 24));
  } else {
    const x = lv<T, M>(p, S);
    const y = lv<T, M>(p + 4 * S, S);
    a0 = f64x2.promote_low_f32x4(x);
    a1 = f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1));
    a2 = f64x2.promote_low_f32x4(y);
    a3 = f64x2.promote_low_f32x4(i64x2.shuffle(y, y, 1, 1));
  }
  p += 8 * S;
  let k = 8;
  if (sizeof<M>() == 1) {
    // Two groups per turn: half the loop overhead, which competes with the adds for the core's issue slots.
    for (; k + 16 <= n; k += 16) {
      a0 = f64x2.add(a0, pair<T, M>(p, S));
      a1 = f64x2.add(a1, pair<T, M>(p + 2 * S, S));
      a2 = f64x2.add(a2, pair<T, M>(p + 4 * S, S));
      a3 = f64x2.add(a3, pair<T, M>(p + 6 * S, S));
      a0 = f64x2.add(a0, pair<T, M>(p + 8 * S, S));
      a1 = f64x2.add(a1, pair<T, M>(p + 10 * S, S));
      a2 = f64x2.add(a2, pair<T, M>(p + 12 * S, S));
      a3 = f64x2.add(a3, pair<T, M>(p + 14 * S, S));
      p += 16 * S;
    }
  }
  for (; k + 8 <= n; k += 8) {
    if (sizeof<T>() == 8) {
      a0 = f64x2.add(a0, lv<T, M>(p, S));
      a1 = f64x2.add(a1, lv<T, M>(p + 2 * S, S));
      a2 = f64x2.add(a2, lv<T, M>(p + 4 * S, S));
      a3 = f64x2.add(a3, lv<T, M>(p + 6 * S, S));
    } else if (sizeof<M>() == 1 && !isSigned<M>()) {
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v128.load64_zero(p)));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.load64_zero(p, 8)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v128.load64_zero(p, 16)));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.load64_zero(p, 24)));
    } else {
      const x = lv<T, M>(p, S);
      const y = lv<T, M>(p + 4 * S, S);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(x));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(y));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i64x2.shuffle(y, y, 1, 1)));
    }
    p += 8 * S;
  }
  let s = hsum(a0) + hsum(a1) + (hsum(a2) + hsum(a3));
  for (; k < n; k++) {
    s += <f64>ld<T, M>(p);
    p += S;
  }
  return s;
}

function pairwise<T, M>(p: usize, n: i32, st: usize): f64 {
  if (n <= 128) return leaf8<T, M>(p, n, st);
  let half = n >> 1;
  half -= half & 7;
  return pairwise<T, M>(p, half, st) + pairwise<T, M>(p + <usize>half * step<T, M>(st), n - half, st);
}

@inline function sumFloat<T, A1, A2, A3>(p: usize, n: i32, st: i32): void {
  let s = 0.0;
  if (n < 8) {
    for (let k = 0; k < n; k++) s += <f64>ld<T, A1>(p + <usize>(k * st));
  } else if (st == sizeof<T>()) s = pairwise<T, A1>(p, n, st);
  else if (st == 2 * sizeof<T>()) s = pairwise<T, A2>(p, n, st);
  else s = pairwise<T, A3>(p, n, st);
  store<f64>(OUT, s);
  store<f64>(OUT, <f64>n, 16);
}

let missing: i32 = 0;

/**
 * A leaf of at most 64 elements with a bounds rule: running sums r0..r3 as (r0, r1), (r2, r3); tail into r0.
 * Missing lanes are counted in the vector (a compare gives -1 a lane), not by bitmask and popcount.
 */
function leaf4<T, M, B>(p: usize, n: i32, st: usize, lo: T, hi: T, eq: T): f64 {
  const S = step<T, M>(st);
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const veq = v128.splat<T>(eq);
  const on = opaque<i64>(-1);
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let km = i64x2.splat(0);
  let k = 0;
  // Eight elements a turn (the same adds in the same order as four a turn; fewer loop instructions per add).
  for (; k + 8 <= n; k += 8) {
    if (sizeof<T>() == 8) {
      const x = lv<T, M>(p, S);
      const y = lv<T, M>(p + 2 * S, S);
      const z = lv<T, M>(p + 4 * S, S);
      const w = lv<T, M>(p + 6 * S, S);
      const mx = missV<T, B>(x, vlo, vhi, veq, on);
      const my = missV<T, B>(y, vlo, vhi, veq, on);
      const mz = missV<T, B>(z, vlo, vhi, veq, on);
      const mw = missV<T, B>(w, vlo, vhi, veq, on);
      km = i64x2.add(km, i64x2.add(i64x2.add(mx, my), i64x2.add(mz, mw)));
      a0 = f64x2.add(f64x2.add(a0, v128.andnot(x, mx)), v128.andnot(z, mz));
      a1 = f64x2.add(f64x2.add(a1, v128.andnot(y, my)), v128.andnot(w, mw));
    } else {
      const x0 = lv<T, M>(p, S);
      const y0 = lv<T, M>(p + 4 * S, S);
      const mx = missV<T, B>(x0, vlo, vhi, veq, on);
      const my = missV<T, B>(y0, vlo, vhi, veq, on);
      km = i32x4.add(km, i32x4.add(mx, my));
      const x = v128.andnot(x0, mx);
      const y = v128.andnot(y0, my);
      a0 = f64x2.add(f64x2.add(a0, f64x2.promote_low_f32x4(x)), f64x2.promote_low_f32x4(y));
      a1 = f64x2.add(
        f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1))),
        f64x2.promote_low_f32x4(i64x2.shuffle(y, y, 1, 1)),
      );
    }
    p += 8 * S;
  }
  if (k + 4 <= n) {
    if (sizeof<T>() == 8) {
      const x = lv<T, M>(p, S);
      const y = lv<T, M>(p + 2 * S, S);
      const mx = missV<T, B>(x, vlo, vhi, veq, on);
      const my = missV<T, B>(y, vlo, vhi, veq, on);
      km = i64x2.add(km, i64x2.add(mx, my));
      a0 = f64x2.add(a0, v128.andnot(x, mx));
      a1 = f64x2.add(a1, v128.andnot(y, my));
    } else {
      const x0 = lv<T, M>(p, S);
      const mx = missV<T, B>(x0, vlo, vhi, veq, on);
      km = i32x4.add(km, mx);
      const x = v128.andnot(x0, mx);
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(x));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(x, x, 1, 1)));
    }
    p += 4 * S;
    k += 4;
  }
  let m =
    sizeof<T>() == 8
      ? <i32>(i64x2.extract_lane(km, 0) + i64x2.extract_lane(km, 1))
      : i32x4.extract_lane(km, 0) + i32x4.extract_lane(km, 1) + i32x4.extract_lane(km, 2) + i32x4.extract_lane(km, 3);
  m = -m;
  let r0 = f64x2.extract_lane(a0, 0);
  for (; k < n; k++) {
    const x = ld<T, M>(p);
    if (missS<T>(x, lo, hi, eq, 1)) m++;
    else r0 += <f64>x;
    p += S;
  }
  missing += m;
  return r0 + f64x2.extract_lane(a0, 1) + hsum(a1);
}

function pairwiseB<T, M, B>(p: usize, n: i32, st: usize, lo: T, hi: T, eq: T): f64 {
  if (n <= 64) return leaf4<T, M, B>(p, n, st, lo, hi, eq);
  let half = n >> 1;
  half -= half & 7;
  return (
    pairwiseB<T, M, B>(p, half, st, lo, hi, eq) +
    pairwiseB<T, M, B>(p + <usize>half * step<T, M>(st), n - half, st, lo, hi, eq)
  );
}

@inline function sumFloatB<T, A1, A2, A3>(p: usize, n: i32, st: i32, lo: T, hi: T, eq: T): void {
  missing = 0;
  let s = 0.0;
  if (eqOnly<T>(lo, hi, 1)) {
    if (st == sizeof<T>()) s = pairwiseB<T, A1, u32>(p, n, st, lo, hi, eq);
    else if (st == 2 * sizeof<T>()) s = pairwiseB<T, A2, u32>(p, n, st, lo, hi, eq);
    else s = pairwiseB<T, A3, u32>(p, n, st, lo, hi, eq);
  } else if (st == sizeof<T>()) s = pairwiseB<T, A1, u16>(p, n, st, lo, hi, eq);
  else if (st == 2 * sizeof<T>()) s = pairwiseB<T, A2, u16>(p, n, st, lo, hi, eq);
  else s = pairwiseB<T, A3, u16>(p, n, st, lo, hi, eq);
  store<f64>(OUT, s);
  store<f64>(OUT, <f64>(n - missing), 16);
}

export function sum_f64(p: usize, n: i32, st: i32): void {
  sumFloat<f64, u8, u16, u32>(p, n, st);
}
export function sum_f32(p: usize, n: i32, st: i32): void {
  sumFloat<f32, u8, u16, u32>(p, n, st);
}
export function sumb_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  sumFloatB<f64, u8, u16, u32>(p, n, st, lo, hi, eq);
}
export function sumb_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  sumFloatB<f32, u8, u16, u32>(p, n, st, lo, hi, eq);
}

// ---------------------------------------------------------------------------------------------------------
// Exact integer sums of 8-32-bit elements (n <= 2^20, so |total| < 2^52).

/**
 * One vector of elements added into a chunk's accumulators: 8-bit elements pairwise into 16-bit lanes (w), 16-bit
 * ones pairwise into 32-bit lanes (w), 32-bit ones as they are into 32-bit lanes, wrapping (w), with their high
 * 16 bits apart (g), from which flush() recovers the exact lane totals.
 */
@inline function addW<T>(w: v128, x: v128): v128 {
  if (sizeof<T>() == 1) return i16x8.add(w, isSigned<T>() ? v128.extadd_pairwise<i8>(x) : v128.extadd_pairwise<u8>(x));
  if (sizeof<T>() == 2) return i32x4.add(w, isSigned<T>() ? v128.extadd_pairwise<i16>(x) : v128.extadd_pairwise<u16>(x));
  return i32x4.add(w, x);
}
@inline function addG<T>(g: v128, x: v128): v128 {
  if (sizeof<T>() != 4) return g;
  return i32x4.add(g, isSigned<T>() ? i32x4.shr_s(x, 16) : i32x4.shr_u(x, 16));
}

/**
 * A chunk's accumulators as exact 32-bit lane totals. 32-bit elements: w is the lane total mod 2^32 and g the sum of
 * the high halves, so w - g * 2^16 (mod 2^32) is the sum of the low halves, which is below 2^32: the lane total is
 * g * 2^16 + that. Returned as 64-bit lanes (lo: lanes 0-1, else 2-3).
 */
@inline function flushLo<T>(w: v128, g: v128, hi: bool): v128 {
  if (sizeof<T>() == 4) {
    const l = i32x4.sub(w, i32x4.shl(g, 16));
    const l64 = hi ? v128.extend_high<u32>(l) : v128.extend_low<u32>(l);
    const g64 = hi ? v128.extend_high<i32>(g) : v128.extend_low<i32>(g);
    return i64x2.add(l64, i64x2.shl(g64, 16));
  }
  let w32 = w;
  if (sizeof<T>() == 1) w32 = isSigned<T>() ? v128.extadd_pairwise<i16>(w) : v128.extadd_pairwise<u16>(w);
  return hi ? v128.extend_high<i32>(w32) : v128.extend_low<i32>(w32);
}

/** Lane-wise integer add of T-sized lanes (compare masks, -1 a lane, for float T too). */
@inline function addK<T>(a: v128, b: v128): v128 {
  if (sizeof<T>() == 1) return i8x16.add(a, b);
  if (sizeof<T>() == 2) return i16x8.add(a, b);
  if (sizeof<T>() == 4) return i32x4.add(a, b);
  return i64x2.add(a, b);
}

/** Missing-lane counts (negative, in T-sized lanes, from addK) as 32-bit lanes to add up (sum32). */
@inline function count32<T>(k: v128): v128 {
  if (sizeof<T>() == 1) return v128.extadd_pairwise<i16>(v128.extadd_pairwise<i8>(k));
  if (sizeof<T>() == 2) return v128.extadd_pairwise<i16>(k);
  // 64-bit lanes: the low word of -c is -c as an i32 (c < 2^31); the high word is dropped.
  if (sizeof<T>() == 8) return i32x4.shuffle(k, i32x4.splat(0), 0, 4, 2, 4);
  return k;
}

/**
 * Exact sums of 8-32-bit elements (n <= 2^20). Per vector 2-3 instructions besides the load: no 64-bit widening
 * in the loop (32-bit elements: an add and a shift-and-add; see flushLo), and missing elements counted in the
 * vector (a compare gives -1 per missing lane) rather than by bitmask and popcount. With one missing value, every
 * element is added and the missing ones are taken off at the end (their value times their number).
 */
function sumInt<T, M, B>(p: usize, n: i32, st: usize, lo: T, hi: T, eq: T, eqOn: i32): void {
  const S = step<T, M>(st);
  const L = lanes<T>();
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const veq = v128.splat<T>(eq);
  const on = i32x4.splat(eqOn != 0 ? -1 : 0);
  let t0 = i64x2.splat(0);
  let t1 = i64x2.splat(0);
  let cm = i32x4.splat(0);
  let vectors = n / L;
  const rest = n - vectors * L;
  // Per chunk each accumulator lane takes at most 128 (8-bit elements: 16-bit lanes, and 8-bit missing counts)
  // or 2048 vectors.
  const CH = sizeof<T>() == 1 ? 256 : 4096;
  while (vectors > 0) {
    const c = min(vectors, CH);
    vectors -= c;
    let w0 = i32x4.splat(0);
    let w1 = i32x4.splat(0);
    let g0 = i32x4.splat(0);
    let g1 = i32x4.splat(0);
    let k0 = i32x4.splat(0);
    let k1 = i32x4.splat(0);
    let j = 0;
    for (; j + 2 <= c; j += 2) {
      let x = lv<T, M>(p, S);
      let y = lv<T, M>(p + <usize>L * S, S);
      if (sizeof<B>() >= 2) {
        const mx = missV<T, B>(x, vlo, vhi, veq, on);
        const my = missV<T, B>(y, vlo, vhi, veq, on);
        k0 = addK<T>(k0, mx);
        k1 = addK<T>(k1, my);
        if (sizeof<B>() == 2) {
          x = v128.andnot(x, mx);
          y = v128.andnot(y, my);
        }
      }
      w0 = addW<T>(w0, x);
      w1 = addW<T>(w1, y);
      g0 = addG<T>(g0, x);
      g1 = addG<T>(g1, y);
      p += 2 * <usize>L * S;
    }
    if (j < c) {
      let x = lv<T, M>(p, S);
      if (sizeof<B>() >= 2) {
        const mx = missV<T, B>(x, vlo, vhi, veq, on);
        k0 = addK<T>(k0, mx);
        if (sizeof<B>() == 2) x = v128.andnot(x, mx);
      }
      w0 = addW<T>(w0, x);
      g0 = addG<T>(g0, x);
      p += <usize>L * S;
    }
    t0 = i64x2.add(t0, i64x2.add(flushLo<T>(w0, g0, false), flushLo<T>(w1, g1, false)));
    t1 = i64x2.add(t1, i64x2.add(flushLo<T>(w0, g0, true), flushLo<T>(w1, g1, true)));
    if (sizeof<B>() >= 2) cm = i32x4.add(cm, i32x4.add(count32<T>(k0), count32<T>(k1)));
  }
  const t = i64x2.add(t0, t1);
  let s: i64 = i64x2.extract_lane(t, 0) + i64x2.extract_lane(t, 1);
  let m = 0;
  if (sizeof<B>() >= 2) {
    const c2 = i32x4.add(cm, i64x2.shuffle(cm, cm, 1, 1));
    m = -(i32x4.extract_lane(c2, 0) + i32x4.extract_lane(c2, 1));
    if (sizeof<B>() == 4) s -= <i64>m * <i64>eq;
  }
  for (let k = 0; k < rest; k++) {
    const x = ld<T, M>(p);
    if (sizeof<B>() >= 2 && missS<T>(x, lo, hi, eq, eqOn)) m++;
    else s += <i64>x;
    p += S;
  }
  store<f64>(OUT, <f64>s);
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function sumI<T, A1, A2, A3>(p: usize, n: i32, st: i32): void {
  if (st == sizeof<T>()) sumInt<T, A1, u8>(p, n, st, 0, 0, 0, 0);
  else if (st == 2 * sizeof<T>()) sumInt<T, A2, u8>(p, n, st, 0, 0, 0, 0);
  else sumInt<T, A3, u8>(p, n, st, 0, 0, 0, 0);
}
@inline function sumIB<T, A1, A2, A3>(p: usize, n: i32, st: i32, lo: T, hi: T, eq: T, on: i32): void {
  if (eqOnly<T>(lo, hi, on)) {
    if (st == sizeof<T>()) sumInt<T, A1, u32>(p, n, st, lo, hi, eq, on);
    else if (st == 2 * sizeof<T>()) sumInt<T, A2, u32>(p, n, st, lo, hi, eq, on);
    else sumInt<T, A3, u32>(p, n, st, lo, hi, eq, on);
  } else if (st == sizeof<T>()) sumInt<T, A1, u16>(p, n, st, lo, hi, eq, on);
  else if (st == 2 * sizeof<T>()) sumInt<T, A2, u16>(p, n, st, lo, hi, eq, on);
  else sumInt<T, A3, u16>(p, n, st, lo, hi, eq, on);
}

export function sum_i8(p: usize, n: i32, st: i32): void {
  sumI<i8, u8, u16, u32>(p, n, st);
}
export function sum_u8(p: usize, n: i32, st: i32): void {
  sumI<u8, u8, u16, u32>(p, n, st);
}
export function sum_i16(p: usize, n: i32, st: i32): void {
  sumI<i16, u8, u16, u32>(p, n, st);
}
export function sum_u16(p: usize, n: i32, st: i32): void {
  sumI<u16, u8, u16, u32>(p, n, st);
}
export function sum_i32(p: usize, n: i32, st: i32): void {
  sumI<i32, u8, u16, u32>(p, n, st);
}
export function sum_u32(p: usize, n: i32, st: i32): void {
  sumI<u32, u8, u16, u32>(p, n, st);
}
export function sumb_i8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<i8, u8, u16, u32>(p, n, st, <i8>lo, <i8>hi, <i8>eq, on);
}
export function sumb_u8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<u8, u8, u16, u32>(p, n, st, <u8>lo, <u8>hi, <u8>eq, on);
}
export function sumb_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<i16, u8, u16, u32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function sumb_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<u16, u8, u16, u32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function sumb_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<i32, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function sumb_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<u32, u8, u16, u32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}

// ---------------------------------------------------------------------------------------------------------
// Exact 64-bit sums as sum.ts keeps them: low 32-bit words (unsigned) and high words (signed for int64) summed
// apart (n <= 2^20, so both totals fit a float64 exactly).

/** Flips the sign bit of unsigned 64-bit lanes, so signed compares order them. */
@inline function bias64<T>(x: v128, flip: v128): v128 {
  if (isSigned<T>()) return x;
  return v128.xor(x, flip);
}

@inline function miss64<B>(x: v128, lo: v128, hi: v128, eq: v128, on: v128): v128 {
  if (sizeof<B>() == 4) return i64x2.eq(x, eq);
  return v128.or(v128.or(i64x2.lt_s(x, lo), i64x2.gt_s(x, hi)), v128.and(i64x2.eq(x, eq), on));
}

/**
 * Per vector: one wrapping i64 add of the element and one of its high word shifted down (logically: x64 has no
 * 64-bit arithmetic shift, which V8 emulates in five instructions). int64 elements first get their sign bit
 * flipped, which makes each high word its signed value + 2^31. Over v elements the wrapped total is (sum of low
 * words) + 2^32 (sum of high words) mod 2^64, and the low-word sum is below 2^52, so it is that total minus the
 * high-word sum shifted up, mod 2^64. A missing element is zeroed first (then flipped: + 2^31 to the high sum,
 * taken off with the others'), so it adds nothing to either sum.
 */
function sum64<T, M, B>(p: usize, n: i32, st: usize, lo: i64, hi: i64, eq: i64, eqOn: i32): void {
  const S = step<T, M>(st);
  const vlo = i64x2.splat(lo);
  const vhi = i64x2.splat(hi);
  const veq = i64x2.splat(eq);
  const on = i64x2.splat(eqOn != 0 ? -1 : 0);
  const flip = opaque<i64>(i64.MIN_VALUE);
  // lo, hi and eq of uint64 come sign-flipped (bias64); an equality test needs no flip of either side.
  const raw: i64 = isSigned<T>() ? eq : eq ^ i64.MIN_VALUE;
  const vraw = i64x2.splat(raw);
  let t0 = i64x2.splat(0);
  let h0 = i64x2.splat(0);
  let t1 = i64x2.splat(0);
  let h1 = i64x2.splat(0);
  // Missing lanes counted in the vector (a compare's lane is -1): no bitmask or popcnt per vector.
  let c0 = i64x2.splat(0);
  let c1 = i64x2.splat(0);
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    let x0 = lv<T, M>(p, S);
    let x1 = lv<T, M>(p + 2 * S, S);
    let x2 = lv<T, M>(p + 4 * S, S);
    let x3 = lv<T, M>(p + 6 * S, S);
    if (sizeof<B>() == 4) {
      // One missing value: every element is added, the missing ones taken off after the loop.
      c0 = i64x2.add(c0, i64x2.add(i64x2.eq(x0, vraw), i64x2.eq(x2, vraw)));
      c1 = i64x2.add(c1, i64x2.add(i64x2.eq(x1, vraw), i64x2.eq(x3, vraw)));
    } else if (sizeof<B>() == 2) {
      const k0 = miss64<B>(bias64<T>(x0, flip), vlo, vhi, veq, on);
      const k1 = miss64<B>(bias64<T>(x1, flip), vlo, vhi, veq, on);
      const k2 = miss64<B>(bias64<T>(x2, flip), vlo, vhi, veq, on);
      const k3 = miss64<B>(bias64<T>(x3, flip), vlo, vhi, veq, on);
      c0 = i64x2.add(c0, i64x2.add(k0, k2));
      c1 = i64x2.add(c1, i64x2.add(k1, k3));
      x0 = v128.andnot(x0, k0);
      x1 = v128.andnot(x1, k1);
      x2 = v128.andnot(x2, k2);
      x3 = v128.andnot(x3, k3);
    }
    if (isSigned<T>()) {
      x0 = v128.xor(x0, flip);
      x1 = v128.xor(x1, flip);
      x2 = v128.xor(x2, flip);
      x3 = v128.xor(x3, flip);
    }
    t0 = i64x2.add(t0, x0);
    t1 = i64x2.add(t1, x1);
    h0 = i64x2.add(h0, i64x2.shr_u(x0, 32));
    h1 = i64x2.add(h1, i64x2.shr_u(x1, 32));
    t0 = i64x2.add(t0, x2);
    t1 = i64x2.add(t1, x3);
    h0 = i64x2.add(h0, i64x2.shr_u(x2, 32));
    h1 = i64x2.add(h1, i64x2.shr_u(x3, 32));
    p += 8 * S;
  }
  const t = i64x2.add(t0, t1);
  const h = i64x2.add(h0, h1);
  const c = i64x2.add(c0, c1);
  const hu: i64 = i64x2.extract_lane(h, 0) + i64x2.extract_lane(h, 1);
  let sl: i64 = i64x2.extract_lane(t, 0) + i64x2.extract_lane(t, 1) - (hu << 32);
  let sh: i64 = isSigned<T>() ? hu - (<i64>k << 31) : hu;
  let m = <i32>-(i64x2.extract_lane(c, 0) + i64x2.extract_lane(c, 1));
  if (sizeof<B>() == 4) {
    sl -= <i64>m * (raw & 0xffffffff);
    sh -= <i64>m * (isSigned<T>() ? raw >> 32 : <i64>(<u64>raw >> 32));
  }
  for (; k < n; k++) {
    const x = <i64>ld<T, M>(p);
    const xb = isSigned<T>() ? x : x ^ i64.MIN_VALUE;
    if (sizeof<B>() >= 2 && (xb < lo || xb > hi || (eqOn != 0 && xb == eq))) m++;
    else {
      sl += x & 0xffffffff;
      sh += isSigned<T>() ? x >> 32 : <i64>(<u64>x >> 32);
    }
    p += S;
  }
  store<f64>(OUT, <f64>sl);
  store<f64>(OUT, <f64>sh, 8);
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function sum64D<T, B, A1, A2, A3>(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  if (sizeof<B>() >= 2 && eqOnly<i64>(lo, hi, on)) {
    if (st == 8) sum64<T, A1, u32>(p, n, st, lo, hi, eq, on);
    else if (st == 16) sum64<T, A2, u32>(p, n, st, lo, hi, eq, on);
    else sum64<T, A3, u32>(p, n, st, lo, hi, eq, on);
  } else if (st == 8) sum64<T, A1, B>(p, n, st, lo, hi, eq, on);
  else if (st == 16) sum64<T, A2, B>(p, n, st, lo, hi, eq, on);
  else sum64<T, A3, B>(p, n, st, lo, hi, eq, on);
}

export function sum_i64(p: usize, n: i32, st: i32): void {
  sum64D<i64, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function sum_u64(p: usize, n: i32, st: i32): void {
  sum64D<u64, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
/** lo/hi/eq of uint64 data come with their sign bit flipped (see bias64). */
export function sumb_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  sum64D<i64, u16, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function sumb_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  sum64D<u64, u16, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}

// ---------------------------------------------------------------------------------------------------------
// min / max of number dtypes (floats with NaN propagation and -0 < +0, as Math.min/max).

@inline function ident<T, O>(): T {
  if (sizeof<O>() == 1) {
    if (isFloat<T>()) return <T>Infinity;
    if (isSigned<T>()) return <T>((<u64>1 << (sizeof<T>() * 8 - 1)) - 1);
    return <T>-1;
  }
  if (isFloat<T>()) return <T>-Infinity;
  if (isSigned<T>()) return <T>(<u64>1 << (sizeof<T>() * 8 - 1));
  return <T>0;
}

@inline function vext<T, O>(a: v128, b: v128): v128 {
  return sizeof<O>() == 1 ? v128.min<T>(a, b) : v128.max<T>(a, b);
}

@inline function sext<T, O>(a: T, b: T): T {
  return sizeof<O>() == 1 ? min<T>(a, b) : max<T>(a, b);
}

/**
 * Missing lanes of x replaced by the fold's identity: unsigned min's is all ones (an OR) and max's zero (an AND
 * NOT), one instruction where a select takes three.
 */
@inline function fillMissing<T, O>(x: v128, k: v128, id: v128): v128 {
  if (isInteger<T>() && !isSigned<T>()) return sizeof<O>() == 1 ? v128.or(x, k) : v128.andnot(x, k);
  return v128.bitselect(id, x, k);
}

/** The four 32-bit lanes added (as i32). */
@inline function sum32(c: v128): i32 {
  const d = i32x4.add(c, i64x2.shuffle(c, c, 1, 1));
  return i32x4.extract_lane(d, 0) + i32x4.extract_lane(d, 1);
}

function extreme<T, M, B, O>(p: usize, n: i32, st: usize, lo: T, hi: T, eq: T, eqOn: i32): void {
  const S = step<T, M>(st);
  const L = lanes<T>();
  const id = opaque<T>(ident<T, O>());
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const veq = v128.splat<T>(eq);
  const on = i32x4.splat(eqOn != 0 ? -1 : 0);
  let m0 = id;
  let m1 = id;
  let m2 = id;
  let m3 = id;
  let m = 0;
  const vectors = n / L;
  let j = 0;
  let cm = i32x4.splat(0);
  // Missing lanes are counted in the vector (-1 a lane, 4 a turn), moved to 32-bit lanes before 8- or 16-bit
  // lanes could overflow.
  const CH = sizeof<T>() == 1 ? 124 : sizeof<T>() == 2 ? 32764 : 0x7ffffffc;
  while (j + 4 <= vectors) {
    const stop = vectors - j <= CH ? vectors : j + CH;
    let kc = i32x4.splat(0);
    for (; j + 4 <= stop; j += 4) {
      const x0 = lv<T, M>(p, S);
      const x1 = lv<T, M>(p + <usize>L * S, S);
      const x2 = lv<T, M>(p + 2 * <usize>L * S, S);
      const x3 = lv<T, M>(p + 3 * <usize>L * S, S);
      if (sizeof<B>() >= 2) {
        const k0 = missV<T, B>(x0, vlo, vhi, veq, on);
        const k1 = missV<T, B>(x1, vlo, vhi, veq, on);
        const k2 = missV<T, B>(x2, vlo, vhi, veq, on);
        const k3 = missV<T, B>(x3, vlo, vhi, veq, on);
        kc = addK<T>(kc, addK<T>(addK<T>(k0, k1), addK<T>(k2, k3)));
        // Two running extremes, not four: with the masks, four spill (V8 has 16 vector registers).
        m0 = vext<T, O>(m0, vext<T, O>(fillMissing<T, O>(x0, k0, id), fillMissing<T, O>(x1, k1, id)));
        m1 = vext<T, O>(m1, vext<T, O>(fillMissing<T, O>(x2, k2, id), fillMissing<T, O>(x3, k3, id)));
      } else {
        m0 = vext<T, O>(m0, x0);
        m1 = vext<T, O>(m1, x1);
        m2 = vext<T, O>(m2, x2);
        m3 = vext<T, O>(m3, x3);
      }
      p += 4 * <usize>L * S;
    }
    if (sizeof<B>() >= 2) cm = i32x4.add(cm, count32<T>(kc));
  }
  if (sizeof<B>() >= 2) m = -sum32(cm);
  for (; j < vectors; j++) {
    let x = lv<T, M>(p, S);
    if (sizeof<B>() >= 2) {
      const k = missV<T, B>(x, vlo, vhi, veq, on);
      m += bits<T>(k);
      x = v128.bitselect(id, x, k);
    }
    m0 = vext<T, O>(m0, x);
    p += <usize>L * S;
  }
  v128.store(TMP, vext<T, O>(vext<T, O>(m0, m1), vext<T, O>(m2, m3)));
  let r = load<T>(TMP);
  for (let i = 1; i < L; i++) r = sext<T, O>(r, load<T>(TMP + i * sizeof<T>()));
  for (let k = vectors * L; k < n; k++) {
    const x = ld<T, M>(p);
    if (sizeof<B>() >= 2 && missS<T>(x, lo, hi, eq, eqOn)) m++;
    else r = sext<T, O>(r, x);
    p += S;
  }
  store<f64>(OUT, <f64>r);
  store<f64>(OUT, <f64>(n - m), 16);
}

/**
 * Floats: the fold uses the one-instruction compare-and-select (pmin/pmax: `x < m ? x : m`), which ignores NaN and
 * the sign of zero, and tracks both apart: a running sum of the elements (NaN only when a NaN, or infinities of both
 * signs, were met: then the run is folded again with the exact f32x4/f64x2.min/max) and the OR (min) or AND (max)
 * of their sign bits, which decides the sign of a zero result (when the min is a zero, the only elements with the
 * sign bit set are -0s; likewise for max and +0).
 */
function extremeF<T, M, B, O>(p0: usize, n: i32, st: usize, lo: T, hi: T, eq: T): void {
  const S = step<T, M>(st);
  const L = lanes<T>();
  const id = opaque<T>(ident<T, O>());
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const veq = v128.splat<T>(eq);
  const on = opaque<i32>(-1);
  let p = p0;
  let m0 = id;
  let m1 = id;
  let z0 = v128.splat<T>(0);
  let z1 = z0;
  let sg = sizeof<O>() == 1 ? i32x4.splat(0) : i32x4.splat(-1);
  let m = 0;
  const vectors = n / L;
  let j = 0;
  // Missing lanes: all ones (a NaN, which pmin/pmax pass over) for the fold, +0 for the sum and min's sign OR;
  // counted in the vector (-1 a lane).
  let kc = i64x2.splat(0);
  for (; j + 2 <= vectors; j += 2) {
    const x0 = lv<T, M>(p, S);
    const x1 = lv<T, M>(p + <usize>L * S, S);
    let n0 = x0;
    let n1 = x1;
    let z0x = x0;
    let z1x = x1;
    if (sizeof<B>() >= 2) {
      const k0 = missV<T, B>(x0, vlo, vhi, veq, on);
      const k1 = missV<T, B>(x1, vlo, vhi, veq, on);
      kc = sizeof<T>() == 8 ? i64x2.add(kc, i64x2.add(k0, k1)) : i32x4.add(kc, i32x4.add(k0, k1));
      n0 = v128.or(x0, k0);
      n1 = v128.or(x1, k1);
      z0x = v128.andnot(x0, k0);
      z1x = v128.andnot(x1, k1);
    }
    if (sizeof<O>() == 1) {
      m0 = v128.pmin<T>(m0, n0);
      m1 = v128.pmin<T>(m1, n1);
      sg = v128.or(sg, v128.or(z0x, z1x));
    } else {
      m0 = v128.pmax<T>(m0, n0);
      m1 = v128.pmax<T>(m1, n1);
      sg = v128.and(sg, v128.and(n0, n1));
    }
    z0 = v128.add<T>(z0, z0x);
    z1 = v128.add<T>(z1, z1x);
    p += 2 * <usize>L * S;
  }
  if (sizeof<B>() >= 2) {
    m =
      sizeof<T>() == 8
        ? -<i32>(i64x2.extract_lane(kc, 0) + i64x2.extract_lane(kc, 1))
        : -(i32x4.extract_lane(kc, 0) + i32x4.extract_lane(kc, 1) + i32x4.extract_lane(kc, 2) + i32x4.extract_lane(kc, 3));
  }
  if (j < vectors) {
    let x = lv<T, M>(p, S);
    if (sizeof<B>() >= 2) {
      const k = missV<T, B>(x, vlo, vhi, veq, on);
      m += bits<T>(k);
      x = v128.bitselect(id, x, k);
    }
    if (sizeof<O>() == 1) {
      m0 = v128.pmin<T>(m0, x);
      sg = v128.or(sg, x);
    } else {
      m0 = v128.pmax<T>(m0, x);
      sg = v128.and(sg, x);
    }
    z0 = v128.add<T>(z0, x);
    p += <usize>L * S;
  }
  const z = v128.add<T>(z0, z1);
  let nan = v128.any_true(v128.ne<T>(z, z));
  v128.store(TMP, sizeof<O>() == 1 ? v128.pmin<T>(m0, m1) : v128.pmax<T>(m0, m1));
  let r = load<T>(TMP);
  for (let i = 1; i < L; i++) {
    const x = load<T>(TMP + i * sizeof<T>());
    r = sizeof<O>() == 1 ? (x < r ? x : r) : x > r ? x : r;
  }
  for (let k = vectors * L; k < n; k++) {
    const x = ld<T, M>(p);
    if (sizeof<B>() >= 2 && missS<T>(x, lo, hi, eq, 1)) m++;
    else {
      if (x != x) nan = true;
      r = sext<T, O>(r, x);
    }
    p += S;
  }
  if (nan) {
    extreme<T, M, B, O>(p0, n, st, lo, hi, eq, 1);
    return;
  }
  if (r == 0) {
    // The sign of zero: any sign bit set (min), any sign bit clear (max), over the lanes.
    const signs = sizeof<O>() == 1 ? sg : v128.not(sg);
    const neg = sizeof<T>() == 8 ? i64x2.bitmask(signs) != 0 : i32x4.bitmask(signs) != 0;
    if (sizeof<O>() == 1) r = neg ? <T>-0.0 : <T>0.0;
    else r = neg ? <T>0.0 : <T>-0.0;
    // A zero from the scalar tail counts too.
    for (let k = vectors * L; k < n; k++) {
      const x = ld<T, M>(p0 + <usize>k * S);
      if (x == 0 && !(sizeof<B>() >= 2 && missS<T>(x, lo, hi, eq, 1))) r = sext<T, O>(r, x);
    }
  }
  store<f64>(OUT, <f64>r);
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function extD<T, B, O, A1, A2, A3>(p: usize, n: i32, st: i32, lo: T, hi: T, eq: T, on: i32): void {
  if (sizeof<B>() >= 2 && eqOnly<T>(lo, hi, on)) extD2<T, u32, O, A1, A2, A3>(p, n, st, lo, hi, eq, on);
  else extD2<T, B, O, A1, A2, A3>(p, n, st, lo, hi, eq, on);
}

@inline function extD2<T, B, O, A1, A2, A3>(p: usize, n: i32, st: i32, lo: T, hi: T, eq: T, on: i32): void {
  if (isFloat<T>()) {
    if (st == sizeof<T>()) extremeF<T, A1, B, O>(p, n, st, lo, hi, eq);
    else if (st == 2 * sizeof<T>()) extremeF<T, A2, B, O>(p, n, st, lo, hi, eq);
    else extremeF<T, A3, B, O>(p, n, st, lo, hi, eq);
    return;
  }
  if (st == sizeof<T>()) extreme<T, A1, B, O>(p, n, st, lo, hi, eq, on);
  else if (st == 2 * sizeof<T>()) extreme<T, A2, B, O>(p, n, st, lo, hi, eq, on);
  else extreme<T, A3, B, O>(p, n, st, lo, hi, eq, on);
}

export function min_f64(p: usize, n: i32, st: i32): void {
  extD<f64, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_f64(p: usize, n: i32, st: i32): void {
  extD<f64, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_f32(p: usize, n: i32, st: i32): void {
  extD<f32, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_f32(p: usize, n: i32, st: i32): void {
  extD<f32, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function minb_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  extD<f64, u16, u8, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function maxb_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  extD<f64, u16, u16, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function minb_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  extD<f32, u16, u8, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function maxb_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  extD<f32, u16, u16, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function min_i8(p: usize, n: i32, st: i32): void {
  extD<i8, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_i8(p: usize, n: i32, st: i32): void {
  extD<i8, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_u8(p: usize, n: i32, st: i32): void {
  extD<u8, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_u8(p: usize, n: i32, st: i32): void {
  extD<u8, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_i16(p: usize, n: i32, st: i32): void {
  extD<i16, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_i16(p: usize, n: i32, st: i32): void {
  extD<i16, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_u16(p: usize, n: i32, st: i32): void {
  extD<u16, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_u16(p: usize, n: i32, st: i32): void {
  extD<u16, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_i32(p: usize, n: i32, st: i32): void {
  extD<i32, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_i32(p: usize, n: i32, st: i32): void {
  extD<i32, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_u32(p: usize, n: i32, st: i32): void {
  extD<u32, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_u32(p: usize, n: i32, st: i32): void {
  extD<u32, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function minb_i8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i8, u16, u8, u8, u16, u32>(p, n, st, <i8>lo, <i8>hi, <i8>eq, on);
}
export function maxb_i8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i8, u16, u16, u8, u16, u32>(p, n, st, <i8>lo, <i8>hi, <i8>eq, on);
}
export function minb_u8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u8, u16, u8, u8, u16, u32>(p, n, st, <u8>lo, <u8>hi, <u8>eq, on);
}
export function maxb_u8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u8, u16, u16, u8, u16, u32>(p, n, st, <u8>lo, <u8>hi, <u8>eq, on);
}
export function minb_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i16, u16, u8, u8, u16, u32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function maxb_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i16, u16, u16, u8, u16, u32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function minb_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u16, u16, u8, u8, u16, u32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function maxb_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u16, u16, u16, u8, u16, u32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function minb_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i32, u16, u8, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function maxb_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i32, u16, u16, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function minb_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u32, u16, u8, u8, u16, u32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function maxb_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u32, u16, u16, u8, u16, u32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}

// ---------------------------------------------------------------------------------------------------------
// min / max of 64-bit integers: compare-and-select on sign-biased lanes (no i64x2.min in WebAssembly).

@inline function sel64<O>(m: v128, x: v128): v128 {
  return v128.bitselect(x, m, sizeof<O>() == 1 ? i64x2.lt_s(x, m) : i64x2.gt_s(x, m));
}

/** Missing lanes of raw (unbiased) 64-bit elements: one missing value is tested as it is, bounds after bias64. */
@inline function missRaw64<T, B>(x: v128, lo: v128, hi: v128, raw: v128, on: v128, flip: v128): v128 {
  if (sizeof<B>() == 4) return i64x2.eq(x, raw);
  const xb = bias64<T>(x, flip);
  return v128.or(v128.or(i64x2.lt_s(xb, lo), i64x2.gt_s(xb, hi)), v128.and(i64x2.eq(x, raw), on));
}

/**
 * Raw 64-bit elements, missing lanes (k) given the fold's identity, then biased (bias64). uint64: all ones (min)
 * or zero (max) before the bias, one instruction; int64: MAX or MIN = all ones or zero with the sign bit flipped.
 */
@inline function fill64<T, O>(x: v128, k: v128, flip: v128): v128 {
  const f = sizeof<O>() == 1 ? v128.or(x, k) : v128.andnot(x, k);
  if (!isSigned<T>()) return v128.xor(f, flip);
  return v128.xor(f, v128.and(k, flip));
}

function extreme64<T, M, B, O>(p: usize, n: i32, st: usize, lo: i64, hi: i64, eq: i64, eqOn: i32): void {
  const S = step<T, M>(st);
  const idS: i64 = sizeof<O>() == 1 ? i64.MAX_VALUE : i64.MIN_VALUE;
  const id = opaque<i64>(idS);
  const flip = opaque<i64>(i64.MIN_VALUE);
  const vlo = opaque<i64>(lo);
  const vhi = opaque<i64>(hi);
  const veq = i64x2.splat(eq);
  const on = opaque<i64>(eqOn != 0 ? -1 : 0);
  let m0 = id;
  let m1 = id;
  let m2 = id;
  let m3 = id;
  const raw: i64 = isSigned<T>() ? eq : eq ^ i64.MIN_VALUE;
  const vraw = opaque<i64>(raw);
  let kc = i64x2.splat(0);
  let k = 0;
  for (; k + 8 <= n; k += 8) {
    if (sizeof<B>() >= 2) {
      // Missing lanes counted in the vector and given the identity; two running extremes (four would spill).
      const x0 = lv<T, M>(p, S);
      const x1 = lv<T, M>(p + 2 * S, S);
      const x2 = lv<T, M>(p + 4 * S, S);
      const x3 = lv<T, M>(p + 6 * S, S);
      const k0 = missRaw64<T, B>(x0, vlo, vhi, vraw, on, flip);
      const k1 = missRaw64<T, B>(x1, vlo, vhi, vraw, on, flip);
      const k2 = missRaw64<T, B>(x2, vlo, vhi, vraw, on, flip);
      const k3 = missRaw64<T, B>(x3, vlo, vhi, vraw, on, flip);
      kc = i64x2.add(kc, i64x2.add(i64x2.add(k0, k1), i64x2.add(k2, k3)));
      const y0 = fill64<T, O>(x0, k0, flip);
      const y1 = fill64<T, O>(x1, k1, flip);
      const y2 = fill64<T, O>(x2, k2, flip);
      const y3 = fill64<T, O>(x3, k3, flip);
      m0 = sel64<O>(m0, sel64<O>(y0, y1));
      m1 = sel64<O>(m1, sel64<O>(y2, y3));
    } else {
      m0 = sel64<O>(m0, bias64<T>(lv<T, M>(p, S), flip));
      m1 = sel64<O>(m1, bias64<T>(lv<T, M>(p + 2 * S, S), flip));
      m2 = sel64<O>(m2, bias64<T>(lv<T, M>(p + 4 * S, S), flip));
      m3 = sel64<O>(m3, bias64<T>(lv<T, M>(p + 6 * S, S), flip));
    }
    p += 8 * S;
  }
  let m = -<i32>(i64x2.extract_lane(kc, 0) + i64x2.extract_lane(kc, 1));
  v128.store(TMP, sel64<O>(sel64<O>(m0, m1), sel64<O>(m2, m3)));
  let r = sext<i64, O>(load<i64>(TMP), load<i64>(TMP, 8));
  for (; k < n; k++) {
    const x = isSigned<T>() ? <i64>ld<T, M>(p) : <i64>ld<T, M>(p) ^ i64.MIN_VALUE;
    if (sizeof<B>() >= 2 && (x < lo || x > hi || (eqOn != 0 && x == eq))) m++;
    else r = sext<i64, O>(r, x);
    p += S;
  }
  store<i64>(OUT, isSigned<T>() ? r : r ^ i64.MIN_VALUE);
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function ext64D<T, B, O, A1, A2, A3>(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  if (sizeof<B>() >= 2 && eqOnly<i64>(lo, hi, on)) {
    if (st == 8) extreme64<T, A1, u32, O>(p, n, st, lo, hi, eq, on);
    else if (st == 16) extreme64<T, A2, u32, O>(p, n, st, lo, hi, eq, on);
    else extreme64<T, A3, u32, O>(p, n, st, lo, hi, eq, on);
  } else if (st == 8) extreme64<T, A1, B, O>(p, n, st, lo, hi, eq, on);
  else if (st == 16) extreme64<T, A2, B, O>(p, n, st, lo, hi, eq, on);
  else extreme64<T, A3, B, O>(p, n, st, lo, hi, eq, on);
}

export function min_i64(p: usize, n: i32, st: i32): void {
  ext64D<i64, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_i64(p: usize, n: i32, st: i32): void {
  ext64D<i64, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function min_u64(p: usize, n: i32, st: i32): void {
  ext64D<u64, u8, u8, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function max_u64(p: usize, n: i32, st: i32): void {
  ext64D<u64, u8, u16, u8, u16, u32>(p, n, st, 0, 0, 0, 0);
}
export function minb_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<i64, u16, u8, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function maxb_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<i64, u16, u16, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function minb_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<u64, u16, u8, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function maxb_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<u64, u16, u16, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}

// ---------------------------------------------------------------------------------------------------------
// count with a bounds rule: the non-missing elements.

function countB<T, M, B>(p: usize, n: i32, st: usize, lo: T, hi: T, eq: T, eqOn: i32): void {
  const S = step<T, M>(st);
  const L = lanes<T>();
  const vlo = v128.splat<T>(lo);
  const vhi = v128.splat<T>(hi);
  const veq = v128.splat<T>(eq);
  const on = i32x4.splat(eqOn != 0 ? -1 : 0);
  const vectors = n / L;
  let j = 0;
  let cm = i32x4.splat(0);
  // Counted in the vector as extreme() does, 2 a turn.
  const CH = sizeof<T>() == 1 ? 126 : sizeof<T>() == 2 ? 32766 : 0x7ffffffe;
  while (j + 2 <= vectors) {
    const stop = vectors - j <= CH ? vectors : j + CH;
    let kc = i32x4.splat(0);
    for (; j + 2 <= stop; j += 2) {
      const x = lv<T, M>(p, S);
      const y = lv<T, M>(p + <usize>L * S, S);
      kc = addK<T>(kc, addK<T>(missV<T, B>(x, vlo, vhi, veq, on), missV<T, B>(y, vlo, vhi, veq, on)));
      p += 2 * <usize>L * S;
    }
    cm = i32x4.add(cm, count32<T>(kc));
  }
  let m = -sum32(cm);
  if (j < vectors) {
    m += bits<T>(missV<T, B>(lv<T, M>(p, S), vlo, vhi, veq, on));
    p += <usize>L * S;
  }
  for (let k = vectors * L; k < n; k++) {
    if (missS<T>(ld<T, M>(p), lo, hi, eq, eqOn)) m++;
    p += S;
  }
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function countD<T, A1, A2, A3>(p: usize, n: i32, st: i32, lo: T, hi: T, eq: T, on: i32): void {
  if (eqOnly<T>(lo, hi, on)) {
    if (st == sizeof<T>()) countB<T, A1, u32>(p, n, st, lo, hi, eq, on);
    else if (st == 2 * sizeof<T>()) countB<T, A2, u32>(p, n, st, lo, hi, eq, on);
    else countB<T, A3, u32>(p, n, st, lo, hi, eq, on);
  } else if (st == sizeof<T>()) countB<T, A1, u16>(p, n, st, lo, hi, eq, on);
  else if (st == 2 * sizeof<T>()) countB<T, A2, u16>(p, n, st, lo, hi, eq, on);
  else countB<T, A3, u16>(p, n, st, lo, hi, eq, on);
}

function count64<T, M, B>(p: usize, n: i32, st: usize, lo: i64, hi: i64, eq: i64, eqOn: i32): void {
  const S = step<T, M>(st);
  const flip = opaque<i64>(i64.MIN_VALUE);
  const vlo = i64x2.splat(lo);
  const vhi = i64x2.splat(hi);
  const veq = i64x2.splat(eq);
  const on = i64x2.splat(eqOn != 0 ? -1 : 0);
  let m = 0;
  let k = 0;
  for (; k + 4 <= n; k += 4) {
    const mx = miss64<B>(bias64<T>(lv<T, M>(p, S), flip), vlo, vhi, veq, on);
    const my = miss64<B>(bias64<T>(lv<T, M>(p + 2 * S, S), flip), vlo, vhi, veq, on);
    m += popcnt<i32>(i64x2.bitmask(mx) | (i64x2.bitmask(my) << 2));
    p += 4 * S;
  }
  for (; k < n; k++) {
    const x = isSigned<T>() ? <i64>ld<T, M>(p) : <i64>ld<T, M>(p) ^ i64.MIN_VALUE;
    if (x < lo || x > hi || (eqOn != 0 && x == eq)) m++;
    p += S;
  }
  store<f64>(OUT, <f64>(n - m), 16);
}

@inline function count64D<T, A1, A2, A3>(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  if (eqOnly<i64>(lo, hi, on)) {
    if (st == 8) count64<T, A1, u32>(p, n, st, lo, hi, eq, on);
    else if (st == 16) count64<T, A2, u32>(p, n, st, lo, hi, eq, on);
    else count64<T, A3, u32>(p, n, st, lo, hi, eq, on);
  } else if (st == 8) count64<T, A1, u16>(p, n, st, lo, hi, eq, on);
  else if (st == 16) count64<T, A2, u16>(p, n, st, lo, hi, eq, on);
  else count64<T, A3, u16>(p, n, st, lo, hi, eq, on);
}

export function cntb_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  countD<f64, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function cntb_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  countD<f32, u8, u16, u32>(p, n, st, lo, hi, eq, 1);
}
export function cntb_i8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<i8, u8, u16, u32>(p, n, st, <i8>lo, <i8>hi, <i8>eq, on);
}
export function cntb_u8(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<u8, u8, u16, u32>(p, n, st, <u8>lo, <u8>hi, <u8>eq, on);
}
export function cntb_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<i16, u8, u16, u32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function cntb_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<u16, u8, u16, u32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function cntb_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<i32, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function cntb_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<u32, u8, u16, u32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function cntb_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  count64D<i64, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}
export function cntb_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  count64D<u64, u8, u16, u32>(p, n, st, lo, hi, eq, on);
}

// ---------------------------------------------------------------------------------------------------------
// The same kernels over big-endian elements (name + x): each load is byte-swapped in registers (bswapV, ld), so
// the data is read once and never swapped in memory; the folds after the load are exactly the ones above.

export function sumx_f64(p: usize, n: i32, st: i32): void {
  sumFloat<f64, i8, i16, i32>(p, n, st);
}
export function sumx_f32(p: usize, n: i32, st: i32): void {
  sumFloat<f32, i8, i16, i32>(p, n, st);
}
export function sumbx_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  sumFloatB<f64, i8, i16, i32>(p, n, st, lo, hi, eq);
}
export function sumbx_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  sumFloatB<f32, i8, i16, i32>(p, n, st, lo, hi, eq);
}
export function sumx_i16(p: usize, n: i32, st: i32): void {
  sumI<i16, i8, i16, i32>(p, n, st);
}
export function sumx_u16(p: usize, n: i32, st: i32): void {
  sumI<u16, i8, i16, i32>(p, n, st);
}
export function sumx_i32(p: usize, n: i32, st: i32): void {
  sumI<i32, i8, i16, i32>(p, n, st);
}
export function sumx_u32(p: usize, n: i32, st: i32): void {
  sumI<u32, i8, i16, i32>(p, n, st);
}
export function sumbx_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<i16, i8, i16, i32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function sumbx_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<u16, i8, i16, i32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function sumbx_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<i32, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function sumbx_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  sumIB<u32, i8, i16, i32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function sumx_i64(p: usize, n: i32, st: i32): void {
  sum64D<i64, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function sumx_u64(p: usize, n: i32, st: i32): void {
  sum64D<u64, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function sumbx_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  sum64D<i64, u16, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function sumbx_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  sum64D<u64, u16, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function minx_f64(p: usize, n: i32, st: i32): void {
  extD<f64, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_f64(p: usize, n: i32, st: i32): void {
  extD<f64, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minx_f32(p: usize, n: i32, st: i32): void {
  extD<f32, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_f32(p: usize, n: i32, st: i32): void {
  extD<f32, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minbx_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  extD<f64, u16, u8, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function maxbx_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  extD<f64, u16, u16, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function minbx_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  extD<f32, u16, u8, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function maxbx_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  extD<f32, u16, u16, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function minx_i16(p: usize, n: i32, st: i32): void {
  extD<i16, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_i16(p: usize, n: i32, st: i32): void {
  extD<i16, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minx_u16(p: usize, n: i32, st: i32): void {
  extD<u16, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_u16(p: usize, n: i32, st: i32): void {
  extD<u16, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minx_i32(p: usize, n: i32, st: i32): void {
  extD<i32, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_i32(p: usize, n: i32, st: i32): void {
  extD<i32, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minx_u32(p: usize, n: i32, st: i32): void {
  extD<u32, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_u32(p: usize, n: i32, st: i32): void {
  extD<u32, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minbx_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i16, u16, u8, i8, i16, i32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function maxbx_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i16, u16, u16, i8, i16, i32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function minbx_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u16, u16, u8, i8, i16, i32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function maxbx_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u16, u16, u16, i8, i16, i32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function minbx_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i32, u16, u8, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function maxbx_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<i32, u16, u16, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function minbx_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u32, u16, u8, i8, i16, i32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function maxbx_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  extD<u32, u16, u16, i8, i16, i32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function minx_i64(p: usize, n: i32, st: i32): void {
  ext64D<i64, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_i64(p: usize, n: i32, st: i32): void {
  ext64D<i64, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minx_u64(p: usize, n: i32, st: i32): void {
  ext64D<u64, u8, u8, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function maxx_u64(p: usize, n: i32, st: i32): void {
  ext64D<u64, u8, u16, i8, i16, i32>(p, n, st, 0, 0, 0, 0);
}
export function minbx_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<i64, u16, u8, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function maxbx_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<i64, u16, u16, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function minbx_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<u64, u16, u8, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function maxbx_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  ext64D<u64, u16, u16, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function cntbx_f64(p: usize, n: i32, st: i32, lo: f64, hi: f64, eq: f64): void {
  countD<f64, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function cntbx_f32(p: usize, n: i32, st: i32, lo: f32, hi: f32, eq: f32): void {
  countD<f32, i8, i16, i32>(p, n, st, lo, hi, eq, 1);
}
export function cntbx_i16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<i16, i8, i16, i32>(p, n, st, <i16>lo, <i16>hi, <i16>eq, on);
}
export function cntbx_u16(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<u16, i8, i16, i32>(p, n, st, <u16>lo, <u16>hi, <u16>eq, on);
}
export function cntbx_i32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<i32, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function cntbx_u32(p: usize, n: i32, st: i32, lo: i32, hi: i32, eq: i32, on: i32): void {
  countD<u32, i8, i16, i32>(p, n, st, <u32>lo, <u32>hi, <u32>eq, on);
}
export function cntbx_i64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  count64D<i64, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
export function cntbx_u64(p: usize, n: i32, st: i32, lo: i64, hi: i64, eq: i64, on: i32): void {
  count64D<u64, i8, i16, i32>(p, n, st, lo, hi, eq, on);
}
