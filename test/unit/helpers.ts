// Shared by the unit tests: temp storage folders, engines that are always disposed, fixture
// paths, waiting for a condition, and killing whatever a test left running.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TaskEngine } from '../../src/core/engine';
import type { EngineOptions, TaskSnapshot } from '../../src/core/types';

/** test/fixtures, from out/test/unit where the compiled tests run. */
export const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');

export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** Quotes a string for sh. */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Tracks temp folders, engines and process groups of one suite, and frees them all. */
export class Sandbox {
  private readonly dirs: string[] = [];
  private readonly engines: TaskEngine[] = [];
  private readonly groups = new Set<number>();
  private readonly pids = new Set<number>();
  readonly warnings: string[] = [];

  tempDir(prefix = 'bt-unit-'): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** Opens an engine and (unless `loaded: false`) waits for its history to be loaded. */
  async open(options: Partial<EngineOptions> & { storageDir?: string; loaded?: boolean } = {}): Promise<TaskEngine> {
    const { loaded = true, ...engineOptions } = options;
    const engine = await TaskEngine.open({
      storageDir: engineOptions.storageDir ?? this.tempDir(),
      pollIntervalMs: 50,
      log: (m) => this.warnings.push(m),
      ...engineOptions,
    });
    this.engines.push(engine);
    if (loaded) await engine.ready;
    return engine;
  }

  /** Remembers a task's process group so cleanup kills it. */
  trackTask(task: TaskSnapshot | undefined): void {
    if (task?.state.status === 'running') this.groups.add(task.state.pid);
  }
  trackGroup(pgid: number): void {
    this.groups.add(pgid);
  }
  trackPid(pid: number): void {
    this.pids.add(pid);
  }

  cleanup(): void {
    for (const e of this.engines.splice(0)) {
      for (const t of e.getAllTasks({ status: 'running' })) this.trackTask(t);
      e.dispose();
    }
    for (const g of this.groups) tryKill(-g);
    for (const p of this.pids) tryKill(p);
    this.groups.clear();
    this.pids.clear();
    for (const d of this.dirs.splice(0)) removeDir(d);
  }
}

/**
 * Deletes a sandbox folder whose files may still be appearing: a disposed engine's last
 * background write landing, or a task whose start was handed to the launcher as the engine
 * was disposed (it runs, as tasks outlive their engine, and makes its log, pid and exit files
 * within milliseconds). fs.rmSync's own retries only retry the last rmdir, so a file made
 * after its listing fails every retry: the whole deletion is tried again instead, for up to 10 s.
 */
function removeDir(dir: string): void {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || Date.now() > deadline) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

function tryKill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Polls until `check` returns a truthy value; fails after `timeoutMs` with `what`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string | (() => string), timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

/** Reads a file written by a fixture once it exists and is non-empty. */
export async function readWhenReady(file: string, timeoutMs = 60_000): Promise<string> {
  return waitFor(() => {
    try {
      const text = fs.readFileSync(file, 'utf8');
      return text.trim() === '' ? undefined : text.trim();
    } catch {
      return undefined;
    }
  }, `file ${file}`, timeoutMs);
}

/**
 * Records an engine's change events as `id:status`, so a test can prove an order ("B started only
 * after A ended") from the engine's own events instead of looking at a moment after a sleep.
 */
export function recordStates(engine: TaskEngine): { events: string[]; dispose(): void } {
  const events: string[] = [];
  const sub = engine.onDidChangeTask((t) => {
    const event = `${t.id}:${t.state.status}`;
    if (events[events.length - 1] !== event) events.push(event);
  });
  return { events, dispose: () => sub.dispose() };
}

/** Asserts that `first` happened, and happened before `then`. */
export function happenedBefore(events: readonly string[], first: string, then: string): void {
  const a = events.indexOf(first);
  const b = events.indexOf(then);
  if (a < 0 || b < 0 || a > b) throw new Error(`expected ${first} before ${then}, saw: ${events.join(' ')}`);
}
