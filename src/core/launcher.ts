// The engine's side of the launcher: the long-lived helper process that does every fork/exec,
// so the extension host never forks per task. Started on first use. On Linux with Python 3.8
// or later, the Python program (launcherPython.ts): posix_spawn copies none of its pages, and
// it starts tiny tasks faster than xargs does (bench/RESULTS.md, section 1). Elsewhere, or where
// Python fails to start it, the host's own Node (launcherScript.ts; process.execPath, Electron
// needs ELECTRON_RUN_AS_NODE=1), whose spawn copies the page tables of some 45 MB each time.
// BACKGROUND_TASKS_LAUNCHER=node|perl|python chooses (perl: launcherPerl.ts, a 7 MB process
// whose fork is still a copy). Requests of one turn go out in one write; a launcher that dies
// is started again on the next request, and the engine is told so it can resend what was in
// flight.
//
// Protocol. In: records of NUL-ended fields, "<n>\0" then n fields (no field holds a NUL):
//   env K=V...                              the base environment of every task (sent again when
//                                           the host's process.env has changed)
//   wrapper TEXT                            the sh wrapper of every task (runner.ts)
//   start id shell command dir log stdin cwd K=V...   stdin '' for /dev/null
//   nice N                                  the CPU niceness of the tasks started after it (0: none)
//   sweep id token signal skipGroup         signal every process of this user carrying
//                                           BACKGROUND_TASKS_TASK_ID=<token> ('' for no group)
// Out: lines of tab-separated fields, written once per turn:
//   ready [pid] | started id pid startTime | error id message | exit id pid code signalNumber
//   | swept id signal pid,pid... | ended code signalNumber
// "ready" names the launcher's pid where it is not the host's child; "ended" comes from the
// Python program's keeper (launcherPython.ts), the host's child, which outlives the launcher
// while tasks run: it says how the launcher ended, then closes stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAUNCHER_PERL } from './launcherPerl';
import { LAUNCHER_PYTHON } from './launcherPython';
import { LAUNCHER_SCRIPT } from './launcherScript';
import { signalName } from './procinfo';

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
  /** CPU niceness of the task (1 to 19); absent: as the launcher. */
  nice?: number;
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

/** Which launcher program runs (see the top of this file). */
export type LauncherKind = 'python' | 'perl' | 'node';

/** Programs that failed to run the launcher once (exited before "ready"), not tried again by this host. */
const broken = new Set<string>();

/** The first executable `name` on /usr/bin and PATH. */
function findProgram(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
  for (const dir of ['/usr/bin', ...dirs]) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // the next folder
    }
  }
  return undefined;
}

/** The program to run as `kind`: BACKGROUND_TASKS_PERL / BACKGROUND_TASKS_PYTHON if set (tests), else the first found. */
function findInterpreter(kind: 'perl' | 'python'): string | undefined {
  const given = kind === 'perl' ? process.env.BACKGROUND_TASKS_PERL : process.env.BACKGROUND_TASKS_PYTHON;
  return given || findProgram(kind === 'perl' ? 'perl' : 'python3');
}

function record(fields: string[]): string {
  return `${fields.length}\0${fields.join('\0')}\0`;
}

