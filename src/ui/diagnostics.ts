// Problems in the Problems panel: every task that names a problem matcher has its log read as
// it grows (never waited on), its problems published in the "Background Tasks" diagnostic
// collection. A rerun's problems replace those of the run before; a removed task's go with it;
// after a window reload the logs of such tasks are read again, one after another, in the background.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { LogFollower } from '../core/logReader';
import { MatcherCatalog, type MatcherContribution } from '../core/matchers/catalog';
import { ProblemCollector, WHOLE_LINE, type Problem } from '../core/problemMatcher';
import { isFinal } from '../core/taskState';
import type { TaskSnapshot } from '../core/types';

export const DIAGNOSTIC_COLLECTION = 'Background Tasks';
const PUBLISH_MS = 150;

/** Every installed extension's matchers and patterns, with the built-ins under them. */
export function installedMatchers(): MatcherCatalog {
  return new MatcherCatalog(vscode.extensions.all.map((e) => ((e.packageJSON as { contributes?: MatcherContribution }).contributes ?? {})));
}

/** The workspace folder a task ran in, for `${workspaceFolder}` in its matchers. */
export function folderOf(cwd: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(cwd))?.uri.fsPath ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

/** Reruns share a key: the workspace task's label, or the command and its folder. */
function rerunKey(task: TaskSnapshot): string {
  const label = task.metadata.workspaceTask;
  return typeof label === 'string' ? `task:${label}:${task.cwd}` : `command:${task.cwd}:${task.command}`;
}

interface Reader {
  task: TaskSnapshot;
  collector: ProblemCollector;
  follower: LogFollower;
  done?: Promise<void>;
}

export class TaskProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_COLLECTION);
  private readonly readers = new Map<string, Reader>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a task's id when its problems change. */
  readonly onDidChange = this.changed.event;
  private catalog: MatcherCatalog | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly subscriptions: { dispose(): void }[];
  private disposed = false;

  constructor(
    private readonly engine: TaskEngine,
    private readonly log: (message: string) => void,
  ) {
    this.subscriptions = [
      engine.onDidChangeTask((task) => this.track(task)),
      engine.onDidFinishTask((task) => this.track(task)),
      engine.onDidRemoveTask((task) => this.drop(task.id)),
      vscode.extensions.onDidChange(() => (this.catalog = undefined)),
    ];
    void this.restore();
  }

  /** The problems found in a task's output so far. */
  problems(id: string): readonly Problem[] {
    return this.readers.get(id)?.collector.problems ?? [];
  }

  count(id: string): number {
    return this.problems(id).length;
  }

  /** Settles once a finished task's log has been read to its end (tests, notifications). */
  async settled(id: string, atMostMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, atMostMs)));
    await Promise.race([this.readers.get(id)?.done, limit]);
    clearTimeout(timer);
  }

  /** Tasks from before a reload, read one at a time so activation does not wait on their logs. */
  private async restore(): Promise<void> {
    // The engine loads its history in the background: the tasks from before are all there once it is ready.
    await this.engine.ready;
    for (const task of this.engine.getTasksWithProblemMatchers()) {
      if (this.disposed) return;
      this.track(task);
      await this.readers.get(task.id)?.done;
    }
  }

  private track(task: TaskSnapshot): void {
    if (this.disposed || task.problemMatcher === undefined) return;
    let reader = this.readers.get(task.id);
    if (!reader) {
      this.catalog ??= installedMatchers();
      const { matchers, errors } = this.catalog.resolve(task.problemMatcher);
      for (const error of errors) this.log(`Task ${task.id}: ${error}`);
      if (matchers.length === 0) return;
      const collector = new ProblemCollector(matchers, { cwd: task.cwd, workspaceFolder: folderOf(task.cwd) }, () => {
        this.changed.fire(task.id);
        this.schedulePublish();
      });
      const follower = new LogFollower(this.engine.logPath(task.id), (text) => collector.push(text), { stripAnsi: true });
      this.readers.set(task.id, (reader = { task, collector, follower }));
      // A new run hides the problems of the one before at once, as VS Code does when a task starts.
      this.schedulePublish();
    }
    reader.task = task;
    if (isFinal(task.state.status) && !reader.done) {
      const r = reader;
      r.done = r.follower.finish().then(() => r.collector.end());
    }
  }

  private drop(id: string): void {
    const reader = this.readers.get(id);
    if (!reader) return;
    reader.follower.dispose();
    this.readers.delete(id);
    this.changed.fire(id);
    this.schedulePublish();
  }

  private schedulePublish(): void {
    this.timer ??= setTimeout(() => this.publish(), PUBLISH_MS);
  }

  /** Publishes now (tests); otherwise changes are gathered for a moment. */
  publish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    const latest = new Map<string, Reader>();
    for (const reader of this.readers.values()) {
      const key = rerunKey(reader.task);
      const other = latest.get(key);
      if (!other || other.task.createdAt < reader.task.createdAt || (other.task.createdAt === reader.task.createdAt && other.task.id < reader.task.id)) latest.set(key, reader);
    }
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const reader of latest.values()) {
      for (const p of reader.collector.problems) {
        const list = byFile.get(p.file) ?? [];
        list.push(toDiagnostic(p));
        byFile.set(p.file, list);
      }
    }
    this.collection.clear();
    this.collection.set([...byFile].map(([file, list]) => [vscode.Uri.file(file), list]));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.readers.values()) r.follower.dispose();
    this.readers.clear();
    for (const s of this.subscriptions) s.dispose();
    this.collection.dispose();
    this.changed.dispose();
  }
}

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toDiagnostic(p: Problem): vscode.Diagnostic {
  const endColumn = p.endColumn === WHOLE_LINE ? WHOLE_LINE : Math.max(0, p.endColumn - 1);
  const range = new vscode.Range(Math.max(0, p.startLine - 1), Math.max(0, p.startColumn - 1), Math.max(0, p.endLine - 1), endColumn);
  const d = new vscode.Diagnostic(range, p.message, SEVERITY[p.severity]);
  d.source = p.source ?? p.owner;
  if (p.code !== undefined) d.code = p.code;
  return d;
}

/** "3 problems" / "1 problem" for the tree and notifications. */
export function problemsText(n: number): string {
  return `${n} problem${n === 1 ? '' : 's'}`;
}
