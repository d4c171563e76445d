/**
 * `s3-active-storage reduce`: one request to a running server over HTTP, its answer decoded (CBOR for v2, raw bytes
 * plus x-activestorage-* headers for v1) and printed. A client only: every rule is the server's.
 */
import { decode } from 'cbor2';
import { errorBodySchema, parseV1ResultHeaders, v2ResponseSchema } from '../http/response-schemas.js';
import { parseReduceArgs, REDUCE_USAGE, type ReduceCommand, UsageError } from './reduce-args.js';
import { decodePacked, formatHuman, formatJson, type ReduceResult } from './result.js';

export interface ClientIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch?: typeof fetch;
}

/** A failure to report as one line: the server's error, an unreachable server, an unreadable answer. */
export class RequestFailed extends Error {
  override name = 'RequestFailed';
}

function describeError(status: number, statusText: string, body: Uint8Array): string {
  const text = Buffer.from(body).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const error = errorBodySchema.safeParse(parsed);
  if (!error.success) {
    const shown = text.trim().replace(/\s+/g, ' ').slice(0, 300);
    return `HTTP ${status} ${statusText}${shown ? `: ${shown}` : ''}`;
  }
  const { message, caused_by } = error.data.error;
  return `HTTP ${status}: ${message}${caused_by ? ` (caused by: ${caused_by.join('; ')})` : ''}`;
}

function readV2(body: Uint8Array): ReduceResult {
  let decoded: unknown;
  try {
    decoded = decode(body);
  } catch (err) {
    throw new RequestFailed(`the answer is not CBOR: ${(err as Error).message}`);
  }
  const parsed = v2ResponseSchema.safeParse(decoded);
  if (!parsed.success) {
    throw new RequestFailed(`the answer is not a v2 result: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const r = parsed.data;
  // With option_*_as_bytes the lists are empty and the values travel as packed 64-bit integers (API.md §4).
  const shape = r.shape_as_bytes.byteLength > 0 ? decodePacked(r.shape_as_bytes, false).map(Number) : r.shape;
  const count = r.count_as_bytes.byteLength > 0 ? decodePacked(r.count_as_bytes, true) : r.count;
  return { dtype: r.dtype, shape, count, bytes: r.bytes };
}

function readV1(body: Uint8Array, headers: Headers): ReduceResult {
  try {
    const { dtype, shape, count } = parseV1ResultHeaders((name) => headers.get(name));
    return { dtype, shape, count, bytes: body };
  } catch (err) {
    throw new RequestFailed(`the answer is not a v1 result: ${(err as Error).message}`);
  }
}

export async function sendReduce(cmd: ReduceCommand, fetchImpl: typeof fetch = fetch): Promise<ReduceResult> {
  const url = `${cmd.server}/${cmd.api}/${encodeURIComponent(cmd.op)}`;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cmd.credentials !== undefined) {
    const pair = `${cmd.credentials.user}:${cmd.credentials.password}`;
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  let res: Response;
  let body: Uint8Array;
  try {
    res = await fetchImpl(url, { method: 'POST', headers, body: cmd.body });
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new RequestFailed(`cannot reach ${cmd.server}: ${cause ?? (err as Error).message}`);
  }
  if (!res.ok) throw new RequestFailed(describeError(res.status, res.statusText, body));
  return cmd.api === 'v2' ? readV2(body) : readV1(body, res.headers);
}

/** Runs the command; returns the process exit status (0 ok, 1 request failed, 2 usage mistake). */
export async function runReduce(argv: string[], io: ClientIo): Promise<number> {
  const name = 's3-active-storage reduce';
  let cmd: ReduceCommand | undefined;
  try {
    cmd = parseReduceArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`${name}: ${err.message} (see ${name} --help)\n`);
    return 2;
  }
  if (cmd === undefined) {
    io.stdout(REDUCE_USAGE);
    return 0;
  }
  let text: string;
  try {
    const result = await sendReduce(cmd, io.fetch);
    try {
      text = cmd.json ? formatJson(result, cmd, cmd.order) : formatHuman(result, cmd.order);
    } catch (err) {
      throw new RequestFailed(`the answer cannot be read: ${(err as Error).message}`);
    }
  } catch (err) {
    if (!(err instanceof RequestFailed)) throw err;
    io.stderr(`${name}: ${err.message}\n`);
    return 1;
  }
  io.stdout(text);
  return 0;
}
