/**
 * One load run with wrk (Debian's `wrk`, C, epoll): a fixed number of keep-alive connections, each sending the
 * same request back to back for a fixed time. wrk parses responses without keeping the body, so it reads a
 * direct GET as fast as the store can send it; a Lua `done` hook prints the counts and latency percentiles (µs)
 * as JSON.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinned } from './proc.js';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationS: number;
  /** CPUs for wrk (taskset -c), or undefined for any. */
  cpus: string | undefined;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  /** Responses with a status outside 2xx/3xx. */
  badStatus: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
}

let scriptCount = 0;

function luaString(s: string): string {
  // A long bracket with a level no JSON body contains, so nothing needs escaping.
  return `[==[${s}]==]`;
}

export async function runWrk(spec: LoadSpec, workDir: string): Promise<LoadResult> {
  const lines = [`wrk.method = "${spec.method}"`];
  for (const [k, v] of Object.entries(spec.headers))
    lines.push(`wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`);
  if (spec.body !== undefined) lines.push(`wrk.body = ${luaString(spec.body)}`);
  lines.push(`done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"socket":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end`);
  const script = join(workDir, `wrk-${++scriptCount}.lua`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  const [cmd, args] = pinned(spec.cpus, [
    'wrk',
    '-t1',
    `-c${spec.connections}`,
    `-d${spec.durationS}s`,
    '--timeout',
    '60s',
    '-s',
    script,
    spec.url,
  ]);
  const out = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => {
      stdout += t;
    });
    child.stderr.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new Error(`wrk exited with ${code}: ${stderr}${stdout}`));
    });
  });
  const line = out.stdout.split('\n').find((l) => l.startsWith('WRKJSON '));
  if (line === undefined) throw new Error(`wrk printed no result: ${out.stderr}${out.stdout}`);
  const r = JSON.parse(line.slice('WRKJSON '.length)) as Record<string, number>;
  return {
    requests: r.requests!,
    durationS: r.duration_us! / 1e6,
    badStatus: r.status!,
    socketErrors: r.socket!,
    latencyMs: {
      p50: r.p50! / 1000,
      p90: r.p90! / 1000,
      p99: r.p99! / 1000,
      max: r.max! / 1000,
      mean: r.mean! / 1000,
    },
  };
}
