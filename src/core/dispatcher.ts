// Running tasks: starting what the queue (queueRunner.ts) picks through the runner, hearing how
// it went, cancelling, timing it out, queueing its next attempt, and ending it the one way a
// task ends (finish). Pausing is pauseControl.ts's. The engine (engine.ts) owns one and sends
// it the queue's commands.
import { randomHex } from './random';
import * as fs from 'node:fs';
import { attemptOf, nextAttempt, retries, TimeoutTimers } from './attempts';
import type { EngineSettings } from './engineSettings';
import { buildCompletionMessage } from './format';
import { readTail } from './logReader';
import { PauseControl } from './pauseControl';
import { ProgressTracker } from './progressTracker';
import { QueueRunner } from './queueRunner';
import { Runner, type ProcessEnd } from './runner';
import { startInput } from './startInput';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { endedState, isFinal, runningMs } from './taskState';
import type { TaskTable } from './taskTable';
import type { TaskProgress, TaskState } from './types';

const FAILURE_TAIL_LINES = 10;

/** The marker of one task's processes: random, so unique across windows and machines (unlike the 6-hex id). */
export function newToken(): string {
  return randomHex(16);
}

export class Dispatcher {
  private readonly runner: Runner;
  /** Tasks handed to the runner and not yet ended (including ones still starting). */
  private readonly active = new Set<string>();
  private readonly killed = new Set<string>();
  /** Cancels asked for while the launcher was starting the task: carried out once it runs. */
  private readonly cancelOnStart = new Map<string, string>();
  /** The queue: enqueue, block, reorder, pause (see queueRunner.ts). */
  readonly queue: QueueRunner;
  private readonly progress: ProgressTracker;
  private readonly timeouts = new TimeoutTimers((id) => this.timeOut(id));
  /** pauseTask / resumeTask. */
  readonly pausing: PauseControl;
  private disposed = false;

  constructor(
    private readonly table: TaskTable,
    private readonly store: TaskStore,
    private readonly settings: EngineSettings,
    pollMs: number,
    /** Called after each task ends (the engine applies the history limit). */
    private readonly afterFinish: () => void,
    /** The queue was left paused. */
    queuePaused = false,
  ) {
    this.queue = new QueueRunner(
      settings,
      {
        active: this.active,
        lookup: (id) => this.table.tasks.get(id),
        start: (t) => this.start(t),
        finish: (t, state) => this.finish(t, state),
        changed: (t) => {
          this.store.writer.saveSoon(t);
          this.table.touch(t);
        },
      },
      queuePaused,
    );
    this.runner = new Runner(
      {
        started: (id, pid, startTime) => this.onStarted(id, pid, startTime),
        ended: (id, end) => this.onProcessEnd(id, end),
        warn: (message) => this.settings.log(message),
      },
      pollMs,
    );
    this.pausing = new PauseControl(this.table, this.store, this.runner, this.timeouts);
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
   * Pending: never started. Running: SIGTERM to its process group, SIGKILL after the grace period.
   * `promised`: a cancel already answered "it will be stopped as soon as it runs"; when its
   * record cannot be saved first (read-only storage), it is saved later and the task stopped anyway.
   */
  cancel(id: string, reason: string, promised = false): { ok: boolean; message: string } {
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
      if (!promised) {
        t.state = s; // the call failed as a whole: nothing was asked of the process
        throw err;
      }
      this.settings.log(`Background Tasks: could not save task ${id} before stopping it: ${String(err)}`);
      this.store.writer.saveSoon(t);
    }
    this.table.touch(t);
    this.timeouts.disarm(id);
    if (!this.runner.stop(id, this.settings.graceMs, () => this.killed.add(id), s.pausedAt !== undefined)) {
      // Its process is already gone; the runner reports the end shortly.
      return { ok: true, message: `Task ${id} is ending.` };
    }
    return { ok: true, message: `Stopping task ${id}: SIGTERM sent, SIGKILL after ${this.settings.graceMs} ms.` };
  }

  /** A task handed to the runner whose start has not been heard yet. */
  isStarting(id: string): boolean {
    return this.active.has(id) && this.table.tasks.get(id)?.state.status === 'pending';
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
    this.queue.dispose();
    this.timeouts.dispose();
    this.runner.dispose();
  }

  /** Runs the queue soon (a new task, a new limit, an ended task). */
  requestSchedule(): void {
    this.queue.requestSchedule();
  }

