// Commands on existing tasks: Cancel, Show Output, Show Details, Clear Finished, Show
// Statistics, and the tree's helpers (Copy Command, Open Full Log, Remove). Each returns
// something a caller can use: a boolean, a count, an id or a URI.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Command } from './commandIds';
import { detailsUri, statisticsUri } from './documents';
import { showInfo, type UiServices } from './services';
import { resolveTask, selectedIds } from './taskArgs';

/** Clearing more than this many finished tasks asks first. */
const CONFIRM_CLEAR_ABOVE = 20;

async function cancel(ui: UiServices, arg?: unknown, selection?: unknown): Promise<boolean> {
  let ids = selectedIds(arg, selection);
  if (ids.length === 0) {
    const task = await resolveTask(ui, undefined, { title: 'Cancel Task', statuses: ['running', 'pending'], none: 'Background Tasks: no running or pending task to cancel.' });
    if (!task) return false;
    ids = [task.id];
  }
  let all = true;
  for (const id of ids) {
    const result = ui.engine.cancelTask(id, 'cancelled by the user');
    if (!result.ok) {
      all = false;
      showInfo(ui, `Background Tasks: ${result.message}`);
    }
  }
  return all;
}

async function showOutput(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  const task = await resolveTask(ui, arg, { title: 'Show Output', none: 'Background Tasks: there are no tasks yet.' });
  if (!task) return undefined;
  ui.channels.show(task, true);
  return task.id;
}

async function showDetails(ui: UiServices, arg?: unknown): Promise<vscode.Uri | undefined> {
  const task = await resolveTask(ui, arg, { title: 'Show Task Details', none: 'Background Tasks: there are no tasks yet.' });
  if (!task) return undefined;
  const uri = detailsUri(task.id);
  await ui.documents.open(uri);
  return uri;
}

async function clearFinished(ui: UiServices, arg?: unknown): Promise<number> {
  const finished = ui.engine.getAllTasks({ status: ['completed', 'failed', 'cancelled'] }).length;
  if (finished === 0) {
    showInfo(ui, 'Background Tasks: there are no finished tasks to clear.');
    return 0;
  }
  // From code, `{ confirm: false }` (or `false`) skips the question.
  const skipConfirm = arg === false || (typeof arg === 'object' && arg !== null && (arg as { confirm?: unknown }).confirm === false);
  if (finished > CONFIRM_CLEAR_ABOVE && !skipConfirm) {
    const yes = await ui.seams.prompts.confirm(`Clear ${finished} finished tasks and their output?`, 'Clear');
    if (!yes) return 0;
  }
  const cleared = ui.engine.clearFinished();
  ui.channels.prune();
  ui.tree.refresh();
  return cleared;
}

async function showStatistics(ui: UiServices): Promise<vscode.Uri> {
  const uri = statisticsUri();
  await ui.documents.open(uri);
  return uri;
}

async function copyCommand(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  const task = await resolveTask(ui, arg, { title: 'Copy Command', none: 'Background Tasks: there are no tasks yet.' });
  if (!task) return undefined;
  await vscode.env.clipboard.writeText(task.command);
  return task.command;
}

async function openLog(ui: UiServices, arg?: unknown): Promise<vscode.Uri | undefined> {
  const task = await resolveTask(ui, arg, { title: 'Open Full Log', none: 'Background Tasks: there are no tasks yet.' });
  if (!task) return undefined;
  if (!fs.existsSync(task.logPath)) {
    showInfo(ui, `Background Tasks: task [${task.id}] has no output yet.`);
    return undefined;
  }
  const uri = vscode.Uri.file(task.logPath);
  await vscode.window.showTextDocument(uri, { preview: true });
  return uri;
}

async function remove(ui: UiServices, arg?: unknown, selection?: unknown): Promise<boolean> {
  let ids = selectedIds(arg, selection);
  if (ids.length === 0) {
    const task = await resolveTask(ui, undefined, { title: 'Remove Task', statuses: ['completed', 'failed', 'cancelled'], none: 'Background Tasks: there are no finished tasks to remove.' });
    if (!task) return false;
    ids = [task.id];
  }
  let all = true;
  for (const id of ids) {
    // The engine decides whether a task may go; its answer says why not.
    const removed = ui.engine.tryRemoveTask(id);
    if (removed.ok) {
      ui.channels.close(id);
    } else {
      showInfo(ui, `Background Tasks: ${removed.message}${removed.reason === 'not finished' ? ' Cancel it first, then remove it.' : ''}`);
      all = false;
    }
  }
  ui.tree.refresh();
  return all;
}

export function registerTaskCommands(context: vscode.ExtensionContext, ui: UiServices): void {
  const commands: [string, (...args: unknown[]) => unknown][] = [
    [Command.cancel, (arg, selection) => cancel(ui, arg, selection)],
    [Command.showOutput, (arg) => showOutput(ui, arg)],
    [Command.showDetails, (arg) => showDetails(ui, arg)],
    [Command.clearFinished, (arg) => clearFinished(ui, arg)],
    [Command.showStatistics, () => showStatistics(ui)],
    [Command.copyCommand, (arg) => copyCommand(ui, arg)],
    [Command.openLog, (arg) => openLog(ui, arg)],
    [Command.remove, (arg, selection) => remove(ui, arg, selection)],
  ];
  for (const [id, handler] of commands) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
}
