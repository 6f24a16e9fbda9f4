// Queue control: Pause Queue / Resume Queue (the view's title button, toggled by a context key),
// Pause Task / Resume Task, Run Next, and Export History. The engine decides what each means;
// these take their task from a tree node, an id or a quick pick, and say why when nothing happens.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { Command, QUEUE_PAUSED_CONTEXT } from './commandIds';
import { checkTrusted, showError, showInfo, type UiServices } from './services';
import { resolveTask, selectedIds, type ResolveOptions } from './taskArgs';
import { isPaused } from './taskText';

export type ExportFormat = 'json' | 'csv';

/** Keeps the `backgroundTasks.queuePaused` context key in step with the engine (also after a reload). */
export function trackQueuePaused(engine: TaskEngine): vscode.Disposable {
  let shown: boolean | undefined;
  const update = (): void => {
    const paused = engine.isQueuePaused();
    if (paused === shown) return;
    shown = paused;
    void vscode.commands.executeCommand('setContext', QUEUE_PAUSED_CONTEXT, paused);
  };
  update();
  const subscriptions = [engine.onDidChangeQueue(update), engine.onDidLoad(update)];
  return new vscode.Disposable(() => subscriptions.forEach((s) => s.dispose()));
}

function pauseQueue(ui: UiServices): boolean {
  ui.engine.pauseQueue();
  return ui.engine.isQueuePaused();
}

// Resuming the queue or a task, and moving a task to the front, let commands run: Restricted Mode
// refuses them, as the API does; pausing is always allowed.
function resumeQueue(ui: UiServices): boolean {
  if (!checkTrusted(ui)) return ui.engine.isQueuePaused();
  ui.engine.resumeQueue();
  return ui.engine.isQueuePaused();
}

/** The ids a task command acts on: a tree selection, one node or id, or one picked from the tasks `pick` describes. */
async function targets(ui: UiServices, arg: unknown, selection: unknown, pick: ResolveOptions): Promise<string[]> {
  const ids = selectedIds(arg, selection);
  if (ids.length > 0) return ids;
  const task = await resolveTask(ui, undefined, pick);
  return task ? [task.id] : [];
}

async function pauseTask(ui: UiServices, arg?: unknown, selection?: unknown): Promise<boolean> {
  const ids = await targets(ui, arg, selection, { title: 'Pause Task', statuses: ['running'], filter: (t) => !isPaused(t), none: 'Background Tasks: no running task to pause.' });
  return act(ui, ids, (id) => ui.engine.pauseTask(id), 'pause', 'it is not running, or is already paused');
}

async function resumeTask(ui: UiServices, arg?: unknown, selection?: unknown): Promise<boolean> {
  if (!checkTrusted(ui)) return false;
  const ids = await targets(ui, arg, selection, { title: 'Resume Task', statuses: ['running'], filter: isPaused, none: 'Background Tasks: no paused task to resume.' });
  return act(ui, ids, (id) => ui.engine.resumeTask(id), 'resume', 'it is not paused');
}

async function runNext(ui: UiServices, arg?: unknown): Promise<boolean> {
  if (!checkTrusted(ui)) return false;
  const ids = await targets(ui, arg, undefined, { title: 'Run Next', statuses: ['pending'], none: 'Background Tasks: no pending task to move to the front of the queue.' });
  return act(ui, ids.slice(0, 1), (id) => ui.engine.runNext(id), 'run next', 'it is not pending');
}

function act(ui: UiServices, ids: readonly string[], apply: (id: string) => boolean, verb: string, why: string): boolean {
  if (ids.length === 0) return false;
  let all = true;
  for (const id of ids) {
    if (apply(id)) continue;
    all = false;
    const known = ui.engine.getTask(id) !== undefined;
    showInfo(ui, known ? `Background Tasks: could not ${verb} task [${id}]: ${why}.` : `Background Tasks: there is no task [${id}] (it may have been cleared).`);
  }
  return all;
}

function formatOf(arg: unknown): ExportFormat | undefined {
  return arg === 'json' || arg === 'csv' ? arg : undefined;
}

function uriOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return path.isAbsolute(arg) ? vscode.Uri.file(arg) : undefined;
  return undefined;
}

/**
 * Export History: asks JSON or CSV, then where to save it. From code `(format, uri)` (a
 * vscode.Uri or an absolute path) skips both questions. Returns the file written.
 */
async function exportHistory(ui: UiServices, formatArg?: unknown, uriArg?: unknown): Promise<vscode.Uri | undefined> {
  if (formatArg !== undefined && formatOf(formatArg) === undefined) {
    showInfo(ui, `Background Tasks: Export History takes "json" or "csv" as its format, not ${JSON.stringify(formatArg)}.`);
    return undefined;
  }
  if (uriArg !== undefined && uriOf(uriArg) === undefined) {
    showInfo(ui, `Background Tasks: Export History takes a file URI or an absolute path to write to, not ${JSON.stringify(uriArg)}.`);
    return undefined;
  }
  let format = formatOf(formatArg);
  if (!format) {
    const chosen = await ui.seams.prompts.pick(
      [
        { label: 'JSON', value: 'json' as const, description: 'an array of tasks, as getAllTasks() returns them (without environment values)' },
        { label: 'CSV', value: 'csv' as const, description: 'one row per task, for a spreadsheet' },
      ],
      { title: 'Export History: format' },
    );
    if (!chosen) return undefined;
    format = chosen.value;
  }
  let uri = uriOf(uriArg);
  if (!uri) {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `background-tasks-history.${format}`;
    uri = await ui.seams.prompts.save({
      title: 'Export History',
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: format === 'json' ? { JSON: ['json'] } : { CSV: ['csv'] },
    });
    if (!uri) return undefined;
  }
  try {
    await vscode.workspace.fs.writeFile(uri, Buffer.from(ui.engine.exportHistory(format), 'utf8'));
  } catch (error) {
    showError(ui, error, `export the history to ${uri.fsPath}`);
    return undefined;
  }
  showInfo(ui, `Background Tasks: exported the history as ${format.toUpperCase()} to ${uri.fsPath}.`);
  return uri;
}

export function registerQueueCommands(context: vscode.ExtensionContext, ui: UiServices): void {
  const commands: [string, (...args: unknown[]) => unknown][] = [
    [Command.pauseQueue, () => pauseQueue(ui)],
    [Command.resumeQueue, () => resumeQueue(ui)],
    [Command.pauseTask, (arg, selection) => pauseTask(ui, arg, selection)],
    [Command.resumeTask, (arg, selection) => resumeTask(ui, arg, selection)],
    [Command.runNext, (arg) => runNext(ui, arg)],
    [Command.exportHistory, (format, uri) => exportHistory(ui, format, uri)],
  ];
  for (const [id, handler] of commands) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  context.subscriptions.push(trackQueuePaused(ui.engine));
}
