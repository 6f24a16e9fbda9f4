// Queue decisions, kept free of processes and storage so they can be read (and tested) alone:
// which pending tasks may start, and what their dependencies say.
import type { TaskRecord } from './store';
import type { TaskPriority } from './types';

const RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** Queue order: higher priority first, then arrival order. */
export function queueOrder(a: TaskRecord, b: TaskRecord): number {
  return RANK[a.priority] - RANK[b.priority] || a.seq - b.seq;
}

export type DependencyVerdict =
  | { kind: 'ready' }
  | { kind: 'waiting'; waitingFor: string[] }
  | { kind: 'cancel'; reason: string };

/**
 * What a pending task's dependencies allow. Every dependsOn task must complete; a failed or
 * cancelled one cancels this task. The stdinFrom task must end with its output whole: a
 * failed source still feeds its output, a cancelled one cancels this task. A dependency no
 * longer known was removed after it ended, which only happens once it let this task go.
 */
export function dependencyVerdict(task: TaskRecord, lookup: (id: string) => TaskRecord | undefined): DependencyVerdict {
  const waitingFor: string[] = [];
  const ids = task.stdinFrom !== undefined && !task.dependsOn.includes(task.stdinFrom) ? [...task.dependsOn, task.stdinFrom] : task.dependsOn;
  for (const id of ids) {
    const dep = lookup(id);
    if (!dep) continue;
    const isInput = id === task.stdinFrom && !task.dependsOn.includes(id);
    switch (dep.state.status) {
      case 'completed':
        break;
      case 'failed':
        if (!isInput) return { kind: 'cancel', reason: `dependency ${id} failed` };
        break;
      case 'cancelled':
        return { kind: 'cancel', reason: `${isInput ? 'input task' : 'dependency'} ${id} was cancelled` };
      default:
        waitingFor.push(id);
    }
  }
  return waitingFor.length > 0 ? { kind: 'waiting', waitingFor } : { kind: 'ready' };
}

/**
 * Which of the ready tasks to start now: every verbose one (they run outside the limit, as
 * the seed's synchronous mode does), then queued ones in order while fewer than `limit` run.
 */
export function pickStartable(ready: TaskRecord[], runningInLimit: number, limit: number): TaskRecord[] {
  const out = ready.filter((t) => t.mode === 'verbose');
  let free = limit - runningInLimit;
  if (free <= 0) return out;
  const queued = ready.filter((t) => t.mode !== 'verbose').sort(queueOrder);
  for (const t of queued) {
    if (free-- <= 0) break;
    out.push(t);
  }
  return out;
}
