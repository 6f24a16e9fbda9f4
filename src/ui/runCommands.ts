// The commands that start tasks: Run in Background, Run with Live Output, Run Selection,
// Run with Options, Run After, Pipe Output Into, Rerun. Each refuses in Restricted Mode,
// takes its input from arguments when called from code, and returns the new task's id.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { TASK_PRIORITIES, TASK_TYPES, type SpawnOptions, type TaskPriority, type TaskType } from '../core/types';
import { Command } from './commandIds';
import { installedMatchers } from './diagnostics';
import { askQueueOptions } from './runQueueSteps';
import { checkTrusted, showError, showInfo, type UiServices } from './services';
import { resolveTask } from './taskArgs';
import { shortCommand } from './taskText';

function isSpawnOptions(arg: unknown): arg is SpawnOptions {
  return typeof arg === 'object' && arg !== null && typeof (arg as { command?: unknown }).command === 'string';
}

/** Spawns, remembers the command for the Run quick pick, and reports a refusal to the person. */
function spawn(ui: UiServices, options: SpawnOptions): string | undefined {
  const command = options.command.trim();
  if (!command) return undefined;
  try {
    const id = ui.engine.spawnTask({ ...options, command });
    void ui.recent.add(command);
    return id;
  } catch (error) {
    showError(ui, error, `run "${shortCommand(command, 60)}"`);
    return undefined;
  }
}

async function commandFrom(ui: UiServices, arg: unknown, title: string): Promise<SpawnOptions | undefined> {
  if (typeof arg === 'string') return { command: arg };
  if (isSpawnOptions(arg)) return arg;
  const command = await ui.seams.prompts.command(title, ui.recent.list());
  return command?.trim() ? { command } : undefined;
}

async function run(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const options = await commandFrom(ui, arg, 'Run in Background');
  return options && spawn(ui, options);
}

async function runVerbose(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const options = await commandFrom(ui, arg, 'Run with Live Output');
  const id = options && spawn(ui, { ...options, mode: 'verbose' });
  const task = id === undefined ? undefined : ui.engine.getTask(id);
  if (!id || !task) return undefined;
  ui.channels.show(task, true);
  void vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `[${id}] ${shortCommand(task.command, 60)}`, cancellable: true },
    (progress, token) => {
      token.onCancellationRequested(() => ui.engine.cancelTask(id, 'cancelled from its progress notification'));
      let reported = 0;
      const subscription = ui.engine.onDidChangeTask((changed) => {
        const percent = changed.id === id ? changed.progress?.percent : undefined;
        if (percent === undefined) return;
        progress.report({ increment: Math.max(0, percent - reported), message: changed.progress?.message ?? `${Math.round(percent)}%` });
        reported = Math.max(reported, percent);
      });
      return ui.engine.waitForTask(id).finally(() => subscription.dispose());
    },
  );
  return id;
}

async function runSelection(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  if (typeof arg === 'string') return spawn(ui, { command: arg });
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    showInfo(ui, 'Background Tasks: open a file and select the command to run (or put the cursor on its line).');
    return undefined;
  }
  const selection = editor.selection;
  const text = selection.isEmpty ? editor.document.lineAt(selection.active.line).text : editor.document.getText(selection);
  if (!text.trim()) {
    showInfo(ui, 'Background Tasks: the selection (or the current line) is empty; select a command to run.');
    return undefined;
  }
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri);
  return spawn(ui, { command: text, cwd: folder?.uri.fsPath });
}

