/**
 * The baseline for compressed chunks (issue 6): what one process can do with no server in between — GET the
 * stored bytes, inflate them, unshuffle them — in a tight loop on every core (one worker thread per core, each
 * running `loops` requests at a time). Prints one JSON line: completed chunks, seconds, per-chunk latencies.
 *
 *   node --import tsx bench/inflate-baseline.ts '{"url", "headers", "storedBytes", "decodedBytes", "elementSize",
 *                                                 "rawPath", "workers", "loops", "durationS"}'
 *
 * The HTTP client is node:http with a keep-alive agent (measured faster than undici's request() for large bodies
 * here), the body goes straight into one buffer of the announced length, inflate is zlib's native inflateSync
 * (the worker has nothing else to do), and the unshuffle writes whole elements. The first chunk each worker
 * decodes is compared with the raw file, so the baseline cannot win by doing the wrong thing.
 */

import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { endianness } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { inflateSync } from 'node:zlib';

interface Options {
  url: string;
  headers: Record<string, string>;
  storedBytes: number;
  decodedBytes: number;
  elementSize: number;
  rawPath: string;
  workers: number;
  loops: number;
  durationS: number;
}

interface WorkerReport {
  chunks: number;
  seconds: number;
  latenciesMs: number[];
}

function fetchBody(agent: Agent, o: Options): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get(o.url, { agent, headers: o.headers }, (res) => {
      if (res.statusCode !== 206 && res.statusCode !== 200) {
        res.resume();
        reject(new Error(`GET ${o.url} answered ${res.statusCode}`));
        return;
      }
      const out = Buffer.allocUnsafeSlow(Number(res.headers['content-length'] ?? o.storedBytes));
      let filled = 0;
      res.on('data', (chunk: Buffer) => {
        chunk.copy(out, filled);
        filled += chunk.length;
      });
      res.on('end', () => (filled === out.length ? resolve(out) : reject(new Error('short body'))));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const LITTLE = endianness() === 'LE';

/** Planes of `size`-byte elements back to elements; whole 4- and 8-byte elements at a time where possible. */
function unshuffle(src: Uint8Array, size: number): Uint8Array {
  const n = src.length / size;
  const out = new Uint8Array(new ArrayBuffer(src.length));
  if (size === 4 && LITTLE) {
    const o = new Uint32Array(out.buffer, 0, n);
    const p0 = src.subarray(0, n);
    const p1 = src.subarray(n, 2 * n);
    const p2 = src.subarray(2 * n, 3 * n);
    const p3 = src.subarray(3 * n, 4 * n);
    for (let i = 0; i < n; i++) o[i] = (p0[i]! | (p1[i]! << 8) | (p2[i]! << 16) | (p3[i]! << 24)) >>> 0;
    return out;
  }
  for (let k = 0; k < size; k++) {
    const plane = k * n;
    for (let i = 0, dst = k; i < n; i++, dst += size) out[dst] = src[plane + i]!;
  }
  return out;
}

async function workerMain(o: Options, first: boolean): Promise<WorkerReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.loops });
  const one = async (): Promise<Uint8Array> => {
    const stored = await fetchBody(agent, o);
    const inflated = inflateSync(stored, { maxOutputLength: o.decodedBytes });
    return unshuffle(inflated, o.elementSize);
  };
  const decoded = await one();
  if (first && !Buffer.from(decoded).equals(readFileSync(o.rawPath))) {
    throw new Error('the baseline decoded the chunk to different bytes than the raw file');
  }
  const latenciesMs: number[] = [];
  const start = performance.now();
  const deadline = start + o.durationS * 1000;
  let last = start;
  await Promise.all(
    Array.from({ length: o.loops }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await one();
        last = performance.now();
        latenciesMs.push(last - t);
      }
    }),
  );
  agent.destroy();
  return { chunks: latenciesMs.length, seconds: (last - start) / 1000, latenciesMs };
}

if (isMainThread) {
  const o = JSON.parse(process.argv[2] ?? '{}') as Options;
  const reports = await Promise.all(
    Array.from(
      { length: o.workers },
      (_, i) =>
        new Promise<WorkerReport>((resolve, reject) => {
          // Node 20 does not apply tsx's loader to a worker's entry module, so the worker registers it first.
          const entry = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const worker = new Worker(entry, { eval: true, workerData: { o, first: i === 0 } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const chunks = reports.reduce((n, r) => n + r.chunks, 0);
  const seconds = Math.max(...reports.map((r) => r.seconds));
  const latenciesMs = reports.flatMap((r) => r.latenciesMs);
  process.stdout.write(`${JSON.stringify({ chunks, seconds, latenciesMs })}\n`);
} else {
  const { o, first } = workerData as { o: Options; first: boolean };
  parentPort!.postMessage(await workerMain(o, first));
}
