// Text the tree, tooltips and documents show for a task. No `vscode` import: plain strings,
// Markdown escaped here because task text comes from commands people typed.
import { attemptLabel, durationOf, formatDuration, formatStartAt, markOf, priorityLabel, resultOf, TYPE_MARKS } from '../core/format';
import type { Problem } from '../core/problemMatcher';
import type { TaskSnapshot, TaskStatus } from '../core/types';

export const GROUP_LABELS: Record<TaskStatus, string> = {
  running: 'Running',
  pending: 'Pending',
  failed: 'Failed',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

const LABEL_MAX = 120;

/** The command on one line, shortened for a tree label or channel name. */
export function shortCommand(command: string, max = LABEL_MAX): string {
  const flat = (command.includes('\n') ? command.replace(/\s*\n\s*/g, ' ⏎ ') : command).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function taskLabel(task: TaskSnapshot): string {
  return shortCommand(task.command);
}

/** True for a running task whose processes are stopped (SIGSTOP) until it is resumed. */
export function isPaused(task: Pick<TaskSnapshot, 'state'>): boolean {
  return task.state.status === 'running' && task.state.pausedAt !== undefined;
}

/** The tree's description: `¢ [a1b2c3] · 4.2s · exit code 1 · 45% · waiting for [x]`. */
export function describeTask(task: TaskSnapshot, now: number): string {
  const s = task.state;
  const parts = [`${TYPE_MARKS[task.type]} [${task.id}]`];
  if (task.priority !== 'normal') parts.push(task.priority);
  if (task.lane !== undefined) parts.push(`lane ${task.lane}`);
  const duration = durationOf(task, now);
  if (duration !== undefined) parts.push(formatDuration(duration));
  if (s.status === 'failed' || s.status === 'cancelled') {
    const result = resultOf(task);
    if (result) parts.push(result);
  }
  const attempt = attemptLabel(task);
  if (attempt) parts.push(attempt);
  if (s.status === 'running' && s.pausedAt !== undefined) parts.push('paused');
  if (s.status === 'running' && s.timingOut) parts.push('timing out');
  else if (s.status === 'running' && s.cancelling) parts.push('cancelling');
  if (s.status === 'running' && task.progress?.percent !== undefined) parts.push(`${Math.round(task.progress.percent)}%`);
  if (s.status === 'pending') {
    if (s.waitingFor?.length) parts.push(`waiting for ${s.waitingFor.map((id) => `[${id}]`).join(' ')}`);
    else if (s.startAt !== undefined && s.startAt > now) parts.push(formatStartAt(s.startAt, now));
    else parts.push('queued');
  }
  return parts.join(' · ');
}

const flagCache = new Map<string, string>();

/** Flags the menus match with `viewItem =~ /canCancel=true/` (they follow from the status and whether it is paused). */
export function contextFlags(task: TaskSnapshot): string {
  const status = task.state.status;
  const paused = isPaused(task);
  const key = `${status}:${paused}`;
  let flags = flagCache.get(key);
  if (flags === undefined) flagCache.set(key, (flags = statusFlags(status, paused)));
  return flags;
}

function statusFlags(status: TaskStatus, paused: boolean): string {
  const active = status === 'running' || status === 'pending';
  const flags = {
    status,
    canCancel: active,
    canRerun: !active,
    canRunAfter: active,
    canPipe: status === 'completed' || status === 'failed',
    canRemove: !active,
    canPause: status === 'running' && !paused,
    paused,
    canRunNext: status === 'pending',
  };
  return ['task', ...Object.entries(flags).map(([key, value]) => `${key}=${String(value)}`)].join(',');
}

/** Escapes text for Markdown so that nothing in it is read as markup or a link. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** A fenced code block that the text cannot break out of. */
export function codeBlock(text: string, language = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function formatTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toLocaleString();
}

/** Field/value rows shared by the tooltip and the details document. */
export function taskFields(task: TaskSnapshot, now: number): [string, string][] {
  const s = task.state;
  const rows: [string, string | undefined][] = [
    ['Status', `${markOf(task)} ${s.status}${isPaused(task) ? ' (paused)' : ''}`],
    ['Type', `${TYPE_MARKS[task.type]} ${task.type}`],
    ['Priority', `${priorityLabel(task.priority)} ${task.priority}`],
    ['Lane', task.lane],
    ['Attempt', task.attempts > 1 ? `${task.attempt} of ${task.attempts}` : undefined],
    ['Retry delay', task.attempts > 1 && task.retryDelaySeconds ? `${task.retryDelaySeconds}s` : undefined],
    ['Timeout', task.timeoutSeconds ? `${task.timeoutSeconds}s` : undefined],
    ['Starts at', s.status === 'pending' && s.startAt !== undefined ? formatTime(s.startAt) : undefined],
    ['Mode', task.mode],
    ['Working folder', task.cwd],
    ['Created', formatTime(task.createdAt)],
    ['Started', formatTime('startedAt' in s ? s.startedAt : undefined)],
    ['Ended', formatTime('endedAt' in s ? s.endedAt : undefined)],
  ];
  const duration = durationOf(task, now);
  if (duration !== undefined) rows.push(['Duration', formatDuration(duration)]);
  if (s.status === 'running') rows.push(['Process id', String(s.pid)]);
  if (s.status === 'running' && s.pausedAt !== undefined) rows.push(['Paused since', formatTime(s.pausedAt)]);
  if (s.status === 'running' && s.timingOut) rows.push(['Timing out', `since ${formatTime(s.timingOut.at)}`]);
  if (s.status === 'running' && s.cancelling) rows.push(['Cancelling', s.cancelling.reason]);
  if (s.status === 'completed') rows.push(['Exit code', '0']);
  if (s.status === 'failed') {
    rows.push(['Exit code', s.exitCode === undefined ? undefined : String(s.exitCode)], ['Signal', s.signal], ['Error', s.error]);
  }
  if (s.status === 'cancelled') rows.push(['Reason', s.reason], ['Signal', s.signal]);
  if (s.status === 'pending' && s.waitingFor?.length) rows.push(['Waiting for', s.waitingFor.join(', ')]);
  if (task.dependsOn.length) rows.push(['Runs after', task.dependsOn.join(', ')]);
  if (task.stdinFrom) rows.push(['Input from', task.stdinFrom]);
  if (task.progress) {
    const percent = task.progress.percent === undefined ? task.progress.state : `${Math.round(task.progress.percent)}%`;
    rows.push(['Progress', task.progress.message ? `${percent} ${task.progress.message}` : percent]);
  }
  if (task.envKeys.length) rows.push(['Environment', task.envKeys.join(', ')]);
  return rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
}

/** The tooltip: command, fields and metadata, all escaped (shown as untrusted Markdown). */
export function tooltipMarkdown(task: TaskSnapshot, now: number): string {
  const lines = [`**Task ${escapeMarkdown(task.id)}**`, '', codeBlock(task.command, 'sh'), ''];
  for (const [name, value] of taskFields(task, now)) lines.push(`${name}: ${escapeMarkdown(value)}  `);
  const metadata = Object.entries(task.metadata);
  if (metadata.length) {
    lines.push('', '**Metadata**  ');
    for (const [key, value] of metadata) lines.push(`${escapeMarkdown(key)}: ${escapeMarkdown(String(value))}  `);
  }
  return lines.join('\n');
}

/** Table cells of the details document: read mostly as source, so only what breaks a table is escaped. */
function tableCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The Show Task Details document (Markdown). */
export function detailsMarkdown(task: TaskSnapshot, tail: readonly string[], now: number, problems: readonly Problem[] = []): string {
  const lines = [`# Task ${task.id}`, '', codeBlock(task.command, 'sh'), '', '| Field | Value |', '| --- | --- |'];
  for (const [name, value] of taskFields(task, now)) lines.push(`| ${name} | ${tableCell(value)} |`);
  lines.push(`| Log | ${tableCell(task.logPath)} |`);
  const metadata = Object.entries(task.metadata);
  lines.push('', '## Metadata', '');
  if (metadata.length) {
    lines.push('| Key | Value |', '| --- | --- |');
    for (const [key, value] of metadata) lines.push(`| ${tableCell(key)} | ${tableCell(String(value))} |`);
  } else {
    lines.push('None.');
  }
  if (task.message) lines.push('', '## Message', '', codeBlock(task.message.text));
  if (task.problemMatcher !== undefined) {
    lines.push('', `## Problems (${problems.length})`, '', `Matchers: ${tableCell(JSON.stringify(task.problemMatcher))}`, '');
    if (problems.length) {
      lines.push('| Severity | Where | Message |', '| --- | --- | --- |');
      for (const p of problems) lines.push(`| ${p.severity} | ${tableCell(`${p.file}:${p.startLine}:${p.startColumn}`)} | ${tableCell(p.message + (p.code ? ` (${p.code})` : ''))} |`);
    } else {
      lines.push('None found in its output.');
    }
  }
  lines.push('', `## Output (last ${tail.length} lines)`, '', tail.length ? codeBlock(tail.join('\n')) : 'No output yet.', '');
  return lines.join('\n');
}
