// The task table: the tasks in memory, their snapshots and events, access to their output,
// removal and the history limit. The engine (engine.ts) owns one and hands out its answers.
import { Emitter } from './events';
import { LogFollower, readRange, readTail, type FollowOptions, type ReadResult } from './logReader';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { isFinal, snapshotOf } from './taskState';
import type { Disposable, Listener, TaskGroup, TaskSnapshot, TaskStatus } from './types';
import { TaskOptionsError } from './validate';

export type RemoveOutcome =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'not finished' | 'input of a waiting task' | 'storage'; message: string };

export class TaskTable implements Disposable {
  /** The records, by id: the engine changes them, then calls touch(). */
  readonly tasks = new Map<string, TaskRecord>();
  private readonly snapshots = new Map<string, TaskSnapshot>();
  private readonly followers = new Map<string, Set<LogFollower>>();
  private readonly changed = new Emitter<TaskSnapshot>();
  private readonly finished = new Emitter<TaskSnapshot>();
  private readonly removed = new Emitter<TaskSnapshot>();
  /**
   * Ids of finished tasks in the order they ended. Those open() finds are added as they load, in
   * no order; they are sorted by end time only once the history limit first needs the oldest
   * (sorting 10 000 at the end of the load held the event loop 6 to 8 ms).
   */
  private finishedOrder = new Set<string>();
  private finishedSorted = true;

  /** True while the engine restores loaded tasks: their finish events wait for a first listener, if none yet. */
  opening = false;
  private announcements: TaskSnapshot[] = [];
  private disposed = false;

  constructor(
    private readonly store: TaskStore,
    private readonly warn: (message: string) => void,
  ) {}

  getTask(id: string): TaskSnapshot | undefined {
    const t = this.tasks.get(id);
    return t && this.snapshot(t);
  }

  /** Every task, newest first, optionally only those with the given status(es). */
  getAllTasks(filter?: { status?: TaskStatus | TaskStatus[] }): TaskSnapshot[] {
    const wanted = filter?.status === undefined ? undefined : ([] as TaskStatus[]).concat(filter.status);
    return [...this.tasks.values()]
      .filter((t) => !wanted || wanted.includes(t.state.status))
      .sort((a, b) => b.seq - a.seq)
      .map((t) => this.snapshot(t));
  }

