// What "run again" queues: the same command with the same settings of the task (type, priority,
// cwd, env, metadata, stdin text, problem matchers, timeout, retries and lane), as new options.
import * as fs from 'node:fs';
import { TaskOptionsError } from './optionsError';
import type { TaskStore } from './store';
import type { TaskRecord } from './taskRecord';
import type { SpawnOptions } from './types';

export function rerunOptions(t: TaskRecord, store: Pick<TaskStore, 'stdinPath'>): SpawnOptions {
  const { command, type, priority, cwd, env, metadata, problemMatcher, timeoutSeconds, retries, retryDelaySeconds, lane } = t;
  let stdinText: string | undefined;
  if (t.ownStdin) {
    try {
      stdinText = fs.readFileSync(store.stdinPath(t.id), 'utf8');
    } catch (err) {
      throw new TaskOptionsError('id', `The stdin text of task ${t.id} is gone (${(err as NodeJS.ErrnoException).code ?? String(err)}), so it cannot run again with it.`);
    }
  }
  return {
    command,
    type,
    priority,
    cwd,
    env,
    metadata,
    mode: t.mode === 'verbose' ? 'verbose' : 'background',
    ...(stdinText !== undefined ? { stdinText } : {}),
    ...(problemMatcher !== undefined ? { problemMatcher } : {}),
    // 0: the timeout it ran with was none, whatever the default is now.
    timeoutSeconds: timeoutSeconds ?? 0,
    ...(retries !== undefined ? { retries } : {}),
    ...(retryDelaySeconds !== undefined ? { retryDelaySeconds } : {}),
    ...(lane !== undefined ? { lane } : {}),
  };
}
