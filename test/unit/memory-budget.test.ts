import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActiveStorageError } from '../../src/errors.js';
import { createMemoryBudget } from '../../src/memory-budget.js';

const never = new AbortController().signal;

describe('memory budget', () => {
  it('grants what fits at once and takes it back on release', async () => {
    const budget = createMemoryBudget(100, 1000);
    const a = await budget.acquire(60, never);
    const b = await budget.acquire(40, never);
    assert.equal(budget.inUse(), 100);
    a();
    a(); // a second release is harmless
    assert.equal(budget.inUse(), 40);
    b();
    assert.equal(budget.inUse(), 0);
  });

  it('makes a request that does not fit wait, first come first served', async () => {
    const budget = createMemoryBudget(100, 5000);
    const first = await budget.acquire(80, never);
    const order: string[] = [];
    const big = budget.acquire(50, never).then((r) => {
      order.push('big');
      return r;
    });
    // Fits right now, but must not overtake the waiting request.
    const small = budget.acquire(10, never).then((r) => {
      order.push('small');
      return r;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, []);
    first();
    (await big)();
    (await small)();
    assert.deepEqual(order, ['big', 'small']);
    assert.equal(budget.inUse(), 0);
  });

  it('answers OVERLOADED with a Retry-After once the queueing deadline passes', async () => {
    const budget = createMemoryBudget(100, 30);
    const hold = await budget.acquire(100, never);
    await assert.rejects(budget.acquire(1, never), (err: unknown) => {
      assert.ok(err instanceof ActiveStorageError);
      assert.equal(err.code, 'OVERLOADED');
      assert.equal(err.retryAfterSeconds, 1);
      return true;
    });
    hold();
    assert.equal(budget.inUse(), 0);
  });

  it('lets the queue move on when a waiting client goes away', async () => {
    const budget = createMemoryBudget(100, 5000);
    const hold = await budget.acquire(90, never);
    const gone = new AbortController();
    const leaving = budget.acquire(50, gone.signal);
    const behind = budget.acquire(5, never);
    gone.abort(new Error('client closed'));
    await assert.rejects(leaving, /client closed/);
    (await behind)();
    hold();
    assert.equal(budget.inUse(), 0);
  });

  it('caps a share at the whole budget so one request can always run alone', async () => {
    const budget = createMemoryBudget(100, 1000);
    const r = await budget.acquire(1000, never);
    assert.equal(budget.inUse(), 100);
    r();
  });
});
