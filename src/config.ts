/**
 * One settings table: env name, CLI flag, default, description (which feeds `--help`) and a zod schema per setting.
 * `loadConfig` checks every setting and cross-field rule and either returns a frozen Config or throws one error
 * listing every problem. Nothing else reads `process.env`.
 */
import { availableParallelism, totalmem } from 'node:os';
import { z } from 'zod';
import { DEFAULT_THRESHOLD_BYTES } from './compute/pool.js';
import { allowListProblems } from './storage/allow-list.js';

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== ''),
  )
  .pipe(z.array(z.string()));

interface Setting<S extends z.ZodType> {
  env: string;
  flag: string;
  default: string | undefined;
  description: string;
  schema: S;
  secret?: boolean;
}

function setting<S extends z.ZodType>(s: Setting<S>): Setting<S> {
  return s;
}

export const SETTINGS = {
  host: setting({
    env: 'S3AS_HOST',
    flag: 'host',
    default: '127.0.0.1',
    description: 'address to listen on (loopback by default; 0.0.0.0 to expose)',
    schema: z.string().min(1),
  }),
  port: setting({
    env: 'S3AS_PORT',
    flag: 'port',
    default: '8000',
    description: 'port to listen on',
    schema: int(0, 65535),
  }),
  logLevel: setting({
    env: 'S3AS_LOG_LEVEL',
    flag: 'log-level',
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  }),
  bodyLimitBytes: setting({
    env: 'S3AS_BODY_LIMIT_BYTES',
    flag: 'body-limit-bytes',
    default: String(4 * 1024 * 1024),
    description: 'largest accepted request body; larger bodies get 413',
    schema: int(1024),
  }),
  maxDecodedBytes: setting({
    env: 'S3AS_MAX_DECODED_BYTES',
    flag: 'max-decoded-bytes',
    default: String(1024 * 1024 * 1024),
    description:
      'largest decoded chunk (shape x itemsize, or decoded length without shape) one request may name',
    schema: int(1),
  }),
  memoryLimitBytes: setting({
    env: 'S3AS_MEMORY_LIMIT_BYTES',
    flag: 'memory-limit-bytes',
    default: String(totalmem()),
    description: 'memory the server may use for chunks in flight; a request whose size exceeds it gets 400',
    schema: int(1),
  }),
  computeThreads: setting({
    env: 'S3AS_COMPUTE_THREADS',
    flag: 'compute-threads',
    default: String(availableParallelism()),
    description: 'worker threads for decoding and reducing large chunks (default: the number of cores)',
    schema: int(1, 256),
  }),
  computeThresholdBytes: setting({
    env: 'S3AS_COMPUTE_THRESHOLD_BYTES',
    flag: 'compute-threshold-bytes',
    default: String(DEFAULT_THRESHOLD_BYTES),
    description:
      'chunks with at least this much work (decoded bytes, x4 when compressed) run on a worker thread',
    schema: int(0),
  }),
  bufferPoolBytes: setting({
    env: 'S3AS_BUFFER_POOL_BYTES',
    flag: 'buffer-pool-bytes',
    default: String(256 * 1024 * 1024),
    description:
      'receive buffers kept for reuse between requests (saves page faults and GC on large chunks); 0 disables',
    schema: int(0),
  }),
  queueTimeoutMs: setting({
    env: 'S3AS_QUEUE_TIMEOUT_MS',
    flag: 'queue-timeout-ms',
    default: '30000',
    description: 'how long a request may wait for memory before it gets 503 with Retry-After',
    schema: int(1),
  }),
  s3Region: setting({
    env: 'S3AS_S3_REGION',
    flag: 's3-region',
    default: 'us-east-1',
    description: 'region used to sign S3 requests (SigV4)',
    schema: z.string().min(1),
  }),
  connectTimeoutMs: setting({
    env: 'S3AS_CONNECT_TIMEOUT_MS',
    flag: 'connect-timeout-ms',
    default: '10000',
    description: 'upstream connect timeout',
    schema: int(1),
  }),
  upstreamTimeoutMs: setting({
    env: 'S3AS_UPSTREAM_TIMEOUT_MS',
    flag: 'upstream-timeout-ms',
    default: '60000',
    description: 'deadline for one upstream read, headers and body (504 when exceeded)',
    schema: int(1),
  }),
  maxConnectionsPerOrigin: setting({
    env: 'S3AS_MAX_CONNECTIONS_PER_ORIGIN',
    flag: 'max-connections-per-origin',
    default: '64',
    description: 'keep-alive connections kept per upstream origin',
    schema: int(1),
  }),
  allowList: setting({
    env: 'S3AS_ALLOW_UPSTREAMS',
    flag: 'allow-upstreams',
    default: '',
    description:
      'comma-separated upstream origins (http://host:port) and/or CIDR networks; empty allows every upstream',
    schema: list,
  }),
  fileRoots: setting({
    env: 'S3AS_FILE_ROOTS',
    flag: 'file-roots',
    default: '',
    description: 'comma-separated directories readable with interface_type "file"; empty disables it',
    schema: list,
  }),
  tlsCertFile: setting({
    env: 'S3AS_TLS_CERT_FILE',
    flag: 'tls-cert-file',
    default: undefined,
    description: 'PEM certificate: serve HTTPS (needs --tls-key-file)',
    schema: z.string().min(1).optional(),
  }),
  tlsKeyFile: setting({
    env: 'S3AS_TLS_KEY_FILE',
    flag: 'tls-key-file',
    default: undefined,
    description: 'PEM private key for --tls-cert-file',
    schema: z.string().min(1).optional(),
    secret: true,
  }),
  shutdownTimeoutMs: setting({
    env: 'S3AS_SHUTDOWN_TIMEOUT_MS',
    flag: 'shutdown-timeout-ms',
    default: '60000',
    description: 'on SIGINT/SIGTERM, wait this long for requests in flight before exiting',
    schema: int(0),
  }),
};

