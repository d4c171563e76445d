/**
 * The embedded S3 store (src/demo/demo-store.ts) as its own process, so that the store's CPU is not the bench's
 * and it can be pinned apart from the server under test. Loads the named files of a directory into bucket `bench`,
 * then prints one JSON line `{"url": ...}`; exits when its stdin closes (so it dies with the bench).
 *
 *   node --import tsx bench/demo-store-process.ts '{"dir": ..., "names": [...], "accessKey": ..., "secretKey": ...}'
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoStore } from '../src/demo/demo-store.js';

interface Options {
  dir: string;
  names: string[];
  accessKey: string;
  secretKey: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const largest = Math.max(0, ...options.names.map((name) => readFileSync(join(options.dir, name)).length));
const store = await startDemoStore({
  host: '127.0.0.1',
  port: 0,
  accessKey: options.accessKey,
  secretKey: options.secretKey,
  maxObjectBytes: Math.max(largest, 1024 * 1024),
});
store.createBucket('bench');
for (const name of options.names) store.putObject('bench', name, readFileSync(join(options.dir, name)));
process.stdout.write(`${JSON.stringify({ url: store.url })}\n`);

process.stdin.resume();
process.stdin.on('end', () => {
  store.close().finally(() => process.exit(0));
});
