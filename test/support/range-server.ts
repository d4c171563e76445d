/**
 * A small HTTP upstream for tests: in-memory objects served with Range support, optional Basic auth, and fault
 * routes. The first path segment picks the behaviour, the rest (percent-decoded) names the object, so an S3
 * source pointed at endpoint `http://host/truncate` reads object `bucket/key` through the `truncate` route.
 *
 *   /obj/NAME                 200 or 206 with Content-Range; 416 past the end
 *   /ignore-range/NAME        200 with the whole object, whatever Range says
 *   /no-length/NAME           as /obj, chunked (no Content-Length)
 *   /truncate/NAME            as /obj, but the connection is cut halfway through the body
 *   /slow/MS/NAME             as /obj, answered after MS milliseconds
 *   /stall/NAME               accepts the request and never answers
 *   /stall-body/NAME          sends headers and half the body, then goes silent
 *   /drop/NAME                closes the connection without answering
 *   /status/CODE/NAME         answers CODE with a short text body
 *   /echo-headers/CODE        answers CODE with the request headers as the body (a leaky error page)
 *   /s3-error/CODE/S3CODE/... answers CODE with an S3 XML error document
 *   /redirect/N/ROUTE/NAME    N redirects (302) in a row, the last to /ROUTE/NAME
 *   /redirect-to?to=URL       302 to URL
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Raw request target, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Client port of the connection it came on: equal ports = one reused keep-alive connection. */
  remotePort: number | undefined;
}

export interface RangeServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** `origin` + `/ROUTE/` + each `/`-separated part of `name` percent-encoded. */
  url(route: string, name?: string): string;
  put(name: string, bytes: Uint8Array): void;
  /** Every request received, oldest first; tests may clear it with `requests.length = 0`. */
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

export interface RangeServerOptions {
  /** Required on every request when set; anything else gets 401. */
  basicAuth?: { username: string; password: string };
}

const S3_MESSAGES: Record<string, string> = {
  InternalError: 'We encountered an internal error. Please try again.',
  SlowDown: 'Please reduce your request rate.',
};

export async function startRangeServer(opts: RangeServerOptions = {}): Promise<RangeServer> {
  const objects = new Map<string, Uint8Array>();
  const requests: RecordedRequest[] = [];
  const expectedAuth = opts.basicAuth
    ? `Basic ${Buffer.from(`${opts.basicAuth.username}:${opts.basicAuth.password}`).toString('base64')}`
    : undefined;

  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      remotePort: req.socket.remotePort,
    });
    if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"', 'content-type': 'text/plain' });
      res.end('credentials required');
      return;
    }
    handle(req, res, objects);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (route, name = '') => `${origin}/${route}/${name.split('/').map(encodeURIComponent).join('/')}`,
    put: (name, bytes) => {
      objects.set(name, bytes);
    },
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, objects: Map<string, Uint8Array>): void {
  const target = new URL(req.url ?? '/', 'http://placeholder');
  const [route = '', ...rest] = target.pathname.split('/').slice(1);
  const decoded = rest.map((part) => decodeURIComponent(part));

  switch (route) {
    case 'redirect-to': {
      res.writeHead(302, { location: target.searchParams.get('to') ?? '/' });
      res.end();
      return;
    }
    case 'redirect': {
      const hops = Number(rest[0]);
      const remainder = rest.slice(1).join('/');
      const next = hops > 1 ? `/redirect/${hops - 1}/${remainder}` : `/${remainder}`;
      res.writeHead(302, { location: next });
      res.end();
      return;
    }
    case 'status': {
      const status = Number(decoded[0]);
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(`status ${status} from range server`);
      return;
    }
    case 'echo-headers': {
      res.writeHead(Number(decoded[0]), { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
      return;
    }
    case 's3-error': {
      const status = Number(decoded[0]);
      const code = decoded[1] ?? 'InternalError';
      res.writeHead(status, { 'content-type': 'application/xml' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
          `<Message>${S3_MESSAGES[code] ?? `${code} from range server`}</Message><RequestId>1</RequestId></Error>`,
      );
      return;
    }
    case 'drop': {
      req.socket.destroy();
      return;
    }
    case 'stall':
      return;
    case 'slow': {
      const delayMs = Number(decoded[0]);
      const rest = target.pathname.split('/').slice(3).join('/');
      const timer = setTimeout(() => {
        req.url = `/obj/${rest}`;
        handle(req, res, objects);
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
      return;
    }
  }

  const name = decoded.join('/');
  const object = objects.get(name);
  if (object === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end(`no object named ${name}`);
    return;
  }
  if (route === 'ignore-range') {
    res.writeHead(200, { 'content-length': object.length });
    res.end(object);
    return;
  }
  const window = pickRange(req.headers.range, object.length);
  if (window === 'unsatisfiable') {
    res.writeHead(416, { 'content-range': `bytes */${object.length}`, 'content-type': 'text/plain' });
    res.end('range not satisfiable');
    return;
  }
  const [start, end] = window ?? [0, object.length];
  const body = object.subarray(start, end);
  const headers: Record<string, string | number> = {};
  if (window !== undefined) headers['content-range'] = `bytes ${start}-${end - 1}/${object.length}`;
  if (route !== 'no-length') headers['content-length'] = body.length;
  res.writeHead(window === undefined ? 200 : 206, headers);

  switch (route) {
    case 'obj':
    case 'no-length':
      res.end(body);
      return;
    case 'truncate':
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
      return;
    case 'stall-body':
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      return;
    default:
      res.destroy();
  }
}

/** `[start, end)` of a `bytes=` header (single range; suffix form too), undefined when there is none. */
function pickRange(
  header: string | undefined,
  length: number,
): [number, number] | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Math.min(Number(last), length);
    return suffix === 0 ? 'unsatisfiable' : [length - suffix, length];
  }
  const start = Number(first);
  if (start >= length) return 'unsatisfiable';
  const end = last === '' ? length : Math.min(Number(last) + 1, length);
  return end <= start ? 'unsatisfiable' : [start, end];
}
