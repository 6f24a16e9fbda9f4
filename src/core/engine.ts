// The task engine: queue, limits, states. It owns a task table (records, snapshots, events,
// output), its settings, a runner (processes, through the launcher) and a store (disk); queue
// decisions are the scheduler's. This class keeps them in step and answers with values.
import * as path from 'node:path';
import { Dispatcher, newToken } from './dispatcher';
import { EngineSettings } from './engineSettings';
import { Emitter } from './events';
import { exportTasks } from './export';
import { loadHistory } from './history';
import type { FollowOptions, LogFollower, ReadResult } from './logReader';
import { QueueControl } from './queueControl';
import { rerunOptions } from './rerun';
import type { MoveTarget } from './queueOrder';
import { adoptStarted, restoreTasks } from './restore';
import { dependencyVerdict } from './scheduler';
import { computeStatistics } from './stats';
import { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { TaskTable, type RemoveOutcome } from './taskTable';
import { isFinal } from './taskState';
import type { Disposable, EngineOptions, Listener, SpawnOptions, TaskGroup, TaskSnapshot, TaskStatistics, TaskStatus } from './types';
import { findCycle, TaskOptionsError, validateSpawnOptions } from './validate';

export { TaskOptionsError } from './validate';

export class TaskEngine implements Disposable {
  private readonly settings: EngineSettings;
  private readonly store: TaskStore;
  private readonly table: TaskTable;
  private readonly dispatcher: Dispatcher;
  private readonly queueControl: QueueControl;
  private disposed = false;
  private seq = 0;
  private lastCwd = '';
  private loading = true;
  private readyPromise: Promise<void>;
  private startLoading!: () => void;
  private readonly loadedEmitter = new Emitter<void>();
  /** Queued before the history was loaded: numbered after it once it is. */
  private readonly createdWhileLoading: TaskRecord[] = [];

  private constructor(options: EngineOptions) {
    this.settings = new EngineSettings(options);
    this.store = new TaskStore(options.storageDir, this.settings.log);
    this.table = new TaskTable(this.store, this.settings.log);
    this.dispatcher = new Dispatcher(this.table, this.store, this.settings, options.pollIntervalMs ?? 500, () => this.enforceHistory(), this.store.readQueuePaused());
    this.queueControl = new QueueControl(this.table, this.store, this.dispatcher, () => this.seq + 1);
    this.readyPromise = new Promise<void>((resolve) => {
      // Once: the load, or (disposed before it began) nothing to wait for.
      this.startLoading = () => {
        this.startLoading = () => undefined;
        resolve(this.disposed ? undefined : this.load());
      };
    });
  }

  /**
   * Opens (or creates) the storage folder and resolves at once: the history loads in the
   * background (isLoading, ready, onDidLoad) while spawnTask() and the rest already work; with
   * `deferHistory`, from the call of loadHistory().
   */
  static async open(options: EngineOptions): Promise<TaskEngine> {
    const engine = new TaskEngine(options);
    try {
      engine.store.init();
    } catch (err) {
      engine.dispose();
      throw err;
    }
    if (!options.deferHistory) engine.loadHistory();
    return engine;
  }

  /** Starts reading the history (once; open() does it unless told `deferHistory`). */
  loadHistory(): void {
    this.startLoading();
  }

  /** True until the history on disk has been read and its running tasks are watched again. */
  get isLoading(): boolean {
    return this.loading;
  }

  /** Resolves once the history is loaded (never rejects: a failure is logged and the engine goes on). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Fires once the history is loaded: a list shown before it may now be completed. */
  onDidLoad(listener: Listener<void>): Disposable {
    return this.loadedEmitter.event(listener);
  }

  /** Reads the history in slices, then restores it: pending tasks queued again, running ones watched or ended. */
  private async load(): Promise<void> {
    // What the end of the load walks again: only the tasks not finished (the slices note the
    // finished ones), so that end stays short with a history of 10 000.
    const active: TaskRecord[] = [];
    let seq = 0;
    try {
      const { setAside, hidden } = await loadHistory(this.store.tasksDir, (r) => {
        if (this.disposed || this.table.tasks.has(r.id)) return;
        this.table.tasks.set(r.id, r);
        if (r.seq > seq) seq = r.seq;
        // No snapshot yet: lists make them for what they show (groupTasks()), so the slices
        // leave fewer objects for the young generation's collections to copy.
        if (isFinal(r.state.status)) this.table.noteFinishedOnOpen(r);
        else active.push(r);
      }, (hidden) => this.store.listsOfRemoving(hidden));
      if (this.disposed) return;
      this.store.removeLeftovers(hidden);
      if (setAside.length > 0) {
        this.settings.log(`Background Tasks: ${setAside.length} unreadable task file(s) were set aside and skipped: ${setAside.join(', ')}`);
      }
      // Tasks queued while loading come after the whole history, in the listing and the queue.
      for (const t of this.createdWhileLoading.splice(0)) {
        t.seq = ++seq;
        this.store.writer.saveSoon(t);
      }
      this.seq = Math.max(this.seq, seq);
      for (const r of active) {
        adoptStarted(r, this.store);
        if (r.state.status === 'pending') this.dispatcher.queue.enqueue(r);
      }
      this.table.opening = true;
      restoreTasks(active, {
        store: this.store,
        watch: (r, pid, startTime) => this.dispatcher.watchRestored(r, pid, startTime),
        ended: (r, state) => this.dispatcher.ended(r, state),
        finish: (r, state) => this.dispatcher.finish(r, state),
        dependenciesOf: (id) => this.table.dependenciesOf(id),
      });
    } catch (err) {
      this.settings.log(`Background Tasks: could not read the task history in ${this.store.tasksDir}: ${String(err)}; tasks of earlier sessions are not listed.`);
    } finally {
      this.table.opening = false;
      this.loading = false;
    }
    if (this.disposed) return;
    this.enforceHistory();
    this.loadedEmitter.fire();
    this.dispatcher.requestSchedule();
  }

  /** Queues a command and returns its id; throws TaskOptionsError for a bad option. */
  spawnTask(options: SpawnOptions): string {
    this.assertOpen();
    const valid = validateSpawnOptions(options, (id) => this.table.tasks.has(id), (id) => this.table.dependenciesOf(id));
    // Its folder is made here (nothing after this throws but the stdin text's write, which takes it back).
    const id = this.store.claimId((candidate) => this.table.tasks.has(candidate));
    const now = Date.now();
    const { cwd, stdinText, startAt, timeoutSeconds: given, ...rest } = valid;
    const timeoutSeconds = given ?? this.settings.defaultTimeoutSeconds;
    // Only the options given, added one by one: a record built with keys that are then deleted
    // turns into a dictionary, and one spread from a built object gets a hidden class of its
    // own (either costs most of a KB per task, for every task in history).
    const record = {} as TaskRecord;
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) (record as unknown as Record<string, unknown>)[key] = value;
    Object.assign(record, {
      id,
      seq: ++this.seq,
      cwd: this.resolveCwd(cwd),
      createdAt: now,
      token: newToken(),
      state: { status: 'pending', enqueuedAt: now, ...(startAt !== undefined ? { startAt } : {}) },
    });
    // The default applies as the task is queued; 0 (given or by default) means none.
    if (timeoutSeconds > 0) record.timeoutSeconds = timeoutSeconds;
    if (stdinText !== undefined) record.ownStdin = true;
    const verdict = dependencyVerdict(record, (d) => this.table.tasks.get(d));
    if (verdict.kind === 'waiting') record.state = { status: 'pending', enqueuedAt: now, waitingFor: verdict.waitingFor, ...(startAt !== undefined ? { startAt } : {}) };
    this.store.createQueued(record, stdinText);
    if (this.loading) this.createdWhileLoading.push(record);
    this.table.tasks.set(id, record);
    this.dispatcher.queue.enqueue(record);
    this.table.touch(record);
    return id;
  }

  /** The task's working folder; the same string as the last task's when it is the same folder (kept in every record of the history). */
  private resolveCwd(cwd: string | undefined): string {
    const resolved = path.resolve(this.settings.defaultCwd, cwd ?? '.');
    if (resolved !== this.lastCwd) this.lastCwd = resolved;
    return this.lastCwd;
  }

  /** Makes a pending task wait for more tasks; refuses unknown ids and cycles. */
  addDependencies(id: string, dependsOn: string[]): void {
    const t = this.table.tasks.get(id);
    if (!t || t.state.status !== 'pending') throw new TaskOptionsError('id', `Task ${id} is not pending, so it cannot wait for others.`);
    for (const d of dependsOn) {
      if (!this.table.tasks.has(d)) throw new TaskOptionsError('dependsOn', `No task with id "${d}" to wait for.`);
    }
    if (findCycle(dependsOn, (d) => this.table.dependenciesOf(d), id)) {
      throw new TaskOptionsError('dependsOn', `Making ${id} wait for ${dependsOn.join(', ')} would form a cycle.`);
    }
    t.dependsOn = [...new Set([...t.dependsOn, ...dependsOn])];
    this.dispatcher.queue.block(t);
    this.store.writer.saveSoon(t);
    this.table.touch(t);
  }

  /** Pending: never started. Running: SIGTERM to its process group, SIGKILL after the grace period. */
  cancelTask(id: string, reason = 'cancelled by the user'): { ok: boolean; message: string } {
    return this.dispatcher.cancel(id, reason);
  }

  /** Queues the same command again (type, priority, cwd, env, metadata); returns the new id. */
  rerunTask(id: string): string {
    const t = this.table.tasks.get(id);
    if (!t) throw new TaskOptionsError('id', `No task with id "${id}" to run again.`);
    return this.spawnTask(rerunOptions(t, this.store));
  }

  getStatistics(): TaskStatistics {
    return computeStatistics(this.table.tasks.values(), this.settings.maxConcurrent, this.dispatcher.queue.paused);
  }

  // ---- queue control ----

  /** Pending tasks wait until resumeQueue() (verbose ones still start at once); running ones go on. Kept across a reload. */
  pauseQueue(): void {
    this.assertOpen();
    this.queueControl.setPaused(true);
  }

  resumeQueue(): void {
    this.assertOpen();
    this.queueControl.setPaused(false);
  }

  isQueuePaused(): boolean {
    return this.queueControl.isPaused();
  }

  /** Fires on a pause or resume of the queue and on a reorder (runNext, moveTask). */
  onDidChangeQueue(listener: () => void): Disposable {
    return this.queueControl.onDidChange(listener);
  }

  /** SIGSTOP to all of a running task's processes; it stays running with pausedAt, its clock stopped. False when there is nothing to pause. */
  pauseTask(id: string): boolean {
    return !this.disposed && this.dispatcher.pausing.pause(id);
  }

  /** SIGCONT to all of a paused task's processes; false when it is not paused. */
  resumeTask(id: string): boolean {
    return !this.disposed && this.dispatcher.pausing.resume(id);
  }

  /** Gives a pending task the highest priority present and the first place; false when it is not waiting in the queue. */
  runNext(id: string): boolean {
    return !this.disposed && this.queueControl.runNext(id);
  }

  /** Puts a pending task before or after another pending one, taking that one's priority; false when either is not waiting in the queue. */
  moveTask(id: string, target: MoveTarget): boolean {
    return !this.disposed && this.queueControl.moveTask(id, target);
  }

  /** Pending tasks in the order they will start (priority, then position). */
  getQueue(): TaskSnapshot[] {
    return this.queueControl.getQueue();
  }

  /** Every task, oldest first, as JSON or CSV (never env values). */
  exportHistory(format: 'json' | 'csv'): string {
    if (format !== 'json' && format !== 'csv') throw new TaskOptionsError('format', `Export as "json" or "csv" (got ${JSON.stringify(format)}).`);
    return exportTasks([...this.table.getAllTasks()].reverse(), format);
  }

  /** Sets a running task's progress from code (0..100); false if it is not running. */
  reportProgress(id: string, percent: number, message?: string): boolean {
    return this.dispatcher.reportProgress(id, percent, message);
  }

  /** Stops timers and watchers; running processes keep running for the next open(). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.startLoading();
    this.dispatcher.dispose();
    for (const err of this.store.writer.flushSync()) this.settings.log(`Background Tasks: could not save a task: ${String(err)}`);
    this.loadedEmitter.dispose();
    this.queueControl.dispose();
    this.table.dispose();
  }

  // ---- settings ----

  setMaxConcurrentTasks(n: number): void {
    this.settings.maxConcurrent = n;
    this.dispatcher.requestSchedule();
  }

  setCancelGraceMs(ms: number): void {
    this.settings.graceMs = ms;
  }

  setHistoryLimit(n: number): void {
    this.settings.historyLimit = n;
    this.enforceHistory();
  }

  setShell(shell: string): void {
    this.settings.shell = shell;
  }

  setDefaultCwd(cwd: string): void {
    this.settings.defaultCwd = cwd;
  }

  /** Limits of named lanes; a lane not named has a limit of 1. */
  setLanes(limits: Record<string, number>): void {
    this.settings.setLanes(limits);
    this.dispatcher.requestSchedule();
  }

  /** Timeout of tasks queued from now on that give none; 0 = none. */
  setDefaultTimeoutSeconds(seconds: number): void {
    this.settings.defaultTimeoutSeconds = seconds;
  }

  /** CPU niceness of tasks started from now on: 0 (normal) to 19 (lowest). */
  setNiceness(niceness: number): void {
    this.settings.niceness = niceness;
  }

  // ---- the task table's answers ----

  getTask(id: string): TaskSnapshot | undefined {
    return this.table.getTask(id);
  }

  /** Every task, newest first, optionally only those with the given status(es); while loading, those loaded. */
  getAllTasks(filter?: { status?: TaskStatus | TaskStatus[] }): TaskSnapshot[] {
    return this.table.getAllTasks(filter);
  }

  /**
   * The tasks grouped for a list that shows the first `limit` of each group, with snapshots of
   * those only: by status (newest first, pending in queue order) or by lane ('' for no lane:
   * each lane's tasks by status in `statusOrder`, then in the same order). Groups appear in
   * `statusOrder` (by status) or as first met (by lane); a status not in `statusOrder` is left out.
   */
  groupTasks(options: { by: 'status' | 'lane'; limit: number; statusOrder: readonly TaskStatus[] }): Map<string, TaskGroup> {
    const pending = options.statusOrder.includes('pending') ? this.queueControl.pending() : [];
    return this.table.groupTasks(options.by, Math.max(0, options.limit), options.statusOrder, pending);
  }

  /** The tasks whose output is read with problem matchers, oldest first (the diagnostics' restore: no snapshot of the others). */
  getTasksWithProblemMatchers(): TaskSnapshot[] {
    const records = [...this.table.tasks.values()].filter((t) => t.problemMatcher !== undefined);
    return records.sort((a, b) => a.seq - b.seq).map((t) => this.table.snapshot(t));
  }

  /** Removes a finished task and its folder; false if unknown, not finished, or still feeding a pending task. */
  removeTask(id: string): boolean {
    return this.table.removeTask(id);
  }

  /** As removeTask(), saying why not (`reason` tells a refusal of the disk from a task that may not go). */
  tryRemoveTask(id: string): RemoveOutcome {
    return this.table.tryRemoveTask(id);
  }

  /** Removes every finished task; returns how many. */
  clearFinished(): number {
    return this.table.clearFinished();
  }

  /** Fires on every change of a task: queued, started, progress, ended. */
  onDidChangeTask(listener: Listener<TaskSnapshot>): Disposable {
    return this.table.onDidChangeTask(listener);
  }

  /** Fires exactly once per task when it ends (also for a task found ended when the history loads). */
  onDidFinishTask(listener: Listener<TaskSnapshot>): Disposable {
    return this.table.onDidFinishTask(listener);
  }

  /** Fires when a finished task is removed (clearFinished, removeTask, history limit). */
  onDidRemoveTask(listener: Listener<TaskSnapshot>): Disposable {
    return this.table.onDidRemoveTask(listener);
  }

  /** Resolves with the task's snapshot once it has ended. */
  waitForTask(id: string): Promise<TaskSnapshot> {
    // An id from the history may not be loaded yet: it is known, or not, once the history is in.
    if (this.isLoading && !this.table.getTask(id)) return this.ready.then(() => this.table.waitForTask(id));
    return this.table.waitForTask(id);
  }

  /** Up to maxBytes of a task's output from a byte offset. */
  readOutput(id: string, opts?: { offset?: number; maxBytes?: number; stripAnsi?: boolean }): ReadResult | undefined {
    return this.table.readOutput(id, opts);
  }

  /** The last lines of a task's output, reading only the end of its log. */
  readTail(id: string, lines?: number, stripAnsi?: boolean): string[] {
    return this.table.readTail(id, lines, stripAnsi);
  }

  /** Follows a task's output live; the follower finishes by itself when the task ends. */
  followOutput(id: string, onText: (text: string) => void, options?: FollowOptions): LogFollower | undefined {
    return this.table.followOutput(id, onText, options);
  }

  logPath(id: string): string {
    return this.store.logPath(id);
  }

  // ---- internals ----

  private enforceHistory(): void {
    // While the history loads, the oldest finished tasks are not all known yet.
    if (!this.loading && !this.disposed) this.table.enforceHistory(this.settings.historyLimit);
  }

  private assertOpen(): void {
    if (this.disposed) throw new Error('This task engine was disposed; open a new one.');
  }
}
