/**
 * One ByteSource contract (STYLE.md §7), run against every source: S3 (moto with SigV4 checking on, signed and
 * anonymous), HTTP (the range server, also with Basic auth, with a server that ignores Range and one that sends
 * no Content-Length) and local files. Expected bytes are slices of the uploaded bytes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ByteRange, Credentials, Location } from '../../src/request/chunk-request.js';
import type { ByteSource } from '../../src/storage/byte-source.js';
import { createFileSource } from '../../src/storage/file.js';
import { createHttpSource } from '../../src/storage/http.js';
import { createS3Source, encodeS3Key } from '../../src/storage/s3.js';
import { type RangeServer, startRangeServer } from '../support/range-server.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';

interface Fixture {
  source: ByteSource;
  credentials: Credentials | undefined;
  locate(name: string): Location;
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** Range headers the upstream received, when it can tell. */
  sentRanges?: () => (string | undefined)[];
}

const ODD_NAMES = [
  'with space.bin',
  'brackets[1],(2)=3.bin',
  'ünïcødé/κλειδί/ключ.bin',
  'plus+and%percent%20literal.bin',
  "sub-delims!$&'*:;@.bin",
  'tilde~dash-under_dot.bin',
  'trailing space .bin',
];

function range(offset: number | undefined, size?: number): ByteRange {
  return { offset: offset ?? 0, hasOffset: offset !== undefined, size };
}

function read(fx: Fixture, name: string, byteRange: ByteRange): Promise<Uint8Array> {
  return fx.source.read({
    location: fx.locate(name),
    range: byteRange,
    credentials: fx.credentials,
    signal: new AbortController().signal,
  });
}

/** `reportsRanges`: the upstream records the Range headers it receives (fixture `sentRanges`). */
function contract(
  title: string,
  setup: () => Promise<Fixture>,
  teardown: () => Promise<void>,
  reportsRanges = false,
): void {
  describe(title, () => {
    let fx: Fixture;
    const small = randomBytes(1000);
    // Larger than any socket read, so bodies arrive in many chunks.
    const large = randomBytes(3 * 1024 * 1024 + 7);

    before(async () => {
      fx = await setup();
      await fx.put('small.bin', small);
      await fx.put('dir/large.bin', large);
      for (const name of ODD_NAMES) await fx.put(name, Buffer.from(`contents of ${name}`));
    });
    after(async () => {
      await fx.source.close();
      await teardown();
    });

    const cases: [string, ByteRange, Uint8Array][] = [
      ['the whole object with neither offset nor size', range(undefined), small],
      ['offset and size', range(100, 250), small.subarray(100, 350)],
      ['offset only: to the end of the object', range(990), small.subarray(990)],
      ['size only: from the start', range(undefined, 10), small.subarray(0, 10)],
      ['offset 0 given explicitly', range(0), small],
      ['the last byte', range(999, 1), small.subarray(999)],
    ];
    for (const [label, byteRange, expected] of cases) {
      test(label, async () => {
        const bytes = await read(fx, 'small.bin', byteRange);
        assert.deepEqual(Buffer.from(bytes), Buffer.from(expected));
      });
    }

    if (reportsRanges) {
      test('sends Range exactly as API.md §8.1 says', async () => {
        const sentRanges = fx.sentRanges ?? (() => []);
        const before = sentRanges().length;
        await read(fx, 'small.bin', range(100, 250));
        await read(fx, 'small.bin', range(990));
        await read(fx, 'small.bin', range(undefined, 10));
        await read(fx, 'small.bin', range(undefined));
        assert.deepEqual(sentRanges().slice(before), ['bytes=100-349', 'bytes=990-', 'bytes=0-9', undefined]);
      });
    }

    test('a range of a multi-megabyte object, into memory of its own', async () => {
      const bytes = await read(fx, 'dir/large.bin', range(1_000_003, 2_000_000));
      assert.equal(bytes.byteOffset, 0);
      assert.equal(bytes.buffer.byteLength, 2_000_000);
      assert.ok(Buffer.from(bytes).equals(large.subarray(1_000_003, 3_000_003)));
    });

    test('the whole multi-megabyte object', async () => {
      const bytes = await read(fx, 'dir/large.bin', range(undefined));
      assert.ok(Buffer.from(bytes).equals(large));
    });

    for (const name of ODD_NAMES) {
      test(`key ${JSON.stringify(name)}`, async () => {
        const contents = Buffer.from(`contents of ${name}`);
        assert.deepEqual(Buffer.from(await read(fx, name, range(undefined))), contents);
        assert.deepEqual(Buffer.from(await read(fx, name, range(3, 5))), contents.subarray(3, 8));
      });
    }
  });
}

