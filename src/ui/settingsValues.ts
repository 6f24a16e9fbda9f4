// Reading the queue-control settings (timeout, lanes, tree grouping). No `vscode` import: each
// reader takes the raw value and says, in a warning a person can act on, what it fell back to.
import { validateLaneName } from '../core/queueOptions';

export type TreeGroupBy = 'status' | 'lane';

export interface Read<T> {
  value: T;
  /** Set when the raw value was not usable: what was wrong and what is used instead. */
  warning?: string;
}

const PREFIX = 'Background Tasks: the setting backgroundTasks.';

/** Seconds, 0 = none. */
export function readTimeoutSeconds(raw: unknown): Read<number> {
  if (raw === undefined || raw === null) return { value: 0 };
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return { value: raw };
  return { value: 0, warning: `${PREFIX}defaultTimeoutSeconds must be a number of seconds, 0 or more (0 = no timeout), not ${JSON.stringify(raw)}; using 0 (no timeout).` };
}

/** Lane name → limit; entries that are not a whole number of at least 1 are left out (such a lane gets the default limit, 1). */
export function readLanes(raw: unknown): Read<Record<string, number>> {
  if (raw === undefined || raw === null) return { value: {} };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { value: {}, warning: `${PREFIX}lanes must be an object of lane name to limit, e.g. {"gpu": 1, "db": 2}, not ${JSON.stringify(raw)}; using no lane limits (every lane runs 1 task at a time).` };
  }
  const value: Record<string, number> = {};
  const bad: string[] = [];
  for (const [name, limit] of Object.entries(raw as Record<string, unknown>)) {
    if (!isLaneName(name)) bad.push(`the lane name ${JSON.stringify(name)} (a lane is a non-empty name on one line, at most 64 characters)`);
    else if (typeof limit === 'number' && Number.isInteger(limit) && limit >= 1) value[name] = limit;
    else bad.push(`"${name}": ${JSON.stringify(limit)}`);
  }
  if (bad.length === 0) return { value };
  return { value, warning: `${PREFIX}lanes: each limit must be a whole number of at least 1; ignoring ${bad.join(', ')} (such a lane runs 1 task at a time).` };
}

/** The engine's own rule for a lane name, so a setting it would refuse is left out here, with a warning. */
function isLaneName(name: string): boolean {
  try {
    validateLaneName(name);
    return true;
  } catch {
    return false;
  }
}

export function readTreeGroupBy(raw: unknown): Read<TreeGroupBy> {
  if (raw === undefined || raw === null || raw === 'status') return { value: 'status' };
  if (raw === 'lane') return { value: 'lane' };
  return { value: 'status', warning: `${PREFIX}treeGroupBy must be "status" or "lane", not ${JSON.stringify(raw)}; grouping by status.` };
}
