// bgt: the Background Tasks command line. Run by the extension host's own Node through the
// `bgt` shim on the integrated terminal's PATH; talks to the window's engine over the socket
// in BACKGROUND_TASKS_SOCKET. Plain Node, bundled apart from the extension (dist/cli.js).
import type { TaskSnapshot, TaskStatistics, TaskStatus } from '../core/types';
import { TASK_STATUSES } from '../core/types';
import { ControlClient, NoEngineError, RemoteError } from '../control/client';
import { ErrorCode, Exit, PROTOCOL_VERSION, type HelloResult } from '../control/protocol';
import { parseArgs, UsageError } from './args';
import { COMMAND_HELP, MAIN_HELP } from './help';
import { serveMcp } from './mcp';
import { exportCommand, pauseCommand, resumeCommand } from './queue';
import { details, listing, statistics } from './text';
import { RUN_OPTIONS, runCommand, tailCommand, waitCommand, type Io } from './waiting';

const HELLO_TIMEOUT_MS = 10_000;

const io: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  onceDrained: (resume) => void process.stdout.once('drain', resume),
};

type Command = (client: ControlClient, argv: string[], io: Io) => Promise<number>;

function json(value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

function oneId(command: string, argv: string[], flags: { name: string }[] = []): { id: string; flags: Set<string> } {
  const args = parseArgs(command, argv, flags);
  if (args.positionals.length !== 1) throw new UsageError(`give one task id: bgt ${command} ID`, command);
  return { id: args.positionals[0], flags: args.flags };
}

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  wait: waitCommand,
  tail: tailCommand,
  pause: pauseCommand,
  resume: resumeCommand,
  export: exportCommand,
  ls: async (client, argv) => {
    const args = parseArgs('ls', argv, [...TASK_STATUSES.map((name) => ({ name })), { name: 'json' }]);
    if (args.positionals.length) throw new UsageError(`ls takes no arguments; got "${args.positionals[0]}"`, 'ls');
    const status = TASK_STATUSES.filter((s) => args.flags.has(s)) as TaskStatus[];
    const tasks = await client.request<TaskSnapshot[]>('list', status.length ? { status } : {});
    if (args.flags.has('json')) {
      json(tasks);
      return Exit.ok;
    }
    // Pending tasks that never start are a puzzle unless the listing says the queue is paused.
    const pending = tasks.filter((t) => t.state.status === 'pending').length;
    const paused = pending > 0 && (await client.request<TaskStatistics>('stats')).queuePaused;
    io.out(`${listing(tasks, status)}\n${paused ? `The queue is paused: ${pending === 1 ? 'the pending task waits' : `the ${pending} pending tasks wait`} until bgt resume.\n` : ''}`);
    return Exit.ok;
  },
  show: async (client, argv) => {
    const { id, flags } = oneId('show', argv, [{ name: 'json' }]);
    const task = await client.request<TaskSnapshot>('get', { id });
    if (flags.has('json')) json(task);
    else io.out(`${details(task, (await client.request<{ lines: string[] }>('tail', { id, lines: 10, stripAnsi: true })).lines)}\n`);
    return Exit.ok;
  },
  cancel: async (client, argv) => {
    const { id } = oneId('cancel', argv);
    const result = await client.request<{ ok: boolean; message: string }>('cancel', { id });
    (result.ok ? io.out : io.err)(`${result.message}\n`);
    return result.ok ? Exit.ok : Exit.failure;
  },
  rerun: async (client, argv) => {
    const { id } = oneId('rerun', argv);
    io.out(`${(await client.request<{ id: string }>('rerun', { id })).id}\n`);
    return Exit.ok;
  },
  clear: async (client, argv) => {
    parseArgs('clear', argv, []);
    const { removed } = await client.request<{ removed: number }>('clear');
    io.out(`Removed ${removed} finished task${removed === 1 ? '' : 's'}.\n`);
    return Exit.ok;
  },
  stats: async (client, argv) => {
    const args = parseArgs('stats', argv, [{ name: 'json' }]);
    const stats = await client.request<TaskStatistics>('stats');
    if (args.flags.has('json')) json(stats);
    else io.out(`${statistics(stats)}\n`);
    return Exit.ok;
  },
};

/** `bgt COMMAND --help`; for run only among the options before the command (`bgt run -- grep --help` runs grep). */
function wantsHelp(name: string, argv: string[]): boolean {
  if (name === 'run') {
    try {
      return parseArgs('run', argv, [...RUN_OPTIONS, { name: 'help', short: 'h' }], true).flags.has('help');
    } catch {
      return false; // the command itself reports the usage error
    }
  }
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Runs bgt with these arguments; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(MAIN_HELP + '\n');
    return Exit.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(`${rest[0] && COMMAND_HELP[rest[0]] ? COMMAND_HELP[rest[0]] : MAIN_HELP}\n`);
    return Exit.ok;
  }
  if (!COMMANDS[name] && name !== 'mcp') {
    io.err(`bgt: unknown command "${name}". Run bgt --help for the commands.\n`);
    return Exit.usage;
  }
  if (wantsHelp(name, rest)) {
    io.out(`${COMMAND_HELP[name]}\n`);
    return Exit.ok;
  }
  let client: ControlClient | undefined;
  try {
    const socketPath = ControlClient.socketFromEnv();
    if (name === 'mcp') {
      return await serveMcp(socketPath);
    }
    client = await ControlClient.connect(socketPath);
    const hello = await client.request<HelloResult>('hello', {}, undefined, HELLO_TIMEOUT_MS);
    if (hello.protocol !== PROTOCOL_VERSION) {
      io.err(`bgt: this bgt speaks protocol ${PROTOCOL_VERSION} and the window's engine ${hello.protocol}; open a new terminal so both come from the same extension.\n`);
      return Exit.noEngine;
    }
    return await COMMANDS[name](client, rest, io);
  } catch (err) {
    return report(err, name);
  } finally {
    client?.close();
  }
}

function report(err: unknown, command: string): number {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof UsageError) {
    io.err(`bgt ${err.command ?? command}: ${message}\nRun bgt ${err.command ?? command} --help for its usage.\n`);
    return Exit.usage;
  }
  if (err instanceof NoEngineError) {
    io.err(`bgt: ${message}\n`);
    return Exit.noEngine;
  }
  if (err instanceof RemoteError) {
    io.err(`bgt ${command}: ${message}\n`);
    if (err.code === ErrorCode.unknownTask) return Exit.unknownTask;
    if (err.code === ErrorCode.untrusted) return Exit.untrusted;
    if (err.code === ErrorCode.invalidParams) return Exit.usage;
    return Exit.failure;
  }
  io.err(`bgt ${command}: ${message}\n`);
  return Exit.failure;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Whatever still holds the loop (a stdin nobody reads any more) must not keep bgt alive.
    setTimeout(() => process.exit(code), 1000).unref();
  });
}
