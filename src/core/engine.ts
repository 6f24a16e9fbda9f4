// The task engine: queue, limits, states, events. Processes are the runner's, persistence the
// store's, queue decisions the scheduler's, settings EngineSettings'; this class keeps them in step.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildCompletionMessage } from './format';
import { readTail } from './logReader';
import { ProgressTracker } from './progressTracker';
import { EngineSettings } from './engineSettings';
import { adoptStarted, restoreTasks } from './restore';
import { Runner, startInput, type ProcessEnd } from './runner';
import { dependencyVerdict, ReadyQueue, TurnBudget } from './scheduler';
import { computeStatistics } from './stats';
import type { TaskRecord } from './store';
import { endedState, isFinal } from './taskState';
import type { EngineOptions, SpawnOptions, TaskProgress, TaskState, TaskStatistics } from './types';
import { findCycle, TaskOptionsError, validateSpawnOptions } from './validate';

export { TaskOptionsError } from './validate';

const FAILURE_TAIL_LINES = 10;
/** Starting a process costs a few ms of this thread; more starts than fit wait for the next turn. */
const START_BUDGET_MS = 4;
const SAVE_RETRY_MS = 250;

export class TaskEngine extends EngineSettings {
  private readonly runner: Runner;

  /** Tasks handed to the runner and not yet ended (including ones still starting). */
  private readonly active = new Set<string>();
  private readonly killed = new Set<string>();
  private seq = 0;
  private scheduleQueued = false;
  private readonly queue = new ReadyQueue();
  private readonly budget = new TurnBudget(START_BUDGET_MS, () => this.schedule());
  private readonly progress: ProgressTracker;
  private readonly taskEnvironment: EngineOptions['taskEnvironment'];

  private constructor(options: EngineOptions) {
    super(options);
    this.taskEnvironment = options.taskEnvironment;
    const pollMs = options.pollIntervalMs ?? 500;
    this.store.onSaveError = (id, err) => {
      this.log(`Background Tasks: could not save task ${id}: ${String(err)}; trying again`);
      // Tried again until it lands (a folder made read-only for a moment), or dispose() tries.
      setTimeout(() => {
        const t = this.tasks.get(id);
        if (t && !this.disposed) this.store.saveSoon(t);
      }, SAVE_RETRY_MS).unref();
    };
    this.runner = new Runner((id, end) => this.onProcessEnd(id, end), pollMs);
    this.progress = new ProgressTracker(
      {
        apply: (id, found) => {
          const t = this.tasks.get(id);
          if (!t || t.state.status !== 'running') return false;
          const { state, percent } = found;
          this.setProgress(t, state === 'clear' ? undefined : { state, ...(percent !== undefined ? { percent } : {}), updatedAt: Date.now() });
          return true;
        },
        save: (id) => {
          const t = this.tasks.get(id);
          if (t) this.store.save(t);
        },
      },
      pollMs,
    );
  }

  /** Opens (or creates) the storage folder, restores history, reattaches running tasks, starts scheduling. */
  static async open(options: EngineOptions): Promise<TaskEngine> {
    const engine = new TaskEngine(options);
    try {
      engine.store.init();
      const { records, setAside } = engine.store.loadAll();
      if (setAside.length > 0) {
        engine.log(`Background Tasks: ${setAside.length} unreadable task file(s) were set aside and skipped: ${setAside.join(', ')}`);
      }
      for (const r of records) {
        adoptStarted(r, engine.store);
        engine.tasks.set(r.id, r);
        engine.seq = Math.max(engine.seq, r.seq);
        if (r.state.status === 'pending') engine.queue.add(r);
      }
      engine.noteFinishedOnOpen(records);
      restoreTasks(records, {
        store: engine.store,
        watch: (r, pid, startTime) => engine.watchRestored(r, pid, startTime),
        finish: (r, state) => engine.finish(r, state),
        dependenciesOf: (id) => engine.dependenciesOf(id),
      });
      engine.enforceHistory();
    } catch (err) {
      engine.dispose();
      throw err;
    }
    engine.opening = false;
    engine.requestSchedule();
    return engine;
  }

