// A status bar item while anything runs or waits, or the queue is paused:
// "⟳ 2 running · 3 queued", "⏸ Queue paused · 3 queued"; click focuses the tree.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { TREE_VIEW_ID } from './commandIds';
import { escapeMarkdown, shortCommand } from './taskText';

const UPDATE_MS = 300;
const TOOLTIP_TASKS = 10;

export class TaskStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('backgroundTasks.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: { dispose(): void }[];
  private timer: NodeJS.Timeout | undefined;
  /** What the item shows, or undefined while it is hidden (read by tests). */
  shownText: string | undefined;

  constructor(private readonly engine: TaskEngine) {
    this.item.name = 'Background Tasks';
    this.item.command = { command: `${TREE_VIEW_ID}.focus`, title: 'Show Background Tasks' };
    this.subscriptions = [
      engine.onDidChangeTask(() => {
        this.timer ??= setTimeout(() => this.update(), UPDATE_MS);
      }),
      // Tasks still running from an earlier session are counted once the history is loaded.
      engine.onDidLoad(() => this.update()),
      engine.onDidChangeQueue(() => this.update()),
    ];
    this.update();
  }

  update(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const running = this.engine.getAllTasks({ status: 'running' });
    const pending = this.engine.getAllTasks({ status: 'pending' });
    const paused = this.engine.isQueuePaused();
    if (running.length === 0 && pending.length === 0 && !paused) {
      this.item.hide();
      this.shownText = undefined;
      return;
    }
    const parts: string[] = [];
    if (paused) parts.push('$(debug-pause) Queue paused');
    if (running.length) parts.push(`$(loading~spin) ${running.length} running`);
    if (pending.length) parts.push(`${running.length || paused ? '' : '$(clock) '}${pending.length} queued`);
    this.item.text = parts.join(' · ');
    const tooltip = new vscode.MarkdownString(`**Background Tasks**\n\n`);
    for (const task of running.slice(0, TOOLTIP_TASKS)) tooltip.appendMarkdown(`- \`${task.id}\` ${escapeMarkdown(shortCommand(task.command, 80))}\n`);
    if (running.length > TOOLTIP_TASKS) tooltip.appendMarkdown(`- and ${running.length - TOOLTIP_TASKS} more\n`);
    if (paused) tooltip.appendMarkdown('\nThe queue is paused: pending tasks wait until it is resumed (Resume Queue); running ones go on.\n');
    if (pending.length) tooltip.appendMarkdown(`\n${pending.length} waiting to start. Click to show the tasks.`);
    else tooltip.appendMarkdown('\nClick to show the tasks.');
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: `Background Tasks: ${paused ? 'queue paused, ' : ''}${running.length} running, ${pending.length} queued` };
    this.item.show();
    this.shownText = this.item.text;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
