// The API that other extensions get from
//   vscode.extensions.getExtension<BackgroundTasksApi>('isaac.background-tasks')?.activate()
// These names are a promise to other extensions: keep them, add rather than rename.
// This file holds types only, so that its declaration file (dist/api.d.ts) is what ships.
import type { Event } from 'vscode';
import type { SpawnOptions, TaskSnapshot, TaskStatistics, TaskStatus } from './core/types';

export type {
  MetadataValue,
  ProblemMatcherSpec,
  SpawnOptions,
  TaskMessage,
  TaskMetadata,
  TaskMode,
  TaskPriority,
  TaskProgress,
  TaskState,
  TaskStatistics,
  TaskStatus,
  TaskType,
  TaskSnapshot,
} from './core/types';

/** What spawnTask() takes. Only `command` is required. */
export type SpawnTaskOptions = SpawnOptions;

/** Version 1 of the Background Tasks API. */
export interface BackgroundTasksApi {
  /** Queues a command; returns the new task's id. Throws when the options are invalid or the workspace is not trusted. */
  spawnTask(options: SpawnTaskOptions): string;
  /** A snapshot of one task, or undefined when there is no such task. */
  getTask(id: string): TaskSnapshot | undefined;
  /** Snapshots of all tasks (newest first), optionally only those with the given status(es). */
  getAllTasks(filter?: { status?: TaskStatus | TaskStatus[] }): TaskSnapshot[];
  /** Cancels a pending or running task; false when there is no such task or it already ended. */
  cancelTask(id: string): boolean;
  /** Removes completed, failed and cancelled tasks with their logs; returns how many. */
  clearFinished(): number;
  /** Counts by status, type and priority, success rate and durations. */
  getStatistics(): TaskStatistics;
  /** Sets a running task's progress (0..100), shown in the tree. */
  reportProgress(id: string, percent: number, message?: string): void;
  /** Resolves with the task's final snapshot once it has ended. */
  waitForTask(id: string): Promise<TaskSnapshot>;
  /** Pending tasks wait until resumeQueue(); running ones go on. Kept across a reload. */
  pauseQueue(): void;
  /** Lets the queue start tasks again. */
  resumeQueue(): void;
  /** Whether the queue is paused. */
  isQueuePaused(): boolean;
  /** Stops all of a running task's processes (SIGSTOP); it stays running with pausedAt, its clock stopped. False when there is nothing to pause. */
  pauseTask(id: string): boolean;
  /** Continues a paused task (SIGCONT). False when it is not paused. */
  resumeTask(id: string): boolean;
  /** Gives a pending task the highest priority present and the first place in the queue. False when it is not pending. */
  runNext(id: string): boolean;
  /** Pending tasks in the order they will start (priority, then position). */
  getQueue(): TaskSnapshot[];
  /** The history as JSON or CSV text (id, command, status, exitCode, type, priority, lane, times, attempts, metadata; never env values). */
  exportHistory(format: 'json' | 'csv'): string;
  /** Fires whenever a task is added or changes state or progress. */
  readonly onDidChangeTask: Event<TaskSnapshot>;
  /** Fires once when a task completes, fails or is cancelled. */
  readonly onDidFinishTask: Event<TaskSnapshot>;
}
