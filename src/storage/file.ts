/**
 * [ext] `interface_type: "file"` (API.md §10.6): reads from local files under operator-configured roots. A path
 * is checked against the roots twice: as written (so nothing outside them is even looked at, and a client cannot
 * probe which files exist there) and after symlinks are resolved (so a link inside a root cannot lead outside).
 */
import { constants, realpathSync } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, resolve, sep } from 'node:path';
import { ActiveStorageError } from '../errors.js';
import type { ByteRange } from '../request/chunk-request.js';
import type { ByteSource, ReadRequest } from './byte-source.js';
import { type Allocate, type Release, transportDefaults } from './transport.js';

export interface FileSourceOptions {
  /** Directories files may be read from; each is resolved (symlinks followed) once, when the source is made. */
  roots: string[];
  /** Largest read held in memory → TOO_LARGE beyond it. */
  maxBytes: number;
  /** Memory a read goes into (see TransportOptions.allocate); default own memory per read. */
  allocate: Allocate;
  /** Gets back memory from `allocate` when the read fails after taking it. */
  release: Release;
}

const MESSAGE = 'error retrieving object from file storage';

export function createFileSource(options: Partial<FileSourceOptions> & { roots: string[] }): ByteSource {
  const maxBytes = options.maxBytes ?? transportDefaults.maxBytes;
  const allocate = options.allocate ?? transportDefaults.allocate;
  const release = options.release ?? transportDefaults.release;
  if (options.roots.length === 0) {
    throw new ActiveStorageError('INTERNAL', 'the file source needs at least one root directory');
  }
  const roots = options.roots.map(resolveRoot);
  // Both spellings of each root: a path written under a symlinked root is still "inside" before resolution.
  const writtenRoots = [...new Set([...options.roots.map((root) => resolve(root)), ...roots])];

  async function read(req: ReadRequest): Promise<Uint8Array> {
    const { location, range, signal } = req;
    if (location.kind !== 'file') {
      throw new ActiveStorageError('INTERNAL', `the file source was handed a ${location.kind} location`);
    }
    if (!isAbsolute(location.path)) {
      throw new ActiveStorageError('INVALID_REQUEST', 'request data is not valid', {
        causedBy: ['url: a file URL must name an absolute path'],
      });
    }
    if (!isInside(resolve(location.path), writtenRoots)) throw outsideRoots();
    let real: string;
    try {
      real = await realpath(location.path);
    } catch (err) {
      throw fsError(err);
    }
    if (!isInside(real, roots)) throw outsideRoots();
    if (signal.aborted) throw abandoned(signal);

    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // O_NONBLOCK: opening a FIFO must not hang the request; regular files ignore the flag.
      handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      throw fsError(err);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) {
        throw new ActiveStorageError('UPSTREAM_NOT_FOUND', MESSAGE, {
          causedBy: [`${location.path} is not a regular file`],
        });
      }
      const length = readLength(range, stat.size);
      if (length > maxBytes) {
        throw new ActiveStorageError('TOO_LARGE', 'object range too large to read from file storage', {
          causedBy: [`${length} bytes requested, the server reads at most ${maxBytes} bytes per read`],
        });
      }
      const out = allocate(length);
      try {
        if (out.byteLength !== length)
          throw new RangeError(`allocate(${length}) returned ${out.byteLength} bytes`);
        let filled = 0;
        while (filled < length) {
          if (signal.aborted) throw abandoned(signal);
          const { bytesRead } = await handle.read(out, filled, length - filled, range.offset + filled);
          if (bytesRead === 0) throw shortRead(range, filled);
          filled += bytesRead;
        }
        return out;
      } catch (err) {
        release(out);
        throw err;
      }
    } catch (err) {
      if (err instanceof ActiveStorageError) throw err;
      throw signal.aborted ? abandoned(signal) : fsError(err);
    } finally {
      await handle.close();
    }
  }

  return {
    read,
    close: async () => {},
  };
}

/** Bytes to read; a range reaching past the end of the file is refused as S3 refuses it (InvalidRange → 400). */
function readLength(range: ByteRange, fileSize: number): number {
  if (range.size !== undefined) {
    if (range.offset + range.size > fileSize) throw shortRead(range, Math.max(0, fileSize - range.offset));
    return range.size;
  }
  if (range.hasOffset && range.offset >= fileSize) throw shortRead(range, 0);
  return fileSize - Math.min(range.offset, fileSize);
}

function resolveRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch (err) {
    throw new ActiveStorageError('INTERNAL', `file root ${root} cannot be used`, {
      causedBy: [(err as Error).message],
    });
  }
}

function isInside(path: string, roots: string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep));
}

function abandoned(signal: AbortSignal): ActiveStorageError {
  const reason: unknown = signal.reason;
  if (reason instanceof ActiveStorageError) return reason;
  return new ActiveStorageError('UPSTREAM_TIMEOUT', MESSAGE, { causedBy: ['the read was abandoned'] });
}

function outsideRoots(): ActiveStorageError {
  return new ActiveStorageError(
    'FORBIDDEN_SOURCE',
    'file path is outside the directories this server serves',
  );
}

function shortRead(range: ByteRange, got: number): ActiveStorageError {
  const wanted = range.size === undefined ? 'bytes' : `${range.size} bytes`;
  return new ActiveStorageError('UPSTREAM_BAD_REQUEST', MESSAGE, {
    causedBy: [`short read: asked for ${wanted} at offset ${range.offset}, the file has ${got} bytes there`],
  });
}

function fsError(err: unknown): ActiveStorageError {
  const code = (err as { code?: unknown }).code;
  if (code === 'EACCES' || code === 'EPERM') {
    return new ActiveStorageError('FORBIDDEN_SOURCE', 'the server may not read this file', {
      causedBy: [`${code}: permission denied`],
    });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') {
    return new ActiveStorageError('UPSTREAM_NOT_FOUND', MESSAGE, {
      causedBy: [`${code}: no such file`],
    });
  }
  return new ActiveStorageError('INTERNAL', MESSAGE, {
    causedBy: [String((err as Error)?.message ?? err)],
    cause: err,
  });
}
