// Progress from the terminal sequence OSC 9;4 (ESC ] 9 ; 4 ; st ; pr, ended by BEL or ESC \),
// which cargo, winget and others emit: st 0 clear, 1 set, 2 error, 3 indeterminate, 4 paused.
import * as fs from 'node:fs';

export interface OscProgress {
  state: 'clear' | 'set' | 'error' | 'indeterminate' | 'paused';
  percent?: number;
}

const STATES: Record<string, OscProgress['state']> = {
  '0': 'clear',
  '1': 'set',
  '2': 'error',
  '3': 'indeterminate',
  '4': 'paused',
};

// Text is handled as latin1 (one char per byte): the sequence is ASCII, so this works on raw
// bytes without caring about UTF-8 boundaries.
/* eslint-disable no-control-regex -- terminal escape sequences are control characters */
const OSC94 = /\x1b\]9;4;(\d*)(?:;(\d*))?(?:\x07|\x1b\\)/g;
const OSC94_PARTIAL = /\x1b(?:\](?:9(?:;(?:4(?:;\d*(?:;\d*)?)?)?)?)?)?\x1b?$/;
/* eslint-enable no-control-regex */
const MAX_CARRY = 32;

function toProgress(st: string, pr: string | undefined): OscProgress | undefined {
  const state = STATES[st === '' ? '0' : st];
  if (!state) return undefined;
  const value = pr === undefined || pr === '' ? undefined : Math.min(100, Math.max(0, Number(pr)));
  return value === undefined || state === 'clear' || state === 'indeterminate' ? { state } : { state, percent: value };
}

/** Every OSC 9;4 sequence in a piece of text, in order. */
export function parseOscProgress(text: string): OscProgress[] {
  const out: OscProgress[] = [];
  for (const m of text.matchAll(OSC94)) {
    const p = toProgress(m[1], m[2]);
    if (p) out.push(p);
  }
  return out;
}

/** Finds OSC 9;4 sequences in a stream of chunks; a sequence split across chunks is joined. */
export class OscProgressParser {
  private carry = '';

  /** The last progress sequence completed in this chunk, if any. */
  push(chunk: string): OscProgress | undefined {
    const text = this.carry + chunk;
    const found = parseOscProgress(text);
    // Keep a trailing unfinished sequence for the next chunk.
    const lastEnd = text.lastIndexOf('\x07') > text.lastIndexOf('\x1b\\') ? text.lastIndexOf('\x07') : text.lastIndexOf('\x1b\\');
    const tail = text.slice(Math.max(lastEnd + 1, text.length - MAX_CARRY));
    const partial = OSC94_PARTIAL.exec(tail);
    this.carry = partial ? tail.slice(partial.index) : '';
    return found.length > 0 ? found[found.length - 1] : undefined;
  }

  reset(): void {
    this.carry = '';
  }
}

/**
 * Watches a growing log for progress without reading all of it: each scan() reads only the
 * bytes added since the last one, and at most `maxBytes` of them (the newest), so a task that
 * prints gigabytes costs a bounded read per tick.
 */
export class LogProgressScanner {
  private offset = 0;
  private readonly parser = new OscProgressParser();

  constructor(
    private readonly file: string,
    private readonly maxBytes = 64 * 1024,
  ) {}

  /** The last progress sequence written since the previous scan, if any. */
  async scan(): Promise<OscProgress | undefined> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch {
      return undefined;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.offset = 0; // truncated: start again
        this.parser.reset();
      }
      if (size === this.offset) return undefined;
      let start = this.offset;
      if (size - start > this.maxBytes) {
        start = size - this.maxBytes;
        this.parser.reset();
      }
      const buf = Buffer.alloc(size - start);
      const { bytesRead } = await handle.read(buf, 0, buf.length, start);
      this.offset = start + bytesRead;
      // Most output holds no ESC and no BEL, so no sequence and no end of one cut at the last
      // scan: no text is made of it.
      const read = buf.subarray(0, bytesRead);
      if (!read.includes(0x1b) && !read.includes(0x07)) {
        this.parser.reset();
        return undefined;
      }
      return this.parser.push(buf.toString('latin1', 0, bytesRead));
    } finally {
      await handle.close();
    }
  }
}
