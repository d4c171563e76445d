/**
 * GET /openapi.json, /.well-known/reductionist-schema (API.md §1: the same document), /docs and /redoc (the docs
 * page), and the page's assets under /docs/assets/: Swagger UI's files read from the installed swagger-ui-dist
 * package, our panel from docs-try-it.ts. Nothing is fetched from another origin.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ActiveStorageError } from '../errors.js';
import { ASSET_PREFIX, DOCS_CSP, DOCS_HTML, DOCS_INIT_SCRIPT, TRY_IT_CSS } from './docs-page.js';
import { TRY_IT_SCRIPT } from './docs-try-it.js';
import { jsonPayload } from './error-response.js';
import { buildOpenApiDocument } from './openapi.js';

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** Files taken from swagger-ui-dist, by name; nothing else in that folder is served. */
const SWAGGER_FILES: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': JS,
  'swagger-ui.css': CSS,
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

const OWN_FILES: Readonly<Record<string, { type: string; body: string }>> = {
  'try-it.js': { type: JS, body: TRY_IT_SCRIPT },
  'try-it.css': { type: CSS, body: TRY_IT_CSS },
  'docs-init.js': { type: JS, body: DOCS_INIT_SCRIPT },
};

function swaggerDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist'));
}

export function registerDocsRoutes(app: FastifyInstance): void {
  let document: ReturnType<typeof jsonPayload> | undefined;
  // Built on first use, once every route is registered, so that optional routes (/metrics) are seen.
  const openApiJson = () => {
    document ??= jsonPayload(
      buildOpenApiDocument({ metrics: app.hasRoute({ method: 'GET', url: '/metrics' }) }),
    );
    return document;
  };
  const sendDocument = async (_req: unknown, reply: FastifyReply) => {
    const { contentType, body } = openApiJson();
    return reply.header('content-type', contentType).send(body);
  };
  app.get('/openapi.json', sendDocument);
  app.get('/.well-known/reductionist-schema', sendDocument);

  const sendPage = async (_req: unknown, reply: FastifyReply) =>
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .header('x-content-type-options', 'nosniff')
      .send(DOCS_HTML);
  app.get('/docs', sendPage);
  app.get('/redoc', sendPage);

  const cache = new Map<string, Buffer>();
  app.get(`${ASSET_PREFIX}:file`, async (req, reply) => {
    const { file } = req.params as { file: string };
    const own = Object.hasOwn(OWN_FILES, file) ? OWN_FILES[file] : undefined;
    const swaggerType = Object.hasOwn(SWAGGER_FILES, file) ? SWAGGER_FILES[file] : undefined;
    if (own === undefined && swaggerType === undefined) {
      throw new ActiveStorageError('ROUTE_NOT_FOUND', `no route for ${req.method} ${req.url}`);
    }
    reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-cache');
    if (own !== undefined) return reply.header('content-type', own.type).send(own.body);
    let bytes = cache.get(file);
    if (bytes === undefined) {
      bytes = readFileSync(join(swaggerDir(), file));
      cache.set(file, bytes);
    }
    return reply.header('content-type', swaggerType).send(bytes);
  });
}
