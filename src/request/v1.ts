/**
 * The v1 (prototype) request body: shared fields + `source`, `bucket`, `object` (API.md §3). A thin adapter: the
 * result is the same `ChunkRequest` a v2 `s3` request produces.
 */
import { z } from 'zod';
import type { OpName } from '../ops/registry.js';
import { buildChunkRequest, chunkFieldsShape, parseBody, type RequestLimits } from './chunk-fields.js';
import type { ChunkRequest, Credentials } from './chunk-request.js';
import { jsonString } from './fields.js';
import type { JsonValue } from './json.js';
import { parseV1Location } from './location.js';

export const v1BodySchema = z
  .strictObject({
    source: jsonString('URL of the S3 endpoint, http(s)://host[:port][/prefix]', { format: 'uri' }),
    bucket: jsonString('bucket name', { nonEmpty: true }),
    object: jsonString('object key, used verbatim', { nonEmpty: true }),
    ...chunkFieldsShape,
  })
  .meta({
    id: 'V1Request',
    description: 'One reduction over one stored chunk (S3 Active Storage prototype API v1).',
  });

export function parseV1Request(
  op: OpName,
  body: JsonValue,
  credentials: Credentials | undefined,
  limits: RequestLimits,
): ChunkRequest {
  const problems: string[] = [];
  const fields = parseBody(v1BodySchema, body, problems);
  const location =
    fields === undefined ? undefined : parseV1Location(fields.source, fields.bucket, fields.object, problems);
  return buildChunkRequest(op, fields, location, credentials, limits, problems);
}
