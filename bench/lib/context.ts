// What every benchmark gets: sizes and rounds (BENCH_QUICK shrinks them), fresh temp folders,
// the peers found, a log line writer, and a way to run a job in the engine's host process.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Job } from './engineJobs';
import type { Peers } from './peers';
import { runNodeJson } from './proc';

export interface Context {
  quick: boolean;
  rounds: number;
  peers: Peers;
  log: (line: string) => void;
  /** A new empty folder under this run's temp root. */
  tmp: (label: string) => string;
  /** Runs a job in a fresh engine host process (node --expose-gc worker.js). */
  inHost: (job: Job) => Promise<Record<string, number>>;
  cleanup: () => void;
}

export function makeContext(peers: Peers, log: (line: string) => void): Context {
  const quick = process.env.BENCH_QUICK === '1';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-bench-'));
  let n = 0;
  const worker = path.join(__dirname, '..', 'worker.js');
  return {
    quick,
    rounds: Number(process.env.BENCH_ROUNDS) || (quick ? 2 : 5),
    peers,
    log,
    tmp: (label) => {
      const dir = path.join(root, `${String(++n).padStart(3, '0')}-${label}`);
      fs.mkdirSync(dir, { recursive: true });
      return dir;
    },
    inHost: (job) => runNodeJson<Record<string, number>>(worker, job, ['--expose-gc']),
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Removes a folder's contents between rounds so the disk does not fill up (1 GB logs). */
export function wipe(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
