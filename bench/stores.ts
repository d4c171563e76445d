/**
 * The stores the bench reads from, each started on 127.0.0.1 with a port chosen at run time:
 *
 * - nginx (Debian's package) serving the data directory: a fast, native HTTP range store (sendfile from the page
 *   cache), so the server's own costs are not hidden behind a slow store.
 * - s3demo: the embedded S3 store of `npm start` (src/demo/demo-store.ts) in its own process. SigV4 is verified
 *   on every request, objects are in memory; it is Node, so it moves a few GB/s, far more than moto.
 * - moto: the S3 server the integration tests use (test/support/s3-server.ts). It is Python and needs ~35 ms per
 *   request and ~350 MB/s, so it bounds both the direct GET and the server alike; it is kept for the small cases
 *   as the reference S3 implementation, but the S3 throughput matrix runs against s3demo.
 *
 * Both S3 stores get signed requests: the bench signs the direct GETs (aws4, the same signer src/ uses) and the
 * server signs its own from the Basic credentials it is sent, so the store does the same work in both runs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import aws4 from 'aws4';
import { request } from 'undici';
import { startS3Server } from '../test/support/s3-server.js';
import { freePort, hasCommand, stopChild } from './proc.js';

export type StoreKind = 'nginx' | 's3demo' | 'moto';

export interface Store {
  kind: StoreKind;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Path of an object for a direct GET (`/name` or `/bench/name`). */
  path(name: string): string;
  /** The v2 request fields that name the object. */
  location(name: string): { interface_type: 's3' | 'http'; url: string };
  /** `Authorization` header for requests to our server (Basic S3 keys), if the store needs credentials. */
  serverAuthorization: string | undefined;
  /** Headers of a direct GET of bytes [0, size) (SigV4-signed for S3 stores, valid for 15 minutes). */
  directHeaders(name: string, size: number): Record<string, string>;
  stop(): Promise<void>;
}

const BUCKET = 'bench';

export const NGINX_MISSING = `nginx is not installed, and the bench needs it as its HTTP range store.
Install it with (Debian/Ubuntu):  sudo apt-get update && sudo apt-get install -y nginx
(The bench only runs the nginx binary: it starts its own instance on a free port with a config in a temp
directory, and never touches the system's nginx configuration or service.) To run without nginx, skip its cases:
  npm run bench -- --filter '^(s3demo|moto)|kernels'`;

export const WRK_MISSING = `wrk is not installed, and the bench uses it as its load generator.
Install it with (Debian/Ubuntu):  sudo apt-get update && sudo apt-get install -y wrk
(autocannon from npm was tried first: it turns every response body into a JavaScript string, which caps it near
60 MB/s on a 16 MiB body, so it cannot stand in for a client reading a chunk directly.)`;

export function nginxBinary(): string | undefined {
  if (hasCommand('nginx')) return 'nginx';
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) =>
    existsSync(p),
  );
}

