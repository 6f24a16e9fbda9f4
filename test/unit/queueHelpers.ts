// Shared by the queue-control tests: commands that stamp their start and end into a file, the
// peak concurrency those stamps prove, and the CPU time of a process from /proc.
import * as fs from 'node:fs';
import { q } from './helpers';

/** A command that stamps `s <label> <ns>` at its start and `e <label> <ns>` at its end around `body`. */
export function stamped(file: string, label: string, body: string): string {
  return `echo "s ${label} $(date +%s%N)" >> ${q(file)}; ${body}; echo "e ${label} $(date +%s%N)" >> ${q(file)}`;
}

export interface Stamp {
  kind: 's' | 'e';
  label: string;
  ns: bigint;
}

export function readStampFile(file: string): Stamp[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, label, ns] = line.split(' ');
      return { kind: kind as 's' | 'e', label, ns: BigInt(ns) };
    });
}

/** The most tasks running at once per the stamps (a start at the same time as an end counts first), among those `label` selects. */
export function peakOf(stamps: readonly Stamp[], select: (label: string) => boolean = () => true): number {
  const events = stamps.filter((s) => select(s.label)).sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.kind === 's' ? -1 : 1));
  let running = 0;
  let peak = 0;
  for (const e of events) {
    running += e.kind === 's' ? 1 : -1;
    peak = Math.max(peak, running);
  }
  return peak;
}

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The state letter of a process (R, S, T for stopped, Z...). */
export function procState(pid: number): string {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
}

/** The processes of group `pgid`, from /proc. */
function groupProcesses(pgid: number): { pid: number; ppid: number; state: string; name: string }[] {
  const procs: { pid: number; ppid: number; state: string; name: string }[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid) procs.push({ pid: Number(name), ppid: Number(f[1]), state: f[0], name: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')) });
    } catch {
      // gone meanwhile
    }
  }
  return procs;
}

/** What a timed-out wait for groupStopped() says: each process of the group, its parent and state. */
export function groupStoppedWait(pgid: number): () => string {
  return () => `group ${pgid} stopped; its processes: ${groupProcesses(pgid).map((p) => `${p.pid} (${p.name}, parent ${p.ppid}) ${p.state}`).join(', ') || 'none'}`;
}

/**
 * Whether the process group `pgid` is stopped: each of its processes in T, or in D with a child
 * of the group in T (a shell stopped inside vfork() waits there, uninterruptibly, for a child
 * that the same SIGSTOP stopped before its exec). A zombie counts as stopped: a child (the
 * loop's `sleep`) that ended just as the signal stopped its shell stays a zombie, unreaped,
 * until the shell runs again. False when the group has no process in T.
 */
export function groupStopped(pgid: number): boolean {
  const procs = groupProcesses(pgid);
  return (
    procs.some((p) => p.state === 'T') &&
    procs.every((p) => p.state === 'T' || p.state === 'Z' || (p.state === 'D' && procs.some((c) => c.ppid === p.pid && c.state === 'T')))
  );
}

/** A command that runs until `file` exists. */
export const until = (file: string): string => `while [ ! -e ${q(file)} ]; do sleep 0.02; done`;
