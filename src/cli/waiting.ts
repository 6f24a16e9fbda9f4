// The bgt commands that stay with a task: run (its stdin, --wait), wait and tail.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TASK_PRIORITIES, TASK_TYPES, type TaskSnapshot } from '../core/types';
import type { ControlClient } from '../control/client';
import { Exit, exitCodeOf, type OutputNotification, type RunParams, type RunResult, type WaitResult } from '../control/protocol';
import { statusLine } from '../control/statusLine';
import { joinCommand, parseArgs, UsageError, type OptionSpec, type Parsed } from './args';
import { parseAt, parseCount, parseDuration } from './when';

export interface Io {
  out(text: string): boolean;
  err(text: string): void;
  onceDrained(resume: () => void): void;
}

/** Variables that belong to the calling shell itself, not to what it runs. */
const SHELL_OWN = new Set(['_', 'OLDPWD', 'PWD', 'SHLVL']);

/** This shell's environment for the task (the venv, nvm, tokens a person expects), less bgt's own plumbing. */
export function terminalEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || SHELL_OWN.has(key)) continue;
    // Set by the shim to run Electron as Node; a task must not inherit it (it breaks `code`).
    if (key === 'ELECTRON_RUN_AS_NODE' && env.BGT_SHIM_ELECTRON === '1') continue;
    if (key === 'BGT_SHIM_ELECTRON') continue;
    out[key] = value;
  }
  return out;
}

function stdinIsPipeOrFile(): boolean {
  try {
    const st = fs.fstatSync(0);
    return st.isFIFO() || st.isFile();
  } catch {
    return false;
  }
}

/** Streams what output notifications bring to stdout, pausing the socket while stdout is full. */
function printer(client: ControlClient, io: Io, quiet: boolean): (method: string, params: unknown) => void {
  return (method, params) => {
    if (method !== 'output' || quiet) return;
    if (!io.out((params as OutputNotification).text)) {
      client.pause();
      io.onceDrained(() => client.resume());
    }
  };
}

export const RUN_OPTIONS: OptionSpec[] = [
  { name: 'priority', short: 'p', value: true },
  { name: 'type', short: 't', value: true },
  { name: 'after', value: true, repeat: true },
  { name: 'stdin-from', value: true },
  { name: 'meta', value: true, repeat: true },
  { name: 'cwd', value: true },
  { name: 'wait' },
  { name: 'quiet' },
  { name: 'no-stdin' },
  { name: 'timeout', value: true },
  { name: 'retries', value: true },
  { name: 'retry-delay', value: true },
  { name: 'delay', value: true },
  { name: 'at', value: true },
  { name: 'lane', value: true },
];

/** --timeout, --retries, --retry-delay, --delay, --at and --lane as run's parameters. */
function queueParams(args: Parsed): Partial<RunParams> {
  const one = (name: string): string | undefined => args.values.get(name)?.[0];
  const out: Partial<RunParams> = {};
  const timeout = one('timeout');
  if (timeout !== undefined) out.timeoutSeconds = parseDuration('--timeout', timeout);
  const retries = one('retries');
  if (retries !== undefined) out.retries = parseCount('--retries', retries);
  const retryDelay = one('retry-delay');
  if (retryDelay !== undefined) out.retryDelaySeconds = parseDuration('--retry-delay', retryDelay);
  const delay = one('delay');
  const at = one('at');
  if (delay !== undefined && at !== undefined) throw new UsageError('give --delay or --at, not both', 'run');
  if (delay !== undefined) out.delaySeconds = parseDuration('--delay', delay);
  if (at !== undefined) out.startAt = parseAt(at);
  const lane = one('lane');
  if (lane !== undefined) {
    if (lane.trim() === '') throw new UsageError('--lane needs a lane name, e.g. --lane gpu', 'run');
    out.lane = lane;
  }
  return out;
}

