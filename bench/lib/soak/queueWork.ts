// The soak's queue-control work: tasks with retries and with timeouts, pausing the queue (also
// through an engine rebuilt meanwhile) and pausing single tasks. Each in its own function, so the
// driver only decides when.
import * as fs from 'node:fs';
import type { TaskEngine } from '../../../src/core/engine';
import { count, violation, type Ledger, type Planned } from './ledger';
import type { Random } from './random';
import { retryCommand, taskCommand, type Scripts } from './scripts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A task that fails its first `fails` attempts (exit 3), with `retries` retries: it completes or runs out of attempts. */
export function spawnRetry(engine: TaskEngine, random: Random, scripts: Scripts, token: string): Planned {
  const retries = random.int(1, 3);
  const fails = random.int(0, retries + 1);
  const lines = random.int(0, 2000);
  const id = engine.spawnTask({
    command: retryCommand(scripts, token, lines, fails),
    retries,
    retryDelaySeconds: random.chance(0.5) ? 0 : random.int(1, 15) / 10,
    priority: random.pick(['high', 'normal', 'low'] as const)!,
    metadata: { token },
  });
  return { token, id, kind: 'retry', lines, exit: fails > retries ? 3 : 0, dependsOn: [], spawnedAt: Date.now(), retries, fails };
}

/** A task with a timeout it either stays well inside or certainly overruns. */
export function spawnTimed(engine: TaskEngine, random: Random, scripts: Scripts, token: string): Planned {
  const overrun = random.chance(0.5);
  const timeoutSeconds = overrun ? random.int(5, 15) / 10 : 30;
  const sleepS = overrun ? 60 : random.int(0, 10) / 10;
  const lines = random.int(0, 2000);
  const id = engine.spawnTask({ command: taskCommand(scripts, token, lines, sleepS, 0), timeoutSeconds, metadata: { token } });
  return { token, id, kind: 'timeout', lines, exit: 0, dependsOn: [], spawnedAt: Date.now(), timeoutSeconds, overrun };
}

/**
 * Pauses the queue for a while (sometimes across an engine rebuilt on the same storage, which
 * must find it paused), then resumes it. `reopen` closes the engine and opens the next.
 */
export async function queuePauseEpisode(getEngine: () => TaskEngine, random: Random, ledger: Ledger, reopen: () => Promise<void>, act: () => void): Promise<void> {
  getEngine().pauseQueue();
  const from = Date.now();
  count(ledger, 'queue pauses');
  const until = from + random.int(1000, 3000);
  if (random.chance(0.3)) {
    await reopen();
    count(ledger, 'queue pauses across a rebuilt engine');
    if (!getEngine().isQueuePaused()) violation(ledger, 'the queue was paused, but the engine rebuilt on the same storage says it is not');
  }
  while (Date.now() < until) {
    act();
    await sleep(random.int(100, 300));
  }
  ledger.queuePaused.push([from, Date.now()]);
  getEngine().resumeQueue();
}

/** Pids of a task's processes that still run, from /proc (its group). */
function groupMembers(pgid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[2] === String(pgid) && fields[0] !== 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function stateOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * Pauses a running task, checks that its processes are stopped (state T, or gone), and resumes
 * it a little later; the ids still paused are in `paused`, for the drain to resume.
 */
export async function taskPauseEpisode(engine: TaskEngine, random: Random, ledger: Ledger, paused: Set<string>): Promise<void> {
  const running = engine.getAllTasks({ status: 'running' }).filter((t) => t.state.status === 'running' && t.state.pausedAt === undefined && !t.state.cancelling && !t.state.timingOut);
  const t = random.pick(running);
  if (!t || t.state.status !== 'running') return;
  if (!engine.pauseTask(t.id)) return void count(ledger, 'task pauses refused (it was ending)');
  paused.add(t.id);
  count(ledger, 'task pauses');
  const pgid = t.state.pid;
  await sleep(random.int(200, 1500));
  const now = engine.getTask(t.id);
  if (now?.state.status === 'running' && now.state.pausedAt !== undefined) {
    // A zombie (Z) has ended already and waits for its stopped parent to reap it: not moving.
    // A D beside a T is a shell stopped inside vfork() whose child was stopped before its exec
    // (measured under load: 8 in 150 stops; seed 372103384), as the pause test accepts.
    const members = groupMembers(pgid);
    const someStopped = members.some((pid) => ['T', 't'].includes(stateOf(pid) ?? ''));
    const moving = members.filter((pid) => !['T', 't', 'Z', undefined].includes(stateOf(pid)) && !(someStopped && stateOf(pid) === 'D'));
    if (moving.length > 0) violation(ledger, `task ${t.id} is paused but processes ${moving.map((pid) => `${pid} (${stateOf(pid) ?? 'gone'})`).join(', ')} of its group are not stopped`);
    else count(ledger, 'paused tasks seen stopped');
  }
  // Some stay paused for a while (through a rebuilt engine, or until a cancel or the drain).
  if (random.chance(0.75) && engine.resumeTask(t.id)) paused.delete(t.id);
}

/** Resumes whatever is still paused (before the drain), checking the rebuilt engines kept it paused. */
export function resumeAll(engine: TaskEngine, ledger: Ledger, paused: Set<string>): void {
  for (const id of paused) {
    const t = engine.getTask(id);
    if (t?.state.status === 'running') {
      if (t.state.pausedAt === undefined) violation(ledger, `task ${id} was left paused but the engine says it runs unpaused`);
      else if (engine.resumeTask(id)) count(ledger, 'tasks resumed before the drain');
    }
  }
  paused.clear();
}
