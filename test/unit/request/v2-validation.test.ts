/**
 * Every validation rule of API.md §2 and §6 for the v2 body: the request is refused with INVALID_REQUEST and the
 * message names the field (the words the contract requires are asserted).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActiveStorageError } from '../../../src/errors.js';
import type { RequestLimits } from '../../../src/request/chunk-fields.js';
import { parseJson } from '../../../src/request/json.js';
import { parseV2Request } from '../../../src/request/v2.js';

const LIMITS: RequestLimits = { maxDecodedBytes: 1 << 30, memoryLimitBytes: 1 << 30, fileInterface: false };
const BASE = { interface_type: 's3', url: 'http://localhost:9000/bucket/key.bin', dtype: 'int32' };

function parse(body: Record<string, unknown> | string, limits = LIMITS) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return parseV2Request('sum', parseJson(text), undefined, limits);
}

/** Asserts a 400 whose caused_by mentions every word in `words` (case-insensitive) in one line. */
function rejects(body: Record<string, unknown> | string, ...words: string[]): string[] {
  try {
    parse(body);
  } catch (err) {
    assert.ok(err instanceof ActiveStorageError, `not our error: ${err}`);
    assert.equal(err.code, 'INVALID_REQUEST');
    const lines = err.causedBy;
    assert.ok(
      lines.some((l) => words.every((w) => l.toLowerCase().includes(w.toLowerCase()))),
      `no line mentions ${words.join(' + ')}: ${JSON.stringify(lines)}`,
    );
    return lines;
  }
  assert.fail(`accepted ${typeof body === 'string' ? body : JSON.stringify(body)}`);
}

