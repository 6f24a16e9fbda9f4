// Progress of running tasks: OSC 9;4 found in their logs (a bounded read of new bytes per
// tick, so a chatty task costs little) and reports from code. Saved to task.json at most
// every few seconds, not on every tick.
import { LogProgressScanner, type OscProgress } from './progress';
import type { Disposable } from './types';

const SAVE_EVERY_MS = 2000;

export interface ProgressHooks {
  /** Applies progress found in a task's log; false if the task no longer runs. */
  apply(id: string, found: OscProgress): boolean;
  /** Writes a task's current state (with its progress) to disk. */
  save(id: string): void;
}

export class ProgressTracker implements Disposable {
  private readonly scanners = new Map<string, LogProgressScanner>();
  private readonly dirty = new Set<string>();
  private readonly timers: NodeJS.Timeout[];
  private scanning = false;
  private disposed = false;

  constructor(
    private readonly hooks: ProgressHooks,
    pollMs: number,
  ) {
    this.timers = [setInterval(() => void this.scan(), pollMs), setInterval(() => this.flush(), SAVE_EVERY_MS)];
    this.timers.forEach((t) => t.unref());
  }

  /** Starts watching a running task's log for progress sequences. */
  watch(id: string, logPath: string): void {
    this.scanners.set(id, new LogProgressScanner(logPath));
  }

  /** The task ended (and its final state is being saved anyway). */
  forget(id: string): void {
    this.scanners.delete(id);
    this.dirty.delete(id);
  }

  /** Progress changed in memory; save it with the next flush. */
  markDirty(id: string): void {
    this.dirty.add(id);
  }

  flush(): void {
    if (this.disposed) return;
    for (const id of this.dirty) this.hooks.save(id);
    this.dirty.clear();
  }

  dispose(): void {
    this.flush();
    this.disposed = true;
    this.timers.forEach((t) => clearInterval(t));
    this.scanners.clear();
  }

  private async scan(): Promise<void> {
    if (this.scanning || this.disposed || this.scanners.size === 0) return;
    this.scanning = true;
    try {
      for (const [id, scanner] of [...this.scanners]) {
        const found = await scanner.scan().catch(() => undefined);
        if (this.disposed) return;
        if (found && this.scanners.has(id) && !this.hooks.apply(id, found)) this.scanners.delete(id);
      }
    } finally {
      this.scanning = false;
    }
  }
}
