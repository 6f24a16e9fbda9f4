// Benchmark 5 (the part done in Node): the size of the production bundle, built the way
// esbuild.js --production builds it, but into a temp folder so dist/ is left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Context } from './context';
import type { BenchResult } from './results';
import { fmt } from './stats';

export async function benchBundle(ctx: Context): Promise<BenchResult> {
  // esbuild is a dev dependency of the project; required lazily so the other benchmarks run without it.
  const esbuild = require('esbuild') as typeof import('esbuild');
  const outfile = path.join(ctx.tmp('bundle'), 'extension.js');
  const root = path.join(__dirname, '..', '..', '..');
  // Keep in step with esbuild.js (production: minified, no source map).
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['src/extension.ts'],
    bundle: true,
    format: 'cjs',
    minify: true,
    sourcemap: false,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['vscode'],
    logLevel: 'silent',
  });
  const bytes = fs.statSync(outfile).size;
  const gz = gzipSync(fs.readFileSync(outfile)).length;
  ctx.log(`bundle: ${bytes} bytes (${gz} gzipped)`);
  const kb = bytes / 1000;
  return {
    id: 'bundle',
    title: '5. The extension: bundle size (activation time and host memory: not measured yet)',
    rows: [
      { group: 'production bundle', subject: 'dist/extension.js', metric: 'size', unit: 'KB', samples: [kb], median: kb, ours: true },
      { group: 'production bundle', subject: 'dist/extension.js', metric: 'gzipped', unit: 'KB', samples: [gz / 1000], median: gz / 1000, ours: true },
    ],
    targets: [
      { text: 'Bundle under 300 KB', measured: `${fmt(kb)} KB`, met: kb < 300 },
      { text: 'Activation under 30 ms', measured: 'not measured (needs the code-server host)', met: undefined },
    ],
    notes: ['Built with the options of `node esbuild.js --production` (minified, no source map, vscode external) into a temp folder.'],
  };
}