function envFields(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

type ProgramLine = { ev: 'ready'; pid?: number } | { ev: 'ended'; code: number | null; signal: NodeJS.Signals | null };

function parseEvent(line: string): LauncherEvent | ProgramLine | undefined {
  const f = line.split('\t');
  switch (f[0]) {
    case 'ready':
      return { ev: 'ready', ...(f[1] ? { pid: Number(f[1]) } : {}) };
    case 'ended':
      return { ev: 'ended', code: f[1] ? Number(f[1]) : null, signal: f[2] ? ((signalName(Number(f[2])) ?? `SIG${f[2]}`) as NodeJS.Signals) : null };
    case 'started':
      return { ev: 'started', id: f[1], pid: Number(f[2]), ...(f[3] ? { startTime: f[3] } : {}) };
    case 'error':
      return { ev: 'error', id: f[1], message: f[2] ?? '' };
    case 'exit':
      return { ev: 'exit', id: f[1], pid: Number(f[2]), code: f[3] === '' ? null : Number(f[3]), signal: f[4] ? (signalName(Number(f[4])) ?? `signal ${f[4]}`) : null };
    case 'swept':
      return { ev: 'swept', id: f[1], signal: f[2], pids: f[3] ? f[3].split(',').map(Number) : [] };
    default:
      return undefined;
  }
}

export class Launcher {
  private child: ChildProcess | undefined;
  private kind: LauncherKind = 'node';
  private program = process.execPath;
  private ready = false;
  private outgoing: string[] = [];
  private flushQueued = false;
  private stderrTail = '';
  private disposed = false;
  private busy = true;
  /** The base environment as last sent, to send it again only when process.env has changed. */
  private sentEnv = '';
  /** The niceness as last sent (a new launcher starts at 0). */
  private sentNice = 0;
  /** The pid the launcher named in "ready", where it is not the host's child. */
  private launcherPid: number | undefined;

  constructor(
    private readonly wrapper: string,
    private readonly onEvent: (e: LauncherEvent) => void,
    /** The launcher ended unasked; `reason` says how. It is started again by the next request. */
    private readonly onDied: (reason: string) => void,
  ) {}

  /** The launcher's pid: the host's child, or for the Python program its keeper's child. */
  get pid(): number | undefined {
    return this.child ? (this.launcherPid ?? this.child.pid) : undefined;
  }

  start(job: StartJob): void {
    const fields = ['start', job.id, job.shell, job.command, job.dir, job.log, job.stdin ?? '', job.cwd, ...envFields(job.env)];
    if (fields.some((f) => f.includes('\0'))) {
      queueMicrotask(() => this.onEvent({ ev: 'error', id: job.id, message: 'a field of the task (command, folder, shell or environment) contains a NUL character, which no program can receive' }));
      return;
    }
    const nice = job.nice ?? 0;
    if (nice !== this.sentNice || !this.child) {
      this.send(record(['nice', String(nice)]));
      this.sentNice = nice;
    }
    this.send(record(fields));
  }

  /** Signals every process of this user carrying the task's marker (except those of `skipGroup`). */
  sweep(id: string, token: string, signal: NodeJS.Signals, skipGroup?: number): void {
    this.send(record(['sweep', id, token, signal, skipGroup !== undefined ? String(skipGroup) : '']));
  }

  /**
   * Whether the launcher keeps this process alive: while starts are unanswered or its tasks
   * run, so a plain Node caller waiting for a task stays up; when idle, it may exit.
   */
  setBusy(busy: boolean): void {
    this.busy = busy;
    const child = this.child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr, child.stdio[3]] as unknown as ({ ref?(): void; unref?(): void } | null)[]) {
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
      // The wrappers of running tasks hold fd 3 open: no longer read, it must not keep this process alive.
      (child.stdio[3] as { destroy?(): void } | null)?.destroy?.();
      child.unref();
    }
  }

  private send(rec: string): void {
    if (this.disposed) return;
    this.ensure();
    this.outgoing.push(rec);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.outgoing.length === 0 || !this.child) return;
    // The tasks start from the host's environment as it is now, not as it was at the launcher's start.
    const env = record(['env', ...envFields(baseEnvironment())]);
    if (env !== this.sentEnv) {
      this.sentEnv = env;
      this.outgoing.unshift(env);
    }
    const text = this.outgoing.join('');
    this.outgoing = [];
    this.child.stdin?.write(text);
  }

  private choose(): void {
    const asked = process.env.BACKGROUND_TASKS_LAUNCHER;
    // Python by default on Linux only: macOS's /usr/bin/python3 may be a stub that asks to install developer tools.
    const kind = asked === 'perl' || asked === 'node' || asked === 'python' ? asked : process.platform === 'linux' ? 'python' : 'node';
    const found = kind === 'node' ? undefined : findInterpreter(kind);
    if (kind !== 'node' && found !== undefined && !broken.has(found)) {
      this.kind = kind;
      this.program = found;
    } else {
      this.kind = 'node';
      this.program = process.execPath;
    }
  }

  private ensure(): void {
    if (this.child) return;
    this.choose();
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    // NODE_OPTIONS of a debugged host (--inspect) would make a Node launcher fight it for the
    // port; PERL5OPT could load modules into the Perl one.
    delete env.NODE_OPTIONS;
    delete env.PERL5OPT;
    // The wrappers of the Perl and Python programs say "started" on fd 3, straight to the engine.
    const stdio: ('pipe')[] = this.kind === 'node' ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'];
    const args = this.kind === 'python' ? ['-I', '-S', '-c', LAUNCHER_PYTHON] : ['-e', this.kind === 'perl' ? LAUNCHER_PERL : LAUNCHER_SCRIPT];
    const child = spawn(this.program, args, { stdio, env });
    const kind = this.kind;
    const program = this.program;
    this.child = child;
    this.ready = false;
    this.launcherPid = undefined;
    this.stderrTail = '';
    this.sentEnv = '';
    this.sentNice = 0;
    // Its end is known once it has exited (or its keeper said how it ended) and its stdout has
    // been read to the end, so no report is lost. Not 'close', which also waits for fd 3, held
    // open by the wrappers of running tasks.
    let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let drained = false;
    const lines = (stream: NodeJS.ReadableStream | null | undefined): void => {
      let input = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        input += chunk;
        for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n')) {
          const line = input.slice(0, i);
          input = input.slice(i + 1);
          const e = parseEvent(line);
          if (!e) continue;
          if (e.ev === 'ready') {
            this.ready = true;
            if (this.child === child) this.launcherPid = e.pid;
          } else if (e.ev === 'ended') {
            exited ??= { code: e.code, signal: e.signal };
          } else if (!this.disposed && this.child === child) this.onEvent(e);
        }
      });
    };
    lines(child.stdout);
    const exits = child.stdio[3] as (NodeJS.ReadableStream & { destroy(): void; on(ev: 'error', f: () => void): void }) | null | undefined;
    lines(exits);
    exits?.on('error', () => undefined);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-2000)));
    child.stdin?.on('error', () => undefined); // EPIPE when it died; the end of stdout below tells the engine
    child.on('error', () => undefined); // a spawn error is followed by 'exit' and the end of stdout
    const ended = (): void => {
      if (!exited || !drained) return;
      exits?.destroy();
      // A keeper that stays for the tasks it adopted holds nothing the host waits on.
      child.stderr?.destroy();
      child.unref();
      if (this.child !== child) return;
      this.child = undefined;
      if (this.disposed) return;
      const how = exited.signal ? `was killed by ${exited.signal}` : `exited with code ${String(exited.code)}`;
      const detail = this.stderrTail.trim() ? `: ${this.stderrTail.trim().split('\n').slice(-3).join(' | ')}` : '';
      // A Perl or Python that cannot run the launcher (too old, no POSIX module, a broken
      // install: it exits before its first line) is not tried again; one killed by a signal was working.
      const fallback = kind !== 'node' && !this.ready && exited.signal === null;
      if (fallback) broken.add(program);
      this.onDied(`the launcher process (${program}) ${how}${detail}${fallback ? '; the Node launcher takes over' : ''}`);
    };
    child.on('exit', (code, signal) => {
      exited ??= { code, signal };
      ended();
    });
    child.stdout?.on('close', () => {
      drained = true;
      ended();
    });
    child.stdin?.write(record(['wrapper', this.wrapper]));
    this.setBusy(this.busy);
  }
}
