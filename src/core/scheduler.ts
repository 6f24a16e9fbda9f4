// Queue decisions, kept free of processes and storage so they can be read (and tested) alone:
// what a pending task's dependencies say, and how many starts fit in one turn of the event loop
// (which task starts next is the ReadyQueue's, readyQueue.ts).
import type { TaskRecord } from './store';

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
 * Starting a process costs the event loop a few ms (more on a busy machine), so the starts
 * of one turn of the loop, however many schedule() calls it holds (one per child that
 * ended), share a budget; past it, `resume` runs in the next turn.
 */
export class TurnBudget {
  private windowEnd: number | undefined;
  private closer: NodeJS.Immediate | undefined;
  private resumer: NodeJS.Immediate | undefined;

  constructor(
    private readonly budgetMs: number,
    private readonly resume: () => void,
  ) {}

  /** Whether one more start fits in this turn (the first of a turn always does). */
  allows(): boolean {
    if (this.resumer) return false;
    const now = performance.now();
    if (this.windowEnd === undefined) {
      this.windowEnd = now + this.budgetMs;
      this.closer = setImmediate(() => {
        this.closer = undefined;
        this.windowEnd = undefined;
      });
      return true;
    }
    if (now <= this.windowEnd) return true;
    this.resumer = setImmediate(() => {
      this.resumer = undefined;
      this.resume();
    });
    return false;
  }

  dispose(): void {
    if (this.closer) clearImmediate(this.closer);
    if (this.resumer) clearImmediate(this.resumer);
  }
}
