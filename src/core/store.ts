// Persistence: <storageDir>/tasks/<id>/{task.json,output.log,pid,exit}, a later attempt's pid
// and exit files in tasks/<id>/attempt-<n>/, and <storageDir>/queue.json (the queue paused or
// not); output.log is made by the launcher when the task first starts (a task cancelled
// before it started has none). Folders 0700, files 0600 (commands and environments can hold secrets); task.json and
// queue.json are replaced atomically. Dot-names in tasks/ are never tasks: .saving/ (the
// writer's temp files), .removed-<id>-* (a folder being deleted), .removing-* (the ids of a
// removal of many, until their folders are gone).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomHex } from './random';
import type { TaskRecord } from './taskRecord';
import { StateWriter } from './stateWriter';

export type { TaskRecord } from './taskRecord';

export interface ExitRecord {
  code: number;
  /** When the wrapper wrote it (the exit file's modification time). */
  at: number;
}

/** The start of the name a task's folder is renamed to while it is deleted. */
const REMOVED_PREFIX = '.removed-';
/** The start of the name of a file listing the tasks whose folders a removal of many is deleting. */
const REMOVING_PREFIX = '.removing-';
/** How many folders a removal of many deletes at a time (the thread pool's other work goes on). */
const REMOVING_AT_ONCE = 2;

export class TaskStore {
  readonly tasksDir: string;
  /** The one writer of task.json (see stateWriter.ts). */
  readonly writer: StateWriter;
  /** Tasks whose folders a removal of many is deleting: their ids are not given to new tasks meanwhile. */
  private readonly removing = new Set<string>();
  /** The lists of removals of many that a process which went away left unfinished (listsOfRemoving()). */
  private leftoverLists: { file: string; ids: string[] }[] = [];

  constructor(
    readonly storageDir: string,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.tasksDir = path.join(storageDir, 'tasks');
    this.writer = new StateWriter(this.tasksDir, warn);
  }

  /** Creates the folders (0700); drops temp files a process that went away left staged. */
  init(): void {
    fs.mkdirSync(this.tasksDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.tasksDir, 0o700);
    this.writer.clearStaging();
  }

  /**
   * Removes, in the background, folders of removed tasks whose deletion did not finish (the host
   * went away meanwhile): the names the history's load found (no listing of its own here, which
   * at 10 000 tasks held open() for milliseconds).
   */
  removeLeftovers(names: readonly string[]): void {
    for (const name of names) {
      if (name.startsWith(REMOVED_PREFIX)) fs.rm(path.join(this.tasksDir, name), { recursive: true, force: true }, () => undefined);
    }
    for (const { file, ids } of this.leftoverLists.splice(0)) this.deleteFolders(file, ids);
  }

  /**
   * The tasks that removals of many left unfinished, from their lists among `names` (the dot-names
   * of tasks/): the history's load skips them, and removeLeftovers() deletes their folders. An
   * unreadable list is dropped (it is written atomically: it never started a removal).
   */
  listsOfRemoving(names: readonly string[]): ReadonlySet<string> {
    const ids = new Set<string>();
    for (const name of names) {
      if (!name.startsWith(REMOVING_PREFIX)) continue;
      const file = path.join(this.tasksDir, name);
      if (name.endsWith('.tmp')) {
        fs.rm(file, { force: true }, () => undefined);
        continue;
      }
      try {
        const list = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
        if (!Array.isArray(list)) throw new Error('not a list');
        const valid = list.filter((id): id is string => typeof id === 'string' && /^[^./][^/]*$/.test(id));
        valid.forEach((id) => ids.add(id));
        this.leftoverLists.push({ file, ids: valid });
      } catch {
        fs.rm(file, { force: true }, () => undefined);
      }
    }
    return ids;
  }

