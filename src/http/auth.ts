/** `Authorization: Basic` -> upstream credentials (API.md §1). Anything else counts as no credentials. */
import type { Credentials } from '../request/chunk-request.js';

export function credentialsFromHeader(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined;
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