  /**
   * The tasks grouped as a list shows them, making snapshots only of those it shows (the first
   * `limit` of each group): by status, each newest first but pending in `pending`'s order; or by
   * lane ('' for none), each lane's tasks by status in `statusOrder`, then in that same order.
   * A history of 10 000 then costs a walk and a sort of the records, not 10 000 new objects.
   */
  groupTasks(by: 'status' | 'lane', limit: number, statusOrder: readonly TaskStatus[], pending: readonly TaskRecord[]): Map<string, TaskGroup> {
    const byStatus = new Map<TaskStatus, TaskRecord[]>();
    for (const status of statusOrder) byStatus.set(status, []);
    for (const t of this.tasks.values()) if (t.state.status !== 'pending') byStatus.get(t.state.status)?.push(t);
    for (const list of byStatus.values()) list.sort((a, b) => b.seq - a.seq);
    if (byStatus.has('pending')) byStatus.set('pending', [...pending]);
    const groups = new Map<string, { count: number; running: number; tasks: TaskSnapshot[] }>();
    for (const [status, list] of byStatus) {
      if (by === 'status') {
        if (list.length === 0) continue;
        const shown = list.length > limit ? list.slice(0, limit) : list;
        groups.set(status, { count: list.length, running: status === 'running' ? list.length : 0, tasks: shown.map((t) => this.snapshot(t)) });
        continue;
      }
      for (const t of list) {
        const key = t.lane ?? '';
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { count: 0, running: 0, tasks: [] }));
        group.count++;
        if (status === 'running') group.running++;
        if (group.tasks.length < limit) group.tasks.push(this.snapshot(t));
      }
    }
    return groups;
  }

  /** Removes a finished task and its folder; false if unknown, not finished, or still feeding a pending task. */
  removeTask(id: string): boolean {
    return this.tryRemoveTask(id).ok;
  }

  /** As removeTask(), saying why not: `storage` tells a refusal of the disk from a task that may not go. */
  tryRemoveTask(id: string): RemoveOutcome {
    const t = this.tasks.get(id);
    if (!t) return { ok: false, reason: 'unknown', message: `No task with id ${id}.` };
    if (!isFinal(t.state.status)) return { ok: false, reason: 'not finished', message: `Task ${id} is ${t.state.status}; only a finished task can be removed.` };
    if (this.isInputOfWaitingTask(id)) {
      return { ok: false, reason: 'input of a waiting task', message: `Task ${id} is the input of a task still waiting for it; it is kept until that one starts.` };
    }
    const snap = this.snapshot(t);
    try {
      this.store.remove(id);
    } catch (err) {
      // Kept in the history (and removed later) rather than lost from view with its folder left.
      const message = `Background Tasks: could not remove the folder of task ${id}: ${String(err)}`;
      this.warn(message);
      return { ok: false, reason: 'storage', message };
    }
    this.tasks.delete(id);
    this.snapshots.delete(id);
    this.finishedOrder.delete(id);
    this.removed.fire(snap);
    return { ok: true };
  }

  /** Removes every finished task (but those still feeding a waiting task); returns how many. */
  clearFinished(): number {
    const ids: string[] = [];
    for (const t of this.tasks.values()) if (isFinal(t.state.status)) ids.push(t.id);
    const outcome = this.removeFinished(ids);
    return outcome.ok ? outcome.removed : 0;
  }

  /**
   * Removes the given finished tasks at once, but those that may not go (unknown, not finished,
   * the input of a waiting task): one list written for all and their folders deleted in the
   * background (store.removeMany()), where one at a time costs a system call each in this turn.
   * `storage`: the disk refused, nothing was removed.
   */
  removeFinished(ids: Iterable<string>, limit = Infinity): { ok: true; removed: number } | { ok: false; reason: 'storage'; message: string } {
    const inputs = new Set<string>();
    for (const t of this.tasks.values()) if (isWaitingForInput(t)) inputs.add(t.stdinFrom!);
    const gone: TaskRecord[] = [];
    for (const id of ids) {
      if (gone.length >= limit) break;
      const t = this.tasks.get(id);
      if (t && isFinal(t.state.status) && !inputs.has(id)) gone.push(t);
    }
    if (gone.length === 0) return { ok: true, removed: 0 };
    if (gone.length === 1) {
      const one = this.tryRemoveTask(gone[0].id);
      return one.ok ? { ok: true, removed: 1 } : { ok: false, reason: 'storage', message: one.message };
    }
    try {
      this.store.removeMany(gone.map((t) => t.id));
    } catch (err) {
      const message = `Background Tasks: could not remove ${gone.length} finished tasks from ${this.store.tasksDir}: ${String(err)}`;
      this.warn(message);
      return { ok: false, reason: 'storage', message };
    }
    for (const t of gone) {
      const snap = this.snapshot(t);
      this.tasks.delete(t.id);
      this.snapshots.delete(t.id);
      this.finishedOrder.delete(t.id);
      this.removed.fire(snap);
    }
    return { ok: true, removed: gone.length };
  }

  /** Fires on every change of a task: queued, started, progress, ended. */
  onDidChangeTask(listener: Listener<TaskSnapshot>): Disposable {
    return this.changed.event(listener);
  }

  /** Fires exactly once per task when it ends (also for a task found ended by open()). */
  onDidFinishTask(listener: Listener<TaskSnapshot>): Disposable {
    const sub = this.finished.event(listener);
    if (this.announcements.length > 0) {
      // Later in this tick, so every listener added right after open() hears them.
      const list = this.announcements;
      this.announcements = [];
      setTimeout(() => list.forEach((s) => !this.disposed && this.finished.fire(s)), 0);
    }
    return sub;
  }

  /** Fires when a finished task is removed (clearFinished, removeTask, history limit). */
  onDidRemoveTask(listener: Listener<TaskSnapshot>): Disposable {
    return this.removed.event(listener);
  }

  /** Resolves with the task's snapshot once it has ended. */
  waitForTask(id: string): Promise<TaskSnapshot> {
    const now = this.getTask(id);
    if (!now) return Promise.reject(new TaskOptionsError('id', `No task with id "${id}".`));
    if (isFinal(now.state.status)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const sub = this.finished.event((s) => {
        if (s.id === id) {
          sub.dispose();
          resolve(s);
        }
      });
    });
  }

  /** Up to maxBytes of a task's output from a byte offset. */
  readOutput(id: string, opts: { offset?: number; maxBytes?: number; stripAnsi?: boolean } = {}): ReadResult | undefined {
    return this.tasks.has(id) ? readRange(this.store.logPath(id), opts.offset, opts.maxBytes, opts.stripAnsi) : undefined;
  }

  /** The last lines of a task's output, reading only the end of its log. */
  readTail(id: string, lines = 20, stripAnsi = true): string[] {
    return this.tasks.has(id) ? readTail(this.store.logPath(id), lines, 64 * 1024, stripAnsi) : [];
  }

  /** Follows a task's output live; the follower finishes by itself when the task ends. */
  followOutput(id: string, onText: (text: string) => void, options?: FollowOptions): LogFollower | undefined {
    const t = this.tasks.get(id);
    if (!t) return undefined;
    const follower = new LogFollower(this.store.logPath(id), onText, options);
    if (isFinal(t.state.status)) {
      void follower.finish();
    } else {
      const set = this.followers.get(id) ?? new Set();
      set.add(follower);
      this.followers.set(id, set);
    }
    return follower;
  }

  logPath(id: string): string {
    return this.store.logPath(id);
  }

  dependenciesOf(id: string): readonly string[] {
    const t = this.tasks.get(id);
    if (!t) return [];
    return t.stdinFrom !== undefined ? [...t.dependsOn, t.stdinFrom] : t.dependsOn;
  }

  snapshot(t: TaskRecord): TaskSnapshot {
    let s = this.snapshots.get(t.id);
    if (!s) {
      s = snapshotOf(t, this.store.logPath(t.id));
      this.snapshots.set(t.id, s);
    }
    return s;
  }

  /** The record changed without an event yet (its snapshot is made again when next asked for). */
  invalidate(id: string): void {
    this.snapshots.delete(id);
  }

  touch(t: TaskRecord): void {
    this.snapshots.delete(t.id);
    if (!this.disposed) this.changed.fire(this.snapshot(t));
  }

  isInputOfWaitingTask(id: string): boolean {
    for (const t of this.tasks.values()) if (t.stdinFrom === id && isWaitingForInput(t)) return true;
    return false;
  }

  /** Notes that a task has finished: the newest of the history. */
  noteFinished(t: TaskRecord): void {
    this.finishedOrder.add(t.id);
  }

  /** Notes a finished task found by open() (in any order: see finishedOrder). */
  noteFinishedOnOpen(t: TaskRecord): void {
    this.finishedOrder.add(t.id);
    this.finishedSorted = false;
  }

  /** Removes the oldest finished tasks beyond `limit`, with their logs. */
  enforceHistory(limit: number): void {
    const excess = this.finishedOrder.size - limit;
    if (excess <= 0) return;
    if (!this.finishedSorted) {
      const endOf = (t: TaskRecord): number => ('endedAt' in t.state ? t.state.endedAt : 0);
      const records: TaskRecord[] = [];
      for (const id of this.finishedOrder) {
        const t = this.tasks.get(id);
        if (t) records.push(t);
      }
      records.sort((a, b) => endOf(a) - endOf(b) || a.seq - b.seq);
      this.finishedOrder = new Set(records.map((t) => t.id));
      this.finishedSorted = true;
    }
    // The oldest that may go, all at once. When the storage refuses (read-only for a moment),
    // they are tried again at the next finish.
    this.removeFinished(this.finishedOrder, excess);
  }

  /** Announces a task that has just ended: its finish event, and its followers read to the end. */
  announceFinish(snap: TaskSnapshot): void {
    if (this.opening && !this.finished.hasListeners) this.announcements.push(snap);
    else this.finished.fire(snap);
    const followers = this.followers.get(snap.id);
    this.followers.delete(snap.id);
    followers?.forEach((f) => void f.finish());
  }

  /** Frees what the table holds (events, followers); the records stay readable. */
  dispose(): void {
    this.disposed = true;
    for (const set of this.followers.values()) set.forEach((f) => f.dispose());
    this.followers.clear();
    this.changed.dispose();
    this.finished.dispose();
    this.removed.dispose();
  }
}

/** Whether a task still waits to read another task's output (piped, not yet started). */
function isWaitingForInput(t: TaskRecord): boolean {
  return t.stdinFrom !== undefined && !isFinal(t.state.status) && t.state.status !== 'running';
}
