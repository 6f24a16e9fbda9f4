// What open() does with the tasks it finds on disk: pending ones are queued again; each one
// that was running is watched again if its process is still the same (pid and start time),
// given the result its wrapper recorded if it ended meanwhile, or marked failed "lost" (an
// attempt that ended so may be followed by another: `ended` decides). One that was being
// cancelled or stopped by its timeout is watched while anything of its process group is left.
// Each attempt has its own pid and exit files (TaskStore.attemptDir), read for the attempt the
// record names, so one attempt's files are never taken for another's.
import { groupExists, isAlive, isSameProcess, isTaskWrapper, processStartTime } from './procinfo';
import type { TaskRecord, TaskStore } from './store';
import { endedState } from './taskState';
import type { TaskState } from './types';
import { findCycle } from './validate';

export interface RestoreHooks {
  store: TaskStore;
  watch(record: TaskRecord, pid: number, startTime: string | undefined): void;
  /** A running attempt found ended: the task ends, or its next attempt is queued. */
  ended(record: TaskRecord, state: TaskState): void;
  finish(record: TaskRecord, state: TaskState): void;
  dependenciesOf(id: string): readonly string[];
}

/**
 * A task saved as pending whose wrapper nevertheless wrote its pid had started: its running
 * state was still on its way to disk when the engine went away (a crash, a killed extension
 * host). It is turned back into a running task, never queued again, so no command runs twice.
 * The process is taken as the wrapper only if its command line names this task's folder, so a
 * reused pid is not mistaken for it (it then ends "lost", or with its exit file's result).
 */
export function adoptStarted(record: TaskRecord, store: TaskStore): void {
  if (record.state.status !== 'pending') return;
  const attempt = record.attempt ?? 1;
  const started = store.readPid(record.id, attempt);
  if (!started) return;
  const ours = isAlive(started.pid) && isTaskWrapper(started.pid, store.attemptDir(record.id, attempt));
  record.state = {
    status: 'running',
    startedAt: started.at,
    pid: started.pid,
    // A start time that matches nothing: a process that is not ours is never watched.
    pidStartTime: ours ? processStartTime(started.pid) : 'not-this-process',
    // Cancelled while it was starting, by an engine that went away before it heard the start.
    ...(record.cancelAsked ? { cancelling: record.cancelAsked } : {}),
  };
  delete record.cancelAsked;
}

export function restoreTasks(records: TaskRecord[], hooks: RestoreHooks): void {
  const now = Date.now();
  for (const r of records) {
    const s = r.state;
    if (s.status === 'running') {
      const exit = hooks.store.readExit(r.id, r.attempt ?? 1);
      if ((s.cancelling || s.timingOut) && groupExists(s.pid)) {
        // Being stopped: the wrapper may have ended (and written its exit) while programs of
        // its group that ignore SIGTERM still run; the stop goes on until they are gone.
        hooks.watch(r, s.pid, s.pidStartTime);
      } else if (exit) {
        hooks.ended(r, endedState(s, exit, { endedAt: exit.at }, false, r.timeoutSeconds));
      } else if (isSameProcess(s.pid, s.pidStartTime)) {
        hooks.watch(r, s.pid, s.pidStartTime);
      } else {
        // Gone without a trace: killed along with its wrapper, or the machine restarted.
        hooks.ended(r, endedState(s, undefined, { endedAt: now }, false, r.timeoutSeconds));
      }
    } else if (s.status === 'pending' && r.cancelAsked) {
      hooks.finish(r, { status: 'cancelled', reason: r.cancelAsked.reason, endedAt: now });
    } else if (s.status === 'pending' && findCycle(hooks.dependenciesOf(r.id), hooks.dependenciesOf, r.id)) {
      hooks.finish(r, { status: 'cancelled', reason: 'dependency cycle', endedAt: now });
    }
  }
}
