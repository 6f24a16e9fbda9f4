// Turning what is known about a process's end into the task's final state, and records into
// the read-only snapshots handed out to callers.
import type { ProcessEnd } from './runner';
import { signalName } from './procinfo';
import type { ExitRecord, TaskRecord } from './store';
import type { TaskSnapshot, TaskState, TaskStatus } from './types';

export const FINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'cancelled'];

export function isFinal(status: TaskStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Milliseconds a running task has spent paused by `now` (earlier pauses and the current one). */
export function pausedMsOf(running: Extract<TaskState, { status: 'running' }>, now: number): number {
  return (running.pausedMs ?? 0) + (running.pausedAt !== undefined ? Math.max(0, now - running.pausedAt) : 0);
}

/** How long a running attempt has run by `now`, paused time left out: what its timeout counts. */
export function runningMs(running: Extract<TaskState, { status: 'running' }>, now: number): number {
  return Math.max(0, now - running.startedAt - pausedMsOf(running, now));
}

/** The error of a task stopped by its timeout: the configured seconds, e.g. "timed out after 30s". */
export function timeoutError(timeoutSeconds: number | undefined): string {
  return `timed out after ${timeoutSeconds ?? 0}s`;
}

/**
 * The state a running task ends in. The wrapper's exit file is the best witness; without it,
 * what the child process reported; a reattached process gone without a trace is "lost".
 * A task that was being cancelled ends cancelled whatever its exit status; one stopped by its
 * timeout ends failed, "timed out after 30s".
 */
export function endedState(
  running: Extract<TaskState, { status: 'running' }>,
  exit: ExitRecord | undefined,
  end: Pick<ProcessEnd, 'exitCode' | 'signal'> & { endedAt: number },
  killed: boolean,
  timeoutSeconds?: number,
): TaskState {
  const startedAt = running.startedAt;
  const endedAt = Math.max(startedAt, exit && exit.at < end.endedAt ? exit.at : end.endedAt);
  const paused = pausedMsOf(running, endedAt);
  const pausedMs = paused > 0 ? { pausedMs: paused } : {};
  if (running.cancelling) {
    const signal = killed ? 'SIGKILL' : 'SIGTERM';
    return { status: 'cancelled', reason: running.cancelling.reason, startedAt, endedAt, signal, ...pausedMs };
  }
  if (running.timingOut) {
    const signal = killed ? 'SIGKILL' : 'SIGTERM';
    return { status: 'failed', startedAt, endedAt, signal, error: timeoutError(timeoutSeconds), timedOut: true, ...pausedMs };
  }
  const code = exit?.code ?? end.exitCode;
  if (code === 0) {
    return { status: 'completed', startedAt, endedAt, exitCode: 0, ...pausedMs };
  }
  if (code !== undefined) {
    // A shell reports death by signal N as exit status 128 + N.
    const signal = code > 128 ? signalName(code - 128) : undefined;
    return signal ? { status: 'failed', startedAt, endedAt, exitCode: code, signal, ...pausedMs } : { status: 'failed', startedAt, endedAt, exitCode: code, ...pausedMs };
  }
  if (end.signal) {
    return { status: 'failed', startedAt, endedAt, signal: end.signal, ...pausedMs };
  }
  return { status: 'failed', startedAt, endedAt, error: 'lost', ...pausedMs };
}

/**
 * A frozen copy of an object. Object.assign, not `{ ...o }`: V8 gives the frozen form of a
 * spread copy a hidden class of its own each time (measured: 300 snapshots, 300 classes for
 * their states), a few hundred bytes more per task in history; an assigned copy shares one.
 */
function frozenCopy<T extends object>(o: T): Readonly<T> {
  return Object.freeze(Object.assign({}, o));
}

function emptyOr(list: string[]): readonly string[] {
  return list.length === 0 ? NONE : Object.freeze(list);
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * A frozen copy of a record for callers; env values stay behind, only their names go out.
 * What a task no longer changes (the state once final, the message, the metadata) is frozen
 * where it is and shared with the record rather than copied: the history keeps one of each.
 */
export function snapshotOf(t: TaskRecord, logPath: string): TaskSnapshot {
  let state: TaskState;
  if (isFinal(t.state.status)) {
    state = Object.freeze(t.state);
  } else {
    state = Object.assign({}, t.state);
    if (state.status === 'pending' && state.waitingFor) state.waitingFor = [...state.waitingFor];
    Object.freeze(state);
  }
  return Object.freeze({
    id: t.id,
    command: t.command,
    type: t.type,
    priority: t.priority,
    mode: t.mode,
    metadata: Object.freeze(t.metadata),
    cwd: t.cwd,
    envKeys: emptyOr(Object.keys(t.env)),
    dependsOn: emptyOr([...t.dependsOn]),
    ...(t.stdinFrom !== undefined ? { stdinFrom: t.stdinFrom } : {}),
    createdAt: t.createdAt,
    state,
    ...(t.progress ? { progress: frozenCopy(t.progress) } : {}),
    ...(t.message ? { message: Object.freeze(t.message) } : {}),
    logPath,
    ...(t.problemMatcher !== undefined ? { problemMatcher: t.problemMatcher } : {}),
    attempt: t.attempt ?? 1,
    attempts: (t.retries ?? 0) + 1,
    ...(t.retryDelaySeconds !== undefined ? { retryDelaySeconds: t.retryDelaySeconds } : {}),
    ...(t.lane !== undefined ? { lane: t.lane } : {}),
    ...(t.timeoutSeconds !== undefined ? { timeoutSeconds: t.timeoutSeconds } : {}),
  });
}
