// The soak's verdicts on queue control: each attempt of a task with retries ran once and shows
// in its one log after its separator; a timeout stops a task that overruns it and never one that
// ends inside it (nor before its time); no task starts while the queue is paused.
import * as fs from 'node:fs';
import type { TaskSnapshot } from '../../../src/core/types';
import { count, violation, type Ledger, type Planned } from './ledger';
import { expectedLog, type readStamps } from './scripts';

type Stamps = ReturnType<typeof readStamps>;

/**
 * The stamp keys of a task's attempts: `<token>.<n>` for a task with retries, else its token.
 * n is the run's own count (retry.sh increments a counter file first), so the highest n seen is
 * how many runs began: a run killed between its count and its start stamp leaves a gap (seen
 * once, seed 200918700, under stress-ng), and its key is listed with no stamps.
 */
export function attemptKeys(p: Planned, stamps: Stamps): string[] {
  if (p.kind !== 'retry') return [p.token];
  let last = 0;
  const prefix = `${p.token}.`;
  for (const key of stamps.keys()) {
    if (key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length))) last = Math.max(last, Number(key.slice(prefix.length)));
  }
  return Array.from({ length: last }, (_, i) => `${prefix}${i + 1}`);
}

const NOTICE = /^(?:Terminated|Killed|Hangup)$/;
const SEPARATOR = /^--- attempt (\d+) of (\d+) \((.*)\) ---$/;

export function checkRetry(ledger: Ledger, p: Planned, final: TaskSnapshot, stamps: Stamps, removed: boolean): void {
  const ran = attemptKeys(p, stamps).length;
  const startedLast = 'startedAt' in final.state && final.state.startedAt !== undefined;
  const expectedRan = startedLast ? final.attempt : final.attempt - 1;
  let log: string | undefined;
  if (!removed) {
    try {
      log = fs.readFileSync(final.logPath, 'utf8');
    } catch {
      log = ''; // an empty log, as for a task that never started
    }
  }
  const segments: string[][] = [[]];
  const endedBy: string[] = [];
  for (const line of (log ?? '').split('\n')) {
    const m = SEPARATOR.exec(line);
    if (m) {
      if (Number(m[1]) !== segments.length + 1 || Number(m[2]) !== final.attempts) violation(ledger, `task ${p.id}: separator "${line}" after ${segments.length} attempt(s) of ${final.attempts}`);
      endedBy.push(m[3]);
      segments.push([]);
    } else if (!NOTICE.test(line) && !NOTICE.test(line.replace(/^.*?(Terminated|Killed)$/, '$1'))) {
      segments[segments.length - 1].push(line);
    }
  }
  // An earlier attempt whose wrapper (the command's shell) the soak SIGKILLed before it started
  // retry.sh never ran: nothing in its part of the log, ended by SIGKILL (seed 372103384). It
  // has no run number, so the runs map onto the other attempts. Or retry.sh ran its first,
  // silent steps (its run counter) and was killed before its first line (seed 588318184): then
  // it does have one. Such an attempt counts as a run or not.
  const notRun = new Set<number>();
  if (p.killedAt !== undefined && log !== undefined) {
    segments.forEach((lines, i) => {
      if (i < segments.length - 1 && lines.join('') === '' && endedBy[i] === 'SIGKILL') notRun.add(i);
    });
  }
  // An attempt stopped right after its wrapper started (a cancel, a kill, its timeout) may end
  // before its command ran a line: the wrapper does not start a command it was told to stop.
  const s = final.state;
  const stoppedEarly = s.status === 'cancelled' || (s.status === 'failed' && (s.timedOut === true || s.error === 'lost' || s.signal !== undefined || p.killedAt !== undefined));
  const want = expectedRan - notRun.size;
  // With the log gone (removed), an attempt killed before it ran cannot be told from the rest.
  const lowest = log === undefined && p.killedAt !== undefined ? 1 : want;
  const most = want + notRun.size;
  if ((ran < lowest || ran > most) && !(stoppedEarly && startedLast && ran === want - 1)) {
    violation(ledger, `task ${p.id} (${p.token}, retries ${p.retries}) is at attempt ${final.attempt} (${final.state.status}) but its command ran ${ran} times`);
  }
  if (final.attempts !== p.retries! + 1) violation(ledger, `task ${p.id}: attempts ${final.attempts}, expected ${p.retries! + 1}`);
  if (final.state.status === 'failed' && p.cancelledAt === undefined && p.killedAt === undefined && final.attempt !== final.attempts) {
    violation(ledger, `task ${p.id} failed at attempt ${final.attempt} of ${final.attempts} without a cancel`);
  }
  count(ledger, `retry tasks ended at attempt ${final.attempt}`);
  if (notRun.size > 0) count(ledger, 'retry attempts killed before their command ran');
  if (log === undefined) return;
  if (segments.length !== final.attempt) violation(ledger, `task ${p.id}: its log holds ${segments.length} attempt(s), the task says ${final.attempt}`);
  const expected = expectedLog(p.token, p.lines);
  let run = 0;
  segments.forEach((lines, i) => {
    if (notRun.has(i)) return;
    run++;
    const text = lines.join('\n');
    const ranToEnd = stamps.get(`${p.token}.${run}`)?.end !== undefined;
    // Each segment ends where the next separator begins (on a line of its own), or with the log.
    const whole = i === segments.length - 1 ? expected : expected.slice(0, -1);
    if (ranToEnd ? text !== whole : !expected.startsWith(text)) violation(ledger, `task ${p.id} (${p.token}): the output of attempt ${i + 1} in its log is not what it printed (${text.length} chars)`);
  });
  count(ledger, 'retry logs checked');
}

