// What the control endpoint and the agent tools may do with tasks, in one interface: the
// engine behind it in the extension host, the socket behind it in `bgt mcp`. Writes (run,
// cancel, rerun, clear, pause, resume) are refused in Restricted Mode; reads (export too) always work.
import type { TaskEngine } from '../core/engine';
import type { SpawnOptions, TaskSnapshot, TaskStatistics, TaskStatus } from '../core/types';
import { isEnded, type ActionResult, type ExportFormat } from './protocol';

export const UNTRUSTED_REFUSAL =
  'This workspace is in Restricted Mode, so Background Tasks runs and stops nothing here. ' +
  'Trust the workspace in VS Code (Manage Workspace Trust) to run tasks; listing, output and waiting still work.';

/** Why a call failed, in a form every surface can map: an RPC error code, an exit code, a tool text. */
export class AccessError extends Error {
  constructor(
    readonly kind: 'unknownTask' | 'untrusted' | 'invalid',
    message: string,
    /** For 'invalid': the input field that was wrong. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export interface TaskAccess {
  run(options: SpawnOptions): Promise<string>;
  get(id: string): Promise<TaskSnapshot | undefined>;
  list(status?: TaskStatus[]): Promise<TaskSnapshot[]>;
  tail(id: string, lines: number): Promise<string[]>;
  /** The ended task, or the current snapshot with `timedOut` when `ms` ran out first. */
  wait(id: string, ms: number): Promise<{ task: TaskSnapshot; timedOut: boolean }>;
  cancel(id: string, reason: string): Promise<{ ok: boolean; message: string }>;
  rerun(id: string): Promise<string>;
  clear(): Promise<number>;
  stats(): Promise<TaskStatistics>;
  /** Pending tasks wait, running ones go on; ok is false when the queue was already paused. */
  pauseQueue(): Promise<ActionResult>;
  resumeQueue(): Promise<ActionResult>;
  /** SIGSTOP to a running task's processes; ok is false (with the reason) when there is nothing to pause. */
  pauseTask(id: string): Promise<ActionResult>;
  resumeTask(id: string): Promise<ActionResult>;
  exportHistory(format: ExportFormat): Promise<string>;
}

/** The engine's public methods this layer uses (a new engine keeps these names). */
export type EngineLike = Pick<
  TaskEngine,
  | 'spawnTask'
  | 'getTask'
  | 'getAllTasks'
  | 'cancelTask'
  | 'rerunTask'
  | 'clearFinished'
  | 'getStatistics'
  | 'readTail'
  | 'readOutput'
  | 'onDidChangeTask'
  | 'onDidFinishTask'
  | 'ready'
  | 'pauseQueue'
  | 'resumeQueue'
  | 'isQueuePaused'
  | 'pauseTask'
  | 'resumeTask'
  | 'exportHistory'
>;

/** Resolves with the task once it has ended, or undefined after `ms` (or when `signal` aborts). */
export function waitForEnd(engine: EngineLike, id: string, ms: number, signal?: AbortSignal): Promise<TaskSnapshot | undefined> {
  const now = engine.getTask(id);
  if (!now || isEnded(now)) return Promise.resolve(now);
  return new Promise((resolve) => {
    const finish = (task: TaskSnapshot | undefined): void => {
      clearTimeout(timer);
      sub.dispose();
      signal?.removeEventListener('abort', onAbort);
      resolve(task);
    };
    const onAbort = (): void => finish(undefined);
    const sub = engine.onDidFinishTask((t) => {
      if (t.id === id) finish(t);
    });
    const timer = setTimeout(() => finish(undefined), Math.max(0, ms));
    signal?.addEventListener('abort', onAbort);
  });
}

function toAccessError(err: unknown): unknown {
  if (err instanceof Error && err.name === 'TaskOptionsError') {
    const field = (err as Error & { field?: string }).field;
    const unknown = (field === 'dependsOn' || field === 'stdinFrom' || field === 'id') && /^No task/.test(err.message);
    return new AccessError(unknown ? 'unknownTask' : 'invalid', err.message, field);
  }
  return err;
}

export function engineAccess(engine: EngineLike, isTrusted: () => boolean): TaskAccess {
  const mustTrust = (): void => {
    if (!isTrusted()) throw new AccessError('untrusted', UNTRUSTED_REFUSAL);
  };
  const known = (id: string): TaskSnapshot => {
    const task = typeof id === 'string' ? engine.getTask(id) : undefined;
    if (!task) throw new AccessError('unknownTask', `No task with id "${String(id)}". List the tasks to see their ids.`, 'id');
    return task;
  };
  return {
    run: async (options) => {
      mustTrust();
      try {
        return engine.spawnTask(options);
      } catch (err) {
        throw toAccessError(err);
      }
    },
    get: async (id) => engine.getTask(id),
    list: async (status) => engine.getAllTasks(status ? { status } : undefined),
    tail: async (id, lines) => {
      known(id);
      return engine.readTail(id, lines);
    },
    wait: async (id, ms) => {
      const before = known(id);
      const ended = await waitForEnd(engine, id, ms);
      return ended ? { task: ended, timedOut: false } : { task: engine.getTask(id) ?? before, timedOut: true };
    },
    cancel: async (id, reason) => {
      mustTrust();
      known(id);
      return engine.cancelTask(id, reason);
    },
    rerun: async (id) => {
      mustTrust();
      known(id);
      try {
        return engine.rerunTask(id);
      } catch (err) {
        throw toAccessError(err);
      }
    },
    clear: async () => {
      mustTrust();
      return engine.clearFinished();
    },
    stats: async () => engine.getStatistics(),
    pauseQueue: async () => {
      mustTrust();
      if (engine.isQueuePaused()) return { ok: false, message: 'The queue was already paused; bgt resume starts it again.' };
      engine.pauseQueue();
      const waiting = engine.getAllTasks({ status: ['pending'] }).length;
      return { ok: true, message: `Paused the queue: ${plural(waiting, 'pending task')} wait${waiting === 1 ? 's' : ''}, running ones go on; bgt resume starts it again.` };
    },
    resumeQueue: async () => {
      mustTrust();
      if (!engine.isQueuePaused()) return { ok: false, message: 'The queue was not paused.' };
      engine.resumeQueue();
      return { ok: true, message: 'Resumed the queue: pending tasks start as slots are free.' };
    },
    pauseTask: async (id) => {
      mustTrust();
      const task = known(id);
      if (engine.pauseTask(id)) return { ok: true, message: `Paused task [${id}] (SIGSTOP to all its processes; its clock stopped); bgt resume ${id} continues it.` };
      return { ok: false, message: `Task [${id}] ${whyNot(task, 'pause')}` };
    },
    resumeTask: async (id) => {
      mustTrust();
      const task = known(id);
      if (engine.resumeTask(id)) return { ok: true, message: `Resumed task [${id}].` };
      return { ok: false, message: `Task [${id}] ${whyNot(task, 'resume')}` };
    },
    exportHistory: async (format) => engine.exportHistory(format),
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Why pauseTask or resumeTask did nothing, from the task's state. */
function whyNot(task: TaskSnapshot, verb: 'pause' | 'resume'): string {
  const s = task.state;
  if (s.status === 'running') {
    if (s.cancelling) return 'is being stopped; there is nothing to ' + verb + '.';
    if (verb === 'pause') return s.pausedAt === undefined ? 'could not be paused.' : 'is already paused.';
    return s.pausedAt === undefined ? 'is not paused.' : 'could not be resumed.';
  }
  if (s.status === 'pending') return `is pending, not running: there is nothing to ${verb} (bgt ${verb} with no id ${verb === 'pause' ? 'pauses' : 'resumes'} the queue).`;
  return `has already ended (${s.status}): there is nothing to ${verb}.`;
}
