// The pending tasks in queue order, without a scan or a sort per decision: one list per lane
// (no lane is the lane ''), each in queue order (priority, then position), verbose tasks apart
// (they start at once), tasks whose inputs have not all ended in `blocked` until the dispatcher
// finds them ready, and tasks whose start time has not come in `delayed`, earliest first.
// A lane whose slots are all taken does not hold up the lanes behind it: the next task is the
// first head among the lanes that have room. A task that stops being pending (cancelled) is
// dropped when it comes to the front.
import { compareQueue } from './queueOrder';
import type { TaskRecord } from './taskRecord';

function hasInputs(t: TaskRecord): boolean {
  return t.dependsOn.length > 0 || t.stdinFrom !== undefined;
}

/** The start time a pending task waits for, if any. */
export function startAtOf(t: TaskRecord): number | undefined {
  return t.state.status === 'pending' ? t.state.startAt : undefined;
}

function insertSorted<T>(list: T[], item: T, before: (a: T, b: T) => boolean): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(item, list[mid])) hi = mid;
    else lo = mid + 1;
  }
  list.splice(lo, 0, item);
}

function removeFrom<T>(list: T[], item: T): boolean {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
  return i >= 0;
}

export class ReadyQueue {
  private readonly lanes = new Map<string, TaskRecord[]>();
  private readonly verbose: TaskRecord[] = [];
  private readonly delayed: TaskRecord[] = [];
  readonly blocked = new Set<TaskRecord>();

  /** A new pending task, one found pending by open(), or a failed one queued for its next attempt. */
  add(t: TaskRecord, now = Date.now()): void {
    if (hasInputs(t)) this.blocked.add(t);
    else this.makeReady(t, now);
  }

  /** Its inputs have all ended well: it may start once its time and its turn come. */
  makeReady(t: TaskRecord, now = Date.now()): void {
    this.blocked.delete(t);
    const at = startAtOf(t);
    if (at !== undefined && at > now) insertSorted(this.delayed, t, (a, b) => startAtOf(a)! < startAtOf(b)!);
    else this.enlist(t);
  }

  /** Moves the tasks whose start time has come into the queue; returns the next start time still to come. */
  wake(now = Date.now()): number | undefined {
    while (this.delayed.length > 0) {
      const t = this.delayed[0];
      const at = startAtOf(t);
      if (t.state.status !== 'pending') {
        this.delayed.shift();
      } else if (at === undefined || at <= now) {
        this.delayed.shift();
        this.enlist(t);
      } else {
        return at;
      }
    }
    return undefined;
  }

  /** It has more inputs to wait for (addDependencies). */
  block(t: TaskRecord): void {
    this.remove(t);
    this.blocked.add(t);
  }

  /** Its priority or position changed (runNext, moveTask): it takes its new place. */
  reorder(t: TaskRecord): void {
    if (this.blocked.has(t) || this.delayed.includes(t)) return;
    if (this.remove(t)) this.enlist(t);
  }

  /** Positions of many tasks changed at once: every list is sorted again. */
  resort(): void {
    for (const list of this.lanes.values()) list.sort(compareQueue);
  }

  /**
   * The next task to start: a verbose one; else, if a slot is free, the first in queue order
   * among the heads of the lanes that have room (no lane always has).
   */
  next(slotFree: boolean, laneHasRoom: (lane: string) => boolean): TaskRecord | undefined {
    while (this.verbose.length > 0 && this.verbose[0].state.status !== 'pending') this.verbose.shift();
    if (this.verbose.length > 0) return this.verbose[0];
    if (!slotFree) return undefined;
    let best: TaskRecord | undefined;
    for (const [lane, list] of this.lanes) {
      while (list.length > 0 && list[0].state.status !== 'pending') list.shift();
      if (list.length === 0 || (lane !== '' && !laneHasRoom(lane))) continue;
      if (best === undefined || compareQueue(list[0], best) < 0) best = list[0];
    }
    return best;
  }

  /** Takes the task next() returned off the queue. */
  shift(t: TaskRecord): void {
    const list = t.mode === 'verbose' ? this.verbose : this.lanes.get(t.lane ?? '');
    if (list?.[0] === t) list.shift();
    else if (list) removeFrom(list, t);
  }

  private enlist(t: TaskRecord): void {
    if (t.mode === 'verbose') {
      this.verbose.push(t);
      return;
    }
    const key = t.lane ?? '';
    let list = this.lanes.get(key);
    if (!list) this.lanes.set(key, (list = []));
    insertSorted(list, t, (a, b) => compareQueue(a, b) < 0);
  }

  private remove(t: TaskRecord): boolean {
    let found = removeFrom(this.verbose, t) || removeFrom(this.delayed, t);
    for (const list of this.lanes.values()) found = removeFrom(list, t) || found;
    return found;
  }
}
