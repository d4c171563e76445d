/**
 * The OpenAPI 3.1 document (API.md §1: GET /openapi.json and /.well-known/reductionist-schema). Request and
 * response bodies come from the zod schemas that validate requests (request/v1.ts, request/v2.ts) and describe
 * responses (response-schemas.ts); the op routes come from the op table and the error statuses from the one
 * ErrorCode -> status table, so none of them can drift from what the server does.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ErrorCode } from '../errors.js';
import { OP_NAMES, type OpName } from '../ops/registry.js';
import { v1BodySchema } from '../request/v1.js';
import { v2BodySchema } from '../request/v2.js';
import { ERROR_STATUS } from './error-response.js';
import { DEMO_STORE_URL, type RequestExample, v1Examples, v2Examples } from './openapi-examples.js';
import {
  errorBodySchema,
  healthBodySchema,
  V1_RESULT_HEADERS,
  v2ResponseSchema,
} from './response-schemas.js';

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

export interface OpenApiOptions {
  /** Document GET /metrics (only when the app serves it). */
  metrics: boolean;
}

const OP_TEXT: Readonly<Record<OpName, { summary: string; description: string }>> = {
  count: {
    summary: 'Count the non-missing elements',
    description: 'Result dtype int64: the number of selected elements that are not missing.',
  },
  max: {
    summary: 'Largest non-missing element',
    description:
      'Result dtype = request dtype. With no element left the result is the dtype lowest value with count 0.',
  },
  mean: {
    summary: '[ext] Mean of the non-missing elements',
    description:
      'As numpy.ma.mean: float32 for float32 data, float64 for every other dtype; NaN with count 0 when no element ' +
      'is left.',
  },
  min: {
    summary: 'Smallest non-missing element',
    description:
      'Result dtype = request dtype. With no element left the result is the dtype largest value with count 0.',
  },
  select: {
    summary: 'The selected elements, not reduced',
    description:
      'Returns the selected array (missing elements included, values unchanged); count is one number, the ' +
      'non-missing elements of the selection. axis is validated, then ignored.',
  },
  sum: {
    summary: 'Sum of the non-missing elements',
    description:
      'Result dtype = request dtype: integer sums wrap as numpy.sum(a, dtype=a.dtype); float sums accumulate in ' +
      'float64 and round once. 0 with count 0 when no element is left.',
  },
};

/** Why each error happens, for the status descriptions (a new ErrorCode without one does not compile). */
const ERROR_TEXT: Readonly<Record<ErrorCode, string>> = {
  INVALID_REQUEST:
    'the body or a field is not valid (every problem is listed in caused_by, each naming its field)',
  BODY_TOO_LARGE: 'the request body is larger than the server accepts',
  UNSUPPORTED_OPERATION: 'the operation in the path is not one of the listed operations',
  ROUTE_NOT_FOUND: 'no such path',
  METHOD_NOT_ALLOWED: 'the path exists but takes another method (Allow header)',
  DECODE_FAILED: 'the stored bytes could not be decoded (corrupt stream, checksum mismatch, wrong length)',
  UPSTREAM_NOT_FOUND:
    'the object, bucket or byte range does not exist upstream (S3 NoSuchKey/NoSuchBucket in caused_by)',
  UPSTREAM_BAD_REQUEST: 'the upstream refused the request for another client-side reason',
  UPSTREAM_UNAUTHORIZED:
    'the store refused the credentials, or anonymous access to a private bucket (S3 AccessDenied in caused_by)',
  UPSTREAM_ERROR: 'the store answered with an error of its own (S3 InternalError, SlowDown, ...)',
  UPSTREAM_UNAVAILABLE: 'the store could not be reached, dropped the connection or answered HTTP 5xx',
  UPSTREAM_TIMEOUT: 'the store did not answer within the server deadline',
  FORBIDDEN_SOURCE: 'the upstream (or file path) is outside what the operator allows',
  TOO_LARGE: 'the request needs more memory than the server will ever grant',
  OVERLOADED: 'the request could not start within the queueing deadline; retry after Retry-After seconds',
  INTERNAL: 'an unexpected fault in the server',
};

/** Codes a concrete op route can answer with: routing failures happen before a route is chosen. */
const ROUTING_CODES: readonly ErrorCode[] = [
  'UNSUPPORTED_OPERATION',
  'ROUTE_NOT_FOUND',
  'METHOD_NOT_ALLOWED',
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const errorContent = { 'application/json': { schema: ref('ErrorBody') } };

function opErrorResponses(): Record<string, unknown> {
  const byStatus = new Map<number, string[]>();
  for (const [code, status] of Object.entries(ERROR_STATUS) as [ErrorCode, number][]) {
    if (ROUTING_CODES.includes(code)) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), ERROR_TEXT[code]]);
  }
  const out: Record<string, unknown> = {};
  for (const status of [...byStatus.keys()].sort((a, b) => a - b)) {
    const texts = byStatus.get(status) ?? [];
    out[String(status)] = {
      description: `${texts.join('; ').replace(/^./, (c) => c.toUpperCase())}.`,
      ...(status === 503
        ? { headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } } }
        : {}),
      content: errorContent,
    };
  }
  return out;
}

