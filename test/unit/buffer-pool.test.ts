import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBufferPool, sizeClass } from '../../src/buffer-pool.js';

describe('buffer pool', () => {
  it('rounds large sizes up by at most a quarter', () => {
    for (const n of [256 * 1024 + 1, 1_000_000, 64 * 1024 * 1024, 64 * 1024 * 1024 + 1, 123_456_789]) {
      const c = sizeClass(n);
      assert.ok(c >= n && c <= n * 1.25 + 1, `${n} -> ${c}`);
      assert.equal(sizeClass(c), c, 'a class is its own class');
    }
    assert.equal(sizeClass(1000), 1000);
  });

  it('hands back a released buffer for the same class, zero-offset and exactly as long as asked', () => {
    const pool = createBufferPool(1 << 30);
    const a = pool.acquire(3_000_000);
    assert.equal(a.byteLength, 3_000_000);
    assert.equal(a.byteOffset, 0);
    const buffer = a.buffer;
    pool.release(a);
    assert.equal(pool.idleBytes(), buffer.byteLength);
    const b = pool.acquire(2_900_000);
    assert.equal(b.buffer, buffer);
    assert.equal(b.byteLength, 2_900_000);
    assert.equal(pool.idleBytes(), 0);
  });

  it('keeps no more than maxIdleBytes', () => {
    const pool = createBufferPool(5_000_000);
    const bufs = [pool.acquire(2_000_000), pool.acquire(2_000_000), pool.acquire(2_000_000)];
    for (const b of bufs) pool.release(b);
    assert.ok(pool.idleBytes() <= 5_000_000);
    assert.ok(pool.idleBytes() > 0);
  });

  it('ignores small, detached and foreign buffers', () => {
    const pool = createBufferPool(1 << 30);
    pool.release(pool.acquire(1000));
    pool.release(new Uint8Array(3_000_001));
    const moved = pool.acquire(3_000_000);
    structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] });
    pool.release(moved);
    assert.equal(pool.idleBytes(), 0);
  });

  it('drops idle buffers once nobody asked for one for idleDropMs', async () => {
    const pool = createBufferPool(1 << 30, 30);
    pool.release(pool.acquire(3_000_000));
    assert.ok(pool.idleBytes() > 0);
    await new Promise((resolve) => setTimeout(resolve, 15));
    // An acquire restarts the quiet period.
    const again = pool.acquire(3_000_000);
    pool.release(again);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(pool.idleBytes() > 0, 'kept: the last acquire was under 30 ms ago');
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.equal(pool.idleBytes(), 0);
  });
});
