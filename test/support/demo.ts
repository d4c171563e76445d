/** The embedded demo store seeded with the sample data, and our server in front of it, both on port 0. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config.js';
import { type DemoStore, startDemoStore } from '../../src/demo/demo-store.js';
import { seedSampleData } from '../../src/demo/sample-data.js';
import { startApp } from './start-app.js';

export const DEMO_KEYS = { accessKey: 'minioadmin', secretKey: 'minioadmin' } as const;

export interface Demo {
  store: DemoStore;
  app: FastifyInstance;
  /** `http://127.0.0.1:PORT` of our server. */
  origin: string;
}

export async function startDemo(overrides: Partial<Record<keyof Config, unknown>> = {}): Promise<Demo> {
  const store = await startDemoStore({ host: '127.0.0.1', port: 0, ...DEMO_KEYS });
  seedSampleData(store);
  const server = await startApp(overrides);
  return { store, app: server.app, origin: server.url };
}
