/**
 * The upstream allow-list (API.md §8.4) through `createStorage`: origins, networks, resolved addresses, redirect
 * hops and connect-time re-resolution, each refused with FORBIDDEN_SOURCE before the upstream sees a request.
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, before, describe, test } from 'node:test';
import { ActiveStorageError } from '../../src/errors.js';
import type { Location } from '../../src/request/chunk-request.js';
import { allowListProblems, parseAllowList } from '../../src/storage/allow-list.js';
import type { ByteSource } from '../../src/storage/byte-source.js';
import { createStorage, type StorageConfig } from '../../src/storage/sources.js';
import { type RangeServer, startRangeServer } from '../support/range-server.js';

const OBJECT = Buffer.from('allow-list test object');

function read(source: ByteSource, location: Location): Promise<Uint8Array> {
  return source.read({
    location,
    range: { offset: 0, hasOffset: false, size: undefined },
    credentials: undefined,
    signal: new AbortController().signal,
  });
}

async function forbidden(promise: Promise<unknown>, cause?: RegExp): Promise<void> {
  const err = await promise.then(
    () => assert.fail('expected FORBIDDEN_SOURCE, the read succeeded'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ActiveStorageError, String(err));
  assert.equal(err.code, 'FORBIDDEN_SOURCE', `${err.code} ${JSON.stringify(err.causedBy)}`);
  if (cause) assert.match(err.causedBy.join(' | '), cause);
}

/** A resolver with fixed answers; `calls` counts lookups per name. */
function fakeResolver(answers: Record<string, string[] | (() => string[])>) {
  const calls: Record<string, number> = {};
  const resolveAll = async (hostname: string): Promise<LookupAddress[]> => {
    calls[hostname] = (calls[hostname] ?? 0) + 1;
    const answer = answers[hostname];
    if (answer === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const list = typeof answer === 'function' ? answer() : answer;
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolveAll, calls };
}

test('entries are validated, every problem listed', () => {
  assert.deepEqual(
    allowListProblems(['http://s3.example.org:9000', '10.0.0.0/8', '::1', 'fd00::/8', '192.0.2.7']),
    [],
  );
  const problems = allowListProblems([
    'ftp://x.org',
    'http://h.org/path',
    '10.0.0.0/33',
    'nonsense',
    'https://a:b@h.org',
  ]);
  assert.equal(problems.length, 5, problems.join('\n'));
  assert.match(problems[0] ?? '', /ftp:\/\/x\.org.*http or https/);
  assert.match(problems[1] ?? '', /origin only/);
  assert.match(problems[2] ?? '', /prefix length outside 0–32/);
  assert.match(problems[3] ?? '', /neither an origin/);
  assert.throws(
    () => parseAllowList(['nonsense']),
    (err: ActiveStorageError) => err.causedBy.length === 1,
  );
  assert.equal(parseAllowList([]), undefined);
});

describe('allow-list', () => {
  let allowed: RangeServer;
  let other: RangeServer;
  const storages: ByteSource[] = [];
  const storage = (config: StorageConfig): ByteSource => {
    const made = createStorage({ timeoutMs: 2000, ...config });
    storages.push(made);
    return made;
  };
  const clear = (): void => {
    allowed.requests.length = 0;
    other.requests.length = 0;
  };

  before(async () => {
    allowed = await startRangeServer();
    other = await startRangeServer();
    allowed.put('obj', OBJECT);
    other.put('obj', OBJECT);
    allowed.put('bucket/key', OBJECT);
    other.put('bucket/key', OBJECT);
  });
  after(async () => {
    await Promise.all(storages.map((s) => s.close()));
    await Promise.all([allowed.stop(), other.stop()]);
  });

  test('no list: every upstream is allowed', async () => {
    const open = storage({});
    assert.deepEqual(Buffer.from(await read(open, { kind: 'http', url: other.url('obj', 'obj') })), OBJECT);
  });

  test('origins: a listed origin is read, any other is refused before it is contacted', async () => {
    const s = storage({ allowList: [allowed.origin] });
    clear();
    assert.deepEqual(Buffer.from(await read(s, { kind: 'http', url: allowed.url('obj', 'obj') })), OBJECT);
    await forbidden(read(s, { kind: 'http', url: other.url('obj', 'obj') }), /is not an allowed origin/);
    await forbidden(read(s, { kind: 's3', endpoint: `${other.origin}/obj`, bucket: 'bucket', key: 'key' }));
    assert.deepEqual(
      Buffer.from(
        await read(s, { kind: 's3', endpoint: `${allowed.origin}/obj`, bucket: 'bucket', key: 'key' }),
      ),
      OBJECT,
    );
    assert.equal(other.requests.length, 0);
  });

  test('a redirect hop outside the list is refused before it is followed', async () => {
    const s = storage({ allowList: [allowed.origin] });
    clear();
    const hop = encodeURIComponent(other.url('obj', 'obj'));
    await forbidden(
      read(s, { kind: 'http', url: `${allowed.origin}/redirect-to?to=${hop}` }),
      /is not an allowed origin/,
    );
    assert.equal(allowed.requests.length, 1);
    assert.equal(other.requests.length, 0);
    // Hops inside the list are followed.
    assert.deepEqual(
      Buffer.from(await read(s, { kind: 'http', url: allowed.url('redirect/3/obj', 'obj') })),
      OBJECT,
    );
  });

  test('networks: an address literal inside is read, outside is refused', async () => {
    const inside = storage({ allowList: ['127.0.0.0/8'] });
    assert.deepEqual(Buffer.from(await read(inside, { kind: 'http', url: other.url('obj', 'obj') })), OBJECT);
    const outside = storage({ allowList: ['10.0.0.0/8', '::1'] });
    clear();
    await forbidden(read(outside, { kind: 'http', url: other.url('obj', 'obj') }), /127\.0\.0\.1 is outside/);
    assert.equal(other.requests.length, 0);
  });

  test('networks: a host name is judged by every address it resolves to, and connects through the same lookup', async () => {
    const { resolveAll, calls } = fakeResolver({
      'inside.test': ['127.0.0.1'],
      'outside.test': ['10.9.9.9'],
      'mixed.test': ['127.0.0.1', '10.9.9.9'],
    });
    const s = storage({ allowList: ['127.0.0.0/8'], resolveAll });
    const port = new URL(other.origin).port;
    const bytes = await read(s, { kind: 'http', url: `http://inside.test:${port}/obj/obj` });
    assert.deepEqual(Buffer.from(bytes), OBJECT);
    // Once for the check, once more when the connection was made.
    assert.equal(calls['inside.test'], 2);
    clear();
    await forbidden(
      read(s, { kind: 'http', url: `http://outside.test:${port}/obj/obj` }),
      /resolves to 10\.9\.9\.9/,
    );
    await forbidden(
      read(s, { kind: 'http', url: `http://mixed.test:${port}/obj/obj` }),
      /resolves to 10\.9\.9\.9/,
    );
    assert.equal(other.requests.length, 0);
  });

  test('a name that re-resolves outside between check and connect (DNS rebinding) cannot connect', async () => {
    let answered = 0;
    const { resolveAll } = fakeResolver({
      'rebind.test': () => (answered++ === 0 ? ['127.0.0.1'] : ['10.9.9.9']),
    });
    const s = storage({ allowList: ['127.0.0.0/8'], resolveAll });
    clear();
    const port = new URL(other.origin).port;
    await forbidden(
      read(s, { kind: 'http', url: `http://rebind.test:${port}/obj/obj` }),
      /outside the allow-list/,
    );
    assert.equal(other.requests.length, 0);
  });

  test('a name that does not resolve → UPSTREAM_UNAVAILABLE', async () => {
    const { resolveAll } = fakeResolver({});
    const s = storage({ allowList: ['127.0.0.0/8'], resolveAll });
    const err = await read(s, { kind: 'http', url: 'http://nowhere.test/obj' }).catch((e: unknown) => e);
    assert.ok(err instanceof ActiveStorageError);
    assert.equal(err.code, 'UPSTREAM_UNAVAILABLE');
    assert.match(err.causedBy.join(), /nowhere\.test: ENOTFOUND/);
  });
});
