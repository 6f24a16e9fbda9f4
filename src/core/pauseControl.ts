// Pausing and continuing a running task: SIGSTOP / SIGCONT to all of its processes (its group
// and those that left it carrying its marker, through the runner). It stays running, with
// pausedAt in its state while paused and the time it spent paused in pausedMs, so its duration
// and its timeout clock leave that time out. The state reaches disk on the safe side of each
// signal: a crash in between never leaves a stopped task marked as running.
import type { TimeoutTimers } from './attempts';
import type { Runner } from './runner';
import type { TaskStore } from './store';
import type { TaskTable } from './taskTable';
import { pausedMsOf } from './taskState';

export class PauseControl {
  constructor(
    private readonly table: TaskTable,
    private readonly store: TaskStore,
    private readonly runner: Runner,
    private readonly timeouts: TimeoutTimers,
  ) {}

  /** SIGSTOP to all of a running task's processes; false when it is not running, already paused or being stopped. */
  pause(id: string): boolean {
    const t = this.table.tasks.get(id);
    const s = t?.state;
    if (!t || s?.status !== 'running' || s.pausedAt !== undefined || s.cancelling || s.timingOut || !this.runner.isWatching(id)) return false;
    t.state = { ...s, pausedAt: Date.now() };
    try {
      // On disk before the signal: an engine built later knows its processes are stopped.
      this.store.writer.save(t);
    } catch (err) {
      t.state = s;
      throw err;
    }
    if (!this.runner.signal(id, 'SIGSTOP')) {
      // Nothing of it is left to stop: its end is reported shortly.
      t.state = s;
      this.store.writer.saveSoon(t);
      return false;
    }
    this.timeouts.disarm(id);
    this.table.touch(t);
    return true;
  }

  /** SIGCONT to all of a paused task's processes; false when it is not paused. */
  resume(id: string): boolean {
    const t = this.table.tasks.get(id);
    const s = t?.state;
    if (!t || s?.status !== 'running' || s.pausedAt === undefined) return false;
    // The signal before the save: a crash between leaves it marked paused while it runs, which
    // a resume mends, rather than marked running while it is stopped for good. Nothing left to
    // continue: it is ending, and its end is reported shortly.
    if (!this.runner.signal(id, 'SIGCONT')) return false;
    const { pausedAt: _pausedAt, ...rest } = s;
    void _pausedAt;
    t.state = { ...rest, pausedMs: pausedMsOf(s, Date.now()) };
    try {
      this.store.writer.save(t);
    } catch {
      this.store.writer.saveSoon(t);
    }
    this.timeouts.arm(t);
    this.table.touch(t);
    return true;
  }
}
