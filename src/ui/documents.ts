// Show Task Details and Show Statistics: read-only Markdown documents served by a content
// provider under our own scheme, kept up to date while they are open.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { readTail } from '../core/logReader';
import type { Problem } from '../core/problemMatcher';
import { statisticsMarkdown } from './statisticsText';
import { detailsMarkdown } from './taskText';

export const SCHEME = 'background-tasks';
const STATISTICS_PATH = '/Statistics.md';
const DETAILS = /^\/Task ([^/]+)\.md$/;
const TAIL_LINES = 20;
const UPDATE_MS = 500;

export function detailsUri(id: string): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: `/Task ${id}.md` });
}

export function statisticsUri(): vscode.Uri {
  return vscode.Uri.from({ scheme: SCHEME, path: STATISTICS_PATH });
}

export class TaskDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: { dispose(): void }[];

  /** The problems found in a task's output (set by the diagnostics once they exist). */
  problemsOf: (id: string) => readonly Problem[] = () => [];

  constructor(private readonly engine: TaskEngine) {
    this.subscriptions = [
      engine.onDidChangeTask((task) => {
        this.dirty.add(task.id);
        this.timer ??= setTimeout(() => this.update(), UPDATE_MS);
      }),
      // The statistics say whether the queue is paused.
      engine.onDidChangeQueue(() => {
        this.timer ??= setTimeout(() => this.update(), UPDATE_MS);
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    if (uri.path === STATISTICS_PATH) return statisticsMarkdown(this.engine.getStatistics(), new Date());
    const id = DETAILS.exec(uri.path)?.[1];
    const task = id === undefined ? undefined : this.engine.getTask(id);
    if (!task) return `# Task ${id ?? '?'}\n\nThis task no longer exists (it was cleared or removed).\n`;
    return detailsMarkdown(task, readTail(task.logPath, TAIL_LINES), Date.now(), this.problemsOf(task.id));
  }

  /** Opens a document read-only in a preview editor. */
  async open(uri: vscode.Uri): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: true });
  }

  private update(): void {
    this.timer = undefined;
    const open = new Set(vscode.workspace.textDocuments.filter((d) => d.uri.scheme === SCHEME).map((d) => d.uri.toString()));
    const statistics = statisticsUri();
    if (open.has(statistics.toString())) this.changed.fire(statistics);
    for (const id of this.dirty) {
      const uri = detailsUri(id);
      if (open.has(uri.toString())) this.changed.fire(uri);
    }
    this.dirty.clear();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscriptions.forEach((s) => s.dispose());
    this.changed.dispose();
  }
}
