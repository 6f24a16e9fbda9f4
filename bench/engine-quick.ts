// The engine issue's two figures, measured in one run on this machine:
//   1. 1000 `true` tasks with a limit of 8 through the engine (persistence on) next to
//      `xargs -P 8 -n 1 sh -c` over the same list;
//   2. time and peak memory to capture 1 GB of output through the engine next to `command > file`.
// Run: npx tsc -p tsconfig.test.json && node out/bench/engine-quick.js
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskEngine } from '../src/core/engine';

const TASKS = Number(process.env.BENCH_TASKS ?? 1000);
const BYTES = Number(process.env.BENCH_BYTES ?? 1_000_000_000);
const LIMIT = 8;
const PRODUCER = `seq 1 1000000000 | head -c ${BYTES}`;

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

async function engineQueue(dir: string): Promise<number> {
  const engine = await TaskEngine.open({ storageDir: path.join(dir, 'queue'), maxConcurrentTasks: LIMIT, historyLimit: TASKS, log: () => undefined });
  const t0 = performance.now();
  const ids = Array.from({ length: TASKS }, () => engine.spawnTask({ command: 'true' }));
  const done = await Promise.all(ids.map((id) => engine.waitForTask(id)));
  const ms = performance.now() - t0;
  engine.dispose();
  const bad = done.filter((t) => t.state.status !== 'completed').length;
  if (bad > 0) throw new Error(`${bad} tasks did not complete`);
  return ms;
}

function xargsQueue(dir: string): number {
  const list = path.join(dir, 'list');
  fs.writeFileSync(list, 'true\n'.repeat(TASKS));
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `xargs -d '\\n' -P ${LIMIT} -n 1 sh -c < ${list}`], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('xargs failed');
  return performance.now() - t0;
}

async function engineCapture(dir: string): Promise<{ ms: number; nodeBase: number; nodePeak: number }> {
  const engine = await TaskEngine.open({ storageDir: path.join(dir, 'capture'), log: () => undefined });
  const nodeBase = process.memoryUsage().rss;
  let nodePeak = nodeBase;
  const sampler = setInterval(() => (nodePeak = Math.max(nodePeak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const id = engine.spawnTask({ command: PRODUCER });
  const t = await engine.waitForTask(id);
  const ms = performance.now() - t0;
  clearInterval(sampler);
  const size = fs.statSync(t.logPath).size;
  engine.dispose();
  if (t.state.status !== 'completed' || size !== BYTES) throw new Error(`capture incomplete: ${size} bytes`);
  return { ms, nodeBase, nodePeak };
}

/** `command > file` under /usr/bin/time -v: wall time and the largest RSS of its processes. */
function floorCapture(dir: string): { ms: number; peakKb: number } {
  const out = path.join(dir, 'floor.out');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', 'sh', '-c', `${PRODUCER} > ${out}`], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  if (fs.statSync(out).size !== BYTES) throw new Error('floor capture incomplete');
  fs.rmSync(out);
  return { ms, peakKb };
}

async function main(): Promise<void> {
  // BENCH_DIR=/dev/shm separates the disk's cost (file creation) from the processes'.
  const dir = fs.mkdtempSync(path.join(process.env.BENCH_DIR ?? os.tmpdir(), 'bt-bench-'));
  try {
    console.log(`machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}, node ${process.version}`);
    const eq = await engineQueue(dir);
    const xq = xargsQueue(dir);
    console.log(`${TASKS} x true, limit ${LIMIT}: engine ${secs(eq)} | xargs -P ${LIMIT} ${secs(xq)} | ratio ${(eq / xq).toFixed(2)}`);
    const ec = await engineCapture(dir);
    const fc = floorCapture(dir);
    console.log(
      `${mb(BYTES)} of output: engine ${secs(ec.ms)} | command > file ${secs(fc.ms)} | ratio ${(ec.ms / fc.ms).toFixed(2)}`,
    );
    console.log(
      `memory: engine's Node process RSS ${mb(ec.nodeBase)} before, ${mb(ec.nodePeak)} peak (+${mb(ec.nodePeak - ec.nodeBase)}); ` +
        `command > file peak RSS ${mb(fc.peakKb * 1024)} (the task's own processes are the same command)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
