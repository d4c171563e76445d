/**
 * The hot path for plain-HTTP upstreams: a keep-alive HTTP/1.1 GET whose body the kernel copies straight into
 * memory the consumer chose (`net.Socket`'s `onread`), with no per-read allocation.
 *
 * Why not undici alone: undici (and node:http) read every socket chunk into a fresh 64 KiB buffer and then copy it,
 * so a 64 MiB body costs 1,000 allocations, a second copy, and, at GB/s, a stream of old-space collections on the
 * main thread (measured: 63 Mark-Compacts in 4 s, event-loop p99 49-89 ms under 8 x 64 MiB). One 64 MiB GET from
 * nginx on loopback, best of 10: undici `dispatch` into a pooled buffer 1.4 GB/s, `onread` into the final buffer
 * 1.9-2.0 GB/s; into a 256 KiB buffer that a kernel reduces while it is still in cache, wrk's own rate
 * (docs/performance.md).
 *
 * Every answer a store gives is handled with that one GET: a 206 with the asked range streams; a 200 to a ranged
 * read streams the window out of the whole object; a body of unannounced length (chunked, or ended by the close)
 * is read whole first; any other status comes back with the start of its body as text, for the caller to report
 * or follow (a redirect). Only what undici must judge is declined, before any body byte is delivered, to be asked
 * again through undici: https, a malformed or oversized head, a Content-Range that does not match, Content-Length
 * and chunked at once.
 */
import { connect, type LookupFunction, type Socket } from 'node:net';
import type { ByteRange } from '../request/chunk-request.js';
import type { BodySink, OpenSink } from './byte-source.js';
import {
  type Allocate,
  abortReason,
  classifyFailure,
  type Release,
  type StoreName,
  shortRead,
  tooLarge,
  upstreamError,
} from './transport.js';

export interface FastHttpOptions {
  /** Connections kept per origin; when all are busy a request waits for one. */
  maxConnections: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Longest body accepted (TOO_LARGE beyond), as on the undici path; a body of unannounced length holds at most this. */
  maxBytes: number;
  lookup?: LookupFunction | undefined;
}

export interface FastGet {
  /** An `http:` URL's origin parts. */
  hostname: string;
  port: number;
  /** Path and query, already encoded. */
  path: string;
  /** Request headers, lower-case names; `host` is added when missing. */
  headers: Record<string, string>;
  range: ByteRange;
  store: StoreName;
  signal: AbortSignal;
  open: OpenSink;
  /** The whole read's time limit; none when absent (the phase timeouts still apply). */
  deadline?: ReadDeadline | undefined;
}

/**
 * The read's deadline, kept by the exchange's own timer; `expired` is set when it passed. Measured (issue 6): an
 * AbortController, its listener on the caller's signal and a second timer per read (transport.ts's `startDeadline`)
 * were ~6% of the server's busy time on 64 KiB-1 MiB reads.
 */
export interface ReadDeadline {
  timeoutMs: number;
  expired: boolean;
}

/** One ranged GET as `stream`/`readWhole` take it. */
export interface FastRead {
  url: URL;
  /** Path and query, already encoded. */
  path: string;
  /** Request headers, lower-case names. */
  headers: Record<string, string>;
  range: ByteRange;
  signal: AbortSignal;
  store: StoreName;
  /** The whole read's deadline. */
  timeoutMs: number;
}

/** Header bytes a response may have; more is declined (it is no ordinary object store answer). */
const HEAD_BUFFER_BYTES = 16 * 1024;
/** Idle keep-alive connections close after this, before a typical server (nginx 75 s, S3 ~20 s) drops them. */
const IDLE_MS = 4_000;
/**
 * Body bytes the client hands to sinks in one event-loop turn before it pauses its sockets until the next: a sink
 * may run a kernel on each read, and libuv serves up to 32 reads per socket per turn, so without a cap eight busy
 * sockets could hold the loop for tens of milliseconds.
 */
const TURN_BUDGET_BYTES = 8 * 1024 * 1024;

/**
 * What an exchange ended with: the body went through the sink; declined (the caller asks again another way); or any
 * answer other than 200/206 — an error or a redirect — with the start of its body as text, so the caller reports
 * or follows it without asking the store a second time.
 */
export type FastOutcome =
  | { kind: 'done' }
  | { kind: 'declined' }
  | { kind: 'status'; status: number; location: string | undefined; text: string };

