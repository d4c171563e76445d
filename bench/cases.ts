/**
 * The case list of `npm run bench` (issue 6). Every case is one server configuration timed against its baseline:
 * a direct ranged GET of the same bytes from the same store by the same load generator, or, for compressed
 * chunks, GET + inflate + unshuffle in a tight loop on every core (bench/inflate-baseline.ts).
 */
import type { ObjectId } from './data.js';
import { MISSING_VALUE, OBJECTS } from './data.js';
import type { StoreKind } from './stores.js';

export type BenchOp = 'sum' | 'min' | 'max' | 'count';

export type Target =
  /** Server req/s at least `min` times the baseline's. */
  | { kind: 'ratio'; min: number }
  /** Server p50 latency at most `maxMs` above the baseline's. */
  | { kind: 'added-latency'; maxMs: number };

export interface Case {
  name: string;
  store: StoreKind;
  object: ObjectId;
  op: BenchOp;
  concurrency: number;
  /** Seconds of load per run (wrk takes whole seconds). */
  durationS: number;
  /** Part of the `--quick` subset. */
  quick: boolean;
  target: Target;
  baseline: 'direct' | 'inflate';
  /** numpy slices, one `[start, stop, step]` per dimension. */
  selection?: [number, number, number][];
  missingValue?: number;
  /** Read the server's event-loop delay during this case. */
  eventLoop?: boolean;
}

const OPS: BenchOp[] = ['sum', 'min', 'max', 'count'];

function make(
  store: StoreKind,
  object: ObjectId,
  concurrency: number,
  op: BenchOp,
  extra: Partial<Case> = {},
): Case {
  const big = OBJECTS[object].decodedBytes > 1024 * 1024;
  return {
    name: `${store}-${object}${extra.selection ? '-strided' : ''}-c${concurrency}-${op}`,
    store,
    object,
    op,
    concurrency,
    // One request at a time completes few requests per second on large chunks, and small chunks at c1 are
    // latency-bound and noisy: both get 2 s.
    durationS: big || concurrency === 1 ? 2 : 1,
    quick: false,
    target: { kind: 'ratio', min: 0.9 },
    baseline: 'direct',
    ...extra,
  };
}

export function allCases(): Case[] {
  const cases: Case[] = [];
  // Uncompressed throughput: 1, 16, 64 MiB at concurrency 1 and 8; float32 every op, int64 the two exact-integer
  // kernels (count reads no element without a missing rule, and min behaves as max).
  for (const size of ['1m', '16m', '64m'] as const) {
    for (const c of [1, 8]) {
      for (const op of OPS) {
        cases.push(
          make('nginx', `f32-${size}`, c, op, {
            quick: op === 'sum',
            eventLoop: size === '64m' && c === 8 && op === 'sum',
          }),
        );
      }
      for (const op of ['sum', 'max'] as const) cases.push(make('nginx', `i64-${size}`, c, op));
    }
  }
  // A real client (PyActiveStorage) sends ~30 chunks at once.
  for (const op of OPS) cases.push(make('nginx', 'f32-1m', 32, op, { quick: op === 'sum' }));
  // Small chunk: what the server adds to one request's latency.
  for (const op of OPS) {
    cases.push(
      make('nginx', 'f32-64k', 1, op, { quick: op === 'sum', target: { kind: 'added-latency', maxMs: 1 } }),
    );
  }
  // Missing values + a strided 2-D selection (every other row, every third column of the first 2000).
  const selection: [number, number, number][] = [
    [1, 2048, 2],
    [0, 2000, 3],
  ];
  for (const op of OPS) {
    cases.push(
      make('nginx', 'f32-missing-16m', 8, op, {
        selection,
        missingValue: MISSING_VALUE,
        quick: op === 'sum',
      }),
    );
  }
  cases.push(make('nginx', 'f32-missing-16m', 1, 'sum', { selection, missingValue: MISSING_VALUE }));
  // zlib + shuffle: the server may use both cores, and so does the baseline.
  for (const c of [2, 4]) {
    for (const op of ['sum', 'max'] as const) {
      cases.push(
        make('nginx', 'f32-zlib-shuffle-4m', c, op, {
          baseline: 'inflate',
          target: { kind: 'ratio', min: 0.8 },
          quick: c === 2 && op === 'sum',
        }),
      );
    }
  }
  // S3 (SigV4 on every request) from the embedded store in its own process.
  for (const size of ['1m', '16m', '64m'] as const) {
    for (const c of [1, 8]) {
      for (const op of OPS) {
        cases.push(
          make('s3demo', `f32-${size}`, c, op, {
            quick: size === '16m' && c === 8 && op === 'sum',
            eventLoop: size === '64m' && c === 8 && op === 'sum',
          }),
        );
      }
    }
  }
  cases.push(make('s3demo', 'f32-1m', 32, 'sum'));
  cases.push(make('s3demo', 'f32-64k', 1, 'sum', { target: { kind: 'added-latency', maxMs: 1 } }));
  // moto, the S3 server of the integration tests: slow (Python), so both sides are bounded by it.
  for (const size of ['1m', '16m'] as const) {
    for (const c of [1, 8]) cases.push(make('moto', `f32-${size}`, c, 'sum'));
  }
  return cases;
}

export function selectCases(cases: Case[], opts: { quick: boolean; filter: RegExp | undefined }): Case[] {
  return cases.filter(
    (c) => (!opts.quick || c.quick) && (opts.filter === undefined || opts.filter.test(c.name)),
  );
}
