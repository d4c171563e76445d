/**
 * A real S3 endpoint for integration tests: moto's server (test/support/moto-server.py) with SigV4 checking on,
 * started on 127.0.0.1 with a port picked at run time. `stop()` kills it; the Python side also exits on its own
 * when this process goes away (it watches its stdin), so a crashed test run leaves nothing behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import aws4 from 'aws4';
import { request } from 'undici';

export interface S3Identity {
  accessKey: string;
  secretKey: string;
}

export interface S3Server {
  /** `http://127.0.0.1:PORT`, the value of a Location's `endpoint`. */
  endpoint: string;
  /** Allowed every S3 action. */
  accessKey: string;
  secretKey: string;
  /** A valid IAM identity refused every S3 action (AccessDenied). */
  denied: S3Identity;
  /** Creates a bucket; `public: true` adds a bucket policy letting anyone GET its objects unsigned. */
  makeBucket(name: string, opts?: { public?: boolean }): Promise<void>;
  /** Uploads an object (signed as the admin identity); `headers` adds e.g. `x-amz-storage-class`. */
  put(bucket: string, key: string, bytes: Uint8Array, headers?: Record<string, string>): Promise<void>;
  /** Last lines moto wrote to stderr, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./moto-server.py', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;
const LOG_LIMIT = 16_384;

interface Ready {
  endpoint: string;
  admin: S3Identity;
  denied: S3Identity;
}

/** Encodes an S3 key the AWS way, written independently of src/ so a mistake there cannot hide here. */
function awsEncode(key: string): string {
  return Array.from(Buffer.from(key, 'utf8'))
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9\-._~/]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

export async function startS3Server(): Promise<S3Server> {
  const child = spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    log = (log + text).slice(-LOG_LIMIT);
  });
  // A test process that exits without calling stop() still takes moto down with it.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let ready: Ready;
  try {
    ready = await waitForReady(child, () => log);
  } catch (err) {
    process.removeListener('exit', killOnExit);
    await kill(child);
    throw err;
  }

  const url = new URL(ready.endpoint);
  const admin = ready.admin;

  async function send(method: string, path: string, body: Uint8Array, headers: Record<string, string>) {
    // Without a content type aws4 declares a form body, which the server parses away as form fields.
    headers = { 'content-type': 'application/octet-stream', ...headers };
    const signed = aws4.sign(
      { host: url.host, path, method, service: 's3', region: 'us-east-1', headers, body: Buffer.from(body) },
      { accessKeyId: admin.accessKey, secretAccessKey: admin.secretKey },
    );
    const res = await request(`${ready.endpoint}${path}`, {
      method: method as 'PUT',
      headers: signed.headers as Record<string, string>,
      body: Buffer.from(body),
    });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`moto ${method} ${path} answered ${res.statusCode}: ${text}`);
  }

  return {
    endpoint: ready.endpoint,
    accessKey: admin.accessKey,
    secretKey: admin.secretKey,
    denied: ready.denied,
    async makeBucket(name, opts = {}) {
      await send('PUT', `/${name}`, new Uint8Array(), {});
      if (opts.public) {
        const policy = {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${name}/*` },
          ],
        };
        await send('PUT', `/${name}?policy`, Buffer.from(JSON.stringify(policy)), {
          'content-type': 'application/json',
        });
      }
    },
    async put(bucket, key, bytes, headers = {}) {
      await send('PUT', `/${bucket}/${awsEncode(key)}`, bytes, headers);
    },
    logs: () => log,
    async stop() {
      process.removeListener('exit', killOnExit);
      await kill(child);
    },
  };
}

function waitForReady(child: ChildProcess, logs: () => string): Promise<Ready> {
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`moto S3 server did not start: ${why}\n${logs()}`));
    };
    const timer = setTimeout(() => fail(`no ready line within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited with ${code ?? signal}`));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => {
      out += text;
      const newline = out.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      try {
        resolve(JSON.parse(out.slice(0, newline)) as Ready);
      } catch {
        fail(`unexpected output ${JSON.stringify(out.slice(0, 200))}`);
      }
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.stdin?.end();
    child.kill('SIGTERM');
  });
}
