// The queue's order (priority, then position) and the positions runNext and moveTask give a
// task. A position is a number kept with the task (queuePos, its seq until it is moved), so the
// order survives a reload; a moved task takes a position between its new neighbours.
import type { TaskRecord } from './taskRecord';
import type { TaskPriority } from './types';

export const PRIORITY_RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

export function queuePos(t: TaskRecord): number {
  return t.queuePos ?? t.seq;
}

/** Queue order: priority, then position, then arrival. */
export function compareQueue(a: TaskRecord, b: TaskRecord): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || queuePos(a) - queuePos(b) || a.seq - b.seq;
}

export type MoveTarget = { before: string } | { after: string };

/** What a move changes: the task's priority and position, and the positions of tasks renumbered to make room. */
export interface Placement {
  priority: TaskPriority;
  pos: number;
  renumbered: { task: TaskRecord; pos: number }[];
}

/**
 * Where `task` goes when dropped before or after `target` among `pending` (in queue order):
 * the target's priority, and a position between its neighbours of that priority. `limit` is
 * above every position in use and below any task still to come (the next seq).
 */
export function placeAround(task: TaskRecord, target: TaskRecord, side: 'before' | 'after', pending: readonly TaskRecord[], limit: number): Placement {
  const others = pending.filter((t) => t !== task);
  const i = others.indexOf(target);
  const neighbour = side === 'before' ? others[i - 1] : others[i + 1];
  const sameRank = neighbour !== undefined && neighbour.priority === target.priority ? neighbour : undefined;
  const [lo, hi] =
    side === 'before'
      ? [sameRank ? queuePos(sameRank) : queuePos(target) - 2, queuePos(target)]
      : [queuePos(target), sameRank ? queuePos(sameRank) : Math.max(limit, queuePos(target) + 2)];
  const mid = (lo + hi) / 2;
  if (lo < mid && mid < hi) return { priority: target.priority, pos: mid, renumbered: [] };
  // The gap is used up (many moves to one spot): the queue is numbered again, 1 apart, order kept.
  const renumbered = others.map((t, k) => ({ task: t, pos: limit - 2 * (others.length - k) }));
  const at = renumbered.findIndex((r) => r.task === target);
  const pos = renumbered[at].pos + (side === 'before' ? -1 : 1);
  return { priority: target.priority, pos, renumbered };
}

/** First place: the highest priority present among `pending`, and a position before all of them. */
export function placeFirst(task: TaskRecord, pending: readonly TaskRecord[]): { priority: TaskPriority; pos: number } {
  let priority = task.priority;
  let pos = queuePos(task);
  for (const t of pending) {
    if (t === task) continue;
    if (PRIORITY_RANK[t.priority] < PRIORITY_RANK[priority]) priority = t.priority;
    pos = Math.min(pos, queuePos(t) - 1);
  }
  return { priority, pos };
}
