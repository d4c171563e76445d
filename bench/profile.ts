/**
 * Summarises a V8 `.cpuprofile` (written by `node --cpu-prof`): self time per function and per source file, the
 * numbers docs/performance.md quotes. Usable alone:
 *
 *   node --import tsx bench/profile.ts test-output/bench/profile/CPU.*.cpuprofile
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  /** Share of the samples that were not idle. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

/** node_modules/undici/lib/x.js → undici/lib/x.js; /repo/dist/ops/sum.js → dist/ops/sum.js. */
function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const dist = path.lastIndexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  return path;
}

export function summariseProfile(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // Each sample's time is the gap to the next sample (the last one gets the mean gap).
  const meanGap = samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (let i = 0; i < samples.length; i++) {
    const gap = i + 1 < deltas.length ? deltas[i + 1]! : meanGap;
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + gap);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    // piscina's workers block in Atomics.wait between tasks: waiting, not work.
    if (functionName === '(idle)' || functionName === 'atomicsWaitLoop') {
      idleUs += us;
      continue;
    }
    const file = shortUrl(url);
    const name = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const busyUs = Math.max(1, totalUs - idleUs);
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busyUs }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, functions: rank(byFunction), files: rank(byFile) };
}

/** The thread a `--cpu-prof` file belongs to: its name is CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile. */
export function profileThread(file: string): string {
  const thread = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
  return thread === '0' ? 'main thread' : `worker thread ${thread ?? '?'}`;
}

export function formatSummary(s: ProfileSummary, what = 'profile'): string {
  const idle = ((s.idleMs / Math.max(1, s.totalMs)) * 100).toFixed(0);
  const lines = [
    `${what}: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${idle}% idle or waiting; shares below are of the busy time`,
    '',
    'top self time by function:',
    ...s.functions.map(
      (f) => `  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`,
    ),
    '',
    'self time by file:',
    ...s.files.map(
      (f) => `  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`,
    ),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const path of process.argv.slice(2)) {
    process.stdout.write(`${path}\n${formatSummary(summariseProfile(path), profileThread(path))}\n`);
  }
}
