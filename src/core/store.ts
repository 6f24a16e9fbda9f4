// Persistence: <storageDir>/tasks/<id>/{task.json,output.log,exit}. Folders 0700, files 0600
// (commands and environments can hold secrets); task.json is replaced atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  TASK_MODES,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TASK_TYPES,
  type ProblemMatcherSpec,
  type TaskMessage,
  type TaskMetadata,
  type TaskMode,
  type TaskPriority,
  type TaskProgress,
  type TaskState,
  type TaskType,
} from './types';

/** A task as it is kept on disk and in memory (env values included, never shown). */
export interface TaskRecord {
  id: string;
  /** Arrival order: the queue's tie-breaker and the listing order. */
  seq: number;
  command: string;
  type: TaskType;
  priority: TaskPriority;
  mode: TaskMode;
  metadata: TaskMetadata;
  cwd: string;
  env: Record<string, string>;
  dependsOn: string[];
  stdinFrom?: string;
  stdinFile?: string;
  /** Its stdin is the text the caller gave, kept in the task's folder (stdinPath). */
  ownStdin?: boolean;
  createdAt: number;
  state: TaskState;
  progress?: TaskProgress;
  message?: TaskMessage;
  /** As given to spawnTask(); read again from the log after a reload. */
  problemMatcher?: ProblemMatcherSpec;
}

export interface ExitRecord {
  code: number;
  /** When the wrapper wrote it (the exit file's modification time). */
  at: number;
}

const FORMAT_VERSION = 1;

export class TaskStore {
  readonly tasksDir: string;
  /** Where background saves write their temp files (same file system, so rename works). */
  private readonly stagingDir: string;
  private stagingReady = false;
  /** Told when a save in the background failed (the record stays right in memory). */
  onSaveError: ((id: string, err: unknown) => void) | undefined;
  /** Records given to saveSoon() whose write is not issued yet, and those being written. */
  private readonly waiting = new Set<TaskRecord>();
  private readonly inFlight = new Map<string, TaskRecord>();
  /** Per task, the number of the latest save asked for: a background save older than it is dropped. */
  private readonly generation = new Map<string, number>();
  private flushTimer: NodeJS.Immediate | undefined;

  constructor(readonly storageDir: string) {
    this.tasksDir = path.join(storageDir, 'tasks');
    this.stagingDir = path.join(this.tasksDir, '.saving');
  }

  /** Creates the folders (0700); drops temp files a process that went away left staged. */
  init(): void {
    fs.mkdirSync(this.tasksDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.tasksDir, 0o700);
    try {
      fs.rmSync(this.stagingDir, { recursive: true, force: true });
    } catch {
      // Only leftovers; never a reason not to open.
    }
  }

  taskDir(id: string): string {
    return path.join(this.tasksDir, id);
  }
  logPath(id: string): string {
    return path.join(this.tasksDir, id, 'output.log');
  }
  /** Where a task's stdinText is kept: in its folder, so it is removed with it. */
  stdinPath(id: string): string {
    return path.join(this.tasksDir, id, 'stdin');
  }
  exitPath(id: string): string {
    return path.join(this.tasksDir, id, 'exit');
  }

  /**
   * The pid the wrapper wrote as its first act, and when: proof that a task started even if
   * its running state never reached task.json (the engine saves that state off the main thread).
   */
  readPid(id: string): { pid: number; at: number } | undefined {
    try {
      const file = path.join(this.tasksDir, id, 'pid');
      const raw = fs.readFileSync(file, 'utf8');
      const pid = Number(raw.trim());
      if (!raw.endsWith('\n') || !Number.isInteger(pid) || pid <= 1) return undefined;
      return { pid, at: Math.round(fs.statSync(file).mtimeMs) };
    } catch {
      return undefined;
    }
  }

  /** A new 6-hex-character id not used in memory nor on disk. */
  newId(taken: (id: string) => boolean): string {
    for (;;) {
      const id = randomBytes(3).toString('hex');
      if (!taken(id) && !fs.existsSync(this.taskDir(id))) {
        return id;
      }
    }
  }

