// What the engine's host process does in each benchmark. Runs in a child Node process (see
// ../worker.ts) so its memory and event loop are measured alone.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TaskEngine } from '../../src/core/engine';
import { TaskTreeProvider } from '../../src/ui/tree';
import type { TaskSnapshot } from '../../src/core/types';
import { procStatusKiB, resetPeakRss } from './proc';

export type Job =
  | { kind: 'throughput'; storageDir: string; command: string; count: number; limit: number; launcher?: 'node' | 'perl' | 'python' }
  | { kind: 'concurrency'; storageDir: string; count: number; limit: number; sleepSeconds: number }
  | { kind: 'spawnFloor'; command: string; count: number; limit: number; persistDir?: string }
  | { kind: 'capture'; storageDir: string; command: string; expectBytes: number }
  | { kind: 'chatty'; storageDir: string; command: string; count: number; follow: number; expectBytes: number; niceness?: number; launcher?: 'node' | 'perl' | 'python' }
  | { kind: 'chattyFloor'; dir: string; command: string; count: number; oneSession?: boolean }
  | { kind: 'history'; storageDir: string; count: number; tree: boolean }
  | { kind: 'readFloor'; storageDir: string; count: number };

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Opens the engine as the extension does (persistence on, default history and polling), its history loaded. */
async function open(storageDir: string, extra: { maxConcurrentTasks?: number; historyLimit?: number; niceness?: number } = {}): Promise<TaskEngine> {
  const engine = await TaskEngine.open({ storageDir, defaultCwd: storageDir, ...extra });
  await engine.ready;
  return engine;
}

/** Resolves once `count` finish events have been heard. */
function finishes(engine: TaskEngine, count: number): { done: Promise<TaskSnapshot[]> } {
  const seen: TaskSnapshot[] = [];
  let resolve!: (v: TaskSnapshot[]) => void;
  const done = new Promise<TaskSnapshot[]>((r) => (resolve = r));
  engine.onDidFinishTask((s) => {
    seen.push(s);
    if (seen.length === count) resolve(seen);
  });
  return { done };
}

async function throughput(job: Extract<Job, { kind: 'throughput' }>): Promise<Record<string, number>> {
  if (job.launcher) process.env.BACKGROUND_TASKS_LAUNCHER = job.launcher;
  const engine = await open(job.storageDir, { maxConcurrentTasks: job.limit });
  // As capture(): the engine's first task also starts its launcher, once per window; timed
  // apart (firstTaskMs), so the burst is timed as it runs in an editor that has run a task.
  const first = process.hrtime.bigint();
  await engine.waitForTask(engine.spawnTask({ command: job.command }));
  const firstTaskMs = ms(first);
  const { done } = finishes(engine, job.count);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < job.count; i++) engine.spawnTask({ command: job.command });
  const all = await done;
  const wallMs = ms(start);
  // This process's CPU, all its threads (the thread pool's file work included): the tasks,
  // the launcher and the wrappers share the same cores, so on a small machine every
  // millisecond of it is a millisecond the tasks wait for.
  const used = process.cpuUsage(cpu);
  engine.dispose();
  const failed = all.filter((s) => s.state.status !== 'completed').length;
  if (failed > 0) throw new Error(`${failed} of ${job.count} tasks did not complete`);
  return { wallMs, firstTaskMs, hostCpuMsPerTask: (used.user + used.system) / 1000 / job.count };
}

/**
 * How many tasks ran at once at most, from the tasks' own clocks: each prints its start and
 * end (ns); the peak is the largest number of [start, end] intervals that overlap.
 */
async function concurrency(job: Extract<Job, { kind: 'concurrency' }>): Promise<Record<string, number>> {
  const engine = await open(job.storageDir, { maxConcurrentTasks: job.limit });
  const { done } = finishes(engine, job.count);
  const start = process.hrtime.bigint();
  const command = `echo $(date +%s%N); sleep ${job.sleepSeconds}; echo $(date +%s%N)`;
  const ids = Array.from({ length: job.count }, () => engine.spawnTask({ command }));
  await done;
  const wallMs = ms(start);
  engine.dispose();
  const edges: [number, number][] = [];
  for (const id of ids) {
    const [s, e] = fs.readFileSync(engine.logPath(id), 'utf8').trim().split('\n').map(Number);
    edges.push([s, 1], [e, -1]);
  }
  // Ends before starts at the same instant: touching intervals do not overlap.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of edges) peak = Math.max(peak, (now += d));
  return { peak, wallMs };
}

