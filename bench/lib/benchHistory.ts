// Benchmark 4: history scale. 10 000 finished tasks on disk: restore them at activation (open),
// build the tree model (the real src/ui/tree.ts provider over a stand-in 'vscode' module),
// compute statistics: time, and the host's memory growth.
import * as fs from 'node:fs';
import { TaskStore, type TaskRecord } from '../../src/core/store';
import { TASK_PRIORITIES, type TaskState } from '../../src/core/types';
import type { Context } from './context';
import { alternate, findRow, type BenchResult } from './results';
import { fmt } from './stats';

/** Writes `count` finished tasks with the engine's own store, as a long-used workspace has them. */
export function writeHistory(storageDir: string, count: number): void {
  const store = new TaskStore(storageDir);
  store.init();
  const t0 = Date.now() - count * 60_000;
  for (let i = 0; i < count; i++) {
    const startedAt = t0 + i * 60_000;
    const endedAt = startedAt + 500 + (i % 97) * 100;
    const pick = i % 10;
    const state: TaskState =
      pick < 7
        ? { status: 'completed', startedAt, endedAt, exitCode: 0 }
        : pick < 9
          ? { status: 'failed', startedAt, endedAt, exitCode: 1 + (i % 3) }
          : { status: 'cancelled', reason: 'cancelled by user', startedAt, endedAt, signal: 'SIGTERM' };
    const record: TaskRecord = {
      id: `h${i.toString(16).padStart(5, '0')}`,
      seq: i + 1,
      command: `npm run build -- --project packages/p${i % 50} && pytest tests/unit -k case_${i}`,
      type: i % 3 === 0 ? 'system' : 'code',
      priority: TASK_PRIORITIES[i % 4],
      mode: 'background',
      metadata: { source: 'bench', n: i },
      cwd: storageDir,
      env: {},
      dependsOn: [],
      createdAt: startedAt - 10,
      state,
    };
    store.create(record);
    fs.appendFileSync(store.logPath(record.id), `building p${i % 50}\nok\n`);
  }
}

export async function benchHistory(ctx: Context): Promise<BenchResult> {
  const count = ctx.quick ? 2000 : 10_000;
  const storageDir = ctx.tmp('history');
  ctx.log(`history scale: writing ${count} finished tasks`);
  writeHistory(storageDir, count);
  const group = `${count} finished tasks`;
  const rows = await alternate(
    group,
    [
      { name: 'ours (engine + tree)', ours: true, run: () => ctx.inHost({ kind: 'history', storageDir, count, tree: true }) },
      { name: 'floor: read + JSON.parse each task.json', run: () => ctx.inHost({ kind: 'readFloor', storageDir, count }) },
    ],
    ctx.rounds,
    { restoreMs: 'ms', longestBlockMs: 'ms', statisticsMs: 'ms', treeModelMs: 'ms', memoryMiB: 'MiB' },
    ctx.log,
  );
  const result: BenchResult = { id: 'history', title: `4. History scale (${group})`, rows, targets: [], notes: [] };
  const tree = findRow(result, group, 'ours (engine + tree)', 'treeModelMs')!;
  const restore = findRow(result, group, 'ours (engine + tree)', 'restoreMs')!;
  const block = findRow(result, group, 'ours (engine + tree)', 'longestBlockMs')!;
  result.targets = [
    { text: `${count}-task history: tree model under 20 ms`, measured: `${fmt(tree.median)} ms`, met: tree.median < 20 },
    { text: `${count}-task history: restore under 300 ms`, measured: `${fmt(restore.median)} ms`, met: restore.median < 300 },
    {
      text: `${count}-task history: the restore never holds the event loop 10 ms or more`,
      measured: `${fmt(block.median)} ms at most (worst round ${fmt(Math.max(...block.samples))})`,
      met: Math.max(...block.samples) < 10,
    },
  ];
  result.notes.push(
    'restore: TaskEngine.open() on the folder until `ready` (every task.json read and checked, in slices of about 1 ms between which the event loop turns), page cache warm. longestBlock: the largest delay of a 1 ms event-loop timer (perf_hooks.monitorEventLoopDelay) from the turn before the load starts (engine opened with `deferHistory`, then `loadHistory()`, as activate() does) to a timer after `ready`: the longest stretch the restore held the loop (the history loads after activate() has resolved, while the editor is in use). What is longer than a slice is a young-generation collection of V8 inside one (5–8 ms, copying the records just read: `node --trace-gc`), so the slices are short and make no snapshots (a list makes them for the tasks it shows); the end of the load walks only the tasks not finished. tree model: a new TaskTreeProvider, its groups and their children (getChildren: the newest 200 tasks of each group as nodes, the rest behind one "… N more" node per group), with the real ui code over a stand-in vscode module (bench/lib/vscodeShim.ts). memory: RSS after minus before, both after a full GC.',
  );
  return result;
}
