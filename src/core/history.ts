// Loading the history from disk without holding the event loop: task.json files are read and
// parsed in slices of a millisecond, with a turn of the event loop between slices, so an
// editor with 10 000 finished tasks opens at once and fills its list as it reads. (Reads in the
// thread pool were tried: every batch waits on four threads shared with the whole host, and
// under load the history took five times longer to arrive.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from './taskRecord';
import { TASK_MODES, TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES } from './types';

/**
 * The longest stretch of reading and parsing in one turn (a small task.json takes ~20 µs). Short,
 * because what holds the event loop longest is a young-generation collection of V8 (5–8 ms,
 * copying the records just read) in the middle of a slice: the block is the slice plus the
 * collection. At 10 000 tasks (bench section 4) 4 ms slices held it up to 15 ms, 2 ms slices
 * 10.8, 1 ms slices 8.5, and the whole load took no longer. (Parsing many files as one JSON text
 * of 100 KiB or more, which V8 builds straight in the old generation, was tried and did not
 * shorten the collections: what survives in the young generation is then a larger share.)
 */
const SLICE_MS = 1;

/**
 * Reads every tasks/<id>/task.json, handing each record to `onRecord` within the same slice
 * (what it does with the record counts against the slice's time). One that cannot be read
 * (corrupt, half-written, not a task) is renamed to task.json.corrupt-<time> and named in the
 * result, so it is reported once. `hidden`: the names starting with a dot (not tasks), listed
 * for the store's own leftovers.
 */
export async function loadHistory(
  tasksDir: string,
  onRecord: (record: TaskRecord) => void,
  /** From the hidden names, the tasks being removed when their process went away: skipped. */
  removedOf: (hidden: readonly string[]) => ReadonlySet<string> = () => new Set(),
): Promise<{ setAside: string[]; hidden: string[] }> {
  const setAside: string[] = [];
  const hidden: string[] = [];
  let names: string[];
  try {
    names = await fs.promises.readdir(tasksDir);
  } catch {
    return { setAside, hidden };
  }
  names = names.filter((n) => !n.startsWith('.') || (hidden.push(n), false));
  const removed = removedOf(hidden);
  if (removed.size > 0) names = names.filter((n) => !removed.has(n));
  let i = 0;
  while (i < names.length) {
    const until = performance.now() + SLICE_MS;
    do {
      const name = names[i++];
      const file = path.join(tasksDir, name, 'task.json');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // no task.json: not a task folder (or never finished being created)
      }
      const record = parseRecord(text, name);
      if (record) {
        onRecord(record);
        continue;
      }
      const aside = `${file}.corrupt-${Date.now()}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        // Still reported; it will be tried again next time.
      }
      setAside.push(aside);
    } while (i < names.length && performance.now() < until);
    // The next slice in a later turn, so timers and input get theirs between.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { setAside, hidden };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A record from task.json text, or undefined when it is not one we can trust. */
export function parseRecord(text: string, folderName: string): TaskRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(data) || data.id !== folderName || typeof data.command !== 'string') {
    return undefined;
  }
  const state = data.state;
  if (!isObject(state) || !(TASK_STATUSES as readonly unknown[]).includes(state.status)) {
    return undefined;
  }
  if (
    !(TASK_TYPES as readonly unknown[]).includes(data.type) ||
    !(TASK_PRIORITIES as readonly unknown[]).includes(data.priority) ||
    !(TASK_MODES as readonly unknown[]).includes(data.mode) ||
    typeof data.cwd !== 'string' ||
    typeof data.createdAt !== 'number' ||
    typeof data.seq !== 'number'
  ) {
    return undefined;
  }
  if (state.status === 'running' && typeof state.pid !== 'number') {
    return undefined;
  }
  const { version: _version, ...rest } = data;
  void _version;
  const record = rest as unknown as TaskRecord;
  record.metadata = isObject(record.metadata) ? record.metadata : {};
  record.env = isObject(record.env) ? record.env : {};
  record.dependsOn = Array.isArray(record.dependsOn) ? record.dependsOn.filter((d) => typeof d === 'string') : [];
  // Queue-control fields of a hand-edited or damaged file: a bad one is dropped, never trusted.
  const positive = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!(Number.isInteger(record.attempt) && record.attempt! >= 1)) delete record.attempt;
  if (!positive(record.retries) || !Number.isInteger(record.retries)) delete record.retries;
  if (!positive(record.retryDelaySeconds)) delete record.retryDelaySeconds;
  if (!positive(record.timeoutSeconds)) delete record.timeoutSeconds;
  if (typeof record.queuePos !== 'number' || !Number.isFinite(record.queuePos)) delete record.queuePos;
  if (typeof record.lane !== 'string' || record.lane === '') delete record.lane;
  return record;
}
