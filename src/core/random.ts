// Random hex strings for task ids and markers, from a buffer filled 4 KiB at a time: a call
// of randomBytes() per task (two a task: its id and its marker) was a system call each, and
// a measurable part of queuing thousands of tasks at once.
import { randomFillSync } from 'node:crypto';

const pool = Buffer.alloc(4096);
let used = pool.length;

/** `bytes` random bytes (at most 64) as lowercase hex. */
export function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString('hex', used, used + bytes);
  used += bytes;
  return text;
}
