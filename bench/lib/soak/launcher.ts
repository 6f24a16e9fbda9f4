// The soak's view of the engine's launcher: the host's child processes whose command line
// carries the task marker (the launcher programs name it; a task's wrapper does not).
import * as fs from 'node:fs';

function statFields(pid: string): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Pids of this process's live launchers. */
export function launcherPids(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(name);
    if (!f || f[1] !== String(process.pid) || f[0] === 'Z') continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('BACKGROUND_TASKS_TASK_ID=')) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