/** The file work a persisting engine cannot avoid per task: a folder, a log, three atomic saves. */
function persistFloor(dir: string, n: number, stage: number): void {
  const d = `${dir}/t${n}`;
  if (stage === 0) {
    fs.mkdirSync(d, { mode: 0o700 });
    fs.closeSync(fs.openSync(`${d}/output.log`, 'a', 0o600));
  }
  fs.writeFileSync(`${d}/task.json.tmp`, JSON.stringify({ n, stage, pad: 'x'.repeat(400) }), { mode: 0o600 });
  fs.renameSync(`${d}/task.json.tmp`, `${d}/task.json`);
}

/**
 * The floor of any Node host: child_process.spawn of `sh -c`, `limit` at a time; with
 * persistDir, plus persistFloor() when a task is queued, starts and ends.
 */
async function spawnFloor(job: Extract<Job, { kind: 'spawnFloor' }>): Promise<Record<string, number>> {
  const start = process.hrtime.bigint();
  const dir = job.persistDir;
  if (dir) for (let i = 0; i < job.count; i++) persistFloor(dir, i, 0);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < job.count) {
      const n = next++;
      if (dir) persistFloor(dir, n, 1);
      await new Promise<void>((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', job.command], { stdio: 'ignore' });
        child.on('error', reject);
        child.on('exit', () => resolve());
      });
      if (dir) persistFloor(dir, n, 2);
    }
  };
  await Promise.all(Array.from({ length: job.limit }, lane));
  return { wallMs: ms(start) };
}

async function capture(job: Extract<Job, { kind: 'capture' }>): Promise<Record<string, number>> {
  const engine = await open(job.storageDir);
  // The engine's first task also starts its launcher (a Node process, ~100 ms here), once per
  // window: timed apart, so the capture figure is what capturing costs.
  const first = process.hrtime.bigint();
  await engine.waitForTask(engine.spawnTask({ command: 'true' }));
  const firstTaskMs = ms(first);
  gc();
  resetPeakRss();
  const idleKiB = procStatusKiB('self', 'VmRSS') ?? 0;
  const { done } = finishes(engine, 1);
  const start = process.hrtime.bigint();
  const id = engine.spawnTask({ command: job.command });
  const [snap] = await done;
  const wallMs = ms(start);
  const peakKiB = procStatusKiB('self', 'VmHWM') ?? 0;
  const size = fs.statSync(engine.logPath(id)).size;
  engine.dispose();
  if (snap.state.status !== 'completed' || size !== job.expectBytes) {
    throw new Error(`capture: status ${snap.state.status}, log ${size} bytes, expected ${job.expectBytes}`);
  }
  return { wallMs, hostGrowthMiB: (peakKiB - idleKiB) / 1024, idleRssMiB: idleKiB / 1024, firstTaskMs };
}

