// Checks spawnTask() options before anything is queued: a bad option is refused at once with
// an error that names the field, rather than becoming a task that fails later.
import * as fs from 'node:fs';
import { TASK_MARKER } from './launcher';
import { TaskOptionsError } from './optionsError';
import { validateQueueOptions, type QueueOptions } from './queueOptions';
import {
  TASK_PRIORITIES,
  TASK_TYPES,
  type ProblemMatcherSpec,
  type SpawnOptions,
  type TaskMetadata,
  type TaskMode,
  type TaskPriority,
  type TaskType,
} from './types';

export { TaskOptionsError } from './optionsError';

/** Options with defaults applied, ready to become a task. */
export interface ValidOptions extends QueueOptions {
  command: string;
  type: TaskType;
  priority: TaskPriority;
  mode: TaskMode;
  metadata: TaskMetadata;
  cwd?: string;
  env: Record<string, string>;
  dependsOn: string[];
  stdinFrom?: string;
  stdinFile?: string;
  stdinText?: string;
  problemMatcher?: ProblemMatcherSpec;
}

const list = (values: readonly string[]): string => values.map((v) => `"${v}"`).join(', ');

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates and normalises spawn options. `exists` tells whether a task id is known;
 * `dependenciesOf` walks the existing graph to refuse a cycle.
 */
export function validateSpawnOptions(
  options: SpawnOptions,
  exists: (id: string) => boolean,
  dependenciesOf: (id: string) => readonly string[],
): ValidOptions {
  if (!isPlainObject(options)) {
    throw new TaskOptionsError('options', 'spawnTask needs an options object with at least a command.');
  }
  const { command } = options;
  if (typeof command !== 'string') {
    const got = command === undefined ? 'nothing' : command === null ? 'null' : `a ${Array.isArray(command) ? 'list' : typeof command}`;
    throw new TaskOptionsError('command', `The command must be a string such as "npm test" (got ${got}).`);
  }
  if (command.trim() === '') {
    throw new TaskOptionsError('command', 'The command is empty: give the shell command to run, e.g. "npm test".');
  }
  if (command.includes('\0')) {
    throw new TaskOptionsError('command', 'The command contains a NUL character, which no shell can run.');
  }
  const type = options.type ?? 'code';
  if (!(TASK_TYPES as readonly unknown[]).includes(type)) {
    throw new TaskOptionsError('type', `Unknown type "${String(type)}": use one of ${list(TASK_TYPES)}.`);
  }
  const priority = options.priority ?? 'normal';
  if (!(TASK_PRIORITIES as readonly unknown[]).includes(priority)) {
    throw new TaskOptionsError('priority', `Unknown priority "${String(priority)}": use one of ${list(TASK_PRIORITIES)}.`);
  }
  const metadata = validateMetadata(options.metadata);
  const env = validateEnv(options.env);
  if (options.cwd !== undefined && (typeof options.cwd !== 'string' || options.cwd === '')) {
    throw new TaskOptionsError('cwd', 'The working folder must be a non-empty path.');
  }
  const dependsOn = validateDependsOn(options.dependsOn, exists);
  const { stdinFrom, stdinFile } = options;
  if (stdinFrom !== undefined && (typeof stdinFrom !== 'string' || !exists(stdinFrom))) {
    throw new TaskOptionsError('stdinFrom', `No task with id "${String(stdinFrom)}" to take input from.`);
  }
  if (stdinFile !== undefined) {
    if (typeof stdinFile !== 'string' || !fs.existsSync(stdinFile)) {
      throw new TaskOptionsError('stdinFile', `The input file "${String(stdinFile)}" does not exist.`);
    }
    if (stdinFrom !== undefined) {
      throw new TaskOptionsError('stdinFile', 'Give either stdinFrom or stdinFile, not both.');
    }
  }
  const { stdinText } = options;
  if (stdinText !== undefined) {
    if (typeof stdinText !== 'string') throw new TaskOptionsError('stdinText', `stdinText must be a string (got ${typeof stdinText}).`);
    if (stdinFrom !== undefined || stdinFile !== undefined) {
      throw new TaskOptionsError('stdinText', 'Give only one of stdinFrom, stdinFile and stdinText.');
    }
  }
  const piped = stdinFrom !== undefined || stdinFile !== undefined || stdinText !== undefined;
  const requested = (options.mode as string | undefined) ?? 'background';
  if (!['background', 'verbose', 'piped'].includes(requested)) {
    throw new TaskOptionsError('mode', `Unknown mode "${requested}": use "background" or "verbose".`);
  }
  if (requested === 'piped' && !piped) {
    throw new TaskOptionsError('mode', 'Mode "piped" needs stdinFrom (a task id), stdinFile or stdinText.');
  }
  const mode: TaskMode = requested === 'verbose' ? 'verbose' : piped ? 'piped' : (requested as TaskMode);
  const deps = stdinFrom !== undefined && !dependsOn.includes(stdinFrom) ? [...dependsOn, stdinFrom] : dependsOn;
  if (findCycle(deps, dependenciesOf) !== undefined) {
    throw new TaskOptionsError('dependsOn', 'These dependencies would form a cycle.');
  }
  const problemMatcher = validateProblemMatcher(options.problemMatcher);
  const queueOptions = validateQueueOptions(options, Date.now());
  return {
    command,
    type,
    priority,
    mode,
    metadata,
    cwd: options.cwd,
    env,
    dependsOn,
    stdinFrom,
    stdinFile,
    stdinText,
    ...(problemMatcher !== undefined ? { problemMatcher } : {}),
    ...queueOptions,
  };
}