const DONE: FastOutcome = { kind: 'done' };
const DECLINED: FastOutcome = { kind: 'declined' };

/** Most bytes of a non-200/206 body kept as text; past it the connection is dropped rather than drained. */
const ERROR_BODY_LIMIT = 65_536;

/**
 * A body read before anything is done with it: the start of an error or redirect answer ('status'), or a 200/206
 * whose length is not announced ('data': chunked, or delimited by the close), whose asked window goes to the sink
 * once complete. Read incrementally, keeping only what is needed; the connection is closed afterwards.
 */
interface BufferedBody {
  kind: 'status' | 'data';
  status: number;
  location: string | undefined;
  framing: 'length' | 'chunked' | 'close';
  /** Body bytes still to come ('length'). */
  remaining: number;
  dechunker: Dechunker | undefined;
  kept: Window;
}

interface Exchange {
  get: FastGet;
  resolve: (outcome: FastOutcome) => void;
  reject: (err: unknown) => void;
  /** Response head bytes seen so far (only when the head spans reads). */
  head: Buffer | undefined;
  sink: BodySink | undefined;
  remaining: number;
  keepAlive: boolean;
  /** Any byte of the response arrived: a failure from here on is not a stale connection. */
  answered: boolean;
  /** Body bytes still to be skipped before the asked ones (a 200 to a ranged read). */
  skip: number;
  /** Set while a body of an error or redirect answer, or of unannounced length, is read. */
  buffered: BufferedBody | undefined;
  /** The phase timeout (connect, then headers) or, once the headers are in, the read's deadline. */
  timer: NodeJS.Timeout | undefined;
  /** `performance.now()` when the read's deadline passes (Infinity without one). */
  deadlineAt: number;
  onAbort: (() => void) | undefined;
}

class Connection {
  readonly socket: Socket;
  readonly headBuffer = Buffer.allocUnsafeSlow(HEAD_BUFFER_BYTES);
  exchange: Exchange | undefined;
  /** Finished at least one exchange: its failure before any answer may be a server-side idle close. */
  reused = false;
  connected = false;

