/** Our server on 127.0.0.1, port chosen at run time, built exactly as `serve` builds it. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';

export interface RunningApp {
  app: FastifyInstance;
  /** `http://127.0.0.1:PORT` */
  url: string;
  config: Config;
  close(): Promise<void>;
}

export async function startApp(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<RunningApp> {
  const config = loadConfig({}, {}, { host: '127.0.0.1', port: 0, logLevel: 'silent', ...overrides });
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return { app, url: `http://127.0.0.1:${address.port}`, config, close: () => app.close() };
}

/** POST a JSON body (a string is sent as is) to `${base}${path}`. */
export async function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export function basicAuth(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}
