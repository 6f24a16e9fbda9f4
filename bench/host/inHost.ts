// Loaded by the extension host as extensionTestsPath (see runHost.ts): reads how long the
// extension took to load and activate from the host's own performance marks, then fills its
// history with 1000 tasks through the API and records the extension host's memory before and
// after (see settled()), and its peak while they ran. Writes JSON to $BT_BENCH_OUT.
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { BackgroundTasksApi } from '../../src/api';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number): number => bytes / 2 ** 20;

/** A full GC in a process started without --expose-gc, so memory is measured settled. */
function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/**
 * The extension host marks code/extHost/{will,did}{LoadExtensionCode,ActivateExtension}/<id>
 * (VS Code's perf marks, kept in globalThis.MonacoPerformanceMarks): load = require of the
 * bundle, activate = activate() until its promise resolved.
 */
function activationMarks(id: string): { loadMs?: number; activateMs?: number; totalMs?: number } {
  const perf = (globalThis as { MonacoPerformanceMarks?: { getMarks(): { name: string; startTime: number }[] } }).MonacoPerformanceMarks;
  const marks = new Map((perf?.getMarks() ?? []).map((m) => [m.name, m.startTime]));
  const at = (what: string): number | undefined => marks.get(`code/extHost/${what}/${id}`);
  const span = (a?: number, b?: number): number | undefined => (a !== undefined && b !== undefined ? b - a : undefined);
  const willLoad = at('willLoadExtensionCode');
  const didActivate = at('didActivateExtension');
  return {
    loadMs: span(willLoad, at('didLoadExtensionCode')),
    activateMs: span(at('willActivateExtension'), didActivate),
    totalMs: span(willLoad, didActivate),
  };
}

/** Activates one of runHost.ts's empty extensions; its marks, or undefined if it is not there. */
async function activateEmpty(id: string): Promise<ReturnType<typeof activationMarks> | undefined> {
  const empty = vscode.extensions.getExtension(id);
  if (!empty) return undefined;
  await empty.activate();
  return activationMarks(id);
}

/**
 * The RSS once the host is quiet: changed by less than 1 MiB over 5 samples a second apart (at
 * most 60 s). Read without a forced GC: a full GC right after a busy spell touches the pages V8
 * had committed for it (heapTotal) and adds ~20 MiB of RSS that the host, left alone, does not
 * have. Heap figures are read after a full GC, once the RSS is read.
 */
async function quietRss(): Promise<{ rss: number; waitedMs: number }> {
  const began = Date.now();
  const seen: number[] = [];
  for (;;) {
    seen.push(process.memoryUsage().rss);
    const last = seen.slice(-6);
    if ((last.length === 6 && Math.max(...last) - Math.min(...last) < 2 ** 20) || Date.now() - began > 60_000) return { rss: seen[seen.length - 1], waitedMs: Date.now() - began };
    await sleep(1000);
  }
}

/** With BT_BENCH_HEAP=<folder>, a heap snapshot before and after, to see what the tasks left in the host. */
function heapSnapshot(label: string): void {
  const dir = process.env.BT_BENCH_HEAP;
  if (dir) v8.writeHeapSnapshot(path.join(dir, `${label}.heapsnapshot`));
}

function heapAfterGc(): NodeJS.MemoryUsage {
  gc();
  return process.memoryUsage();
}

