/**
 * Turns `interface_type` + `url` (v2) or `source` + `bucket` + `object` (v1) into a storage `Location`
 * (API.md §2 rules 3-4, §8).
 */
import type { Location } from './chunk-request.js';

export const INTERFACE_TYPES = ['s3', 'http', 'https', 'file'] as const;

export interface LocationOptions {
  /** `file` is an interface only when the operator configured root directories (API.md §10.6). */
  fileInterface: boolean;
}

function parseUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Returns a Location, or pushes problems naming `interface_type`/`url`. */
export function parseV2Location(
  interfaceType: string,
  rawUrl: string,
  opts: LocationOptions,
  problems: string[],
): Location | undefined {
  const supported = INTERFACE_TYPES.filter((t) => t !== 'file' || opts.fileInterface);
  if (!(supported as readonly string[]).includes(interfaceType)) {
    problems.push(
      `interface_type: unsupported interface type ${interfaceType}; allowed: ${supported.join(', ')}`,
    );
    return undefined;
  }
  const url = parseUrl(rawUrl);
  if (url === undefined) {
    problems.push(`url: must be an absolute URL, got ${JSON.stringify(rawUrl)}`);
    return undefined;
  }
  if (interfaceType === 'file') {
    if (url.protocol !== 'file:') {
      problems.push(`url: interface_type file needs a file:/// URL, got scheme ${url.protocol.slice(0, -1)}`);
      return undefined;
    }
    const path = decodeSegment(url.pathname);
    if (path === undefined) {
      problems.push('url: the path is not valid percent-encoding');
      return undefined;
    }
    return { kind: 'file', path };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(
      `url: scheme must be http or https for interface_type ${interfaceType}, got ${url.protocol.slice(0, -1)}`,
    );
    return undefined;
  }
  if (interfaceType !== 's3') return { kind: 'http', url: url.href };

  if (url.search !== '' || url.hash !== '' || rawUrl.includes('?') || rawUrl.includes('#')) {
    problems.push('url: an s3 URL must not have a query string or fragment');
    return undefined;
  }
  // Path style: /{bucket}/{key...}. Leading slashes of the key are dropped because PyActiveStorage builds
  // `{bucket}//{key}` for s3:// dataset URIs (API.md §8.1).
  const segments = url.pathname.split('/').slice(1);
  const bucket = decodeSegment(segments[0] ?? '');
  const keyParts = segments.slice(1).map(decodeSegment);
  if (bucket === undefined || keyParts.includes(undefined)) {
    problems.push('url: the path is not valid percent-encoding');
    return undefined;
  }
  const key = keyParts.join('/').replace(/^\/+/, '');
  if (bucket === '' || key === '') {
    problems.push(
      `url: an s3 URL must be {endpoint}/{bucket}/{key} with a non-empty bucket and key, got ${JSON.stringify(rawUrl)}`,
    );
    return undefined;
  }
  return { kind: 's3', endpoint: `${url.protocol}//${url.host}`, bucket, key };
}

/** v1's `source` (endpoint, maybe with a path prefix), `bucket` and verbatim `object` key (API.md §3, §8.3). */
export function parseV1Location(
  source: string,
  bucket: string,
  object: string,
  problems: string[],
): Location | undefined {
  const url = parseUrl(source);
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    problems.push(`source: must be an http(s) URL of the S3 endpoint, got ${JSON.stringify(source)}`);
    return undefined;
  }
  if (url.search !== '' || url.hash !== '') {
    problems.push('source: must not have a query string or fragment');
    return undefined;
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  return { kind: 's3', endpoint: `${url.protocol}//${url.host}${prefix}`, bucket, key: object };
}