function examplesMap(examples: RequestExample[]) {
  return Object.fromEntries(
    examples.map((e) => [e.name, { summary: e.summary, description: e.description, value: e.body }]),
  );
}

function opOperation(version: 'v1' | 'v2', op: OpName, errors: Record<string, unknown>) {
  const text = OP_TEXT[op];
  const isV2 = version === 'v2';
  const success = isV2
    ? {
        description:
          'The result as one CBOR map of seven keys; the panel at the top of /docs decodes it for you.',
        content: { 'application/cbor': { schema: ref('V2Response') } },
      }
    : {
        description:
          'The result bytes (little-endian, in the request order), described by the x-activestorage-* headers.',
        headers: {
          'Content-Length': { description: 'length of the body', schema: { type: 'integer' } },
          ...V1_RESULT_HEADERS,
        },
        content: {
          'application/octet-stream': {
            schema: { type: 'string', contentMediaType: 'application/octet-stream' },
          },
        },
      };
  return {
    post: {
      tags: [isV2 ? 'v2' : 'v1'],
      operationId: `${version}_${op}`,
      summary: text.summary,
      description: `${text.description}\n\nAlso answered at \`/${version}/${op}/\` (trailing slashes are ignored).`,
      security: [{ s3Keys: [] }, {}],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: ref(isV2 ? 'V2Request' : 'V1Request'),
            examples: examplesMap(isV2 ? v2Examples(op) : v1Examples(op)),
          },
        },
      },
      responses: { '200': success, ...errors },
    },
  };
}

function getOperation(tag: string, operationId: string, summary: string, response: Record<string, unknown>) {
  return { get: { tags: [tag], operationId, summary, responses: { '200': response } } };
}

function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  registry.add(v2BodySchema, { id: 'V2Request' });
  registry.add(v1BodySchema, { id: 'V1Request' });
  registry.add(v2ResponseSchema, { id: 'V2Response' });
  registry.add(errorBodySchema, { id: 'ErrorBody' });
  registry.add(healthBodySchema, { id: 'Health' });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  // Each component is a schema inside the document, not a document of its own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, s]) => {
      const { $schema, $id, ...rest } = s as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const DESCRIPTION = `Reductions (count, min, max, sum, select and [ext] mean) on numeric chunks, computed next to the
object store so that only the result travels.

* **v2** — StackHPC Reductionist's API: \`POST /v2/{op}\`, JSON body, CBOR response.
* **v1** — the S3 Active Storage prototype's API: \`POST /v1/{op}\`, JSON body naming \`source\`, \`bucket\`,
  \`object\`; the response body is the raw result bytes, described by \`x-activestorage-*\` headers.

Credentials: an optional \`Authorization: Basic\` header whose user and password are the S3 access key and secret;
without it objects are read anonymously. A field set to \`null\` counts as absent. Unknown fields are refused (400).
Trailing and leading slashes of every path are ignored. An unknown operation in \`/v1/{x}\` or \`/v2/{x}\` is a 404
whose message contains \`operation\`; another method on an operation path is a 405 with \`Allow: POST\`.

The examples read the sample store that \`npm start\` runs at ${DEMO_STORE_URL} (keys minioadmin / minioadmin).
The page at /docs has a panel that sends them and decodes the CBOR result.`;

export function buildOpenApiDocument(options: OpenApiOptions): OpenApiDocument {
  const errors = opErrorResponses();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const version of ['v2', 'v1'] as const) {
    for (const op of OP_NAMES) paths[`/${version}/${op}`] = opOperation(version, op, errors);
  }
  paths['/health'] = getOperation('service', 'health', 'Liveness', {
    description: 'The process can serve requests',
    content: { 'application/json': { schema: ref('Health') } },
  });
  if (options.metrics) {
    paths['/metrics'] = getOperation('service', 'metrics', 'Prometheus metrics', {
      description: 'Prometheus text exposition (Reductionist metric names)',
      content: { 'text/plain': { schema: { type: 'string' } } },
    });
  }
  const self = {
    description: 'This document',
    content: { 'application/json': { schema: { type: 'object' } } },
  };
  paths['/openapi.json'] = getOperation('service', 'openapi', 'This OpenAPI document', self);
  paths['/.well-known/reductionist-schema'] = getOperation(
    'service',
    'reductionist_schema',
    "This OpenAPI document, at Reductionist's schema path",
    self,
  );
  const page = { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
  paths['/docs'] = getOperation('service', 'docs', 'API documentation page with a request panel', page);
  paths['/redoc'] = getOperation('service', 'redoc', 'The same page, at the prototype path', page);

  return {
    openapi: '3.1.0',
    info: {
      title: 's3-active-storage',
      version: packageVersion(),
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: [
      { name: 'v2', description: 'Reductionist API: JSON in, CBOR out' },
      { name: 'v1', description: 'S3 Active Storage prototype API: JSON in, raw bytes + headers out' },
      { name: 'service', description: 'Health, metrics and documentation' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        s3Keys: {
          type: 'http',
          scheme: 'basic',
          description:
            'Optional. User = S3 access key id, password = secret access key, used to sign the upstream read. ' +
            'Demo store: minioadmin / minioadmin.',
        },
      },
    },
  };
}
