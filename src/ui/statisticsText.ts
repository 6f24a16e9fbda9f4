// The Show Statistics document (Markdown). No `vscode` import.
import { formatDuration, STATUS_MARKS, TYPE_MARKS } from '../core/format';
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, type TaskStatistics } from '../core/types';

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function statisticsMarkdown(stats: TaskStatistics, generatedAt: Date): string {
  const total = stats.totalTasks;
  const lines = [
    '# Background Tasks: statistics',
    '',
    `As of ${generatedAt.toLocaleString()}.`,
    '',
    '| Measure | Value |',
    '| --- | --- |',
    `| Tasks | ${total} |`,
    `| Running now | ${stats.runningNow} of at most ${stats.maxConcurrent} |`,
    `| Queued now | ${stats.queuedNow} |`,
    `| Queue | ${stats.queuePaused ? 'paused (pending tasks wait for Resume Queue)' : 'running'} |`,
    `| Success rate | ${stats.successRate === undefined ? '-' : `${(stats.successRate * 100).toFixed(1)}%`} |`,
    `| Mean duration | ${stats.meanDurationMs === undefined ? '-' : formatDuration(stats.meanDurationMs)} |`,
    `| 95th percentile duration | ${stats.p95DurationMs === undefined ? '-' : formatDuration(stats.p95DurationMs)} |`,
    `| Timed out | ${stats.timedOut} |`,
    `| Retried (more than one attempt) | ${stats.retried} |`,
    '',
    '## By status',
    '',
    '| Status | Tasks | Share |',
    '| --- | ---: | ---: |',
    ...TASK_STATUSES.map((s) => `| ${STATUS_MARKS[s]} ${s} | ${stats.byStatus[s]} | ${percent(stats.byStatus[s], total)} |`),
    '',
    '## By type',
    '',
    '| Type | Tasks | Share |',
    '| --- | ---: | ---: |',
    ...TASK_TYPES.map((t) => `| ${TYPE_MARKS[t]} ${t} | ${stats.byType[t]} | ${percent(stats.byType[t], total)} |`),
    '',
    '## By priority',
    '',
    '| Priority | Tasks | Share |',
    '| --- | ---: | ---: |',
    ...TASK_PRIORITIES.map((p) => `| ${p} | ${stats.byPriority[p]} | ${percent(stats.byPriority[p], total)} |`),
    '',
    '## By lane',
    '',
  ];
  const lanes = Object.entries(stats.byLane).sort(([a], [b]) => a.localeCompare(b));
  if (lanes.length === 0) lines.push('No task is in a lane.', '');
  else lines.push('| Lane | Tasks | Share |', '| --- | ---: | ---: |', ...lanes.map(([lane, n]) => `| ${lane.replace(/\|/g, '\\|')} | ${n} | ${percent(n, total)} |`), '');
  return lines.join('\n');
}
