// Reordering the queue by drag and drop in the tree: a pending task dropped onto another pending
// task goes just before it (taking its priority), dropped onto the Pending group it goes last.
// The engine decides what that means for the order; anything else dropped is ignored.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { TREE_VIEW_ID } from './commandIds';
import type { TreeNode } from './treeNodes';

/** VS Code's own mime type for drags inside this tree (lower-cased view id): what makes a drop here accepted. */
const TREE_MIME = `application/vnd.code.tree.${TREE_VIEW_ID.toLowerCase()}`;
/** The ids of the dragged pending tasks, as handleDrag put them (kept in the extension host for a drop in the same tree). */
export const TASKS_MIME = 'application/vnd.backgroundtasks.task-ids';

export type DropTarget = { before: string } | { after: string };

/**
 * Where `ids` go when dropped onto `target`, as a list of engine moves in order, or an empty
 * list when the drop means nothing (a task that is not pending, a finished group...).
 */
export function dropMoves(engine: TaskEngine, ids: readonly string[], target: TreeNode | undefined): [string, DropTarget][] {
  const moving = ids.filter((id) => engine.getTask(id)?.state.status === 'pending');
  if (moving.length === 0 || target === undefined) return [];
  if (target.kind === 'task') {
    const onto = target.task.id;
    if (moving.includes(onto) || engine.getTask(onto)?.state.status !== 'pending') return [];
    // Each one before the target, in the order dragged: they land together, in that order, just before it.
    return moving.map((id) => [id, { before: onto }]);
  }
  if (target.kind === 'group' && target.status === 'pending') {
    const rest = engine.getQueue().filter((t) => !moving.includes(t.id));
    const last = rest.at(-1);
    if (!last) return [];
    const moves: [string, DropTarget][] = [];
    let after = last.id;
    for (const id of moving) {
      moves.push([id, { after }]);
      after = id;
    }
    return moves;
  }
  return [];
}

export class TaskDragAndDrop implements vscode.TreeDragAndDropController<TreeNode> {
  readonly dragMimeTypes = [TASKS_MIME];
  readonly dropMimeTypes = [TREE_MIME, TASKS_MIME];

  constructor(private readonly engine: TaskEngine) {}

  handleDrag(source: readonly TreeNode[], dataTransfer: vscode.DataTransfer): void {
    const ids = source.flatMap((node) => (node.kind === 'task' && node.task.state.status === 'pending' ? [node.task.id] : []));
    // Only pending tasks can be moved; dragging anything else carries nothing to drop.
    if (ids.length > 0) dataTransfer.set(TASKS_MIME, new vscode.DataTransferItem(JSON.stringify(ids)));
  }

  async handleDrop(target: TreeNode | undefined, dataTransfer: vscode.DataTransfer): Promise<void> {
    const ids = await draggedIds(dataTransfer.get(TASKS_MIME));
    this.move(ids, target);
  }

  /** Applies a drop of `ids` onto `target`; returns how many tasks moved. */
  move(ids: readonly string[], target: TreeNode | undefined): number {
    let moved = 0;
    for (const [id, where] of dropMoves(this.engine, ids, target)) if (this.engine.moveTask(id, where)) moved++;
    return moved;
  }
}

/** The ids this controller put in the transfer; anything else (another tree's nodes, a file) gives none. */
async function draggedIds(item: vscode.DataTransferItem | undefined): Promise<string[]> {
  if (!item) return [];
  try {
    const value: unknown = typeof item.value === 'string' ? JSON.parse(item.value) : JSON.parse(await item.asString());
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
