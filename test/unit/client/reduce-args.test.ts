/** `s3-active-storage reduce` flags -> the request body and connection settings. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseReduceArgs, splitS3Url, UsageError } from '../../../src/client/reduce-args.js';

const URL_ = 'http://localhost:9000/sample-data/data-float32.dat';

function parse(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = parseReduceArgs(argv, env);
  assert.ok(cmd !== undefined);
  return cmd;
}

function body(argv: string[]): Record<string, unknown> {
  return JSON.parse(parse(argv).body) as Record<string, unknown>;
}

function usageError(argv: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}) {
  assert.throws(
    () => parseReduceArgs(argv, env),
    (err: unknown) => err instanceof UsageError && pattern.test(err.message),
  );
}

describe('reduce command line: v2 body', () => {
  test('the minimal request: op, URL, dtype; interface_type defaults to s3', () => {
    const cmd = parse(['sum', URL_, '--dtype', 'float32']);
    assert.equal(cmd.api, 'v2');
    assert.equal(cmd.op, 'sum');
    assert.equal(cmd.server, 'http://127.0.0.1:8000');
    assert.equal(cmd.body, `{"interface_type":"s3","url":"${URL_}","dtype":"float32"}`);
    assert.equal(cmd.json, false);
  });

  test('every field has a flag', () => {
    assert.deepEqual(
      body([
        'max',
        URL_,
        '--dtype=float32',
        '--interface-type',
        'https',
        '--byte-order',
        'big',
        '--offset',
        '16',
        '--size',
        '48',
        '--shape',
        '3,4',
        '--order',
        'F',
        '--selection',
        '0:3:1,1:4:2',
        '--axis',
        '1',
        '--compression',
        'zlib',
        '--filter',
        'shuffle:4',
        '--filter',
        'fletcher32',
        '--valid-range',
        '1.0,9.0',
        '--option-disable-chunk-cache',
        '--option-shape-as-bytes',
        '--option-count-as-bytes',
      ]),
      {
        interface_type: 'https',
        url: URL_,
        dtype: 'float32',
        byte_order: 'big',
        offset: 16,
        size: 48,
        shape: [3, 4],
        order: 'F',
        selection: [
          [0, 3, 1],
          [1, 4, 2],
        ],
        axis: 1,
        compression: { id: 'zlib' },
        filters: [{ id: 'shuffle', element_size: 4 }, { id: 'fletcher32' }],
        missing: { valid_range: [1.0, 9.0] },
        option_disable_chunk_cache: true,
        option_shape_as_bytes: true,
        option_count_as_bytes: true,
      },
    );
  });

  test('numbers are sent as typed: an integer past 2^53 keeps every digit, 4.0 stays a float literal', () => {
    const cmd = parse(['sum', URL_, '--dtype', 'uint64', '--missing-value', '18446744073709551614']);
    assert.match(cmd.body, /"missing":\{"missing_value":18446744073709551614\}/);
    assert.match(parse(['sum', URL_, '--dtype', 'float64', '--valid-min', '4.0']).body, /"valid_min":4\.0/);
    assert.match(
      parse(['sum', URL_, '--dtype', 'int64', '--missing-values', '[-9223372036854775806, 7]']).body,
      /"missing_values":\[-9223372036854775806, 7\]/,
    );
  });

  test('a negative value may follow its flag with a space', () => {
    assert.deepEqual(body(['sum', URL_, '--dtype', 'float64', '--missing-value', '-999.0']).missing, {
      missing_value: -999,
    });
    assert.deepEqual(
      body(['select', URL_, '--dtype', 'int32', '--shape', '5', '--selection', '-1:-6:-2']).selection,
      [[-1, -6, -2]],
    );
  });

  test('selection parts may be left empty as in Python; the bounds then cover the whole dimension', () => {
    // slice.indices clamps: int64 extremes stand for "from the first / to the last" element either way.
    const sel = (s: string) =>
      /"selection":(.*)\}$/.exec(
        parse(['select', URL_, '--dtype', 'int32', '--shape', '5,5', '--selection', s]).body,
      )?.[1];
    assert.equal(sel('::-1,2:'), '[[-1,-9223372036854775808,-1],[2,9223372036854775807,1]]');
    assert.equal(sel(':3,1::2'), '[[0,3,1],[1,9223372036854775807,2]]');
    assert.equal(sel(' 1 : 4 : 2 ,0:5'), '[[1,4,2],[0,5,1]]');
    assert.equal(
      sel('[[0, 2, 1], {"start": 1, "end": 3, "stride": 1}]'),
      '[[0, 2, 1], {"start": 1, "end": 3, "stride": 1}]',
    );
  });

  test('axis: one integer, a list, or JSON (including [] for no axes)', () => {
    const axis = (a: string) => body(['sum', URL_, '--dtype', 'int32', '--shape', '2,2,2', '--axis', a]).axis;
    assert.equal(axis('1'), 1);
    assert.deepEqual(axis('0,2'), [0, 2]);
    assert.deepEqual(axis('[]'), []);
    assert.deepEqual(axis('[0, 1]'), [0, 1]);
  });

  test('filters and compression: id[:N[:B]], delta:DTYPE, or a JSON object', () => {
    const filters = (...f: string[]) =>
      body(['sum', URL_, '--dtype', 'int16', ...f.flatMap((x) => ['--filter', x])]).filters;
    assert.deepEqual(filters('bitshuffle:2:64', 'delta:int16', 'shuffle_simd:2'), [
      { id: 'bitshuffle', element_size: 2, block_size: 64 },
      { id: 'delta', astype: 'int16' },
      { id: 'shuffle_simd', element_size: 2 },
    ]);
    assert.deepEqual(filters('{"id": "delta", "astype": "int8"}'), [{ id: 'delta', astype: 'int8' }]);
    assert.deepEqual(body(['sum', URL_, '--dtype', 'int16', '--compression', '{"id":"blosc"}']).compression, {
      id: 'blosc',
    });
  });

  test('each missing-data flag gives its rule; two rules are refused', () => {
    const missing = (...f: string[]) => body(['sum', URL_, '--dtype', 'int32', ...f]).missing;
    assert.deepEqual(missing('--missing-values', '0,4294967295'), { missing_values: [0, 4294967295] });
    assert.deepEqual(missing('--valid-min', '0'), { valid_min: 0 });
    assert.deepEqual(missing('--valid-max', '1e3'), { valid_max: 1000 });
    usageError(['sum', URL_, '--dtype', 'int32', '--valid-min', '0', '--valid-max', '9'], /one missing rule/);
  });

  test('usage mistakes are reported by flag', () => {
    usageError(['sum', URL_], /--dtype is required/);
    usageError(['sum', '--dtype', 'int32'], /missing URL/);
    usageError([], /missing OP/);
    usageError(['sum', URL_, 'extra', '--dtype', 'int32'], /unexpected argument "extra"/);
    usageError(['sum', URL_, '--dtype', 'int32', '--offset', '4.0'], /--offset: "4.0" is not an integer/);
    usageError(['sum', URL_, '--dtype', 'int32', '--shape', '2,x'], /--shape: "x" is not an integer/);
    usageError(
      ['sum', URL_, '--dtype', 'int32', '--missing-value', 'abc'],
      /--missing-value: "abc" is not a number/,
    );
    usageError(['sum', URL_, '--dtype', 'int32', '--selection', '0:1:2:3'], /not start:end:stride/);
    usageError(['sum', URL_, '--dtype', 'int32', '--axis', '[0,'], /--axis: not valid JSON/);
    usageError(['sum', URL_, '--dtype', 'int32', '--filter', 'shuffle:4:8:2'], /too many parts/);
    usageError(['sum', URL_, '--dtype', 'int32', '--nope'], /Unknown option '--nope'/);
    usageError(['sum', URL_, '--dtype', 'int32', '--api', 'v3'], /--api must be v1 or v2/);
    usageError(['sum', URL_, '--dtype', 'int32', '--server', 'localhost:8000'], /--server must be an http/);
    usageError(['sum', URL_, '--dtype', 'int32', '--bucket', 'b'], /--bucket is a v1 field/);
  });

  test('--help asks for the usage text', () => {
    assert.equal(parseReduceArgs(['--help'], {}), undefined);
    assert.equal(parseReduceArgs(['sum', '-h'], {}), undefined);
  });
});

describe('reduce command line: v1', () => {
  test('source, bucket and object come from the URL, the key percent-decoded', () => {
    const cmd = parse([
      'count',
      'http://h:9000/my-bucket/dir/a%20b%5B1%5D.dat',
      '--api',
      'v1',
      '--dtype',
      'int32',
    ]);
    assert.equal(cmd.api, 'v1');
    assert.deepEqual(JSON.parse(cmd.body), {
      source: 'http://h:9000',
      bucket: 'my-bucket',
      object: 'dir/a b[1].dat',
      dtype: 'int32',
    });
  });

  test('or from --source, --bucket and --object, the key verbatim', () => {
    const b = body([
      'sum',
      '--api',
      'v1',
      '--source',
      'http://h:9000/prefix',
      '--bucket',
      'b',
      '--object',
      'k%20',
      '--dtype',
      'int32',
    ]);
    assert.deepEqual(b, { source: 'http://h:9000/prefix', bucket: 'b', object: 'k%20', dtype: 'int32' });
  });

  test('v2-only fields and an incomplete location are refused', () => {
    usageError(['sum', URL_, '--api', 'v1', '--dtype', 'int32', '--interface-type', 's3'], /v2 field/);
    usageError(
      ['sum', URL_, '--api', 'v1', '--dtype', 'int32', '--option-shape-as-bytes'],
      /no effect in v1/,
    );
    usageError(
      ['sum', '--api', 'v1', '--bucket', 'b', '--dtype', 'int32'],
      /--source, --bucket and --object/,
    );
    assert.throws(() => splitS3Url('http://h:9000/bucket-only'), /does not name a bucket and a key/);
    assert.throws(() => splitS3Url('not a url'), /not an absolute URL/);
  });
});

describe('reduce command line: connection', () => {
  test('credentials from the flags, else from the AWS environment variables; --anonymous sends none', () => {
    const env = { AWS_ACCESS_KEY_ID: 'env-key', AWS_SECRET_ACCESS_KEY: 'env-secret' };
    const base = ['sum', URL_, '--dtype', 'int32'];
    assert.deepEqual(parse([...base, '--user', 'u', '--password', 'p'], env).credentials, {
      user: 'u',
      password: 'p',
    });
    assert.deepEqual(parse(base, env).credentials, { user: 'env-key', password: 'env-secret' });
    assert.equal(parse(base, {}).credentials, undefined);
    assert.equal(parse([...base, '--anonymous'], env).credentials, undefined);
    usageError([...base, '--user', 'u'], /together/);
    usageError([...base, '--anonymous', '--user', 'u', '--password', 'p'], /exclude each other/);
  });

  test('the server URL loses its trailing slashes; --json and the layout are kept for printing', () => {
    const cmd = parse([
      'select',
      URL_,
      '--dtype',
      'int32',
      '--server',
      'http://h:8080//',
      '--json',
      '--order',
      'F',
    ]);
    assert.equal(cmd.server, 'http://h:8080');
    assert.equal(cmd.json, true);
    assert.equal(cmd.order, 'F');
  });
});