async function waitForHttp(
  url: string,
  child: ChildProcess,
  what: string,
  logs: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await request(url);
      await res.body.dump();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${what} did not answer ${url} within 10 s:\n${logs()}`);
}

/** nginx in the foreground, one process, serving `dataDir`; its config, logs and temp files live under `workDir`. */
export async function startNginx(dataDir: string, workDir: string): Promise<Store> {
  const binary = nginxBinary();
  if (binary === undefined) throw new Error(NGINX_MISSING);
  const prefix = join(workDir, 'nginx');
  mkdirSync(join(prefix, 'tmp'), { recursive: true });
  const errorLog = join(prefix, 'error.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // One process (no master): nothing to reload, one PID to pin and stop. Running as root it keeps root, which
    // the 0700 temp directory needs. sendfile from the page cache is nginx's fastest path for static ranges.
    // No tcp_nopush: with it, a 64 KiB response waits for the client's delayed ACK (p99 42 ms instead of 0.1 ms).
    const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path ${join(prefix, 'tmp')};
  proxy_temp_path ${join(prefix, 'tmp')};
  fastcgi_temp_path ${join(prefix, 'tmp')};
  uwsgi_temp_path ${join(prefix, 'tmp')};
  scgi_temp_path ${join(prefix, 'tmp')};
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port};
    root ${dataDir};
  }
}
`;
    const confPath = join(prefix, 'nginx.conf');
    writeFileSync(confPath, conf);
    const child = spawn(binary, ['-p', prefix, '-c', confPath, '-e', errorLog], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (t: string) => {
      stderr += t;
    });
    const logs = () => `${stderr}${existsSync(errorLog) ? readFileSync(errorLog, 'utf8').slice(-4000) : ''}`;
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${origin}/`, child, 'nginx', logs);
    } catch (err) {
      await stopChild(child);
      // Another program may have taken the port between freePort() and nginx's bind.
      if (attempt < 3 && /in use/i.test(logs())) continue;
      throw err;
    }
    return {
      kind: 'nginx',
      origin,
      path: (name) => `/${name}`,
      location: (name) => ({ interface_type: 'http', url: `${origin}/${name}` }),
      serverAuthorization: undefined,
      directHeaders: (_name, size) => ({ range: `bytes=0-${size - 1}` }),
      stop: () => stopChild(child, 'SIGQUIT'),
    };
  }
}

function s3Store(
  kind: StoreKind,
  origin: string,
  keys: { accessKey: string; secretKey: string },
  stop: () => Promise<void>,
): Store {
  const host = new URL(origin).host;
  return {
    kind,
    origin,
    path: (name) => `/${BUCKET}/${name}`,
    location: (name) => ({ interface_type: 's3', url: `${origin}/${BUCKET}/${name}` }),
    serverAuthorization: `Basic ${Buffer.from(`${keys.accessKey}:${keys.secretKey}`).toString('base64')}`,
    directHeaders(name, size) {
      const signed = aws4.sign(
        {
          host,
          path: `/${BUCKET}/${name}`,
          method: 'GET',
          service: 's3',
          region: 'us-east-1',
          headers: { range: `bytes=0-${size - 1}` },
        },
        { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey },
      );
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(signed.headers ?? {})) {
        if (k.toLowerCase() !== 'host') headers[k.toLowerCase()] = String(v);
      }
      return headers;
    },
    stop,
  };
}

/** The demo store in a child process (inheriting the bench's CPU affinity), holding `names` from `dataDir`. */
export async function startDemoStoreProcess(dataDir: string, names: string[]): Promise<Store> {
  const keys = { accessKey: 'benchkey', secretKey: 'benchsecret' };
  const script = fileURLToPath(new URL('./demo-store-process.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, JSON.stringify({ dir: dataDir, names, ...keys })],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (t: string) => {
    stderr = (stderr + t).slice(-8000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`demo store did not start within 30 s:\n${stderr}`)),
      30_000,
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo store exited with ${code}:\n${stderr}`));
    });
    let ready = false;
    child.stdout?.setEncoding('utf8').on('data', (t: string) => {
      out += t;
      const newline = out.indexOf('\n');
      if (ready || newline < 0) return;
      ready = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve((JSON.parse(out.slice(0, newline)) as { url: string }).url);
    });
  });
  return s3Store('s3demo', url, keys, async () => {
    child.stdin?.end();
    await stopChild(child);
  });
}

/** moto (test/support/s3-server.ts) with `names` from `dataDir` uploaded into bucket `bench`. */
export async function startMoto(dataDir: string, names: string[]): Promise<Store> {
  const s3 = await startS3Server();
  await s3.makeBucket(BUCKET);
  for (const name of names) await s3.put(BUCKET, name, readFileSync(join(dataDir, name)));
  return s3Store('moto', s3.endpoint, { accessKey: s3.accessKey, secretKey: s3.secretKey }, () => s3.stop());
}
