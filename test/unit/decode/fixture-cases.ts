// Loads test/fixtures/codecs (written by scripts/make-codec-fixtures.py) and turns each case's wire codec objects into
// the configs decodeChunk takes, through the same parser the request validators use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DTYPES, type DType } from '../../../src/array/dtype.js';
import { type CodecConfig, parseCodecConfig } from '../../../src/decode/registry.js';
import { parseJson } from '../../../src/request/json.js';

export const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/codecs');

export interface FixtureCase {
  name: string;
  stored: Uint8Array;
  chain: { compression: CodecConfig | undefined; filters: CodecConfig[] };
  ctx: {
    dtype: DType;
    itemsize: number;
    expectedBytes: number | undefined;
    maxBytes: number;
    byteOrder: 'little' | 'big';
  };
  expected?: { length: number; sha256: string };
  error?: { code: string; message: string; caused_by_contains: string };
}

interface ManifestCase {
  name: string;
  file: string;
  compression: unknown;
  filters: unknown[];
  dtype: DType;
  byte_order: 'little' | 'big';
  shape: number[] | null;
  max_bytes?: number;
  expected?: { length: number; sha256: string };
  error?: { code: string; message: string; caused_by_contains: string };
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

export function loadFixtureCases(): FixtureCase[] {
  const manifestText = readFileSync(join(FIXTURE_DIR, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(manifestText) as { cases: ManifestCase[] };
  return manifest.cases.map((c) => {
    // Codec objects go through the lossless parser, as they would in a request body.
    const problems: string[] = [];
    const compression =
      c.compression === null
        ? undefined
        : parseCodecConfig('compression', parseJson(JSON.stringify(c.compression)), 'compression', problems);
    const filters = c.filters.map((f, i) =>
      parseCodecConfig('filter', parseJson(JSON.stringify(f)), `filters[${i}]`, problems),
    );
    if (problems.length > 0) throw new Error(`fixture ${c.name}: ${problems.join('; ')}`);
    const itemsize = DTYPES[c.dtype].itemsize;
    return {
      name: c.name,
      stored: new Uint8Array(readFileSync(join(FIXTURE_DIR, c.file))),
      chain: { compression, filters: filters as CodecConfig[] },
      ctx: {
        dtype: c.dtype,
        itemsize,
        expectedBytes: c.shape === null ? undefined : c.shape.reduce((a, b) => a * b, itemsize),
        maxBytes: c.max_bytes ?? DEFAULT_MAX_BYTES,
        byteOrder: c.byte_order,
      },
      ...(c.expected === undefined ? {} : { expected: c.expected }),
      ...(c.error === undefined ? {} : { error: c.error }),
    };
  });
}
