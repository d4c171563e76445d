/** The v2 (Reductionist) request body: shared fields + `interface_type` + `url` (API.md §2). */
import { z } from 'zod';
import type { OpName } from '../ops/registry.js';
import { buildChunkRequest, chunkFieldsShape, parseBody, type RequestLimits } from './chunk-fields.js';
import type { ChunkRequest, Credentials } from './chunk-request.js';
import { jsonString } from './fields.js';
import type { JsonValue } from './json.js';
import { INTERFACE_TYPES, parseV2Location } from './location.js';

export const v2BodySchema = z
  .strictObject({
    interface_type: jsonString(`where the object lives: one of ${INTERFACE_TYPES.join(', ')}`, {
      nonEmpty: true,
    }),
    url: jsonString('absolute URL of the object; for s3: {endpoint}/{bucket}/{key}, path style', {
      format: 'uri',
    }),
    ...chunkFieldsShape,
  })
  .meta({ id: 'V2Request', description: 'One reduction over one stored chunk (Reductionist API v2).' });

export function parseV2Request(
  op: OpName,
  body: JsonValue,
  credentials: Credentials | undefined,
  limits: RequestLimits,
): ChunkRequest {
  const problems: string[] = [];
  const fields = parseBody(v2BodySchema, body, problems);
  const location =
    fields === undefined
      ? undefined
      : parseV2Location(fields.interface_type, fields.url, { fileInterface: limits.fileInterface }, problems);
  return buildChunkRequest(op, fields, location, credentials, limits, problems);
}
