// The one writer of tasks/<id>/task.json, with one policy. A write replaces the file atomically
// (temp file, then rename), so a reader sees the old file or the new one, never half. Writes
// asked for in one turn become one write per task, made in the thread pool; a write is never
// overtaken by an older one (each carries a generation, and only the newest is renamed into
// place). A write that fails is reported once, retried with a growing delay (the folder made
// again if it was removed), and reported once more when it works again.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRecord } from './taskRecord';

const FORMAT_VERSION = 1;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 30_000;

export function serialize(record: TaskRecord): string {
  return JSON.stringify({ version: FORMAT_VERSION, ...record });
}

interface Retry {
  attempts: number;
  record: TaskRecord;
  /** Set while waiting for the next attempt; unset while an attempt is being written. */
  timer: NodeJS.Timeout | undefined;
  /** The delays waited so far, for a status line and for tests of the backoff. */
  delays: number[];
}

export class StateWriter {
  /** Where background writes put their temp files (same file system, so rename works). */
  private readonly stagingDir: string;
  private stagingReady = false;
  /** Records given to saveSoon() whose write is not issued yet, and those being written. */
  private readonly waiting = new Set<TaskRecord>();
  private readonly inFlight = new Map<string, TaskRecord>();
  /** Per task, the number of the latest write asked for: a background write older than it is dropped. */
  private readonly generation = new Map<string, number>();
  private readonly retries = new Map<string, Retry>();
  private flushTimer: NodeJS.Immediate | undefined;

  constructor(
    private readonly tasksDir: string,
    /** Where a failing (and a recovered) task's writes are reported, once each. */
    private readonly warn: (message: string) => void,
  ) {
    this.stagingDir = path.join(tasksDir, '.saving');
  }

  /** Drops temp files that a process which went away left staged. */
  clearStaging(): void {
    try {
      fs.rmSync(this.stagingDir, { recursive: true, force: true });
    } catch {
      // Only leftovers; never a reason not to open.
    }
  }

  /** Writes now, synchronously; throws when it cannot (for a caller that must know before it goes on). */
  save(record: TaskRecord): void {
    const file = path.join(this.tasksDir, record.id, 'task.json');
    const tmp = `${file}.tmp`;
    this.waiting.delete(record);
    this.inFlight.delete(record.id);
    this.generation.set(record.id, (this.generation.get(record.id) ?? 0) + 1);
    fs.writeFileSync(tmp, serialize(record), { mode: 0o600 });
    fs.renameSync(tmp, file);
    this.succeeded(record.id);
  }

  /** Writes after this turn, in the thread pool; several changes of one turn make one write. */
  saveSoon(record: TaskRecord): void {
    // A task whose writes fail waits for its retry, which writes the record as it is then.
    const retry = this.retries.get(record.id);
    if (retry) {
      retry.record = record;
      return;
    }
    this.waiting.add(record);
    this.flushTimer ??= setImmediate(() => {
      this.flushTimer = undefined;
      const list = [...this.waiting];
      this.waiting.clear();
      for (const r of list) this.write(r);
    });
  }

  /** Writes now, synchronously, every record whose write has not landed (dispose); returns the errors. */
  flushSync(): unknown[] {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const errors: unknown[] = [];
    const pending = new Set([...this.waiting, ...this.inFlight.values(), ...[...this.retries.values()].map((r) => r.record)]);
    for (const r of this.retries.values()) if (r.timer) clearTimeout(r.timer);
    for (const r of pending) {
      try {
        this.save(r);
      } catch (err) {
        errors.push(err);
      }
    }
    this.waiting.clear();
    this.inFlight.clear();
    this.retries.clear();
    return errors;
  }

  /** Forgets a task whose folder is being removed: nothing more is written for it. */
  forget(id: string): void {
    this.generation.delete(id);
    this.inFlight.delete(id);
    for (const r of this.waiting) if (r.id === id) this.waiting.delete(r);
    const retry = this.retries.get(id);
    if (retry?.timer) clearTimeout(retry.timer);
    this.retries.delete(id);
  }

  /** Tasks whose writes are failing: how many attempts, and the delays waited so far. */
  failing(): { id: string; attempts: number; delays: readonly number[] }[] {
    return [...this.retries].map(([id, r]) => ({ id, attempts: r.attempts, delays: [...r.delays] }));
  }

  /**
   * The record as it is now, its temp file written in the thread pool; renamed on this thread
   * only if no newer write of the task came meanwhile, so a later save() is never overtaken.
   */
  private write(record: TaskRecord): void {
    const id = record.id;
    const gen = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, gen);
    this.waiting.delete(record);
    this.inFlight.set(id, record);
    const file = path.join(this.tasksDir, id, 'task.json');
    if (!this.stagingReady) {
      try {
        fs.mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
        this.stagingReady = true;
      } catch (err) {
        // Reported like a failed write, never thrown from here (a timer of the extension host).
        this.inFlight.delete(id);
        queueMicrotask(() => this.generation.get(id) === gen && this.failed(record, err));
        return;
      }
    }
    // Staged outside the task's folder: a write that is overtaken leaves nothing in the folder.
    const tmp = path.join(this.stagingDir, `${id}.${gen}.json`);
    fs.writeFile(tmp, serialize(record), { mode: 0o600 }, (err) => {
      const current = this.generation.get(id) === gen;
      try {
        if (!err && current) fs.renameSync(tmp, file);
        else if (!err) fs.unlinkSync(tmp);
      } catch (e) {
        err = e as NodeJS.ErrnoException;
        fs.rm(tmp, { force: true }, () => undefined);
      }
      if (!current) return;
      this.inFlight.delete(id);
      if (err) this.failed(record, err);
      else this.succeeded(id);
    });
  }

  private failed(record: TaskRecord, err: unknown): void {
    const id = record.id;
    let retry = this.retries.get(id);
    if (!retry) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      this.warn(
        `Background Tasks: could not save task ${id} in ${this.tasksDir} (${code}); trying again, less and less often ` +
          '(its folder is made again if it was removed). Check that the folder exists and is writable and the disk is not full.',
      );
      retry = { attempts: 0, record, delays: [], timer: undefined };
      this.retries.set(id, retry);
    }
    const r = retry;
    r.attempts++;
    const delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (r.attempts - 1));
    r.delays.push(delay);
    if (r.timer) clearTimeout(r.timer);
    r.timer = setTimeout(() => {
      r.timer = undefined;
      if (this.retries.get(id) !== r) return;
      this.recreate(id);
      this.write(r.record);
    }, delay);
    r.timer.unref();
  }

  private succeeded(id: string): void {
    const retry = this.retries.get(id);
    if (!retry) return;
    if (retry.timer) clearTimeout(retry.timer);
    this.retries.delete(id);
    this.warn(`Background Tasks: task ${id} is saved again, after ${retry.attempts + 1} attempts.`);
  }

  /** Makes the task's folder again if it is gone (its output so far went with it), and the staging folder. */
  private recreate(id: string): void {
    const dir = path.join(this.tasksDir, id);
    if (fs.existsSync(dir)) return;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.stagingReady = false;
    } catch {
      // Still failing: the next attempt reports nothing new and waits longer.
    }
  }
}
