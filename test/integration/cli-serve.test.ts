/** `s3-active-storage serve` as an operator meets it: a busy port or a bad setting is one clear line and exit 2. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';

const CLI = new URL('../../src/cli.ts', import.meta.url).pathname;

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('serve', () => {
  it('says which port is busy and how to choose another', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = cli(['serve', '--port', String(port)]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is already in use.*--port`));
    } finally {
      blocker.close();
    }
  });

  it('lists every invalid setting before listening', () => {
    const r = cli(['serve', '--port', '99999', '--log-level', 'loud']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--port \/ S3AS_PORT/);
    assert.match(r.stderr, /--log-level \/ S3AS_LOG_LEVEL/);
  });

  it('prints help', () => {
    const r = cli(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /serve/);
    assert.match(r.stdout, /S3AS_MEMORY_LIMIT_BYTES/);
  });
});
