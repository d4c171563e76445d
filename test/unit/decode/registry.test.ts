// The codec table and the wire-object parser: ids, options, messages (API.md §2 rules 1, 7, 11).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildCodecTable,
  CODEC_ROWS,
  COMPRESSION_IDS,
  type CodecConfig,
  checkCodecChain,
  FILTER_IDS,
  isLengthPreserving,
  parseCodecConfig,
} from '../../../src/decode/registry.js';
import { parseJson } from '../../../src/request/json.js';

function parse(
  role: 'compression' | 'filter',
  json: string,
  field = role === 'filter' ? 'filters[0]' : 'compression',
) {
  const problems: string[] = [];
  const config = parseCodecConfig(role, parseJson(json), field, problems);
  return { config, problems };
}

describe('codec ids', () => {
  test('compression ids: Reductionist first, then ours', () => {
    assert.deepEqual(COMPRESSION_IDS, ['gzip', 'zlib', 'blosc2', 'blosc', 'zstd', 'lz4', 'bz2']);
  });
  test('filter ids include the shuffle_simd alias', () => {
    assert.deepEqual(FILTER_IDS, ['shuffle', 'shuffle_simd', 'bitshuffle', 'delta', 'fletcher32']);
  });
  test('every row has a description and names its writers', () => {
    for (const row of CODEC_ROWS) {
      assert.ok(row.spec.description.length > 10, row.id);
      assert.ok(row.spec.writtenBy.length > 3, row.id);
    }
  });
  test('a duplicate id is a start-up error', () => {
    const zlibRow = CODEC_ROWS.find((r) => r.id === 'zlib')!;
    assert.throws(() => buildCodecTable([zlibRow, zlibRow]), /duplicate id "zlib"/);
    assert.throws(() => buildCodecTable([{ id: 'deflate', spec: zlibRow.spec }]), /without being an alias/);
  });
  test('the alias row shares the shuffle spec', () => {
    const alias = CODEC_ROWS.find((r) => r.id === 'shuffle_simd');
    const shuffle = CODEC_ROWS.find((r) => r.id === 'shuffle');
    assert.equal(alias?.spec, shuffle?.spec);
    assert.equal(alias?.aliasOf, 'shuffle');
  });
});

describe('parseCodecConfig', () => {
  test('accepts every id of its role and keeps the wire id', () => {
    for (const id of COMPRESSION_IDS)
      assert.deepEqual(parse('compression', `{"id": "${id}"}`).config, { id });
    assert.deepEqual(parse('filter', '{"id": "shuffle_simd", "element_size": 8}').config, {
      id: 'shuffle_simd',
      elementSize: 8,
    });
  });

  test('other keys are ignored', () => {
    const { config, problems } = parse('compression', '{"id": "zlib", "level": 9, "extra": [1, 2]}');
    assert.deepEqual(problems, []);
    assert.deepEqual(config, { id: 'zlib' });
  });

  test('an unknown id lists the allowed ids', () => {
    const { config, problems } = parse('compression', '{"id": "snappy"}');
    assert.equal(config, undefined);
    assert.deepEqual(problems, [
      'compression.id: unknown compression "snappy"; allowed: gzip, zlib, blosc2, blosc, zstd, lz4, bz2',
    ]);
  });

  test('a filter id given as compression says so', () => {
    const { problems } = parse('compression', '{"id": "shuffle"}');
    assert.match(problems[0]!, /"shuffle" is a filter, not a compression/);
    assert.match(problems[0]!, /allowed: gzip, zlib/);
  });

  test('id missing, null, or not a string', () => {
    assert.match(parse('compression', '{}').problems[0]!, /^compression\.id: is required; allowed: gzip/);
    assert.match(parse('compression', '{"id": null}').problems[0]!, /^compression\.id: is required/);
    assert.match(
      parse('filter', '{"id": 3}').problems[0]!,
      /^filters\[0\]\.id: must be a string; allowed: shuffle.*got 3$/,
    );
  });

  test('not an object', () => {
    assert.deepEqual(parse('compression', '"zlib"').problems, [
      'compression: must be an object with an "id" naming a compression, got the string "zlib"',
    ]);
    assert.match(parse('filter', '[1]', 'filters[2]').problems[0]!, /^filters\[2\]: must be an object/);
  });

  test('element_size must be an integer literal >= 1', () => {
    assert.deepEqual(parse('filter', '{"id": "shuffle", "element_size": 0}').problems, [
      'filters[0].element_size: must be an integer >= 1, got 0',
    ]);
    assert.deepEqual(parse('filter', '{"id": "shuffle", "element_size": 4.0}').problems, [
      'filters[0].element_size: must be an integer >= 1, got 4.0',
    ]);
    assert.deepEqual(parse('filter', '{"id": "shuffle", "element_size": 1e1}').problems, [
      'filters[0].element_size: must be an integer >= 1, got 1e1',
    ]);
    assert.deepEqual(parse('filter', '{"id": "shuffle_simd", "element_size": -4}').problems, [
      'filters[0].element_size: must be an integer >= 1, got -4',
    ]);
    assert.deepEqual(parse('filter', '{"id": "shuffle", "element_size": "4"}').problems, [
      'filters[0].element_size: must be an integer >= 1, got the string "4"',
    ]);
    assert.deepEqual(parse('filter', '{"id": "shuffle", "element_size": 4294967296}').problems, [
      'filters[0].element_size: must be at most 2147483647, got 4294967296',
    ]);
  });

  test('element_size is required for shuffle, shuffle_simd and bitshuffle (null counts as absent)', () => {
    for (const id of ['shuffle', 'shuffle_simd', 'bitshuffle']) {
      const { config, problems } = parse('filter', `{"id": "${id}", "element_size": null}`, 'filters[1]');
      assert.equal(config, undefined);
      assert.match(problems[0]!, new RegExp(`^filters\\[1\\]\\.element_size: is required for ${id}`));
    }
  });

  test('bitshuffle block_size: absent, 0, or a multiple of 8', () => {
    assert.deepEqual(parse('filter', '{"id": "bitshuffle", "element_size": 4}').config, {
      id: 'bitshuffle',
      elementSize: 4,
    });
    assert.deepEqual(parse('filter', '{"id": "bitshuffle", "element_size": 4, "block_size": 0}').config, {
      id: 'bitshuffle',
      elementSize: 4,
      blockSize: 0,
    });
    assert.deepEqual(parse('filter', '{"id": "bitshuffle", "element_size": 4, "block_size": 12}').problems, [
      'filters[0].block_size: must be an integer >= 0 and a multiple of 8, got 12',
    ]);
  });

  test('delta astype must be a dtype name', () => {
    assert.deepEqual(parse('filter', '{"id": "delta", "astype": "int16"}').config, {
      id: 'delta',
      astype: 'int16',
    });
    assert.match(
      parse('filter', '{"id": "delta", "astype": "<i2"}').problems[0]!,
      /^filters\[0\]\.astype: must be one of int8, .*got the string "<i2"$/,
    );
  });

  test('every problem of one object is reported', () => {
    const { problems } = parse('filter', '{"id": "bitshuffle", "element_size": 0, "block_size": 3}');
    assert.equal(problems.length, 2);
  });
});

