// The worker-pool path: same answers as the inline path (results and errors), buffers moved rather than shared, a
// closable pool, and the event loop kept free while a large chunk decodes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateSync } from 'node:zlib';
import { closeDecodePool, configureDecodeWorkers, decodeChunk } from '../../../src/decode/pipeline.js';
import { ActiveStorageError } from '../../../src/errors.js';
import { loadFixtureCases } from './fixture-cases.js';

after(closeDecodePool);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function float32Field(count: number): Float32Array {
  const data = new Float32Array(count);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i / 100) * 100 + (i % 7);
  return data;
}

async function settle(promise: Promise<Uint8Array>) {
  try {
    return { bytes: sha256(await promise) };
  } catch (err) {
    assert.ok(err instanceof ActiveStorageError, String(err));
    return { code: err.code, message: err.message, field: err.field, causedBy: err.causedBy };
  }
}

describe('worker path equals inline path', () => {
  test('every fixture, success or failure', async () => {
    for (const c of loadFixtureCases()) {
      configureDecodeWorkers({ thresholdBytes: Number.POSITIVE_INFINITY });
      const inline = await settle(decodeChunk(c.stored, c.chain, c.ctx));
      configureDecodeWorkers({ thresholdBytes: 0 });
      const worker = await settle(decodeChunk(c.stored, c.chain, c.ctx));
      assert.deepEqual(worker, inline, c.name);
    }
  });

  test('a large zlib + shuffle chunk', async () => {
    const data = new Uint8Array(float32Field(2 << 20).buffer);
    const shuffled = new Uint8Array(data.length);
    const count = data.length / 4;
    for (let i = 0; i < count; i++) for (let j = 0; j < 4; j++) shuffled[j * count + i] = data[i * 4 + j]!;
    const stored = deflateSync(shuffled);
    const chain = { compression: { id: 'zlib' }, filters: [{ id: 'shuffle', elementSize: 4 }] };
    const ctx = { dtype: 'float32' as const, itemsize: 4, expectedBytes: data.length, maxBytes: 1 << 30 };
    configureDecodeWorkers({ thresholdBytes: 1 << 20 });
    const out = await decodeChunk(stored, chain, ctx);
    assert.equal(sha256(out), sha256(data));
    assert.equal(out.byteOffset, 0);
    assert.equal(
      out.buffer.byteLength,
      data.length,
      'the result owns exactly its buffer (moved, not a pool slice)',
    );
  });
});

describe('buffers', () => {
  const data = new Uint8Array(float32Field(1 << 16).buffer);
  const chain = { compression: { id: 'zlib' }, filters: [] };
  const ctx = { dtype: 'float32' as const, itemsize: 4, expectedBytes: data.length, maxBytes: 1 << 30 };

  test('stored bytes are copied for the worker by default (they may be cached)', async () => {
    configureDecodeWorkers({ thresholdBytes: 0 });
    const stored = new Uint8Array(deflateSync(data));
    await decodeChunk(stored, chain, ctx);
    assert.ok(stored.byteLength > 0, 'still readable');
  });

  test('stored bytes handed over are transferred, not copied', async () => {
    configureDecodeWorkers({ thresholdBytes: 0 });
    const stored = new Uint8Array(deflateSync(data));
    const out = await decodeChunk(stored, chain, { ...ctx, isStoredTransferable: true });
    assert.equal(sha256(out), sha256(data));
    assert.equal(stored.byteLength, 0, 'detached by the transfer');
  });

  test('a closed pool restarts on the next large decode', async () => {
    configureDecodeWorkers({ thresholdBytes: 0 });
    await closeDecodePool();
    const out = await decodeChunk(deflateSync(data), chain, ctx);
    assert.equal(sha256(out), sha256(data));
  });
});

describe('event loop', () => {
  // Delay of the event loop while one 16 MiB zlib chunk decodes, inline and on a worker.
  async function loopDelayDuring(run: () => Promise<unknown>) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    await sleep(10); // the probe only measures once its timer is running
    const started = performance.now();
    await run();
    const decodeMs = performance.now() - started;
    await sleep(20); // lets the histogram record the delay of a blocked loop
    histogram.disable();
    return { decodeMs, p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6 };
  }

  test('a large decode on a worker leaves the event loop free', async (t) => {
    const data = float32Field(4 << 20);
    const stored = deflateSync(data);
    const chain = { compression: { id: 'zlib' }, filters: [] };
    const ctx = { dtype: 'float32' as const, itemsize: 4, expectedBytes: data.byteLength, maxBytes: 1 << 30 };
    configureDecodeWorkers({ thresholdBytes: 0 });
    await decodeChunk(stored, chain, ctx); // warm the pool
    configureDecodeWorkers({ thresholdBytes: Number.POSITIVE_INFINITY });
    const inline = await loopDelayDuring(() => decodeChunk(stored, chain, ctx));
    configureDecodeWorkers({ thresholdBytes: 0 });
    const worker = await loopDelayDuring(() => decodeChunk(stored, chain, ctx));
    t.diagnostic(
      `16 MiB zlib inline: decode ${inline.decodeMs.toFixed(0)} ms, loop delay max ${inline.maxMs.toFixed(1)} ms`,
    );
    t.diagnostic(
      `16 MiB zlib worker: decode ${worker.decodeMs.toFixed(0)} ms, loop delay p99 ${worker.p99Ms.toFixed(1)} ms, max ${worker.maxMs.toFixed(1)} ms`,
    );
    assert.ok(
      inline.maxMs >= inline.decodeMs * 0.5,
      'the inline decode blocks the loop (sanity check of the probe)',
    );
    assert.ok(
      worker.p99Ms < inline.maxMs / 2,
      'the worker decode must not block the loop like the inline one',
    );
  });
});
