// Checks of the queue-control options of spawnTask() (timeout, retries, delayed start, lane)
// and of the lane and timeout settings: a bad value is refused with an error naming the field.
import type { SpawnOptions } from './types';
import { TaskOptionsError } from './optionsError';

/** The longest lane name kept (it shows in the tree and in `bgt ls`). */
const MAX_LANE_NAME = 64;
/** More attempts than this is a loop, not a retry. */
const MAX_RETRIES = 100;

export interface QueueOptions {
  timeoutSeconds?: number;
  retries?: number;
  retryDelaySeconds?: number;
  /** Epoch ms, from startAt or delaySeconds (startAt wins). */
  startAt?: number;
  lane?: string;
}

function seconds(value: unknown, field: string, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TaskOptionsError(field, `${field} must be a number of seconds of at least 0 (${what}); got ${JSON.stringify(value) ?? String(value)}.`);
  }
  return value;
}

/** A lane name: non-empty, one line, at most 64 characters. */
export function validateLaneName(lane: unknown, field = 'lane'): string {
  if (typeof lane !== 'string' || lane.trim() === '' || lane.length > MAX_LANE_NAME || [...lane].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new TaskOptionsError(field, `A lane is a name such as "gpu": a non-empty string of at most ${MAX_LANE_NAME} characters on one line (got ${JSON.stringify(lane) ?? String(lane)}).`);
  }
  return lane;
}

export function validateQueueOptions(options: SpawnOptions, now: number): QueueOptions {
  const out: QueueOptions = {};
  const timeout = seconds(options.timeoutSeconds, 'timeoutSeconds', '0 means no timeout');
  if (timeout !== undefined) out.timeoutSeconds = timeout;
  const { retries } = options;
  if (retries !== undefined) {
    if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
      throw new TaskOptionsError('retries', `retries must be a whole number from 0 to ${MAX_RETRIES}: how many more times a failed attempt runs (got ${JSON.stringify(retries) ?? String(retries)}).`);
    }
    out.retries = retries;
  }
  const retryDelay = seconds(options.retryDelaySeconds, 'retryDelaySeconds', 'the wait between a failed attempt and the next');
  if (retryDelay !== undefined) out.retryDelaySeconds = retryDelay;
  const { startAt } = options;
  if (startAt !== undefined && (typeof startAt !== 'number' || !Number.isFinite(startAt) || startAt < 0)) {
    throw new TaskOptionsError('startAt', `startAt must be a time in epoch milliseconds, e.g. Date.now() + 60000 (got ${JSON.stringify(startAt) ?? String(startAt)}).`);
  }
  const delay = seconds(options.delaySeconds, 'delaySeconds', 'how long to wait before it may start');
  const at = startAt ?? (delay !== undefined ? now + delay * 1000 : undefined);
  if (at !== undefined && at > now) {
    if (options.mode === 'verbose') {
      throw new TaskOptionsError(startAt !== undefined ? 'startAt' : 'delaySeconds', 'A verbose task starts at once: give no startAt or delaySeconds, or use mode "background".');
    }
    out.startAt = at;
  }
  if (options.lane !== undefined) out.lane = validateLaneName(options.lane);
  return out;
}

/** The lane limits setting: names to whole numbers of at least 1. */
export function validateLanes(limits: unknown): Record<string, number> {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
    throw new TaskOptionsError('lanes', 'lanes must be an object of lane names to limits, e.g. { "gpu": 1, "db": 2 }.');
  }
  const out: Record<string, number> = {};
  for (const [name, limit] of Object.entries(limits as Record<string, unknown>)) {
    validateLaneName(name, 'lanes');
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
      throw new TaskOptionsError('lanes', `The limit of lane "${name}" must be a whole number of at least 1 (got ${JSON.stringify(limit) ?? String(limit)}).`);
    }
    out[name] = limit;
  }
  return out;
}

/** The default timeout setting, in seconds; 0 means none. */
export function validateDefaultTimeout(seconds: unknown): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new TaskOptionsError('defaultTimeoutSeconds', `defaultTimeoutSeconds must be a number of seconds of at least 0 (0 means no timeout); got ${JSON.stringify(seconds) ?? String(seconds)}.`);
  }
  return seconds;
}
