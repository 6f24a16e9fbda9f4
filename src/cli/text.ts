// What bgt prints: the seed's listing (`✓ ¢ [abc123] COMPLETED  2.3s  pytest`), details and
// statistics in words. Plain text for a terminal.
import { formatDuration, formatListingDetails, formatListingLine } from '../core/format';
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, type TaskSnapshot, type TaskStatistics, type TaskStatus } from '../core/types';
import { statusLine } from '../control/statusLine';
import { taskFields } from '../ui/taskText';

const RULE = '─'.repeat(80);

function title(status: readonly TaskStatus[]): string {
  if (status.length !== 1) return status.length === 0 ? 'All Tasks' : 'Tasks';
  return `${status[0][0].toUpperCase()}${status[0].slice(1)} Tasks`;
}

/** The seed's `/tasks` listing: a title with the count, a rule, one line per task and its details. */
export function listing(tasks: readonly TaskSnapshot[], status: readonly TaskStatus[], now = Date.now()): string {
  if (tasks.length === 0) return status.length ? `No ${status.join(' or ')} tasks.` : 'No tasks.';
  const lines = [`${title(status)} (${tasks.length}):`, RULE];
  for (const task of tasks) lines.push(formatListingLine(task, now), ...formatListingDetails(task), ...queueDetails(task));
  return lines.join('\n');
}

/** Under a task in a lane or with a timeout, the listing says so (the line itself has no room). */
function queueDetails(task: TaskSnapshot): string[] {
  const out: string[] = [];
  if (task.lane !== undefined) out.push(`    Lane: ${task.lane}`);
  if (task.timeoutSeconds) out.push(`    Timeout: ${task.timeoutSeconds}s`);
  return out;
}

export function details(task: TaskSnapshot, tail: readonly string[], now = Date.now()): string {
  // The status line says at once what matters now: paused, starts at, attempt, lane, timeout.
  const lines = [`Task ${task.id}: ${statusLine(task, now).slice(task.id.length + 3)}`, `  Command: ${task.command.replace(/\n/g, '\n           ')}`];
  for (const [name, value] of taskFields(task, now)) {
    // A task from bgt carries the whole shell environment: its size says enough.
    const shown = name === 'Environment' && task.envKeys.length > 8 ? `${task.envKeys.length} variables (values are never shown)` : value;
    lines.push(`  ${name}: ${shown}`);
  }
  lines.push(`  Log: ${task.logPath}`);
  // Under a heading of their own: a key may be named as a field is ("Status").
  const metadata = Object.entries(task.metadata);
  if (metadata.length) lines.push('  Metadata:', ...metadata.map(([key, value]) => `    ${key}: ${String(value)}`));
  lines.push(tail.length ? `Output (last ${tail.length} lines):` : 'No output yet.', ...tail.map((l) => `  ${l}`));
  return lines.join('\n');
}

function counts<K extends string>(keys: readonly K[], by: Record<K, number>): string {
  return keys.map((k) => `${by[k]} ${k}`).join(', ');
}

/** The seed's statistics, in words. */
export function statistics(stats: TaskStatistics): string {
  const rate = stats.successRate === undefined ? 'no task has finished yet' : `${(stats.successRate * 100).toFixed(1)}% of finished tasks completed`;
  const lines = [
    `${stats.totalTasks} task${stats.totalTasks === 1 ? '' : 's'}: ${counts(TASK_STATUSES, stats.byStatus)}.`,
    `By type: ${counts(TASK_TYPES, stats.byType)}.`,
    `By priority: ${counts(TASK_PRIORITIES, stats.byPriority)}.`,
    `Running now: ${stats.runningNow} of at most ${stats.maxConcurrent}; queued: ${stats.queuedNow}${stats.queuePaused ? ' (the queue is paused: bgt resume starts it again)' : ''}.`,
    `Success rate: ${rate}.`,
    `Timed out: ${stats.timedOut}; needed more than one attempt: ${stats.retried}.`,
  ];
  const lanes = Object.entries(stats.byLane);
  if (lanes.length) lines.push(`By lane: ${lanes.map(([lane, n]) => `${n} ${lane}`).join(', ')}.`);
  if (stats.meanDurationMs !== undefined) {
    lines.push(`Duration: ${formatDuration(stats.meanDurationMs)} on average, ${formatDuration(stats.p95DurationMs ?? 0)} at the 95th percentile.`);
  }
  return lines.join('\n');
}
