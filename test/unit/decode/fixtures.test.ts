// Every fixture made by the reference implementations decodes to numpy's bytes, and every failure fixture gives its
// DECODE_FAILED answer with a message naming what went wrong.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { decodeChunk } from '../../../src/decode/pipeline.js';
import { ActiveStorageError } from '../../../src/errors.js';
import { loadFixtureCases } from './fixture-cases.js';

const cases = loadFixtureCases();

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('codec fixtures decode to the reference bytes', () => {
  for (const c of cases.filter((x) => x.expected !== undefined)) {
    test(c.name, async () => {
      const before = sha256(c.stored);
      const out = decodeChunk(c.stored, c.chain, c.ctx);
      assert.equal(out.length, c.expected!.length);
      assert.equal(sha256(out), c.expected!.sha256);
      assert.notEqual(out.buffer, c.stored.buffer, 'the result must not alias the stored bytes');
      assert.equal(sha256(c.stored), before, 'the stored bytes must be left unchanged');
    });
  }
});

describe('codec failure fixtures are refused with DECODE_FAILED', () => {
  for (const c of cases.filter((x) => x.error !== undefined)) {
    test(c.name, async () => {
      assert.throws(
        () => decodeChunk(c.stored, c.chain, c.ctx),
        (err: unknown) => {
          assert.ok(err instanceof ActiveStorageError, `expected ActiveStorageError, got ${String(err)}`);
          assert.equal(err.code, c.error!.code);
          assert.equal(err.message, c.error!.message);
          const text = err.causedBy.join(' | ');
          assert.ok(
            text.includes(c.error!.caused_by_contains),
            `caused_by "${text}" lacks "${c.error!.caused_by_contains}"`,
          );
          const ids = [c.chain.compression?.id, ...c.chain.filters.map((f) => f.id)];
          assert.ok(
            ids.some((id) => id !== undefined && text.includes(`(${id})`)),
            `caused_by "${text}" should name the codec`,
          );
          return true;
        },
      );
    });
  }
});
