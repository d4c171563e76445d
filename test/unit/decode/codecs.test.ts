// Codec-level behaviour: the API.md test vectors, hand-built BloscLZ and LZ4 streams for each instruction form, and
// corrupted fixtures that must be refused cleanly (never a crash, a hang or an oversized buffer).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeBloscLz } from '../../../src/decode/blosclz.js';
import { bitUnshuffle } from '../../../src/decode/codecs/bitshuffle.js';
import { fletcher32 } from '../../../src/decode/codecs/fletcher32.js';
import { decodeLz4Block } from '../../../src/decode/codecs/lz4.js';
import { decodeChunk } from '../../../src/decode/pipeline.js';
import { ActiveStorageError } from '../../../src/errors.js';
import { loadFixtureCases } from './fixture-cases.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const ctx = (dtype: 'int32' | 'uint16' | 'uint8', itemsize: number, expectedBytes?: number) => ({
  dtype,
  itemsize,
  expectedBytes,
  maxBytes: 1 << 20,
});

describe('API.md §10.2 test vectors', () => {
  test('bitshuffle: uint16 1..8, element_size 2', async () => {
    const out = decodeChunk(
      bytes(`55667880${'00'.repeat(12)}`),
      { compression: undefined, filters: [{ id: 'bitshuffle', elementSize: 2 }] },
      ctx('uint16', 2, 16),
    );
    assert.equal(hex(out), '01000200030004000500060007000800');
  });

  test('delta: int32 5, 2, -1, 4 -> 5, 7, 6, 10', async () => {
    const out = decodeChunk(
      bytes('05000000 02000000 ffffffff 04000000'),
      { compression: undefined, filters: [{ id: 'delta' }] },
      ctx('int32', 4, 16),
    );
    assert.deepEqual(Array.from(new Int32Array(out.buffer, out.byteOffset, 4)), [5, 7, 6, 10]);
  });

  test('fletcher32: int32 0..9 -> checksum bytes 002d014a', () => {
    const data = new Uint8Array(new Int32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer);
    const sum = fletcher32(data);
    assert.equal(hex(new Uint8Array(new Uint32Array([sum]).buffer)), '002d014a');
  });

  test('fletcher32 mismatch says "checksum mismatch"', async () => {
    const data = new Uint8Array([
      ...new Uint8Array(new Int32Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]).buffer),
      0,
      0x2d,
      1,
      0x4b,
    ]);
    assert.throws(
      () =>
        decodeChunk(data, { compression: undefined, filters: [{ id: 'fletcher32' }] }, ctx('int32', 4, 40)),
      (err: unknown) =>
        err instanceof ActiveStorageError &&
        err.code === 'DECODE_FAILED' &&
        err.message === 'checksum mismatch',
    );
  });
});

describe('bitshuffle layout', () => {
  test('a block of 8 elements with one bit set per byte lands where the formula says', () => {
    // Element i = 1 << i in its low byte: stored byte (8·0 + k)·1 + 0 holds bit k of byte 0 of every element.
    const decoded = new Uint8Array(16);
    for (let i = 0; i < 8; i++) decoded[2 * i] = 1 << i;
    const stored = new Uint8Array(16);
    for (let k = 0; k < 8; k++) stored[k] = 1 << k;
    assert.equal(hex(bitUnshuffle(stored, 2, 8)), hex(decoded));
  });
  test('the last n mod 8 elements are stored as they are', () => {
    const stored = bytes('0102030405');
    assert.equal(hex(bitUnshuffle(stored, 1, 128)), '0102030405');
  });
});

describe('BloscLZ instructions', () => {
  const decode = (stream: Uint8Array, size: number) => {
    const out = new Uint8Array(size);
    const n = decodeBloscLz(stream, out);
    return hex(out.subarray(0, n));
  };
  const text = (s: string) => hex(new Uint8Array(Buffer.from(s)));

  test('literal run (the first byte carries a level marker in its top bits)', () => {
    assert.equal(decode(bytes('22 616263'), 3), text('abc'));
  });
  test('short match copies from the output', () => {
    assert.equal(decode(bytes('22 616263 2002'), 6), text('abcabc'));
  });
  test('distance 0 is a run of the previous byte, with length extension bytes', () => {
    // ctrl 0xe0: length field 7 -> 6 + 10 (extension) + 3 = 19 bytes of 'z'.
    assert.equal(decode(bytes('02 78797a e00a00'), 22), text(`xyz${'z'.repeat(19)}`));
  });
  test('far match: 16-bit distance after code 255', () => {
    // 9000 literal bytes, then a 3-byte match 8192 + 0x0010 + 1 bytes back.
    const literal: number[] = [];
    const source: number[] = [];
    for (let i = 0; i < 9000; i++) source.push((i * 7) % 251);
    for (let i = 0; i < 9000; i += 32) {
      const run = source.slice(i, i + 32);
      literal.push(run.length - 1, ...run);
    }
    const stream = new Uint8Array([...literal, 0x3f, 0xff, 0x00, 0x10]);
    const out = new Uint8Array(9003);
    assert.equal(decodeBloscLz(stream, out), 9003);
    const from = 9000 - (0x10 + 8191) - 1;
    assert.deepEqual(Array.from(out.subarray(9000)), source.slice(from, from + 3));
  });
  test('refuses a match before the start, output past the end, and truncation', () => {
    assert.throws(() => decode(bytes('00 61 2005'), 10), /beyond the start of the output/);
    assert.throws(() => decode(bytes('02 616263'), 2), /more bytes than expected/);
    assert.throws(() => decode(bytes('05 616263'), 10), /truncated/);
    assert.throws(() => decode(bytes('02 616263 e0'), 30), /truncated/);
  });
});

