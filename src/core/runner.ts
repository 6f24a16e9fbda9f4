// Starting, watching and stopping task processes. The launcher (launcher.ts) forks each task,
// detached (a process group of its own, in the Python launcher's session or a session of its
// own under the others), under a wrapper that runs the command and
// writes its exit status into the task's folder (commandShell.ts); stdout and stderr are one
// append-mode fd of the task's log, so no output passes through Node. Process handles live
// here, never in TaskState.
import { Launcher, TASK_MARKER, type LauncherEvent, type StartJob } from './launcher';
import { groupExists, isAlive, isSameProcess, isTaskWrapper, processStartTime, signalGroup } from './procinfo';
import { WRAPPER_SH } from './commandShell';
import { commandArgument, readPidFile } from './startInput';

export interface StartRequest {
  id: string;
  dir: string;
  logPath: string;
  shell: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** Marks every process of the task (TASK_MARKER) so a cancel finds those that left its group. */
  token: string;
  /** File opened as stdin; /dev/null when absent. */
  stdinPath?: string;
  /** CPU niceness to start with (0 to 19); 0 when absent. */
  niceness?: number;
}

/** How a process ended, as far as the runner can tell; the engine reads the exit file. */
export interface ProcessEnd {
  exitCode?: number;
  signal?: string;
  /** The process never started (spawn error). */
  error?: string;
  endedAt: number;
}

export interface RunnerHooks {
  /** The task's wrapper runs (again called, with another pid, if it turned out another wrapper of it ran first). */
  started(id: string, pid: number, startTime: string | undefined): void;
  ended(id: string, end: ProcessEnd): void;
  warn(message: string): void;
}

interface Watched {
  pid: number;
  startTime?: string;
  dir?: string;
  token?: string;
  /** Started by the launcher that still runs (its end is reported), or reattached / orphaned (polled). */
  polled: boolean;
  killTimer?: NodeJS.Timeout;
  /** When SIGKILL goes out, once a stop was asked for. */
  killAt?: number;
}

/** A start whose launcher died under it this many times fails (a launcher that cannot run). */
const MAX_ATTEMPTS = 5;

/** Exit status of a wrapper that found its task already started by another wrapper. */
const ALREADY_STARTED = 125;

