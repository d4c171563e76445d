/**
 * `s3-active-storage reduce OP URL --dtype ... [flags]` -> the request to send. Every request field has a flag; the
 * body is built as JSON text so numbers keep the exact literal typed (an int64 fill value past 2^53 must not be
 * rounded). Field values are checked here only for syntax; the server validates them (one set of rules).
 */
import { parseArgs } from 'node:util';
import { OP_NAMES } from '../ops/registry.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ReduceCommand {
  api: 'v1' | 'v2';
  op: string;
  /** Server base URL without a trailing slash. */
  server: string;
  credentials: { user: string; password: string } | undefined;
  /** The JSON body, exactly as it will be sent. */
  body: string;
  /** Layout of the result bytes, to print them in their logical shape. */
  order: 'C' | 'F';
  json: boolean;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8000';

export const REDUCE_USAGE = `usage: s3-active-storage reduce OP URL --dtype DTYPE [options]
       s3-active-storage reduce OP --api v1 --source URL --bucket NAME --object KEY --dtype DTYPE [options]

Sends one reduction to a running s3-active-storage (or Reductionist) server and prints the result.
OP is one of ${OP_NAMES.join(', ')}. URL is the object's URL: for S3, http(s)://endpoint/bucket/key (path style).

request fields (each is the JSON field of the same name; see GET /docs on the server):
  --dtype DTYPE                 element type: int32, int64, uint32, uint64, float32, float64, int8, ... (required)
  --interface-type TYPE         s3 (default), http, https or file (v2 only)
  --byte-order little|big       byte order of the stored elements
  --offset N                    first byte of the data in the object
  --size N                      number of stored bytes from offset
  --shape 2,3                   dimensions (or JSON: [2,3])
  --order C|F                   memory layout of the decoded array
  --selection 0:2:1,1:3:1       one start:end:stride per dimension; parts may be empty as in Python
                                (::-1, 2:, :5); or JSON: [[0,2,1],[1,3,1]]
  --axis 1 | 0,2 | []           axes to reduce over (default: all)
  --compression ID              gzip, zlib, blosc2, blosc, zstd, lz4, bz2 (or a JSON object)
  --filter ID[:N[:B]]           repeatable, in the order applied when writing: shuffle:4 (element_size 4),
                                bitshuffle:4:64 (element_size, block_size), delta:int16 (astype), fletcher32,
                                or a JSON object
  --missing-value X             elements equal to X are missing
  --missing-values X,Y          elements equal to any of these are missing (or JSON: [X,Y])
  --valid-min X                 elements below X are missing
  --valid-max X                 elements above X are missing
  --valid-range MIN,MAX         elements outside [MIN, MAX] are missing
  --option-disable-chunk-cache  skip the server's chunk cache
  --option-shape-as-bytes       v2: ask for the shape as packed u64 bytes
  --option-count-as-bytes       v2: ask for the counts as packed i64 bytes

v1 (S3 Active Storage prototype API):
  --api v1|v2                   API version (default v2)
  --source URL                  S3 endpoint; --bucket NAME, --object KEY: the object (verbatim key).
                                Without them, they are taken from URL.

connection and output:
  --server URL                  server address (default ${DEFAULT_SERVER})
  --user KEY --password SECRET  S3 credentials, sent as Basic auth (default: AWS_ACCESS_KEY_ID and
                                AWS_SECRET_ACCESS_KEY from the environment)
  --anonymous                   send no credentials, even if the environment has some
  --json                        print the result as one JSON object
  -h, --help                    show this help

Exit status: 0 on success, 1 when the server answers with an error or cannot be reached, 2 for a usage mistake.

example (against \`npm start\`; prints 45.0):
  s3-active-storage reduce sum http://localhost:9000/sample-data/data-float32.dat --dtype float32 \\
    --user minioadmin --password minioadmin
`;

const STRING_FLAGS = [
  'dtype',
  'interface-type',
  'byte-order',
  'offset',
  'size',
  'shape',
  'order',
  'selection',
  'axis',
  'compression',
  'missing-value',
  'missing-values',
  'valid-min',
  'valid-max',
  'valid-range',
  'api',
  'source',
  'bucket',
  'object',
  'server',
  'user',
  'password',
] as const;
const BOOLEAN_FLAGS = [
  'option-disable-chunk-cache',
  'option-shape-as-bytes',
  'option-count-as-bytes',
  'anonymous',
  'json',
  'help',
] as const;

type Flags = Partial<Record<(typeof STRING_FLAGS)[number], string>> &
  Partial<Record<(typeof BOOLEAN_FLAGS)[number], boolean>> & { filter?: string[] };

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const INT64_MIN = '-9223372036854775808';
const INT64_MAX = '9223372036854775807';

function integer(text: string, flag: string): string {
  const t = text.trim();
  if (!INTEGER.test(t)) throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not an integer`);
  return t;
}

function number(text: string, flag: string): string {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not a number`);
  return t;
}

