/**
 * The numpy matrix end to end: every case's bytes live at their own offset inside one object, stored both in a
 * SigV4-checking S3 server (moto) and on an HTTP range server; each case is posted to our server over HTTP for both
 * backends. Results must match numpy (test/support/matrix.ts explains the float rule) and the two backends must
 * answer byte for byte the same (API.md §5.4: deterministic whatever the backend).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decode } from 'cbor2';
import { mapLimit } from '../support/map-limit.js';
import { compareResult, loadMatrix, type RawMatrixCase, stringifyJson } from '../support/matrix.js';
import { type RangeServer, startRangeServer } from '../support/range-server.js';
import { type S3Server, startS3Server } from '../support/s3-server.js';
import { basicAuth, type RunningApp, startApp } from '../support/start-app.js';

const { numpy, cases } = loadMatrix();
const KEY = 'matrix/all cases [v2].bin';
const BUCKET = 'matrix';

// Each case starts 3 bytes after a multiple of 16, so most reads begin at an unaligned offset.
const offsets: number[] = [];
let total = 0;
for (const c of cases) {
  total = Math.ceil(total / 16) * 16 + 3;
  offsets.push(total);
  total += c.data.length;
}
const blob = new Uint8Array(total);
cases.forEach((c, i) => {
  blob.set(c.data, offsets[i]);
});

let s3: S3Server;
let http: RangeServer;
let server: RunningApp;

before(async () => {
  [s3, http, server] = await Promise.all([startS3Server(), startRangeServer(), startApp()]);
  await s3.makeBucket(BUCKET);
  await s3.put(BUCKET, KEY, blob);
  http.put(KEY, blob);
});
after(async () => {
  await Promise.all([server?.close(), s3?.stop(), http?.stop()]);
});

interface Posted {
  status: number;
  body: Record<string, unknown> | string;
}

async function run(c: RawMatrixCase, i: number, backend: 's3' | 'http'): Promise<Posted> {
  const where =
    backend === 's3'
      ? `"interface_type":"s3","url":${JSON.stringify(`${s3.endpoint}/${BUCKET}/${encodeURI(KEY)}`)}`
      : `"interface_type":"http","url":${JSON.stringify(http.url('obj', KEY))}`;
  const fields = stringifyJson(c.request).slice(1, -1);
  const body = `{${where},"offset":${offsets[i]},"size":${c.data.length}${fields ? `,${fields}` : ''}}`;
  const res = await fetch(`${server.url}/v2/${c.op}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(backend === 's3' ? basicAuth(s3.accessKey, s3.secretKey) : {}),
    },
    body,
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, body: res.status === 200 ? decode(bytes) : bytes.toString() };
}

describe(`numpy matrix through the server (${cases.length} cases × s3 and http, numpy ${numpy})`, () => {
  it('every case matches numpy on both backends, byte-identical across backends', async () => {
    const failures = await mapLimit(cases, 8, async (c, i) => {
      const [viaS3, viaHttp] = await Promise.all([run(c, i, 's3'), run(c, i, 'http')]);
      if (viaS3.status !== 200 || typeof viaS3.body === 'string')
        return `${c.name}: s3 ${viaS3.status} ${viaS3.body}`;
      if (viaHttp.status !== 200 || typeof viaHttp.body === 'string') {
        return `${c.name}: http ${viaHttp.status} ${viaHttp.body}`;
      }
      const r = viaS3.body;
      const problem = compareResult(
        {
          dtype: r.dtype as string,
          shape: r.shape as number[],
          bytes: r.bytes as Uint8Array,
          count: r.count as number[],
        },
        c.expected,
      );
      if (problem !== undefined) return `${c.name}: ${problem}`;
      const a = Buffer.from(r.bytes as Uint8Array).toString('hex');
      const b = Buffer.from(viaHttp.body.bytes as Uint8Array).toString('hex');
      return a === b ? undefined : `${c.name}: s3 and http bytes differ (${a} vs ${b})`;
    });
    const failed = failures.filter((f) => f !== undefined);
    assert.deepEqual(failed.slice(0, 20), [], `${failed.length} of ${cases.length} cases failed`);
  });
});