  private start(t: TaskRecord): void {
    const input = startInput(t, this.store);
    if ('error' in input) {
      fs.appendFileSync(this.store.logPath(t.id), `${input.error}\n`, { mode: 0o600 });
      return this.finish(t, { status: 'failed', endedAt: Date.now(), error: input.error });
    }
    const stdinPath = input.stdinPath;
    const dir = this.store.attemptDir(t.id, attemptOf(t));
    if (attemptOf(t) > 1) {
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      } catch {
        // A folder that refuses it (read-only) does not stop the attempt, as it does not stop a
        // first one: the wrapper runs without its pid and exit files, and the runner still hears its end.
      }
    }
    t.token ??= newToken();
    this.active.add(t.id);
    this.runner.start({
      id: t.id,
      dir,
      logPath: this.store.logPath(t.id),
      shell: this.settings.shell,
      command: t.command,
      cwd: t.cwd,
      env: this.settings.taskEnvironment(t.env),
      token: t.token,
      stdinPath,
      niceness: this.settings.niceness,
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
    else if (s.status === 'running') t.state = { ...s, pid, ...pidStartTime };
    else return;
    this.timeouts.arm(t);
    if (s.status === 'pending') this.progress.watch(id, this.store.logPath(id));
    // Not written: the wrapper's pid file, its first act, already tells a later engine that the
    // task started, with its pid (adoptStarted), so task.json is written when the task is queued
    // and when it ends (and with a cancel or progress), two writes a task instead of three.
    this.table.touch(t);
    const reason = this.cancelOnStart.get(id);
    // Cleared, not deleted: a delete turns the record into a dictionary (slower, larger).
    if (t.cancelAsked !== undefined) t.cancelAsked = undefined;
    if (reason !== undefined) {
      this.cancelOnStart.delete(id);
      this.cancel(id, reason, true);
    }
  }

  /** Watches again a task found running in the history (and finishes a cancel an earlier engine began). */
  watchRestored(t: TaskRecord, pid: number, startTime: string | undefined): void {
    this.active.add(t.id);
    this.progress.watch(t.id, this.store.logPath(t.id));
    this.runner.watch(t.id, pid, startTime, t.token);
    const s = t.state;
    const stopping = s.status === 'running' ? (s.cancelling ?? s.timingOut) : undefined;
    if (s.status === 'running' && stopping) {
      // Cancelled or timed out by an engine that went away during the grace period: finish the job.
      this.runner.stop(t.id, Math.max(0, stopping.at + this.settings.graceMs - Date.now()), () => this.killed.add(t.id), s.pausedAt !== undefined);
    } else {
      // Its deadline is kept: the running time so far counts (its start is on disk).
      this.timeouts.arm(t);
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
      const exit = end.exitCode !== undefined && !s.cancelling && !s.timingOut ? undefined : this.store.readExit(id, attemptOf(t));
      this.ended(t, endedState(s, exit, end, this.killed.has(id), t.timeoutSeconds));
    }
  }

  /** An attempt ended: a failure with attempts left queues the next one, anything else ends the task. */
  ended(t: TaskRecord, state: TaskState): void {
    if (retries(t, state)) this.retry(t, state);
    else this.finish(t, state);
  }

  /**
   * Queues the task's next attempt, as the same task: pending again (until its retry delay is
   * over, if it has one), its log going on after a separator line. No finish event, no message:
   * those are for the final outcome.
   */
  private retry(t: TaskRecord, failed: TaskState): void {
    this.forgetAttempt(t.id);
    nextAttempt(t, failed, this.store, this.settings.log, newToken());
    this.table.touch(t);
    this.queue.enqueue(t);
  }

  /** Its timeout was reached: stopped as a cancel stops it, to end failed, "timed out after 30s". */
  private timeOut(id: string): void {
    const t = this.table.tasks.get(id);
    const s = t?.state;
    if (!t || this.disposed || s?.status !== 'running' || s.cancelling || s.timingOut || s.pausedAt !== undefined) return;
    const now = Date.now();
    if (runningMs(s, now) < (t.timeoutSeconds ?? 0) * 1000) {
      this.timeouts.arm(t, now);
      return;
    }
    t.state = { ...s, timingOut: { at: now } };
    try {
      // On disk before any signal, so an engine built after this one still records the timeout.
      this.store.writer.save(t);
    } catch (err) {
      this.settings.log(`Background Tasks: could not save task ${id} before stopping it at its timeout: ${String(err)}`);
      this.store.writer.saveSoon(t);
    }
    this.table.touch(t);
    this.runner.stop(id, this.settings.graceMs, () => this.killed.add(id));
  }

  /** What the dispatcher holds for one attempt of a task. */
  private forgetAttempt(id: string): void {
    this.active.delete(id);
    this.killed.delete(id);
    this.cancelOnStart.delete(id);
    this.progress.forget(id);
    this.timeouts.disarm(id);
  }

  /** The one way a task ends: state, message, save, events (exactly one finish event). */
  finish(t: TaskRecord, state: TaskState): void {
    if (isFinal(t.state.status)) return;
    t.state = state;
    if (t.progress !== undefined) t.progress = undefined;
    this.forgetAttempt(t.id);
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
    else if (t.progress !== undefined) t.progress = undefined;
    this.progress.markDirty(t.id);
    this.table.touch(t);
  }
}
