// The soak's view of the engine's launcher: the host's child processes whose command line
// carries the task marker (the launcher programs name it; a task's wrapper does not), and
// their children of the same program (the Python program's launcher, under its keeper).
import * as fs from 'node:fs';

function statFields(pid: string): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function isProgram(pid: string): boolean {
  const f = statFields(pid);
  if (!f || f[0] === 'Z') return false;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('BACKGROUND_TASKS_TASK_ID=');
  } catch {
    return false; // gone meanwhile
  }
}

function comm(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * Pids of this process's live launchers: its children running a launcher program, or for the
 * Python program the launcher its keeper child ("bgt-keeper") forked. Not the keepers, which
 * hold the tasks' session and have no work of their own.
 */
export function launcherPids(): number[] {
  const names = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  const children = names.filter((n) => statFields(n)?.[1] === String(process.pid) && isProgram(n));
  const grandchildren = names.filter((n) => children.includes(statFields(n)?.[1] ?? '') && isProgram(n));
  return [...children, ...grandchildren].filter((n) => comm(n) !== 'bgt-keeper').map(Number);
}