describe('LZ4 block', () => {
  const decode = (block: string, size: number) => {
    const out = new Uint8Array(size);
    return hex(out.subarray(0, decodeLz4Block(bytes(block), out)));
  };
  test('literals only, then an overlapping match and final literals', () => {
    // token 0x14: 1 literal 'a', match length 4 + 4 = 8 at offset 1 -> 'a' × 9; then token 0x10: 1 literal 'b'.
    assert.equal(decode('14 61 0100 10 62', 10), hex(new Uint8Array(Buffer.from('aaaaaaaaab'))));
  });
  test('length extension bytes', () => {
    // 15 + 1 = 16 literals.
    assert.equal(decode(`f0 01 ${'41'.repeat(16)}`, 16), '41'.repeat(16));
  });
  test('refuses offset 0, a final match, truncation and overflow', () => {
    assert.throws(() => decode('14 61 0000 10 62', 10), /offset 0 is out of range/);
    assert.throws(() => decode('14 61 0100', 10), /ends with a match/);
    assert.throws(() => decode('30 6162', 10), /truncated/);
    assert.throws(() => decode('30 616263', 2), /more bytes than expected/);
    assert.throws(() => decode('', 2), /empty/);
  });
});

describe('output ownership', () => {
  test('fletcher32 alone returns a copy, not a view of the stored bytes', async () => {
    const stored = bytes(
      '00000000 01000000 02000000 03000000 04000000 05000000 06000000 07000000 08000000 09000000 002d014a',
    );
    const out = decodeChunk(
      stored,
      { compression: undefined, filters: [{ id: 'fletcher32' }] },
      ctx('int32', 4, 40),
    );
    assert.equal(out.length, 40);
    assert.notEqual(out.buffer, stored.buffer);
  });
  test('shuffle with element_size 1 returns a copy', async () => {
    const stored = bytes('0102030405');
    const out = decodeChunk(
      stored,
      { compression: undefined, filters: [{ id: 'shuffle', elementSize: 1 }] },
      ctx('uint8', 1),
    );
    out[0] = 99;
    assert.equal(stored[0], 1);
  });
});

describe('corrupted fixtures are refused cleanly', () => {
  // Deterministic corruption: truncations at several points and single-byte changes, for every compressed fixture.
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const cases = loadFixtureCases().filter(
    (c) => c.expected !== undefined && c.chain.compression !== undefined,
  );
  for (const c of cases) {
    test(c.name, async () => {
      const variants: Uint8Array[] = [];
      for (const fraction of [0, 0.1, 0.5, 0.9])
        variants.push(c.stored.subarray(0, Math.floor(c.stored.length * fraction)));
      for (let k = 0; k < 8; k++) {
        const v = new Uint8Array(c.stored);
        const at = Math.floor(random() * v.length);
        v[at] = v[at]! ^ (1 + Math.floor(random() * 255));
        variants.push(v);
      }
      const bound = c.ctx.expectedBytes ?? c.ctx.maxBytes;
      for (const v of variants) {
        try {
          const out = decodeChunk(v, c.chain, c.ctx);
          assert.ok(out.length <= bound, `decoded ${out.length} bytes, over the bound ${bound}`);
        } catch (err) {
          assert.ok(err instanceof ActiveStorageError, `not an ActiveStorageError: ${String(err)}`);
          assert.equal(err.code, 'DECODE_FAILED', `${err.code}: ${err.causedBy.join('; ')}`);
          // A TypeError inside a codec would be a bug (reading past a buffer), not a verdict on the data.
          assert.ok(!(err.cause instanceof TypeError), `codec bug: ${String(err.cause)}`);
        }
      }
    });
  }
});
