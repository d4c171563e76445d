/**
 * `npm run bench` (issue 6): how much the server adds to reading the bytes directly.
 *
 * Starts its own stores (nginx, the embedded S3 store, moto) and the compiled server, each on 127.0.0.1 with a
 * port chosen at run time; checks the server's answer to every case against numpy's before timing it; times the
 * server and the baseline with the same load generator (wrk); prints one table, then the worst ratio.
 * docs/performance.md explains each number.
 *
 *   npm run bench                       the full run (under 5 minutes on 2 cores)
 *   npm run bench -- --quick            a ~1 minute smoke run
 *   npm run bench -- --filter 'f32-64m' cases whose name matches a regular expression ("kernels" for those)
 *   npm run bench -- --profile          also write a --cpu-prof profile of the server and summarise it
 *   npm run bench -- --no-pin           do not pin processes to cores
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decode } from 'cbor2';
import { request } from 'undici';
import { allCases, type Case, selectCases } from './cases.js';
import { type BenchObject, MiB, type ObjectId, writeObject } from './data.js';
import type { Bandwidth, KernelOptions, KernelResult } from './kernels.js';
import { cpuSeconds, hasCommand, percentile, pin, pinned, resetPeakRss, statusBytes } from './proc.js';
import { formatSummary, profileThread, summariseProfile } from './profile.js';
import { build, distIsStale, type ServerProcess, startServer } from './server.js';
import {
  NGINX_MISSING,
  nginxBinary,
  type Store,
  type StoreKind,
  startDemoStoreProcess,
  startMoto,
  startNginx,
  WRK_MISSING,
} from './stores.js';
import { type LoadResult, runWrk } from './wrk.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

const USAGE = `usage: npm run bench -- [options]

  --quick            smoke run (~1 minute): one op per configuration, shorter runs, fewer kernel dtypes
  --filter RE        only cases whose name matches the regular expression RE; the kernel micro-bench is the
                     case "kernels" (e.g. --filter 'nginx-f32-64m|kernels'). --list shows every name.
  --list             print the case names and exit
  --duration S       seconds of load per run for every case (default 1 for chunks up to 1 MiB, 2 above)
  --profile          run the server under --cpu-prof and print its top self-time functions at the end
  --no-pin           do not pin the server, stores and load generator to separate cores
  --no-build         use dist/ as it is even if src/ is newer
  --server-env K=V   extra environment for the server process (repeatable), e.g. a S3AS_* setting or
                     GLIBC_TUNABLES, to try a configuration
  --json PATH        where to write every figure as JSON (default test-output/bench/results.json)
  -h, --help         this text
`;

interface Args {
  quick: boolean;
  filter: RegExp | undefined;
  list: boolean;
  duration: number | undefined;
  profile: boolean;
  pin: boolean;
  build: boolean;
  json: string;
  serverEnv: Record<string, string>;
}

function parse(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      filter: { type: 'string' },
      list: { type: 'boolean', default: false },
      duration: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'server-env': { type: 'string', multiple: true },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= 1)) {
    throw new Error('--duration must be a whole number of seconds, at least 1 (wrk counts whole seconds)');
  }
  return {
    quick: values.quick,
    filter: values.filter === undefined ? undefined : new RegExp(values.filter),
    list: values.list,
    duration,
    profile: values.profile,
    pin: !values['no-pin'],
    build: !values['no-build'],
    serverEnv: Object.fromEntries(
      (values['server-env'] ?? []).map((kv) => {
        const at = kv.indexOf('=');
        if (at <= 0) throw new Error(`--server-env takes NAME=VALUE, got ${JSON.stringify(kv)}`);
        return [kv.slice(0, at), kv.slice(at + 1)];
      }),
    ),
    json: values.json ?? join(ROOT, 'test-output', 'bench', 'results.json'),
  };
}

const log = (text: string) => process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------------------------------------------- answers

interface Expected {
  dtype: string;
  shape: number[];
  value: string;
  count: number;
}

function checkId(c: Case): string {
  return JSON.stringify([c.object, c.op, c.selection ?? null, c.missingValue ?? null]);
}

/** numpy's answers for every case, in one python3 call (bench/expected.py). */
function numpyAnswers(
  cases: Case[],
  objects: Map<ObjectId, BenchObject>,
  dataDir: string,
): Map<string, Expected> {
  const checks = new Map<string, object>();
  for (const c of cases) {
    const obj = objects.get(c.object)!;
    checks.set(checkId(c), {
      id: checkId(c),
      name: obj.name,
      dtype: obj.dtype,
      shape: obj.shape ?? null,
      selection: c.selection ?? null,
      missing_value: c.missingValue ?? null,
      op: c.op,
      compression: obj.compression ?? null,
      filters: obj.filters,
      raw_name: obj.rawName ?? null,
    });
  }
  const result = spawnSync('python3', [join(HERE, 'expected.py')], {
    input: JSON.stringify({ dir: dataDir, checks: [...checks.values()] }),
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (result.status !== 0) throw new Error(`numpy (bench/expected.py) failed:\n${result.stderr}`);
  return new Map(Object.entries(JSON.parse(result.stdout) as Record<string, Expected>));
}

function requestBody(c: Case, obj: BenchObject, store: Store): string {
  const body: Record<string, unknown> = {
    ...store.location(obj.name),
    dtype: obj.dtype,
    byte_order: 'little',
    offset: 0,
    size: obj.storedBytes,
  };
  if (obj.shape !== undefined) body.shape = obj.shape;
  if (c.selection !== undefined) body.selection = c.selection;
  if (c.missingValue !== undefined) body.missing = { missing_value: c.missingValue };
  if (obj.compression !== undefined) body.compression = obj.compression;
  if (obj.filters.length > 0) body.filters = obj.filters;
  return JSON.stringify(body);
}

function serverHeaders(store: Store): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (store.serverAuthorization !== undefined) headers.authorization = store.serverAuthorization;
  return headers;
}

/** Untimed load before each timed server run. */
const WARM_UP_MS = 300;

/**
 * The same requests, at the same concurrency, for WARM_UP_MS before the timed run: a server runs warm, and
 * without this the 1 s runs of small chunks mostly timed V8 compiling the case's kernel and request path (nginx
 * f32 1 MiB c1 sum: 0.24 of the direct GET in a 1 s run, 0.59 over 3 s). The direct GETs need no warm-up: wrk
 * and nginx are native code.
 */
async function warmUp(server: ServerProcess, c: Case, obj: BenchObject, store: Store): Promise<void> {
  const until = Date.now() + WARM_UP_MS;
  const body = requestBody(c, obj, store);
  const one = async (): Promise<void> => {
    while (Date.now() < until) {
      const res = await request(`${server.url}/v2/${c.op}`, {
        method: 'POST',
        headers: serverHeaders(store),
        body,
      });
      await res.body.dump();
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, one));
}

/** Asks the server once and compares with numpy; the problem in words, or undefined when they agree. */
async function checkServerAnswer(
  server: ServerProcess,
  c: Case,
  obj: BenchObject,
  store: Store,
  expected: Expected,
): Promise<string | undefined> {
  const res = await request(`${server.url}/v2/${c.op}`, {
    method: 'POST',
    headers: serverHeaders(store),
    body: requestBody(c, obj, store),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200)
    return `server answered ${res.statusCode}: ${bytes.toString('utf8').slice(0, 300)}`;
  const got = decode(bytes) as { bytes: Uint8Array; dtype: string; shape: number[]; count: number[] };
  const value = Buffer.from(got.bytes);
  if (got.dtype !== expected.dtype) return `dtype ${got.dtype}, numpy ${expected.dtype}`;
  if (JSON.stringify(got.shape) !== JSON.stringify(expected.shape)) {
    return `shape ${JSON.stringify(got.shape)}, numpy ${JSON.stringify(expected.shape)}`;
  }
  if (got.count[0] !== expected.count) return `count ${got.count[0]}, numpy ${expected.count}`;
  if (got.dtype === 'float32' || got.dtype === 'float64') {
    const v = got.dtype === 'float32' ? value.readFloatLE(0) : value.readDoubleLE(0);
    const e = Number(expected.value);
    // numpy.allclose's default tolerance (API.md §5.4); min and max must match exactly.
    const ok = c.op === 'sum' ? Math.abs(v - e) <= 1e-8 + 1e-5 * Math.abs(e) : v === e;
    return ok ? undefined : `${c.op} ${v}, numpy ${expected.value}`;
  }
  const v = value.readBigInt64LE(0);
  return v === BigInt(expected.value) ? undefined : `${c.op} ${v}, numpy ${expected.value}`;
}

/** A direct GET returns exactly the file's bytes, or the baseline would time something else. */
async function checkDirect(store: Store, obj: BenchObject, dataDir: string): Promise<string | undefined> {
  const res = await request(`${store.origin}${store.path(obj.name)}`, {
    headers: store.directHeaders(obj.name, obj.storedBytes),
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 206)
    return `direct GET answered ${res.statusCode}: ${bytes.toString('utf8').slice(0, 200)}`;
  if (!bytes.equals(readFileSync(join(dataDir, obj.name))))
    return 'direct GET returned other bytes than the file';
  return undefined;
}

// ------------------------------------------------------------------------------------------------- measuring

interface Side {
  requests: number;
  seconds: number;
  reqps: number;
  /** Decoded bytes per second / 1e6. */
  mbps: number;
  p50: number;
  p99: number;
}

interface ServerSide extends Side {
  cpuPerGB: number;
  /** Share of that CPU time spent in the kernel (page faults, socket copies). */
  systemShare: number;
  peakRssMiB: number;
  rssLimitMiB: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  healthP99Ms?: number;
}

interface Row {
  c: Case;
  obj: BenchObject;
  problem?: string;
  base?: Side;
  server?: ServerSide;
  ratio?: number;
  addedP50Ms?: number;
  met?: boolean;
}

function sideFromWrk(r: LoadResult, obj: BenchObject): Side {
  const reqps = r.requests / r.durationS;
  return {
    requests: r.requests,
    seconds: r.durationS,
    reqps,
    mbps: (reqps * obj.decodedBytes) / 1e6,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
  };
}

async function runInflateBaseline(c: Case, obj: BenchObject, store: Store, dataDir: string): Promise<Side> {
  const workers = 2;
  const options = {
    url: `${store.origin}${store.path(obj.name)}`,
    headers: store.directHeaders(obj.name, obj.storedBytes),
    storedBytes: obj.storedBytes,
    decodedBytes: obj.decodedBytes,
    elementSize: obj.filters[0]?.element_size ?? 1,
    rawPath: join(dataDir, obj.rawName!),
    workers,
    loops: Math.ceil(c.concurrency / workers),
    durationS: c.durationS,
  };
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(HERE, 'inflate-baseline.ts'), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`inflate baseline: ${stderr}`)),
    );
  });
  const r = JSON.parse(out) as { chunks: number; seconds: number; latenciesMs: number[] };
  const reqps = r.chunks / r.seconds;
  return {
    requests: r.chunks,
    seconds: r.seconds,
    reqps,
    mbps: (reqps * obj.decodedBytes) / 1e6,
    p50: percentile(r.latenciesMs, 50),
    p99: percentile(r.latenciesMs, 99),
  };
}