type Settings = typeof SETTINGS;
export type Config = Readonly<{ [K in keyof Settings]: z.output<Settings[K]['schema']> }>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Resolves each setting from (highest first) `flags` (parsed CLI options, keyed by flag name), `env`, the default.
 * `overrides` (keyed by setting name) are for tests and the demo.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = {},
  flags: Record<string, string | undefined> = {},
  overrides: Partial<Record<keyof Settings, unknown>> = {},
): Config {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [keyof Settings, Setting<z.ZodType>][]) {
    if (Object.hasOwn(overrides, name)) {
      out[name] = overrides[name];
      continue;
    }
    const raw = flags[s.flag] ?? env[s.env] ?? s.default;
    const parsed = s.schema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
    else {
      const shown = s.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`--${s.flag} / ${s.env}: ${parsed.error.issues[0]?.message ?? 'invalid'} (got ${shown})`);
    }
  }
  if ((out.tlsCertFile === undefined) !== (out.tlsKeyFile === undefined)) {
    problems.push('--tls-cert-file and --tls-key-file must be given together');
  }
  if (Array.isArray(out.allowList)) {
    problems.push(
      ...allowListProblems(out.allowList as string[]).map(
        (p) => `--allow-upstreams / S3AS_ALLOW_UPSTREAMS: ${p}`,
      ),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(out) as Config;
}

/** The effective config for the start-up log, secrets redacted. */
export function describeConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(SETTINGS) as [keyof Settings, Setting<z.ZodType>][]) {
    shown[name] = s.secret && config[name] !== undefined ? '(set)' : config[name];
  }
  return shown;
}

export function configHelp(): string {
  return Object.values(SETTINGS)
    .map(
      (s) =>
        `  --${s.flag.padEnd(28)} ${s.description}\n  ${''.padEnd(30)} env ${s.env}${s.default ? `, default ${s.default}` : ''}`,
    )
    .join('\n');
}
