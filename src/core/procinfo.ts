// What the operating system says about a process: is it alive, and is it still the one we
// started (a pid can be reused by another program once ours has ended).
import * as fs from 'node:fs';
import { constants } from 'node:os';

interface ProcStat {
  state: string;
  pgrp: string;
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 (start time in clock ticks since boot) is fields[19].
  return { state: fields[0], pgrp: fields[2], startTime: fields[19] };
}

/** Whether this system has /proc (Linux); elsewhere start times are unknown. */
export const HAS_PROC = fs.existsSync('/proc/self/stat');

/** Start time of a process (field 22 of /proc/<pid>/stat), or undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** True while a process with this pid exists and has not ended (a zombie counts as ended). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  const stat = readStat(pid);
  return stat === undefined ? !HAS_PROC : stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * True when `pid` is alive and is the process we recorded: its start time matches. Without
 * /proc (not Linux) the start time cannot be checked and liveness alone decides.
 */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isAlive(pid)) {
    return false;
  }
  if (!HAS_PROC) {
    return true;
  }
  return startTime !== undefined && processStartTime(pid) === startTime;
}

/**
 * True when the process is the wrapper of the task whose folder is `dir`: the sh wrapper has
 * the folder as an argument, the Perl launcher's wrapper the command line `background-task <dir>`.
 */
export function isTaskWrapper(pid: number, dir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.split('\0').includes(dir) || cmdline.replace(/\0+$/, '') === `background-task ${dir}`;
  } catch {
    return false;
  }
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) {
    return false;
  }
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group is alive (zombies awaiting their reaper do not count). */
export function groupExists(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!HAS_PROC) return true;
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = readStat(Number(name));
    if (stat && stat.pgrp === String(pgid) && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** The name of a signal number (9 → SIGKILL), or undefined. */
export function signalName(num: number): string | undefined {
  for (const [name, value] of Object.entries(constants.signals)) {
    if (value === num) {
      return name;
    }
  }
  return undefined;
}
