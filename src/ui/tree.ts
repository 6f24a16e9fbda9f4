// The task tree: groups by status (or by lane), a node per task, pending tasks in queue order.
// Engine events are gathered and applied at most a few times a second; a change that keeps a
// task in its group refreshes only that node.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import type { TaskSnapshot, TaskStatus } from '../core/types';
import { TREE_VIEW_ID } from './commandIds';
import type { TreeGroupBy } from './settingsValues';
import { TaskDragAndDrop } from './treeDrag';
import { UnseenBadge } from './treeBadge';
import { GroupNode, LaneNode, MoreNode, TaskNode, type TreeNode } from './treeNodes';

/** Groups in the order they are shown. */
export const GROUP_ORDER: readonly TaskStatus[] = ['running', 'pending', 'failed', 'completed', 'cancelled'];
const REFRESH_INTERVAL_MS = 300;
/**
 * The whole tree is rebuilt at most once a second. Every rebuild makes VS Code create a node for
 * each task shown, and VS Code keeps a small object (an empty DisposableStore, about 230 bytes)
 * of every node it ever created until the view closes (ExtHostTreeView._createTreeNode
 * registers each node's store on the view). 1000 short tasks rebuilt the tree 80 times, 25 000
 * such objects (measured in the extension host's heap, bench section 5).
 */
const REBUILD_INTERVAL_MS = 1000;
/** Tasks shown per group, newest first; the rest are one "… N more" node away (Show Tasks). */
export const GROUP_NODE_LIMIT = 200;
const TICK_MS = 1000;

