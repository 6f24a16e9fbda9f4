// Benchmark 1: queue throughput. N tasks through a limit of 8: the engine (persistence on, as
// the extension uses it) vs xargs -P 8, task-spooler with 8 slots, GNU parallel -j 8.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Context } from './context';
import { alternate, findRow, type BenchResult, type Row, type Subject, type Target } from './results';
import { fmt } from './stats';
import { timeShell } from './proc';

const LIMIT = 8;

function subjects(ctx: Context, command: string, count: number): Subject[] {
  const listDir = ctx.tmp('queue-list');
  const list = path.join(listDir, 'commands.txt');
  fs.writeFileSync(list, `${command}\n`.repeat(count));
  const out: Subject[] = [
    {
      name: 'ours (engine)',
      ours: true,
      run: async () => {
        const r = await ctx.inHost({ kind: 'throughput', storageDir: ctx.tmp('queue-ours'), command, count, limit: LIMIT });
        return { wallMs: r.wallMs, firstTaskMs: r.firstTaskMs, hostCpuMsPerTask: r.hostCpuMsPerTask };
      },
    },
    {
      // The Node launcher (BACKGROUND_TASKS_LAUNCHER=node): where Python 3.8 is missing, and off Linux.
      name: 'ours, Node launcher',
      run: async () => ({ wallMs: (await ctx.inHost({ kind: 'throughput', storageDir: ctx.tmp('queue-ours-node'), command, count, limit: LIMIT, launcher: 'node' })).wallMs }),
    },
    {
      // The Perl launcher (BACKGROUND_TASKS_LAUNCHER=perl): a 7 MB process whose fork is still a copy.
      name: 'ours, Perl launcher',
      run: async () => ({ wallMs: (await ctx.inHost({ kind: 'throughput', storageDir: ctx.tmp('queue-ours-perl'), command, count, limit: LIMIT, launcher: 'perl' })).wallMs }),
    },
    {
      name: 'floor: Node spawn, no engine',
      run: async () => ({ wallMs: (await ctx.inHost({ kind: 'spawnFloor', command, count, limit: LIMIT })).wallMs }),
    },
    {
      name: 'floor: Node spawn + file writes',
      run: async () => ({ wallMs: (await ctx.inHost({ kind: 'spawnFloor', command, count, limit: LIMIT, persistDir: ctx.tmp('queue-floor') })).wallMs }),
    },
    // Each line runs through `sh -c`, as our tasks do (ours adds the wrapper: two shells).
    { name: `xargs -P ${LIMIT}`, run: async () => ({ wallMs: await timeShell(`xargs -d '\\n' -P ${LIMIT} -n 1 sh -c < ${list}`) }) },
  ];
  const { tsp, parallel } = ctx.peers;
  if (tsp) {
    out.push({
      name: `task-spooler (${LIMIT} slots)`,
      run: async () => {
        const dir = ctx.tmp('queue-tsp');
        // One private server per round: its socket, its slots, its output files in our temp folder.
        const env = { ...process.env, TS_SOCKET: `${dir}/socket`, TS_SLOTS: String(LIMIT), TMPDIR: dir, TS_MAXFINISHED: String(count + 10) };
        const script = `while IFS= read -r c; do ${tsp} sh -c "$c" >/dev/null || exit 1; done < ${list}
          while ${tsp} -l | grep -qE ' (running|queued) '; do sleep 0.01; done`;
        try {
          return { wallMs: await timeShell(script, env) };
        } finally {
          await timeShell(`${tsp} -K >/dev/null 2>&1 || true`, env);
        }
      },
    });
  }
  if (parallel) {
    out.push({ name: `GNU parallel -j ${LIMIT}`, run: async () => ({ wallMs: await timeShell(`${parallel} --will-cite -j ${LIMIT} < ${list}`) }) });
  }
  return out;
}

