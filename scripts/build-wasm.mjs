// Compiles the AssemblyScript kernels in assembly/ to build/kernels.wasm (run by `npm run build` and, through
// `prepare`, by `npm ci`). The binary is never committed: it is rebuilt from source with the compiler pinned in
// package-lock.json. Without it (or without WebAssembly SIMD) src/ops/wasm-kernels.ts falls back to the TypeScript
// kernels, so a failed build is reported, not fatal.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'kernels.wasm');
mkdirSync(dirname(out), { recursive: true });

let asc;
try {
  asc = createRequire(import.meta.url).resolve('assemblyscript/bin/asc.js');
} catch {
  process.stderr.write('build-wasm: assemblyscript is not installed; the TypeScript kernels will be used\n');
  process.exit(process.env.S3AS_REQUIRE_WASM === '1' ? 1 : 0);
}
const args = [
  asc,
  join(root, 'assembly', 'kernels.ts'),
  '--outFile',
  out,
  '-O3',
  '--noAssert',
  '--runtime',
  'stub',
  '--enable',
  'simd',
  // The memory comes from src/ops/wasm-kernels.ts, one fixed-size memory per thread that is never grown.
  '--importMemory',
  '--noExportMemory',
  '--use',
  'abort=',
];
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('build-wasm: asc failed; the TypeScript kernels will be used\n');
  process.exit(process.env.S3AS_REQUIRE_WASM === '1' ? 1 : 0);
}
