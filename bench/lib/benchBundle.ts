// Benchmark 5: the extension itself. The size of the production bundle, built by
// `node esbuild.js --production` into a temp folder so dist/ is left alone; then, in a
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
  const root = path.join(__dirname, '..', '..', '..');
  const dist = ctx.tmp('bundle');
  // esbuild.js itself, so the bundle measured (and loaded below) is the one the .vsix ships, options and all.
  const build = spawnSync(process.execPath, ['esbuild.js', '--production', `--outdir=${dist}`], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node esbuild.js --production failed: ${build.stderr || build.stdout}`);
  const outfile = path.join(dist, 'extension.js');
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
    notes: ['Bundle: built by `node esbuild.js --production` (minified, no source map, vscode external) into a temp folder.'],
  };
  const host = measureInHost(ctx, packaged(root, dist, ctx.tmp('extension')));
  if ('error' in host) {
    result.targets.push({ text: 'Activation under 30 ms', measured: `not measured: ${host.error}`, met: undefined });
    return result;
  }
  result.rows.push(...host.rows);
  result.targets.push(...host.targets);
  result.notes.push(...host.notes);
  return result;
}

/** An extension folder as the .vsix holds it (.vscodeignore): package.json, media and the production bundles. */
function packaged(root: string, dist: string, dir: string): string {
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  if (fs.existsSync(path.join(root, 'media'))) fs.cpSync(path.join(root, 'media'), path.join(dir, 'media'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'dist'));
  for (const file of ['extension.js', 'cli.js']) fs.copyFileSync(path.join(dist, file), path.join(dir, 'dist', file));
  return dir;
}

function measureInHost(ctx: Context, extensionDir: string): { rows: Row[]; targets: Target[]; notes: string[] } | { error: string } {
  if (process.env.BENCH_HOST === '0') return { error: 'BENCH_HOST=0' };
  const file = path.join(ctx.tmp('host'), 'host.json');
  ctx.log('the extension in code-server: activation time, extension host memory with 1000 tasks');
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'host', 'runHost.js'), file, extensionDir], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 8 * 60_000, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(file)) return { error: `the code-server run failed (${r.status ?? r.signal}): ${(r.stderr ?? '').split('\n').slice(0, 3).join(' ')}` };
  const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, number | string | undefined>;
  const num = (k: string): number => Number(h[k]);
  const group = `code-server, ${num('tasks')} tasks`;
  const row = (metric: string, unit: string, v: number): Row => ({ group, subject: 'extension host', metric, unit, samples: [v], median: v, ours: true });
  const growth = num('rssAfterMiB') - num('rssBeforeMiB');
  const rows = [
    row('rssBeforeMiB', 'MiB', num('rssBeforeMiB')),
    row('rssPeakMiB (while the tasks ran)', 'MiB', num('rssPeakMiB')),
    row('rssSoonMiB (3 s after)', 'MiB', num('rssSoonMiB')),
    row('rssAfterMiB (settled)', 'MiB', num('rssAfterMiB')),
    row('RSS growth, settled', 'MiB', growth),
    row('rssAfterGcMiB (then a forced full GC)', 'MiB', num('rssAfterGcMiB')),
    row('heapBeforeMiB', 'MiB', num('heapBeforeMiB')),
    row('heapAfterMiB', 'MiB', num('heapAfterMiB')),
    row('heapTotalAfterMiB', 'MiB', num('heapTotalAfterMiB')),
    row('runMs', 'ms', num('runMs')),
  ];
  // VS Code's own "activation time" (Running Extensions) is code loading + the activate() call
  // until its promise resolves; the host's creation of the extension context in between is its own.
  const act = h.loadMs === undefined || h.activateMs === undefined ? undefined : num('loadMs') + num('activateMs');
  if (act !== undefined) {
    rows.unshift(row('activation (load + activate())', 'ms', act), row('of which loading the bundle', 'ms', num('loadMs')), row('with the host context, will-load to did-activate', 'ms', num('totalMs')));
  }
  // The floor: an extension that only requires 'vscode', activated just before ours and just after (runHost.ts).
  const emptyAct = (which: string): number | undefined =>
    h[`${which}LoadMs`] === undefined || h[`${which}ActivateMs`] === undefined ? undefined : num(`${which}LoadMs`) + num(`${which}ActivateMs`);
  const floors = [emptyAct('emptyBefore'), emptyAct('emptyAfter')].filter((v): v is number => v !== undefined);
  const floor = floors.length > 0 ? floors.reduce((a, b) => a + b, 0) / floors.length : undefined;
  if (act !== undefined && floor !== undefined) {
    const i = rows.findIndex((r) => r.metric === 'with the host context, will-load to did-activate') + 1;
    rows.splice(
      i,
      0,
      ...(['emptyBefore', 'emptyAfter'] as const).flatMap((which) => {
        const v = emptyAct(which);
        return v === undefined ? [] : [{ ...row(`activation (load + activate()), ${which === 'emptyBefore' ? 'just before' : 'just after'} ours`, 'ms', v), subject: 'an empty extension (floor)', ours: false }];
      }),
      row('activation beyond the empty extension’s (ours − mean of the floors)', 'ms', act - floor),
    );
  }
  if (h.longestBlockMs !== undefined) rows.unshift(row('longest event-loop block of the host while ours loaded and activated (all its extensions)', 'ms', num('longestBlockMs')));
  if (h.longestStretchMs !== undefined) rows.unshift(row(`longest synchronous stretch of activate() (of ${num('stretches')})`, 'ms', num('longestStretchMs')));
  ctx.log(`  host: ${JSON.stringify(h)}`);
  return {
    rows,
    targets: [
      {
        text: 'activate() never holds the extension host 10 ms or more at a time',
        measured: h.longestStretchMs === undefined ? 'not measured (the extension was active before the bench could watch)' : `${fmt(num('longestStretchMs'))} ms, its longest of ${num('stretches')} stretches`,
        met: h.longestStretchMs === undefined ? undefined : num('longestStretchMs') < 10,
      },
      {
        text: 'Activation under 30 ms',
        measured: act === undefined ? 'no activation marks found in the extension host' : `${fmt(act)} ms, of which loading the bundle ${fmt(num('loadMs'))}${floor === undefined ? '' : `; an empty extension in the same host: ${floors.map(fmt).join(' and ')} ms`}`,
        met: act === undefined ? undefined : act < 30,
      },
      ...(act === undefined || floor === undefined
        ? []
        : [{ text: 'Activation beyond what an empty extension’s costs in the same host under 30 ms', measured: `${fmt(act - floor)} ms (${fmt(act)} − ${fmt(floor)})`, met: act - floor < 30 }]),
      { text: `Extension host RSS growth after ${num('tasks')} tasks under 16 MiB (settled)`, measured: `${fmt(growth)} MiB (${fmt(num('rssBeforeMiB'))} → ${fmt(num('rssAfterMiB'))}; peak ${fmt(num('rssPeakMiB'))}, 3 s after ${fmt(num('rssSoonMiB'))}, after a forced GC ${fmt(num('rssAfterGcMiB'))})`, met: growth < 16 },
    ],
    notes: [
      `Extension host: code-server ${CODE_SERVER_VERSION} (test/host), the production bundle in a folder laid out as the .vsix installs it, loaded as extensionDevelopmentPath; activation from the host's own performance marks: code/extHost/{will,did}LoadExtensionCode (require of the bundle) plus {will,did}ActivateExtension (activate() until its promise resolved), as VS Code's Running Extensions view adds them; memory of the extension host process (process.memoryUsage() inside it, so whatever else runs in that host counts too) before and after ${num('tasks')} tasks of \`true\` ran through the API (limit 8) with the tree view shown. The RSS is read once it has settled (changed by less than 1 MiB over 5 s; after the run that took ${fmt(num('settleMs') / 1000)} s) and before any forced GC: a full GC right after a busy spell touches the pages V8 had committed for it and adds RSS the host left alone does not have (given as 'then a forced full GC'); heap figures are read after a full GC; one run, not alternated.`,
    ],
  };
}