describe('v2 request validation', () => {
  it('accepts a minimal body with defaults', () => {
    const r = parse(BASE);
    assert.deepEqual(r.location, {
      kind: 's3',
      endpoint: 'http://localhost:9000',
      bucket: 'bucket',
      key: 'key.bin',
    });
    assert.deepEqual(r.range, { offset: 0, hasOffset: false, size: undefined });
    assert.deepEqual(r.array, { dtype: 'int32', byteOrder: 'little', shape: undefined, order: 'C' });
    assert.equal(r.axes, undefined);
    assert.deepEqual(r.filters, []);
  });

  it('treats null fields as absent', () => {
    const r = parse({
      ...BASE,
      axis: null,
      offset: null,
      size: null,
      selection: null,
      missing: null,
      order: null,
    });
    assert.equal(r.axes, undefined);
    assert.equal(r.range.hasOffset, false);
  });

  it('rejects a missing required field, as if null', () => {
    rejects({ url: BASE.url, dtype: 'int32' }, 'interface_type', 'missing');
    rejects({ ...BASE, dtype: null }, 'dtype', 'missing');
  });

  it('rejects unknown fields by name', () => void rejects({ ...BASE, axes: [0] }, 'axes', 'unknown'));
  it('rejects a non-object body', () => void rejects('[1, 2]', 'object'));
  it('rejects a wrong dtype, listing the allowed ones', () =>
    void rejects({ ...BASE, dtype: 'int33' }, 'dtype', 'float64'));
  it('is case-sensitive for enums', () => {
    rejects({ ...BASE, dtype: 'Int32' }, 'dtype');
    rejects({ ...BASE, order: 'c' }, 'order');
    rejects({ ...BASE, byte_order: 'Big' }, 'byte_order');
  });
  it('rejects non-integer literals for integer fields', () => {
    rejects('{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","offset":4.0}', 'offset');
    rejects('{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","size":1e3}', 'size');
    rejects('{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","shape":[2.0]}', 'shape');
  });
  it('rejects out-of-range offset and size', () => {
    rejects({ ...BASE, offset: -1 }, 'offset');
    rejects({ ...BASE, size: -123 }, 'size');
    rejects({ ...BASE, size: 0 }, 'size');
    rejects(
      '{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","offset":18446744073709551616}',
      'offset',
    );
  });
  it('accepts any offset alignment', () =>
    assert.equal(parse({ ...BASE, offset: 42, size: 8 }).range.offset, 42));
  it('rejects empty shapes and zero dimensions', () => {
    rejects({ ...BASE, shape: [] }, 'shape');
    rejects({ ...BASE, shape: [2, 0] }, 'shape');
  });
  it('checks size against shape when nothing changes the length', () => {
    rejects({ ...BASE, shape: [2, 3], size: 20 }, 'size', 'shape');
    assert.equal(parse({ ...BASE, shape: [2, 3], size: 24 }).range.size, 24);
    rejects({ ...BASE, size: 10 }, 'size', 'multiple');
  });
  it('defers the size check when compressed', () => {
    assert.equal(parse({ ...BASE, shape: [2, 3], size: 20, compression: { id: 'zlib' } }).range.size, 20);
  });
  it('rejects a shape over the decoded-size limit', () => {
    assert.throws(
      () => parse({ ...BASE, shape: [1024, 1024, 1024] }, { ...LIMITS, maxDecodedBytes: 1 << 20 }),
      /request data is not valid/,
    );
  });
  it('rejects a size over the memory limit with Reductionist’s words', () => {
    try {
      parse({ ...BASE, size: 4096 }, { ...LIMITS, memoryLimitBytes: 1024 });
      assert.fail('accepted');
    } catch (err) {
      assert.ok(
        (err as ActiveStorageError).causedBy.some((l) =>
          l.includes('Insufficient memory to process request'),
        ),
      );
    }
  });

  describe('selection', () => {
    it('requires shape, and reports every problem', () => {
      const lines = rejects({ ...BASE, selection: [[10, 1, 0]] }, 'selection', 'shape');
      assert.ok(lines.some((l) => l.includes('selection[0]') && l.includes('stride')));
    });
    it('needs one entry per dimension', () =>
      void rejects({ ...BASE, shape: [2, 2], selection: [[0, 2, 1]] }, 'selection'));
    it('rejects an empty selection', () => void rejects({ ...BASE, shape: [2], selection: [] }, 'selection'));
    it('rejects entries that are not three integers', () => {
      rejects({ ...BASE, shape: [4], selection: [[0, 2]] }, 'selection[0]');
      rejects(
        '{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","shape":[4],"selection":[[0,2.0,1]]}',
        'selection[0]',
      );
      rejects(
        '{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","shape":[4],"selection":[[0,9223372036854775808,1]]}',
        'selection[0]',
      );
    });
    it('accepts negative values, start >= end and objects', () => {
      const r = parse({ ...BASE, shape: [4, 5], selection: [[-1, -5, -1], { start: 3, end: 1, stride: 2 }] });
      assert.deepEqual(r.selection, [
        { start: -1, stop: -5, step: -1 },
        { start: 3, stop: 1, step: 2 },
      ]);
    });
  });

  describe('axis', () => {
    it('requires shape', () => void rejects({ ...BASE, axis: 0 }, 'axis', 'shape'));
    it('must be in range', () => void rejects({ ...BASE, shape: [2, 2], axis: 2 }, 'axis'));
    it('rejects negative axes', () => void rejects({ ...BASE, shape: [2, 2], axis: -1 }, 'axis'));
    it('rejects unsorted lists', () =>
      void rejects({ ...BASE, shape: [2, 2], axis: [1, 0] }, 'axis', 'sorted'));
    it('rejects repeats', () => void rejects({ ...BASE, shape: [2, 2], axis: [1, 1] }, 'axis', 'repeat'));
    it('rejects lists longer than the shape', () =>
      void rejects({ ...BASE, shape: [2], axis: [0, 0] }, 'axis'));
    it('accepts [] and full lists', () => {
      assert.deepEqual(parse({ ...BASE, shape: [2, 2], axis: [] }).axes, []);
      assert.deepEqual(parse({ ...BASE, shape: [2, 2], axis: [0, 1] }).axes, [0, 1]);
      assert.deepEqual(parse({ ...BASE, shape: [2, 2], axis: 1 }).axes, [1]);
    });
  });

  describe('missing', () => {
    it('needs exactly one known key', () => {
      rejects({ ...BASE, missing: {} }, 'missing');
      rejects({ ...BASE, missing: { missing_value: 1, valid_min: 0 } }, 'missing');
      rejects({ ...BASE, missing: { fill_value: 1 } }, 'missing');
      rejects({ ...BASE, missing: 'string' }, 'missing');
    });
    it('range-checks integer values against the dtype', () => {
      rejects({ ...BASE, missing: { missing_value: 2147483648 } }, 'missing');
      rejects({ ...BASE, missing: { missing_value: -2147483649 } }, 'missing');
      rejects({ ...BASE, dtype: 'uint32', missing: { missing_value: -1 } }, 'missing');
      rejects(
        '{"interface_type":"s3","url":"http://h/b/k","dtype":"int32","missing":{"missing_value":-1.0}}',
        'missing',
      );
      rejects(
        '{"interface_type":"s3","url":"http://h/b/k","dtype":"int64","missing":{"missing_value":9223372036854775808}}',
        'missing',
      );
    });
    it('keeps int64 values exact', () => {
      const r = parseV2Request(
        'sum',
        parseJson(
          '{"interface_type":"s3","url":"http://h/b/k","dtype":"int64","missing":{"missing_value":-9223372036854775806}}',
        ),
        undefined,
        LIMITS,
      );
      assert.deepEqual(r.missing, { kind: 'values', values: [-9223372036854775806n] });
    });
    it('rounds float values to the dtype and rejects overflow', () => {
      const r = parse({ ...BASE, dtype: 'float32', missing: { missing_value: 1e20 } });
      assert.deepEqual(r.missing, { kind: 'values', values: [Math.fround(1e20)] });
      rejects({ ...BASE, dtype: 'float32', missing: { missing_value: 1e39 } }, 'missing');
    });
    it('needs an ordered valid_range of two numbers', () => {
      rejects({ ...BASE, dtype: 'float64', missing: { valid_range: [1.0, 0.0] } }, 'missing');
      rejects({ ...BASE, dtype: 'float64', missing: { valid_range: [1.0, 1.0] } }, 'missing');
      rejects({ ...BASE, dtype: 'float64', missing: { valid_range: [1.0] } }, 'missing');
    });
    it('rejects non-numbers', () => {
      rejects({ ...BASE, missing: { missing_value: 'x' } }, 'missing');
      rejects({ ...BASE, missing: { missing_value: null } }, 'missing');
      rejects({ ...BASE, missing: { missing_values: [1, 'x'] } }, 'missing');
    });
    it('accepts an empty missing_values list', () => {
      assert.deepEqual(parse({ ...BASE, missing: { missing_values: [] } }).missing, {
        kind: 'values',
        values: [],
      });
    });
  });

  describe('url and interface_type', () => {
    it('rejects an unknown interface type', () =>
      void rejects({ ...BASE, interface_type: 'ftp' }, 'interface type'));
    it('rejects file when no roots are configured', () =>
      void rejects({ ...BASE, interface_type: 'file', url: 'file:///tmp/x' }, 'interface type'));
    it('rejects a relative URL', () => void rejects({ ...BASE, url: 'bucket/key' }, 'url'));
    it('rejects s3 URLs without bucket or key', () => {
      for (const url of ['http://h:9000/bucket', 'http://h:9000/bucket/', 'http://h:9000/bucket//'])
        rejects({ ...BASE, url }, 'url');
    });
    it('rejects s3 URLs with a query string', () =>
      void rejects({ ...BASE, url: 'http://h:9000/b/k?x=1' }, 'url'));
    it('drops leading slashes of the key and decodes segments', () => {
      const r = parse({ ...BASE, url: 'http://h:9000/bucket//dir/a%20b [1],(x)=y.nc' });
      assert.deepEqual(r.location, {
        kind: 's3',
        endpoint: 'http://h:9000',
        bucket: 'bucket',
        key: 'dir/a b [1],(x)=y.nc',
      });
    });
    it('keeps http URLs whole, query included', () => {
      const r = parse({ ...BASE, interface_type: 'https', url: 'https://h/x.bin?X-Amz-Signature=abc' });
      assert.deepEqual(r.location, { kind: 'http', url: 'https://h/x.bin?X-Amz-Signature=abc' });
    });
  });

  it('validates codec ids, listing the allowed ones', () => {
    rejects({ ...BASE, compression: { id: 'snappy-ish' } }, 'compression', 'zlib');
    rejects({ ...BASE, filters: [{ id: 'shuffle' }] }, 'filters[0]', 'element_size');
  });

  it('validates option types', () =>
    void rejects({ ...BASE, option_shape_as_bytes: 'yes' }, 'option_shape_as_bytes'));
});
