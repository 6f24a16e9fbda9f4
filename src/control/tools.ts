// The five agent tools, shared by VS Code's language model tools and `bgt mcp` so both answer
// with the same words: names, input schemas, input checks that name the field, and the text.
// Every answer about a task starts with `[id] status`, the way a model reads it best.
import { TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES, type SpawnOptions, type TaskSnapshot, type TaskStatus } from '../core/types';
import { AccessError, type TaskAccess } from './access';
import { statusLine } from './statusLine';

export const TOOL_NAMES = ['backgroundTasks_run', 'backgroundTasks_status', 'backgroundTasks_output', 'backgroundTasks_wait', 'backgroundTasks_cancel'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export const MAX_WAIT_SECONDS = 600;
const DEFAULT_WAIT_SECONDS = 30;
const DEFAULT_OUTPUT_LINES = 50;
const MAX_OUTPUT_LINES = 2000;
const FINAL_TAIL_LINES = 20;
const LISTING_MAX = 50;
/** How long cancel waits for a running task to end before answering. */
const CANCEL_SETTLE_MS = 5000;

/** What a model reads to decide when to call each tool (package.json's modelDescription says the same). */
export const TOOL_DESCRIPTIONS: Record<ToolName, string> = {
  backgroundTasks_run:
    'Queue a shell command to run in the background in the VS Code window (a build, tests, a deploy) and get its task id at once; keep working and ask for the result later. The person sees the task in the Background Tasks view and is notified when it ends. With waitSeconds, waits up to that long and answers with the status, exit code, duration and last lines of output if it ended.',
  backgroundTasks_status:
    'Describe one background task (status, exit code, duration, command, last lines of output) by id, or list the tasks, newest first, optionally only those with a given status (pending, running, completed, failed, cancelled).',
  backgroundTasks_output: 'The last lines of a background task\'s output (default 50), while it runs or after it ended.',
  backgroundTasks_wait:
    'Wait for a background task to end (default 30 s, at most 600 s) and answer with its final status, exit code, duration and the last lines of output, or say that it is still running when the time is up.',
  backgroundTasks_cancel: 'Cancel a pending background task, or stop a running one (its whole process group), and answer with its status.',
};

const id = { type: 'string', description: 'The task id, as run or status reported it (e.g. "a1b2c3").' };
const waitSeconds = { type: 'number', minimum: 0, maximum: MAX_WAIT_SECONDS };

/** Input schemas; package.json's contributes.languageModelTools repeats them (a unit test keeps them equal). */
export const TOOL_SCHEMAS: Record<ToolName, object> = {
  backgroundTasks_run: {
    type: 'object',
    properties: {
      command: { type: 'string', description: 'The shell command to run, e.g. "npm test".' },
      cwd: { type: 'string', description: 'Working folder; default: the workspace folder.' },
      priority: { type: 'string', enum: [...TASK_PRIORITIES], description: 'Queue order; default "normal".' },
      type: { type: 'string', enum: [...TASK_TYPES], description: '"code" (default) or "system".' },
      dependsOn: { type: 'array', items: { type: 'string' }, description: 'Ids of tasks that must complete first.' },
      waitSeconds: { ...waitSeconds, description: 'Wait up to this long for the task to end and answer with its result.' },
      timeoutSeconds: { type: 'number', minimum: 0, description: 'Stop it after this many seconds of running; it then fails, "timed out after Ns". Default: the backgroundTasks.defaultTimeoutSeconds setting (0: none).' },
      retries: { type: 'integer', minimum: 0, description: 'Run a failed attempt (non-zero exit, signal, timeout) again, up to this many more times, as the same task. Default 0.' },
      retryDelaySeconds: { type: 'number', minimum: 0, description: 'Seconds between a failed attempt and the next. Default 0.' },
      delaySeconds: { type: 'number', minimum: 0, description: 'Do not start before this many seconds from now.' },
      lane: { type: 'string', description: 'A lane with its own limit (backgroundTasks.lanes, e.g. "gpu"; 1 at a time when not named there), inside the global limit.' },
    },
    required: ['command'],
  },
  backgroundTasks_status: {
    type: 'object',
    properties: {
      id: { ...id, description: 'One task to describe; without it, the listing.' },
      status: {
        description: 'Only tasks with this status (or any of these).',
        anyOf: [
          { type: 'string', enum: [...TASK_STATUSES] },
          { type: 'array', items: { type: 'string', enum: [...TASK_STATUSES] } },
        ],
      },
    },
  },
  backgroundTasks_output: {
    type: 'object',
    properties: { id, lines: { type: 'integer', minimum: 1, maximum: MAX_OUTPUT_LINES, description: `How many last lines; default ${DEFAULT_OUTPUT_LINES}.` } },
    required: ['id'],
  },
  backgroundTasks_wait: {
    type: 'object',
    properties: { id, waitSeconds: { ...waitSeconds, description: `How long to wait; default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}.` } },
    required: ['id'],
  },
  backgroundTasks_cancel: { type: 'object', properties: { id }, required: ['id'] },
};

/** Where a run comes from: the defaults that surface gives (bgt mcp: its own folder and environment). */
export interface ToolContext {
  cwd?: string;
  env?: Record<string, string>;
  /** Who asked, kept as the reason of a cancel. */
  caller: string;
}

export interface ToolAnswer {
  text: string;
  isError: boolean;
}

class InputError extends Error {}

type Input = Record<string, unknown>;

function str(input: Input, field: string, required: boolean): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) {
    if (required) throw new InputError(`"${field}" is required: ${describe(field)}.`);
    return undefined;
  }
  if (typeof v !== 'string' || v.trim() === '') throw new InputError(`"${field}" must be a non-empty string (${describe(field)}); got ${JSON.stringify(v)}.`);
  return v;
}