async function metricsText(server: ServerProcess): Promise<string> {
  const res = await request(`${server.url}/metrics`);
  return res.body.text();
}

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** GET /health every 50 ms from outside: its latency shows event-loop stalls as a client sees them. */
function startHealthProbe(server: ServerProcess): { stop(): Promise<number[]> } {
  let running = true;
  const latencies: number[] = [];
  const done = (async () => {
    while (running) {
      const t = performance.now();
      const res = await request(`${server.url}/health`);
      await res.body.dump();
      latencies.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return latencies;
    },
  };
}

interface Cores {
  /** Stores, the bench itself, and wrk when it drives the server. */
  store: string | undefined;
  /** Whoever consumes the bytes: the server, or wrk when it reads them directly. */
  consumer: string | undefined;
  all: string | undefined;
}

async function runServerSide(
  c: Case,
  obj: BenchObject,
  store: Store,
  server: ServerProcess,
  cores: Cores,
  workDir: string,
): Promise<ServerSide> {
  // Compressed chunks are decoded on worker threads: the server gets both cores, as the baseline does.
  const spread = c.baseline === 'inflate';
  if (spread && cores.all !== undefined) pin(server.pid, cores.all);
  const inFlightBytes =
    c.concurrency * (obj.storedBytes + (obj.compression === undefined ? 0 : obj.decodedBytes));
  const rssLimitMiB = 100 + (1.5 * inFlightBytes) / MiB;
  await warmUp(server, c, obj, store);
  if (c.eventLoop) await metricsText(server); // prom-client resets its event-loop histogram on every scrape
  const probe = c.eventLoop ? startHealthProbe(server) : undefined;
  resetPeakRss(server.pid);
  const cpu0 = cpuSeconds(server.pid);
  let r: LoadResult;
  try {
    r = await runWrk(
      {
        url: `${server.url}/v2/${c.op}`,
        method: 'POST',
        headers: serverHeaders(store),
        body: requestBody(c, obj, store),
        connections: c.concurrency,
        durationS: c.durationS,
        cpus: spread ? cores.all : cores.store,
      },
      workDir,
    );
  } catch (err) {
    await probe?.stop();
    throw err;
  } finally {
    if (spread && cores.consumer !== undefined) pin(server.pid, cores.consumer);
  }
  const cpu1 = cpuSeconds(server.pid);
  const user = cpu1.user - cpu0.user;
  const system = cpu1.system - cpu0.system;
  const peak = statusBytes(server.pid, 'VmHWM');
  const side: ServerSide = {
    ...sideFromWrk(r, obj),
    // Requests still running when wrk stops are counted as half done.
    cpuPerGB: (user + system) / (((r.requests + c.concurrency / 2) * obj.decodedBytes) / 1e9),
    systemShare: system / Math.max(1e-9, user + system),
    peakRssMiB: peak / MiB,
    rssLimitMiB,
  };
  if (probe !== undefined) {
    const text = await metricsText(server);
    side.loopP99Ms = metric(text, 'nodejs_eventloop_lag_p99_seconds') * 1000;
    side.loopMaxMs = metric(text, 'nodejs_eventloop_lag_max_seconds') * 1000;
    side.healthP99Ms = percentile(await probe.stop(), 99);
  }
  if (r.badStatus > 0 || r.socketErrors > 0) {
    throw new Error(`${r.badStatus} non-2xx responses and ${r.socketErrors} socket errors under load`);
  }
  return side;
}

// ---------------------------------------------------------------------------------------------------- output

function num(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '-';
  if (x >= 10 ** digits - 0.5) return x.toFixed(0);
  return x.toPrecision(digits);
}

function targetText(row: Row): string {
  if (row.problem !== undefined) return 'VOID';
  const t = row.c.target;
  if (t.kind === 'ratio') return `>=${t.min} ${row.met ? 'ok' : 'MISS'}`;
  return `+${num(row.addedP50Ms, 2)}ms<=${t.maxMs} ${row.met ? 'ok' : 'MISS'}`;
}

function table(rows: Row[]): string {
  const header = [
    'case',
    'base MB/s',
    'base req/s',
    'srv MB/s',
    'srv req/s',
    'ratio',
    'p50 ms base/srv',
    'p99 ms base/srv',
    'CPU-s/GB (sys)',
    'RSS MiB peak/limit',
    'target',
  ];
  const body = rows.map((r) => [
    r.c.name,
    num(r.base?.mbps),
    num(r.base?.reqps),
    num(r.server?.mbps),
    num(r.server?.reqps),
    r.ratio === undefined ? '-' : r.ratio.toFixed(2),
    `${num(r.base?.p50)}/${num(r.server?.p50)}`,
    `${num(r.base?.p99)}/${num(r.server?.p99)}`,
    r.server === undefined ? '-' : `${num(r.server.cpuPerGB)} (${(r.server.systemShare * 100).toFixed(0)}%)`,
    r.server === undefined ? '-' : `${num(r.server.peakRssMiB)}/${num(r.server.rssLimitMiB)}`,
    targetText(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

const KERNEL_OPS = ['sum', 'min', 'max', 'count'] as const;

function kernelTable(results: KernelResult[], bw: Bandwidth): string {
  const lines = [
    `memory read bandwidth (memchr, ${'64 MiB'}): ${bw.readGBps.toFixed(1)} GB/s; 4x larger: ${bw.readLargeGBps.toFixed(1)} GB/s; ` +
      `typed-array copy ${bw.copyGBps.toFixed(1)} GB/s; JS Float64Array sum ${bw.jsFloat64SumGBps.toFixed(1)} GB/s`,
    "kernel GB/s (% of the read bandwidth measured just before and after that dtype's runs, the larger); " +
      '"no read": count without a missing rule is the element count (big-endian data included: its bytes are ' +
      'only swapped when something reads them)',
  ];
  const rows: string[][] = [['dtype', 'variant', ...KERNEL_OPS]];
  const keys = [...new Set(results.map((r) => `${r.dtype}|${r.variant}`))];
  for (const key of keys) {
    const [dtype, variant] = key.split('|') as [string, string];
    const cells = KERNEL_OPS.map((op) => {
      const r = results.find((x) => x.dtype === dtype && x.variant === variant && x.op === op);
      if (r === undefined) return '-';
      if (r.problem) return `VOID (${r.problem})`;
      if (isNoRead(r)) return 'no read';
      return `${r.gbps.toFixed(1)} (${((r.gbps / r.readGBps) * 100).toFixed(0)}%)`;
    });
    rows.push([dtype, variant, ...cells]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    lines.push(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  return lines.join('\n');
}

/** count with no missing rule never reads an element (its answer is the selection's size). */
function isNoRead(r: KernelResult): boolean {
  return r.op === 'count' && (r.variant === 'plain' || r.variant === 'strided' || r.variant === 'big');
}

// ------------------------------------------------------------------------------------------------------ main

async function runKernelBench(
  quick: boolean,
  cpus: string | undefined,
): Promise<{ bandwidth: Bandwidth; results: KernelResult[] }> {
  const options: KernelOptions = {
    dtypes: quick
      ? ['float32', 'float64', 'int32', 'int64']
      : ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64'],
    variants: ['plain', 'missing', 'strided', 'big'],
    ops: [...KERNEL_OPS],
    mib: 64,
  };
  const [cmd, args] = pinned(cpus, [
    process.execPath,
    '--import',
    'tsx',
    join(HERE, 'kernels.ts'),
    JSON.stringify(options),
  ]);
  const result = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * MiB });
  if (result.status !== 0) throw new Error(`kernel micro-bench failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as { bandwidth: Bandwidth; results: KernelResult[] };
}

function toolVersion(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  const first = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0] ?? '';
  return first.replace(/\s*Copyright.*$/, '').trim();
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const everything = allCases();
  if (args.list) {
    process.stdout.write(`${[...everything.map((c) => c.name), 'kernels'].join('\n')}\n`);
    return;
  }
  const cases = selectCases(everything, { quick: args.quick, filter: args.filter });
  const coreCount = availableParallelism(); // before the bench pins itself to one core
  for (const c of cases) {
    if (args.duration !== undefined) c.durationS = args.duration;
    else if (args.quick) c.durationS = 1;
  }
  const withKernels = args.filter === undefined || args.filter.test('kernels');
  if (cases.length === 0 && !withKernels) throw new Error(`no case matches ${args.filter}; see --list`);

  // Tools first, so a missing one is reported before minutes of set-up.
  const kinds = new Set<StoreKind>(cases.map((c) => c.store));
  if (cases.length > 0 && !hasCommand('wrk')) throw new Error(WRK_MISSING);
  if (kinds.has('nginx') && nginxBinary() === undefined) throw new Error(NGINX_MISSING);
  if (spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('python3 with numpy is needed to check every answer (pip install numpy)');
  }
  const canPin = args.pin && coreCount >= 2 && hasCommand('taskset');
  const cores: Cores = canPin
    ? { store: '0', consumer: '1', all: '0,1' }
    : { store: undefined, consumer: undefined, all: undefined };
  if (args.pin && !canPin) log('not pinning: needs taskset and at least 2 cores');

  if (cases.length > 0 && args.build && distIsStale(ROOT)) {
    log('dist/ is older than src/: npm run build');
    build(ROOT);
  }

  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 's3as-bench-'));
  const dataDir = join(workDir, 'data');
  mkdirSync(dataDir);
  const cleanups: (() => Promise<void>)[] = [];
  // Ctrl+C still stops every process the bench started and removes its temp directory.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the stores and the server`);
      Promise.allSettled(cleanups.map((stop) => stop())).finally(() => {
        rmSync(workDir, { recursive: true, force: true });
        process.exit(130);
      });
    });
  }
  const rows: Row[] = [];
  let kernels: { bandwidth: Bandwidth; results: KernelResult[] } | undefined;
  let profileText: string | undefined;
  let idleLoopP99Ms: number | undefined;
  let idleRssMiB: number | undefined;
  try {
    // The bench and everything it starts share the store core; the server and direct-GET wrk get the other.
    if (cores.store !== undefined) pin(process.pid, cores.store);

    const objects = new Map<ObjectId, BenchObject>();
    for (const id of new Set(cases.map((c) => c.object))) objects.set(id, writeObject(dataDir, id));
    log(`data written to ${dataDir} (${objects.size} objects); asking numpy for the answers`);
    const expected = numpyAnswers(cases, objects, dataDir);

    const stores = new Map<StoreKind, Store>();
    const namesFor = (kind: StoreKind) => [
      ...new Set(cases.filter((c) => c.store === kind).map((c) => objects.get(c.object)!.name)),
    ];
    const starters: Record<StoreKind, () => Promise<Store>> = {
      nginx: () => startNginx(dataDir, workDir),
      s3demo: () => startDemoStoreProcess(dataDir, namesFor('s3demo')),
      moto: () => startMoto(dataDir, namesFor('moto')),
    };
    for (const kind of kinds) {
      const store = await starters[kind]();
      stores.set(kind, store);
      cleanups.push(() => store.stop());
    }

    let server: ServerProcess | undefined;
    const profileDir = join(
      ROOT,
      'test-output',
      'bench',
      `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    );
    if (cases.length > 0) {
      if (args.profile) mkdirSync(profileDir, { recursive: true });
      server = await startServer(ROOT, {
        cpus: cores.consumer,
        cpuProfDir: args.profile ? profileDir : undefined,
        env: args.serverEnv,
      });
      const s = server;
      cleanups.unshift(() => s.stop());
      await metricsText(server);
      await new Promise((r) => setTimeout(r, 1000));
      idleLoopP99Ms = metric(await metricsText(server), 'nodejs_eventloop_lag_p99_seconds') * 1000;
      idleRssMiB = statusBytes(server.pid, 'VmRSS') / MiB;
    }

    const baselines = new Map<string, Side>();
    const directChecked = new Map<string, string | undefined>();
    // Run in order of bytes in flight, so memory the server keeps after one case (Node returns little of it)
    // never exceeds the next case's own RSS allowance; compressed cases last, because the buffered path's pooled
    // buffers and worker threads stay for seconds after them. The table keeps the logical order.
    const inFlight = (c: Case) => {
      const obj = objects.get(c.object)!;
      const compressed = obj.compression !== undefined;
      return (
        (compressed ? 1e15 : 0) + c.concurrency * (obj.storedBytes + (compressed ? obj.decodedBytes : 0))
      );
    };
    const byCase = new Map<Case, Row>();
    for (const [i, c] of [...cases].sort((a, b) => inFlight(a) - inFlight(b)).entries()) {
      const obj = objects.get(c.object)!;
      const store = stores.get(c.store)!;
      const row: Row = { c, obj };
      byCase.set(c, row);
      try {
        row.problem = await checkServerAnswer(server!, c, obj, store, expected.get(checkId(c))!);
        if (row.problem !== undefined) row.problem = `wrong answer, figure void: ${row.problem}`;
        const directKey = `${c.store}|${c.object}`;
        if (row.problem === undefined && !directChecked.has(directKey)) {
          directChecked.set(directKey, await checkDirect(store, obj, dataDir));
        }
        if (row.problem === undefined && directChecked.get(directKey) !== undefined) {
          row.problem = `baseline void: ${directChecked.get(directKey)}`;
        }
        if (row.problem === undefined) {
          const baseKey = `${c.store}|${c.object}|${c.concurrency}|${c.baseline}|${c.durationS}`;
          let base = baselines.get(baseKey);
          if (base === undefined) {
            if (c.baseline === 'inflate') base = await runInflateBaseline(c, obj, store, dataDir);
            else {
              const r = await runWrk(
                {
                  url: `${store.origin}${store.path(obj.name)}`,
                  method: 'GET',
                  headers: store.directHeaders(obj.name, obj.storedBytes),
                  connections: c.concurrency,
                  durationS: c.durationS,
                  cpus: cores.consumer,
                },
                workDir,
              );
              if (r.badStatus > 0 || r.socketErrors > 0) {
                throw new Error(
                  `baseline: ${r.badStatus} non-2xx responses, ${r.socketErrors} socket errors`,
                );
              }
              base = sideFromWrk(r, obj);
            }
            baselines.set(baseKey, base);
          }
          row.base = base;
          row.server = await runServerSide(c, obj, store, server!, cores, workDir);
          row.ratio = row.server.reqps / row.base.reqps;
          row.addedP50Ms = row.server.p50 - row.base.p50;
          row.met = c.target.kind === 'ratio' ? row.ratio >= c.target.min : row.addedP50Ms <= c.target.maxMs;
        }
      } catch (err) {
        row.problem = `error, figure void: ${(err as Error).message.split('\n')[0]}`;
      }
      const shown = row.problem ?? `ratio ${row.ratio?.toFixed(2)}  ${targetText(row)}`;
      log(`[${i + 1}/${cases.length}] ${c.name}: ${shown}`);
    }

    for (const c of cases) rows.push(byCase.get(c)!);

    if (withKernels) {
      log('kernel micro-bench (64 MiB arrays, one core)');
      kernels = await runKernelBench(args.quick, cores.consumer);
    }

    if (server !== undefined) {
      cleanups.shift();
      await server.stop();
      if (args.profile) {
        // One file per thread: the main thread, then each compute worker.
        const files = readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort();
        profileText = files
          .map(
            (f) =>
              `${join(profileDir, f)}\n${formatSummary(summariseProfile(join(profileDir, f)), profileThread(f))}`,
          )
          .join('\n\n');
        if (files.length > 0) writeFileSync(join(profileDir, 'summary.txt'), `${profileText}\n`);
      }
    }
  } finally {
    for (const stop of cleanups) await stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  }

  // --------------------------------------------------------------------------------------------- the report
  const out: string[] = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  out.push(
    `s3-active-storage bench  ${new Date().toISOString()}  ${cpu}, ${coreCount} cores, node ${process.version}, ` +
      `${toolVersion('wrk', ['--version'])}, ${kinds.has('nginx') ? toolVersion(nginxBinary()!, ['-v']) : ''}`,
  );
  out.push(
    canPin
      ? 'pinning: server and direct-GET wrk on core 1; stores, bench and server-driving wrk on core 0; zlib cases: server on both'
      : 'pinning: off',
  );
  out.push(
    `command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  );
  out.push('');
  if (rows.length > 0) out.push(table(rows));
  const notes: string[] = [];
  for (const r of rows) {
    if (r.problem !== undefined) notes.push(`${r.c.name}: ${r.problem}`);
    if (r.server?.loopP99Ms !== undefined) {
      notes.push(
        `${r.c.name}: event loop p99 ${num(r.server.loopP99Ms)} ms, max ${num(r.server.loopMaxMs)} ms ` +
          `(monitorEventLoopDelay via /metrics; idle reads ${num(idleLoopP99Ms)} ms); GET /health p99 ${num(r.server.healthP99Ms)} ms ` +
          `${(r.server.loopP99Ms ?? 0) <= 20 ? 'ok' : 'MISS'} (target < 20 ms)`,
      );
    }
  }
  const measured = rows.filter((r) => r.server !== undefined);
  const overRss = measured.filter((r) => r.server!.peakRssMiB > r.server!.rssLimitMiB);
  if (measured.length > 0) {
    notes.push(
      `peak RSS over its limit (100 MiB + 1.5 x bytes in flight) in ${overRss.length}/${measured.length} cases; ` +
        `the server's RSS was ${num(idleRssMiB)} MiB idle after start-up`,
    );
  }
  if (notes.length > 0) out.push('', ...notes);
  if (kernels !== undefined) {
    out.push('', kernelTable(kernels.results, kernels.bandwidth));
    const timed = kernels.results.filter((r) => !isNoRead(r) && !r.problem);
    const share = (r: KernelResult) => r.gbps / r.readGBps;
    const worstKernel = timed.reduce<KernelResult | undefined>(
      (w, r) => (w === undefined || share(r) < share(w) ? r : w),
      undefined,
    );
    if (worstKernel !== undefined) {
      const atTarget = timed.filter((r) => share(r) >= 0.7).length;
      const local = timed.map((r) => r.readGBps);
      out.push(
        `kernels at >= 70% of read bandwidth: ${atTarget}/${timed.length} (read bandwidth per dtype ` +
          `${Math.min(...local).toFixed(1)}-${Math.max(...local).toFixed(1)} GB/s); slowest ${worstKernel.dtype} ` +
          `${worstKernel.variant} ${worstKernel.op} ${worstKernel.gbps.toFixed(2)} GB/s (${(share(worstKernel) * 100).toFixed(0)}%)`,
      );
    }
  }
  if (profileText !== undefined) out.push('', profileText);
  const ratioRows = rows.filter((r) => r.c.target.kind === 'ratio' && r.ratio !== undefined);
  const worst = ratioRows.reduce<Row | undefined>(
    (w, r) => (w === undefined || r.ratio! < w.ratio! ? r : w),
    undefined,
  );
  const met = rows.filter((r) => r.met).length;
  const void_ = rows.filter((r) => r.problem !== undefined).length;
  out.push('');
  out.push(
    `worst ratio: ${worst === undefined ? '-' : `${worst.ratio!.toFixed(2)} (${worst.c.name}, target ${(worst.c.target as { min: number }).min})`}; ` +
      `${met}/${rows.length} case targets met; ${void_} void; ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  process.stdout.write(`${out.join('\n')}\n`);

  mkdirSync(join(args.json, '..'), { recursive: true });
  writeFileSync(
    args.json,
    `${JSON.stringify({ date: new Date().toISOString(), argv: process.argv.slice(2), pinned: canPin, idleLoopP99Ms, idleRssMiB, rows: rows.map((r) => ({ ...r, obj: r.obj.name })), kernels }, null, 2)}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(1);
});
