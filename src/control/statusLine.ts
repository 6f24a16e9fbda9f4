// The first line of every answer about a task, for agents and for bgt wait: `[id] status (…)`,
// the way a model reads it best.
import { attemptLabel, durationOf, formatDuration, formatStartAt } from '../core/format';
import type { TaskSnapshot } from '../core/types';

/**
 * `[a1b2c3] completed (exit 0, 2.3s)`: the first line of every answer about a task; then, when
 * they apply, "paused", "starts at 18:00", "attempt 2/3", the lane and the timeout.
 */
export function statusLine(task: TaskSnapshot, now = Date.now()): string {
  const s = task.state;
  const took = durationOf(task, now);
  const time = took === undefined ? undefined : formatDuration(took);
  const queue = [attemptLabel(task), task.lane ? `lane ${task.lane}` : undefined];
  const limit = task.timeoutSeconds ? `timeout ${task.timeoutSeconds}s` : undefined;
  const details = (...parts: (string | undefined)[]): string => {
    const kept = parts.filter((p): p is string => !!p);
    return kept.length ? ` (${kept.join(', ')})` : '';
  };
  switch (s.status) {
    case 'pending': {
      const waiting = s.waitingFor?.length ? `waiting for ${s.waitingFor.map((w) => `[${w}]`).join(', ')}` : undefined;
      const later = s.startAt !== undefined && s.startAt > now ? formatStartAt(s.startAt, now) : undefined;
      return `[${task.id}] queued${details(waiting, later, ...queue, limit)}`;
    }
    case 'running': {
      const stopping = s.timingOut ? 'timing out' : s.cancelling ? 'stopping' : undefined;
      return `[${task.id}] running${details(time, s.pausedAt !== undefined ? 'paused' : undefined, stopping, ...queue, limit)}`;
    }
    case 'completed':
      return `[${task.id}] completed${details('exit 0', time, ...queue)}`;
    case 'failed': {
      const why = s.error ?? (s.exitCode !== undefined ? `exit ${s.exitCode}` : s.signal);
      return `[${task.id}] failed${details(why, s.exitCode !== undefined && s.signal ? s.signal : undefined, time, ...queue)}`;
    }
    case 'cancelled':
      return `[${task.id}] cancelled${details(s.reason, time, ...queue)}`;
  }
}
