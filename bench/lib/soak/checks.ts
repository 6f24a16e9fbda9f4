// The soak's verdicts: no task stuck, one finish event per task, history equal to what was done,
// each result what its story says, every log complete, the limit never exceeded, chains in order.
import * as fs from 'node:fs';
import type { TaskSnapshot } from '../../../src/core/types';
import { count, violation, type Ledger, type Planned } from './ledger';
import { attemptKeys, checkPausedStarts, checkRetry, checkTimeout } from './queueChecks';
import { expectedLog, readStamps } from './scripts';

type Stamps = ReturnType<typeof readStamps>;

function endOf(s: TaskSnapshot): number | undefined {
  return 'endedAt' in s.state ? s.state.endedAt : undefined;
}

/** The status a task must end with, given what the soak did to it and to its inputs. */
function expectedStatus(p: Planned, finalOf: (id: string) => TaskSnapshot | undefined, stamps: Stamps): string {
  // Every dependsOn task must complete; the stdinFrom task must only not be cancelled (a
  // failed one still feeds its output), as src/core/scheduler.ts documents.
  if (p.dependsOn.some((d) => finalOf(d)?.state.status !== 'completed')) return 'cancelled';
  if (p.stdinFrom !== undefined && finalOf(p.stdinFrom)?.state.status === 'cancelled') return 'cancelled';
  if (p.cancelledAt !== undefined) return 'cancelled';
  // A killed attempt of a task with retries is a failed attempt: the next one may complete.
  if (p.killedAt !== undefined && p.kind === 'retry') return p.exit === 0 ? 'completed|failed' : 'failed';
  // A kill that landed after the program's last line (its wrapper was still reporting the
  // exit) finds nothing left to kill, or only the shell about to exit.
  const end = stamps.get(p.token)?.end;
  if (p.killedAt !== undefined) return end !== undefined && end <= p.killedAt ? `${p.exit === 0 ? 'completed' : 'failed'}|failed` : 'failed';
  if (p.kind === 'timeout' && p.overrun) return 'failed';
  return p.exit === 0 ? 'completed' : 'failed';
}

function within(t: number | undefined, spans: [number, number][], slackMs: number): boolean {
  return t !== undefined && spans.some(([a, b]) => t >= a - slackMs && t <= b + slackMs);
}

export function checkAll(ledger: Ledger, history: TaskSnapshot[], side: string): void {
  const stamps = readStamps(side);
  const inHistory = new Map(history.map((s) => [s.id, s]));
  const finalOf = (id: string): TaskSnapshot | undefined => inHistory.get(id) ?? ledger.finishEvents.get(id)?.at(-1);

  for (const s of history) {
    if (s.state.status === 'pending' || s.state.status === 'running') violation(ledger, `task ${s.id} is stuck ${s.state.status} at the end`);
    if (!ledger.planned.has(s.id)) violation(ledger, `history holds task ${s.id} that the soak never spawned`);
  }
  for (const id of ledger.finishEvents.keys()) if (!ledger.planned.has(id)) violation(ledger, `finish event for unknown task ${id}`);

  for (const p of ledger.planned.values()) {
    const events = ledger.finishEvents.get(p.id) ?? [];
    if (events.length !== 1) violation(ledger, `task ${p.id} (${p.token}, ${p.kind}) had ${events.length} finish events${events.length ? `: ${events.map((e) => e.state.status).join(', ')}` : ''}`);
    const final = finalOf(p.id);
    if (!p.removed && !inHistory.has(p.id)) violation(ledger, `task ${p.id} (${p.token}) is missing from the history`);
    if (p.removed && inHistory.has(p.id)) violation(ledger, `task ${p.id} was reported removed but is still in the history`);
    if (!final) continue;
    if (events.length > 0 && events.at(-1)!.state.status !== final.state.status) {
      violation(ledger, `task ${p.id}: finish event said ${events.at(-1)!.state.status}, history says ${final.state.status}`);
    }
    checkStatus(ledger, p, final, finalOf, stamps);
    if (p.kind === 'retry') checkRetry(ledger, p, final, stamps, p.removed === true);
    else if (!p.removed) checkLog(ledger, p, final, finalOf, stamps);
    if (p.kind === 'timeout') checkTimeout(ledger, p, final);
    checkOrder(ledger, p, finalOf, stamps);
  }
  checkLimit(ledger, finalOf, stamps);
  checkPausedStarts(ledger, ledger.planned.values(), stamps);
}