  constructor(
    private readonly client: FastHttpClient,
    readonly key: string,
    hostname: string,
    port: number,
    lookup: LookupFunction | undefined,
  ) {
    this.socket = connect({
      host: hostname,
      port,
      noDelay: true,
      ...(lookup ? { lookup } : {}),
      onread: { buffer: () => this.nextBuffer(), callback: (n, buf) => this.onRead(n, buf) },
    });
    this.socket.once('connect', () => {
      this.connected = true;
    });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => {
      this.client.forget(this);
      const ex = this.exchange;
      if (ex === undefined) return;
      // An error body without a length, or cut short: what arrived is all the text there is.
      if (ex.buffered !== undefined) this.endBuffered(ex, ex.buffered, false);
      else this.fail(closedEarly(ex));
    });
    this.socket.on('timeout', () => {
      const ex = this.exchange;
      if (ex === undefined) this.socket.destroy();
      else this.fail(timeoutError(`no body bytes for ${this.client.options.bodyTimeoutMs} ms`));
    });
  }

  private nextBuffer(): Uint8Array {
    const ex = this.exchange;
    if (ex?.sink === undefined || ex.skip > 0) return this.headBuffer;
    const buf = ex.sink.readBuffer();
    // Never read past the body: whatever follows it would belong to no exchange.
    return buf.byteLength > ex.remaining ? buf.subarray(0, ex.remaining) : buf;
  }

  private onRead(n: number, buf: Uint8Array): boolean {
    const ex = this.exchange;
    if (ex === undefined) {
      // Bytes on an idle connection: nothing asked for them, so the connection can no longer be trusted.
      this.socket.destroy();
      return false;
    }
    ex.answered = true;
    try {
      if (ex.buffered !== undefined) this.onBuffered(ex, ex.buffered, buf.subarray(0, n));
      else if (ex.sink === undefined) this.onHead(ex, buf.subarray(0, n));
      else if (buf === this.headBuffer) this.deliver(ex, buf.subarray(0, n));
      else {
        ex.remaining -= n;
        ex.sink.filled(n);
        if (ex.remaining === 0) this.finish(ex);
      }
    } catch (err) {
      this.fail(err);
      return false;
    }
    return this.client.spend(n, this.socket);
  }

  private onHead(ex: Exchange, bytes: Uint8Array): void {
    let head = ex.head === undefined ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) : undefined;
    if (head === undefined) {
      head = Buffer.concat([ex.head as Buffer, bytes]);
      ex.head = head;
    }
    const end = head.indexOf('\r\n\r\n', 0, 'latin1');
    if (end < 0) {
      if (head.length >= HEAD_BUFFER_BYTES) {
        this.decline(ex);
        return;
      }
      // The head continues in the next read, which lands in the same buffer: keep a copy of this part.
      if (ex.head === undefined) ex.head = Buffer.from(head);
      return;
    }
    const response = parseHead(head.toString('latin1', 0, end));
    // An interim answer (1xx) is followed by the real one: undici's to handle.
    if (response !== undefined && response.status < 200) {
      this.decline(ex);
      return;
    }
    // (Chunked with a Content-Length as well, a request-smuggling shape, is announced: acceptedRange declines it.)
    const unannounced =
      response !== undefined &&
      response.contentLength === undefined &&
      (response.status === 200 ||
        (response.status === 206 && response.contentRange?.start === ex.get.range.offset));
    if (response !== undefined && ((response.status !== 200 && response.status !== 206) || unannounced)) {
      ex.head = undefined;
      this.socket.setTimeout(this.client.options.bodyTimeoutMs);
      const { range, store } = ex.get;
      // 204 and 304 have no body, whatever their headers say.
      const bodiless = response.status === 204 || response.status === 304;
      const buffered: BufferedBody = {
        kind: unannounced ? 'data' : 'status',
        status: response.status,
        location: response.location,
        framing: bodiless
          ? 'length'
          : response.chunked
            ? 'chunked'
            : response.contentLength !== undefined
              ? 'length'
              : 'close',
        remaining: bodiless ? 0 : (response.contentLength ?? 0),
        dechunker: response.chunked && !bodiless ? new Dechunker() : undefined,
        kept: unannounced
          ? new Window(
              response.status === 206 ? 0 : range.offset,
              range.size,
              this.client.options.maxBytes,
              store,
            )
          : new Window(0, ERROR_BODY_LIMIT, ERROR_BODY_LIMIT, store),
      };
      ex.buffered = buffered;
      this.onBuffered(ex, buffered, head.subarray(end + 4));
      return;
    }
    const accepted = response === undefined ? undefined : acceptedRange(response, ex.get.range);
    if (response === undefined || accepted === undefined) {
      this.decline(ex);
      return;
    }
    const { skip, length } = accepted;
    ex.head = undefined;
    // A window cut from a whole object leaves the rest unread: that connection cannot carry another exchange.
    ex.keepAlive = response.keepAlive && skip + length === response.contentLength;
    this.socket.setTimeout(this.client.options.bodyTimeoutMs);
    const body = head.subarray(end + 4);
    if (body.length > response.contentLength!) {
      throw upstreamError('UPSTREAM_ERROR', ex.get.store, [
        `the store sent more than the ${response.contentLength} bytes it announced`,
      ]);
    }
    if (length > this.client.options.maxBytes)
      throw tooLarge(length, this.client.options.maxBytes, ex.get.store);
    ex.sink = ex.get.open(length);
    ex.skip = skip;
    ex.remaining = length;
    this.deliver(ex, body);
  }

  /** Body bytes that arrived in the connection's own buffer: past any skipped prefix, into the sink. */
  private deliver(ex: Exchange, bytes: Uint8Array): void {
    const skipped = Math.min(ex.skip, bytes.length);
    ex.skip -= skipped;
    const take = Math.min(bytes.length - skipped, ex.remaining);
    if (take > 0) {
      ex.remaining -= take;
      ex.sink!.write(bytes.subarray(skipped, skipped + take));
    }
    if (ex.remaining === 0) this.finish(ex);
  }

  /** Takes the next bytes of a buffered body; settles once it is complete, or once enough of it is kept. */
  private onBuffered(ex: Exchange, body: BufferedBody, bytes: Uint8Array): void {
    let complete = false;
    if (body.dechunker !== undefined) {
      body.dechunker.push(bytes, (data) => body.kept.push(data));
      complete = body.dechunker.complete;
    } else if (body.framing === 'length') {
      const take = Math.min(bytes.length, body.remaining);
      body.kept.push(bytes.subarray(0, take));
      body.remaining -= take;
      complete = body.remaining === 0;
    } else body.kept.push(bytes);
    if (complete || body.kept.full) this.endBuffered(ex, body, true);
  }

  /**
   * Settles a buffered body: the status and the kept text, or the asked window of the data through the sink.
   * `ended` is false when the connection closed first, which only a close-delimited body may do. The connection
   * is not reused (the rest of the body may be unread). Failures are the exchange's.
   */
  endBuffered(ex: Exchange, body: BufferedBody, ended: boolean): void {
    try {
      this.detach(ex);
      this.socket.destroy();
      if (body.kind === 'status') {
        const text = body.kept.bytes().toString('utf8');
        ex.resolve({ kind: 'status', status: body.status, location: body.location, text });
        return;
      }
      if (!ended && body.framing !== 'close' && !body.kept.full) {
        throw Object.assign(new Error('the connection closed before the end of the body'), {
          code: 'ECONNRESET',
        });
      }
      const { range, store } = ex.get;
      const length = range.size ?? body.kept.length;
      if (body.kept.length < length || (length === 0 && range.offset > 0)) {
        throw shortRead(range, body.kept.length, store);
      }
      ex.get.open(length).write(body.kept.bytes());
      ex.resolve(DONE);
    } catch (err) {
      ex.reject(err);
    }
  }

  start(ex: Exchange): void {
    this.exchange = ex;
    const { get } = ex;
    const timeout = this.connected
      ? this.client.options.headersTimeoutMs
      : this.client.options.connectTimeoutMs;
    this.armTimer(
      ex,
      timeout,
      this.connected ? `no response headers within ${timeout} ms` : `connect timed out`,
    );
    this.socket.setTimeout(0);
    let text = `GET ${get.path} HTTP/1.1\r\n`;
    if (!('host' in get.headers)) text += `host: ${hostHeader(get.hostname, get.port)}\r\n`;
    for (const [name, value] of Object.entries(get.headers)) text += `${name}: ${value}\r\n`;
    this.socket.write(`${text}\r\n`, 'latin1');
    if (!this.connected) {
      this.socket.once('connect', () => {
        if (this.exchange !== ex || ex.timer === undefined) return;
        clearTimeout(ex.timer);
        const headersMs = this.client.options.headersTimeoutMs;
        this.armTimer(ex, headersMs, `no response headers within ${headersMs} ms`);
      });
    }
  }

  /**
   * One timer per exchange serves both the phase timeout and the read's deadline, whichever comes first. It is not
   * re-armed when the headers arrive (a clear and a set per read): if it fires after them, it re-arms for what is
   * left of the deadline.
   */
  private armTimer(ex: Exchange, phaseMs: number, message: string): void {
    const left = ex.deadlineAt - performance.now();
    if (left <= phaseMs) {
      ex.timer = setTimeout(() => this.expire(ex), Math.max(0, left));
      return;
    }
    ex.timer = setTimeout(() => {
      if (this.exchange !== ex) return;
      // Once the head is in (a sink opened, or a body being read whole) only the read's deadline applies.
      if (ex.sink === undefined && ex.buffered === undefined) this.fail(timeoutError(message));
      else this.armDeadline(ex);
    }, phaseMs);
  }

  private armDeadline(ex: Exchange): void {
    const left = ex.deadlineAt - performance.now();
    ex.timer =
      left === Number.POSITIVE_INFINITY ? undefined : setTimeout(() => this.expire(ex), Math.max(0, left));
  }

  private expire(ex: Exchange): void {
    if (this.exchange !== ex) return;
    const deadline = ex.get.deadline!;
    deadline.expired = true;
    this.fail(new DOMException(`read took longer than ${deadline.timeoutMs} ms`, 'TimeoutError'));
  }

  /** Not ours to handle: the caller takes the undici path. The connection is dropped, body unread. */
  private decline(ex: Exchange): void {
    this.detach(ex);
    this.socket.destroy();
    ex.resolve(DECLINED);
  }

  private finish(ex: Exchange): void {
    this.detach(ex);
    if (ex.keepAlive) {
      this.reused = true;
      this.client.idle(this);
    } else this.socket.destroy();
    ex.resolve(DONE);
  }

  fail(err: unknown): void {
    const ex = this.exchange;
    this.socket.destroy();
    if (ex === undefined) return;
    this.detach(ex);
    // A reused connection that closes or resets before any answer was most likely closed by the server while
    // idle: once more on a new connection. A timeout or an abort is an answer in itself.
    if (this.reused && !ex.answered && isConnectionLoss(err)) {
      this.client.forget(this);
      this.client.retry(ex);
    } else ex.reject(err);
  }

  private detach(ex: Exchange): void {
    clearTimeout(ex.timer);
    ex.timer = undefined;
    if (ex.onAbort !== undefined) ex.get.signal.removeEventListener('abort', ex.onAbort);
    ex.onAbort = undefined;
    this.exchange = undefined;
  }
}

