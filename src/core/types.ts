// The task model shared by the engine, the ui and the API. Plain data: every TaskState can be
// written to disk as it is (process handles live in the runner, never here).
import type { ProblemMatcherSpec } from './matchers/types';

export type { ProblemMatcherSpec } from './matchers/types';

export const TASK_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TASK_TYPES = ['code', 'system'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** Queue order and notification loudness, most urgent first. */
export const TASK_PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** background: queued, notify at the end; verbose: starts at once outside the limit; piped: stdin from another task. */
export const TASK_MODES = ['background', 'verbose', 'piped'] as const;
export type TaskMode = (typeof TASK_MODES)[number];

export type MetadataValue = string | number | boolean;
export type TaskMetadata = Record<string, MetadataValue>;

/** Each status carries only the fields that make sense for it (pueue's TaskStatus). */
export type TaskState =
  | {
      status: 'pending';
      enqueuedAt: number;
      waitingFor?: string[];
      /** Delayed start (epoch ms): it may not start before this, whatever the queue says. Also the end of a retry delay. */
      startAt?: number;
    }
  | {
      status: 'running';
      startedAt: number;
      pid: number;
      pidStartTime?: string;
      /** Set once a cancel was asked for, so an engine built later still records it as cancelled. */
      cancelling?: { reason: string; at: number };
      /** Set while the task is paused (SIGSTOP to all its processes): when it was paused. */
      pausedAt?: number;
      /** Milliseconds spent paused in earlier pauses of this attempt: its duration and timeout clock leave them out. */
      pausedMs?: number;
      /** Set once its timeout was reached: it is being stopped and ends failed, "timed out after 30s". */
      timingOut?: { at: number };
    }
  | {
      status: 'completed';
      startedAt: number;
      endedAt: number;
      exitCode: 0;
      /** Milliseconds the last attempt spent paused: its duration leaves them out. */
      pausedMs?: number;
    }
  | {
      status: 'failed';
      startedAt?: number;
      endedAt: number;
      /** Milliseconds the last attempt spent paused: its duration leaves them out. */
      pausedMs?: number;
      exitCode?: number;
      signal?: string;
      /** Why it failed without an exit code: spawn error, "lost", "working folder does not exist", "timed out after 30s"... */
      error?: string;
      /** True when it was stopped by its timeout (error says "timed out after Ns"). */
      timedOut?: boolean;
    }
  | {
      status: 'cancelled';
      reason: string;
      startedAt?: number;
      endedAt: number;
      signal?: string;
      /** Milliseconds the last attempt spent paused: its duration leaves them out. */
      pausedMs?: number;
    };

/** OSC 9;4 progress states, plus a percent and an optional message from reportProgress(). */
export interface TaskProgress {
  state: 'set' | 'error' | 'indeterminate' | 'paused';
  percent?: number;
  message?: string;
  updatedAt: number;
}

/** The completion notice of a task: shown as a notification and kept on the task. */
export interface TaskMessage {
  text: string;
  /** The task's priority, a failure raised to at least high. */
  priority: TaskPriority;
  type: TaskType;
}

/** What a caller passes to spawnTask(). Only `command` is required. */
export interface SpawnOptions {
  /** The shell command, run as `<shell> -c <command>`. */
  command: string;
  /** What the command is about; shown as an icon. Default 'code'. */
  type?: TaskType;
  /** Queue order and notification loudness. Default 'normal'. */
  priority?: TaskPriority;
  /** Free key/value pairs shown in details and notifications. */
  metadata?: TaskMetadata;
  /** Working folder; default: the `backgroundTasks.defaultWorkingFolder` setting, else the workspace folder. */
  cwd?: string;
  /** Added to the inherited environment; values are never shown. */
  env?: Record<string, string>;
  /** Ids of tasks that must complete first; if one fails or is cancelled, this one is cancelled. */
  dependsOn?: string[];
  /** Id of a task whose complete output becomes this task's stdin (it waits for that task). */
  stdinFrom?: string;
  /** A file whose content becomes stdin (e.g. an editor selection written to a file). */
  stdinFile?: string;
  /**
   * Text that becomes stdin (e.g. an editor selection). The engine keeps it in the task's own
   * folder (`tasks/<id>/stdin`, 0600), so it goes with the task; a rerun gets it again.
   */
  stdinText?: string;
  /** 'background' queues it; 'verbose' starts it at once, outside the limit. Default 'background'. */
  mode?: 'background' | 'verbose';
  /**
   * Problem matchers that turn the output into diagnostics: a name such as "$tsc" (VS Code's
   * built-ins and any extension's `contributes.problemMatchers`), a definition as in tasks.json,
   * or a list of either. Kept with the task, so its problems come back after a reload.
   */
  problemMatcher?: ProblemMatcherSpec;
  /**
   * The longest one attempt may run, in seconds (paused time not counted); at the limit its
   * processes are stopped as a cancel stops them and it ends failed, "timed out after 30s".
   * Default: the `backgroundTasks.defaultTimeoutSeconds` setting (0 = none).
   */
  timeoutSeconds?: number;
  /** How many more times a failed attempt (non-zero exit, signal, timeout; never a cancel) runs again, as the same task. Default 0. */
  retries?: number;
  /** Seconds between a failed attempt and the next. Default 0. */
  retryDelaySeconds?: number;
  /** Do not start before this time (epoch milliseconds). */
  startAt?: number;
  /** Do not start before this many seconds from now (startAt wins when both are given). */
  delaySeconds?: number;
  /** A named group with its own limit (`backgroundTasks.lanes`, 1 when not named there), inside maxConcurrentTasks. */
  lane?: string;
}

/** A read-only copy of a task, as events and getters hand it out. */
export interface TaskSnapshot {
  readonly id: string;
  readonly command: string;
  readonly type: TaskType;
  readonly priority: TaskPriority;
  readonly mode: TaskMode;
  readonly metadata: Readonly<TaskMetadata>;
  readonly cwd: string;
  /** Names of the added environment variables (values are kept on disk only, never shown). */
  readonly envKeys: readonly string[];
  readonly dependsOn: readonly string[];
  readonly stdinFrom?: string;
  readonly createdAt: number;
  readonly state: Readonly<TaskState>;
  readonly progress?: Readonly<TaskProgress>;
  /** The completion notice, set when the task ends. */
  readonly message?: Readonly<TaskMessage>;
  /** Absolute path of the task's output log. */
  readonly logPath: string;
  /** The problem matchers its output is read with, as given to spawnTask(). */
  readonly problemMatcher?: ProblemMatcherSpec;
  /** Which attempt this is (or was, once ended), from 1. */
  readonly attempt: number;
  /** How many attempts it may have: retries + 1. */
  readonly attempts: number;
  readonly retryDelaySeconds?: number;
  readonly lane?: string;
  readonly timeoutSeconds?: number;
}

/** One group of a list that shows the first tasks of each (engine.groupTasks()). */
export interface TaskGroup {
  /** How many tasks the group holds. */
  readonly count: number;
  /** How many of them run. */
  readonly running: number;
  /** The first of them in list order, at most the limit asked for. */
  readonly tasks: readonly TaskSnapshot[];
}

export interface TaskStatistics {
  totalTasks: number;
  byStatus: Record<TaskStatus, number>;
  byType: Record<TaskType, number>;
  byPriority: Record<TaskPriority, number>;
  maxConcurrent: number;
  runningNow: number;
  queuedNow: number;
  /** completed / (completed + failed), 0..1; undefined when nothing has finished. */
  successRate?: number;
  /** Over tasks that ran and ended, in milliseconds. */
  meanDurationMs?: number;
  p95DurationMs?: number;
  /** Tasks whose (last) attempt was stopped by its timeout. */
  timedOut: number;
  /** Tasks that needed more than one attempt. */
  retried: number;
  /** Tasks per lane (tasks in no lane are not counted here). */
  byLane: Record<string, number>;
  /** Whether the queue is paused (pending tasks wait; running ones go on). */
  queuePaused: boolean;
}

export interface EngineOptions {
  /** Folder holding tasks/<id>/{task.json,output.log,exit}; created 0700. */
  storageDir: string;
  /** Shell that runs the user's command (`<shell> -c <command>`); default /bin/sh. */
  shell?: string;
  maxConcurrentTasks?: number;
  /** SIGTERM, then SIGKILL after this many milliseconds; default 3000. */
  cancelGraceMs?: number;
  /** Finished tasks kept; the oldest beyond it are removed with their logs. Default 500. */
  historyLimit?: number;
  /** Working folder when a task gives none. Default: process.cwd(). */
  defaultCwd?: string;
  /** How often running tasks are checked for progress and reattached ones for their end; default 500. */
  pollIntervalMs?: number;
  /** Where warnings go (a corrupt task.json...). Default: console.warn. */
  log?: (message: string) => void;
  /** Limits of named lanes; a lane not named here has a limit of 1. */
  lanes?: Record<string, number>;
  /** Timeout of a task that gives none, in seconds; 0 or absent: none. */
  defaultTimeoutSeconds?: number;
  /**
   * CPU niceness tasks start with, 0 (as the host) to 19 (lowest), so busy tasks leave the
   * editor responsive; with the kernel's session autogroups, their session's share is lowered
   * too (under the Python launcher the one session of all tasks, at once). Default 0.
   */
  niceness?: number;
  /** Applied to a task's own environment when it starts (the window's control socket, bgt on PATH); never stored. */
  taskEnvironment?: (env: Readonly<Record<string, string>>) => Record<string, string>;
  /**
   * The history is read once loadHistory() is called, not at once by open(): for a caller that
   * subscribes to the engine's events over several turns (activate()), so that no event of the
   * restore (a task that ended while nobody watched, the load itself) fires before it listens.
   */
  deferHistory?: boolean;
}

export type Listener<T> = (value: T) => void;
export interface Disposable {
  dispose(): void;
}