test('S3 keys are encoded byte by byte, never twice', () => {
  assert.equal(encodeS3Key('a b/c(1)'), 'a%20b/c%281%29');
  assert.equal(encodeS3Key('é~-._'), '%C3%A9~-._');
  assert.equal(encodeS3Key('[x],=+'), '%5Bx%5D%2C%3D%2B');
  assert.equal(encodeS3Key('already%20encoded'), 'already%2520encoded');
  assert.equal(encodeS3Key('a//b'), 'a//b');
});

let s3: S3Server;
const s3Started = async (): Promise<S3Server> => {
  s3 ??= await startS3Server();
  return s3;
};
let s3Users = 2;
const s3Done = async (): Promise<void> => {
  s3Users -= 1;
  if (s3Users === 0) await s3.stop();
};

contract(
  'S3 source, signed, private bucket',
  async () => {
    const server = await s3Started();
    await server.makeBucket('private-bucket');
    return {
      source: createS3Source(),
      credentials: { username: server.accessKey, password: server.secretKey },
      locate: (key) => ({ kind: 's3', endpoint: server.endpoint, bucket: 'private-bucket', key }),
      put: (key, bytes) => server.put('private-bucket', key, bytes),
    };
  },
  s3Done,
);

contract(
  'S3 source, anonymous, public-read bucket',
  async () => {
    const server = await s3Started();
    await server.makeBucket('public-bucket', { public: true });
    return {
      source: createS3Source(),
      credentials: undefined,
      locate: (key) => ({ kind: 's3', endpoint: server.endpoint, bucket: 'public-bucket', key }),
      put: (key, bytes) => server.put('public-bucket', key, bytes),
    };
  },
  s3Done,
);

function httpContract(title: string, route: string, withAuth: boolean): void {
  let server: RangeServer;
  const credentials = withAuth ? { username: 'reader', password: 'p@ss:word é' } : undefined;
  contract(
    title,
    async () => {
      server = await startRangeServer(credentials ? { basicAuth: credentials } : {});
      return {
        source: createHttpSource(),
        credentials,
        locate: (name) => ({ kind: 'http', url: server.url(route, name) }),
        put: async (name, bytes) => server.put(name, bytes),
        sentRanges: () => server.requests.map((r) => r.headers.range),
      };
    },
    () => server.stop(),
    true,
  );
}

httpContract('HTTP source', 'obj', false);
httpContract('HTTP source with Basic auth', 'obj', true);
httpContract('HTTP source, upstream ignores Range (answers 200)', 'ignore-range', false);
httpContract('HTTP source, upstream sends no Content-Length', 'no-length', false);

let fileRoot: string;
contract(
  'file source',
  async () => {
    fileRoot = await mkdtemp(join(tmpdir(), 's3as-contract-'));
    return {
      source: createFileSource({ roots: [fileRoot] }),
      credentials: undefined,
      locate: (name) => ({ kind: 'file', path: join(fileRoot, name) }),
      put: async (name, bytes) => {
        await mkdir(dirname(join(fileRoot, name)), { recursive: true });
        await writeFile(join(fileRoot, name), bytes);
      },
    };
  },
  () => rm(fileRoot, { recursive: true, force: true }),
);