  /**
   * Deletes many tasks' folders (the history limit lowered, Clear Finished) without a system call
   * per task now, which for 10 000 tasks held the event loop over half a second: their ids go into
   * one file, tasks/.removing-<random> (a later load skips them if this process goes away
   * meanwhile), and the folders are deleted in the thread pool, a few at a time. Throws
   * (removing nothing) when that file cannot be written.
   */
  removeMany(ids: readonly string[]): void {
    const file = path.join(this.tasksDir, `${REMOVING_PREFIX}${randomHex(4)}`);
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(ids), { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    for (const id of ids) this.writer.forget(id);
    this.deleteFolders(file, ids);
  }

  /** Deletes the folders of a removal of many, then its list; what could not be deleted stays listed for the next start. */
  private deleteFolders(file: string, ids: readonly string[]): void {
    for (const id of ids) this.removing.add(id);
    const failed: string[] = [];
    let next = 0;
    let running = 0;
    const finish = (): void => {
      if (failed.length === 0) {
        fs.rm(file, { force: true }, () => undefined);
        return;
      }
      this.warn(
        `Background Tasks: could not delete the folders of ${failed.length} removed task(s) in ${this.tasksDir} (first: ${failed[0]}); ` +
          'they are tried again at the next start.',
      );
      fs.writeFile(file, JSON.stringify(failed), { mode: 0o600 }, () => undefined);
    };
    const step = (): void => {
      while (running < REMOVING_AT_ONCE && next < ids.length) {
        const id = ids[next++];
        running++;
        deleteFolder(this.taskDir(id), (err) => {
          running--;
          // A folder that could not go keeps its id taken (claimId()'s mkdir also finds it).
          if (err) failed.push(id);
          else this.removing.delete(id);
          if (next < ids.length) step();
          else if (running === 0) finish();
        });
      }
    };
    if (ids.length === 0) finish();
    else step();
  }

  // Joined by hand: path.join splits and rebuilds every piece, and a log path lives in every
  // snapshot of the history (its pieces took ~380 bytes a task, measured in a heap snapshot).
  // Ids are six hex digits or names read from tasksDir: nothing to normalise.
  taskDir(id: string): string {
    return `${this.tasksDir}/${id}`;
  }
  logPath(id: string): string {
    return `${this.tasksDir}/${id}/output.log`;
  }
  /** Where a task's stdinText is kept: in its folder, so it is removed with it. */
  stdinPath(id: string): string {
    return path.join(this.tasksDir, id, 'stdin');
  }
  /**
   * The folder of one attempt's pid and exit files: the task's own for the first, its own
   * subfolder for each later one, so the wrapper's exclusive pid file (a task runs once) holds
   * per attempt, and a reload never takes one attempt's files for another's.
   */
  attemptDir(id: string, attempt = 1): string {
    return attempt <= 1 ? this.taskDir(id) : path.join(this.tasksDir, id, `attempt-${attempt}`);
  }
  exitPath(id: string, attempt = 1): string {
    return path.join(this.attemptDir(id, attempt), 'exit');
  }

  /** Whether the queue was left paused (queue.json); false when never written or unreadable. */
  readQueuePaused(): boolean {
    try {
      const data = JSON.parse(fs.readFileSync(path.join(this.storageDir, 'queue.json'), 'utf8')) as { paused?: unknown };
      return data.paused === true;
    } catch {
      return false;
    }
  }

  /** Writes queue.json now (temp file, then rename); throws when it cannot. */
  writeQueuePaused(paused: boolean): void {
    const file = path.join(this.storageDir, 'queue.json');
    try {
      fs.writeFileSync(`${file}.tmp`, `${JSON.stringify({ paused })}\n`, { mode: 0o600 });
      fs.renameSync(`${file}.tmp`, file);
    } catch (err) {
      throw new Error(
        `Cannot ${paused ? 'pause' : 'resume'} the queue: ${file} cannot be written (${(err as NodeJS.ErrnoException).code ?? String(err)}). ` +
          'Check that the folder is writable and the disk is not full, then try again.',
        { cause: err },
      );
    }
  }

  /**
   * The pid the wrapper wrote as its first act, and when: proof that a task started even if
   * its running state never reached task.json (the engine saves that state off the main thread).
   */
  readPid(id: string, attempt = 1): { pid: number; at: number } | undefined {
    try {
      const file = path.join(this.attemptDir(id, attempt), 'pid');
      const raw = fs.readFileSync(file, 'utf8');
      const pid = Number(raw.trim());
      if (!raw.endsWith('\n') || !Number.isInteger(pid) || pid <= 1) return undefined;
      return { pid, at: Math.round(fs.statSync(file).mtimeMs) };
    } catch {
      return undefined;
    }
  }

  /**
   * A new 6-hex-character id, not used in memory nor on disk, with its folder made (0700): the
   * folder's mkdir is the look at the disk (EEXIST: another id), no stat of its own. Throws, in
   * words a person can act on, when the folder cannot be made.
   */
  claimId(taken: (id: string) => boolean): string {
    for (;;) {
      const id = randomHex(3);
      if (taken(id) || this.removing.has(id)) continue;
      try {
        fs.mkdirSync(this.taskDir(id), { mode: 0o700 });
        return id;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw folderError(this.tasksDir, err);
      }
    }
  }

  /** Makes the task's folder and empty log, then writes its task.json. */
  create(record: TaskRecord): void {
    try {
      fs.mkdirSync(this.taskDir(record.id), { mode: 0o700 });
    } catch (err) {
      throw folderError(this.tasksDir, err);
    }
    fs.closeSync(fs.openSync(this.logPath(record.id), 'a', 0o600));
    this.writer.save(record);
  }

  /**
   * For a task just queued, whose folder claimId() made: its stdin text now, its task.json
   * after this turn (saveSoon). No empty log: the launcher's open for append makes it when the
   * task starts, and every reader takes a missing log for no output yet.
   */
  createQueued(record: TaskRecord, stdinText?: string): void {
    if (stdinText !== undefined) {
      try {
        fs.writeFileSync(this.stdinPath(record.id), stdinText, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Nothing half-made stays behind: the caller is told, and the id is free again.
        fs.rmSync(this.taskDir(record.id), { recursive: true, force: true });
        throw new Error(`Cannot write the task's stdin text into ${this.taskDir(record.id)} (${(err as NodeJS.ErrnoException).code ?? String(err)}): check that the disk is not full, then try again.`, { cause: err });
      }
    }
    this.writer.saveSoon(record);
  }

  /**
   * Deletes a task's folder: renamed out of the way at once (one system call; the loader skips
   * dot-names), its files deleted in the thread pool. Throws (keeping the task's saves as they
   * were) when the rename is refused.
   */
  remove(id: string): void {
    const trash = path.join(this.tasksDir, `${REMOVED_PREFIX}${id}-${randomHex(4)}`);
    try {
      fs.renameSync(this.taskDir(id), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.writer.forget(id);
      return;
    }
    this.writer.forget(id);
    deleteFolder(trash, (err) => {
      // Left for the next init() to delete; it holds nothing a listing shows.
      if (err) this.warn(`Background Tasks: could not delete ${trash} (${err.code ?? err.message}); it is tried again at the next start.`);
    });
  }

  /**
   * The wrapper's exit file, if it wrote one. Only a value ended by its newline counts: the
   * wrapper writes the file in place, so a reader between its creation and its one write()
   * finds it empty, and a value without its newline would not be the wrapper's whole word.
   */
  readExit(id: string, attempt = 1): ExitRecord | undefined {
    try {
      const file = this.exitPath(id, attempt);
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
}

/** The files a task's folder holds when it has run once, deleted by name. */
const TASK_FILES = ['task.json', 'output.log', 'pid', 'exit'];

/**
 * Deletes a task's folder in the thread pool: its usual files by name, then the folder; fs.rm
 * only when something else is left (stdin text, a later attempt's folder). Five system calls
 * where fs.rm's walk makes a dozen (an lstat per file, a readdir, a first rmdir that fails),
 * for each of the hundreds of tasks a burst pushes out of the history.
 */
function deleteFolder(dir: string, done: (err: NodeJS.ErrnoException | null) => void): void {
  let left = TASK_FILES.length;
  const unlinked = (): void => {
    if (--left > 0) return;
    fs.rmdir(dir, (err) => {
      if (!err || err.code === 'ENOENT') done(null);
      else fs.rm(dir, { recursive: true, force: true }, done);
    });
  };
  for (const name of TASK_FILES) fs.unlink(`${dir}/${name}`, unlinked);
}

/** Why a task's folder could not be made, in words a person can act on. */
function folderError(tasksDir: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  return new Error(
    `Cannot create the task's folder in ${tasksDir} (${e.code ?? e.message}): ` +
      'check that the folder exists, is writable and that the disk is not full, then try again.',
    { cause: err },
  );
}