describe('checkCodecChain', () => {
  test('fletcher32 at most once', () => {
    const problems: string[] = [];
    checkCodecChain(
      [{ id: 'fletcher32' }, { id: 'shuffle', elementSize: 4 }, { id: 'fletcher32' }],
      'int32',
      problems,
    );
    assert.deepEqual(problems, [
      'filters: fletcher32 may appear at most once, found at filters[0] and filters[2]',
    ]);
  });
  test('float differences cannot be summed into an integer dtype', () => {
    const problems: string[] = [];
    checkCodecChain([{ id: 'delta', astype: 'float32' }], 'int32', problems);
    assert.deepEqual(problems, [
      'filters[0].astype: float32 differences cannot be summed into the integer dtype int32',
    ]);
    const ok: string[] = [];
    checkCodecChain([{ id: 'delta', astype: 'int16' }], 'float64', ok);
    assert.deepEqual(ok, []);
  });
});

describe('isLengthPreserving (API.md §2 rule 7)', () => {
  const cases: [CodecConfig | undefined, CodecConfig[], number, boolean][] = [
    [undefined, [], 4, true],
    [undefined, [{ id: 'shuffle', elementSize: 4 }], 4, true],
    [
      undefined,
      [
        { id: 'shuffle_simd', elementSize: 2 },
        { id: 'bitshuffle', elementSize: 4 },
      ],
      4,
      true,
    ],
    [undefined, [{ id: 'delta' }], 8, true],
    [undefined, [{ id: 'delta', astype: 'int32' }], 4, true],
    [undefined, [{ id: 'delta', astype: 'int16' }], 4, false],
    [undefined, [{ id: 'fletcher32' }], 4, false],
    [{ id: 'zlib' }, [], 4, false],
    [{ id: 'blosc' }, [{ id: 'shuffle', elementSize: 4 }], 4, false],
    [undefined, [{ id: 'no-such-filter' }], 4, false],
  ];
  for (const [compression, filters, itemsize, expected] of cases) {
    test(`${compression?.id ?? 'none'} + [${filters.map((f) => f.id + (f.astype ? `:${f.astype}` : '')).join(', ')}] itemsize ${itemsize} -> ${expected}`, () => {
      assert.equal(isLengthPreserving(compression, filters, itemsize), expected);
    });
  }
});