  /** Queues a command and returns its id; throws TaskOptionsError for a bad option. */
  spawnTask(options: SpawnOptions): string {
    this.assertOpen();
    const valid = validateSpawnOptions(options, (id) => this.tasks.has(id), (id) => this.dependenciesOf(id));
    const id = this.store.newId((candidate) => this.tasks.has(candidate));
    const now = Date.now();
    const { cwd, ...rest } = valid;
    const record: TaskRecord = {
      ...rest,
      id,
      seq: ++this.seq,
      cwd: path.resolve(this.defaultCwd, cwd ?? '.'),
      createdAt: now,
      state: { status: 'pending', enqueuedAt: now },
    };
    if (record.stdinFrom === undefined) delete record.stdinFrom;
    if (record.stdinFile === undefined) delete record.stdinFile;
    const verdict = dependencyVerdict(record, (d) => this.tasks.get(d));
    if (verdict.kind === 'waiting') record.state = { status: 'pending', enqueuedAt: now, waitingFor: verdict.waitingFor };
    this.store.createQueued(record);
    this.tasks.set(id, record);
    this.queue.add(record);
    this.touch(record);
    this.requestSchedule();
    return id;
  }

  /** Makes a pending task wait for more tasks; refuses unknown ids and cycles. */
  addDependencies(id: string, dependsOn: string[]): void {
    const t = this.tasks.get(id);
    if (!t || t.state.status !== 'pending') throw new TaskOptionsError('id', `Task ${id} is not pending, so it cannot wait for others.`);
    for (const d of dependsOn) {
      if (!this.tasks.has(d)) throw new TaskOptionsError('dependsOn', `No task with id "${d}" to wait for.`);
    }
    if (findCycle(dependsOn, (d) => this.dependenciesOf(d), id)) {
      throw new TaskOptionsError('dependsOn', `Making ${id} wait for ${dependsOn.join(', ')} would form a cycle.`);
    }
    t.dependsOn = [...new Set([...t.dependsOn, ...dependsOn])];
    this.queue.block(t);
    this.store.save(t);
    this.touch(t);
    this.requestSchedule();
  }

  /** Pending: never started. Running: SIGTERM to its process group, SIGKILL after the grace period. */
  cancelTask(id: string, reason = 'cancelled by user'): { ok: boolean; message: string } {
    const t = this.tasks.get(id);
    if (!t) return { ok: false, message: `No task with id ${id}.` };
    const s = t.state;
    if (s.status === 'pending') {
      if (this.active.has(id)) return { ok: false, message: `Task ${id} is starting; try again in a moment.` };
      this.finish(t, { status: 'cancelled', reason, endedAt: Date.now() });
      return { ok: true, message: `Task ${id} was cancelled before it started.` };
    }
    if (s.status !== 'running') return { ok: false, message: `Task ${id} already ended (${s.status}); nothing to cancel.` };
    if (s.cancelling) return { ok: true, message: `Task ${id} is already being stopped.` };
    t.state = { ...s, cancelling: { reason, at: Date.now() } };
    try {
      this.store.save(t);
    } catch (err) {
      t.state = s; // the call failed as a whole: nothing was asked of the process
      throw err;
    }
    this.touch(t);
    if (!this.runner.stop(id, this.graceMs, () => this.killed.add(id))) {
      // Its process is already gone; the runner reports the end shortly.
      return { ok: true, message: `Task ${id} is ending.` };
    }
    return { ok: true, message: `Stopping task ${id}: SIGTERM sent, SIGKILL after ${this.graceMs} ms.` };
  }

  /** Queues the same command again (type, priority, cwd, env, metadata); returns the new id. */
  rerunTask(id: string): string {
    const t = this.tasks.get(id);
    if (!t) throw new TaskOptionsError('id', `No task with id "${id}" to run again.`);
    const { command, type, priority, cwd, env, metadata } = t;
    return this.spawnTask({ command, type, priority, cwd, env, metadata, mode: t.mode === 'verbose' ? 'verbose' : 'background' });
  }

  getStatistics(): TaskStatistics {
    return computeStatistics(this.tasks.values(), this.maxConcurrent);
  }

