// The task model as the engine keeps it: on disk (task.json) and in memory, env values included
// (never shown: callers get snapshots, see taskState.ts).
import type { ProblemMatcherSpec, TaskMessage, TaskMetadata, TaskMode, TaskPriority, TaskProgress, TaskState, TaskType } from './types';

/** A task as it is kept on disk and in memory (env values included, never shown). */
export interface TaskRecord {
  id: string;
  /** Arrival order: the queue's tie-breaker and the listing order. */
  seq: number;
  command: string;
  type: TaskType;
  priority: TaskPriority;
  mode: TaskMode;
  metadata: TaskMetadata;
  cwd: string;
  env: Record<string, string>;
  dependsOn: string[];
  stdinFrom?: string;
  stdinFile?: string;
  /** Its stdin is the text the caller gave, kept in the task's folder (stdinPath). */
  ownStdin?: boolean;
  createdAt: number;
  /** The value of BACKGROUND_TASKS_TASK_ID in every process of the task (see launcher.ts). */
  token?: string;
  /** A cancel asked for while the task was starting: carried out by whichever engine sees it run. */
  cancelAsked?: { reason: string; at: number };
  state: TaskState;
  progress?: TaskProgress;
  message?: TaskMessage;
  /** As given to spawnTask(); read again from the log after a reload. */
  problemMatcher?: ProblemMatcherSpec;
  /** The limit of one attempt in seconds (the default applied when it was queued); absent: none. */
  timeoutSeconds?: number;
  /** How many more attempts a failure gets; absent: 0. */
  retries?: number;
  retryDelaySeconds?: number;
  lane?: string;
  /** Which attempt runs (or ran last), from 1; absent: 1 (a task of an older version). */
  attempt?: number;
  /** Place in the queue among tasks of its priority; absent: its seq. Changed by runNext and moveTask. */
  queuePos?: number;
}