  /** Makes a task's folder, or says in words a person can act on why it cannot. */
  private makeTaskDir(id: string): void {
    try {
      fs.mkdirSync(this.taskDir(id), { mode: 0o700 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(
        `Cannot create the task's folder in ${this.tasksDir} (${e.code ?? e.message}): ` +
          'check that the folder exists, is writable and that the disk is not full, then try again.',
        { cause: err },
      );
    }
  }

  /** Makes the task's folder and empty log, then writes its task.json. */
  create(record: TaskRecord): void {
    this.makeTaskDir(record.id);
    fs.closeSync(fs.openSync(this.logPath(record.id), 'a', 0o600));
    this.save(record);
  }

  /**
   * As create(), for a task just queued: its folder now, its empty log in the thread pool
   * (the runner's open for append creates it too, whichever comes first), and its task.json
   * soon (saveSoon), so a task that starts in this turn is saved once, running, never pending.
   */
  createQueued(record: TaskRecord, stdinText?: string): void {
    this.makeTaskDir(record.id);
    if (stdinText !== undefined) {
      try {
        fs.writeFileSync(this.stdinPath(record.id), stdinText, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Nothing half-made stays behind: the caller is told, and the id is free again.
        fs.rmSync(this.taskDir(record.id), { recursive: true, force: true });
        throw new Error(`Cannot write the task's stdin text into ${this.taskDir(record.id)} (${(err as NodeJS.ErrnoException).code ?? String(err)}): check that the disk is not full, then try again.`, { cause: err });
      }
    }
    fs.open(this.logPath(record.id), 'a', 0o600, (err, fd) => {
      if (!err) fs.close(fd, () => undefined);
    });
    this.saveSoon(record);
  }

  /** Replaces task.json atomically: a reader sees the old file or the new one, never half. */
  save(record: TaskRecord): void {
    const file = path.join(this.taskDir(record.id), 'task.json');
    const tmp = `${file}.tmp`;
    this.waiting.delete(record);
    this.inFlight.delete(record.id);
    this.generation.set(record.id, (this.generation.get(record.id) ?? 0) + 1);
    fs.writeFileSync(tmp, serialize(record), { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  /** Saves a record after this turn (several changes of one turn make one write), as saveAsync(). */
  saveSoon(record: TaskRecord): void {
    this.waiting.add(record);
    this.flushTimer ??= setImmediate(() => {
      this.flushTimer = undefined;
      const list = [...this.waiting];
      this.waiting.clear();
      for (const r of list) this.saveAsync(r);
    });
  }

  /**
   * Saves a record as it is now with its temp file written in the thread pool; the rename is
   * done on this thread and only if no newer save of the task came meanwhile, so a later
   * save() is never overtaken. Until the rename, flushSync() would write it itself.
   */
  saveAsync(record: TaskRecord): void {
    const id = record.id;
    const gen = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, gen);
    this.waiting.delete(record);
    this.inFlight.set(id, record);
    const file = path.join(this.taskDir(id), 'task.json');
    // Staged outside the task's folder: a save that is overtaken leaves nothing in the folder
    // while its write finishes.
    if (!this.stagingReady) {
      try {
        fs.mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });
        this.stagingReady = true;
      } catch (err) {
        // A read-only or full disk: reported like a failed write (the engine retries), never thrown
        // from here, which runs in a timer of the extension host.
        this.inFlight.delete(id);
        queueMicrotask(() => {
          if (this.generation.get(id) === gen) this.onSaveError?.(id, err);
        });
        return;
      }
    }
    const tmp = path.join(this.stagingDir, `${id}.${gen}.json`);
    fs.writeFile(tmp, serialize(record), { mode: 0o600 }, (err) => {
      const current = this.generation.get(id) === gen;
      try {
        if (!err && current) fs.renameSync(tmp, file);
        else if (!err) fs.unlinkSync(tmp);
      } catch (e) {
        err = e as NodeJS.ErrnoException;
      }
      if (!current) return;
      this.inFlight.delete(id);
      if (err) this.onSaveError?.(id, err);
    });
  }

  /** Saves now (synchronously) every record whose saveSoon()/saveAsync() has not landed; returns the errors. */
  flushSync(): unknown[] {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const errors: unknown[] = [];
    for (const r of [...this.waiting, ...this.inFlight.values()]) {
      try {
        this.save(r);
      } catch (err) {
        errors.push(err);
      }
    }
    this.waiting.clear();
    this.inFlight.clear();
    return errors;
  }

  /** Deletes a task's folder; throws (keeping the task's saves as they were) when it cannot. */
  remove(id: string): void {
    fs.rmSync(this.taskDir(id), { recursive: true, force: true });
    this.generation.delete(id);
    this.inFlight.delete(id);
    for (const r of this.waiting) if (r.id === id) this.waiting.delete(r);
  }

  /**
   * The wrapper's exit file, if it wrote one. Only a value ended by its newline counts: the
   * wrapper writes the file in place, so a reader between its creation and its one write()
   * finds it empty, and a value without its newline would not be the wrapper's whole word.
   */
  readExit(id: string): ExitRecord | undefined {
    try {
      const file = this.exitPath(id);
      const raw = fs.readFileSync(file, 'utf8');
      const text = raw.trim();
      const code = Number(text);
      if (!raw.endsWith('\n') || text === '' || !Number.isInteger(code)) {
        return undefined;
      }
      return { code, at: Math.round(fs.statSync(file).mtimeMs) };
    } catch {
      return undefined;
    }
  }

  /**
   * Reads every task.json. One that cannot be read (corrupt, half-written, not a task) is
   * renamed to task.json.corrupt-<time> and named in `setAside`, so it is reported once.
   */
  loadAll(): { records: TaskRecord[]; setAside: string[] } {
    const records: TaskRecord[] = [];
    const setAside: string[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.tasksDir);
    } catch {
      return { records, setAside };
    }
    for (const name of names) {
      const file = path.join(this.tasksDir, name, 'task.json');
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue; // no task.json: not a task folder (or never finished being created)
      }
      const record = parseRecord(text, name);
      if (record) {
        records.push(record);
      } else {
        const aside = `${file}.corrupt-${Date.now()}`;
        try {
          fs.renameSync(file, aside);
        } catch {
          // Still reported; it will be tried again next time.
        }
        setAside.push(aside);
      }
    }
    return { records, setAside };
  }
}

function serialize(record: TaskRecord): string {
  return JSON.stringify({ version: FORMAT_VERSION, ...record });
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
