// Benchmark 5: the extension itself. The size of the production bundle, built the way
// esbuild.js --production builds it but into a temp folder so dist/ is left alone; then, in a
// real VS Code (host/runHost.ts, skipped with BENCH_HOST=0), its activation time and the
// extension host's memory with 1000 tasks in history.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { CODE_SERVER_VERSION } from '../../test/host/codeServer';
import type { Context } from './context';
import type { BenchResult, Row, Target } from './results';
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
  const group = 'production bundle';
  const result: BenchResult = {
    id: 'bundle',
    title: '5. The extension in a real VS Code',
    rows: [
      { group, subject: 'dist/extension.js', metric: 'size', unit: 'KB', samples: [kb], median: kb, ours: true },
      { group, subject: 'dist/extension.js', metric: 'gzipped', unit: 'KB', samples: [gz / 1000], median: gz / 1000, ours: true },
    ],
    targets: [{ text: 'Bundle under 300 KB', measured: `${fmt(kb)} KB`, met: kb < 300 }],
    notes: ['Bundle: built with the options of `node esbuild.js --production` (minified, no source map, vscode external) into a temp folder.'],
  };
  const host = measureInHost(ctx);
  if ('error' in host) {
    result.targets.push({ text: 'Activation under 30 ms', measured: `not measured: ${host.error}`, met: undefined });
    return result;
  }
  result.rows.push(...host.rows);
  result.targets.push(host.target);
  result.notes.push(...host.notes);
  return result;
}

function measureInHost(ctx: Context): { rows: Row[]; target: Target; notes: string[] } | { error: string } {
  if (process.env.BENCH_HOST === '0') return { error: 'BENCH_HOST=0' };
  const file = path.join(ctx.tmp('host'), 'host.json');
  ctx.log('the extension in code-server: activation time, extension host memory with 1000 tasks');
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'host', 'runHost.js'), file], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 8 * 60_000, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(file)) return { error: `the code-server run failed (${r.status ?? r.signal}): ${(r.stderr ?? '').split('\n').slice(0, 3).join(' ')}` };
  const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number | string | undefined>;
  const num = (k: string): number => Number(h[k]);
  const group = `code-server, ${num('tasks')} tasks`;
  const row = (metric: string, unit: string, v: number): Row => ({ group, subject: 'extension host', metric, unit, samples: [v], median: v, ours: true });
  const rows = [row('rssBeforeMiB', 'MiB', num('rssBeforeMiB')), row('rssAfterMiB', 'MiB', num('rssAfterMiB')), row('heapAfterMiB', 'MiB', num('heapAfterMiB')), row('runMs', 'ms', num('runMs'))];
  const act = h.activationMs === undefined ? undefined : num('activationMs');
  if (act !== undefined) rows.unshift(row('activationMs', 'ms', act));
  ctx.log(`  host: ${JSON.stringify(h)}`);
  return {
    rows,
    target: { text: 'Activation under 30 ms', measured: act === undefined ? `not read (${String(h.runningExtensionsRow)})` : `${fmt(act)} ms`, met: act === undefined ? undefined : act < 30 },
    notes: [
      `Extension host: code-server ${CODE_SERVER_VERSION} (test/host), the development bundle in dist/ loaded as extensionDevelopmentPath; activation time as its Running Extensions view shows it ("${String(h.runningExtensionsRow).slice(0, 120)}"); RSS of the extension host process (process.memoryUsage() inside it, so other extensions in that host count too) before and 3 s after ${num('tasks')} tasks of \`true\` ran through the API with the tree view shown; one run, not alternated.`,
    ],
  };
}