export async function runCommand(client: ControlClient, argv: string[], io: Io): Promise<number> {
  const args = parseArgs('run', argv, RUN_OPTIONS, true);
  if (args.positionals.length === 0) throw new UsageError('no command given: bgt run [options] [--] COMMAND...', 'run');
  const priority = args.values.get('priority')?.[0];
  if (priority !== undefined && !(TASK_PRIORITIES as readonly string[]).includes(priority)) {
    throw new UsageError(`unknown priority "${priority}": use ${TASK_PRIORITIES.join(', ')}`, 'run');
  }
  const type = args.values.get('type')?.[0];
  if (type !== undefined && !(TASK_TYPES as readonly string[]).includes(type)) throw new UsageError(`unknown type "${type}": use code or system`, 'run');
  const wait = args.flags.has('wait');
  if (args.flags.has('quiet') && !wait) throw new UsageError('--quiet only goes with --wait', 'run');
  const metadata: Record<string, string> = {};
  for (const pair of args.values.get('meta') ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--meta needs KEY=VALUE; got "${pair}"`, 'run');
    metadata[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const cwd = path.resolve(args.values.get('cwd')?.[0] ?? process.cwd());
  if (!fs.existsSync(cwd)) throw new UsageError(`--cwd ${cwd} does not exist`, 'run');
  const stdin = !args.flags.has('no-stdin') && !args.values.has('stdin-from') && stdinIsPipeOrFile();
  const params: RunParams = { command: joinCommand(args.positionals), cwd, env: terminalEnv(), stdin, ...queueParams(args) };
  if (priority) params.priority = priority;
  if (type) params.type = type;
  if (args.values.has('after')) params.dependsOn = args.values.get('after');
  if (args.values.has('stdin-from')) params.stdinFrom = args.values.get('stdin-from')?.[0];
  if (Object.keys(metadata).length) params.metadata = metadata;

  const { id, stdinPipe } = await client.request<RunResult>('run', params);
  if (wait) io.err(`${id}\n`);
  else io.out(`${id}\n`);
  if (!wait && !stdinPipe) return Exit.ok;
  // Waiting for the end also tells the stdin feeder when to stop (a task that quit early).
  const ended = wait
    ? client.request<{ task: TaskSnapshot }>('follow', { id }, printer(client, io, args.flags.has('quiet'))).then((r) => r.task)
    : client.request<WaitResult>('wait', { id }).then((r) => r.task);
  if (!wait) ended.catch(() => undefined); // only a signal for the feeder; bgt's answer is the id
  if (stdinPipe) await feedStdin(client, id, stdinPipe, ended);
  if (!wait) return Exit.ok;
  return exitCodeOf(await ended) ?? Exit.failure;
}

/** Copies this process's stdin into the task's FIFO until stdin ends or the task does. */
async function feedStdin(client: ControlClient, id: string, fifo: string, ended: Promise<unknown>): Promise<void> {
  let fd: number;
  try {
    // Never blocks: the endpoint holds the FIFO open until the task has it.
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    client.notify('stdinAttached', { id });
    return; // the task already ended and the FIFO is gone: nothing wants this input
  }
  const pipe = new net.Socket({ fd, readable: false, writable: true });
  client.notify('stdinAttached', { id });
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.stdin.unpipe(pipe);
      process.stdin.destroy();
      pipe.destroy();
      resolve();
    };
    pipe.on('error', done); // EPIPE: the task closed its stdin
    pipe.on('finish', done);
    process.stdin.on('error', done);
    void ended.then(done, done);
    process.stdin.pipe(pipe);
  });
}

export async function waitCommand(client: ControlClient, argv: string[], io: Io): Promise<number> {
  const args = parseArgs('wait', argv, [{ name: 'max-wait', value: true }]);
  if (args.positionals.length === 0) throw new UsageError('give at least one task id: bgt wait ID... [--max-wait S]', 'wait');
  const raw = args.values.get('max-wait')?.[0];
  const seconds = raw === undefined ? undefined : Number(raw);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) throw new UsageError(`--max-wait needs seconds (a number of at least 0); got "${raw}"`, 'wait');
  for (const id of args.positionals) await client.request('get', { id }); // unknown ids fail before any wait
  const params = (id: string) => (seconds === undefined ? { id } : { id, timeoutMs: seconds * 1000 });
  const results = await Promise.all(args.positionals.map((id) => client.request<WaitResult>('wait', params(id))));
  for (const r of results) io.err(`${statusLine(r.task)}\n`);
  const first = results.find((r) => r.task.state.status !== 'completed');
  if (!first) return Exit.ok;
  return first.timedOut ? Exit.stillRunning : (exitCodeOf(first.task) ?? Exit.failure);
}

export async function tailCommand(client: ControlClient, argv: string[], io: Io): Promise<number> {
  const args = parseArgs('tail', argv, [{ name: 'follow', short: 'f' }, { name: 'lines', short: 'n', value: true }]);
  if (args.positionals.length !== 1) throw new UsageError('give one task id: bgt tail [-f] [-n N] ID', 'tail');
  const raw = args.values.get('lines')?.[0] ?? '10';
  const lines = Number(raw);
  if (!Number.isInteger(lines) || lines < 0) throw new UsageError(`-n needs a whole number of lines; got "${raw}"`, 'tail');
  const id = args.positionals[0];
  if (args.flags.has('follow')) {
    await client.request('follow', { id, lines }, printer(client, io, false));
    return Exit.ok;
  }
  const { lines: tail } = await client.request<{ lines: string[] }>('tail', { id, lines });
  if (tail.length) io.out(`${tail.join('\n')}\n`);
  return Exit.ok;
}
