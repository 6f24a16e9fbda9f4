// The queue-control steps of Run in Background with Options...: timeout, retries (and the delay
// between them) and lane. Each is prefilled with its default, so Enter goes on with it.
import type { SpawnOptions } from '../core/types';
import type { Prompts } from './seams';

type QueueOptions = Pick<SpawnOptions, 'timeoutSeconds' | 'retries' | 'retryDelaySeconds' | 'lane'>;

function seconds(value: string): string | undefined {
  const n = Number(value.trim());
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 ? undefined : `"${value}" is not a number of seconds (0 or more).`;
}

function count(value: string): string | undefined {
  const n = Number(value.trim());
  return Number.isInteger(n) && n >= 0 && n <= 100 ? undefined : `"${value}" is not a whole number from 0 to 100.`;
}

/**
 * Asks timeout, retries (and their delay, when there are any) and, when the setting names lanes, the lane.
 * Undefined when the person dismissed a step (the whole run is dropped, as with the other steps).
 */
export async function askQueueOptions(
  prompts: Prompts,
  title: string,
  defaults: { defaultTimeoutSeconds: number; lanes: Readonly<Record<string, number>> },
): Promise<QueueOptions | undefined> {
  const fallback = defaults.defaultTimeoutSeconds;
  const timeout = await prompts.input({
    title: `${title}: timeout`,
    prompt: `Seconds one attempt may run before it is stopped and fails; 0 = no limit. Enter keeps ${fallback === 0 ? 'no limit' : `${fallback}s`} (backgroundTasks.defaultTimeoutSeconds).`,
    value: String(fallback),
    validate: seconds,
  });
  if (timeout === undefined) return undefined;
  const retries = await prompts.input({
    title: `${title}: retries`,
    prompt: 'How many more times a failed attempt runs again (non-zero exit, signal or timeout; never a cancel). Enter keeps 0.',
    value: '0',
    validate: count,
  });
  if (retries === undefined) return undefined;
  const options: QueueOptions = {};
  // The setting's default applies by itself when the person kept it; only a change is the task's own.
  if (Number(timeout) !== fallback) options.timeoutSeconds = Number(timeout);
  if (Number(retries) > 0) {
    options.retries = Number(retries);
    const delay = await prompts.input({ title: `${title}: delay between attempts`, prompt: 'Seconds to wait before each retry. Enter keeps 0.', value: '0', validate: seconds });
    if (delay === undefined) return undefined;
    if (Number(delay) > 0) options.retryDelaySeconds = Number(delay);
  }
  // Only the lanes the setting names: the steps stay the same whatever the history holds.
  const lanes = Object.keys(defaults.lanes);
  if (lanes.length > 0) {
    const lane = await prompts.pick(
      [
        { label: 'No lane', lane: undefined, description: 'only maxConcurrentTasks limits it' },
        ...lanes.map((name) => ({ label: name, lane: name, description: `at most ${defaults.lanes[name]} at once` })),
      ],
      { title: `${title}: lane`, placeHolder: 'A lane has its own limit (backgroundTasks.lanes), inside maxConcurrentTasks' },
    );
    if (!lane) return undefined;
    if (lane.lane !== undefined) options.lane = lane.lane;
  }
  return options;
}
