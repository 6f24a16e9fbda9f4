// The task engine: queue, limits, states. It owns a task table (records, snapshots, events,
// output), its settings, a runner (processes, through the launcher) and a store (disk); queue
// decisions are the scheduler's. This class keeps them in step and answers with values.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCompletionMessage } from './format';
import { readTail } from './logReader';
import { ProgressTracker } from './progressTracker';
import { EngineSettings } from './engineSettings';
import { Emitter } from './events';
import { loadHistory } from './history';
import type { FollowOptions, LogFollower, ReadResult } from './logReader';
import { adoptStarted, restoreTasks } from './restore';
import { Runner, startInput, type ProcessEnd } from './runner';
import { dependencyVerdict, ReadyQueue, TurnBudget } from './scheduler';
import { computeStatistics } from './stats';
import { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { TaskTable, type RemoveOutcome } from './taskTable';
import { endedState, isFinal } from './taskState';
import type { Disposable, EngineOptions, Listener, SpawnOptions, TaskProgress, TaskSnapshot, TaskState, TaskStatistics, TaskStatus } from './types';
import { findCycle, TaskOptionsError, validateSpawnOptions } from './validate';

export { TaskOptionsError } from './validate';

const FAILURE_TAIL_LINES = 10;
/** Starting a process costs a few ms of this thread; more starts than fit wait for the next turn. */
const START_BUDGET_MS = 4;

export class TaskEngine implements Disposable {
  private readonly settings: EngineSettings;
  private readonly store: TaskStore;
  private readonly table: TaskTable;
  private readonly runner: Runner;
  private disposed = false;

  /** Tasks handed to the runner and not yet ended (including ones still starting). */
  private readonly active = new Set<string>();
  private readonly killed = new Set<string>();
  /** Cancels asked for while the launcher was starting the task: carried out once it runs. */
  private readonly cancelOnStart = new Map<string, string>();
  private seq = 0;
  private scheduleQueued = false;
  private readonly queue = new ReadyQueue();
  private readonly budget = new TurnBudget(START_BUDGET_MS, () => this.schedule());
  private readonly progress: ProgressTracker;
  private loading = true;
  private readyPromise: Promise<void> = Promise.resolve();
  private readonly loadedEmitter = new Emitter<void>();
  /** Queued before the history was loaded: numbered after it once it is. */
  private readonly createdWhileLoading: TaskRecord[] = [];

  private constructor(options: EngineOptions) {
    this.settings = new EngineSettings(options);
    this.store = new TaskStore(options.storageDir, this.settings.log);
    this.table = new TaskTable(this.store, this.settings.log);
    const pollMs = options.pollIntervalMs ?? 500;
    this.runner = new Runner(
      {
        started: (id, pid, startTime) => this.onStarted(id, pid, startTime),
        ended: (id, end) => this.onProcessEnd(id, end),
        warn: (message) => this.settings.log(message),
      },
      pollMs,
    );
    this.progress = new ProgressTracker(
      {
        apply: (id, found) => {
          const t = this.table.tasks.get(id);
          if (!t || t.state.status !== 'running') return false;
          const { state, percent } = found;
          this.setProgress(t, state === 'clear' ? undefined : { state, ...(percent !== undefined ? { percent } : {}), updatedAt: Date.now() });
          return true;
        },
        save: (id) => {
          const t = this.table.tasks.get(id);
          if (t) this.store.writer.saveSoon(t);
        },
      },
      pollMs,
    );
  }

  /**
   * Opens (or creates) the storage folder and resolves at once: the history loads in the
   * background (isLoading, ready, onDidLoad) while spawnTask() and the rest already work.
   */
  static async open(options: EngineOptions): Promise<TaskEngine> {
    const engine = new TaskEngine(options);
    try {
      engine.store.init();
    } catch (err) {
      engine.dispose();
      throw err;
    }
    engine.readyPromise = engine.load();
    return engine;
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
    const all: TaskRecord[] = [];
    try {
      const { setAside } = await loadHistory(this.store.tasksDir, (records) => {
        for (const r of records) {
          if (this.disposed || this.table.tasks.has(r.id)) continue;
          this.table.tasks.set(r.id, r);
          all.push(r);
        }
      });
      if (this.disposed) return;
      if (setAside.length > 0) {
        this.settings.log(`Background Tasks: ${setAside.length} unreadable task file(s) were set aside and skipped: ${setAside.join(', ')}`);
      }
      // Tasks queued while loading come after the whole history, in the listing and the queue.
      let seq = all.reduce((max, r) => Math.max(max, r.seq), 0);
      for (const t of this.createdWhileLoading.splice(0)) {
        t.seq = ++seq;
        this.store.writer.saveSoon(t);
      }
      this.seq = Math.max(this.seq, seq);
      for (const r of all) {
        adoptStarted(r, this.store);
        if (r.state.status === 'pending') this.queue.add(r);
      }
      this.table.noteFinishedOnOpen(all);
      this.table.opening = true;
      restoreTasks(all, {
        store: this.store,
        watch: (r, pid, startTime) => this.watchRestored(r, pid, startTime),
        finish: (r, state) => this.finish(r, state),
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
    this.requestSchedule();
  }

  /** Queues a command and returns its id; throws TaskOptionsError for a bad option. */
  spawnTask(options: SpawnOptions): string {
    this.assertOpen();
    const valid = validateSpawnOptions(options, (id) => this.table.tasks.has(id), (id) => this.table.dependenciesOf(id));
    const id = this.store.newId((candidate) => this.table.tasks.has(candidate));
    const now = Date.now();
    const { cwd, stdinText, ...rest } = valid;
    const record: TaskRecord = {
      ...rest,
      id,
      seq: ++this.seq,
      cwd: path.resolve(this.settings.defaultCwd, cwd ?? '.'),
      createdAt: now,
      token: newToken(),
      state: { status: 'pending', enqueuedAt: now },
    };
    if (record.stdinFrom === undefined) delete record.stdinFrom;
    if (record.stdinFile === undefined) delete record.stdinFile;
    if (stdinText !== undefined) record.ownStdin = true;
    const verdict = dependencyVerdict(record, (d) => this.table.tasks.get(d));
    if (verdict.kind === 'waiting') record.state = { status: 'pending', enqueuedAt: now, waitingFor: verdict.waitingFor };
    this.store.createQueued(record, stdinText);
    if (this.loading) this.createdWhileLoading.push(record);
    this.table.tasks.set(id, record);
    this.queue.add(record);
    this.table.touch(record);
    this.requestSchedule();
    return id;
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
    this.queue.block(t);
    this.store.writer.saveSoon(t);
    this.table.touch(t);
    this.requestSchedule();
  }

  /** Pending: never started. Running: SIGTERM to its process group, SIGKILL after the grace period. */
  cancelTask(id: string, reason = 'cancelled by user'): { ok: boolean; message: string } {
    const t = this.table.tasks.get(id);
    if (!t) return { ok: false, message: `No task with id ${id}.` };
    const s = t.state;
    if (s.status === 'pending') {
      if (this.active.has(id)) {
        this.cancelOnStart.set(id, reason);
        return { ok: true, message: `Task ${id} is starting; it will be stopped as soon as it runs.` };
      }
      this.finish(t, { status: 'cancelled', reason, endedAt: Date.now() });
      return { ok: true, message: `Task ${id} was cancelled before it started.` };
    }
    if (s.status !== 'running') return { ok: false, message: `Task ${id} already ended (${s.status}); nothing to cancel.` };
    if (s.cancelling) return { ok: true, message: `Task ${id} is already being stopped.` };
    t.state = { ...s, cancelling: { reason, at: Date.now() } };
    try {
      // On disk before any signal, so an engine built after this one still ends it as cancelled.
      this.store.writer.save(t);
    } catch (err) {
      t.state = s; // the call failed as a whole: nothing was asked of the process
      throw err;
    }
    this.table.touch(t);
    if (!this.runner.stop(id, this.settings.graceMs, () => this.killed.add(id))) {
      // Its process is already gone; the runner reports the end shortly.
      return { ok: true, message: `Task ${id} is ending.` };
    }
    return { ok: true, message: `Stopping task ${id}: SIGTERM sent, SIGKILL after ${this.settings.graceMs} ms.` };
  }

  /** Queues the same command again (type, priority, cwd, env, metadata); returns the new id. */
  rerunTask(id: string): string {
    const t = this.table.tasks.get(id);
    if (!t) throw new TaskOptionsError('id', `No task with id "${id}" to run again.`);
    const { command, type, priority, cwd, env, metadata } = t;
    let stdinText: string | undefined;
    if (t.ownStdin) {
      try {
        stdinText = fs.readFileSync(this.store.stdinPath(id), 'utf8');
      } catch (err) {
        throw new TaskOptionsError('id', `The stdin text of task ${id} is gone (${(err as NodeJS.ErrnoException).code ?? String(err)}), so it cannot run again with it.`);
      }
    }
    const mode = t.mode === 'verbose' ? 'verbose' : 'background';
    return this.spawnTask({ command, type, priority, cwd, env, metadata, mode, ...(stdinText !== undefined ? { stdinText } : {}) });
  }

  getStatistics(): TaskStatistics {
    return computeStatistics(this.table.tasks.values(), this.settings.maxConcurrent);
  }

  /** Sets a running task's progress from code (0..100); false if it is not running. */
  reportProgress(id: string, percent: number, message?: string): boolean {
    const t = this.table.tasks.get(id);
    if (!t || t.state.status !== 'running' || !Number.isFinite(percent)) return false;
    this.setProgress(t, { state: 'set', percent: Math.min(100, Math.max(0, percent)), ...(message !== undefined ? { message } : {}), updatedAt: Date.now() });
    return true;
  }

  /** Stops timers and watchers; running processes keep running for the next open(). */
  dispose(): void {
    if (this.disposed) return;
    this.progress.dispose();
    this.disposed = true;
    this.budget.dispose();
    for (const err of this.store.writer.flushSync()) this.settings.log(`Background Tasks: could not save a task: ${String(err)}`);
    this.runner.dispose();
    this.loadedEmitter.dispose();
    this.table.dispose();
  }

  // ---- settings ----

  setMaxConcurrentTasks(n: number): void {
    this.settings.maxConcurrent = n;
    this.requestSchedule();
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

  // ---- the task table's answers ----

  getTask(id: string): TaskSnapshot | undefined {
    return this.table.getTask(id);
  }

  /** Every task, newest first, optionally only those with the given status(es); while loading, those loaded. */
  getAllTasks(filter?: { status?: TaskStatus | TaskStatus[] }): TaskSnapshot[] {
    return this.table.getAllTasks(filter);
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

  private requestSchedule(): void {
    if (this.scheduleQueued || this.disposed) return;
    this.scheduleQueued = true;
    queueMicrotask(() => {
      this.scheduleQueued = false;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.disposed) return;
    for (const t of [...this.queue.blocked]) {
      if (t.state.status !== 'pending') {
        this.queue.blocked.delete(t);
        continue;
      }
      const verdict = dependencyVerdict(t, (d) => this.table.tasks.get(d));
      if (verdict.kind === 'cancel') {
        this.queue.blocked.delete(t);
        this.finish(t, { status: 'cancelled', reason: verdict.reason, endedAt: Date.now() });
      } else if (verdict.kind === 'ready') {
        this.queue.makeReady(t);
      } else if (String(verdict.waitingFor) !== String(t.state.waitingFor ?? [])) {
        t.state = { ...t.state, waitingFor: verdict.waitingFor };
        this.store.writer.saveSoon(t);
        this.table.touch(t);
      }
    }
    let inLimit = 0;
    for (const id of this.active) if (this.table.tasks.get(id)?.mode !== 'verbose') inLimit++;
    for (let t = this.queue.peek(inLimit < this.settings.maxConcurrent); t; t = this.queue.peek(inLimit < this.settings.maxConcurrent)) {
      if (t.state.status === 'pending' && !this.active.has(t.id)) {
        if (!this.budget.allows()) return;
        if (t.mode !== 'verbose') inLimit++;
        this.queue.shift(t);
        this.start(t);
      } else {
        this.queue.shift(t);
      }
    }
  }

  private start(t: TaskRecord): void {
    const input = startInput(t, this.store);
    if ('error' in input) {
      fs.appendFileSync(this.store.logPath(t.id), `${input.error}\n`, { mode: 0o600 });
      return this.finish(t, { status: 'failed', endedAt: Date.now(), error: input.error });
    }
    const stdinPath = input.stdinPath;
    t.token ??= newToken();
    this.active.add(t.id);
    this.runner.start({
      id: t.id,
      dir: this.store.taskDir(t.id),
      logPath: this.store.logPath(t.id),
      shell: this.settings.shell,
      command: t.command,
      cwd: t.cwd,
      env: t.env,
      token: t.token,
      stdinPath,
    });
    // Pending (and active) until the launcher says it runs, or reports why it could not.
  }

  /** The launcher started the task's wrapper (or, again, a first wrapper of it was found running). */
  private onStarted(id: string, pid: number, startTime: string | undefined): void {
    const t = this.table.tasks.get(id);
    if (!t || this.disposed) return;
    const s = t.state;
    const pidStartTime = startTime ? { pidStartTime: startTime } : {};
    if (s.status === 'pending') t.state = { status: 'running', startedAt: Date.now(), pid, ...pidStartTime };
    else if (s.status === 'running') t.state = { status: 'running', startedAt: s.startedAt, pid, ...pidStartTime, ...(s.cancelling ? { cancelling: s.cancelling } : {}) };
    else return;
    if (s.status === 'pending') this.progress.watch(id, this.store.logPath(id));
    // In the thread pool; dispose() writes it synchronously if it has not landed, so a process
    // that outlives this engine is on disk with its pid (and the wrapper's pid file proves the
    // start even before: adoptStarted).
    this.store.writer.saveSoon(t);
    this.table.touch(t);
    const reason = this.cancelOnStart.get(id);
    if (reason !== undefined) {
      this.cancelOnStart.delete(id);
      this.cancelTask(id, reason);
    }
  }

  private watchRestored(t: TaskRecord, pid: number, startTime: string | undefined): void {
    this.active.add(t.id);
    this.progress.watch(t.id, this.store.logPath(t.id));
    this.runner.watch(t.id, pid, startTime, t.token);
    const s = t.state;
    if (s.status === 'running' && s.cancelling) {
      // Cancelled by an engine that went away during the grace period: finish the job.
      this.runner.stop(t.id, Math.max(0, s.cancelling.at + this.settings.graceMs - Date.now()), () => this.killed.add(t.id));
    }
  }

  private onProcessEnd(id: string, end: ProcessEnd): void {
    const t = this.table.tasks.get(id);
    if (!t || this.disposed) return;
    const s = t.state;
    if (end.error !== undefined && s.status === 'pending') {
      this.finish(t, { status: 'failed', endedAt: end.endedAt, error: `could not start: ${end.error}` });
    } else if (s.status === 'running') {
      // The wrapper exits with the status it writes to the exit file: when the runner saw that
      // status (its own child, not stopped), the file has nothing to add and is not read.
      const exit = end.exitCode !== undefined && !s.cancelling ? undefined : this.store.readExit(id);
      this.finish(t, endedState(s, exit, end, this.killed.has(id)));
    }
  }

  /** The one way a task ends: state, message, save, events (exactly one finish event). */
  private finish(t: TaskRecord, state: TaskState): void {
    if (isFinal(t.state.status)) return;
    t.state = state;
    delete t.progress;
    this.active.delete(t.id);
    this.killed.delete(t.id);
    this.cancelOnStart.delete(t.id);
    this.progress.forget(t.id);
    this.table.invalidate(t.id);
    this.table.noteFinished(t);
    const tail = state.status === 'failed' ? readTail(this.store.logPath(t.id), FAILURE_TAIL_LINES, 16 * 1024) : [];
    t.message = buildCompletionMessage(this.table.snapshot(t), tail);
    // In the thread pool: until it lands, the wrapper's exit file tells a later engine the same.
    this.store.writer.saveSoon(t);
    this.table.touch(t);
    const snap = this.table.snapshot(t);
    this.table.announceFinish(snap);
    this.requestSchedule();
    this.enforceHistory();
  }

  private setProgress(t: TaskRecord, progress: TaskProgress | undefined): void {
    if (progress) t.progress = progress;
    else delete t.progress;
    this.progress.markDirty(t.id);
    this.table.touch(t);
  }
}

/** The marker of one task's processes: random, so unique across windows and machines (unlike the 6-hex id). */
function newToken(): string {
  return randomBytes(16).toString('hex');
}
