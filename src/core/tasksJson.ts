// Reading a folder's .vscode/tasks.json (JSONC: comments and trailing commas, as VS Code reads
// it) into task definitions, and turning a shell or process task into one command line for our
// shell. VS Code's fetchTasks() gives neither dependsOn, inline matchers nor inputs, and leaves
// variables unresolved; the file itself has all of them.
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { ProblemMatcherSpec } from './matchers/types';

/** A command or argument with VS Code's explicit quoting. */
export interface QuotedString {
  value: string;
  quoting?: 'escape' | 'strong' | 'weak';
}

export interface TaskDefinition {
  label: string;
  /** "shell", "process", or a provider's type ("npm", "typescript"...). */
  type: string;
  command?: string | QuotedString;
  args?: (string | QuotedString)[];
  options?: { cwd?: string; env?: Record<string, string> };
  dependsOn?: (string | { label?: string; type?: string })[];
  dependsOrder?: 'parallel' | 'sequence';
  problemMatcher?: ProblemMatcherSpec;
  isBackground?: boolean;
  detail?: string;
  /** Every other field, for provider tasks (an npm task's "script"). */
  raw: Record<string, unknown>;
}

export interface InputDefinition {
  id: string;
  type: 'promptString' | 'pickString' | 'command' | string;
  description?: string;
  default?: string;
  password?: boolean;
  options?: (string | { label?: string; value: string })[];
  command?: string;
}

export interface TasksFile {
  tasks: TaskDefinition[];
  inputs: InputDefinition[];
}

/** tasks.json cannot be read; the message says where. */
export class TasksJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TasksJsonError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const PLATFORM_KEY: Partial<Record<NodeJS.Platform, string>> = { linux: 'linux', darwin: 'osx', win32: 'windows' };

export function parseTasksJson(text: string, fileName: string, platform: NodeJS.Platform = process.platform): TasksFile {
  const errors: ParseError[] = [];
  const data: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    const line = text.slice(0, e.offset).split('\n').length;
    throw new TasksJsonError(`${fileName} line ${line}: ${printParseErrorCode(e.error)}. Fix the file and run the task again.`);
  }
  if (!isObject(data)) throw new TasksJsonError(`${fileName} holds no object with a "tasks" list.`);
  const top = withPlatform(data, platform);
  const shared = isObject(top.options) ? top.options : undefined;
  const tasks = (Array.isArray(top.tasks) ? top.tasks : []).filter(isObject).map((t) => toDefinition(withPlatform(t, platform), shared));
  const inputs = (Array.isArray(top.inputs) ? top.inputs : []).filter((i): i is Record<string, unknown> => isObject(i) && typeof i.id === 'string') as unknown as InputDefinition[];
  return { tasks, inputs };
}

/** A "linux" / "osx" / "windows" block overrides the fields around it, as in VS Code. */
function withPlatform(value: Record<string, unknown>, platform: NodeJS.Platform): Record<string, unknown> {
  const key = PLATFORM_KEY[platform];
  const override = key ? value[key] : undefined;
  return isObject(override) ? { ...value, ...override, options: mergeOptions(value.options, override.options) } : value;
}

function mergeOptions(base: unknown, over: unknown): unknown {
  if (!isObject(base)) return over;
  if (!isObject(over)) return base;
  const env = isObject(base.env) || isObject(over.env) ? { ...(base.env as object), ...(over.env as object) } : undefined;
  return { ...base, ...over, ...(env ? { env } : {}) };
}

function toDefinition(t: Record<string, unknown>, shared: Record<string, unknown> | undefined): TaskDefinition {
  const type = typeof t.type === 'string' ? t.type : 'process';
  const command = typeof t.command === 'string' || isQuoted(t.command) ? t.command : undefined;
  const label = typeof t.label === 'string' ? t.label : typeof t.taskName === 'string' ? t.taskName : typeof command === 'string' ? command : `${type} task`;
  const args = Array.isArray(t.args) ? t.args.filter((a): a is string | QuotedString => typeof a === 'string' || isQuoted(a)) : undefined;
  const options = mergeOptions(shared, t.options) as TaskDefinition['options'] | undefined;
  const deps = t.dependsOn === undefined ? undefined : Array.isArray(t.dependsOn) ? t.dependsOn : [t.dependsOn];
  return {
    label,
    type,
    ...(command !== undefined ? { command } : {}),
    ...(args ? { args } : {}),
    ...(isObject(options) ? { options } : {}),
    ...(deps ? { dependsOn: deps.filter((d): d is string | { label?: string } => typeof d === 'string' || isObject(d)) } : {}),
    ...(t.dependsOrder === 'sequence' ? { dependsOrder: 'sequence' as const } : {}),
    ...(t.problemMatcher !== undefined ? { problemMatcher: t.problemMatcher as ProblemMatcherSpec } : {}),
    ...(t.isBackground === true ? { isBackground: true } : {}),
    ...(typeof t.detail === 'string' ? { detail: t.detail } : {}),
    raw: t,
  };
}

function isQuoted(v: unknown): v is QuotedString {
  return isObject(v) && typeof v.value === 'string';
}

/** The label a dependsOn entry names. */
export function dependencyLabel(dep: string | { label?: string }): string | undefined {
  return typeof dep === 'string' ? dep : dep.label;
}

const strong = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const weak = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;
const escape = (s: string): string => s.replace(/([\s'"\\$`!*?&;|<>(){}[\]#~])/g, '\\$1');

function quote(piece: string | QuotedString, literal: boolean): string {
  if (typeof piece !== 'string') {
    if (piece.quoting === 'escape') return escape(piece.value);
    if (piece.quoting === 'weak') return weak(piece.value);
    return strong(piece.value);
  }
  if (piece === '') return "''";
  // A process task's pieces go to the program as they are; a shell task's only need quotes
  // where a space or a quote would split them, so `$HOME` and globs still reach the shell.
  const needs = literal ? /[^\w@%+=:,./-]/ : /[\s'"]/;
  return needs.test(piece) ? strong(piece) : piece;
}

/**
 * The one line our shell runs for a shell or process task. A shell task without args is its
 * command line as written; with args, each is quoted as VS Code quotes it for bash.
 */
export function commandLine(type: string, command: string | QuotedString, args: readonly (string | QuotedString)[] = []): string {
  const literal = type === 'process';
  if (!literal && args.length === 0) return typeof command === 'string' ? command : quote(command, false);
  const head = typeof command === 'string' && !literal && !/\s/.test(command) ? command : quote(command, literal);
  return [head, ...args.map((a) => quote(a, literal))].join(' ');
}
