// What a task needs before its process can start: its working folder and stdin, the command
// in a form that fits in an argument, and (after a start) the pid its wrapper recorded.
import * as fs from 'node:fs';
import * as path from 'node:path';

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
export function commandArgument(req: { command: string; dir: string }): string {
  if (Buffer.byteLength(req.command) <= LONG_COMMAND_BYTES) return req.command;
  const file = `${req.dir}/command`;
  fs.writeFileSync(file, req.command, { mode: 0o600 });
  return `. ${shellQuote(file)}`;
}

/** The pid a wrapper wrote first thing into the task's folder, or undefined. */
export function readPidFile(dir: string): number | undefined {
  try {
    const raw = fs.readFileSync(path.join(dir, 'pid'), 'utf8');
    const pid = Number(raw.trim());
    return raw.endsWith('\n') && Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
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
