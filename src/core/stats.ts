// getStatistics(): counts by status, type and priority, and how long tasks take.
import type { TaskRecord } from './store';
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, type TaskStatistics } from './types';

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export function computeStatistics(records: Iterable<TaskRecord>, maxConcurrent: number, queuePaused = false): TaskStatistics {
  const byStatus = zeros(TASK_STATUSES);
  const byType = zeros(TASK_TYPES);
  const byPriority = zeros(TASK_PRIORITIES);
  const byLane: Record<string, number> = {};
  const durations: number[] = [];
  let total = 0;
  let timedOut = 0;
  let retried = 0;
  for (const t of records) {
    total++;
    byStatus[t.state.status]++;
    byType[t.type]++;
    byPriority[t.priority]++;
    if (t.lane !== undefined) byLane[t.lane] = (byLane[t.lane] ?? 0) + 1;
    if ((t.attempt ?? 1) > 1) retried++;
    const s = t.state;
    if (s.status === 'failed' && s.timedOut) timedOut++;
    if ((s.status === 'completed' || s.status === 'failed' || s.status === 'cancelled') && s.startedAt !== undefined) {
      // Paused time is not running time.
      durations.push(Math.max(0, s.endedAt - s.startedAt - (s.pausedMs ?? 0)));
    }
  }
  const ended = byStatus.completed + byStatus.failed;
  const stats: TaskStatistics = {
    totalTasks: total,
    byStatus,
    byType,
    byPriority,
    maxConcurrent,
    runningNow: byStatus.running,
    queuedNow: byStatus.pending,
    successRate: ended > 0 ? byStatus.completed / ended : undefined,
    timedOut,
    retried,
    byLane,
    queuePaused,
  };
  if (durations.length > 0) {
    durations.sort((a, b) => a - b);
    stats.meanDurationMs = durations.reduce((a, b) => a + b, 0) / durations.length;
    // Nearest-rank percentile.
    stats.p95DurationMs = durations[Math.max(0, Math.ceil(0.95 * durations.length) - 1)];
  }
  return stats;
}
