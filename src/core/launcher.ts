// The engine's side of the launcher: the long-lived helper process that does every fork/exec,
// so the extension host never forks per task (see launcherScript.ts for the other side).
// Started on first use, with the host's own Node (process.execPath; Electron needs
// ELECTRON_RUN_AS_NODE=1); requests of one turn go out in one write; a launcher that dies is
// started again on the next request, and the engine is told so it can resend what was in flight.
import { spawn, type ChildProcess } from 'node:child_process';
import { LAUNCHER_SCRIPT } from './launcherScript';

/** The variable that marks every process of a task, so a cancel can find those that left its group. */
export const TASK_MARKER = 'BACKGROUND_TASKS_TASK_ID';

export interface StartJob {
  id: string;
  shell: string;
  command: string;
  dir: string;
  log: string;
  stdin?: string;
  cwd: string;
  env: Record<string, string>;
}

export type LauncherEvent =
  | { ev: 'started'; id: string; pid: number; startTime?: string }
  | { ev: 'error'; id: string; message: string }
  | { ev: 'exit'; id: string; pid: number; code: number | null; signal: string | null }
  | { ev: 'swept'; id: string; signal: string; pids: number[] };


/** The environment every task starts from: the host's, minus the marker of any task it runs in. */
export function baseEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && k !== TASK_MARKER) out[k] = v;
  return out;
}

export class Launcher {
  private child: ChildProcess | undefined;
  private outgoing: string[] = [];
  private flushQueued = false;
  private stderrTail = '';
  private disposed = false;
  private busy = true;

  constructor(
    private readonly wrapper: string,
    private readonly onEvent: (e: LauncherEvent) => void,
    /** The launcher ended unasked; `reason` says how. It is started again by the next request. */
    private readonly onDied: (reason: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(job: StartJob): void {
    this.send({ op: 'start', ...job });
  }

  /** Signals every process of this user carrying the task's marker (except those of `skipGroup`). */
  sweep(id: string, token: string, signal: NodeJS.Signals, skipGroup?: number): void {
    this.send({ op: 'sweep', id, token, signal, ...(skipGroup !== undefined ? { skipGroup } : {}) });
  }

  /**
   * Whether the launcher keeps this process alive: while starts are unanswered or its tasks
   * run, so a plain Node caller waiting for a task stays up; when idle, it may exit.
   */
  setBusy(busy: boolean): void {
    this.busy = busy;
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as ({ ref?(): void; unref?(): void } | null)[]) {
      if (busy) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Ends the launcher (closing its stdin; it writes what it has and exits). Tasks keep running. */
  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    if (child) {
      child.stdin?.end();
      child.unref();
    }
  }

  private send(msg: object): void {
    if (this.disposed) return;
    this.ensure();
    this.outgoing.push(JSON.stringify(msg));
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outgoing.length === 0 || !this.child) return;
    const text = `${this.outgoing.join('\n')}\n`;
    this.outgoing = [];
    this.child.stdin?.write(text);
  }

  private ensure(): void {
    if (this.child) return;
    // NODE_OPTIONS of a debugged host (--inspect) would make the launcher fight it for the port.
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['-e', LAUNCHER_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child = child;
    this.stderrTail = '';
    let input = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      input += chunk;
      for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n')) {
        const line = input.slice(0, i);
        input = input.slice(i + 1);
        if (!this.disposed) this.onEvent(JSON.parse(line) as LauncherEvent);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-2000)));
    child.stdin?.on('error', () => undefined); // EPIPE when it died; 'close' below tells the engine
    child.on('error', () => undefined); // a spawn error is followed by 'close'
    // 'close' comes after its stdout has been read to the end, so no report is lost.
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.disposed) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
      const detail = this.stderrTail.trim() ? `: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
      this.onDied(`the launcher process (${process.execPath}) ${how}${detail}`);
    });
    child.stdin?.write(`${JSON.stringify({ op: 'init', env: baseEnvironment(), wrapper: this.wrapper })}\n`);
    this.setBusy(this.busy);
  }
}
