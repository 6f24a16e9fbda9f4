// The tree's node kinds, one TreeItem subclass each, with icon, description, tooltip and
// contextValue set from a task snapshot. The provider (tree.ts) keeps them and refreshes them.
import * as vscode from 'vscode';
import type { TaskSnapshot, TaskStatus } from '../core/types';
import { Command } from './commandIds';
import { contextFlags, describeTask, GROUP_LABELS, taskLabel, tooltipMarkdown } from './taskText';

const STATUS_ICONS: Record<TaskStatus, [icon: string, color: string]> = {
  running: ['loading~spin', 'charts.blue'],
  pending: ['clock', 'testing.iconQueued'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'testing.iconSkipped'],
};

const iconCache = new Map<TaskStatus, vscode.ThemeIcon>();

/** The icon of a status; one shared instance per status (icons are values, never changed). */
export function statusIcon(status: TaskStatus): vscode.ThemeIcon {
  let icon = iconCache.get(status);
  if (!icon) {
    const [id, color] = STATUS_ICONS[status];
    iconCache.set(status, (icon = new vscode.ThemeIcon(id, new vscode.ThemeColor(color))));
  }
  return icon;
}

/** One status group: "Running 2". Empty groups are not shown at all. */
export class GroupNode extends vscode.TreeItem {
  readonly kind = 'group';

  constructor(
    readonly status: TaskStatus,
    public tasks: readonly TaskSnapshot[],
  ) {
    super(GROUP_LABELS[status], status === 'cancelled' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    this.id = `group:${status}`;
    this.contextValue = `group,status=${status}`;
    this.iconPath = status === 'running' ? new vscode.ThemeIcon('sync', new vscode.ThemeColor('charts.blue')) : statusIcon(status);
    this.setTasks(tasks);
  }

  setTasks(tasks: readonly TaskSnapshot[]): void {
    this.tasks = tasks;
    this.description = String(tasks.length);
    this.tooltip = `${tasks.length} ${GROUP_LABELS[this.status].toLowerCase()} task${tasks.length === 1 ? '' : 's'}`;
  }
}

/**
 * One task: its command, a description of its state, and a click that opens its output.
 * No tooltip here: VS Code reads the tooltip of every node it is sent, so the Markdown (three
 * formatted dates) is built only when a tooltip is about to show (the provider's resolveTreeItem).
 */
export class TaskNode extends vscode.TreeItem {
  readonly kind = 'task';

  constructor(
    public task: TaskSnapshot,
    now: number,
    problems = 0,
  ) {
    super(taskLabel(task), vscode.TreeItemCollapsibleState.None);
    this.id = `task:${task.id}`;
    this.update(task, now, problems);
  }

  /** `problems`: how many its problem matchers found in its output so far. */
  update(task: TaskSnapshot, now: number, problems = 0): void {
    this.task = task;
    this.label = taskLabel(task);
    this.description = describeTask(task, now) + (problems > 0 ? ` · ${problems} problem${problems === 1 ? '' : 's'}` : '');
    this.iconPath = statusIcon(task.state.status);
    this.contextValue = contextFlags(task);
    this.command = { command: Command.showOutput, title: 'Show Output', arguments: [task.id] };
    this.accessibilityInformation = { label: `${task.state.status} task ${task.id}: ${task.command}. ${this.description}` };
  }

  /** The tooltip for the task as it is now: untrusted Markdown. */
  buildTooltip(now: number): vscode.MarkdownString {
    return new vscode.MarkdownString(tooltipMarkdown(this.task, now));
  }
}

/**
 * The last child of a group that holds more tasks than the tree shows: "… 9 800 more", which
 * opens Show Tasks filtered to that status. It keeps a long history cheap to draw.
 */
export class MoreNode extends vscode.TreeItem {
  readonly kind = 'more';

  constructor(
    readonly status: TaskStatus,
    /** How many tasks of the group this node stands for. */
    readonly hidden: number,
  ) {
    super(`… ${hidden} more`, vscode.TreeItemCollapsibleState.None);
    this.id = `more:${status}`;
    this.description = 'Show Tasks...';
    this.contextValue = 'more';
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    this.tooltip = `The tree shows the newest tasks of each group; choose this to see all ${GROUP_LABELS[status].toLowerCase()} tasks.`;
    this.command = { command: Command.showTasks, title: 'Show Tasks', arguments: [{ status }] };
  }
}

export type TreeNode = GroupNode | TaskNode | MoreNode;
