/**
 * The server under test as its own process: the compiled CLI (`node dist/cli.js serve`), as a user runs it, on a
 * port chosen at run time, optionally pinned to some CPUs and profiled with --cpu-prof.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pinned, stopChild } from './proc.js';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Last lines the server wrote to stderr (its warnings and errors). */
  logs(): string;
  /** SIGINT (the CLI's graceful shutdown, which also lets --cpu-prof write its profile), then waits for exit. */
  stop(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/ is missing or older than src/; `npm run build` is then needed. */
export function distIsStale(root: string): boolean {
  const cli = join(root, 'dist', 'cli.js');
  return !existsSync(cli) || statSync(cli).mtimeMs < newestMtime(join(root, 'src'));
}

export function build(root: string): void {
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `npm run build failed; the bench times the compiled server (dist/):\n${result.stdout}${result.stderr}`,
    );
  }
}

/** The node flags of `npm run serve`, so the bench times the server as the README tells users to run it. */
function serveNodeFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { serve: string } };
  const words = pkg.scripts.serve.split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/cli.js'));
}

export async function startServer(
  root: string,
  opts: { cpus: string | undefined; cpuProfDir: string | undefined; env: Record<string, string> },
): Promise<ServerProcess> {
  const nodeArgs = [
    ...serveNodeFlags(root),
    ...(opts.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir]),
  ];
  const [cmd, args] = pinned(opts.cpus, [
    process.execPath,
    ...nodeArgs,
    join(root, 'dist', 'cli.js'),
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--log-level',
    'warn',
  ]);
  const child: ChildProcess = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 20 s:\n${stderr}`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${stderr}`));
    });
    let ready = false;
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      stderr = (stderr + t).slice(-16_000);
      const match = ready ? null : /listening on (\S+)/.exec(stderr);
      if (match) {
        ready = true;
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve(match[1]!);
      }
    });
  });
  // taskset execs node in place, so the child's PID is the server's.
  return {
    url,
    pid: child.pid!,
    logs: () => stderr,
    stop: () => stopChild(child, 'SIGINT', 15_000),
  };
}
