// One output channel per task, created the first time it is shown and fed from the task's log
// (ANSI escapes stripped) while the task runs. A huge log shows only its end; at most
// MAX_CHANNELS stay open, the least recently shown closed first.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { FollowOptions, LogFollower } from '../core/logReader';
import type { TaskSnapshot } from '../core/types';
import { shortCommand } from './taskText';

/** What the channels need from the engine: a lookup and a follower that ends with the task. */
export interface OutputSource {
  getTask(id: string): TaskSnapshot | undefined;
  followOutput(id: string, onText: (text: string) => void, options?: FollowOptions): LogFollower | undefined;
}

const MAX_CHANNELS = 20;
/** A log bigger than this is shown from this many bytes before its end. */
const TAIL_BYTES = 1 << 20;
/** A channel that has been fed this much is restarted from the log's end, to bound memory. */
const CHANNEL_BYTES = 8 << 20;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1 << 30) return `${(bytes / (1 << 20)).toFixed(1)} MB`;
  return `${(bytes / (1 << 30)).toFixed(2)} GB`;
}

/** Where to start showing a log of `size` bytes: 0, or just after a newline near its end. */
export function tailStart(file: string, size: number, tailBytes = TAIL_BYTES): number {
  if (size <= tailBytes) return 0;
  const start = size - tailBytes;
  const fd = fs.openSync(file, 'r');
  try {
    const probe = Buffer.alloc(Math.min(64 * 1024, tailBytes));
    const read = fs.readSync(fd, probe, 0, probe.length, start);
    const nl = probe.subarray(0, read).indexOf(0x0a);
    return nl < 0 ? start : start + nl + 1;
  } finally {
    fs.closeSync(fd);
  }
}

interface Entry {
  channel: vscode.OutputChannel;
  follower: LogFollower | undefined;
  fed: number;
  closed: boolean;
  /** Everything appended, kept only while tests ask for it. */
  recorded?: string[];
}

export class TaskChannels implements vscode.Disposable {
  /** Map order is recency: the first entry is the least recently shown. */
  private readonly entries = new Map<string, Entry>();
  /** Tests turn this on to read back what a channel holds. */
  record = false;

  constructor(private readonly source: OutputSource) {}

  /** Shows (creating if needed) the channel of a task. */
  show(task: TaskSnapshot, preserveFocus = true): vscode.OutputChannel {
    let entry = this.entries.get(task.id);
    if (entry) {
      this.entries.delete(task.id);
      this.entries.set(task.id, entry);
    } else {
      entry = this.create(task);
      this.entries.set(task.id, entry);
      this.evict();
    }
    entry.channel.show(preserveFocus);
    return entry.channel;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** What a channel received since it was created (only when `record` was on). */
  recordedText(id: string): string | undefined {
    return this.entries.get(id)?.recorded?.join('');
  }

  /** Closes the channels of tasks that no longer exist (cleared or removed). */
  prune(): void {
    for (const id of [...this.entries.keys()]) if (!this.source.getTask(id)) this.close(id);
  }

  close(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.closed = true;
    entry.follower?.dispose();
    entry.channel.dispose();
  }

  private evict(): void {
    while (this.entries.size > MAX_CHANNELS) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.close(oldest);
    }
  }

  private create(task: TaskSnapshot): Entry {
    const channel = vscode.window.createOutputChannel(`Task ${task.id}: ${shortCommand(task.command, 60)}`);
    const entry: Entry = { channel, follower: undefined, fed: 0, closed: false, recorded: this.record ? [] : undefined };
    this.feed(task, entry);
    return entry;
  }

  private append(entry: Entry, text: string): void {
    // A read that was under way when the channel closed still delivers its text.
    if (entry.closed) return;
    entry.channel.append(text);
    entry.recorded?.push(text);
    entry.fed += text.length;
  }

  private feed(task: TaskSnapshot, entry: Entry): void {
    let size = 0;
    try {
      size = fs.statSync(task.logPath).size;
    } catch {
      // No output yet: the follower picks the file up when it appears.
    }
    const start = size > TAIL_BYTES ? tailStart(task.logPath, size) : 0;
    if (start > 0) {
      this.append(
        entry,
        `[Showing the last ${formatBytes(size - start)} of a ${formatBytes(size)} log. For all of it, ` +
          `choose "Open Full Log" on the task in the Background Tasks view, or open ${task.logPath}]\n`,
      );
    }
    // The engine's follower reads the rest and stops by itself when the task ends.
    entry.follower = this.source.followOutput(
      task.id,
      (text) => {
        this.append(entry, text);
        if (entry.fed > CHANNEL_BYTES) this.restart(task.id, entry);
      },
      { offset: start, stripAnsi: true },
    );
  }

  /** A channel fed too much text starts again from the end of the log. */
  private restart(id: string, entry: Entry): void {
    const task = this.source.getTask(id);
    if (!task) return;
    entry.follower?.dispose();
    entry.channel.replace('');
    entry.fed = 0;
    if (entry.recorded) entry.recorded.length = 0;
    this.feed(task, entry);
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.close(id);
  }
}