/** One origin's connections, and the exchanges waiting for one of them. */
interface Pool {
  idle: Connection[];
  open: Set<Connection>;
  waiting: Exchange[];
}

export class FastHttpClient {
  private readonly pools = new Map<string, Pool>();
  private spent = 0;
  private paused: Socket[] = [];
  private turnScheduled = false;
  private closed = false;

  constructor(readonly options: FastHttpOptions) {}

  /** Streams the body into `get.open(length)`'s sink; declined before any sink is opened when it can't. */
  get(get: FastGet): Promise<FastOutcome> {
    return new Promise<FastOutcome>((resolve, reject) => {
      const ex: Exchange = {
        get,
        resolve,
        reject,
        head: undefined,
        sink: undefined,
        remaining: 0,
        keepAlive: false,
        answered: false,
        skip: 0,
        buffered: undefined,
        timer: undefined,
        deadlineAt:
          get.deadline === undefined ? Number.POSITIVE_INFINITY : performance.now() + get.deadline.timeoutMs,
        onAbort: undefined,
      };
      this.dispatch(ex, false);
    });
  }

  retry(ex: Exchange): void {
    ex.answered = false;
    this.dispatch(ex, true);
  }

  private dispatch(ex: Exchange, fresh: boolean): void {
    if (this.closed) {
      ex.resolve(DECLINED);
      return;
    }
    const { signal } = ex.get;
    if (signal.aborted) {
      ex.reject(abortReason(signal));
      return;
    }
    const key = `${ex.get.hostname}:${ex.get.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = { idle: [], open: new Set(), waiting: [] };
      this.pools.set(key, pool);
    }
    let conn = fresh ? undefined : pool.idle.pop();
    if (conn === undefined) {
      if (pool.open.size >= this.options.maxConnections) {
        this.wait(pool, ex);
        return;
      }
      conn = new Connection(this, key, ex.get.hostname, ex.get.port, this.options.lookup);
      pool.open.add(conn);
    }
    const target = conn;
    ex.onAbort = (): void => target.fail(abortReason(signal));
    signal.addEventListener('abort', ex.onAbort, { once: true });
    target.start(ex);
  }

  /**
   * Every connection to the origin is busy: the exchange waits for one, as undici's pool would queue it, so that
   * the origin never sees more than `maxConnections` from this client. Its deadline and signal still apply.
   */
  private wait(pool: Pool, ex: Exchange): void {
    pool.waiting.push(ex);
    const leave = (err: Error): void => {
      const at = pool.waiting.indexOf(ex);
      if (at < 0) return;
      pool.waiting.splice(at, 1);
      this.unwait(ex);
      ex.reject(err);
    };
    ex.onAbort = (): void => leave(abortReason(ex.get.signal));
    ex.get.signal.addEventListener('abort', ex.onAbort, { once: true });
    const deadline = ex.get.deadline;
    if (deadline !== undefined) {
      ex.timer = setTimeout(
        () => {
          deadline.expired = true;
          leave(new DOMException(`read took longer than ${deadline.timeoutMs} ms`, 'TimeoutError'));
        },
        Math.max(0, ex.deadlineAt - performance.now()),
      );
    }
  }

  private unwait(ex: Exchange): void {
    clearTimeout(ex.timer);
    ex.timer = undefined;
    if (ex.onAbort !== undefined) ex.get.signal.removeEventListener('abort', ex.onAbort);
    ex.onAbort = undefined;
  }

  /** Starts waiting exchanges while the pool has an idle connection or room for a new one. */
  private drain(pool: Pool): void {
    while (
      pool.waiting.length > 0 &&
      (pool.idle.length > 0 || pool.open.size < this.options.maxConnections)
    ) {
      const ex = pool.waiting.shift()!;
      this.unwait(ex);
      this.dispatch(ex, false);
    }
  }

  idle(conn: Connection): void {
    const pool = this.pools.get(conn.key);
    if (pool === undefined || this.closed) {
      conn.socket.destroy();
      return;
    }
    conn.socket.setTimeout(IDLE_MS);
    pool.idle.push(conn);
    this.drain(pool);
  }

  forget(conn: Connection): void {
    const pool = this.pools.get(conn.key);
    if (pool === undefined || !pool.open.delete(conn)) return;
    const at = pool.idle.indexOf(conn);
    if (at >= 0) pool.idle.splice(at, 1);
    this.drain(pool);
    if (pool.open.size === 0 && pool.waiting.length === 0) this.pools.delete(conn.key);
  }

  /**
   * Counts body bytes delivered this turn; past the budget the socket pauses (false stops its reads) and every
   * paused socket resumes on the next turn, after timers and other I/O had their go.
   */
  spend(n: number, socket: Socket): boolean {
    this.spent += n;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(() => {
        this.turnScheduled = false;
        this.spent = 0;
        const paused = this.paused;
        this.paused = [];
        for (const s of paused) if (!s.destroyed) s.resume();
      });
    }
    if (this.spent <= TURN_BUDGET_BYTES) return true;
    this.paused.push(socket);
    return false;
  }

  /**
   * `get` for a URL under the read's deadline, failures classified like the undici path's; declined at once when
   * the URL is not plain http.
   */
  async stream(read: FastRead, open: OpenSink): Promise<FastOutcome> {
    const { url, path, headers, store, timeoutMs } = read;
    if (url.protocol !== 'http:') return DECLINED;
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? 80 : Number(url.port);
    // The exchange keeps the deadline itself (see ReadDeadline) and listens to the caller's signal directly;
    // failures are classified exactly as transport.ts's underDeadline does for the undici path.
    const deadline: ReadDeadline = { timeoutMs, expired: false };
    try {
      return await this.get({
        hostname,
        port,
        path,
        headers,
        range: read.range,
        store,
        signal: read.signal,
        open,
        deadline,
      });
    } catch (err) {
      throw classifyFailure(err, {
        store,
        host: url.host,
        expired: () => deadline.expired,
        outer: read.signal,
        timeoutMs,
      });
    }
  }

  /**
   * `stream` into one buffer from `allocate`, for the buffered path: each body byte is copied once, by the kernel,
   * into its final memory, and no read allocates. The bytes, or how else the exchange ended.
   */
  async readWhole(
    read: FastRead,
    allocate: Allocate,
    release: Release,
  ): Promise<Uint8Array | Exclude<FastOutcome, { kind: 'done' }>> {
    let out: Uint8Array | undefined;
    let filled = 0;
    const sink: BodySink = {
      readBuffer: () => out!.subarray(filled),
      filled: (n) => {
        filled += n;
      },
      write: (bytes) => {
        out!.set(bytes, filled);
        filled += bytes.length;
      },
    };
    const open = (length: number): BodySink => {
      out = allocate(length);
      if (out.byteLength !== length)
        throw new RangeError(`allocate(${length}) returned ${out.byteLength} bytes`);
      return sink;
    };
    try {
      const outcome = await this.stream(read, open);
      return outcome.kind === 'done' ? out! : outcome;
    } catch (err) {
      if (out !== undefined) release(out);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pool of this.pools.values()) {
      for (const ex of pool.waiting.splice(0)) {
        this.unwait(ex);
        ex.resolve(DECLINED);
      }
      for (const conn of pool.open) conn.socket.destroy();
    }
    this.pools.clear();
  }
}

interface ResponseHead {
  status: number;
  location: string | undefined;
  contentLength: number | undefined;
  contentRange: { start: number; end: number } | undefined;
  chunked: boolean;
  keepAlive: boolean;
}

function parseHead(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const match = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!match) return undefined;
  const head: ResponseHead = {
    status: Number(match[2]),
    location: undefined,
    contentLength: undefined,
    contentRange: undefined,
    chunked: false,
    keepAlive: match[1] === '1',
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      // Two different lengths is a response smuggling shape: not ours to guess.
      if (!/^\d{1,15}$/.test(value) || (head.contentLength !== undefined && head.contentLength !== +value)) {
        return undefined;
      }
      head.contentLength = Number(value);
    } else if (name === 'content-range') {
      const range = /^bytes (\d{1,15})-(\d{1,15})\/(?:\d+|\*)$/.exec(value);
      if (range) head.contentRange = { start: Number(range[1]), end: Number(range[2]) };
    } else if (name === 'transfer-encoding') head.chunked = true;
    else if (name === 'location') head.location = value;
    else if (name === 'connection') {
      const tokens = value.toLowerCase();
      if (tokens.includes('close')) head.keepAlive = false;
      else if (tokens.includes('keep-alive')) head.keepAlive = true;
    }
  }
  return head;
}

/**
 * Where the asked bytes are in a 200/206 body: `skip` bytes, then `length` of them (a 200 to a ranged read is the
 * whole object, from which the window is cut). `undefined` when the answer is not exactly the bytes asked for or
 * holds too few of them: the undici path decides, and words the error.
 */
function acceptedRange(head: ResponseHead, range: ByteRange): { skip: number; length: number } | undefined {
  const total = head.contentLength;
  if (head.chunked || total === undefined) return undefined;
  if (head.status === 206) {
    const cr = head.contentRange;
    if (cr === undefined || cr.start !== range.offset || cr.end - cr.start + 1 !== total) return undefined;
    if (range.size !== undefined && total !== range.size) return undefined;
    return { skip: 0, length: total };
  }
  if (head.status !== 200) return undefined;
  const length = range.size ?? total - range.offset;
  if (length <= 0 && range.offset > 0) return undefined;
  if (range.offset + length > total) return undefined;
  return { skip: range.offset, length };
}

/**
 * Chunked transfer coding, decoded as bytes arrive (extensions and trailers ignored). Only bodies of unannounced
 * length take this path; the framing lines are short, the data is passed on in slices.
 */
class Dechunker {
  complete = false;
  private state: 'size' | 'data' | 'data-end' | 'trailer' = 'size';
  private line = '';
  private left = 0;

  push(bytes: Uint8Array, onData: (data: Uint8Array) => void): void {
    let i = 0;
    while (i < bytes.length && !this.complete) {
      if (this.state === 'data') {
        const take = Math.min(this.left, bytes.length - i);
        onData(bytes.subarray(i, i + take));
        i += take;
        this.left -= take;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const c = bytes[i++]!;
      if (c !== 0x0a) {
        this.line += String.fromCharCode(c);
        if (this.line.length > 4096) throw protocolError('a chunk framing line longer than 4 KiB');
        continue;
      }
      const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
      this.line = '';
      if (this.state === 'data-end') {
        if (line !== '') throw protocolError('chunk data longer than its size');
        this.state = 'size';
      } else if (this.state === 'size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0)
          throw protocolError(`a chunk size line "${line.slice(0, 40)}"`);
        if (size === 0) this.state = 'trailer';
        else {
          this.left = size;
          this.state = 'data';
        }
      } else if (line === '') this.complete = true;
    }
  }
}

function protocolError(what: string): Error {
  return Object.assign(new Error(`the store sent ${what}`), { code: 'HPE_INVALID_CHUNK_SIZE' });
}

/**
 * The bytes of a buffered body that are kept: `skip` bytes dropped, then at most `want` (when the read names a
 * size) or at most `cap` (beyond it the body is too large) copied out of the connection's reused read buffer.
 */
class Window {
  private readonly parts: Buffer[] = [];
  length = 0;

  constructor(
    private skip: number,
    private readonly want: number | undefined,
    private readonly cap: number,
    private readonly store: StoreName,
  ) {}

  get full(): boolean {
    return this.want !== undefined && this.length >= this.want;
  }

  push(data: Uint8Array): void {
    const skipped = Math.min(this.skip, data.length);
    this.skip -= skipped;
    const room = (this.want ?? this.cap + 1) - this.length;
    const take = Math.min(data.length - skipped, room);
    if (take <= 0) return;
    this.parts.push(Buffer.from(data.subarray(skipped, skipped + take)));
    this.length += take;
    if (this.want === undefined && this.length > this.cap) throw tooLarge(this.length, this.cap, this.store);
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts, this.length);
  }
}

function hostHeader(hostname: string, port: number): string {
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return port === 80 ? host : `${host}:${port}`;
}

function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

function closedEarly(ex: Exchange): Error {
  const message =
    ex.sink === undefined
      ? 'the connection closed before the response headers'
      : `the connection closed with ${ex.remaining} body bytes still to come`;
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}
