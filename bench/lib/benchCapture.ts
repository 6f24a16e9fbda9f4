// Benchmark 2: output capture. One task printing SIZE bytes in text lines: the engine vs
// `command > file` vs `command > /dev/null` (and nq, which also keeps each job's output in a
// file): wall time, and the growth of the engine host's peak RSS over its idle baseline.
import type { Context } from './context';
import { wipe } from './context';
import { alternate, findRow, type BenchResult, type Subject } from './results';
import { fmt } from './stats';
import { timeShell } from './proc';

export function textCommand(bytes: number): string {
  return `yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz | head -c ${bytes}`;
}

export async function benchCapture(ctx: Context): Promise<BenchResult> {
  const bytes = ctx.quick ? 256 * 2 ** 20 : 2 ** 30;
  const label = ctx.quick ? '256 MiB' : '1 GiB';
  const command = textCommand(bytes);
  ctx.log(`output capture: one task printing ${label}`);
  const group = `one task printing ${label}`;
  const subjects: Subject[] = [
    {
      name: 'ours (engine)',
      ours: true,
      run: async () => {
        const dir = ctx.tmp('capture-ours');
        try {
          const r = await ctx.inHost({ kind: 'capture', storageDir: dir, command, expectBytes: bytes });
          return { wallMs: r.wallMs, hostGrowthMiB: r.hostGrowthMiB, firstTaskMs: r.firstTaskMs };
        } finally {
          wipe(dir);
        }
      },
    },
    {
      name: 'command > file',
      run: async () => {
        const dir = ctx.tmp('capture-file');
        try {
          return { wallMs: await timeShell(`sh -c '${command}' > ${dir}/out.log`) };
        } finally {
          wipe(dir);
        }
      },
    },
    { name: 'command > /dev/null', run: async () => ({ wallMs: await timeShell(`sh -c '${command}' > /dev/null`) }) },
  ];
  if (ctx.peers.nq) {
    const nq = ctx.peers.nq;
    subjects.push({
      name: 'nq',
      run: async () => {
        const dir = ctx.tmp('capture-nq');
        try {
          return { wallMs: await timeShell(`${nq} sh -c '${command}' >/dev/null && ${nq} -w`, { ...process.env, NQDIR: dir }) };
        } finally {
          wipe(dir);
        }
      },
    });
  }
  const rows = await alternate(group, subjects, ctx.rounds, { wallMs: 'ms', hostGrowthMiB: 'MiB', firstTaskMs: 'ms' }, ctx.log);
  const result: BenchResult = { id: 'capture', title: `2. Output capture (${label})`, rows, targets: [], notes: [] };
  const ours = findRow(result, group, 'ours (engine)', 'wallMs')!;
  const file = findRow(result, group, 'command > file', 'wallMs')!;
  const growth = findRow(result, group, 'ours (engine)', 'hostGrowthMiB')!;
  const limitMiB = 16 * (bytes / 2 ** 30);
  result.targets = [
    { text: 'Output capture within 1.05× of command > file', measured: `${fmt(ours.median / file.median)}× (${fmt(ours.median)} vs ${fmt(file.median)} ms)`, met: ours.median <= 1.05 * file.median },
    {
      text: `Host memory growth under 16 MiB per GiB (${fmt(limitMiB)} MiB for ${label})`,
      measured: `${fmt(growth.median)} MiB (max ${fmt(Math.max(...growth.samples))})`,
      met: Math.max(...growth.samples) < limitMiB,
    },
  ];
  result.notes.push(
    "Ours is timed in an engine that has run one task already: an engine's first task also starts its launcher, once per window (firstTaskMs: that `true` task, the launcher's start included).",
    'Host memory growth: peak RSS (VmHWM, reset with /proc/self/clear_refs after opening the engine) minus the idle RSS of the engine host process, a child Node process started with --expose-gc.',
  );
  return result;
}
