// Loaded by the extension host as extensionTestsPath (see runHost.ts): with the extension active,
// fills its history with 1000 tasks through the API and records the extension host's memory
// before and after. Writes JSON to $BT_BENCH_OUT, then waits for the runner to read the
// Running Extensions view ($BT_BENCH_OUT.done) before it lets the host close.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { BackgroundTasksApi } from '../../src/api';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mib = (bytes: number): number => bytes / 2 ** 20;

export async function run(): Promise<void> {
  const out = process.env.BT_BENCH_OUT;
  if (!out) throw new Error('BT_BENCH_OUT is not set');
  const count = Number(process.env.BT_BENCH_TASKS ?? 1000);
  const ext = vscode.extensions.getExtension<BackgroundTasksApi>('isaac.background-tasks');
  if (!ext) throw new Error('extension isaac.background-tasks is not loaded');
  const api = ext.isActive ? ext.exports : await ext.activate();
  const config = vscode.workspace.getConfiguration('backgroundTasks');
  await config.update('historySize', count * 2, vscode.ConfigurationTarget.Global);
  await config.update('maxConcurrentTasks', 8, vscode.ConfigurationTarget.Global);
  // Show the tree, so its nodes exist as they do for a person looking at it.
  await vscode.commands.executeCommand('backgroundTasks.tasks.focus').then(undefined, () => undefined);
  await sleep(2000);
  const before = process.memoryUsage();
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
  const after = process.memoryUsage();
  const result = {
    tasks: count,
    runMs,
    rssBeforeMiB: mib(before.rss),
    rssAfterMiB: mib(after.rss),
    heapBeforeMiB: mib(before.heapUsed),
    heapAfterMiB: mib(after.heapUsed),
  };
  fs.writeFileSync(out, JSON.stringify(result));
  await vscode.commands.executeCommand('workbench.action.showRuntimeExtensions').then(undefined, () => undefined);
  for (let i = 0; i < 100 && !fs.existsSync(`${out}.done`); i++) await sleep(200);
}
