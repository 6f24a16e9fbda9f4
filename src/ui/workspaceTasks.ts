// Run Task in Background...: a workspace task (tasks.json, npm scripts...) run by our engine,
// with its dependsOn as our dependencies, its variables and inputs resolved as VS Code resolves
// them, and its problem matchers kept with the task. Rerun runs the task as it is now.
import * as vscode from 'vscode';
import { InputCancelled, VariableError, VariableResolver, type VariableContext } from '../core/taskVariables';
import { dependencyLabel, type InputDefinition } from '../core/tasksJson';
import type { ProblemMatcherSpec } from '../core/types';
import { Command } from './commandIds';
import { installedMatchers } from './diagnostics';
import { checkTrusted, showError, showInfo, type UiServices } from './services';
import { findTask, listWorkspaceTasks, planTask, type WorkspaceTask } from './workspaceTaskList';

const TITLE = 'Run Task in Background';

/** Runs one workspace task (and its dependencies first); returns the id of the task itself. */
async function runWorkspaceTask(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const fromCode = arg !== undefined && arg !== null;
  const { tasks, errors } = await listWorkspaceTasks();
  let task: WorkspaceTask | undefined;
  if (fromCode) {
    task = findTask(tasks, arg);
  } else {
    for (const error of errors) showError(ui, error, 'read the workspace tasks');
    if (tasks.length === 0) {
      showInfo(ui, 'Background Tasks: this workspace has no tasks. Add some to .vscode/tasks.json ("Tasks: Configure Task"), or open a folder with npm scripts.');
      return undefined;
    }
    const items = tasks.map((t) => ({
      label: t.label,
      description: [t.type, t.folder && (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? t.folder.name : undefined].filter(Boolean).join(' · '),
      detail: t.json?.definition.detail ?? t.fetched?.detail,
      task: t,
    }));
    task = (await ui.seams.prompts.pick(items, { title: `${TITLE}...`, placeHolder: 'Choose a task to run in the background' }))?.task;
    if (!task) return undefined;
  }
  try {
    return await new TaskLauncher(ui, tasks).run(task, [], []);
  } catch (error) {
    if (error instanceof InputCancelled) return undefined;
    if (fromCode) throw error;
    showError(ui, error, `run the task "${task.label}"`);
    return undefined;
  }
}

/** Spawns a task after its dependencies; each task of one run is spawned once. */
class TaskLauncher {
  private readonly spawned = new Map<WorkspaceTask, string>();
  private readonly resolvers = new Map<string, VariableResolver>();

  constructor(
    private readonly ui: UiServices,
    private readonly all: readonly WorkspaceTask[],
  ) {}

  async run(task: WorkspaceTask, after: string[], path: WorkspaceTask[]): Promise<string> {
    const done = this.spawned.get(task);
    if (done) return done;
    if (path.includes(task)) {
      throw new Error(`The tasks depend on each other in a circle: ${[...path, task].map((t) => `"${t.label}"`).join(' → ')}. Remove one of these dependsOn entries.`);
    }
    const definition = task.json?.definition;
    const deps: string[] = [];
    let previous: string[] = [];
    for (const dep of definition?.dependsOn ?? []) {
      const label = dependencyLabel(dep);
      if (label === undefined) continue;
      const target = this.all.find((t) => t.label === label && t.folder === task.folder) ?? this.all.find((t) => t.label === label);
      if (!target) throw new Error(`The task "${task.label}" depends on "${label}", which is not a task of this workspace.`);
      // In sequence, each dependency waits for the one before it (and stops the rest if it fails).
      const id = await this.run(target, definition?.dependsOrder === 'sequence' ? previous : [], [...path, task]);
      deps.push(id);
      previous = [id];
    }
    const plan = await planTask(task, this.resolverFor(task));
    this.warnAboutMatchers(task, plan.problemMatcher);
    const id = this.ui.engine.spawnTask({
      command: plan.command,
      ...(plan.cwd !== undefined ? { cwd: plan.cwd } : {}),
      ...(plan.env ? { env: plan.env } : {}),
      ...(plan.problemMatcher !== undefined ? { problemMatcher: plan.problemMatcher } : {}),
      dependsOn: [...new Set([...after, ...deps])],
      metadata: { workspaceTask: task.label, source: task.source, ...(task.folder ? { workspaceFolder: task.folder.name } : {}) },
    });
    this.spawned.set(task, id);
    return id;
  }

  /** One resolver per folder, so an input is asked once per run even if several tasks use it. */
  private resolverFor(task: WorkspaceTask): VariableResolver {
    const key = task.folder?.uri.toString() ?? '';
    let resolver = this.resolvers.get(key);
    if (!resolver) this.resolvers.set(key, (resolver = new VariableResolver(variableContext(this.ui, task))));
    return resolver;
  }

  /** VS Code runs a task whose matcher it does not know, and says so; so do we. */
  private warnAboutMatchers(task: WorkspaceTask, spec: ProblemMatcherSpec | undefined): void {
    if (spec === undefined) return;
    const { errors } = installedMatchers().resolve(spec);
    if (errors.length) showInfo(this.ui, `Background Tasks: the task "${task.label}" runs, but ${errors.join(' ')}`);
  }
}

function variableContext(ui: UiServices, task: WorkspaceTask): VariableContext {
  const editor = vscode.window.activeTextEditor;
  const document = editor?.document;
  const inputs = task.json?.file.inputs ?? [];
  return {
    workspaceFolder: task.folder?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, path: f.uri.fsPath })),
    ...(document?.uri.scheme === 'file' ? { file: document.uri.fsPath, lineNumber: editor!.selection.active.line + 1, selectedText: document.getText(editor!.selection) } : {}),
    env: process.env,
    config: (key) => vscode.workspace.getConfiguration(undefined, task.folder?.uri).get(key),
    input: (id) => askInput(ui, inputs, id, task.json?.path ?? 'tasks.json'),
  };
}

/** Asks for `${input:id}` as VS Code does: a text box or a pick; a command input is refused. */
async function askInput(ui: UiServices, inputs: readonly InputDefinition[], id: string, file: string): Promise<string | undefined> {
  const input = inputs.find((i) => i.id === id);
  if (!input) throw new VariableError(`\${input:${id}}: ${file} has no input with the id "${id}" in its "inputs" list.`);
  const title = `${TITLE}: ${id}`;
  if (input.type === 'promptString') {
    return ui.seams.prompts.input({ title, prompt: input.description ?? id, value: input.default });
  }
  if (input.type === 'pickString') {
    const options = (input.options ?? []).map((o) => (typeof o === 'string' ? { label: o, value: o } : { label: o.label ?? o.value, value: o.value }));
    // The default first, so Enter takes it, as in VS Code.
    options.sort((a, b) => Number(b.value === input.default) - Number(a.value === input.default));
    return (await ui.seams.prompts.pick(options, { title, placeHolder: input.description }))?.value;
  }
  if (input.type === 'command') {
    throw new VariableError(`\${input:${id}} runs the command "${input.command ?? '?'}" of another extension, which only VS Code's own task system can do; Background Tasks refuses it. Use a promptString or pickString input instead.`);
  }
  throw new VariableError(`\${input:${id}} has the type "${input.type}"; Background Tasks knows promptString, pickString and command inputs.`);
}

export function registerWorkspaceTasks(context: vscode.ExtensionContext, ui: UiServices): void {
  context.subscriptions.push(vscode.commands.registerCommand(Command.runWorkspaceTask, (arg?: unknown) => runWorkspaceTask(ui, arg)));
}
