/**
 * `npm start` / `s3-active-storage demo`: the embedded sample store on 127.0.0.1:9000, seeded, beside the server,
 * then working example requests printed for a person to paste.
 */
import type { Config } from '../config.js';
import { closeOnSignals, listenProblem, startServer } from '../main.js';
import { startDemoStore } from './demo-store.js';
import { seedSampleData } from './sample-data.js';

export const DEMO_ACCESS_KEY = 'minioadmin';
export const DEMO_SECRET_KEY = 'minioadmin';

export function demoExamples(serverUrl: string, storeUrl: string): string {
  const v2 = JSON.stringify({
    interface_type: 's3',
    url: `${storeUrl}/sample-data/data-float32.dat`,
    dtype: 'float32',
  });
  const v1 = JSON.stringify({
    source: storeUrl,
    bucket: 'sample-data',
    object: 'data-int32.dat',
    dtype: 'int32',
  });
  return `
Sample store (S3, path style): ${storeUrl}   keys ${DEMO_ACCESS_KEY} / ${DEMO_SECRET_KEY}
  bucket sample-data (private): data-{int32,int64,uint32,uint64,float32,float64}.dat = numpy.arange(10) and more
  bucket sample (public-read):  the worked examples of the API contract (demo/ints.bin, demo/f64.z, ...)
Active storage server: ${serverUrl}

Try (sum of numpy.arange(10) = 45):

  # v1: the body is the raw little-endian result (here one int32: 45); add -D - to see the x-activestorage-* headers
  curl -s -u ${DEMO_ACCESS_KEY}:${DEMO_SECRET_KEY} -H 'Content-Type: application/json' \\
    -d '${v1}' ${serverUrl}/v1/sum/ | od -A n -t d4

  # v2 (Reductionist), CBOR response
  curl -s -u ${DEMO_ACCESS_KEY}:${DEMO_SECRET_KEY} -H 'Content-Type: application/json' \\
    -d '${v2}' ${serverUrl}/v2/sum -o sum.cbor

  # Python (the original prototype's example)
  python3 - <<'PY'
import numpy as np, requests
r = requests.post('${serverUrl}/v1/sum', auth=('${DEMO_ACCESS_KEY}', '${DEMO_SECRET_KEY}'),
                  json={'source': '${storeUrl}', 'bucket': 'sample-data', 'object': 'data-float32.dat', 'dtype': 'float32'})
print(np.frombuffer(r.content, dtype=r.headers['x-activestorage-dtype']))   # [45.]
PY

Press Ctrl+C to stop.
`;
}

export async function runDemo(
  config: Config,
  storePort: number,
  fail: (message: string) => never,
): Promise<void> {
  const host = '127.0.0.1';
  let store: Awaited<ReturnType<typeof startDemoStore>>;
  try {
    store = await startDemoStore({
      host,
      port: storePort,
      accessKey: DEMO_ACCESS_KEY,
      secretKey: DEMO_SECRET_KEY,
    });
  } catch (err) {
    fail(listenProblem(err, host, storePort, 'sample store', '--store-port') ?? String(err));
  }
  seedSampleData(store);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (err) {
    await store.close();
    fail(listenProblem(err, config.host, config.port, 'server') ?? String(err));
  }
  // The contract's examples name the store as http://localhost:9000; print the address people can paste.
  const storeUrl = storePort === 9000 ? 'http://localhost:9000' : store.url;
  process.stdout.write(demoExamples(server.url, storeUrl));
  closeOnSignals(config.shutdownTimeoutMs, [server.close, store.close]);
}
