// The engine's settings, validated, and their setters: limit, grace period, history size,
// shell, default working folder, and where warnings go. TaskEngine (engine.ts) builds on it.
import { TaskRegistry } from './registry';
import type { EngineOptions } from './types';
import { TaskOptionsError, wholeNumber as positive } from './validate';

export abstract class EngineSettings extends TaskRegistry {
  protected maxConcurrent: number;
  protected graceMs: number;
  protected shell: string;
  protected defaultCwd: string;
  protected readonly log: (message: string) => void;

  protected constructor(options: EngineOptions) {
    const log = options.log ?? ((m: string): void => console.warn(m));
    super(options.storageDir, positive(options.historyLimit ?? 500, 'historyLimit', 0), log);
    this.maxConcurrent = positive(options.maxConcurrentTasks ?? 10, 'maxConcurrentTasks', 1);
    this.graceMs = positive(options.cancelGraceMs ?? 3000, 'cancelGraceMs', 0);
    this.shell = options.shell ?? '/bin/sh';
    this.defaultCwd = options.defaultCwd ?? process.cwd();
    this.log = log;
  }

  protected reportError(message: string): void {
    this.log(message);
  }

  /** Runs the queue again soon (a new limit may let more start). */
  protected abstract requestSchedule(): void;

  setMaxConcurrentTasks(n: number): void {
    this.maxConcurrent = positive(n, 'maxConcurrentTasks', 1);
    this.requestSchedule();
  }

  setCancelGraceMs(ms: number): void {
    this.graceMs = positive(ms, 'cancelGraceMs', 0);
  }

  setHistoryLimit(n: number): void {
    this.historyLimit = positive(n, 'historyLimit', 0);
    this.enforceHistory();
  }

  setShell(shell: string): void {
    if (typeof shell !== 'string' || shell.trim() === '') throw new TaskOptionsError('shell', 'The shell must be a program path such as /bin/bash.');
    this.shell = shell;
  }

  setDefaultCwd(cwd: string): void {
    if (typeof cwd !== 'string' || cwd === '') throw new TaskOptionsError('cwd', 'The default working folder must be a path.');
    this.defaultCwd = cwd;
  }
}