/** Only the shape: names are resolved where the installed extensions are known (the ui). */
function validateProblemMatcher(spec: unknown): ProblemMatcherSpec | undefined {
  if (spec === undefined) return undefined;
  const items = Array.isArray(spec) ? spec : [spec];
  for (const item of items) {
    const ok = (typeof item === 'string' && item.trim() !== '') || (isPlainObject(item) && (item.pattern !== undefined || typeof item.base === 'string'));
    if (!ok) {
      throw new TaskOptionsError('problemMatcher', `A problem matcher must be a name such as "$tsc" or an object with a "pattern" or a "base" (got ${JSON.stringify(item)}).`);
    }
  }
  // A copy through JSON: it is written to task.json as it is, so it must be plain data. Frozen,
  // because snapshots hand out this same object.
  return deepFreeze(JSON.parse(JSON.stringify(spec)) as ProblemMatcherSpec);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function validateMetadata(metadata: unknown): TaskMetadata {
  if (metadata === undefined) {
    return {};
  }
  if (!isPlainObject(metadata)) {
    throw new TaskOptionsError('metadata', 'Metadata must be an object of key/value pairs.');
  }
  const out: TaskMetadata = {};
  for (const [key, value] of Object.entries(metadata)) {
    const ok =
      typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok || key === '') {
      throw new TaskOptionsError(
        'metadata',
        `Metadata "${key}" must be a string, a finite number or a boolean (got ${typeof value}).`,
      );
    }
    out[key] = value;
  }
  return out;
}

function validateEnv(env: unknown): Record<string, string> {
  if (env === undefined) {
    return {};
  }
  if (!isPlainObject(env)) {
    throw new TaskOptionsError('env', 'env must be an object of variable names to string values.');
  }
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string' || key === '' || key.includes('=') || key.includes('\0') || value.includes('\0')) {
      throw new TaskOptionsError('env', `Environment variable "${key}" needs a name without "=" and a string value.`);
    }
  }
  // A caller's marker would make a cancel of this task end another (see launcher.ts).
  const out = { ...(env as Record<string, string>) };
  delete out[TASK_MARKER];
  return out;
}

function validateDependsOn(dependsOn: unknown, exists: (id: string) => boolean): string[] {
  if (dependsOn === undefined) {
    return [];
  }
  if (!Array.isArray(dependsOn)) {
    throw new TaskOptionsError('dependsOn', 'dependsOn must be a list of task ids.');
  }
  for (const id of dependsOn) {
    if (typeof id !== 'string' || !exists(id)) {
      throw new TaskOptionsError('dependsOn', `No task with id "${String(id)}" to wait for.`);
    }
  }
  return [...new Set(dependsOn as string[])];
}

/**
 * A path through the graph that returns to one of `start` (a cycle) or to `self`, or
 * undefined. `self` is the task whose dependencies are being set, when it already exists.
 */
export function findCycle(
  start: readonly string[],
  dependenciesOf: (id: string) => readonly string[],
  self?: string,
): string[] | undefined {
  const done = new Set<string>();
  const onPath = new Set<string>();
  const visit = (id: string, trail: string[]): string[] | undefined => {
    if (id === self || onPath.has(id)) {
      return [...trail, id];
    }
    if (done.has(id)) {
      return undefined;
    }
    onPath.add(id);
    for (const dep of dependenciesOf(id)) {
      const cycle = visit(dep, [...trail, id]);
      if (cycle) {
        return cycle;
      }
    }
    onPath.delete(id);
    done.add(id);
    return undefined;
  };
  for (const id of start) {
    const cycle = visit(id, self === undefined ? [] : [self]);
    if (cycle) {
      return cycle;
    }
  }
  return undefined;
}

/** A whole number of at least `min`, or a TaskOptionsError naming the setting. */
export function wholeNumber(n: number, field: string, min: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new TaskOptionsError(field, `${field} must be a whole number of at least ${min} (got ${String(n)}).`);
  }
  return n;
}
