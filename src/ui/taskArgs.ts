// Commands that act on a task take it from a tree node, an id, a snapshot-like object, or,
// with no argument, from a quick pick of the tasks it makes sense for.
import type { TaskSnapshot, TaskStatus } from '../core/types';
import { formatListingLine } from '../core/format';
import type { UiServices } from './services';
import { showInfo } from './services';

/** The id in a command argument: "abc123", {id}, or a tree node {task: {id}}. */
export function taskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const record = arg as { id?: unknown; task?: { id?: unknown } };
  if (typeof record.task?.id === 'string') return record.task.id;
  if (typeof record.id === 'string') return record.id.replace(/^task:/, '');
  return undefined;
}

/** The ids of a multi-selection in the tree (the second argument of a context-menu command). */
export function selectedIds(arg: unknown, selection: unknown): string[] {
  if (Array.isArray(selection) && selection.length > 1) {
    return selection.map(taskIdOf).filter((id): id is string => id !== undefined);
  }
  const id = taskIdOf(arg);
  return id === undefined ? [] : [id];
}

export interface ResolveOptions {
  /** The quick pick's title, e.g. "Cancel Task". */
  title: string;
  /** Tasks offered in the quick pick; default all. */
  statuses?: TaskStatus[];
  /** Of those, only the tasks this accepts (e.g. running and not paused). */
  filter?: (task: TaskSnapshot) => boolean;
  /** Said when no task fits, e.g. "No running or pending task to cancel." */
  none: string;
}

/** The task a command is about, or undefined (with a message saying why) when there is none. */
export async function resolveTask(ui: UiServices, arg: unknown, options: ResolveOptions): Promise<TaskSnapshot | undefined> {
  const id = taskIdOf(arg);
  if (id !== undefined) {
    const task = ui.engine.getTask(id);
    if (!task) showInfo(ui, `Background Tasks: there is no task [${id}] (it may have been cleared).`);
    return task;
  }
  const all = ui.engine.getAllTasks(options.statuses ? { status: options.statuses } : undefined);
  const tasks = options.filter ? all.filter(options.filter) : all;
  if (tasks.length === 0) {
    showInfo(ui, options.none);
    return undefined;
  }
  const now = Date.now();
  const items = tasks.map((task) => ({ label: formatListingLine(task, now), task }));
  const chosen = await ui.seams.prompts.pick(items, { title: options.title, placeHolder: 'Choose a task' });
  return chosen?.task;
}
