// The engine's settings, validated: limit, grace period, history size, shell, default working
// folder, lane limits, default timeout, and where warnings go. A value that is not valid is
// refused with an error naming it.
import { validateDefaultTimeout, validateLanes } from './queueOptions';
import type { EngineOptions } from './types';
import { TaskOptionsError, wholeNumber } from './validate';

export class EngineSettings {
  private limit: number;
  private grace: number;
  private history: number;
  private shellPath: string;
  private cwd: string;
  private laneLimits: Record<string, number>;
  private timeoutSeconds: number;
  private nice: number;
  readonly log: (message: string) => void;
  /** What every task's environment becomes when it starts (e.g. the control socket added); never stored. */
  readonly taskEnvironment: (env: Readonly<Record<string, string>>) => Record<string, string>;

  constructor(options: EngineOptions) {
    this.limit = wholeNumber(options.maxConcurrentTasks ?? 10, 'maxConcurrentTasks', 1);
    this.grace = wholeNumber(options.cancelGraceMs ?? 3000, 'cancelGraceMs', 0);
    this.history = wholeNumber(options.historyLimit ?? 500, 'historyLimit', 0);
    this.shellPath = options.shell ?? '/bin/sh';
    this.cwd = options.defaultCwd ?? process.cwd();
    this.laneLimits = validateLanes(options.lanes ?? {});
    this.timeoutSeconds = validateDefaultTimeout(options.defaultTimeoutSeconds ?? 0);
    this.nice = niceness(options.niceness ?? 0);
    this.log = options.log ?? ((m) => console.warn(m));
    this.taskEnvironment = options.taskEnvironment ?? ((env) => ({ ...env }));
  }

  get maxConcurrent(): number {
    return this.limit;
  }
  set maxConcurrent(n: number) {
    this.limit = wholeNumber(n, 'maxConcurrentTasks', 1);
  }

  get graceMs(): number {
    return this.grace;
  }
  set graceMs(ms: number) {
    this.grace = wholeNumber(ms, 'cancelGraceMs', 0);
  }

  get historyLimit(): number {
    return this.history;
  }
  set historyLimit(n: number) {
    this.history = wholeNumber(n, 'historyLimit', 0);
  }

  get shell(): string {
    return this.shellPath;
  }
  set shell(shell: string) {
    if (typeof shell !== 'string' || shell.trim() === '') throw new TaskOptionsError('shell', 'The shell must be a program path such as /bin/bash.');
    this.shellPath = shell;
  }

  get defaultCwd(): string {
    return this.cwd;
  }
  set defaultCwd(cwd: string) {
    if (typeof cwd !== 'string' || cwd === '') throw new TaskOptionsError('cwd', 'The default working folder must be a path.');
    this.cwd = cwd;
  }

  /** A lane's limit: as set, or 1 for a lane the setting does not name. */
  laneLimit(lane: string): number {
    return Object.hasOwn(this.laneLimits, lane) ? this.laneLimits[lane] : 1;
  }
  setLanes(limits: Record<string, number>): void {
    this.laneLimits = validateLanes(limits);
  }

  /** Seconds; 0 means none. */
  get defaultTimeoutSeconds(): number {
    return this.timeoutSeconds;
  }
  set defaultTimeoutSeconds(seconds: number) {
    this.timeoutSeconds = validateDefaultTimeout(seconds);
  }

  /** 0 (normal) to 19 (lowest): the CPU niceness of tasks started from now on. */
  get niceness(): number {
    return this.nice;
  }
  set niceness(n: number) {
    this.nice = niceness(n);
  }
}

function niceness(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 19) {
    throw new TaskOptionsError('niceness', `niceness must be a whole number from 0 (normal) to 19 (lowest priority); got ${JSON.stringify(n) ?? String(n)}.`);
  }
  return n;
}