export class TaskTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly groups = new Map<TaskStatus, GroupNode>();
  /** Lane groups by lane name ('' for the group of tasks in no lane). */
  private readonly lanes = new Map<string, LaneNode>();
  private readonly nodes = new Map<string, TaskNode>();
  private readonly dirty = new Set<string>();
  private structural = false;
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private lastRebuild = 0;
  private readonly ticker: NodeJS.Timeout;
  private readonly subscriptions: { dispose(): void }[];
  private groupBy: TreeGroupBy = 'status';

  /** How many problems a task's output holds (set by the diagnostics once they exist). */
  problemCount: (id: string) => number = () => 0;
  /** The lanes' limits (set from the settings), shown on the lane groups. */
  laneLimits: Readonly<Record<string, number>> = {};

  constructor(private readonly engine: TaskEngine) {
    this.subscriptions = [
      engine.onDidChangeTask((task) => this.taskChanged(task)),
      engine.onDidRemoveTask(() => this.refresh()),
      // The history loads after activation: the whole tree once it is in.
      engine.onDidLoad(() => this.refresh()),
      // A reorder moves tasks within the pending group (the event does not say which, so all of it).
      engine.onDidChangeQueue(() => this.refresh()),
    ];
    // Durations of running tasks move on by themselves (a paused one's does not).
    this.ticker = setInterval(() => {
      for (const node of this.nodes.values()) {
        const s = node.task.state;
        if (s.status === 'running' && s.pausedAt === undefined) this.dirty.add(node.task.id);
        // A delayed start's "starts at" turns into "queued" by itself too.
        else if (s.status === 'pending' && s.startAt !== undefined && s.startAt <= Date.now()) this.dirty.add(node.task.id);
      }
      if (this.dirty.size > 0) this.schedule();
    }, TICK_MS);
  }

  /** How the tree groups tasks: by status (default) or by lane. */
  get grouping(): TreeGroupBy {
    return this.groupBy;
  }

  setGrouping(by: TreeGroupBy): void {
    if (by === this.groupBy) return;
    this.groupBy = by;
    this.refresh();
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node;
  }

  /** Called by VS Code when a tooltip is about to show: only then is a task's tooltip built. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'task') item.tooltip = node.buildTooltip(Date.now());
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    if (node.kind === 'group' || node.kind === 'lane') return undefined;
    if (node.kind === 'more') return node.parent;
    if (this.groupBy === 'lane') return this.lanes.get(node.task.lane ?? '');
    return this.groups.get(node.task.state.status);
  }

  getChildren(node?: TreeNode): TreeNode[] {
    if (node === undefined) return this.groupBy === 'lane' ? this.buildLanes() : this.buildGroups();
    if (node.kind !== 'group' && node.kind !== 'lane') return [];
    const now = Date.now();
    const shown: TreeNode[] = node.tasks.map((task) => this.nodeFor(task, now));
    if (node.count > node.tasks.length) shown.push(new MoreNode(node, node.count - node.tasks.length));
    return shown;
  }

  /** The node of a task as last built, if it is in the tree. */
  findNode(id: string): TaskNode | undefined {
    return this.nodes.get(id);
  }

  /** Applies waiting changes now (tests, and a manual refresh). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlush = Date.now();
    if (this.structural) {
      this.structural = false;
      this.lastRebuild = this.lastFlush;
      this.dirty.clear();
      this.changed.fire(undefined);
      return;
    }
    const now = Date.now();
    const nodes: TaskNode[] = [];
    for (const id of this.dirty) {
      const node = this.nodes.get(id);
      const task = this.engine.getTask(id);
      if (node && task) {
        node.update(task, now, this.problemCount(id));
        nodes.push(node);
      }
    }
    this.dirty.clear();
    if (nodes.length > 0) {
      this.changed.fire(nodes);
    }
  }

  /** Rebuilds the whole tree at the next flush. */
  refresh(): void {
    this.structural = true;
    this.schedule();
  }

  private buildGroups(): GroupNode[] {
    const groups = this.engine.groupTasks({ by: 'status', limit: GROUP_NODE_LIMIT, statusOrder: GROUP_ORDER });
    const present = new Set<string>();
    const result: GroupNode[] = [];
    for (const [key, tasks] of groups) {
      const status = key as TaskStatus;
      for (const task of tasks.tasks) present.add(task.id);
      let group = this.groups.get(status);
      if (group) group.setTasks(tasks);
      else this.groups.set(status, (group = new GroupNode(status, tasks)));
      result.push(group);
    }
    this.prune(present);
    return result;
  }

  private buildLanes(): LaneNode[] {
    const byLane = this.engine.groupTasks({ by: 'lane', limit: GROUP_NODE_LIMIT, statusOrder: GROUP_ORDER });
    const present = new Set<string>();
    const result: LaneNode[] = [];
    for (const key of laneOrder(byLane.keys(), this.laneLimits)) {
      const tasks = byLane.get(key)!;
      for (const task of tasks.tasks) present.add(task.id);
      const limit = key === '' ? undefined : (this.laneLimits[key] ?? 1);
      let lane = this.lanes.get(key);
      if (lane) lane.setTasks(tasks, limit);
      else this.lanes.set(key, (lane = new LaneNode(key === '' ? undefined : key, tasks, limit)));
      result.push(lane);
    }
    for (const key of this.lanes.keys()) if (!byLane.has(key)) this.lanes.delete(key);
    this.prune(present);
    return result;
  }

  private prune(present: ReadonlySet<string>): void {
    for (const id of this.nodes.keys()) if (!present.has(id)) this.nodes.delete(id);
  }

  private nodeFor(task: TaskSnapshot, now: number): TaskNode {
    let node = this.nodes.get(task.id);
    // A snapshot is replaced on every change, so the same one means nothing to redo, unless
    // the task runs (its duration moves on).
    if (!node) this.nodes.set(task.id, (node = new TaskNode(task, now, this.problemCount(task.id))));
    else if (node.task !== task || task.state.status === 'running') node.update(task, now, this.problemCount(task.id));
    return node;
  }

  /** A task's problem count changed: its node is redrawn at the next flush. */
  problemsChanged(id: string): void {
    if (!this.nodes.has(id)) return;
    this.dirty.add(id);
    this.schedule();
  }

  private taskChanged(task: TaskSnapshot): void {
    const node = this.nodes.get(task.id);
    // A new task, or one that moved group, changes the groups' membership and counts.
    if (!node || node.task.state.status !== task.state.status) this.structural = true;
    else this.dirty.add(task.id);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + REFRESH_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => this.flushWhenDue(), wait);
  }

  /** The timer's flush: a rebuild waits until a second after the last one (node updates wait with it, the rebuild covers them). */
  private flushWhenDue(): void {
    this.timer = undefined;
    const rebuildIn = this.lastRebuild + REBUILD_INTERVAL_MS - Date.now();
    if (this.structural && rebuildIn > 0) this.timer = setTimeout(() => this.flush(), rebuildIn);
    else this.flush();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.ticker);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** Lanes the setting names first, in its order, then the others by name, then "No lane" (''). */
function laneOrder(keys: Iterable<string>, limits: Readonly<Record<string, number>>): string[] {
  const named = Object.keys(limits);
  const rank = (key: string): number => (key === '' ? Number.MAX_SAFE_INTEGER : named.includes(key) ? named.indexOf(key) : named.length);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

export interface TaskTree {
  provider: TaskTreeProvider;
  view: vscode.TreeView<TreeNode>;
  dragAndDrop: TaskDragAndDrop;
}

export function registerTree(context: vscode.ExtensionContext, engine: TaskEngine): TaskTree {
  const provider = new TaskTreeProvider(engine);
  const dragAndDrop = new TaskDragAndDrop(engine);
  const view = vscode.window.createTreeView(TREE_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
    dragAndDropController: dragAndDrop,
  });
  context.subscriptions.push(provider, view, new UnseenBadge(view, engine));
  // The history loads in the background; until it is in, the tree says so above what it shows.
  if (engine.isLoading) {
    view.message = 'Loading the task history…';
    context.subscriptions.push(engine.onDidLoad(() => (view.message = undefined)));
  }
  return { provider, view, dragAndDrop };
}
