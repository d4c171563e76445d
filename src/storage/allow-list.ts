/**
 * The upstream allow-list (API.md §8.4). Entries are origins (`https://s3.example.org`, `http://10.0.0.5:9000`)
 * and networks (`10.0.0.0/8`, `fd00::/8`, or one address). A URL passes when its origin is listed, or when its
 * host — an address, or every address its name resolves to — lies in a listed network. Checked before any
 * connection; `lookup` repeats the network check when the connection is made, so a name that re-resolves
 * elsewhere between check and connect (DNS rebinding) still cannot reach outside.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ActiveStorageError } from '../errors.js';
import type { ByteSource, ReadRequest } from './byte-source.js';
import { FORBIDDEN_ADDRESS_CODE } from './transport.js';

export interface AllowList {
  /** Resolves when `url` may be fetched; rejects with FORBIDDEN_SOURCE (403) otherwise. */
  check(url: URL): Promise<void>;
  /** For the HTTP agents' connect option; `undefined` when the list has no networks (nothing to re-check). */
  lookup: LookupFunction | undefined;
}

/** Every address of a host name, as `dns.lookup(name, { all: true })`. Injectable for tests. */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/** Problems with the entries, one line each; empty when every entry is usable. For config validation. */
export function allowListProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  for (const entry of entries) {
    const problem = parseEntry(entry).problem;
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}

/** `undefined` for an empty list: every upstream is allowed, as in Reductionist. */
export function parseAllowList(
  entries: readonly string[],
  resolveAll: ResolveAll = systemResolve,
): AllowList | undefined {
  if (entries.length === 0) return undefined;
  const problems = allowListProblems(entries);
  if (problems.length > 0) {
    throw new ActiveStorageError('INTERNAL', 'the upstream allow-list is not valid', { causedBy: problems });
  }
  const origins = new Set<string>();
  const networks = new BlockList();
  let hasNetworks = false;
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (parsed.origin !== undefined) origins.add(parsed.origin);
    if (parsed.network !== undefined) {
      const { address, prefix, family } = parsed.network;
      networks.addSubnet(address, prefix, family);
      hasNetworks = true;
    }
  }
  const originHosts = new Set([...origins].map((origin) => new URL(origin).hostname));
  const isAllowedAddress = (address: string): boolean => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    return hasNetworks && networks.check(address, family);
  };

  async function check(url: URL): Promise<void> {
    if (origins.has(url.origin)) return;
    const host = bareHost(url.hostname);
    if (!hasNetworks) throw forbidden([`${url.origin} is not an allowed origin`]);
    if (isIP(host) !== 0) {
      if (isAllowedAddress(host)) return;
      throw forbidden([
        `${url.origin} is not an allowed origin`,
        `address ${host} is outside the allowed networks`,
      ]);
    }
    let addresses: LookupAddress[];
    try {
      addresses = await resolveAll(host);
    } catch (err) {
      throw new ActiveStorageError('UPSTREAM_UNAVAILABLE', 'upstream host name could not be resolved', {
        causedBy: [`${host}: ${(err as { code?: string }).code ?? (err as Error).message}`],
      });
    }
    const outside = addresses.filter((entry) => !isAllowedAddress(entry.address));
    if (addresses.length > 0 && outside.length === 0) return;
    throw forbidden([
      `${url.origin} is not an allowed origin`,
      `${host} resolves to ${outside.map((entry) => entry.address).join(', ') || 'no address'}, outside the allowed networks`,
    ]);
  }

  // Names listed as origins are trusted as names; any other name may only connect to addresses in the networks.
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolveAll(hostname).then(
      (addresses) => {
        const usable = originHosts.has(hostname)
          ? addresses
          : addresses.filter((entry) => isAllowedAddress(entry.address));
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const matching = wanted === undefined ? usable : usable.filter((entry) => entry.family === wanted);
        const first = matching[0];
        if (first === undefined) {
          const err = Object.assign(
            new Error(`${hostname} resolves only to addresses outside the allow-list`),
            {
              code: FORBIDDEN_ADDRESS_CODE,
            },
          );
          callback(err, '', 0);
        } else if (options.all) {
          (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, matching);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };

  return { check, lookup: hasNetworks ? lookup : undefined };
}

/** Checks each location's upstream before the wrapped source connects; local files are governed by their roots. */
export function withAllowList(source: ByteSource, allowList: AllowList | undefined): ByteSource {
  if (allowList === undefined) return source;
  const check = async ({ location }: ReadRequest): Promise<void> => {
    if (location.kind === 's3') await allowList.check(parseUrl(location.endpoint));
    else if (location.kind === 'http') await allowList.check(parseUrl(location.url));
  };
  const wrapped: ByteSource = {
    async read(req) {
      await check(req);
      return source.read(req);
    },
    close: () => source.close(),
  };
  const stream = source.stream?.bind(source);
  if (stream !== undefined) {
    wrapped.stream = async (req, open) => {
      await check(req);
      return stream(req, open);
    };
  }
  return wrapped;
}

interface ParsedEntry {
  origin?: string;
  network?: { address: string; prefix: number; family: 'ipv4' | 'ipv6' };
  problem?: string;
}

function parseEntry(entry: string): ParsedEntry {
  const text = entry.trim();
  if (text.includes('://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { problem: `allow-list entry "${entry}" is not a valid URL` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { problem: `allow-list entry "${entry}" must use http or https` };
    }
    if (
      url.pathname !== '/' ||
      url.search !== '' ||
      url.hash !== '' ||
      url.username !== '' ||
      url.password !== ''
    ) {
      return { problem: `allow-list entry "${entry}" must be an origin only: scheme://host[:port]` };
    }
    return { origin: url.origin };
  }
  const [address = '', prefixText, ...rest] = text.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) {
    return {
      problem: `allow-list entry "${entry}" is neither an origin (scheme://host[:port]) nor an address/CIDR`,
    };
  }
  const bits = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefixText !== undefined && (!/^\d+$/.test(prefixText) || prefix > bits)) {
    return { problem: `allow-list entry "${entry}" has a prefix length outside 0–${bits}` };
  }
  return { network: { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' } };
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
      causedBy: ['url: not an absolute URL'],
    });
  }
}

function forbidden(causedBy: string[]): ActiveStorageError {
  return new ActiveStorageError('FORBIDDEN_SOURCE', 'upstream is not an allowed source', { causedBy });
}
