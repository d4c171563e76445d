/**
 * [ext] `interface_type: "file"` (API.md §10.6): roots, symlinks, missing files and directories, permissions and
 * ranges past the end, on a temporary directory tree made per run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ActiveStorageError, type ErrorCode } from '../../src/errors.js';
import type { ByteRange } from '../../src/request/chunk-request.js';
import type { ByteSource } from '../../src/storage/byte-source.js';
import { createFileSource } from '../../src/storage/file.js';
import { createStorage } from '../../src/storage/sources.js';

const CONTENT = Buffer.from('0123456789abcdefghij');
const WHOLE: ByteRange = { offset: 0, hasOffset: false, size: undefined };

function at(offset: number | undefined, size?: number): ByteRange {
  return { offset: offset ?? 0, hasOffset: offset !== undefined, size };
}

function read(source: ByteSource, path: string, range = WHOLE, signal = new AbortController().signal) {
  return source.read({ location: { kind: 'file', path }, range, credentials: undefined, signal });
}

async function rejects(promise: Promise<unknown>, code: ErrorCode, cause?: RegExp): Promise<void> {
  const err = await promise.then(
    () => assert.fail(`expected ${code}, the read succeeded`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ActiveStorageError, String(err));
  assert.equal(err.code, code, `${err.code}: ${err.message} ${JSON.stringify(err.causedBy)}`);
  if (cause) assert.match(`${err.message} | ${err.causedBy.join(' | ')}`, cause);
}

describe('file source', () => {
  let base: string;
  let root: string;
  let outside: string;
  let source: ByteSource;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), 's3as-file-'));
    root = join(base, 'root');
    outside = join(base, 'outside');
    await mkdir(join(root, 'sub'), { recursive: true });
    await mkdir(outside);
    await writeFile(join(root, 'data.bin'), CONTENT);
    await writeFile(join(outside, 'secret.bin'), CONTENT);
    await symlink(join(outside, 'secret.bin'), join(root, 'escape.bin'));
    await symlink(join(root, 'data.bin'), join(root, 'sub', 'alias.bin'));
    await symlink(root, join(base, 'root-link'));
    source = createFileSource({ roots: [root], maxBytes: 16 });
  });
  after(async () => {
    await source.close();
    await rm(base, { recursive: true, force: true });
  });

  test('reads ranges of a file inside the root', async () => {
    assert.deepEqual(
      Buffer.from(await read(source, join(root, 'data.bin'), at(2, 5))),
      CONTENT.subarray(2, 7),
    );
    assert.deepEqual(Buffer.from(await read(source, join(root, 'data.bin'), at(10))), CONTENT.subarray(10));
  });

  test('a symlink that stays inside the roots is followed', async () => {
    assert.deepEqual(
      Buffer.from(await read(source, join(root, 'sub', 'alias.bin'), at(0, 4))),
      CONTENT.subarray(0, 4),
    );
  });

  test('a root given through a symlink serves paths written either way', async () => {
    const viaLink = createFileSource({ roots: [join(base, 'root-link')] });
    assert.deepEqual(
      Buffer.from(await read(viaLink, join(base, 'root-link', 'data.bin'), at(0, 3))),
      CONTENT.subarray(0, 3),
    );
    assert.deepEqual(
      Buffer.from(await read(viaLink, join(root, 'data.bin'), at(0, 3))),
      CONTENT.subarray(0, 3),
    );
  });

  test('outside every root → FORBIDDEN_SOURCE, existing or not', async () => {
    await rejects(read(source, join(outside, 'secret.bin')), 'FORBIDDEN_SOURCE', /outside the directories/);
    await rejects(read(source, join(outside, 'absent.bin')), 'FORBIDDEN_SOURCE');
    await rejects(read(source, join(root, '..', 'outside', 'secret.bin')), 'FORBIDDEN_SOURCE');
    await rejects(read(source, `${root}-sibling/data.bin`), 'FORBIDDEN_SOURCE');
  });

  test('a symlink inside a root that leads outside → FORBIDDEN_SOURCE', async () => {
    await rejects(read(source, join(root, 'escape.bin')), 'FORBIDDEN_SOURCE');
  });

  test('missing file, directory or FIFO → UPSTREAM_NOT_FOUND', async () => {
    await rejects(read(source, join(root, 'absent.bin')), 'UPSTREAM_NOT_FOUND', /ENOENT/);
    await rejects(read(source, join(root, 'data.bin', 'below-a-file')), 'UPSTREAM_NOT_FOUND', /ENOTDIR/);
    await rejects(read(source, join(root, 'sub')), 'UPSTREAM_NOT_FOUND', /not a regular file/);
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await rejects(read(source, join(root, 'pipe')), 'UPSTREAM_NOT_FOUND', /not a regular file/);
  });

  test('a file the server may not read → FORBIDDEN_SOURCE', async () => {
    await writeFile(join(root, 'locked.bin'), CONTENT);
    await chmod(join(root, 'locked.bin'), 0o000);
    if (process.getuid?.() !== 0) {
      await rejects(read(source, join(root, 'locked.bin')), 'FORBIDDEN_SOURCE', /EACCES/);
      return;
    }
    // root reads every file whatever its mode, so the read runs in a child process as `nobody`.
    await chmod(base, 0o755);
    await chmod(root, 0o755);
    const script = `
      const { createFileSource } = await import(${JSON.stringify(new URL('../../src/storage/file.ts', import.meta.url).href)});
      const source = createFileSource({ roots: [${JSON.stringify(root)}] });
      const err = await source.read({ location: { kind: 'file', path: ${JSON.stringify(join(root, 'locked.bin'))} },
        range: { offset: 0, hasOffset: false, size: undefined }, credentials: undefined,
        signal: new AbortController().signal }).then(() => undefined, (e) => e);
      console.log(JSON.stringify({ code: err?.code, causedBy: err?.causedBy }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out), { code: 'FORBIDDEN_SOURCE', causedBy: ['EACCES: permission denied'] });
  });

  test('ranges past the end of the file → UPSTREAM_BAD_REQUEST', async () => {
    await rejects(
      read(source, join(root, 'data.bin'), at(15, 10)),
      'UPSTREAM_BAD_REQUEST',
      /short read.*5 bytes there/,
    );
    await rejects(read(source, join(root, 'data.bin'), at(20)), 'UPSTREAM_BAD_REQUEST', /short read/);
    await rejects(read(source, join(root, 'data.bin'), at(25, 1)), 'UPSTREAM_BAD_REQUEST', /short read/);
  });

  test('more than maxBytes → TOO_LARGE', async () => {
    await rejects(read(source, join(root, 'data.bin')), 'TOO_LARGE', /20 bytes requested/);
    await rejects(read(source, join(root, 'data.bin'), at(0, 17)), 'TOO_LARGE');
  });

  test('an aborted read → UPSTREAM_TIMEOUT', async () => {
    const gone = new AbortController();
    gone.abort();
    await rejects(
      read(source, join(root, 'data.bin'), at(0, 4), gone.signal),
      'UPSTREAM_TIMEOUT',
      /abandoned/,
    );
  });

  test('createStorage reads into the injected allocate and releases memory a failed read took', async () => {
    const released: Uint8Array[] = [];
    let given: Uint8Array | undefined;
    let short = false;
    const storage = createStorage({
      fileRoots: [root],
      allocate: (length) => {
        // A pool's view over a larger slab; `short` plays a broken pool to force a failure after allocation.
        given = new Uint8Array(new ArrayBuffer(length + 64), 0, short ? length - 1 : length);
        return given;
      },
      release: (bytes) => released.push(bytes),
    });
    try {
      const location = { kind: 'file' as const, path: join(root, 'data.bin') };
      const signal = new AbortController().signal;
      const got = await storage.read({ location, range: at(2, 5), credentials: undefined, signal });
      assert.equal(got, given);
      assert.deepEqual(Buffer.from(got), CONTENT.subarray(2, 7));
      assert.equal(released.length, 0);
      short = true;
      await rejects(storage.read({ location, range: at(2, 5), credentials: undefined, signal }), 'INTERNAL');
      assert.deepEqual(released, [given]);
    } finally {
      await storage.close();
    }
  });

  test('createStorage serves files only when roots are configured', async () => {
    const without = createStorage({});
    const withRoots = createStorage({ fileRoots: [root] });
    try {
      await rejects(
        read(without, join(root, 'data.bin')),
        'INVALID_REQUEST',
        /unsupported interface type file/,
      );
      assert.deepEqual(Buffer.from(await read(withRoots, join(root, 'data.bin'))), CONTENT);
    } finally {
      await Promise.all([without.close(), withRoots.close()]);
    }
  });

  test('a root that does not exist is refused when the source is made', () => {
    assert.throws(() => createFileSource({ roots: [join(base, 'nope')] }), /file root .* cannot be used/);
  });
});
