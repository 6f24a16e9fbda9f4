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

/**
 * The state a running task ends in. The wrapper's exit file is the best witness; without it,
 * what the child process reported; a reattached process gone without a trace is "lost".
 * A task that was being cancelled ends cancelled whatever its exit status.
 */
export function endedState(
  running: Extract<TaskState, { status: 'running' }>,
  exit: ExitRecord | undefined,
  end: Pick<ProcessEnd, 'exitCode' | 'signal'> & { endedAt: number },
  killed: boolean,
): TaskState {
  const startedAt = running.startedAt;
  const endedAt = Math.max(startedAt, exit && exit.at < end.endedAt ? exit.at : end.endedAt);
  if (running.cancelling) {
    const signal = killed ? 'SIGKILL' : 'SIGTERM';
    return { status: 'cancelled', reason: running.cancelling.reason, startedAt, endedAt, signal };
  }
  const code = exit?.code ?? end.exitCode;
  if (code === 0) {
    return { status: 'completed', startedAt, endedAt, exitCode: 0 };
  }
  if (code !== undefined) {
    // A shell reports death by signal N as exit status 128 + N.
    const signal = code > 128 ? signalName(code - 128) : undefined;
    return signal ? { status: 'failed', startedAt, endedAt, exitCode: code, signal } : { status: 'failed', startedAt, endedAt, exitCode: code };
  }
  if (end.signal) {
    return { status: 'failed', startedAt, endedAt, signal: end.signal };
  }
  return { status: 'failed', startedAt, endedAt, error: 'lost' };
}

/** A frozen copy of a record for callers; env values stay behind, only their names go out. */
export function snapshotOf(t: TaskRecord, logPath: string): TaskSnapshot {
  const state = { ...t.state } as TaskState;
  if (state.status === 'pending' && state.waitingFor) state.waitingFor = [...state.waitingFor];
  return Object.freeze({
    id: t.id,
    command: t.command,
    type: t.type,
    priority: t.priority,
    mode: t.mode,
    metadata: Object.freeze({ ...t.metadata }),
    cwd: t.cwd,
    envKeys: Object.freeze(Object.keys(t.env)),
    dependsOn: Object.freeze([...t.dependsOn]),
    ...(t.stdinFrom !== undefined ? { stdinFrom: t.stdinFrom } : {}),
    createdAt: t.createdAt,
    state: Object.freeze(state),
    ...(t.progress ? { progress: Object.freeze({ ...t.progress }) } : {}),
    ...(t.message ? { message: Object.freeze({ ...t.message }) } : {}),
    logPath,
    ...(t.problemMatcher !== undefined ? { problemMatcher: t.problemMatcher } : {}),
  });
}
