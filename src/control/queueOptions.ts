// The queue-control options of a run (timeout, retries, delayed start, lane), checked the same
// way for the control protocol and the agent tools: the field is named and so is what it takes.
import type { SpawnOptions } from '../core/types';

export type QueueOptionName = 'timeoutSeconds' | 'retries' | 'retryDelaySeconds' | 'startAt' | 'delaySeconds' | 'lane';
export const QUEUE_OPTION_NAMES: readonly QueueOptionName[] = ['timeoutSeconds', 'retries', 'retryDelaySeconds', 'startAt', 'delaySeconds', 'lane'];

export class QueueOptionError extends Error {
  constructor(
    readonly field: QueueOptionName,
    message: string,
  ) {
    super(message);
    this.name = 'QueueOptionError';
  }
}

const WHAT: Record<QueueOptionName, string> = {
  timeoutSeconds: 'a number of seconds of at least 0 (0: no timeout)',
  retries: 'a whole number of at least 0',
  retryDelaySeconds: 'a number of seconds of at least 0',
  startAt: 'a time in epoch milliseconds (a number, e.g. Date.now() + 60000)',
  delaySeconds: 'a number of seconds of at least 0',
  lane: 'a lane name, a non-empty string such as "gpu"',
};

function valid(field: QueueOptionName, v: unknown): boolean {
  if (field === 'lane') return typeof v === 'string' && v.trim() !== '';
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  return v >= 0 && (field !== 'retries' || Number.isInteger(v));
}

/** Those of `fields` that `input` gives, checked; throws a QueueOptionError naming the first bad one. */
export function queueOptions(input: Record<string, unknown>, fields: readonly QueueOptionName[] = QUEUE_OPTION_NAMES): Partial<SpawnOptions> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const v = input[field];
    if (v === undefined || v === null) continue;
    if (!valid(field, v)) throw new QueueOptionError(field, `"${field}" must be ${WHAT[field]}; got ${JSON.stringify(v)}.`);
    out[field] = v;
  }
  return out as Partial<SpawnOptions>;
}
