/**
 * Prometheus metrics at GET /metrics with Reductionist's names and labels (API.md §11), so dashboards built for it
 * keep working, plus Node's process metrics. Each app gets its own registry: tests build many apps in one process.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export function registerMetrics(app: FastifyInstance): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const incoming = new Counter({
    name: 'incoming_requests',
    help: 'The number of HTTP requests received',
    labelNames: ['http_method', 'path'],
    registers: [registry],
  });
  const outgoing = new Counter({
    name: 'outgoing_response',
    help: 'The number of responses sent',
    labelNames: ['status_code', 'http_method', 'path'],
    registers: [registry],
  });
  const responseTime = new Histogram({
    name: 'response_time',
    help: 'The time taken to respond to each request, in seconds',
    labelNames: ['status_code', 'http_method', 'path'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  // Declared so the series exists from the start, as Reductionist does; it stays at 0 until a chunk cache exists.
  new Counter({
    name: 'cache_miss',
    help: 'The number of chunk cache misses',
    labelNames: ['cache'],
    registers: [registry],
  });

  // The matched route pattern, not the raw URL, keeps label cardinality bounded whatever clients send.
  const pathOf = (routeUrl: string | undefined) => routeUrl ?? 'unmatched';

  app.addHook('onRequest', async (req) => {
    incoming.inc({ http_method: req.method, path: pathOf(req.routeOptions.url) });
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      status_code: String(reply.statusCode),
      http_method: req.method,
      path: pathOf(req.routeOptions.url),
    };
    outgoing.inc(labels);
    responseTime.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/metrics', async (_req, reply) => {
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(Buffer.from(text));
  });
}