  /** Sets a running task's progress from code (0..100); false if it is not running. */
  reportProgress(id: string, percent: number, message?: string): boolean {
    const t = this.tasks.get(id);
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
    for (const err of this.store.flushSync()) this.log(`Background Tasks: could not save a task: ${String(err)}`);
    this.runner.dispose();
    this.disposeRegistry();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.disposed) throw new Error('This task engine was disposed; open a new one.');
  }

  protected requestSchedule(): void {
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
      const verdict = dependencyVerdict(t, (d) => this.tasks.get(d));
      if (verdict.kind === 'cancel') {
        this.queue.blocked.delete(t);
        this.finish(t, { status: 'cancelled', reason: verdict.reason, endedAt: Date.now() });
      } else if (verdict.kind === 'ready') {
        this.queue.makeReady(t);
      } else if (String(verdict.waitingFor) !== String(t.state.waitingFor ?? [])) {
        t.state = { ...t.state, waitingFor: verdict.waitingFor };
        this.store.save(t);
        this.touch(t);
      }
    }
    let inLimit = 0;
    for (const id of this.active) if (this.tasks.get(id)?.mode !== 'verbose') inLimit++;
    for (let t = this.queue.peek(inLimit < this.maxConcurrent); t; t = this.queue.peek(inLimit < this.maxConcurrent)) {
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
    const input = startInput(t, (id) => this.store.logPath(id));
    if ('error' in input) {
      fs.appendFileSync(this.store.logPath(t.id), `${input.error}\n`, { mode: 0o600 });
      return this.finish(t, { status: 'failed', endedAt: Date.now(), error: input.error });
    }
    const stdinPath = input.stdinPath;
    const startedAt = Date.now();
    this.active.add(t.id);
    const result = this.runner.start({
      id: t.id,
      dir: this.store.taskDir(t.id),
      logPath: this.store.logPath(t.id),
      shell: this.shell,
      command: t.command,
      cwd: t.cwd,
      env: this.taskEnvironment ? this.taskEnvironment(t.env) : t.env,
      stdinPath,
    });
    if ('error' in result) return; // stays pending until the runner reports the spawn error
    t.state = { status: 'running', startedAt, pid: result.pid, ...(result.startTime ? { pidStartTime: result.startTime } : {}) };
    this.progress.watch(t.id, this.store.logPath(t.id));
    // Written at once, its temp file in the thread pool and renamed when done; dispose()
    // writes it synchronously if it has not landed, so a process that outlives this engine
    // is always on disk with its pid for the next one to watch.
    this.store.saveAsync(t);
    this.touch(t);
  }

  private watchRestored(t: TaskRecord, pid: number, startTime: string | undefined): void {
    this.active.add(t.id);
    this.progress.watch(t.id, this.store.logPath(t.id));
    this.runner.watch(t.id, pid, startTime);
    const s = t.state;
    if (s.status === 'running' && s.cancelling) {
      // Cancelled by an engine that went away during the grace period: finish the job.
      this.runner.stop(t.id, Math.max(0, s.cancelling.at + this.graceMs - Date.now()), () => this.killed.add(t.id));
    }
  }

  private onProcessEnd(id: string, end: ProcessEnd): void {
    const t = this.tasks.get(id);
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
    this.progress.forget(t.id);
    this.snapshots.delete(t.id);
    this.noteFinished(t);
    const tail = state.status === 'failed' ? readTail(this.store.logPath(t.id), FAILURE_TAIL_LINES, 16 * 1024) : [];
    t.message = buildCompletionMessage(this.snapshot(t), tail);
    try {
      this.store.save(t);
    } catch (err) {
      // Not writable now (read-only for a moment?): announced all the same, saved later.
      this.log(`Background Tasks: could not save the end of task ${t.id}: ${String(err)}`);
      this.store.saveSoon(t);
    }
    this.touch(t);
    const snap = this.snapshot(t);
    this.announceFinish(snap);
    this.requestSchedule();
    this.enforceHistory();
  }

  private setProgress(t: TaskRecord, progress: TaskProgress | undefined): void {
    if (progress) t.progress = progress;
    else delete t.progress;
    this.progress.markDirty(t.id);
    this.touch(t);
  }
}
