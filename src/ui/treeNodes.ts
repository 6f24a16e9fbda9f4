// The tree's node kinds, one TreeItem subclass each, with icon, description, tooltip and
// contextValue set from a task snapshot. The provider (tree.ts) keeps them and refreshes them.
import * as vscode from 'vscode';
import type { TaskGroup, TaskSnapshot, TaskStatus } from '../core/types';
import { Command } from './commandIds';
import { contextFlags, describeTask, GROUP_LABELS, isPaused, taskLabel, tooltipMarkdown } from './taskText';

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

let paused: vscode.ThemeIcon | undefined;

/** A paused running task's icon. */
export function pausedIcon(): vscode.ThemeIcon {
  return (paused ??= new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('charts.yellow')));
}

/** One status group: "Running 2". Empty groups are not shown at all. */
export class GroupNode extends vscode.TreeItem {
  readonly kind = 'group';
  /** The tasks shown (the first of the group), and how many it holds. */
  tasks: readonly TaskSnapshot[] = [];
  count = 0;

  constructor(
    readonly status: TaskStatus,
    group: TaskGroup,
  ) {
    super(GROUP_LABELS[status], status === 'cancelled' ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
    this.id = `group:${status}`;
    this.contextValue = `group,status=${status}`;
    this.iconPath = status === 'running' ? new vscode.ThemeIcon('sync', new vscode.ThemeColor('charts.blue')) : statusIcon(status);
    this.setTasks(group);
  }

  setTasks(group: TaskGroup): void {
    this.tasks = group.tasks;
    this.count = group.count;
    this.description = String(group.count);
    this.tooltip = `${group.count} ${GROUP_LABELS[this.status].toLowerCase()} task${group.count === 1 ? '' : 's'}`;
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
    this.iconPath = isPaused(task) ? pausedIcon() : statusIcon(task.state.status);
    this.contextValue = contextFlags(task);
    this.command = { command: Command.showOutput, title: 'Show Output', arguments: [task.id] };
    this.accessibilityInformation = { label: `${task.state.status} task ${task.id}: ${task.command}. ${this.description}` };
  }

  /** The tooltip for the task as it is now: untrusted Markdown. */
  buildTooltip(now: number): vscode.MarkdownString {
    return new vscode.MarkdownString(tooltipMarkdown(this.task, now));
  }
}

/** The label of the lane group of tasks in no lane. */
export const NO_LANE_LABEL = 'No lane';

/**
 * One lane, when the tree is grouped by lane (`backgroundTasks.treeGroupBy`): "gpu 3 · limit 1",
 * its running tasks first, then its pending ones in queue order, then the finished ones.
 */
export class LaneNode extends vscode.TreeItem {
  readonly kind = 'lane';
  /** The tasks shown (the first of the lane), and how many it holds. */
  tasks: readonly TaskSnapshot[] = [];
  count = 0;

  constructor(
    /** Undefined: the group of tasks in no lane. */
    readonly lane: string | undefined,
    group: TaskGroup,
    limit: number | undefined,
  ) {
    super(lane ?? NO_LANE_LABEL, vscode.TreeItemCollapsibleState.Expanded);
    this.id = lane === undefined ? 'lane' : `lane:${lane}`;
    this.contextValue = lane === undefined ? 'lane,none' : 'lane';
    this.iconPath = new vscode.ThemeIcon(lane === undefined ? 'list-flat' : 'layers');
    this.setTasks(group, limit);
  }

  setTasks(group: TaskGroup, limit: number | undefined): void {
    this.tasks = group.tasks;
    const n = (this.count = group.count);
    this.description = limit === undefined ? String(n) : `${n} · ${group.running} of ${limit} running`;
    this.tooltip =
      this.lane === undefined
        ? `${n} task${n === 1 ? '' : 's'} in no lane (only maxConcurrentTasks limits them)`
        : `Lane ${this.lane}: ${n} task${n === 1 ? '' : 's'}, at most ${limit ?? 1} running at once (backgroundTasks.lanes)`;
  }
}

/**
 * The last child of a group that holds more tasks than the tree shows: "… 9 800 more", which
 * opens Show Tasks filtered to that status. It keeps a long history cheap to draw.
 */
export class MoreNode extends vscode.TreeItem {
  readonly kind = 'more';

  constructor(
    readonly parent: GroupNode | LaneNode,
    /** How many tasks of the group this node stands for. */
    readonly hidden: number,
  ) {
    super(`… ${hidden} more`, vscode.TreeItemCollapsibleState.None);
    this.id = `more:${parent.id ?? ''}`;
    this.description = 'Show Tasks...';
    this.contextValue = 'more';
    this.iconPath = new vscode.ThemeIcon('ellipsis');
    const status = parent.kind === 'group' ? parent.status : undefined;
    this.tooltip = status
      ? `The tree shows the newest tasks of each group; choose this to see all ${GROUP_LABELS[status].toLowerCase()} tasks.`
      : 'The tree shows the first tasks of each lane; choose this to see all tasks.';
    this.command = { command: Command.showTasks, title: 'Show Tasks', arguments: status ? [{ status }] : [] };
  }

  /** The status its group shows, if it is a status group. */
  get status(): TaskStatus | undefined {
    return this.parent.kind === 'group' ? this.parent.status : undefined;
  }
}

export type TreeNode = GroupNode | LaneNode | TaskNode | MoreNode;
