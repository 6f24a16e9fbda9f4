// Which pending task starts when: the ReadyQueue in queue order, dependencies checked, delayed
// tasks woken by a timer at their start time, the queue paused or not, and the limits (global,
// and per lane) counted over the tasks handed to the runner. Starts of one turn share a time
// budget. The dispatcher owns one and is told, through the hooks, what to start and what to end.
import type { EngineSettings } from './engineSettings';
import { ReadyQueue } from './readyQueue';
import { dependencyVerdict, TurnBudget } from './scheduler';
import type { TaskRecord } from './taskRecord';
import type { TaskState } from './types';

/** Starting a process costs a few ms of this thread; more starts than fit wait for the next turn. */
const START_BUDGET_MS = 4;
/** setTimeout's longest delay; a later start time is looked at again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface QueueRunnerHooks {
  /** Tasks handed to the runner and not yet ended (including ones still starting). */
  readonly active: ReadonlySet<string>;
  lookup(id: string): TaskRecord | undefined;
  start(t: TaskRecord): void;
  /** A pending task that can no longer run (a dependency failed or was cancelled). */
  finish(t: TaskRecord, state: TaskState): void;
  /** A pending task's state changed (what it waits for): save and tell. */
  changed(t: TaskRecord): void;
}

export class QueueRunner {
  private readonly queue = new ReadyQueue();
  private readonly budget = new TurnBudget(START_BUDGET_MS, () => this.schedule());
  private scheduleQueued = false;
  /** Wakes the queue when the earliest delayed task may start. */
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private disposed = false;

  constructor(
    private readonly settings: EngineSettings,
    private readonly hooks: QueueRunnerHooks,
    /** Pending tasks wait (verbose ones still start at once); running ones go on. */
    private queuePaused: boolean,
  ) {}

  get paused(): boolean {
    return this.queuePaused;
  }

  setPaused(paused: boolean): void {
    this.queuePaused = paused;
    this.requestSchedule();
  }

  /** A new pending task, one found pending in the history, or one queued for its next attempt. */
  enqueue(t: TaskRecord): void {
    this.queue.add(t);
    this.requestSchedule();
  }

  /** A pending task has more inputs to wait for. */
  block(t: TaskRecord): void {
    this.queue.block(t);
    this.requestSchedule();
  }

  /** A pending task's priority or position changed (or, with no task, many positions did). */
  reordered(t?: TaskRecord): void {
    if (t) this.queue.reorder(t);
    else this.queue.resort();
    this.requestSchedule();
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

  dispose(): void {
    this.disposed = true;
    this.budget.dispose();
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
  }

  private schedule(): void {
    if (this.disposed) return;
    const now = Date.now();
    this.checkBlocked(now);
    this.armWake(this.queue.wake(now));
    const { active, lookup } = this.hooks;
    let inLimit = 0;
    const inLane = new Map<string, number>();
    const count = (t: TaskRecord | undefined): void => {
      if (t?.mode !== 'verbose') inLimit++;
      if (t?.lane !== undefined) inLane.set(t.lane, (inLane.get(t.lane) ?? 0) + 1);
    };
    for (const id of active) count(lookup(id));
    const laneHasRoom = (lane: string): boolean => (inLane.get(lane) ?? 0) < this.settings.laneLimit(lane);
    const slotFree = (): boolean => !this.queuePaused && inLimit < this.settings.maxConcurrent;
    for (let t = this.queue.next(slotFree(), laneHasRoom); t; t = this.queue.next(slotFree(), laneHasRoom)) {
      if (t.state.status === 'pending' && !active.has(t.id)) {
        if (!this.budget.allows()) return;
        count(t);
        this.queue.shift(t);
        this.hooks.start(t);
      } else {
        this.queue.shift(t);
      }
    }
  }

  /** Tasks waiting for their inputs: ready, still waiting (for fewer), or cancelled by one that failed. */
  private checkBlocked(now: number): void {
    for (const t of [...this.queue.blocked]) {
      if (t.state.status !== 'pending') {
        this.queue.blocked.delete(t);
        continue;
      }
      const verdict = dependencyVerdict(t, this.hooks.lookup);
      if (verdict.kind === 'cancel') {
        this.queue.blocked.delete(t);
        this.hooks.finish(t, { status: 'cancelled', reason: verdict.reason, endedAt: Date.now() });
      } else if (verdict.kind === 'ready') {
        this.queue.makeReady(t, now);
      } else if (String(verdict.waitingFor) !== String(t.state.waitingFor ?? [])) {
        t.state = { ...t.state, waitingFor: verdict.waitingFor };
        this.hooks.changed(t);
      }
    }
  }

  /** Runs the queue when the earliest delayed task may start (a timer, kept until then). */
  private armWake(at: number | undefined): void {
    if (at === this.wakeAt) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.wakeAt = at;
    if (at === undefined) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = undefined;
      this.requestSchedule();
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
  }
}
