// bgt's queue control: pause and resume (the queue, or one task) and export of the history.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ControlClient } from '../control/client';
import { Exit, type ActionResult } from '../control/protocol';
import { parseArgs, UsageError } from './args';
import type { Io } from './waiting';

/**
 * `bgt pause [ID]` / `bgt resume [ID]`. The queue is a state to reach, so asking again is not
 * an error (exit 0); a task that is not running (or not paused) is, like cancelling an ended one (1).
 */
function pauseOrResume(verb: 'pause' | 'resume') {
  return async (client: ControlClient, argv: string[], io: Io): Promise<number> => {
    const args = parseArgs(verb, argv, []);
    if (args.positionals.length > 1) throw new UsageError(`give at most one task id: bgt ${verb} [ID]`, verb);
    const id = args.positionals[0];
    if (id === undefined) {
      const result = await client.request<ActionResult>(`${verb}Queue`);
      io.out(`${result.message}\n`);
      return Exit.ok;
    }
    const result = await client.request<ActionResult>(`${verb}Task`, { id });
    (result.ok ? io.out : io.err)(`${result.message}\n`);
    return result.ok ? Exit.ok : Exit.failure;
  };
}

export const pauseCommand = pauseOrResume('pause');
export const resumeCommand = pauseOrResume('resume');

/** `bgt export --json|--csv [-o FILE]`: the engine's text as it is, to stdout or a 0600 file. */
export async function exportCommand(client: ControlClient, argv: string[], io: Io): Promise<number> {
  const args = parseArgs('export', argv, [{ name: 'json' }, { name: 'csv' }, { name: 'output', short: 'o', value: true }]);
  if (args.positionals.length) throw new UsageError(`export takes no arguments; got "${args.positionals[0]}" (write to a file with -o FILE)`, 'export');
  const formats = (['json', 'csv'] as const).filter((f) => args.flags.has(f));
  if (formats.length !== 1) throw new UsageError('give one format: bgt export --json or bgt export --csv', 'export');
  const { text } = await client.request<{ text: string }>('exportHistory', { format: formats[0] });
  const file = args.values.get('output')?.[0];
  if (file === undefined) {
    io.out(text.endsWith('\n') ? text : `${text}\n`);
    return Exit.ok;
  }
  const target = path.resolve(file);
  if (!fs.existsSync(path.dirname(target))) throw new UsageError(`-o ${target}: its folder does not exist`, 'export');
  // The history holds commands, which can hold secrets: only you may read the file.
  fs.writeFileSync(target, text, { mode: 0o600 });
  io.err(`Wrote the history (${formats[0]}) to ${target}.\n`);
  return Exit.ok;
}