/** JSON given on the command line is checked for syntax, then sent as typed (so big integers stay exact). */
function jsonText(text: string, flag: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--${flag}: not valid JSON: ${(err as Error).message}`);
  }
  return text.trim();
}

function isJson(text: string): boolean {
  return /^\s*[[{]/.test(text);
}

/** `a,b,c` (each checked by `item`) or a JSON array. */
function list(text: string, flag: string, item: (t: string, f: string) => string): string {
  if (isJson(text)) return jsonText(text, flag);
  return `[${text.split(',').map((part) => item(part, flag))}]`;
}

/** One `start:end:stride` with Python's defaults for empty parts. */
function slice(text: string, flag: string): string {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3) {
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} is not start:end:stride`);
  }
  const [start = '', end = '', stride = ''] = parts.map((p) => p.trim());
  const step = stride === '' ? '1' : integer(stride, flag);
  const backwards = step.startsWith('-');
  // slice.indices clamps out-of-range bounds, so int64 extremes mean "from the first" / "to the last" element.
  const from = start === '' ? (backwards ? '-1' : '0') : integer(start, flag);
  const to = end === '' ? (backwards ? INT64_MIN : INT64_MAX) : integer(end, flag);
  return `[${from},${to},${step}]`;
}

function codec(text: string, flag: string): string {
  if (isJson(text)) return jsonText(text, flag);
  const [id = '', ...args] = text.split(':').map((p) => p.trim());
  if (!/^[a-z0-9_]+$/.test(id))
    throw new UsageError(`--${flag}: ${JSON.stringify(text)} does not start with an id`);
  const fields = [`"id":${JSON.stringify(id)}`];
  if (id === 'delta') {
    if (args.length > 1) throw new UsageError(`--${flag}: delta takes one argument, delta:DTYPE`);
    if (args[0]) fields.push(`"astype":${JSON.stringify(args[0])}`);
  } else {
    if (args.length > 2) throw new UsageError(`--${flag}: ${JSON.stringify(text)} has too many parts`);
    if (args[0] !== undefined) fields.push(`"element_size":${integer(args[0], flag)}`);
    if (args[1] !== undefined) fields.push(`"block_size":${integer(args[1], flag)}`);
  }
  return `{${fields.join(',')}}`;
}

function missing(flags: Flags): string | undefined {
  const rules: [string, string][] = [];
  if (flags['missing-value'] !== undefined) {
    rules.push(['missing_value', number(flags['missing-value'], 'missing-value')]);
  }
  if (flags['missing-values'] !== undefined) {
    rules.push(['missing_values', list(flags['missing-values'], 'missing-values', number)]);
  }
  if (flags['valid-min'] !== undefined) rules.push(['valid_min', number(flags['valid-min'], 'valid-min')]);
  if (flags['valid-max'] !== undefined) rules.push(['valid_max', number(flags['valid-max'], 'valid-max')]);
  if (flags['valid-range'] !== undefined) {
    rules.push(['valid_range', list(flags['valid-range'], 'valid-range', number)]);
  }
  if (rules.length > 1) {
    throw new UsageError(
      'give one of --missing-value, --missing-values, --valid-min, --valid-max, --valid-range: a request has one missing rule',
    );
  }
  const [rule] = rules;
  return rule === undefined ? undefined : `{${JSON.stringify(rule[0])}:${rule[1]}}`;
}

/** http(s)://endpoint/bucket/key -> v1 source, bucket and key (API.md §8.1 rules for splitting the path). */
export function splitS3Url(url: string): { source: string; bucket: string; object: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`URL ${JSON.stringify(url)} is not an absolute URL`);
  }
  const [bucket = '', ...key] = parsed.pathname.slice(1).split('/');
  const object = key.map(decodeURIComponent).join('/').replace(/^\/+/, '');
  if (bucket === '' || object === '') {
    throw new UsageError(`URL ${JSON.stringify(url)} does not name a bucket and a key (endpoint/bucket/key)`);
  }
  return { source: parsed.origin, bucket: decodeURIComponent(bucket), object };
}

function v1Location(flags: Flags, url: string | undefined): [string, string][] {
  if (flags['interface-type'] !== undefined)
    throw new UsageError('--interface-type is a v2 field; v1 is always S3');
  const fromUrl = url === undefined ? undefined : splitS3Url(url);
  const source = flags.source ?? fromUrl?.source;
  const bucket = flags.bucket ?? fromUrl?.bucket;
  const object = flags.object ?? fromUrl?.object;
  if (source === undefined || bucket === undefined || object === undefined) {
    throw new UsageError('v1 needs the object: give URL, or --source, --bucket and --object');
  }
  return [
    ['source', JSON.stringify(source)],
    ['bucket', JSON.stringify(bucket)],
    ['object', JSON.stringify(object)],
  ];
}

