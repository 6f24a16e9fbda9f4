// Starting, watching and stopping task processes. Each task runs detached (its own process
// group) under a tiny sh wrapper that runs `<shell> -c <command>` and then writes the exit
// status atomically into the task's folder; stdout and stderr are one append-mode fd of the
// task's log, so no output passes through Node. Process handles live here, never in TaskState.
import * as fs from 'node:fs';
import { execa } from 'execa';
import { groupExists, isSameProcess, processStartTime, signalGroup } from './procinfo';

/*
 * $1 shell, $2 command, $3 task folder. The trap keeps the wrapper alive through a SIGTERM
 * to the group until the command has ended, so the exit file is still written; a handler
 * (unlike an ignored signal) is reset for the command, which keeps the default SIGTERM.
 */
const WRAPPER = `trap 'stopping=1' TERM INT HUP
"$1" -c "$2"
code=$?
umask 077
printf '%s\\n' "$code" > "$3/exit.tmp" && mv -f "$3/exit.tmp" "$3/exit"
exit "$code"`;

export interface StartRequest {
  id: string;
  dir: string;
  logPath: string;
  shell: string;
  command: string;
  cwd: string;
  env: Record<string, string>;
  /** File opened as stdin; /dev/null when absent. */
  stdinPath?: string;
}

/** How a process ended, as far as the runner can tell; the engine reads the exit file. */
export interface ProcessEnd {
  exitCode?: number;
  signal?: string;
  /** The process never started (spawn error). */
  error?: string;
  endedAt: number;
}

interface Watched {
  pid: number;
  startTime?: string;
  /** Spawned by this runner (its end comes from the child), or reattached (polled). */
  polled: boolean;
  killTimer?: NodeJS.Timeout;
  /** When SIGKILL goes out, once a stop was asked for. */
  killAt?: number;
  unref?: () => void;
}

export class Runner {
  private readonly watched = new Map<string, Watched>();
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly lingering = new Set<NodeJS.Timeout>();
  private disposed = false;

  constructor(
    private readonly onEnd: (id: string, end: ProcessEnd) => void,
    private readonly pollIntervalMs: number,
  ) {}

  /**
   * Starts the wrapper. Returns its pid (also the process group id) and start time, or a
   * spawn error; either way the end is reported through onEnd, never synchronously.
   */
  start(req: StartRequest): { pid: number; startTime?: string } | { error: string } {
    let logFd: number | undefined;
    let stdinFd: number | undefined;
    try {
      logFd = fs.openSync(req.logPath, 'a', 0o600);
      stdinFd = fs.openSync(req.stdinPath ?? '/dev/null', 'r');
      const child = execa('/bin/sh', ['-c', WRAPPER, 'background-task', req.shell, req.command, req.dir], {
        cwd: req.cwd,
        env: req.env,
        detached: true,
        cleanup: false,
        reject: false,
        buffer: false,
        // Plain descriptors go to the child as they are, with no stream in Node; execa's types
        // only list small fd numbers, hence the casts.
        stdin: stdinFd as 3,
        stdout: logFd as 3,
        stderr: logFd as 3,
      });
      const pid = child.pid;
      if (pid === undefined) {
        void child.then((result) => this.report(req.id, { error: result.shortMessage, endedAt: Date.now() }));
        return { error: 'could not start' };
      }
      // Referenced while watched, so a plain Node caller waiting for the task stays alive;
      // dispose() lets go.
      const watched: Watched = { pid, startTime: processStartTime(pid), polled: false, unref: () => child.unref() };
      this.watched.set(req.id, watched);
      void child.then((result) => {
        if (this.watched.get(req.id) === watched) {
          this.mainEnded(req.id, watched, { exitCode: result.exitCode, signal: result.signal, endedAt: Date.now() });
        }
      });
      return { pid, startTime: watched.startTime };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      queueMicrotask(() => this.report(req.id, { error: message, endedAt: Date.now() }));
      return { error: message };
    } finally {
      // The child holds its own copies of these descriptors.
      if (logFd !== undefined) fs.closeSync(logFd);
      if (stdinFd !== undefined) fs.closeSync(stdinFd);
    }
  }

  /** Watches a process this runner did not start (reattach), by polling its pid and start time. */
  watch(id: string, pid: number, startTime: string | undefined): void {
    this.watched.set(id, { pid, startTime, polled: true });
    this.ensurePolling();
  }

  isWatching(id: string): boolean {
    return this.watched.has(id);
  }

  /**
   * Ends the task's whole process group: SIGTERM now, SIGKILL after `graceMs` (sent to the
   * group even if the main process has gone, to reach children left behind).
   */
  stop(id: string, graceMs: number, onKill?: () => void): boolean {
    const w = this.watched.get(id);
    if (!w || (w.polled && !isSameProcess(w.pid, w.startTime))) {
      return false;
    }
    signalGroup(w.pid, 'SIGTERM');
    if (w.killTimer === undefined) {
      w.killAt = Date.now() + graceMs;
      const pid = w.pid;
      w.killTimer = setTimeout(() => {
        const still = this.watched.get(id);
        if (still === undefined || still.pid !== pid || !still.polled || isSameProcess(pid, still.startTime)) {
          if (signalGroup(pid, 'SIGKILL')) onKill?.();
        }
      }, graceMs);
      w.killTimer.unref();
    }
    return true;
  }

  /** Stops watching everything; processes keep running. */
  dispose(): void {
    this.disposed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const w of this.watched.values()) w.unref?.();
    this.watched.clear();
    this.lingering.forEach((t) => clearInterval(t));
    this.lingering.clear();
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
    if (!this.disposed) this.onEnd(id, end);
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
