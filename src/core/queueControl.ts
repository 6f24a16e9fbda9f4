// The person's hand on the queue: pausing and resuming it (kept in queue.json, so a reload
// finds it as it was left), and reordering it (runNext, moveTask: priority and position, kept
// in each task's task.json). The engine owns one; the dispatcher carries out what it decides.
import type { Dispatcher } from './dispatcher';
import { Emitter } from './events';
import { compareQueue, placeAround, placeFirst, type MoveTarget } from './queueOrder';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import type { TaskTable } from './taskTable';
import type { Disposable, Listener, TaskSnapshot } from './types';
import { TaskOptionsError } from './optionsError';

export class QueueControl implements Disposable {
  private readonly changed = new Emitter<void>();

  constructor(
    private readonly table: TaskTable,
    private readonly store: TaskStore,
    private readonly dispatcher: Dispatcher,
    /** Above every position in use and below any task still to come: the next seq. */
    private readonly nextSeq: () => number,
  ) {}

  /** Fires on a pause or resume of the queue and on a reorder. */
  onDidChange(listener: Listener<void>): Disposable {
    return this.changed.event(listener);
  }

  isPaused(): boolean {
    return this.dispatcher.queue.paused;
  }

  /** Pauses or resumes the queue; throws (changing nothing) when queue.json cannot be written. */
  setPaused(paused: boolean): void {
    if (paused === this.dispatcher.queue.paused) return;
    this.store.writeQueuePaused(paused);
    this.dispatcher.queue.setPaused(paused);
    this.changed.fire();
  }

  /** Pending tasks in start order: verbose ones (they start at once), then priority, then position. */
  pending(): TaskRecord[] {
    const list = [...this.table.tasks.values()].filter((t) => t.state.status === 'pending');
    return list.sort((a, b) => Number(b.mode === 'verbose') - Number(a.mode === 'verbose') || compareQueue(a, b));
  }

  getQueue(): TaskSnapshot[] {
    return this.pending().map((t) => this.table.snapshot(t));
  }

  /** The highest priority present and the first place; false when it is not waiting in the queue. */
  runNext(id: string): boolean {
    const t = this.movable(id);
    if (!t) return false;
    const { priority, pos } = placeFirst(t, this.pending());
    this.place(t, priority, pos);
    this.dispatcher.queue.reordered(t);
    this.changed.fire();
    return true;
  }

  /** Drag and drop: the priority of the task it lands before (or after, at the end) and that position. */
  moveTask(id: string, target: MoveTarget): boolean {
    const t = this.movable(id);
    const side = isBefore(target) ? 'before' : 'after';
    const targetId = isBefore(target) ? target.before : (target as { after: string }).after;
    if (typeof targetId !== 'string') throw new TaskOptionsError('target', 'moveTask needs { before: id } or { after: id }.');
    const other = this.table.tasks.get(targetId);
    if (!t || !other || other === t || other.state.status !== 'pending') return false;
    const placement = placeAround(t, other, side, this.pending(), this.nextSeq());
    for (const r of placement.renumbered) {
      r.task.queuePos = r.pos;
      this.store.writer.saveSoon(r.task);
    }
    this.place(t, placement.priority, placement.pos);
    this.dispatcher.queue.reordered(placement.renumbered.length > 0 ? undefined : t);
    this.changed.fire();
    return true;
  }

  dispose(): void {
    this.changed.dispose();
  }

  /** A task waiting in the queue (not yet handed to the runner). */
  private movable(id: string): TaskRecord | undefined {
    const t = this.table.tasks.get(id);
    return t && t.state.status === 'pending' && !this.dispatcher.isStarting(id) ? t : undefined;
  }

  private place(t: TaskRecord, priority: TaskRecord['priority'], pos: number): void {
    t.priority = priority;
    t.queuePos = pos;
    this.store.writer.saveSoon(t);
    this.table.touch(t);
  }
}

function isBefore(target: MoveTarget): target is { before: string } {
  return typeof target === 'object' && target !== null && 'before' in target;
}