export async function benchQueue(ctx: Context): Promise<BenchResult> {
  const n = ctx.quick ? 500 : 2000;
  const sleeps = ctx.quick ? 80 : 200;
  const groupTrue = `${n} × true`;
  const groupSleep = `${sleeps} × sleep 0.05`;
  ctx.log(`queue throughput: ${groupTrue}, then ${groupSleep}, limit ${LIMIT}`);
  const rows: Row[] = [
    ...(await alternate(groupTrue, subjects(ctx, 'true', n), ctx.rounds, { wallMs: 'ms', firstTaskMs: 'ms', hostCpuMsPerTask: 'ms' }, ctx.log)),
    ...(await alternate(groupSleep, subjects(ctx, 'sleep 0.05', sleeps), ctx.rounds, { wallMs: 'ms', firstTaskMs: 'ms', hostCpuMsPerTask: 'ms' }, ctx.log)),
  ];
  const result: BenchResult = { id: 'queue', title: '1. Queue throughput (limit 8)', rows, targets: [], notes: [] };
  const ours = findRow(result, groupTrue, 'ours (engine)', 'wallMs')!;
  const xargs = findRow(result, groupTrue, `xargs -P ${LIMIT}`, 'wallMs')!;
  const targets: Target[] = [
    { text: 'Queue throughput within 1.5× of xargs -P', measured: `${fmt(ours.median / xargs.median)}× (${fmt(ours.median)} vs ${fmt(xargs.median)} ms)`, met: ours.median <= 1.5 * xargs.median },
  ];
  for (const [peer, label] of [[`task-spooler (${LIMIT} slots)`, 'task-spooler'], [`GNU parallel -j ${LIMIT}`, 'GNU parallel']]) {
    const row = findRow(result, groupTrue, peer, 'wallMs');
    const text = `Queue throughput ahead of ${label}`;
    targets.push(row ? { text, measured: `${fmt(ours.median / row.median)}×`, met: ours.median < row.median } : { text, measured: 'peer not installed', met: undefined });
  }
  const peakGroup = `${sleeps} × 50 ms, peak concurrency`;
  const peakRows = await alternate(
    peakGroup,
    [{ name: 'ours (engine)', ours: true, run: () => ctx.inHost({ kind: 'concurrency', storageDir: ctx.tmp('queue-peak'), count: sleeps, limit: LIMIT, sleepSeconds: 0.05 }) }],
    ctx.rounds,
    { peak: 'tasks', wallMs: 'ms' },
    ctx.log,
  );
  result.rows.push(...peakRows);
  const peak = findRow(result, peakGroup, 'ours (engine)', 'peak')!;
  targets.push({
    text: `Peak concurrency ${LIMIT} at limit ${LIMIT} (${sleeps} tasks of 50 ms)`,
    measured: `${peak.samples.join(', ')} (rounds)`,
    met: peak.samples.every((p) => p === LIMIT),
  });
  const floor = (sleeps / LIMIT) * 50;
  const oursSleep = findRow(result, groupSleep, 'ours (engine)', 'wallMs')!;
  result.targets = targets;
  result.notes.push(
    `${groupSleep}: the floor is ${sleeps}/${LIMIT} × 50 ms = ${fmt(floor)} ms; ours adds ${fmt((oursSleep.median - floor) / (sleeps / LIMIT))} ms per batch of ${LIMIT} (scheduling latency).`,
    `Peak concurrency: from the tasks' own clocks (each prints \`date +%s%N\` at its start and end), the most [start, end] intervals that overlap; below ${LIMIT} means slots stood empty, above it a broken limit.`,
    'The floors run in a Node host like ours: spawn alone, and spawn plus the file work a persisting engine needs per task (a folder, an empty log, task.json saved atomically when queued, started and ended), synchronous as the engine does it.',
    `Ours is timed from the first spawnTask() to the last finish event in an already open engine that has run one task (as in an editor that has run a task: an engine's first task also starts its launcher, once per window; firstTaskMs is that task, the launcher's start included); the peers are timed as whole shell commands, their start-up included (task-spooler: ${n} client calls and a private server; parallel: its Perl start).`,
  );
  return result;
}
