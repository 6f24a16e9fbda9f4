// The history as JSON or CSV (exportHistory): one row per task, oldest first, with the columns
// a spreadsheet or a report needs. Env values never leave (not even their names: a name can
// say too much, and the columns do not need them).
import { durationOf } from './format';
import type { TaskSnapshot } from './types';

export const EXPORT_COLUMNS = [
  'id',
  'command',
  'status',
  'exitCode',
  'type',
  'priority',
  'lane',
  'createdAt',
  'startedAt',
  'endedAt',
  'durationMs',
  'attempts',
  'metadata',
] as const;

export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | number | null | Record<string, unknown>>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** One task as an export row: times as ISO 8601 (UTC); attempts: how many of its attempts ran (0: it never started). */
export function exportRow(t: TaskSnapshot): ExportRow {
  const s = t.state;
  const startedAt = s.status === 'pending' ? undefined : s.startedAt;
  const endedAt = s.status === 'pending' || s.status === 'running' ? undefined : s.endedAt;
  const exitCode = s.status === 'completed' || s.status === 'failed' ? s.exitCode : undefined;
  return {
    id: t.id,
    command: t.command,
    status: s.status,
    exitCode: exitCode ?? null,
    type: t.type,
    priority: t.priority,
    lane: t.lane ?? null,
    createdAt: iso(t.createdAt),
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    durationMs: durationOf(t) ?? null,
    // The current attempt has run only if the state has a start: a task waiting for its retry has not.
    attempts: startedAt === undefined ? t.attempt - 1 : t.attempt,
    metadata: { ...t.metadata },
  };
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvValue(value: ExportRow[keyof ExportRow]): string {
  if (value === null) return '';
  if (typeof value === 'object') return csvField(JSON.stringify(value));
  return csvField(String(value));
}

/** The tasks (oldest first) as JSON (an array of rows) or CSV (a header, then one line per task, CRLF). */
export function exportTasks(tasks: readonly TaskSnapshot[], format: 'json' | 'csv'): string {
  const rows = tasks.map(exportRow);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const lines = [EXPORT_COLUMNS.join(','), ...rows.map((r) => EXPORT_COLUMNS.map((c) => csvValue(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
