/**
 * The command-line client from a shell, against the app on port 0 beside the seeded demo store: it reproduces the
 * prototype README's example (sum of numpy.arange(10) as float32 = 45.0), agrees with numpy on selections written
 * the Python way, keeps 64-bit integers exact in --json, and reports failures as one line with a non-zero status.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { DemoStore } from '../../src/demo/demo-store.js';
import { startDemo } from '../support/demo.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop (the servers it talks to live in this process). */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No AWS_* credentials leak in from the machine running the tests.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], env);

const DEMO_KEYS = { AWS_ACCESS_KEY_ID: 'minioadmin', AWS_SECRET_ACCESS_KEY: 'minioadmin' };

describe('s3-active-storage reduce (command-line client)', () => {
  let store: DemoStore;
  let app: FastifyInstance;
  let origin: string;

  before(async () => {
    ({ store, app, origin } = await startDemo());
  });
  after(async () => {
    await app?.close();
    await store?.close();
  });

  test("reproduces the prototype README's example from a shell: v1 sum of data-float32.dat is 45.0", async () => {
    const line =
      `node --import tsx src/cli.ts reduce sum --api v1 --source '${store.url}' --bucket sample-data ` +
      `--object data-float32.dat --dtype float32 --server '${origin}'`;
    const r = await run('sh', ['-c', line], DEMO_KEYS);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'values  45.0\ndtype   float32\nshape   []\ncount   [10]\n');
  });

  test('the same through v2 with --user/--password and --json', async () => {
    const r = await cli([
      'reduce',
      'sum',
      `${store.url}/sample-data/data-float32.dat`,
      '--dtype',
      'float32',
      '--user',
      'minioadmin',
      '--password',
      'minioadmin',
      '--server',
      `${origin}/`,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      api: 'v2',
      op: 'sum',
      dtype: 'float32',
      shape: [],
      count: [10],
      values: 45,
    });
  });

  test('agrees with numpy on Python-style selections, axes, F order and exact 64-bit values', async () => {
    const numpy = await run('python3', [
      '-c',
      `import json, numpy as np
g = np.arange(60, dtype='<f8').reshape(3, 4, 5) / 4
m = np.arange(24, dtype='<i4').reshape(4, 6)
ids = (2**53 + 1 + 2 * np.arange(6)).astype('>u8')
ids[2] = 18446744073709551614
print(json.dumps({'grid': g[::-1, 1::2, :3].sum(axis=(0, 2)).tolist(), 'matrix': m[3::-2, 1:5:3].tolist(),
                  'ids': str(int(np.delete(ids, 2).max()))}))`,
    ]);
    assert.equal(numpy.code, 0, numpy.stderr);
    const want = JSON.parse(numpy.stdout) as { grid: number[]; matrix: number[][]; ids: string };
    const object = (key: string) => `${store.url}/sample-data/${key}`;
    const common = ['--server', origin, '--json'];
    const [grid, matrix, ids] = await Promise.all([
      cli(
        ['reduce', 'sum', object('grid-float64-3x4x5.dat'), '--dtype', 'float64', '--shape', '3,4,5'].concat([
          '--selection',
          '::-1,1::2,:3',
          '--axis',
          '0,2',
          ...common,
        ]),
        DEMO_KEYS,
      ),
      cli(
        ['reduce', 'select', object('matrix-int32-4x6-F.dat'), '--dtype', 'int32', '--shape', '4,6'].concat([
          '--order',
          'F',
          '--selection',
          '3::-2,1:5:3',
          ...common,
        ]),
        DEMO_KEYS,
      ),
      cli(
        [
          'reduce',
          'max',
          object('ids-uint64-be-6-fill.dat'),
          '--dtype',
          'uint64',
          '--byte-order',
          'big',
        ].concat(['--missing-value', '18446744073709551614', ...common]),
        DEMO_KEYS,
      ),
    ]);
    assert.equal(grid.code, 0, grid.stderr);
    assert.deepEqual((JSON.parse(grid.stdout) as { values: number[] }).values, want.grid);
    assert.equal(matrix.code, 0, matrix.stderr);
    assert.deepEqual((JSON.parse(matrix.stdout) as { values: number[][] }).values, want.matrix);
    assert.equal(ids.code, 0, ids.stderr);
    // JSON.parse would round it: compare the literal the client printed.
    assert.match(ids.stdout, new RegExp(`"count":\\[5\\],"values":${want.ids}\\}`));
  });

  test('a server error is one line with the message and causes, exit status 1', async () => {
    const base = ['reduce', 'sum', '--dtype', 'int32', '--server', origin];
    const [wrongKey, absent] = await Promise.all([
      cli([
        ...base,
        `${store.url}/sample-data/data-int32.dat`,
        '--user',
        'minioadmin',
        '--password',
        'wrong',
      ]),
      cli([...base, `${store.url}/sample-data/absent.dat`], DEMO_KEYS),
    ]);
    assert.equal(wrongKey.code, 1);
    assert.equal(wrongKey.stdout, '');
    assert.match(wrongKey.stderr, /^s3-active-storage reduce: HTTP 401: .*SignatureDoesNotMatch.*\n$/);
    assert.equal(absent.code, 1);
    assert.match(absent.stderr, /^s3-active-storage reduce: HTTP 400: .*NoSuchKey.*\n$/);
  });

  test('an unreachable server and a usage mistake are one line each, exit statuses 1 and 2', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const [unreachable, usage] = await Promise.all([
      cli(['reduce', 'sum', `${store.url}/b/k`, '--dtype', 'int32', '--server', `http://127.0.0.1:${port}`]),
      cli(['reduce', 'sum', `${store.url}/b/k`, '--shape', '2,x']),
    ]);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /^s3-active-storage reduce: cannot reach http:\/\/127\.0\.0\.1:\d+: .+\n$/,
    );
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^s3-active-storage reduce: .*\(see s3-active-storage reduce --help\)\n$/);
  });

  test('--help documents the client; the top-level help lists it', async () => {
    const [help, top] = await Promise.all([cli(['reduce', '--help']), cli(['--help'])]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: s3-active-storage reduce OP URL --dtype DTYPE/);
    for (const flag of [
      '--selection',
      '--filter',
      '--missing-values',
      '--valid-range',
      '--api',
      '--user',
      '--json',
    ]) {
      assert.ok(help.stdout.includes(flag), flag);
    }
    assert.equal(top.code, 0);
    assert.match(top.stdout, /reduce {4}send one reduction/);
  });
});