function checkStatus(ledger: Ledger, p: Planned, final: TaskSnapshot, finalOf: (id: string) => TaskSnapshot | undefined, stamps: Stamps): void {
  const want = expectedStatus(p, finalOf, stamps);
  const got = final.state.status;
  count(ledger, `ended ${got}`);
  if (want.split('|').includes(got)) return;
  const s = final.state;
  // A reattached task that ended while its folder was read-only left no exit file: "lost".
  if (got === 'failed' && 'error' in s && s.error === 'lost' && within(stamps.get(p.token)?.end, ledger.readOnly, 1000)) {
    count(ledger, 'tolerated: lost during read-only storage');
    return;
  }
  violation(ledger, `task ${p.id} (${p.token}, ${p.kind}${p.cancelledAt ? ', cancelled' : ''}${p.killedAt ? ', killed' : ''}) ended ${got} (${JSON.stringify(s)}), expected ${want}`);
}

function checkLog(ledger: Ledger, p: Planned, final: TaskSnapshot, finalOf: (id: string) => TaskSnapshot | undefined, stamps: Stamps): void {
  let log: string;
  try {
    log = fs.readFileSync(final.logPath, 'utf8');
  } catch {
    log = '';
  }
  log = withoutNotices(ledger, log);
  let expected: string;
  if (p.kind === 'pipe') {
    const from = finalOf(p.stdinFrom!);
    if (!from || !fs.existsSync(from.logPath)) return void count(ledger, 'logs not checkable (input removed)');
    expected = fs.readFileSync(from.logPath, 'utf8');
  } else {
    expected = expectedLog(p.token, p.lines);
  }
  const started = stamps.get(p.token)?.start !== undefined;
  const ranToEnd = stamps.get(p.token)?.end !== undefined;
  if (!started) {
    if (log !== '') violation(ledger, `task ${p.id} (${p.token}) never started but its log holds ${log.length} chars`);
    return void count(ledger, 'logs checked (empty)');
  }
  if (ranToEnd && log !== expected) {
    violation(ledger, `task ${p.id} (${p.token}) ran to its end but its log differs: ${log.length} chars, expected ${expected.length}`);
  } else if (!expected.startsWith(log)) {
    violation(ledger, `task ${p.id} (${p.token}) was stopped and its log is not a prefix of the expected output (${log.length} chars)`);
  }
  count(ledger, ranToEnd ? 'logs checked (complete)' : 'logs checked (prefix)');
}

// Lines that are not the program's output but legitimately land in its log: the shell's note
// that a child died by a signal. (The wrapper keeps quiet when its folder is read-only.)
const NOTICE = /^(?:Terminated|Killed|Hangup)$/;

function withoutNotices(ledger: Ledger, log: string): string {
  const lines = log.split('\n');
  const kept = lines.filter((l) => !NOTICE.test(l));
  if (kept.length === lines.length) return log;
  count(ledger, 'shell notices in logs (Terminated, Killed)', lines.length - kept.length);
  return kept.join('\n');
}

function checkOrder(ledger: Ledger, p: Planned, finalOf: (id: string) => TaskSnapshot | undefined, stamps: Stamps): void {
  const start = stamps.get(p.token)?.start;
  if (start === undefined) return;
  for (const d of p.stdinFrom ? [...p.dependsOn, p.stdinFrom] : p.dependsOn) {
    const dep = ledger.planned.get(d);
    const depEnd = (dep && stamps.get(dep.token)?.end) ?? endOf(finalOf(d)!);
    if (depEnd === undefined || depEnd > start) violation(ledger, `task ${p.id} (${p.token}) started before its input ${d} ended`);
  }
}

/** No start may find `limit` or more others running, for the highest limit set in the second before. */
function checkLimit(ledger: Ledger, finalOf: (id: string) => TaskSnapshot | undefined, stamps: Stamps): void {
  const spans: { token: string; start: number; end: number }[] = [];
  for (const p of ledger.planned.values()) {
    const keys = attemptKeys(p, stamps);
    keys.forEach((key, i) => {
      const st = stamps.get(key);
      if (st?.start === undefined) return;
      // An attempt stopped before its end stamp ended before the next one started.
      const end = st.end ?? (i < keys.length - 1 ? stamps.get(keys[i + 1])?.start : undefined) ?? endOf(finalOf(p.id)!) ?? Infinity;
      spans.push({ token: key, start: st.start, end });
    });
  }
  const limits = ledger.limits;
  const limitNear = (t: number): number => {
    let inForce = limits[0]?.[1] ?? 1;
    let most = 0;
    for (const [at, n] of limits) {
      if (at <= t - 1500) inForce = n;
      else if (at <= t) most = Math.max(most, n);
    }
    return Math.max(inForce, most);
  };
  let worst = 0;
  for (const x of spans) {
    const others = spans.filter((o) => o !== x && o.start < x.start && o.end > x.start).length;
    worst = Math.max(worst, others + 1);
    if (others >= limitNear(x.start)) violation(ledger, `${x.token} started with ${others} others running, limit ${limitNear(x.start)}`);
  }
  count(ledger, 'most tasks running at once', worst);
}
