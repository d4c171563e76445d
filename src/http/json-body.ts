/** Request body checks shared by every POST route: content type, then strict lossless JSON (API.md §1, §2). */
import { ActiveStorageError, invalidRequest } from '../errors.js';
import { type JsonValue, parseJson } from '../request/json.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

export function parseJsonBody(contentType: string | undefined, raw: string): JsonValue {
  if (contentType === undefined || !JSON_TYPE.test(contentType)) {
    throw invalidRequest([
      `content-type: must be application/json (or application/*+json), got ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`,
    ]);
  }
  try {
    return parseJson(raw);
  } catch (err) {
    throw new ActiveStorageError('INVALID_REQUEST', 'request body is not valid JSON', {
      causedBy: [(err as Error).message],
    });
  }
}
