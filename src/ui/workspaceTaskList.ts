// The workspace's tasks as one list: each folder's .vscode/tasks.json read by us (it has what
// fetchTasks() leaves out: dependsOn, inline matchers, inputs, unresolved variables) and the
// tasks of providers such as npm from vscode.tasks.fetchTasks().
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { commandLine, parseTasksJson, type QuotedString, type TaskDefinition, type TasksFile } from '../core/tasksJson';
import type { VariableResolver } from '../core/taskVariables';
import type { ProblemMatcherSpec } from '../core/types';

export interface WorkspaceTask {
  label: string;
  type: string;
  folder?: vscode.WorkspaceFolder;
  /** "tasks.json", or the provider's source ("npm"). */
  source: string;
  /** The task as written in tasks.json, with the file it is in. */
  json?: { definition: TaskDefinition; file: TasksFile; path: string };
  /** What VS Code's providers give for it (the only source for npm scripts...). */
  fetched?: vscode.Task;
}

/** What our engine runs for one workspace task. */
export interface TaskPlan {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  problemMatcher?: ProblemMatcherSpec;
}

export function tasksJsonPath(folder: vscode.WorkspaceFolder): string {
  return path.join(folder.uri.fsPath, '.vscode', 'tasks.json');
}

/** Every task of the workspace; `errors` are tasks.json files that could not be read. */
export async function listWorkspaceTasks(): Promise<{ tasks: WorkspaceTask[]; errors: string[] }> {
  const tasks: WorkspaceTask[] = [];
  const errors: string[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const file = tasksJsonPath(folder);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const parsed = parseTasksJson(text, file);
      for (const definition of parsed.tasks) {
        tasks.push({ label: definition.label, type: definition.type, folder, source: 'tasks.json', json: { definition, file: parsed, path: file } });
      }
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  let fetched: vscode.Task[] = [];
  try {
    fetched = await vscode.tasks.fetchTasks();
  } catch (error) {
    errors.push(`VS Code's task providers failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const task of fetched) {
    const folder = typeof task.scope === 'object' ? task.scope : undefined;
    const own = tasks.find((t) => t.json && t.label === task.name && (!folder || t.folder?.uri.toString() === folder.uri.toString()));
    if (own) own.fetched ??= task;
    else if (task.source !== 'Workspace') tasks.push({ label: task.name, type: task.definition.type, folder, source: task.source, fetched: task });
  }
  return { tasks, errors };
}

/** The task a caller names: a label, or `{ label, type? }`. Throws naming the labels there are. */
export function findTask(tasks: readonly WorkspaceTask[], arg: unknown): WorkspaceTask {
  const wanted = typeof arg === 'string' ? { label: arg } : (arg as { label?: unknown; type?: unknown; folder?: unknown });
  if (typeof wanted?.label !== 'string') {
    throw new Error(`Run Task in Background needs a task label, or { label, type } (got ${JSON.stringify(arg)}).`);
  }
  const matches = tasks.filter(
    (t) => t.label === wanted.label && (typeof wanted.type !== 'string' || t.type === wanted.type) && (typeof wanted.folder !== 'string' || t.folder?.name === wanted.folder),
  );
  if (matches.length === 0) {
    const labels = tasks.map((t) => `"${t.label}"`).join(', ') || 'none';
    throw new Error(`No workspace task labelled "${wanted.label}"${typeof wanted.type === 'string' ? ` of type "${wanted.type}"` : ''}. The tasks found are: ${labels}. Check the label in .vscode/tasks.json (or the task provider).`);
  }
  return matches[0];
}

const QUOTING: Record<number, QuotedString['quoting']> = { 1: 'escape', 2: 'strong', 3: 'weak' };

function quoted(value: string | vscode.ShellQuotedString): string | QuotedString {
  return typeof value === 'string' ? value : { value: value.value, quoting: QUOTING[value.quoting] };
}

/** The command, folder, environment and matchers of one task, its variables resolved. */
export async function planTask(task: WorkspaceTask, variables: VariableResolver): Promise<TaskPlan> {
  const definition = task.json?.definition;
  const matcher = definition?.problemMatcher ?? (task.fetched?.problemMatchers.length ? task.fetched.problemMatchers : undefined);
  const withMatcher = (plan: TaskPlan): TaskPlan => (matcher !== undefined && !(Array.isArray(matcher) && matcher.length === 0) ? { ...plan, problemMatcher: matcher } : plan);
  const folderPath = task.folder?.uri.fsPath;
  if (definition && (definition.type === 'shell' || definition.type === 'process' || !task.fetched)) {
    if (definition.type !== 'shell' && definition.type !== 'process' && definition.command === undefined && !definition.dependsOn) {
      throw new Error(`The task "${task.label}" has type "${definition.type}", but no installed extension provides tasks of that type; install it, or make the task a "shell" task.`);
    }
    const cwd = definition.options?.cwd !== undefined ? await variables.resolve(definition.options.cwd) : folderPath;
    const env = definition.options?.env ? await variables.deep(definition.options.env) : undefined;
    if (definition.command === undefined) {
      // Only dependencies: a no-op that completes once they have.
      return withMatcher({ command: commandLine('process', 'echo', [`${task.label}: its dependencies are done`]), cwd, env });
    }
    const command = await variables.deep(definition.command);
    const args = definition.args ? await variables.deep(definition.args) : [];
    return withMatcher({ command: commandLine(definition.type, command, args), cwd, env });
  }
  const execution = task.fetched?.execution;
  if (execution instanceof vscode.ShellExecution) {
    const line = execution.commandLine !== undefined
      ? execution.commandLine
      : commandLine('shell', quoted(execution.command ?? ''), (execution.args ?? []).map(quoted));
    return withMatcher(await optionsOf(await variables.resolve(line), execution.options, folderPath, variables));
  }
  if (execution instanceof vscode.ProcessExecution) {
    const line = commandLine('process', await variables.resolve(execution.process), await variables.deep(execution.args));
    return withMatcher(await optionsOf(line, execution.options, folderPath, variables));
  }
  throw new Error(
    `The task "${task.label}" (${task.source}) runs inside VS Code's own terminal through its extension (a custom execution), so it cannot run in the background. Run it with "Tasks: Run Task" instead.`,
  );
}

async function optionsOf(command: string, options: vscode.ShellExecutionOptions | vscode.ProcessExecutionOptions | undefined, folder: string | undefined, variables: VariableResolver): Promise<TaskPlan> {
  const cwd = options?.cwd !== undefined ? await variables.resolve(options.cwd) : folder;
  const env = options?.env ? await variables.deep(options.env) : undefined;
  return { command, ...(cwd !== undefined ? { cwd } : {}), ...(env ? { env } : {}) };
}
