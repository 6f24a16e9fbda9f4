// The activity bar's badge: finished tasks not yet seen.
import type * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import type { TreeNode } from './treeNodes';

/** Counts tasks that finished while the view was hidden, as a badge on the activity bar. */
export class UnseenBadge implements vscode.Disposable {
  private unseen = 0;
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    private readonly view: vscode.TreeView<TreeNode>,
    engine: TaskEngine,
  ) {
    this.subscriptions = [
      engine.onDidFinishTask(() => {
        if (this.view.visible) return;
        this.unseen++;
        this.view.badge = { value: this.unseen, tooltip: `${this.unseen} task${this.unseen === 1 ? '' : 's'} finished since you last looked` };
      }),
      view.onDidChangeVisibility(({ visible }) => {
        if (!visible) return;
        this.unseen = 0;
        this.view.badge = undefined;
      }),
    ];
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
