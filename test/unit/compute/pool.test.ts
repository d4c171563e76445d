/**
 * The compute pool: a chunk computed on a worker thread gives exactly what the inline path gives (results and
 * errors), for every numpy matrix case and every codec fixture; buffers are moved, not shared; a closed pool
 * restarts. How much the workers spare the event loop is measured by `npm run bench`, not asserted here.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { type ComputePlan, computeChunk, computePlan } from '../../../src/compute/chunk.js';
import { createComputePool } from '../../../src/compute/pool.js';
import { ActiveStorageError } from '../../../src/errors.js';
import { isOpName } from '../../../src/ops/registry.js';
import type { OpResult } from '../../../src/request/chunk-request.js';
import { parseJson } from '../../../src/request/json.js';
import { parseV2Request } from '../../../src/request/v2.js';
import { compareResult, loadMatrix, stringifyJson } from '../../support/matrix.js';
import { loadFixtureCases } from '../decode/fixture-cases.js';

const onWorker = createComputePool({ threads: 2, thresholdBytes: 0 });
after(() => onWorker.close());

const LIMITS = { maxDecodedBytes: 1 << 30, memoryLimitBytes: 1 << 30, fileInterface: false };

function planFor(op: string, fields: string): ComputePlan {
  assert.ok(isOpName(op));
  const body = `{"interface_type":"s3","url":"http://127.0.0.1/b/k"${fields ? `,${fields}` : ''}}`;
  return computePlan(parseV2Request(op, parseJson(body), undefined, LIMITS), LIMITS.maxDecodedBytes);
}

type Outcome = { result: OpResult } | { code: string; message: string; causedBy: string[] };

async function settle(run: () => Promise<OpResult> | OpResult): Promise<Outcome> {
  try {
    const r = await run();
    return { result: { ...r, bytes: Uint8Array.from(r.bytes) } };
  } catch (err) {
    assert.ok(err instanceof ActiveStorageError, String(err));
    return { code: err.code, message: err.message, causedBy: err.causedBy };
  }
}

describe('worker path equals inline path', () => {
  test('every numpy matrix case, against numpy', async () => {
    const { cases } = loadMatrix();
    const failures: string[] = [];
    for (const c of cases) {
      const plan = planFor(c.op, stringifyJson(c.request).slice(1, -1));
      const r = await onWorker.run(Uint8Array.from(c.data), plan);
      const problem = compareResult({ ...r, count: r.counts }, c.expected);
      if (problem !== undefined) failures.push(`${c.name}: ${problem}`);
    }
    assert.deepEqual(failures, []);
  });

  test('every codec fixture, success or failure', async () => {
    for (const c of loadFixtureCases()) {
      const fields = [
        `"dtype":"${c.ctx.dtype}"`,
        `"byte_order":"${c.ctx.byteOrder}"`,
        ...(c.ctx.expectedBytes === undefined ? [] : [`"shape":[${c.ctx.expectedBytes / c.ctx.itemsize}]`]),
      ].join(',');
      const plan: ComputePlan = {
        ...planFor('select', fields),
        compression: c.chain.compression,
        filters: c.chain.filters,
        maxDecodedBytes: c.ctx.maxBytes,
      };
      const inline = await settle(() => computeChunk(Uint8Array.from(c.stored), plan));
      const worker = await settle(() => onWorker.run(Uint8Array.from(c.stored), plan));
      assert.deepEqual(worker, inline, c.name);
    }
  });
});

describe('buffers', () => {
  const data = new Float32Array(1 << 16).map((_, i) => Math.sin(i));
  const plan = planFor('sum', `"dtype":"float32","shape":[${data.length}],"compression":{"id":"zlib"}`);

  test('a buffer the caller owns whole is moved to the worker (detached here)', async () => {
    const stored = new Uint8Array(deflateSync(data));
    const r = await onWorker.run(stored, plan);
    assert.equal(stored.byteLength, 0);
    assert.equal(r.counts[0], data.length);
  });

  test('a view of a larger buffer is copied, so the owner keeps it', async () => {
    const compressed = deflateSync(data);
    const big = new Uint8Array(compressed.length + 8);
    big.set(compressed, 8);
    const stored = big.subarray(8);
    await onWorker.run(stored, plan);
    assert.equal(stored.byteLength, compressed.length);
  });

  test('result bytes arrive whole (moved back, not a view of the input)', async () => {
    const selectPlan = planFor('select', `"dtype":"float32","shape":[${data.length}]`);
    const r = await onWorker.run(new Uint8Array(data.slice().buffer), selectPlan);
    assert.equal(r.bytes.byteLength, data.byteLength);
    assert.deepEqual(new Float32Array(r.bytes.buffer, r.bytes.byteOffset, data.length), data);
  });

  test('the input buffer comes back for reuse, from a worker and inline', async () => {
    const selectPlan = planFor('sum', `"dtype":"float32","shape":[${data.length}]`);
    const inline = createComputePool({ threads: 1, thresholdBytes: Number.POSITIVE_INFINITY });
    for (const pool of [onWorker, inline]) {
      const stored = new Uint8Array(data.slice().buffer);
      const buffer = stored.buffer;
      const capacity = buffer.byteLength;
      let returned: Uint8Array | undefined;
      await pool.run(stored, selectPlan, (b) => {
        returned = b;
      });
      assert.ok(returned !== undefined);
      assert.equal(returned.byteLength, capacity);
      if (pool === inline) assert.equal(returned.buffer, buffer);
    }
    await inline.close();
  });

  test('errors keep their code and causes across the thread boundary', async () => {
    const bad = await settle(() => onWorker.run(Uint8Array.from([1, 2, 3, 4, 5]), plan));
    assert.ok('code' in bad && bad.code === 'DECODE_FAILED', JSON.stringify(bad));
    assert.ok(bad.causedBy.length > 0);
  });

  test('a closed pool restarts on the next run', async () => {
    await onWorker.close();
    const r = await onWorker.run(new Uint8Array(deflateSync(data)), plan);
    assert.equal(r.counts[0], data.length);
  });
});
