/**
 * Op routes for both API versions, derived from the op table: `POST /v{1,2}/{op}` run the pipeline; any other
 * method on a known op is 405; an unknown op is 404 before the body is read (API.md §1).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ActiveStorageError } from '../errors.js';
import { isOpName, OP_NAMES, type OpName } from '../ops/registry.js';
import type { PipelineDeps } from '../pipeline.js';
import { runChunk } from '../pipeline.js';
import type { RequestLimits } from '../request/chunk-fields.js';
import type { ChunkRequest, Credentials } from '../request/chunk-request.js';
import type { JsonValue } from '../request/json.js';
import { parseV1Request } from '../request/v1.js';
import { parseV2Request } from '../request/v2.js';
import { encodeV1Response } from '../response/v1-raw.js';
import { encodeV2Response } from '../response/v2-cbor.js';
import { credentialsFromHeader } from './auth.js';
import { parseJsonBody } from './json-body.js';

export interface RouteDeps {
  pipeline: PipelineDeps;
  limits: RequestLimits;
}

type Parse = (
  op: OpName,
  body: JsonValue,
  creds: Credentials | undefined,
  limits: RequestLimits,
) => ChunkRequest;

/** Aborts upstream work when the client goes away before the response is written. */
function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function runRequest(
  op: OpName,
  parse: Parse,
  req: FastifyRequest,
  reply: FastifyReply,
  deps: RouteDeps,
): Promise<{ chunk: ChunkRequest; result: Awaited<ReturnType<typeof runChunk>> }> {
  const body = parseJsonBody(req.headers['content-type'], (req.body as string | undefined) ?? '');
  const chunk = parse(op, body, credentialsFromHeader(req.headers.authorization), deps.limits);
  const result = await runChunk(chunk, deps.pipeline, clientGoneSignal(reply));
  return { chunk, result };
}

export function registerOpRoutes(app: FastifyInstance, deps: RouteDeps): void {
  for (const op of OP_NAMES) {
    app.post(`/v2/${op}`, async (req, reply) => {
      const { chunk, result } = await runRequest(op, parseV2Request, req, reply, deps);
      const body = encodeV2Response(result, {
        shapeAsBytes: chunk.options.shapeAsBytes,
        countAsBytes: chunk.options.countAsBytes,
      });
      return reply.code(200).header('content-type', 'application/cbor').send(asBuffer(body));
    });
    app.post(`/v1/${op}`, async (req, reply) => {
      const { result } = await runRequest(op, parseV1Request, req, reply, deps);
      const { headers, body } = encodeV1Response(result);
      return reply.code(200).headers(headers).send(asBuffer(body));
    });
  }

  // Static POST routes above win over this parametric one, so here a known op means a wrong method. The check runs
  // in onRequest, before any body is read.
  for (const version of ['v1', 'v2']) {
    app.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: `/${version}/:op`,
      onRequest: async (req, reply) => {
        const { op } = req.params as { op: string };
        if (!isOpName(op))
          throw new ActiveStorageError('UNSUPPORTED_OPERATION', `unsupported operation ${op}`);
        reply.header('allow', 'POST');
        throw new ActiveStorageError(
          'METHOD_NOT_ALLOWED',
          `method ${req.method} is not allowed on /${version}/${op}; use POST`,
        );
      },
      handler: async () => undefined,
    });
  }
}
