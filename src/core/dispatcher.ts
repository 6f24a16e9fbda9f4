// Running the queue: which pending task starts when (with the scheduler's ReadyQueue and a
// per-turn budget), starting it through the runner, hearing how it went, and ending it the one
// way a task ends (finish). The engine (engine.ts) owns one and sends it the queue's commands.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { EngineSettings } from './engineSettings';
import { buildCompletionMessage } from './format';
import { readTail } from './logReader';
import { ProgressTracker } from './progressTracker';
import { Runner, type ProcessEnd } from './runner';
import { startInput } from './startInput';
import { dependencyVerdict, ReadyQueue, TurnBudget } from './scheduler';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { endedState, isFinal } from './taskState';
import type { TaskTable } from './taskTable';
import type { TaskProgress, TaskState } from './types';

const FAILURE_TAIL_LINES = 10;
/** Starting a process costs a few ms of this thread; more starts than fit wait for the next turn. */
const START_BUDGET_MS = 4;

/** The marker of one task's processes: random, so unique across windows and machines (unlike the 6-hex id). */
export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export class Dispatcher {
  private readonly runner: Runner;
  /** Tasks handed to the runner and not yet ended (including ones still starting). */
  private readonly active = new Set<string>();
  private readonly killed = new Set<string>();
  /** Cancels asked for while the launcher was starting the task: carried out once it runs. */
  private readonly cancelOnStart = new Map<string, string>();
  private scheduleQueued = false;
  private readonly queue = new ReadyQueue();
  private readonly budget = new TurnBudget(START_BUDGET_MS, () => this.schedule());
  private readonly progress: ProgressTracker;
  private disposed = false;

  constructor(
    private readonly table: TaskTable,
    private readonly store: TaskStore,
    private readonly settings: EngineSettings,
    pollMs: number,
    /** Called after each task ends (the engine applies the history limit). */
    private readonly afterFinish: () => void,
  ) {
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

  /** A new pending task, or one found pending in the history. */
  enqueue(t: TaskRecord): void {
    this.queue.add(t);
    this.requestSchedule();
  }

  /** A pending task has more inputs to wait for. */
  block(t: TaskRecord): void {
    this.queue.block(t);
    this.requestSchedule();
  }

  /** Pending: never started. Running: SIGTERM to its process group, SIGKILL after the grace period. */
  cancel(id: string, reason: string): { ok: boolean; message: string } {
    const t = this.table.tasks.get(id);
    if (!t) return { ok: false, message: `No task with id ${id}.` };
    const s = t.state;
    if (s.status === 'pending') {
      if (this.active.has(id)) {
        this.cancelOnStart.set(id, reason);
        // Kept on disk too: an engine that goes away before the start is heard leaves it to the next.
        t.cancelAsked = { reason, at: Date.now() };
        this.store.writer.saveSoon(t);
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

  /** Sets a running task's progress from code (0..100); false if it is not running. */
  reportProgress(id: string, percent: number, message?: string): boolean {
    const t = this.table.tasks.get(id);
    if (!t || t.state.status !== 'running' || !Number.isFinite(percent)) return false;
    this.setProgress(t, { state: 'set', percent: Math.min(100, Math.max(0, percent)), ...(message !== undefined ? { message } : {}), updatedAt: Date.now() });
    return true;
  }

  /** Stops timers and watchers, saving progress; running processes keep running. */
  dispose(): void {
    if (this.disposed) return;
    this.progress.dispose();
    this.disposed = true;
    this.budget.dispose();
    this.runner.dispose();
  }

  /** Runs the queue soon (a new task, a new limit, an ended task). */
  requestSchedule(): void {
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
      env: this.settings.taskEnvironment(t.env),
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
    // Not written: the wrapper's pid file, its first act, already tells a later engine that the
    // task started, with its pid (adoptStarted), so task.json is written when the task is queued
    // and when it ends (and with a cancel or progress), two writes a task instead of three.
    this.table.touch(t);
    const reason = this.cancelOnStart.get(id);
    delete t.cancelAsked;
    if (reason !== undefined) {
      this.cancelOnStart.delete(id);
      this.cancel(id, reason);
    }
  }

  /** Watches again a task found running in the history (and finishes a cancel an earlier engine began). */
  watchRestored(t: TaskRecord, pid: number, startTime: string | undefined): void {
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
  finish(t: TaskRecord, state: TaskState): void {
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
    this.afterFinish();
  }

  private setProgress(t: TaskRecord, progress: TaskProgress | undefined): void {
    if (progress) t.progress = progress;
    else delete t.progress;
    this.progress.markDirty(t.id);
    this.table.touch(t);
  }
}