async function runWithOptions(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  if (isSpawnOptions(arg)) return spawn(ui, arg);
  const prompts = ui.seams.prompts;
  const title = 'Run in Background with Options';
  const command = await prompts.command(title, ui.recent.list());
  if (!command?.trim()) return undefined;
  const type = await prompts.pick(
    TASK_TYPES.map((t) => ({ label: t, value: t, description: t === 'code' ? 'builds, tests, scripts (default)' : 'machine and environment jobs' })),
    { title: `${title}: type` },
  );
  if (!type) return undefined;
  const priority = await prompts.pick(
    TASK_PRIORITIES.map((p) => ({ label: p, value: p, description: p === 'normal' ? 'default' : undefined })),
    { title: `${title}: priority` },
  );
  if (!priority) return undefined;
  const cwd = await prompts.input({
    title: `${title}: working folder`,
    prompt: 'The folder the command runs in',
    value: ui.settings.current.defaultCwd,
    validate: (value) => (isDirectory(value) ? undefined : `${value} is not a folder that exists.`),
  });
  if (cwd === undefined) return undefined;
  const active = ui.engine.getAllTasks({ status: ['running', 'pending'] });
  let dependsOn: string[] | undefined;
  if (active.length > 0) {
    const after = await prompts.pick(
      [{ label: 'Start when a slot is free', id: undefined }, ...active.map((t) => ({ label: `Run after [${t.id}]`, description: shortCommand(t.command, 80), id: t.id }))],
      { title: `${title}: run after another task?` },
    );
    if (!after) return undefined;
    dependsOn = after.id ? [after.id] : undefined;
  }
  const queue = await askQueueOptions(prompts, title, ui.settings.current);
  if (!queue) return undefined;
  // The last step, and optional: dismissing it runs the command without a matcher.
  const matcher = await prompts.pick(
    [{ label: 'No problem matcher', name: undefined }, ...installedMatchers().names().map((name) => ({ label: name, name }))],
    { title: `${title}: problem matcher (turns its output into Problems)`, placeHolder: 'e.g. $tsc, $eslint-stylish, $gcc' },
  );
  const problemMatcher = matcher?.name;
  return spawn(ui, { command, type: type.value as TaskType, priority: priority.value as TaskPriority, cwd, dependsOn, ...queue, ...(problemMatcher ? { problemMatcher } : {}) });
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function runAfter(ui: UiServices, arg?: unknown, command?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const task = await resolveTask(ui, arg, { title: 'Run After...', statuses: ['running', 'pending'], none: 'Background Tasks: no running or pending task to run after.' });
  if (!task) return undefined;
  const next = typeof command === 'string' ? command : await ui.seams.prompts.command(`Run after [${task.id}] ${shortCommand(task.command, 40)}`, ui.recent.list());
  return next ? spawn(ui, { command: next, dependsOn: [task.id] }) : undefined;
}

async function pipeInto(ui: UiServices, arg?: unknown, command?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const task = await resolveTask(ui, arg, { title: 'Pipe Output Into...', statuses: ['completed', 'failed'], none: 'Background Tasks: no finished task whose output could be piped.' });
  if (!task) return undefined;
  const next = typeof command === 'string' ? command : await ui.seams.prompts.command(`Pipe the output of [${task.id}] into`, ui.recent.list());
  return next ? spawn(ui, { command: next, stdinFrom: task.id }) : undefined;
}

async function rerun(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const task = await resolveTask(ui, arg, { title: 'Rerun Task', none: 'Background Tasks: there is no task to rerun.' });
  if (!task) return undefined;
  const workspaceTask = task.metadata.workspaceTask;
  try {
    // A workspace task runs again as tasks.json says now, its variables asked for again.
    if (typeof workspaceTask === 'string') {
      const folder = task.metadata.workspaceFolder;
      return await vscode.commands.executeCommand<string | undefined>(Command.runWorkspaceTask, { label: workspaceTask, ...(typeof folder === 'string' ? { folder } : {}) });
    }
    return ui.engine.rerunTask(task.id);
  } catch (error) {
    showError(ui, error, `rerun [${task.id}]`);
    return undefined;
  }
}

export function registerRunCommands(context: vscode.ExtensionContext, ui: UiServices): void {
  const commands: [string, (...args: unknown[]) => unknown][] = [
    [Command.run, (arg) => run(ui, arg)],
    [Command.runVerbose, (arg) => runVerbose(ui, arg)],
    [Command.runSelection, (arg) => runSelection(ui, arg)],
    [Command.runWithOptions, (arg) => runWithOptions(ui, arg)],
    [Command.runAfter, (arg, command) => runAfter(ui, arg, command)],
    [Command.pipeInto, (arg, command) => pipeInto(ui, arg, command)],
    [Command.rerun, (arg) => rerun(ui, arg)],
  ];
  for (const [id, handler] of commands) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}
