// Starting, watching and stopping task processes. Each task runs detached (its own process
// group) under a tiny sh wrapper that runs `<shell> -c <command>` and then writes the exit
// status into the task's folder with a shell builtin (no extra process); stdout and stderr are
// one append-mode fd of the task's log, so no output passes through Node. Process handles live
// here, never in TaskState. Plain child_process.spawn: execa's per-call option handling cost
// about half a millisecond of main thread per task, more than everything else the runner does.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { groupExists, isSameProcess, processStartTime, signalGroup } from './procinfo';

/*
 * $1 shell, $2 command, $3 task folder. The pid file, written first, proves the task started
 * (see adoptStarted in restore.ts); the subshell keeps the umask away from the command. The trap keeps the wrapper alive through a SIGTERM
 * to the group until the command has ended, so the exit file is still written; a handler
 * (unlike an ignored signal) is reset for the command, which keeps the default SIGTERM.
 * The exit file is written by the builtin printf in one write() of a few bytes, so a reader
 * sees it empty or whole; the reader (TaskStore.readExit) also only accepts a value ended by
 * its newline. No `mv`, so no third process per task. A folder it cannot write to (made
 * read-only) leaves no exit file and no shell complaint in the task's log.
 */
const WRAPPER = `trap 'stopping=1' TERM INT HUP
(umask 077; printf '%s\\n' "$$" > "$3/pid") 2>/dev/null
"$1" -c "$2"
code=$?
umask 077
{ printf '%s\\n' "$code" > "$3/exit"; } 2>/dev/null
exit "$code"`;

/**
 * Linux refuses one argument longer than 128 KiB (MAX_ARG_STRLEN) with E2BIG, and all of them
 * together beyond ARG_MAX; a command longer than this is written to a file in the task's
 * folder and sourced by the shell, which runs it exactly as `-c` would (same $0, same exit).
 */
export const LONG_COMMAND_BYTES = 32 * 1024;

/** Quotes a string for sh. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The text given to `<shell> -c`: the command, or for a long one `. '<task folder>/command'`. */
export function commandArgument(req: Pick<StartRequest, 'command' | 'dir'>): string {
  if (Buffer.byteLength(req.command) <= LONG_COMMAND_BYTES) return req.command;
  const file = `${req.dir}/command`;
  fs.writeFileSync(file, req.command, { mode: 0o600 });
  return `. ${shellQuote(file)}`;
}

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
      if (req.stdinPath !== undefined) stdinFd = fs.openSync(req.stdinPath, 'r');
      const child = spawn('/bin/sh', ['-c', WRAPPER, 'background-task', req.shell, commandArgument(req), req.dir], {
        cwd: req.cwd,
        env: { ...process.env, ...req.env },
        detached: true,
        // Plain descriptors go to the child as they are, with no stream in Node.
        stdio: [stdinFd ?? 'ignore', logFd, logFd],
      });
      const pid = child.pid;
      let ended = false;
      const ends = (end: ProcessEnd): void => {
        if (ended) return;
        ended = true;
        if (pid === undefined) this.report(req.id, end);
        else if (this.watched.get(req.id) === watched) this.mainEnded(req.id, watched, end);
      };
      child.on('error', (err) => ends({ error: spawnMessage(err), endedAt: Date.now() }));
      if (pid === undefined) return { error: 'could not start' };
      // Referenced while watched, so a plain Node caller waiting for the task stays alive;
      // dispose() lets go.
      const watched: Watched = { pid, startTime: processStartTime(pid), polled: false, unref: () => child.unref() };
      this.watched.set(req.id, watched);
      child.on('exit', (code, signal) => ends({ ...(code !== null ? { exitCode: code } : {}), ...(signal !== null ? { signal } : {}), endedAt: Date.now() }));
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
    // A reattached task whose wrapper has gone may still have programs left in its group
    // (a group id is not reused while the group exists, so signalling it is safe).
    if (!w || (w.polled && !isSameProcess(w.pid, w.startTime) && !groupExists(w.pid))) {
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

/** A spawn error as a sentence: "spawn /bin/sh ENOENT" with the folder it was started in. */
function spawnMessage(err: Error & { code?: string; path?: string; spawnargs?: string[] }): string {
  return err.code ? `${err.code}: ${err.message}` : err.message;
}

/** What a task needs before its process can start: its working folder, and its stdin file if it has one. */
export function startInput(
  t: { id: string; cwd: string; stdinFrom?: string; stdinFile?: string; ownStdin?: boolean },
  paths: { logPath(id: string): string; stdinPath(id: string): string },
): { stdinPath?: string } | { error: string } {
  if (!isDirectory(t.cwd)) return { error: `working folder does not exist: ${t.cwd}` };
  if (t.ownStdin) {
    const stdinPath = paths.stdinPath(t.id);
    return fs.existsSync(stdinPath) ? { stdinPath } : { error: `its stdin text is gone from ${stdinPath}` };
  }
  if (t.stdinFrom !== undefined) {
    const stdinPath = paths.logPath(t.stdinFrom);
    return fs.existsSync(stdinPath) ? { stdinPath } : { error: `the output of input task ${t.stdinFrom} is gone` };
  }
  if (t.stdinFile !== undefined) {
    return fs.existsSync(t.stdinFile) ? { stdinPath: t.stdinFile } : { error: `input file does not exist: ${t.stdinFile}` };
  }
  return {};
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
