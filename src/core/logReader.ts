// Reading a task's log file: from an offset, live while it grows, decoded as UTF-8 across
// read boundaries (a split character is joined, invalid bytes become U+FFFD), with the ANSI
// escapes kept or stripped. Reads are bounded, so memory does not grow with the log.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { Disposable } from './types';

/* eslint-disable no-control-regex -- terminal escape sequences are control characters */
// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, and the
// 8-bit CSI. Deliberately strict about what it removes: plain text stays as it is.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;
// An escape sequence that has started but not ended at the end of a chunk.
const PARTIAL = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[PX^_][^\x1b]*)?\x1b?$/;
/* eslint-enable no-control-regex */

/** Removes ANSI escape sequences (colours, cursor moves, OSC titles and progress). */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Strips ANSI escapes from a stream of text, holding back a sequence split across chunks. */
export class AnsiStripper {
  private carry = '';

  push(text: string): string {
    const all = this.carry + text;
    const partial = PARTIAL.exec(all);
    // A runaway "sequence" (an ESC followed by lots of text) is not held back forever.
    const cut = partial && all.length - partial.index <= 4096 ? partial.index : all.length;
    this.carry = all.slice(cut);
    return stripAnsi(all.slice(0, cut));
  }

  end(): string {
    const rest = this.carry;
    this.carry = '';
    return stripAnsi(rest);
  }
}

/** UTF-8 decoding of a byte stream: characters split across chunks are joined. */
export class Utf8StreamDecoder {
  private readonly decoder = new StringDecoder('utf8');
  write(bytes: Buffer): string {
    return this.decoder.write(bytes);
  }
  end(): string {
    return this.decoder.end();
  }
}

export interface ReadResult {
  text: string;
  /** Where the next read should start. */
  nextOffset: number;
  /** Size of the file when it was read. */
  size: number;
}

/**
 * Reads at most `maxBytes` from `offset` and decodes them (a character cut at the end of the
 * range is left for the next read: nextOffset stops before it).
 */
export function readRange(file: string, offset = 0, maxBytes = 1 << 20, strip = false): ReadResult {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { text: '', nextOffset: offset, size: 0 };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.max(0, Math.min(maxBytes, size - offset));
    const buf = Buffer.alloc(length);
    const read = length > 0 ? fs.readSync(fd, buf, 0, length, offset) : 0;
    const decoder = new StringDecoder('utf8');
    const end = offset + read < size ? completeUtf8Length(buf.subarray(0, read)) : read;
    const text = decoder.write(buf.subarray(0, end)) + decoder.end();
    return { text: strip ? stripAnsi(text) : text, nextOffset: offset + end, size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Length of the prefix of `buf` that does not end inside a multi-byte UTF-8 character. */
function completeUtf8Length(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back];
    if ((byte & 0xc0) !== 0x80) {
      const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return need > back ? buf.length - back : buf.length;
    }
  }
  return buf.length;
}

/**
 * The last `lines` lines of a file, reading only its last `maxBytes` bytes (cheap on a 1 GB
 * log). A trailing newline does not count as an empty last line.
 */
export function readTail(file: string, lines: number, maxBytes = 64 * 1024, strip = true): string[] {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return [];
  }
  const start = Math.max(0, size - maxBytes);
  let { text } = readRange(file, start, maxBytes, false);
  if (start > 0) {
    // The first line is probably cut: drop it unless it is all we have.
    const nl = text.indexOf('\n');
    if (nl >= 0 && nl < text.length - 1) text = text.slice(nl + 1);
  }
  if (strip) text = stripAnsi(text);
  const all = text.replace(/\r\n/g, '\n').split('\n');
  if (all.length > 0 && all[all.length - 1] === '') all.pop();
  return lines <= 0 ? [] : all.slice(-lines);
}

export interface FollowOptions {
  /** Byte offset to start from; default 0. */
  offset?: number;
  stripAnsi?: boolean;
  /** Polling interval when fs.watch gives no news; default 250 ms. */
  pollMs?: number;
  /** Most bytes read per step; default 64 KiB (each step is decoded in one piece of the event loop's time). */
  chunkBytes?: number;
}

/**
 * Follows a log file from an offset and hands decoded text to `onText` as it grows. Call
 * finish() once the writer has ended to read the rest and flush a trailing partial character.
 */
export class LogFollower implements Disposable {
  private readonly decoder = new Utf8StreamDecoder();
  private readonly stripper: AnsiStripper | undefined;
  private readonly chunkBytes: number;
  /** One buffer for every read of this follower, not one per drain. */
  private buffer: Buffer | undefined;
  private position: number;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly onText: (text: string) => void,
    options: FollowOptions = {},
  ) {
    this.position = options.offset ?? 0;
    this.chunkBytes = options.chunkBytes ?? 64 * 1024;
    this.stripper = options.stripAnsi ? new AnsiStripper() : undefined;
    try {
      this.watcher = fs.watch(file, { persistent: false }, () => void this.poll());
      this.watcher.on('error', () => undefined);
    } catch {
      // Polling alone will do.
    }
    this.timer = setInterval(() => void this.poll(), options.pollMs ?? 250);
    this.timer.unref();
    void this.poll();
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.position;
  }

  /** Reads whatever has been appended since the last read. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = this.drain().finally(() => {
      this.reading = undefined;
      if (this.again) {
        this.again = false;
        void this.poll();
      }
    });
    return this.reading;
  }

  /** Reads to the end of the file, flushes what the decoder holds, and stops following. */
  async finish(): Promise<void> {
    await this.poll();
    await this.poll();
    if (this.stopped) return;
    const tail = this.decoder.end();
    this.emit(tail, true);
    this.dispose();
  }

  dispose(): void {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async drain(): Promise<void> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = (this.buffer ??= Buffer.allocUnsafe(this.chunkBytes));
      while (!this.stopped) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, this.position);
        if (bytesRead === 0) break;
        this.position += bytesRead;
        this.emit(this.decoder.write(buf.subarray(0, bytesRead)), false);
      }
    } finally {
      await handle.close();
    }
  }

  private emit(text: string, last: boolean): void {
    let out = this.stripper ? this.stripper.push(text) : text;
    if (last && this.stripper) out += this.stripper.end();
    if (out !== '') this.onText(out);
  }
}