function num(input: Input, field: string, min: number, max: number, fallback: number | undefined): number | undefined {
  const v = input[field];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new InputError(`"${field}" must be a number of at least ${min}; got ${JSON.stringify(v)}.`);
  return Math.min(v, max);
}

function oneOf<T extends string>(input: Input, field: string, allowed: readonly T[]): T | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (!allowed.includes(v as T)) throw new InputError(`"${field}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${JSON.stringify(v)}.`);
  return v as T;
}

function describe(field: string): string {
  return field === 'command' ? 'the shell command to run, e.g. "npm test"' : field === 'id' ? 'the task id that run or status reported' : field;
}

function ids(input: Input, field: string): string[] | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === '')) {
    throw new InputError(`"${field}" must be an array of task ids; got ${JSON.stringify(v)}.`);
  }
  return list as string[];
}

const QUEUE_INPUTS = ['timeoutSeconds', 'retries', 'retryDelaySeconds', 'delaySeconds', 'lane'] as const;

/** Passed on as they are: the engine checks them and names the field (an AccessError 'invalid'). */
function queueInputs(input: Input): Partial<SpawnOptions> {
  const out: Record<string, unknown> = {};
  for (const key of QUEUE_INPUTS) if (input[key] !== undefined && input[key] !== null) out[key] = input[key];
  return out as Partial<SpawnOptions>;
}

function statuses(input: Input): TaskStatus[] | undefined {
  const v = input.status;
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    if (!(TASK_STATUSES as readonly unknown[]).includes(s)) {
      throw new InputError(`"status" must be one of ${TASK_STATUSES.map((a) => `"${a}"`).join(', ')} (or an array of them); got ${JSON.stringify(s)}.`);
    }
  }
  return list as TaskStatus[];
}

function commandLine(task: TaskSnapshot): string {
  return `command: ${task.command.includes('\n') ? task.command.replace(/\n/g, '\n  ') : task.command}`;
}

function outputBlock(lines: readonly string[], asked: number): string[] {
  if (lines.length === 0) return ['(no output)'];
  return [`output (last ${Math.min(asked, lines.length)} lines):`, ...lines];
}

async function answerFor(access: TaskAccess, task: TaskSnapshot, tailLines: number): Promise<string> {
  const lines = [statusLine(task), commandLine(task)];
  if (task.state.status !== 'pending') lines.push(...outputBlock(await access.tail(task.id, tailLines), tailLines));
  return lines.join('\n');
}

async function run(access: TaskAccess, input: Input, ctx: ToolContext): Promise<string> {
  const command = str(input, 'command', true) as string;
  const options: SpawnOptions = { command };
  const cwd = str(input, 'cwd', false) ?? ctx.cwd;
  if (cwd) options.cwd = cwd;
  if (ctx.env) options.env = ctx.env;
  const priority = oneOf(input, 'priority', TASK_PRIORITIES);
  if (priority) options.priority = priority;
  const type = oneOf(input, 'type', TASK_TYPES);
  if (type) options.type = type;
  const dependsOn = ids(input, 'dependsOn');
  if (dependsOn) options.dependsOn = dependsOn;
  Object.assign(options, queueInputs(input));
  const wait = num(input, 'waitSeconds', 0, MAX_WAIT_SECONDS, undefined);
  const taskId = await access.run(options);
  if (wait === undefined) {
    // The answer to "run" is that it was queued; it may well be running by now.
    const now = await access.get(taskId);
    const first = now?.state.status === 'pending' ? statusLine(now) : `[${taskId}] queued`;
    const status = now && now.state.status !== 'pending' ? `\nstatus now: ${statusLine(now).slice(taskId.length + 3)}` : '';
    return `${first}\ncommand: ${command}${status}\nIt runs in the background; ask backgroundTasks_wait or backgroundTasks_output with id "${taskId}" for the result.`;
  }
  const { task, timedOut } = await access.wait(taskId, wait * 1000);
  if (timedOut) return `${statusLine(task)}\n${commandLine(task)}\nStill running after ${wait} s; ask backgroundTasks_wait with id "${taskId}" to keep waiting.`;
  return answerFor(access, task, FINAL_TAIL_LINES);
}