function delayFigures(h: ReturnType<typeof monitorEventLoopDelay>): Record<string, number> {
  return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

async function chatty(job: Extract<Job, { kind: 'chatty' }>): Promise<Record<string, number>> {
  if (job.launcher) process.env.BACKGROUND_TASKS_LAUNCHER = job.launcher;
  const engine = await open(job.storageDir, { maxConcurrentTasks: job.count, niceness: job.niceness ?? 0 });
  const { done } = finishes(engine, job.count);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  // Spawn a turn later: a histogram switched on in the same turn never sees that turn's delay.
  await new Promise((resolve) => setImmediate(resolve));
  const start = process.hrtime.bigint();
  const ids: string[] = [];
  for (let i = 0; i < job.count; i++) ids.push(engine.spawnTask({ command: job.command }));
  // A second histogram from the next turn on: the steady state, without the burst of starts.
  const steady = monitorEventLoopDelay({ resolution: 1 });
  setImmediate(() => steady.enable());
  // What an open output channel does: follow the log and hand each piece of text on.
  let followedChars = 0;
  const followers = ids.slice(0, job.follow).map((id) => engine.followOutput(id, (text) => (followedChars += text.length)));
  await done;
  await Promise.all(followers.map((f) => f?.finish()));
  const wallMs = ms(start);
  h.disable();
  steady.disable();
  engine.dispose();
  const expected = job.follow * job.expectBytes;
  if (followedChars !== expected) throw new Error(`chatty: followers read ${followedChars} chars, expected ${expected}`);
  return { ...delayFigures(h), steadyP99Ms: steady.percentile(99) / 1e6, wallMs };
}

/**
 * The floor: the same processes writing to files, started by one shell so the host itself does
 * nothing while they run: the event-loop delay that 50 busy pipelines alone cause a host on this
 * machine. Each in a session of its own (as the Perl and Node launchers start tasks), or with
 * `oneSession` all in the shell's new session (as the Python launcher's are, and a terminal's
 * jobs): under autogroup the kernel shares the CPU between sessions first. (Spawning them from
 * the host's own loop would block it for as long as most of them run, and leave nothing to
 * measure after.)
 */
async function chattyFloor(job: Extract<Job, { kind: 'chattyFloor' }>): Promise<Record<string, number>> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((resolve) => setImmediate(resolve));
  const start = process.hrtime.bigint();
  const steady = monitorEventLoopDelay({ resolution: 1 });
  setImmediate(() => steady.enable());
  const script = `i=0; while [ $i -lt ${job.count} ]; do ${job.oneSession ? '' : 'setsid '}sh -c "$1" > "$2/out-$i.log" 2>&1 & i=$((i + 1)); done; wait`;
  const child = spawn('/bin/sh', ['-c', script, 'floor', job.command, job.dir], { stdio: 'ignore', detached: job.oneSession === true });
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chattyFloor: the shell exited with ${String(code)}`))));
  });
  const wallMs = ms(start);
  h.disable();
  steady.disable();
  return { ...delayFigures(h), steadyP99Ms: steady.percentile(99) / 1e6, wallMs };
}

async function history(job: Extract<Job, { kind: 'history' }>): Promise<Record<string, number>> {
  gc();
  const beforeKiB = procStatusKiB('self', 'VmRSS') ?? 0;
  // The longest stretch the restore holds the event loop: the largest delay of a 1 ms timer,
  // switched on a turn before the load starts (a histogram never sees the turn it is enabled
  // in) and read a timer after, which records the last stretch. The engine is opened first as
  // activate() opens it, with the history deferred: open() is part of activation (its stretch
  // is bench section 5's activate() figure), and its first run in a new process (code not yet
  // compiled, fs.promises loaded on first use) held this loop 5 to 10 ms on its own.
  let start = process.hrtime.bigint();
  const engine = await TaskEngine.open({ storageDir: job.storageDir, defaultCwd: job.storageDir, historyLimit: job.count + 10, deferHistory: true });
  const blocks = monitorEventLoopDelay({ resolution: 1 });
  blocks.enable();
  await new Promise((resolve) => setImmediate(resolve));
  engine.loadHistory();
  await engine.ready;
  const restoreMs = ms(start);
  await new Promise((resolve) => setTimeout(resolve, 3));
  blocks.disable();
  const longestBlockMs = blocks.max / 1e6;
  const restored = engine.getAllTasks().length;
  if (restored !== job.count) throw new Error(`history: restored ${restored} of ${job.count} tasks`);
  start = process.hrtime.bigint();
  const stats = engine.getStatistics();
  const statisticsMs = ms(start);
  if (stats.totalTasks !== job.count) throw new Error(`history: statistics count ${stats.totalTasks}`);
  const out: Record<string, number> = { restoreMs, longestBlockMs, statisticsMs };
  if (job.tree) {
    start = process.hrtime.bigint();
    const provider = new TaskTreeProvider(engine);
    let nodes = 0;
    // Every task is in the tree: as a node, or counted by its group's "… N more" node.
    for (const group of provider.getChildren()) {
      for (const child of provider.getChildren(group)) nodes += child.kind === 'more' ? child.hidden : 1;
    }
    out.treeModelMs = ms(start);
    provider.dispose();
    if (nodes !== job.count) throw new Error(`history: tree has ${nodes} task nodes, expected ${job.count}`);
  }
  gc();
  out.memoryMiB = ((procStatusKiB('self', 'VmRSS') ?? 0) - beforeKiB) / 1024;
  engine.dispose();
  return out;
}

/** The floor of a restore: read and JSON.parse every tasks/<id>/task.json, nothing else. */
function readFloor(job: Extract<Job, { kind: 'readFloor' }>): Promise<Record<string, number>> {
  gc();
  const beforeKiB = procStatusKiB('self', 'VmRSS') ?? 0;
  const start = process.hrtime.bigint();
  const dir = `${job.storageDir}/tasks`;
  const all = fs.readdirSync(dir).map((name) => JSON.parse(fs.readFileSync(`${dir}/${name}/task.json`, 'utf8')) as unknown);
  const restoreMs = ms(start);
  if (all.length !== job.count) throw new Error(`readFloor: read ${all.length} of ${job.count}`);
  gc();
  return Promise.resolve({ restoreMs, memoryMiB: ((procStatusKiB('self', 'VmRSS') ?? 0) - beforeKiB) / 1024 });
}

export function runJob(job: Job): Promise<Record<string, number>> {
  switch (job.kind) {
    case 'throughput':
      return throughput(job);
    case 'concurrency':
      return concurrency(job);
    case 'spawnFloor':
      return spawnFloor(job);
    case 'capture':
      return capture(job);
    case 'chatty':
      return chatty(job);
    case 'chattyFloor':
      return chattyFloor(job);
    case 'history':
      return history(job);
    case 'readFloor':
      return readFloor(job);
  }
}