function v2Location(flags: Flags, url: string | undefined): [string, string][] {
  for (const flag of ['source', 'bucket', 'object'] as const) {
    if (flags[flag] !== undefined)
      throw new UsageError(`--${flag} is a v1 field; with v2 give the object's URL`);
  }
  if (url === undefined)
    throw new UsageError("missing URL: the object's URL, e.g. http://localhost:9000/bucket/key");
  return [
    ['interface_type', JSON.stringify(flags['interface-type'] ?? 's3')],
    ['url', JSON.stringify(url)],
  ];
}

function body(flags: Flags, api: 'v1' | 'v2', url: string | undefined): string {
  if (flags.dtype === undefined) throw new UsageError('--dtype is required');
  const fields: [string, string][] = api === 'v1' ? v1Location(flags, url) : v2Location(flags, url);
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined) fields.push([name, value]);
  };
  add('dtype', JSON.stringify(flags.dtype));
  add('byte_order', flags['byte-order'] === undefined ? undefined : JSON.stringify(flags['byte-order']));
  add('offset', flags.offset === undefined ? undefined : integer(flags.offset, 'offset'));
  add('size', flags.size === undefined ? undefined : integer(flags.size, 'size'));
  add('shape', flags.shape === undefined ? undefined : list(flags.shape, 'shape', integer));
  add('order', flags.order === undefined ? undefined : JSON.stringify(flags.order));
  if (flags.selection !== undefined) {
    const s = flags.selection;
    add(
      'selection',
      isJson(s) ? jsonText(s, 'selection') : `[${s.split(',').map((p) => slice(p, 'selection'))}]`,
    );
  }
  if (flags.axis !== undefined) {
    const a = flags.axis;
    add(
      'axis',
      isJson(a) ? jsonText(a, 'axis') : a.includes(',') ? list(a, 'axis', integer) : integer(a, 'axis'),
    );
  }
  add('compression', flags.compression === undefined ? undefined : codec(flags.compression, 'compression'));
  if (flags.filter !== undefined) add('filters', `[${flags.filter.map((f) => codec(f, 'filter'))}]`);
  add('missing', missing(flags));
  for (const option of [
    'option-disable-chunk-cache',
    'option-shape-as-bytes',
    'option-count-as-bytes',
  ] as const) {
    if (flags[option]) add(option.replaceAll('-', '_'), 'true');
  }
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

function credentials(flags: Flags, env: NodeJS.ProcessEnv): ReduceCommand['credentials'] {
  if (flags.anonymous) {
    if (flags.user !== undefined || flags.password !== undefined) {
      throw new UsageError('--anonymous and --user/--password exclude each other');
    }
    return undefined;
  }
  if ((flags.user === undefined) !== (flags.password === undefined)) {
    throw new UsageError('give --user and --password together');
  }
  if (flags.user !== undefined && flags.password !== undefined)
    return { user: flags.user, password: flags.password };
  const user = env.AWS_ACCESS_KEY_ID;
  const password = env.AWS_SECRET_ACCESS_KEY;
  return user && password ? { user, password } : undefined;
}

/**
 * node's parseArgs takes `-999.0` after `--missing-value` for an option, not a value. A value that starts with a
 * minus sign followed by a digit, a point or a colon (a negative number, a slice) is joined to its flag.
 */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    const flag = arg.startsWith('--') ? arg.slice(2) : undefined;
    const takesValue = flag === 'filter' || (STRING_FLAGS as readonly string[]).includes(flag ?? '');
    if (takesValue && next !== undefined && /^-[\d.:]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** Returns undefined when --help was asked for. */
export function parseReduceArgs(argv: string[], env: NodeJS.ProcessEnv): ReduceCommand | undefined {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {
    filter: { type: 'string', multiple: true },
  };
  for (const f of STRING_FLAGS) options[f] = { type: 'string' };
  for (const f of BOOLEAN_FLAGS) options[f] = { type: 'boolean' };
  (options.help as { short?: string }).short = 'h';
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv), options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flags = parsed.values as Flags;
  if (flags.help) return undefined;
  const [op, url, ...extra] = parsed.positionals;
  if (op === undefined) throw new UsageError(`missing OP: one of ${OP_NAMES.join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const api = flags.api ?? 'v2';
  if (api !== 'v1' && api !== 'v2')
    throw new UsageError(`--api must be v1 or v2, got ${JSON.stringify(api)}`);
  if (api === 'v1' && (flags['option-shape-as-bytes'] || flags['option-count-as-bytes'])) {
    throw new UsageError('--option-shape-as-bytes and --option-count-as-bytes have no effect in v1');
  }
  const server = (flags.server ?? DEFAULT_SERVER).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(server))
    throw new UsageError(`--server must be an http(s) URL, got ${server}`);
  return {
    api,
    op,
    server,
    credentials: credentials(flags, env),
    body: body(flags, api, url),
    // Any other value is the server's to refuse; the layout only matters for printing a success.
    order: flags.order === 'F' ? 'F' : 'C',
    json: flags.json === true,
  };
}
