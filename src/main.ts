/** Process entry for the server: build the app, listen, shut down gracefully on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Config, describeConfig } from './config.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** A listen failure a person can act on (busy port, no permission), instead of a stack trace. */
export function listenProblem(
  err: unknown,
  host: string,
  port: number,
  what: string,
  flag = '--port',
): string | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `${what}: ${host}:${port} is already in use; stop what is using it or choose another port (${flag})`;
  }
  if (code === 'EACCES')
    return `${what}: no permission to listen on ${host}:${port}; choose a port above 1023`;
  if (code === 'EADDRNOTAVAIL') return `${what}: ${host} is not an address of this machine`;
  return undefined;
}

export async function startServer(config: Config): Promise<RunningServer> {
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ config: describeConfig(config) }, 'configuration');
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = config.tlsCertFile ? 'https' : 'http';
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, url: `${scheme}://${host}:${port}`, close: () => app.close() };
}

/** Closes `closers` once on the first SIGINT/SIGTERM, giving requests in flight up to `timeoutMs`. */
export function closeOnSignals(timeoutMs: number, closers: (() => Promise<void>)[]): void {
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${signal}: shutting down (waiting up to ${timeoutMs} ms for requests in flight)\n`);
    const timer = setTimeout(() => {
      process.stderr.write('shutdown timeout passed; exiting\n');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    Promise.allSettled(closers.map((c) => c())).then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}