async function status(access: TaskAccess, input: Input): Promise<string> {
  const taskId = str(input, 'id', false);
  const wanted = statuses(input);
  if (taskId !== undefined) {
    const task = await access.get(taskId);
    if (!task) throw new AccessError('unknownTask', `No task with id "${taskId}"; call backgroundTasks_status without an id to list the tasks.`, 'id');
    return answerFor(access, task, 10);
  }
  const tasks = await access.list(wanted);
  if (tasks.length === 0) return wanted ? `No tasks with status ${wanted.join(' or ')}.` : 'No tasks.';
  const lines = tasks.slice(0, LISTING_MAX).map((t) => `${statusLine(t)} ${t.command.split('\n')[0]}`);
  if (tasks.length > LISTING_MAX) lines.push(`… and ${tasks.length - LISTING_MAX} more (filter by status to see them).`);
  return lines.join('\n');
}

async function known(access: TaskAccess, taskId: string): Promise<TaskSnapshot> {
  const task = await access.get(taskId);
  if (!task) throw new AccessError('unknownTask', `No task with id "${taskId}"; call backgroundTasks_status to list the tasks.`, 'id');
  return task;
}

async function output(access: TaskAccess, input: Input): Promise<string> {
  const taskId = str(input, 'id', true) as string;
  const lines = Math.floor(num(input, 'lines', 1, MAX_OUTPUT_LINES, DEFAULT_OUTPUT_LINES) as number);
  const task = await known(access, taskId);
  return [statusLine(task), ...outputBlock(await access.tail(task.id, lines), lines)].join('\n');
}

async function wait(access: TaskAccess, input: Input): Promise<string> {
  const taskId = str(input, 'id', true) as string;
  const seconds = num(input, 'waitSeconds', 0, MAX_WAIT_SECONDS, DEFAULT_WAIT_SECONDS) as number;
  await known(access, taskId);
  const { task, timedOut } = await access.wait(taskId, seconds * 1000);
  if (timedOut) return `${statusLine(task)}\n${commandLine(task)}\nStill running after ${seconds} s; call backgroundTasks_wait again to keep waiting.`;
  return answerFor(access, task, FINAL_TAIL_LINES);
}

async function cancel(access: TaskAccess, input: Input, ctx: ToolContext): Promise<string> {
  const taskId = str(input, 'id', true) as string;
  const result = await access.cancel(taskId, `cancelled by ${ctx.caller}`);
  const { task } = await access.wait(taskId, result.ok ? CANCEL_SETTLE_MS : 0);
  return `${statusLine(task)}\n${commandLine(task)}\n${result.message}`;
}

/** Runs one tool; never throws: a bad input or a refusal is an answer the model can act on. */
export async function runTool(access: TaskAccess, name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolAnswer> {
  try {
    if (typeof rawInput !== 'object' || rawInput === null || Array.isArray(rawInput)) {
      throw new InputError(`the input must be a JSON object (see the tool's input schema); got ${JSON.stringify(rawInput) ?? 'nothing'}.`);
    }
    const input = rawInput as Input;
    switch (name as ToolName) {
      case 'backgroundTasks_run':
        return { text: await run(access, input, ctx), isError: false };
      case 'backgroundTasks_status':
        return { text: await status(access, input), isError: false };
      case 'backgroundTasks_output':
        return { text: await output(access, input), isError: false };
      case 'backgroundTasks_wait':
        return { text: await wait(access, input), isError: false };
      case 'backgroundTasks_cancel':
        return { text: await cancel(access, input, ctx), isError: false };
      default:
        return { text: `Error: unknown tool "${name}"; the tools are ${TOOL_NAMES.join(', ')}.`, isError: true };
    }
  } catch (err) {
    return { text: errorText(name, err), isError: true };
  }
}

function errorText(name: string, err: unknown): string {
  if (err instanceof InputError) return `Error: bad input for ${name}: ${err.message}`;
  if (err instanceof AccessError) {
    if (err.kind === 'untrusted') return `Refused: ${err.message}`;
    return `Error: ${err.field ? `"${err.field}": ` : ''}${err.message}`;
  }
  return `Error: ${name} failed: ${err instanceof Error ? err.message : String(err)}`;
}
