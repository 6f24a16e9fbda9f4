// Show Tasks...: the seed's `/tasks` listing as a quick pick, filtered by status with buttons;
// choosing a task offers what can be done with it.
import * as vscode from 'vscode';
import { formatListingDetails, formatListingLine } from '../core/format';
import { TASK_STATUSES, type TaskSnapshot, type TaskStatus } from '../core/types';
import { Command } from './commandIds';
import type { FilteredPick } from './seams';
import type { UiServices } from './services';
import { contextFlags } from './taskText';

export type TaskFilter = 'all' | TaskStatus;

const FILTERS: FilteredPick<TaskFilter>['filters'] = [
  { id: 'all', label: 'all tasks', icon: 'list-flat' },
  { id: 'running', label: 'running', icon: 'loading' },
  { id: 'pending', label: 'pending', icon: 'clock' },
  { id: 'completed', label: 'completed', icon: 'pass' },
  { id: 'failed', label: 'failed', icon: 'error' },
  { id: 'cancelled', label: 'cancelled', icon: 'circle-slash' },
];

export interface TaskPickItem extends vscode.QuickPickItem {
  taskId?: string;
}

export function listingItems(tasks: readonly TaskSnapshot[], now: number): TaskPickItem[] {
  if (tasks.length === 0) return [{ label: 'No tasks here' }];
  return tasks.map((task) => ({ label: formatListingLine(task, now), detail: formatListingDetails(task).map((l) => l.trim()).join(' · ') || undefined, taskId: task.id }));
}

const ACTIONS: { label: string; command: string; when?: string }[] = [
  { label: '$(output) Show Output', command: Command.showOutput },
  { label: '$(info) Show Task Details', command: Command.showDetails },
  { label: '$(debug-stop) Cancel Task', command: Command.cancel, when: 'canCancel=true' },
  { label: '$(debug-rerun) Rerun Task', command: Command.rerun, when: 'canRerun=true' },
  { label: '$(debug-step-over) Run After...', command: Command.runAfter, when: 'canRunAfter=true' },
  { label: '$(arrow-right) Pipe Output Into...', command: Command.pipeInto, when: 'canPipe=true' },
  { label: '$(copy) Copy Command', command: Command.copyCommand },
  { label: '$(trash) Remove Task', command: Command.remove, when: 'canRemove=true' },
];

function parseFilter(arg: unknown): TaskFilter {
  const status = typeof arg === 'object' && arg !== null ? (arg as { status?: unknown }).status : arg;
  return typeof status === 'string' && (TASK_STATUSES as readonly string[]).includes(status) ? (status as TaskStatus) : 'all';
}

/** Returns the id of the chosen task (after running the chosen action, if any). */
async function showTasks(ui: UiServices, arg?: unknown): Promise<string | undefined> {
  const chosen = (await ui.seams.prompts.filtered<TaskFilter>({
    title: 'Background Tasks',
    filters: FILTERS,
    initial: parseFilter(arg),
    items: (filter) => listingItems(ui.engine.getAllTasks(filter === 'all' ? undefined : { status: filter }), Date.now()),
  })) as TaskPickItem | undefined;
  const id = chosen?.taskId;
  const task = id === undefined ? undefined : ui.engine.getTask(id);
  if (!task) return undefined;
  const flags = contextFlags(task);
  const actions = ACTIONS.filter((a) => !a.when || flags.includes(a.when));
  const action = await ui.seams.prompts.pick(actions, { title: `[${task.id}] ${task.command.split('\n')[0]}`, placeHolder: 'What to do with this task' });
  if (action) await vscode.commands.executeCommand(action.command, task.id);
  return task.id;
}

export function registerShowTasks(context: vscode.ExtensionContext, ui: UiServices): void {
  context.subscriptions.push(vscode.commands.registerCommand(Command.showTasks, (arg) => showTasks(ui, arg)));
}