export function checkTimeout(ledger: Ledger, p: Planned, final: TaskSnapshot): void {
  const s = final.state;
  if (s.status === 'cancelled' || p.killedAt !== undefined) return void count(ledger, 'timeout tasks cancelled or killed');
  const timedOut = s.status === 'failed' && s.timedOut === true;
  if (p.overrun && !timedOut) return void violation(ledger, `task ${p.id} (${p.token}) should have timed out after ${p.timeoutSeconds}s: ${JSON.stringify(s)}`);
  if (!p.overrun && timedOut) return void violation(ledger, `task ${p.id} (${p.token}) timed out though it ends well inside ${p.timeoutSeconds}s`);
  if (timedOut && s.status === 'failed') {
    if (s.error !== `timed out after ${p.timeoutSeconds}s`) violation(ledger, `task ${p.id}: error "${s.error}"`);
    const ran = s.endedAt - s.startedAt! - (s.pausedMs ?? 0);
    // Times are whole milliseconds from two clocks' reads: a few ms of slack.
    if (ran < p.timeoutSeconds! * 1000 - 20) violation(ledger, `task ${p.id} was stopped after running ${ran} ms, before its ${p.timeoutSeconds}s timeout`);
    count(ledger, 'timed out as planned');
  } else {
    count(ledger, 'ended inside their timeout as planned');
  }
}

/** No attempt may start while the queue is paused, but for starts already under way when it was paused. */
export function checkPausedStarts(ledger: Ledger, planned: Iterable<Planned>, stamps: Stamps): void {
  const SLACK_MS = 2000;
  const spans = ledger.queuePaused.map(([a, b]) => [a + SLACK_MS, b] as const).filter(([a, b]) => a < b);
  let checked = 0;
  for (const p of planned) {
    for (const key of attemptKeys(p, stamps)) {
      const start = stamps.get(key)?.start;
      if (start === undefined) continue;
      checked++;
      if (spans.some(([a, b]) => start > a && start < b)) violation(ledger, `${key} (task ${p.id}) started while the queue was paused`);
    }
  }
  count(ledger, 'starts checked against queue pauses', checked);
}
