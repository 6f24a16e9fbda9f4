// Attempts of a task with retries, and the timeout of each: whether a failed attempt runs
// again, the separator line between attempts in the one log, and the timers that end an
// attempt at its limit (running time only: a paused attempt's clock stops).
import * as fs from 'node:fs';
import { resultOf } from './format';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import { runningMs } from './taskState';
import type { TaskState } from './types';

/** setTimeout's longest delay; a later deadline is checked again when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function attemptOf(t: TaskRecord): number {
  return t.attempt ?? 1;
}

export function attemptsOf(t: TaskRecord): number {
  return (t.retries ?? 0) + 1;
}

/**
 * Whether an attempt that ended in `state` is followed by another: a failure of a command that
 * ran (non-zero exit, signal, timeout, lost), never a cancel nor a start that failed, while
 * attempts are left.
 */
export function retries(t: TaskRecord, state: TaskState): boolean {
  return state.status === 'failed' && state.startedAt !== undefined && attemptOf(t) < attemptsOf(t);
}

/** `--- attempt 2 of 3 (exit code 1) ---`: what the log shows before the next attempt's output. */
export function separatorLine(next: number, attempts: number, ended: TaskState): string {
  return `--- attempt ${next} of ${attempts} (${resultOf({ state: ended }) ?? ended.status}) ---`;
}

/** Appends a line to a log, on a line of its own even if the last output did not end its line. */
export function appendLine(logPath: string, line: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(logPath, 'a+', 0o600);
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const newline = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a ? '\n' : '';
    fs.writeSync(fd, `${newline}${line}\n`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Makes the record its next attempt, as the same task: pending again (until its retry delay is
 * over, if it has one), a separator line in its log, a marker of its own (the SIGKILL sweep that
 * ends a stopped attempt's leftovers after the grace period must not reach the next attempt),
 * saved before it can start, so a later engine starts that attempt, once. No finish event, no
 * message: those are for the final outcome.
 */
export function nextAttempt(t: TaskRecord, failed: TaskState, store: TaskStore, warn: (message: string) => void, token: string): void {
  const now = Date.now();
  const next = attemptOf(t) + 1;
  try {
    appendLine(store.logPath(t.id), separatorLine(next, attemptsOf(t), failed));
  } catch (err) {
    warn(`Background Tasks: could not write to the log of task ${t.id}: ${String(err)}`);
  }
  if (t.progress !== undefined) t.progress = undefined;
  t.attempt = next;
  t.token = token;
  const delayMs = (t.retryDelaySeconds ?? 0) * 1000;
  t.state = { status: 'pending', enqueuedAt: now, ...(delayMs > 0 ? { startAt: now + delayMs } : {}) };
  try {
    store.writer.save(t);
  } catch {
    store.writer.saveSoon(t);
  }
}

/** One timer per running attempt with a timeout; `due` runs once its running time reaches the limit. */
export class TimeoutTimers {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly due: (id: string) => void) {}

  /** (Re)starts the timer of a running, unpaused task with a timeout; otherwise stops it. */
  arm(t: TaskRecord, now = Date.now()): void {
    this.disarm(t.id);
    const s = t.state;
    const limit = t.timeoutSeconds ?? 0;
    if (s.status !== 'running' || limit <= 0 || s.pausedAt !== undefined || s.cancelling || s.timingOut) return;
    const left = limit * 1000 - runningMs(s, now);
    const timer = setTimeout(() => {
      this.timers.delete(t.id);
      if (left > MAX_TIMER_MS) this.arm(t);
      else this.due(t.id);
    }, Math.min(MAX_TIMER_MS, Math.max(0, left)));
    // The task's own process (or its polling) keeps a plain Node caller alive, not this timer.
    timer.unref();
    this.timers.set(t.id, timer);
  }

  disarm(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
