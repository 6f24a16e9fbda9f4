// Newline framing for the control socket: bytes in, whole lines out, never more than a set
// size held (a client that sends 100 MB without a newline costs at most that much memory).

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: (bytes: number) => void,
  ) {}

  /** Feeds bytes; returns false once a line was too long (the caller closes the connection). */
  push(chunk: Buffer): boolean {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      const part = chunk.subarray(start, nl);
      if (this.pendingBytes + part.length > this.maxBytes) return this.tooLong(part.length);
      const line = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part]);
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') this.onLine(text);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > this.maxBytes) return this.tooLong(rest.length);
      this.pending.push(Buffer.from(rest));
      this.pendingBytes += rest.length;
    }
    return true;
  }

  private tooLong(extra: number): false {
    const bytes = this.pendingBytes + extra;
    this.pending = [];
    this.pendingBytes = 0;
    this.onTooLong(bytes);
    return false;
  }
}
