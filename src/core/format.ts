// Text shapes shared by every surface (tree, notifications, quick pick, output channel), in
// the seed system's format: `✓ ¢ [abc123] COMPLETED  2.3s            pytest tests/unit`.
import type { TaskMessage, TaskPriority, TaskSnapshot, TaskStatus, TaskType } from './types';

export const STATUS_MARKS: Record<TaskStatus, string> = {
  completed: '✓',
  failed: '✗',
  running: '⟳',
  cancelled: '⊘',
  pending: '○',
};

export const TYPE_MARKS: Record<TaskType, string> = { code: '¢', system: '!' };

export const PRIORITY_LETTERS: Record<TaskPriority, string> = { urgent: 'U', high: 'H', normal: 'N', low: 'L' };

const PRIORITY_RANK: Record<TaskPriority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** `[U]`, `[H]`, `[N]` or `[L]`. */
export function priorityLabel(priority: TaskPriority): string {
  return `[${PRIORITY_LETTERS[priority]}]`;
}

/** `2.3s` under a minute, `5m 02s` under an hour, then `1h 03m`. */
export function formatDuration(ms: number): string {
  const safe = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (safe < 60_000) {
    // 59.96s must not print as "60.0s".
    const tenths = Math.floor(safe / 100);
    return `${(tenths / 10).toFixed(1)}s`;
  }
  const totalSeconds = Math.floor(safe / 1000);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/** The mark of a task in the listing: its status's, or `⏸` while it is paused. */
export const PAUSED_MARK = '⏸';

export function markOf(task: Pick<TaskSnapshot, 'state'>): string {
  const s = task.state;
  return s.status === 'running' && s.pausedAt !== undefined ? PAUSED_MARK : STATUS_MARKS[s.status];
}

/** How long the task (its last attempt) ran or has been running, paused time left out; undefined if it never started. */
export function durationOf(task: Pick<TaskSnapshot, 'state'>, now = Date.now()): number | undefined {
  const s = task.state;
  switch (s.status) {
    case 'pending':
      return undefined;
    case 'running': {
      const paused = (s.pausedMs ?? 0) + (s.pausedAt !== undefined ? Math.max(0, now - s.pausedAt) : 0);
      return Math.max(0, now - s.startedAt - paused);
    }
    default:
      return s.startedAt === undefined ? undefined : Math.max(0, s.endedAt - s.startedAt - (s.pausedMs ?? 0));
  }
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `starts at 18:00` (local time), with the date when it is not today: `starts at 2026-12-02 18:00`. */
export function formatStartAt(epochMs: number, now = Date.now()): string {
  const at = new Date(epochMs);
  const today = new Date(now);
  const time = `${pad2(at.getHours())}:${pad2(at.getMinutes())}`;
  const sameDay = at.getFullYear() === today.getFullYear() && at.getMonth() === today.getMonth() && at.getDate() === today.getDate();
  return sameDay ? `starts at ${time}` : `starts at ${at.getFullYear()}-${pad2(at.getMonth() + 1)}-${pad2(at.getDate())} ${time}`;
}

/** `attempt 2/3` for a task with retries; undefined for a task of one attempt. */
export function attemptLabel(task: Pick<TaskSnapshot, 'attempt' | 'attempts'>): string | undefined {
  return task.attempts > 1 ? `attempt ${task.attempt}/${task.attempts}` : undefined;
}

/** A failure is at least as loud as high; otherwise the task's own priority. */
export function effectiveNotificationPriority(task: Pick<TaskSnapshot, 'state' | 'priority'>): TaskPriority {
  if (task.state.status === 'failed' && PRIORITY_RANK[task.priority] > PRIORITY_RANK.high) {
    return 'high';
  }
  return task.priority;
}

/** Exit code, signal or error of an ended task, e.g. "exit code 2", "SIGKILL", "lost". */
export function resultOf(task: Pick<TaskSnapshot, 'state'>): string | undefined {
  const s = task.state;
  if (s.status === 'completed') return 'exit code 0';
  if (s.status === 'cancelled') return s.reason;
  if (s.status !== 'failed') return undefined;
  if (s.timedOut && s.error) return s.error;
  if (s.exitCode !== undefined) return `exit code ${s.exitCode}${s.signal ? ` (${s.signal})` : ''}`;
  return s.signal ?? s.error ?? 'failed';
}

/** One line of the task listing: mark, type, id, STATUS, duration, command. */
export function formatListingLine(task: TaskSnapshot, now = Date.now()): string {
  const s = task.state;
  const duration = durationOf(task, now);
  let when: string;
  if (s.status === 'running') {
    when = `${formatDuration(duration ?? 0)} (${s.pausedAt !== undefined ? 'paused' : 'running'})`;
  } else if (s.status === 'pending') {
    if (s.waitingFor?.length) when = `(after ${s.waitingFor.join(',')})`;
    else if (s.startAt !== undefined && s.startAt > now) when = `(${formatStartAt(s.startAt, now)})`;
    else when = '(queued)';
  } else {
    when = duration === undefined ? '-' : formatDuration(duration);
  }
  // Tasks of older versions (and hand-made snapshots) have no attempt count.
  const attempt = task.attempts !== undefined ? attemptLabel(task) : undefined;
  if (attempt) when = `${when} ${attempt}`;
  const head = `${markOf(task)} ${TYPE_MARKS[task.type]} [${task.id}] ${s.status.toUpperCase().padEnd(10)} `;
  return `${head}${when.padEnd(15)} ${firstLine(task.command)}`;
}

/** The indented lines the listing shows under a failed or cancelled task. */
export function formatListingDetails(task: TaskSnapshot): string[] {
  const s = task.state;
  const out: string[] = [];
  if (s.status === 'failed') {
    if (s.exitCode !== undefined) out.push(`    Exit code: ${s.exitCode}`);
    if (s.signal) out.push(`    Signal: ${s.signal}`);
    if (s.error) out.push(`    Error: ${s.error}`);
  } else if (s.status === 'cancelled') {
    out.push(`    Reason: ${s.reason}`);
  }
  return out;
}

const VERBS: Record<TaskStatus, string> = {
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  running: 'is running',
  pending: 'is queued',
};

/**
 * The completion notice in the seed's shape:
 * `[H] ¢ [abc123] ✗ Task failed: npm run build`, then exit code, duration, metadata and,
 * for a failure, the last lines of output (`tailLines`, read by the caller).
 */
export function formatCompletionMessage(task: TaskSnapshot, tailLines: readonly string[] = []): string {
  const s = task.state;
  const priority = effectiveNotificationPriority(task);
  const lines = [
    `${priorityLabel(priority)} ${TYPE_MARKS[task.type]} [${task.id}] ${STATUS_MARKS[s.status]} Task ${VERBS[s.status]}: ${firstLine(task.command)}`,
  ];
  if (s.status === 'completed') lines.push('    Exit code: 0');
  lines.push(...formatListingDetails(task));
  const duration = durationOf(task);
  if (duration !== undefined && s.status !== 'running') lines.push(`    Duration: ${formatDuration(duration)}`);
  if (task.attempts > 1) lines.push(`    Attempts: ${task.attempt} of ${task.attempts}`);
  for (const [key, value] of Object.entries(task.metadata)) {
    lines.push(`    ${key}: ${String(value)}`);
  }
  if (s.status === 'failed' && tailLines.length > 0) {
    lines.push('    Output (last lines):');
    for (const line of tailLines) lines.push(`      ${line}`);
  }
  return lines.join('\n');
}

/** The message kept on a task when it ends: text, priority (failure raised), type. */
export function buildCompletionMessage(task: TaskSnapshot, tailLines: readonly string[] = []): TaskMessage {
  return {
    text: formatCompletionMessage(task, tailLines),
    priority: effectiveNotificationPriority(task),
    type: task.type,
  };
}

/** The first line of a command, with an ellipsis when there are more. */
export function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : `${text.slice(0, nl)} …`;
}