export class Runner {
  private readonly watched = new Map<string, Watched>();
  /** Starts sent to the launcher and not yet answered: resent if it dies meanwhile. */
  private readonly starting = new Map<string, { job: StartJob; attempts: number }>();
  /**
   * Exits heard before the start they follow: a wrapper says "started" on its own channel
   * (launcherPerl.ts), the launcher reports a wrapper it reaped on another.
   */
  private readonly earlyExits = new Map<string, Extract<LauncherEvent, { ev: 'exit' }>>();
  private resendTimer: NodeJS.Timeout | undefined;
  private readonly launcher: Launcher;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly lingering = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly hooks: RunnerHooks,
    private readonly pollIntervalMs: number,
  ) {
    this.launcher = new Launcher(WRAPPER_SH, (e) => this.onLauncherEvent(e), (reason) => this.onLauncherDied(reason));
  }

  /** Asks the launcher to start the task; the outcome comes through hooks.started or hooks.ended, never synchronously. */
  start(req: StartRequest): void {
    const env: Record<string, string> = { ...req.env, [TASK_MARKER]: req.token };
    const job: StartJob = { id: req.id, shell: req.shell, command: commandArgument(req), dir: req.dir, log: req.logPath, cwd: req.cwd, env };
    if (req.stdinPath !== undefined) job.stdin = req.stdinPath;
    if (req.niceness) job.nice = req.niceness;
    this.starting.set(req.id, { job, attempts: 1 });
    this.launcher.start(job);
    this.launcher.setBusy(true);
  }

  /** Watches a process this runner did not start (reattach), by polling its pid and start time. */
  watch(id: string, pid: number, startTime: string | undefined, token?: string): void {
    this.watched.set(id, { pid, startTime, polled: true, ...(token !== undefined ? { token } : {}) });
    this.ensurePolling();
  }

  isWatching(id: string): boolean {
    return this.watched.has(id);
  }

  /**
   * Ends the task's whole process group: SIGTERM now, SIGKILL after `graceMs` (sent to the
   * group even if the main process has gone, to reach children left behind). Processes that
   * left the group (setsid, a double fork) but carry the task's marker get the same signals.
   */
  stop(id: string, graceMs: number, onKill?: () => void, paused = false): boolean {
    const w = this.watched.get(id);
    // A reattached task whose wrapper has gone may still have programs left in its group
    // (a group id is not reused while the group exists, so signalling it is safe).
    if (!w || (w.polled && !isSameProcess(w.pid, w.startTime) && !groupExists(w.pid))) {
      if (w?.token) this.launcher.sweep(id, w.token, 'SIGKILL');
      return false;
    }
    signalGroup(w.pid, 'SIGTERM');
    if (w.token) this.launcher.sweep(id, w.token, 'SIGTERM', w.pid);
    // A stopped process keeps a SIGTERM pending until it is continued: a paused task can die.
    if (paused) this.signal(id, 'SIGCONT');
    if (w.killTimer === undefined) {
      w.killAt = Date.now() + graceMs;
      const { pid, token } = w;
      w.killTimer = setTimeout(() => {
        const still = this.watched.get(id);
        // The group id is ours while the wrapper lives or anything of its group is left (a
        // reattached wrapper may have ended, leaving a program that ignores SIGTERM).
        if (still === undefined || still.pid !== pid || !still.polled || isSameProcess(pid, still.startTime) || groupExists(pid)) {
          if (signalGroup(pid, 'SIGKILL')) onKill?.();
        }
        if (token) this.launcher.sweep(id, token, 'SIGKILL');
      }, graceMs);
      w.killTimer.unref();
    }
    return true;
  }

  /**
   * Pauses (SIGSTOP) or continues (SIGCONT) all of a task's processes: its group, and the
   * processes that left it but carry its marker (through the launcher's sweep). False when
   * nothing of the task is left to signal.
   */
  signal(id: string, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
    const w = this.watched.get(id);
    if (!w) return false;
    if (w.polled && !isSameProcess(w.pid, w.startTime) && !groupExists(w.pid)) return false;
    const sent = signalGroup(w.pid, signal);
    if (w.token) this.launcher.sweep(id, w.token, signal, w.pid);
    return sent;
  }

  /** Stops watching everything and ends the launcher; processes keep running. */
  dispose(): void {
    this.disposed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    this.launcher.dispose();
    if (this.resendTimer) clearTimeout(this.resendTimer);
    // A stop under way is finished by the next engine (the task's cancelling state is on disk);
    // a timer left here would signal a group id that may belong to someone else by then.
    for (const w of this.watched.values()) if (w.killTimer) clearTimeout(w.killTimer);
    this.watched.clear();
    this.starting.clear();
    this.earlyExits.clear();
    this.lingering.forEach((t) => clearInterval(t));
    this.lingering.clear();
  }

  private onLauncherEvent(e: LauncherEvent): void {
    this.handle(e);
    let busy = this.starting.size > 0;
    for (const w of this.watched.values()) busy ||= !w.polled;
    this.launcher.setBusy(busy);
  }

  private handle(e: LauncherEvent): void {
    if (e.ev === 'started') {
      const job = this.starting.get(e.id)?.job;
      if (!job) return;
      this.starting.delete(e.id);
      this.watched.set(e.id, { pid: e.pid, startTime: e.startTime, dir: job.dir, token: job.env[TASK_MARKER], polled: false });
      this.hooks.started(e.id, e.pid, e.startTime);
      const early = this.earlyExits.get(e.id);
      this.earlyExits.delete(e.id);
      if (early?.pid === e.pid) this.handle(early);
    } else if (e.ev === 'error') {
      this.earlyExits.delete(e.id);
      if (!this.starting.delete(e.id)) return;
      this.report(e.id, { error: e.message, endedAt: Date.now() });
    } else if (e.ev === 'exit') {
      const entry = this.starting.get(e.id);
      if (entry) {
        if (e.code === ALREADY_STARTED && this.adoptUnheard(e.id, entry.job)) return;
        this.earlyExits.set(e.id, e);
        return;
      }
      const w = this.watched.get(e.id);
      if (!w || w.pid !== e.pid || w.polled) return;
      if (e.code === ALREADY_STARTED && this.adoptFirst(e.id, w)) return;
      this.mainEnded(e.id, w, { ...(e.code !== null ? { exitCode: e.code } : {}), ...(e.signal !== null ? { signal: e.signal } : {}), endedAt: Date.now() });
    }
  }

  /**
   * A resent start whose wrapper exited 125 before its "started" was heard: the first wrapper,
   * started by a launcher that died, ran (its pid file names it), and its own "started" went
   * to the dead launcher's channel. That one is the task: watched from now on, or, if it has
   * ended, recorded from its exit file. (Until 2026-12-02 such a task stayed pending for good.)
   */
  private adoptUnheard(id: string, job: StartJob): boolean {
    const first = readPidFile(job.dir);
    if (first === undefined) return false;
    this.starting.delete(id);
    this.earlyExits.delete(id);
    const startTime = isAlive(first) && isTaskWrapper(first, job.dir) ? processStartTime(first) : undefined;
    this.watched.set(id, { pid: first, startTime, dir: job.dir, token: job.env[TASK_MARKER], polled: true });
    this.hooks.started(id, first, startTime);
    if (startTime !== undefined) this.ensurePolling();
    else {
      this.watched.delete(id);
      this.report(id, { endedAt: Date.now() });
    }
    return true;
  }

  /**
   * A wrapper that exited 125 may have found its task already started by another wrapper (its
   * pid file names another process): that one is the task, watched from now on.
   */
  private adoptFirst(id: string, w: Watched): boolean {
    const first = w.dir !== undefined ? readPidFile(w.dir) : undefined;
    if (first === undefined || first === w.pid) return false;
    if (isAlive(first) && isTaskWrapper(first, w.dir!)) {
      this.watched.set(id, { pid: first, startTime: processStartTime(first), dir: w.dir, token: w.token, polled: true });
      this.hooks.started(id, first, processStartTime(first));
      this.ensurePolling();
    } else {
      // The first one has already ended: its exit file tells how.
      this.watched.delete(id);
      this.report(id, { endedAt: Date.now() });
    }
    return true;
  }

  /**
   * The launcher died. The tasks it started run on (their own groups) and are polled from
   * now on; the starts it had not answered go to the next launcher, a little later each time
   * (a start that did happen makes the second wrapper exit 125, and the first is adopted); a
   * start whose launcher died under it MAX_ATTEMPTS times fails with the reason.
   */
  private onLauncherDied(reason: string): void {
    this.earlyExits.clear();
    for (const w of this.watched.values()) w.polled = true;
    if (this.watched.size > 0) this.ensurePolling();
    if (this.starting.size === 0) {
      this.hooks.warn(`Background Tasks: ${reason}; it is started again when needed.`);
      return;
    }
    let attempts = 0;
    for (const [id, entry] of [...this.starting]) {
      if (++entry.attempts <= MAX_ATTEMPTS) {
        attempts = Math.max(attempts, entry.attempts);
        continue;
      }
      this.starting.delete(id);
      this.report(id, { error: `${reason}, ${MAX_ATTEMPTS} times while starting this task`, endedAt: Date.now() });
    }
    this.hooks.warn(`Background Tasks: ${reason}; ${this.starting.size} start(s) go to a new launcher.`);
    if (this.resendTimer || this.starting.size === 0) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      for (const { job } of this.starting.values()) this.launcher.start(job);
    }, 50 * 2 ** (attempts - 2));
  }

  /**
   * The wrapper has ended. Normally that ends the task, even if a background child still
   * holds the log. A task being stopped ends once its whole group is gone or SIGKILL has gone
   * out, so a program that ignores SIGTERM is not reported ended while it still runs.
   */
  private mainEnded(id: string, w: Watched, end: ProcessEnd): void {
    this.watched.delete(id);
    const killAt = w.killAt;
    if (killAt === undefined || !groupExists(w.pid)) {
      this.report(id, end);
      return;
    }
    const check = setInterval(() => {
      if (!groupExists(w.pid) || Date.now() > killAt + 200) {
        clearInterval(check);
        this.lingering.delete(check);
        this.report(id, end);
      }
    }, 25);
    this.lingering.add(check);
  }

  private report(id: string, end: ProcessEnd): void {
    if (!this.disposed) this.hooks.ended(id, end);
  }

  private ensurePolling(): void {
    if (this.pollTimer || this.disposed) return;
    this.pollTimer = setInterval(() => this.poll(), this.pollIntervalMs);
  }

  private poll(): void {
    let polled = 0;
    for (const [id, w] of [...this.watched]) {
      if (!w.polled) continue;
      polled++;
      if (!isSameProcess(w.pid, w.startTime)) {
        this.mainEnded(id, w, { endedAt: Date.now() });
      }
    }
    if (polled === 0 && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }
}
