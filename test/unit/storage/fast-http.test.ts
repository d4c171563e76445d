/**
 * FastHttpClient against real sockets on 127.0.0.1: the repo's range server for the plain case with large bodies,
 * and a raw `net` server scripted per test for the exact bytes of everything it must decline or fail on (split
 * heads, extra bytes, chunked, wrong Content-Range, a close mid-body, silence, a keep-alive connection the server
 * drops). A decline must happen before any sink is opened; failures reach the caller of `stream()` classified as
 * the undici path classifies them.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decode } from 'cbor2';
import { ActiveStorageError, type ErrorCode } from '../../../src/errors.js';
import type { ByteRange } from '../../../src/request/chunk-request.js';
import type { BodySink, OpenSink } from '../../../src/storage/byte-source.js';
import {
  type FastGet,
  FastHttpClient,
  type FastHttpOptions,
  type FastOutcome,
} from '../../../src/storage/fast-http.js';
import { rangeHeader, type StoreName } from '../../../src/storage/transport.js';
import { type RangeServer, startRangeServer } from '../../support/range-server.js';
import { post, type RunningApp, startApp } from '../../support/start-app.js';

const OPTIONS: FastHttpOptions = {
  maxConnections: 4,
  connectTimeoutMs: 1_000,
  headersTimeoutMs: 1_000,
  bodyTimeoutMs: 1_000,
  maxBytes: 64 * 1024 * 1024,
};

/** Bodies of every sink opened, in order; reads land in a small scratch buffer, as a reducer's would. */
function recorder(scratchBytes = 64 * 1024): { open: OpenSink; opened: number[]; bodies: Uint8Array[] } {
  const opened: number[] = [];
  const bodies: Uint8Array[] = [];
  const open: OpenSink = (length) => {
    opened.push(length);
    const body = new Uint8Array(length);
    bodies.push(body);
    const scratch = new Uint8Array(scratchBytes);
    let at = 0;
    const sink: BodySink = {
      readBuffer: () => scratch,
      filled: (n) => {
        assert.ok(n > 0 && n <= scratch.length, `filled(${n})`);
        body.set(scratch.subarray(0, n), at);
        at += n;
      },
      write: (bytes) => {
        body.set(bytes, at);
        at += bytes.length;
      },
    };
    return sink;
  };
  return { open, opened, bodies };
}

function range(offset: number, size: number | undefined, hasOffset = offset !== 0): ByteRange {
  return { offset, hasOffset, size };
}

function fastGet(port: number, path: string, r: ByteRange, open: OpenSink, signal?: AbortSignal): FastGet {
  const header = rangeHeader(r);
  return {
    hostname: '127.0.0.1',
    port,
    path,
    headers: header === undefined ? {} : { range: header },
    range: r,
    store: 'HTTP',
    signal: signal ?? new AbortController().signal,
    open,
  };
}

/** What a request promise settled to: the outcome, or the error code (and message, for the report). */
/** A FastOutcome as a short string ('done', 'declined', 'status 404'), for plain asserts. */
function kindOf(outcome: FastOutcome): string {
  return outcome.kind === 'status' ? `status ${outcome.status}` : outcome.kind;
}

function getKind(client: FastHttpClient, get: Parameters<FastHttpClient['get']>[0]): Promise<string> {
  return client.get(get).then(kindOf);
}

/** `stream` as true (done) / false (declined) / the status answer. */
function streamed(
  client: FastHttpClient,
  url: URL,
  path: string,
  headers: Record<string, string>,
  req: { range: ByteRange; signal: AbortSignal },
  store: StoreName,
  timeoutMs: number,
  open: OpenSink,
): Promise<boolean | FastOutcome> {
  return client
    .stream({ url, path, headers, range: req.range, signal: req.signal, store, timeoutMs }, open)
    .then((o) => (o.kind === 'status' ? o : o.kind === 'done'));
}

async function settle(p: Promise<unknown>): Promise<unknown> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof ActiveStorageError) return { code: err.code, causedBy: err.causedBy };
    return { error: err };
  }
}

