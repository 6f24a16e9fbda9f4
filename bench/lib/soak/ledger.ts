// The soak's record of what it did, and what it heard back from the engines.
import type { TaskSnapshot } from '../../../src/core/types';

export interface Planned {
  token: string;
  id: string;
  kind: 'plain' | 'chain' | 'pipe' | 'retry' | 'timeout';
  lines: number;
  exit: number;
  dependsOn: string[];
  stdinFrom?: string;
  spawnedAt: number;
  /** cancelTask answered ok, and when. */
  cancelledAt?: number;
  /** Its process group was sent SIGKILL from outside the engine. */
  killedAt?: number;
  /** Removed by clearFinished (its folder is gone, so its log is not checked). */
  removed?: boolean;
  /** kind 'retry': its retries, and how many first attempts fail. */
  retries?: number;
  fails?: number;
  /** kind 'timeout': its timeout, and whether it overruns it (else it ends well inside). */
  timeoutSeconds?: number;
  overrun?: boolean;
}

export interface Ledger {
  planned: Map<string, Planned>;
  finishEvents: Map<string, TaskSnapshot[]>;
  /** [time, limit] for every limit set (on open and on the fly). */
  limits: [number, number][];
  readOnly: [number, number][];
  /** [from, to] of every span the queue was paused. */
  queuePaused: [number, number][];
  counts: Record<string, number>;
  violations: string[];
}

export function newLedger(): Ledger {
  return { planned: new Map(), finishEvents: new Map(), limits: [], readOnly: [], queuePaused: [], counts: {}, violations: [] };
}

export function count(ledger: Ledger, what: string, n = 1): void {
  ledger.counts[what] = (ledger.counts[what] ?? 0) + n;
}

export function violation(ledger: Ledger, text: string): void {
  ledger.violations.push(text);
  process.stderr.write(`VIOLATION: ${text}\n`);
}
