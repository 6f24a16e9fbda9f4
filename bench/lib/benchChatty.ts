// Benchmark 3: many chatty tasks. N tasks each printing 20 MB in short lines while the engine's
// log follower (what an open output channel uses) reads 5 of them: the host's event-loop delay.
// The floor: the same processes writing to files, started by one shell while the host only
// measures: what the busy processes alone do to a host's timers on this machine.
import type { Context } from './context';
import { wipe } from './context';
import { alternate, findRow, type BenchResult } from './results';
import { fmt } from './stats';

export async function benchChatty(ctx: Context): Promise<BenchResult> {
  const count = 50;
  const bytes = ctx.quick ? 5 * 2 ** 20 : 20 * 2 ** 20;
  const follow = 5;
  // 30-byte lines, written by a loop that flushes line by line would take minutes in sh; `yes`
  // writes its short lines in blocks, which is what a chatty program looks like to the log.
  const command = `yes 'chatty line of output 12345' | head -c ${bytes}`;
  const group = `${count} tasks × ${bytes / 2 ** 20} MiB, ${follow} followed`;
  ctx.log(`many chatty tasks: ${group}`);
  const rows = await alternate(
    group,
    [
      {
        name: 'ours (engine)',
        ours: true,
        run: async () => {
          const dir = ctx.tmp('chatty-ours');
          try {
            return await ctx.inHost({ kind: 'chatty', storageDir: dir, command, count, follow, expectBytes: bytes });
          } finally {
            wipe(dir);
          }
        },
      },
      {
        name: 'ours, backgroundTasks.niceness 10',
        run: async () => {
          const dir = ctx.tmp('chatty-nice');
          try {
            return await ctx.inHost({ kind: 'chatty', storageDir: dir, command, count, follow, expectBytes: bytes, niceness: 10 });
          } finally {
            wipe(dir);
          }
        },
      },
      {
        name: 'ours, Node launcher (a session per task)',
        run: async () => {
          const dir = ctx.tmp('chatty-node');
          try {
            return await ctx.inHost({ kind: 'chatty', storageDir: dir, command, count, follow, expectBytes: bytes, launcher: 'node' });
          } finally {
            wipe(dir);
          }
        },
      },
      {
        name: 'floor (same processes, started by a shell; host idle)',
        run: async () => {
          const dir = ctx.tmp('chatty-floor');
          try {
            return await ctx.inHost({ kind: 'chattyFloor', dir, command, count });
          } finally {
            wipe(dir);
          }
        },
      },
      {
        name: 'floor, all in one session',
        run: async () => {
          const dir = ctx.tmp('chatty-floor1');
          try {
            return await ctx.inHost({ kind: 'chattyFloor', dir, command, count, oneSession: true });
          } finally {
            wipe(dir);
          }
        },
      },
    ],
    ctx.rounds,
    { p50Ms: 'ms', p99Ms: 'ms', maxMs: 'ms', steadyP99Ms: 'ms', wallMs: 'ms' },
    ctx.log,
  );
  const result: BenchResult = { id: 'chatty', title: '3. Many chatty tasks: event-loop delay of the host', rows, targets: [], notes: [] };
  const p99 = findRow(result, group, 'ours (engine)', 'p99Ms')!;
  result.targets = [
    {
      text: `Event-loop delay p99 under 10 ms with ${count} chatty tasks, their start included`,
      measured: `${fmt(p99.median)} ms (worst round ${fmt(Math.max(...p99.samples))})`,
      met: p99.median < 10,
    },
  ];
  result.notes.push(
    'Delay from perf_hooks.monitorEventLoopDelay (1 ms resolution) over the whole run, from the first spawn to the last follower done; steadyP99Ms leaves out the turn in which the 50 tasks are started. The floors start the same 50 pipelines from one shell while its host does nothing but measure: what 100 busy processes alone do to the timers of a host on this machine, each pipeline in a session of its own (setsid, as the Node and Perl launchers start tasks), or all in one new session (as the Python launcher, the default on Linux, starts them, and as a terminal runs its jobs). Under autogroup the kernel shares the CPU between sessions first: 50 sessions take 50 parts against the host\'s one, one session takes one. (The floor was once plain spawns from the host, which held the loop of the host for as long as most of the tasks ran, so its steady figure measured almost nothing.)',
  );
  return result;
}