async function rejectsWith(
  p: Promise<unknown>,
  code: ErrorCode,
  cause?: RegExp,
): Promise<ActiveStorageError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ActiveStorageError, `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, `${caught.message}: ${caught.causedBy.join('; ')}`);
  if (cause) assert.match(caught.causedBy.join('; '), cause);
  return caught;
}

async function until(cond: () => boolean, what: string, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface RawRequest {
  /** The request head, without the blank line. */
  head: string;
  /** 0-based index of the connection it came on, and of the request on that connection. */
  connection: number;
  onConnection: number;
}

interface RawServer {
  port: number;
  requests: RawRequest[];
  /** Connections accepted, and how many of them the other side (or the script) closed. */
  accepted: number;
  closed: number;
  stop(): Promise<void>;
}

/** A TCP server that hands each complete request head to `script`, which writes whatever bytes the test needs. */
async function startRawServer(script: (socket: Socket, req: RawRequest) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const state: RawServer = {
    port: 0,
    requests: [],
    accepted: 0,
    closed: 0,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((socket) => {
    const connection = state.accepted++;
    sockets.add(socket);
    let pending = '';
    let onConnection = 0;
    socket.on('close', () => {
      state.closed++;
      sockets.delete(socket);
    });
    socket.on('error', () => {});
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const req = { head: pending.slice(0, end), connection, onConnection: onConnection++ };
        pending = pending.slice(end + 4);
        state.requests.push(req);
        script(socket, req);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}

const BODY = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

function head(status: string, headers: Record<string, string | number>): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** 206 for `BODY[start..end]` with the given extra or replaced headers. */
function partial(start: number, end: number, headers: Record<string, string | number> = {}): Buffer {
  const body = BODY.subarray(start, end + 1);
  return Buffer.concat([
    Buffer.from(
      head('206 Partial Content', {
        'content-range': `bytes ${start}-${end}/${BODY.length}`,
        'content-length': body.length,
        ...headers,
      }),
      'latin1',
    ),
    body,
  ]);
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FastHttpClient: the plain case against the range server', () => {
  let upstream: RangeServer;
  const big = randomBytes(8 * 1024 * 1024);

  before(async () => {
    upstream = await startRangeServer();
    upstream.put('big', big);
  });
  after(() => upstream.stop());

  it('streams 8 MiB bodies byte for byte and reuses one keep-alive connection for sequential GETs', async () => {
    const client = new FastHttpClient(OPTIONS);
    try {
      const port = Number(new URL(upstream.origin).port);
      const path = new URL(upstream.url('obj', 'big')).pathname;
      const rec = recorder();
      upstream.requests.length = 0;
      const reads: ByteRange[] = [
        range(0, big.length, true),
        range(1_000_003, 5_000_001),
        range(0, undefined, false),
        range(big.length - 7, 7),
      ];
      for (const r of reads) assert.equal(await getKind(client, fastGet(port, path, r, rec.open)), 'done');
      assert.deepEqual(
        rec.opened,
        reads.map((r) => r.size ?? big.length),
      );
      reads.forEach((r, i) => {
        const want = big.subarray(r.offset, r.offset + (r.size ?? big.length));
        assert.ok(Buffer.from(rec.bodies[i]!).equals(want), `read ${i} differs`);
      });
      assert.equal(upstream.requests.length, reads.length);
      assert.equal(new Set(upstream.requests.map((q) => q.remotePort)).size, 1, 'one connection');
      assert.equal(upstream.requests[0]?.headers.host, `127.0.0.1:${port}`);
      assert.equal(upstream.requests[0]?.headers.range, `bytes=0-${big.length - 1}`);
      assert.equal(upstream.requests[2]?.headers.range, undefined);
    } finally {
      await client.close();
    }
  });

  it('streams concurrent GETs on separate connections', async () => {
    const client = new FastHttpClient(OPTIONS);
    try {
      const port = Number(new URL(upstream.origin).port);
      const path = new URL(upstream.url('obj', 'big')).pathname;
      const rec = recorder(256 * 1024);
      upstream.requests.length = 0;
      // Distinct sizes, so each body can be matched to its read whatever order the sinks opened in.
      const reads = [range(0, 3_000_000, true), range(3_000_000, 2_999_999), range(5_999_999, 2_388_609)];
      const outcomes = await Promise.all(reads.map((r) => getKind(client, fastGet(port, path, r, rec.open))));
      assert.deepEqual(outcomes, ['done', 'done', 'done']);
      assert.equal(rec.bodies.length, 3);
      for (const body of rec.bodies) {
        const r = reads.find((x) => x.size === body.length)!;
        assert.ok(Buffer.from(body).equals(big.subarray(r.offset, r.offset + body.length)));
      }
      assert.equal(new Set(upstream.requests.map((q) => q.remotePort)).size, 3);
    } finally {
      await client.close();
    }
  });

  it('holds body bytes delivered in one event-loop turn near its 8 MiB budget, pausing and resuming sockets', async () => {
    const client = new FastHttpClient({ ...OPTIONS, maxConnections: 8 });
    const port = Number(new URL(upstream.origin).port);
    const path = new URL(upstream.url('obj', 'big')).pathname;
    // Reads of at most 256 KiB, the streaming reducer's buffer: a paused socket has had at most one such read
    // past the budget, so a turn may see 8 MiB plus one read per socket.
    const readBytes = 256 * 1024;
    const limit = 8 * 1024 * 1024 + 8 * readBytes;
    let thisTurn = 0;
    let worstTurn = 0;
    let running = true;
    const turn = (): void => {
      worstTurn = Math.max(worstTurn, thisTurn);
      thisTurn = 0;
      if (running) setImmediate(turn);
    };
    setImmediate(turn);
    const bodies: Uint8Array[] = [];
    const open: OpenSink = (length) => {
      const body = new Uint8Array(length);
      bodies.push(body);
      let at = 0;
      return {
        readBuffer: () => body.subarray(at, at + readBytes),
        filled: (n) => {
          at += n;
          thisTurn += n;
        },
        write: (bytes) => {
          body.set(bytes, at);
          at += bytes.length;
        },
      };
    };
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () =>
          getKind(client, fastGet(port, path, range(0, big.length, true), open)),
        ),
      );
      assert.deepEqual(outcomes, new Array(8).fill('done'));
      for (const body of bodies) assert.ok(Buffer.from(body).equals(big));
      assert.ok(worstTurn <= limit, `${worstTurn} body bytes in one turn, more than ${limit}`);
    } finally {
      running = false;
      await client.close();
    }
  });

  it('stream() takes an http: URL and reports a body cut short as UPSTREAM_UNAVAILABLE', async () => {
    const client = new FastHttpClient(OPTIONS);
    try {
      const url = new URL(upstream.url('obj', 'big'));
      const signal = new AbortController().signal;
      const rec = recorder();
      const req = { range: range(5, 1_000_000), signal };
      assert.equal(
        await streamed(client, url, url.pathname, { range: 'bytes=5-1000004' }, req, 'HTTP', 5_000, rec.open),
        true,
      );
      assert.ok(Buffer.from(rec.bodies[0]!).equals(big.subarray(5, 1_000_005)));

      const cut = new URL(upstream.url('truncate', 'big'));
      await rejectsWith(
        streamed(
          client,
          cut,
          cut.pathname,
          { range: 'bytes=0-4000000' },
          { range: range(0, 4_000_001, true), signal },
          'HTTP',
          5_000,
          rec.open,
        ),
        'UPSTREAM_UNAVAILABLE',
        /body bytes still to come/,
      );
    } finally {
      await client.close();
    }
  });

  it('stream() declines URLs that are not http: without connecting', async () => {
    const client = new FastHttpClient(OPTIONS);
    const rec = recorder();
    upstream.requests.length = 0;
    const url = new URL(upstream.url('obj', 'big').replace('http:', 'https:'));
    const req = { range: range(0, 10, true), signal: new AbortController().signal };
    assert.equal(await streamed(client, url, url.pathname, {}, req, 'HTTP', 1_000, rec.open), false);
    assert.deepEqual(rec.opened, []);
    assert.equal(upstream.requests.length, 0);
    await client.close();
  });
});

describe('FastHttpClient: answers other than 200/206 come back as status, text and location, without a sink', () => {
  const cases: {
    name: string;
    r: ByteRange;
    answer: string | Buffer;
    status: number;
    text: string;
    location?: string;
  }[] = [
    {
      name: '404 with a length',
      r: range(0, 10, true),
      answer: `${head('404 Not Found', { 'content-length': 9 })}not found`,
      status: 404,
      text: 'not found',
    },
    {
      name: '302 redirect',
      r: range(0, 10, true),
      answer: head('302 Found', { location: '/elsewhere', 'content-length': 0 }),
      status: 302,
      text: '',
      location: '/elsewhere',
    },
    {
      name: '500',
      r: range(0, 10, true),
      answer: `${head('500 Internal Server Error', { 'content-length': 4 })}oops`,
      status: 500,
      text: 'oops',
    },
    {
      name: '416',
      r: range(40, 10),
      answer: head('416 Range Not Satisfiable', {
        'content-range': `bytes */${BODY.length}`,
        'content-length': 0,
      }),
      status: 416,
      text: '',
    },
    {
      name: '403 chunked',
      r: range(0, 10, true),
      answer: `${head('403 Forbidden', { 'transfer-encoding': 'chunked' })}5\r\n<Code\r\n4;ext=1\r\n>no<\r\n0\r\n\r\n`,
      status: 403,
      text: '<Code>no<',
    },
    {
      name: '503 until close',
      r: range(0, 10, true),
      answer: `HTTP/1.1 503 Slow Down\r\nconnection: close\r\n\r\nbusy`,
      status: 503,
      text: 'busy',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const server = await startRawServer((socket) => {
        socket.write(c.answer);
        if (c.name.endsWith('until close')) socket.end();
      });
      const client = new FastHttpClient(OPTIONS);
      try {
        const rec = recorder();
        const outcome = await client.get(fastGet(server.port, '/x', c.r, rec.open));
        assert.deepEqual(outcome, { kind: 'status', status: c.status, location: c.location, text: c.text });
        assert.deepEqual(rec.opened, []);
        assert.equal(server.accepted, 1, 'asked once');
      } finally {
        await client.close();
        await server.stop();
      }
    });
  }
});

describe('FastHttpClient: a 200 that ignores Range, or a body of unannounced length, in one GET', () => {
  const cases: { name: string; r: ByteRange; answer: string; bytes: string; closeAfter?: boolean }[] = [
    {
      name: '200 for a read from a nonzero offset (Range ignored): the window is cut out',
      r: range(4, 10),
      answer: `${head('200 OK', { 'content-length': BODY.length })}${BODY.toString('latin1')}`,
      bytes: '456789abcd',
    },
    {
      name: '200 with the whole object for a read from 0 with a smaller size',
      r: range(0, 10, true),
      answer: `${head('200 OK', { 'content-length': BODY.length })}${BODY.toString('latin1')}`,
      bytes: '0123456789',
    },
    {
      name: 'chunked, with a chunk extension and a trailer',
      r: range(2, undefined),
      answer: `${head('200 OK', { 'transfer-encoding': 'chunked' })}4;x=1\r\n0123\r\n6\r\n456789\r\n0\r\nx-t: 1\r\n\r\n`,
      bytes: '23456789',
    },
    {
      name: 'no Content-Length: the body ends with the connection',
      r: range(0, undefined, false),
      answer: `${head('200 OK', { connection: 'close' })}0123456789`,
      bytes: '0123456789',
      closeAfter: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const server = await startRawServer((socket) => {
        socket.write(c.answer);
        if (c.closeAfter) socket.end();
      });
      const client = new FastHttpClient(OPTIONS);
      try {
        const rec = recorder();
        assert.equal(await getKind(client, fastGet(server.port, '/x', c.r, rec.open)), 'done');
        assert.deepEqual(rec.opened, [c.bytes.length]);
        assert.equal(Buffer.from(rec.bodies[0]!).toString('latin1'), c.bytes);
        assert.equal(server.accepted, 1, 'asked once');
      } finally {
        await client.close();
        await server.stop();
      }
    });
  }

  it('a large chunked body, and a window far into a whole object, arrive byte for byte', async () => {
    const big = randomBytes(6 * 1024 * 1024 + 123);
    const server = await startRawServer((socket, req) => {
      if (req.connection === 0) {
        socket.write(head('200 OK', { 'transfer-encoding': 'chunked' }));
        for (let at = 0; at < big.length; at += 65_536) {
          const piece = big.subarray(at, at + 65_536);
          socket.write(`${piece.length.toString(16)}\r\n`);
          socket.write(piece);
          socket.write('\r\n');
        }
        socket.end('0\r\n\r\n');
      } else {
        // Range ignored, length not announced: the window is cut out of the stream.
        socket.write(head('200 OK', { connection: 'close' }));
        socket.end(big);
      }
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      assert.equal(
        await getKind(client, fastGet(server.port, '/x', range(0, undefined, false), rec.open)),
        'done',
      );
      assert.ok(Buffer.from(rec.bodies[0]!).equals(big));
      assert.equal(
        await getKind(client, fastGet(server.port, '/y', range(5_000_000, 1000), rec.open)),
        'done',
      );
      assert.ok(Buffer.from(rec.bodies[1]!).equals(big.subarray(5_000_000, 5_001_000)));
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('an error page that trickles in past the headers timeout is still an error page; 204 has no body; 1xx is declined', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.connection === 0) {
        socket.write(head('503 Slow Down', { 'transfer-encoding': 'chunked' }));
        let n = 0;
        const timer = setInterval(() => {
          if (socket.destroyed) clearInterval(timer);
          else if (++n <= 4) socket.write('1\r\nx\r\n');
          else {
            clearInterval(timer);
            socket.end('0\r\n\r\n');
          }
        }, 60);
      } else if (req.connection === 1) socket.write(head('204 No Content', {}));
      else
        socket.write(
          `${head('103 Early Hints', { link: '</a>' })}${head('200 OK', { 'content-length': 10 })}0123456789`,
        );
    });
    const client = new FastHttpClient({ ...OPTIONS, headersTimeoutMs: 100 });
    try {
      const rec = recorder();
      const slow = await client.get(fastGet(server.port, '/a', range(0, 10, true), rec.open));
      assert.deepEqual(slow, { kind: 'status', status: 503, location: undefined, text: 'xxxx' });
      const empty = await client.get(fastGet(server.port, '/b', range(0, 10, true), rec.open));
      assert.deepEqual(empty, { kind: 'status', status: 204, location: undefined, text: '' });
      assert.equal(
        await getKind(client, fastGet(server.port, '/c', range(0, 10, true), rec.open)),
        'declined',
      );
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a chunked body cut short, or too few bytes past the offset: an error, not data', async () => {
    const answers = [
      `${head('200 OK', { 'transfer-encoding': 'chunked' })}4\r\n0123\r\n`,
      `${head('200 OK', { 'transfer-encoding': 'chunked' })}4\r\n0123\r\n0\r\n\r\n`,
    ];
    const server = await startRawServer((socket, req) => {
      socket.end(answers[req.connection] ?? '');
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      const url = new URL(`http://127.0.0.1:${server.port}/x`);
      const ask = (r: ByteRange) =>
        streamed(
          client,
          url,
          '/x',
          {},
          { range: r, signal: new AbortController().signal },
          'HTTP',
          5_000,
          rec.open,
        );
      await rejectsWith(
        ask(range(0, undefined, false)),
        'UPSTREAM_UNAVAILABLE',
        /before the end of the body/,
      );
      await rejectsWith(ask(range(2, 10)), 'UPSTREAM_BAD_REQUEST', /short read/);
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('FastHttpClient: declines anything but the plain case, before opening a sink', () => {
  const cases: { name: string; r: ByteRange; answer: string | Buffer }[] = [
    {
      name: '206 starting elsewhere than asked',
      r: range(4, 10),
      answer: partial(5, 14),
    },
    {
      name: '206 whose Content-Range disagrees with Content-Length',
      r: range(4, 10),
      answer: partial(4, 13, { 'content-range': `bytes 4-14/${BODY.length}` }),
    },
    {
      name: '206 without Content-Range',
      r: range(4, 10),
      answer: `${head('206 Partial Content', { 'content-length': 10 })}${BODY.subarray(4, 14).toString('latin1')}`,
    },
    {
      name: '206 shorter than the size asked for',
      r: range(4, 12),
      answer: partial(4, 13),
    },
    {
      name: 'chunked alongside a Content-Length',
      r: range(0, 10, true),
      answer: `${head('200 OK', { 'transfer-encoding': 'chunked', 'content-length': 10 })}a\r\n0123456789\r\n0\r\n\r\n`,
    },
    {
      name: 'two different Content-Lengths',
      r: range(0, undefined, false),
      answer: `HTTP/1.1 200 OK\r\ncontent-length: 10\r\ncontent-length: 11\r\n\r\n0123456789`,
    },
    {
      name: 'a status line that is not HTTP/1.x',
      r: range(0, 10, true),
      answer: 'HTTP/2 200\r\ncontent-length: 10\r\n\r\n0123456789',
    },
    {
      name: 'a header line without a colon',
      r: range(0, 10, true),
      answer: 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\nnonsense\r\n\r\n0123456789',
    },
    {
      name: 'a head larger than 16 KiB',
      r: range(0, 10, true),
      answer: `HTTP/1.1 200 OK\r\ncontent-length: 10\r\n${'x-filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n'.repeat(300)}\r\n0123456789`,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: 'declined', no sink, connection closed`, async () => {
      const server = await startRawServer((socket) => socket.write(c.answer));
      const client = new FastHttpClient(OPTIONS);
      try {
        const rec = recorder();
        assert.equal(await settle(getKind(client, fastGet(server.port, '/x', c.r, rec.open))), 'declined');
        assert.deepEqual(rec.opened, []);
        await until(() => server.closed === 1, 'the declined connection to close');
      } finally {
        await client.close();
        await server.stop();
      }
    });
  }

  it('waits for a free connection when every one to the origin is busy; declines after close()', async () => {
    const server = await startRawServer(() => {});
    const client = new FastHttpClient({ ...OPTIONS, maxConnections: 1 });
    try {
      const rec = recorder();
      const first = new AbortController();
      const second = new AbortController();
      const a = settle(
        getKind(client, fastGet(server.port, '/a', range(0, 10, true), rec.open, first.signal)),
      );
      await until(() => server.requests.length === 1, 'the first request');
      const b = settle(
        getKind(client, fastGet(server.port, '/b', range(0, 10, true), rec.open, second.signal)),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.accepted, 1, 'the second waits instead of opening a second connection');
      first.abort(new Error('test is done with the first'));
      await a;
      await until(
        () => server.requests.length === 2,
        'the second request, once the first connection is gone',
      );
      assert.equal(server.accepted, 2);
      second.abort(new Error('test is done with the second'));
      await b;
      // A waiting request leaves the queue when its signal aborts.
      const third = new AbortController();
      const held = new AbortController();
      const c = settle(
        getKind(client, fastGet(server.port, '/c', range(0, 10, true), rec.open, held.signal)),
      );
      await until(() => server.requests.length === 3, 'the third request');
      const d = settle(
        getKind(client, fastGet(server.port, '/d', range(0, 10, true), rec.open, third.signal)),
      );
      third.abort(new Error('gave up waiting'));
      assert.deepEqual(await d, { error: new Error('gave up waiting') });
      held.abort(new Error('done'));
      await c;
      await client.close();
      assert.equal(
        await getKind(client, fastGet(server.port, '/e', range(0, 10, true), rec.open)),
        'declined',
      );
      assert.equal(server.requests.length, 3);
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('FastHttpClient: exact bytes from a scripted server', () => {
  it('accepts a head split over several reads, with body bytes after it in the same read', async () => {
    const answer = partial(4, 33);
    const server = await startRawServer((socket) => {
      // Separate writes with pauses between them arrive as separate reads.
      const cuts = [3, 17, 40, answer.indexOf('\r\n\r\n') + 6, answer.length];
      let from = 0;
      const next = (): void => {
        const to = cuts.shift();
        if (to === undefined) return;
        socket.write(answer.subarray(from, to));
        from = to;
        setTimeout(next, 15);
      };
      next();
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder(5);
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(4, 30), rec.open)), 'done');
      assert.deepEqual(rec.opened, [30]);
      assert.equal(Buffer.from(rec.bodies[0]!).toString('latin1'), BODY.subarray(4, 34).toString('latin1'));
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('takes a whole body that came in the same read as the head, and a 0-byte body', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.onConnection === 0) socket.write(partial(0, BODY.length - 1));
      else socket.write(head('200 OK', { 'content-length': 0 }));
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      assert.equal(
        await getKind(client, fastGet(server.port, '/x', range(0, BODY.length, true), rec.open)),
        'done',
      );
      assert.equal(
        await getKind(client, fastGet(server.port, '/x', range(0, undefined, false), rec.open)),
        'done',
      );
      assert.deepEqual(rec.opened, [BODY.length, 0]);
      assert.ok(Buffer.from(rec.bodies[0]!).equals(BODY));
      assert.equal(server.accepted, 1);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('refuses a read with more bytes than announced in it as UPSTREAM_ERROR', async () => {
    const server = await startRawServer((socket) =>
      socket.write(Buffer.concat([partial(0, 9), Buffer.from('EXTRA')])),
    );
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      const url = new URL(`http://127.0.0.1:${server.port}/x`);
      const req = { range: range(0, 10, true), signal: new AbortController().signal };
      await rejectsWith(
        streamed(client, url, '/x', { range: 'bytes=0-9' }, req, 'HTTP', 2_000, rec.open),
        'UPSTREAM_ERROR',
        /more than the 10 bytes/,
      );
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('drops a keep-alive connection that sends bytes after the body, and the next GET still works', async () => {
    const server = await startRawServer((socket, req) => {
      socket.write(partial(0, 9));
      if (req.connection === 0) setTimeout(() => socket.write('garbage after the body'), 30);
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      await until(() => server.closed === 1, 'the client to drop the connection');
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      assert.equal(server.accepted, 2);
      assert.ok(Buffer.from(rec.bodies[1]!).equals(BODY.subarray(0, 10)));
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('closes the connection after a response with Connection: close, and after an HTTP/1.0 one', async () => {
    const server = await startRawServer((socket, req) => {
      const extra: Record<string, string> = req.connection === 0 ? { connection: 'close' } : {};
      const bytes = partial(0, 9, extra);
      socket.write(
        req.connection === 1
          ? Buffer.from(bytes.toString('latin1').replace('HTTP/1.1', 'HTTP/1.0'), 'latin1')
          : bytes,
      );
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      for (let i = 0; i < 3; i++) {
        assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      }
      assert.equal(server.accepted, 3);
      await until(() => server.closed === 2, 'the first two connections to close');
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('sends the request line, host and the caller headers', async () => {
    const server = await startRawServer((socket) => socket.write(partial(0, 9)));
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      const get = fastGet(server.port, '/a/b%20c?x=1', range(0, 10, true), rec.open);
      get.headers['x-amz-date'] = '20260101T000000Z';
      assert.equal(await getKind(client, get), 'done');
      const lines = server.requests[0]!.head.split('\r\n');
      assert.equal(lines[0], 'GET /a/b%20c?x=1 HTTP/1.1');
      assert.ok(lines.includes(`host: 127.0.0.1:${server.port}`), lines.join(' | '));
      assert.ok(lines.includes('range: bytes=0-9'));
      assert.ok(lines.includes('x-amz-date: 20260101T000000Z'));
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('FastHttpClient: failures', () => {
  const signal = () => new AbortController().signal;
  const streamFrom = (
    client: FastHttpClient,
    port: number,
    r: ByteRange,
    open: OpenSink,
    timeoutMs = 5_000,
    outer: AbortSignal = signal(),
  ) => {
    const url = new URL(`http://127.0.0.1:${port}/x`);
    const header = rangeHeader(r);
    return streamed(
      client,
      url,
      '/x',
      header ? { range: header } : {},
      { range: r, signal: outer },
      'HTTP',
      timeoutMs,
      open,
    );
  };

  it('no response headers in time: UPSTREAM_TIMEOUT', async () => {
    const server = await startRawServer(() => {});
    const client = new FastHttpClient({ ...OPTIONS, headersTimeoutMs: 150 });
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 10, true), rec.open),
        'UPSTREAM_TIMEOUT',
        /headers within 150 ms/,
      );
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a body that goes silent: UPSTREAM_TIMEOUT', async () => {
    const server = await startRawServer((socket) => socket.write(partial(0, 19).subarray(0, -10)));
    const client = new FastHttpClient({ ...OPTIONS, bodyTimeoutMs: 150 });
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open),
        'UPSTREAM_TIMEOUT',
        /no body bytes for 150 ms/,
      );
      assert.deepEqual(rec.opened, [20]);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a body that trickles past the read deadline: UPSTREAM_TIMEOUT', async () => {
    const answer = partial(0, 19);
    const server = await startRawServer((socket) => {
      let at = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || at >= answer.length) clearInterval(timer);
        else socket.write(answer.subarray(at, ++at));
      }, 20);
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open, 300),
        'UPSTREAM_TIMEOUT',
        /within 300 ms/,
      );
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('headers in time, then a body past the read deadline: the deadline, not the headers timeout, ends it', async () => {
    // The exchange's one timer starts as the headers timeout (100 ms) and, having outlived the headers, re-arms
    // itself for what is left of the 400 ms deadline.
    const answer = partial(0, 19);
    const headEnd = answer.indexOf('\r\n\r\n') + 4;
    const server = await startRawServer((socket) => {
      socket.write(answer.subarray(0, headEnd));
      let at = headEnd;
      const timer = setInterval(() => {
        if (socket.destroyed || at >= answer.length) clearInterval(timer);
        else socket.write(answer.subarray(at, ++at));
      }, 50);
    });
    const client = new FastHttpClient({ ...OPTIONS, headersTimeoutMs: 100 });
    try {
      const rec = recorder();
      const started = performance.now();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open, 400),
        'UPSTREAM_TIMEOUT',
        /within 400 ms/,
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 390 && elapsed < 900, `ended after ${elapsed} ms`);
      assert.deepEqual(rec.opened, [20]);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a read waiting for the only connection of a busy origin times out by its own deadline', async () => {
    const server = await startRawServer(() => {});
    const client = new FastHttpClient({ ...OPTIONS, maxConnections: 1 });
    const holder = new AbortController();
    try {
      const rec = recorder();
      const held = settle(
        streamFrom(client, server.port, range(0, 20, true), rec.open, 5_000, holder.signal),
      );
      await until(() => server.requests.length === 1, 'the first request');
      const started = performance.now();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open, 200),
        'UPSTREAM_TIMEOUT',
        /within 200 ms/,
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 190 && elapsed < 700, `ended after ${elapsed} ms`);
      assert.equal(server.requests.length, 1, 'it never got a connection');
      holder.abort(new Error('done'));
      await held;
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a connection that never completes: UPSTREAM_TIMEOUT', async () => {
    // A lookup that never answers holds the socket before connect, as an unreachable address would (an IP
    // literal would skip the lookup, hence a name).
    const client = new FastHttpClient({ ...OPTIONS, connectTimeoutMs: 150, lookup: () => {} });
    try {
      const rec = recorder();
      const url = new URL('http://never.invalid:9/x');
      const req = { range: range(0, 10, true), signal: signal() };
      await rejectsWith(
        streamed(client, url, '/x', {}, req, 'HTTP', 5_000, rec.open),
        'UPSTREAM_TIMEOUT',
        /connect timed out/,
      );
    } finally {
      await client.close();
    }
  });

  it('connection refused: UPSTREAM_UNAVAILABLE', async () => {
    const server = await startRawServer(() => {});
    const port = server.port;
    await server.stop();
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, port, range(0, 10, true), rec.open),
        'UPSTREAM_UNAVAILABLE',
        /ECONNREFUSED/,
      );
    } finally {
      await client.close();
    }
  });

  it('closed mid-body: UPSTREAM_UNAVAILABLE', async () => {
    const server = await startRawServer((socket) => socket.end(partial(0, 19).subarray(0, -5)));
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open),
        'UPSTREAM_UNAVAILABLE',
        /5 body bytes still to come/,
      );
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('closed mid-head, and closed before answering on a fresh connection: UPSTREAM_UNAVAILABLE, no retry', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.connection === 0) socket.end('HTTP/1.1 206 Partial');
      else socket.destroy();
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open),
        'UPSTREAM_UNAVAILABLE',
        /before the response headers/,
      );
      await rejectsWith(
        streamFrom(client, server.port, range(0, 20, true), rec.open),
        'UPSTREAM_UNAVAILABLE',
      );
      assert.equal(server.accepted, 2);
      assert.deepEqual(rec.opened, []);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('retries once on a fresh connection when a reused one is closed before any answer', async () => {
    // The server takes one request per connection and drops the connection when a second one arrives on it: the
    // race of a server closing an idle keep-alive connection just as the client reuses it.
    const server = await startRawServer((socket, req) => {
      if (req.onConnection === 0) socket.write(partial(0, 9));
      // A FIN on the first stale connection, an RST on the second.
      else if (req.connection === 0) socket.destroy();
      else socket.resetAndDestroy();
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      for (let i = 0; i < 3; i++) {
        assert.equal(
          await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)),
          'done',
          `GET ${i}`,
        );
      }
      assert.equal(server.accepted, 3);
      assert.equal(server.requests.length, 5);
      for (const body of rec.bodies) assert.ok(Buffer.from(body).equals(BODY.subarray(0, 10)));
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('retries a stale keep-alive connection also when it is the only one the pool may hold', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.onConnection === 0) socket.write(partial(0, 9));
      else socket.resetAndDestroy();
    });
    const client = new FastHttpClient({ ...OPTIONS, maxConnections: 1 });
    try {
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      assert.equal(server.accepted, 2);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('does not retry a reused connection that failed after part of the answer', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.onConnection === 0) socket.write(partial(0, 9));
      else socket.end('HTTP/1.1 20');
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      await rejectsWith(
        streamFrom(client, server.port, range(0, 10, true), rec.open),
        'UPSTREAM_UNAVAILABLE',
      );
      assert.equal(server.accepted, 1);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a reused connection whose server stays silent times out once, without a second request', async () => {
    const server = await startRawServer((socket, req) => {
      if (req.connection === 0 && req.onConnection === 0) socket.write(partial(0, 9));
    });
    const client = new FastHttpClient({ ...OPTIONS, headersTimeoutMs: 150 });
    try {
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      const started = Date.now();
      await rejectsWith(
        streamFrom(client, server.port, range(0, 10, true), rec.open),
        'UPSTREAM_TIMEOUT',
        /headers within 150 ms/,
      );
      const elapsed = Date.now() - started;
      assert.deepEqual(
        { requests: server.requests.length, connections: server.accepted },
        { requests: 2, connections: 1 },
      );
      assert.ok(elapsed < 290, `timed out after ${elapsed} ms`);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a server that closes idle connections is noticed, and the next GET opens a new one', async () => {
    const server = await startRawServer((socket) => {
      socket.write(partial(0, 9));
      setTimeout(() => socket.end(), 20);
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      await until(() => server.closed === 1, 'the server to close');
      await tick(20);
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      assert.equal(server.accepted, 2);
      assert.equal(server.requests.length, 2);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('aborting rejects with the signal reason and closes the connection; an aborted signal never connects', async () => {
    const server = await startRawServer((socket) => socket.write(partial(0, 19).subarray(0, -10)));
    const client = new FastHttpClient(OPTIONS);
    try {
      const rec = recorder();
      const controller = new AbortController();
      const pending = getKind(
        client,
        fastGet(server.port, '/x', range(0, 20, true), rec.open, controller.signal),
      );
      await until(() => rec.opened.length === 1, 'the body to start');
      const reason = new Error('client went away');
      controller.abort(reason);
      await assert.rejects(pending, (err) => err === reason);
      await until(() => server.closed === 1, 'the aborted connection to close');

      await assert.rejects(
        getKind(client, fastGet(server.port, '/x', range(0, 20, true), rec.open, controller.signal)),
        (err) => err === reason,
      );
      assert.equal(server.accepted, 1);

      // Through stream(), the caller's abort is classified like the undici path's.
      const outer = new AbortController();
      const streamed = streamFrom(client, server.port, range(0, 20, true), rec.open, 5_000, outer.signal);
      await until(() => rec.opened.length === 2, 'the second body to start');
      outer.abort(new Error('client went away'));
      await rejectsWith(streamed, 'UPSTREAM_TIMEOUT', /abandoned: client went away/);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('a body over maxBytes: TOO_LARGE, no sink opened', async () => {
    const server = await startRawServer((socket) =>
      socket.write(`${head('200 OK', { 'content-length': 5000 })}${'x'.repeat(5000)}`),
    );
    const client = new FastHttpClient({ ...OPTIONS, maxBytes: 4096 });
    try {
      const rec = recorder();
      const err = await rejectsWith(
        streamFrom(client, server.port, range(0, undefined, false), rec.open),
        'TOO_LARGE',
      );
      assert.match(err.causedBy.join(' '), /5000 bytes requested.*at most 4096/);
      assert.deepEqual(rec.opened, []);
      await until(() => server.closed === 1, 'the refused connection to close');
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('an error thrown by open() reaches the caller unchanged and the connection is not reused', async () => {
    const server = await startRawServer((socket) => socket.write(partial(0, 9)));
    const client = new FastHttpClient(OPTIONS);
    try {
      const refusal = new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
        causedBy: ['shape: [3] of int32 needs 12 bytes, but 10 bytes were read'],
      });
      const err = await rejectsWith(
        streamFrom(client, server.port, range(0, 10, true), () => {
          throw refusal;
        }),
        'INVALID_REQUEST',
      );
      assert.equal(err, refusal);
      await until(() => server.closed === 1, 'the connection to close');
      const rec = recorder();
      assert.equal(await getKind(client, fastGet(server.port, '/x', range(0, 10, true), rec.open)), 'done');
      assert.equal(server.accepted, 2);
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('an error thrown by the sink mid-body reaches the caller unchanged', async () => {
    const answer = partial(0, 19);
    const server = await startRawServer((socket) => {
      socket.write(answer.subarray(0, -10));
      setTimeout(() => socket.write(answer.subarray(-10)), 30);
    });
    const client = new FastHttpClient(OPTIONS);
    try {
      const refusal = new ActiveStorageError('INTERNAL', 'kernel failed');
      const rec = recorder();
      const open: OpenSink = (length) => {
        const sink = rec.open(length);
        return {
          ...sink,
          filled: () => {
            throw refusal;
          },
        };
      };
      const err = await rejectsWith(streamFrom(client, server.port, range(0, 20, true), open), 'INTERNAL');
      assert.equal(err, refusal);
      await until(() => server.closed === 1, 'the connection to close');
    } finally {
      await client.close();
      await server.stop();
    }
  });
});

describe('the app sums a 4 MiB float32 chunk over the http backend through the streaming path', () => {
  let upstream: RangeServer;
  let app: RunningApp;
  // 2^20 float32 values (i * 7919) % 13: every partial sum is an integer below 2^24, so numpy's float32 sum is exact
  // and its value is known: numpy.sum(v) == 6291448.0 (bytes f0ffbf4a), computed with numpy 2.4 by
  // `((numpy.arange(2**20) * 7919) % 13).astype(numpy.float32).sum()`.
  const values = Float32Array.from({ length: 2 ** 20 }, (_, i) => (i * 7919) % 13);

  before(async () => {
    [upstream, app] = await Promise.all([startRangeServer(), startApp()]);
    upstream.put('chunk.bin', new Uint8Array(values.buffer));
  });
  after(async () => {
    await Promise.all([app?.close(), upstream?.stop()]);
  });

  it('matches numpy with one upstream GET', async () => {
    upstream.requests.length = 0;
    const res = await post(app.url, '/v2/sum/', {
      interface_type: 'http',
      url: upstream.url('obj', 'chunk.bin'),
      dtype: 'float32',
      shape: [1024, 1024],
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = decode(Buffer.from(await res.arrayBuffer())) as { bytes: Uint8Array; count: number[] };
    assert.equal(Buffer.from(body.bytes).toString('hex'), 'f0ffbf4a');
    assert.deepEqual(body.count, [2 ** 20]);
    // A declined stream would have been followed by a second, buffered GET.
    assert.equal(upstream.requests.length, 1);
    // undici (the buffered path) sends `connection: keep-alive`; the streaming client sends no such header.
    assert.equal(upstream.requests[0]?.headers.connection, undefined);
  });
});
