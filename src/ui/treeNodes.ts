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

export function statusIcon(status: TaskStatus): vscode.ThemeIcon {
  const [icon, color] = STATUS_ICONS[status];
  return new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
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

/** One task: its command, a description of its state, and a click that opens its output. */
export class TaskNode extends vscode.TreeItem {
  readonly kind = 'task';

  constructor(
    public task: TaskSnapshot,
    now: number,
  ) {
    super(taskLabel(task), vscode.TreeItemCollapsibleState.None);
    this.id = `task:${task.id}`;
    this.update(task, now);
  }

  update(task: TaskSnapshot, now: number): void {
    this.task = task;
    this.label = taskLabel(task);
    this.description = describeTask(task, now);
    this.iconPath = statusIcon(task.state.status);
    this.contextValue = contextFlags(task);
    this.tooltip = new vscode.MarkdownString(tooltipMarkdown(task, now));
    this.command = { command: Command.showOutput, title: 'Show Output', arguments: [task.id] };
    this.accessibilityInformation = { label: `${task.state.status} task ${task.id}: ${task.command}. ${this.description}` };
  }
}

export type TreeNode = GroupNode | TaskNode;
