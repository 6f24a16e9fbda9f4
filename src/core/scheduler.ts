// Queue decisions, kept free of processes and storage so they can be read (and tested) alone:
// which pending task starts next (priority, then arrival), what its dependencies say, and how
// many starts fit in one turn of the event loop.
import type { TaskRecord } from './store';
import type { TaskPriority } from './types';

const RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

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

function hasInputs(t: TaskRecord): boolean {
  return t.dependsOn.length > 0 || t.stdinFrom !== undefined;
}

/**
 * The pending tasks in queue order, without a scan or a sort per decision: one FIFO per
 * priority (kept in arrival order), verbose tasks apart (they run outside the limit), and
 * the tasks whose inputs have not all ended in `blocked` until the engine finds them ready.
 * A task that stops being pending (cancelled) is dropped when it comes to the front.
 */
export class ReadyQueue {
  private readonly buckets: TaskRecord[][] = [[], [], [], []];
  private readonly verbose: TaskRecord[] = [];
  readonly blocked = new Set<TaskRecord>();

  /** A new pending task, or one found pending by open(). */
  add(t: TaskRecord): void {
    if (hasInputs(t)) this.blocked.add(t);
    else this.makeReady(t);
  }

  /** Its inputs have all ended well: it may start once its turn comes. */
  makeReady(t: TaskRecord): void {
    this.blocked.delete(t);
    const list = t.mode === 'verbose' ? this.verbose : this.buckets[RANK[t.priority]];
    let i = list.length;
    while (i > 0 && list[i - 1].seq > t.seq) i--;
    list.splice(i, 0, t);
  }

  /** It has more inputs to wait for (addDependencies). */
  block(t: TaskRecord): void {
    for (const list of [this.verbose, ...this.buckets]) {
      const i = list.indexOf(t);
      if (i >= 0) list.splice(i, 1);
    }
    this.blocked.add(t);
  }

  /** The next task to start: a verbose one, else (if a slot is free) the first queued one. */
  peek(slotFree: boolean): TaskRecord | undefined {
    if (this.verbose.length > 0) return this.verbose[0];
    if (!slotFree) return undefined;
    for (const list of this.buckets) if (list.length > 0) return list[0];
    return undefined;
  }

  /** Takes the task peek() returned off the queue. */
  shift(t: TaskRecord): void {
    const list = t.mode === 'verbose' ? this.verbose : this.buckets[RANK[t.priority]];
    if (list[0] === t) list.shift();
  }
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