export async function run(): Promise<void> {
  const out = process.env.BT_BENCH_OUT;
  if (!out) throw new Error('BT_BENCH_OUT is not set');
  const count = Number(process.env.BT_BENCH_TASKS ?? 1000);
  const ext = vscode.extensions.getExtension<BackgroundTasksApi>('isaac.background-tasks');
  if (!ext) throw new Error('extension isaac.background-tasks is not loaded');
  // The floor: an extension that only requires 'vscode', activated just before ours (and one just after).
  const emptyBefore = await activateEmpty('isaac-bench.empty-before');
  // Activated here (not yet at startup): the longest stretch its loading and activate() held
  // the extension host's event loop, as the largest delay of a 1 ms timer meanwhile.
  let longestBlockMs: number | undefined;
  let api: BackgroundTasksApi;
  if (ext.isActive) api = ext.exports;
  else {
    const blocks = monitorEventLoopDelay({ resolution: 1 });
    blocks.enable();
    // With BT_BENCH_PROFILE=<file>, a CPU profile of the host meanwhile (open it in DevTools).
    const profile = process.env.BT_BENCH_PROFILE ? new inspector.Session() : undefined;
    const post = (method: string, params?: object): Promise<unknown> =>
      new Promise((resolve, reject) => profile!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
    if (profile) {
      profile.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 100 });
      await post('Profiler.start');
    }
    await sleep(5);
    api = await ext.activate();
    await sleep(5);
    blocks.disable();
    longestBlockMs = blocks.max / 1e6;
    if (profile) {
      const { profile: data } = (await post('Profiler.stop')) as { profile: unknown };
      fs.writeFileSync(process.env.BT_BENCH_PROFILE!, JSON.stringify(data));
      profile.disconnect();
    }
  }
  // activate()'s own stretches between its awaits (src/extension.ts, ACTIVATION_MEASURE).
  const stretches = performance.getEntriesByName('backgroundTasks/activate').map((e) => e.duration);
  const emptyAfter = await activateEmpty('isaac-bench.empty-after');
  const activation = {
    ...activationMarks(ext.id),
    ...(emptyBefore ? { emptyBeforeLoadMs: emptyBefore.loadMs, emptyBeforeActivateMs: emptyBefore.activateMs } : {}),
    ...(emptyAfter ? { emptyAfterLoadMs: emptyAfter.loadMs, emptyAfterActivateMs: emptyAfter.activateMs } : {}),
    ...(longestBlockMs !== undefined ? { longestBlockMs } : {}),
    ...(stretches.length > 0 ? { longestStretchMs: Math.max(...stretches), stretches: stretches.length, stretchesMs: stretches.map((d) => d.toFixed(1)).join(' ') } : {}),
  };
  const config = vscode.workspace.getConfiguration('backgroundTasks');
  await config.update('historySize', count * 2, vscode.ConfigurationTarget.Global);
  await config.update('maxConcurrentTasks', 8, vscode.ConfigurationTarget.Global);
  // Show the tree, so its nodes exist as they do for a person looking at it.
  await vscode.commands.executeCommand('backgroundTasks.tasks.focus').then(undefined, () => undefined);
  // The RSS before any forced GC; the GC for the heap figure comes after and, if anything, adds to the RSS after.
  const rssBefore = await quietRss();
  const heapBefore = heapAfterGc();
  heapSnapshot('before');
  let peakRss = rssBefore.rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  let finished = 0;
  const done = new Promise<void>((resolve) => {
    api.onDidFinishTask(() => {
      if (++finished === count) resolve();
    });
  });
  const start = Date.now();
  for (let i = 0; i < count; i++) api.spawnTask({ command: 'true', metadata: { n: i } });
  await done;
  const runMs = Date.now() - start;
  await sleep(3000); // let the tree and the status bar settle
  clearInterval(sampler);
  const rssSoon = process.memoryUsage().rss;
  const rssAfter = await quietRss();
  const heapAfter = heapAfterGc();
  heapSnapshot('after');
  const result = {
    ...activation,
    tasks: count,
    runMs,
    rssBeforeMiB: mib(rssBefore.rss),
    rssPeakMiB: mib(peakRss),
    rssSoonMiB: mib(rssSoon),
    rssAfterMiB: mib(rssAfter.rss),
    rssAfterGcMiB: mib(heapAfter.rss),
    heapBeforeMiB: mib(heapBefore.heapUsed),
    heapAfterMiB: mib(heapAfter.heapUsed),
    heapTotalAfterMiB: mib(heapAfter.heapTotal),
    settleMs: rssAfter.waitedMs,
  };
  fs.writeFileSync(out, JSON.stringify(result));
}
