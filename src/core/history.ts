// Loading the history from disk without holding the event loop: the folder list and the
// task.json files are read asynchronously, a batch at a time, and each batch is parsed in one
// short turn, so an editor with 10 000 finished tasks opens at once and fills its list as it reads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from './store';
import { TASK_MODES, TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES } from './types';

/** Files read at once, and parsed in one turn (about 2 ms of parsing for 64 small files). */
const BATCH = 64;

/**
 * Reads every tasks/<id>/task.json, handing each batch of records to `onBatch`. One that
 * cannot be read (corrupt, half-written, not a task) is renamed to task.json.corrupt-<time>
 * and named in the result, so it is reported once.
 */
export async function loadHistory(tasksDir: string, onBatch: (records: TaskRecord[]) => void): Promise<{ setAside: string[] }> {
  const setAside: string[] = [];
  let names: string[];
  try {
    names = await fs.promises.readdir(tasksDir);
  } catch {
    return { setAside };
  }
  names = names.filter((n) => !n.startsWith('.'));
  for (let i = 0; i < names.length; i += BATCH) {
    const batch = names.slice(i, i + BATCH);
    const texts = await Promise.all(
      batch.map((name) => fs.promises.readFile(path.join(tasksDir, name, 'task.json'), 'utf8').catch(() => undefined)),
    );
    const records: TaskRecord[] = [];
    for (let j = 0; j < batch.length; j++) {
      const text = texts[j];
      if (text === undefined) continue; // no task.json: not a task folder (or never finished being created)
      const record = parseRecord(text, batch[j]);
      if (record) {
        records.push(record);
        continue;
      }
      const file = path.join(tasksDir, batch[j], 'task.json');
      const aside = `${file}.corrupt-${Date.now()}`;
      // Still reported if the rename fails; it will be tried again next time.
      await fs.promises.rename(file, aside).catch(() => undefined);
      setAside.push(aside);
    }
    onBatch(records);
    // The next batch's reads start in a later turn, so timers and input get their turn between.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { setAside };
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
  return record;
}
