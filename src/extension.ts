// activate() builds the engine on this workspace's storage, registers each ui piece, and
// returns the API. Everything else lives in ui/ (VS Code) and core/ (plain Node.js).
import * as vscode from 'vscode';
import type { BackgroundTasksApi } from './api';
import { TaskEngine } from './core/engine';
import { createApi } from './ui/apiImpl';
import { Command } from './ui/commandIds';
import { TaskDocuments, SCHEME } from './ui/documents';
import { TaskProblems } from './ui/diagnostics';
import { CompletionNotifier } from './ui/notifications';
import { TaskChannels } from './ui/outputChannels';
import { RecentCommands } from './ui/recentCommands';
import { registerPipeSelection } from './ui/pipeSelection';
import { registerRunCommands } from './ui/runCommands';
import { vscodeNotifications, vscodePrompts } from './ui/seams';
import type { UiServices } from './ui/services';
import { registerQueueCommands } from './ui/queueCommands';
import { readSettings, SettingsWatcher, type Settings } from './ui/settings';
import { registerShowTasks } from './ui/showTasks';
import { TaskStatusBar } from './ui/statusBar';
import { registerTaskCommands } from './ui/taskCommands';
import { registerTree, type TaskTree } from './ui/tree';
import { Trust } from './ui/trust';
import { registerWorkspaceTasks } from './ui/workspaceTasks';
import type { ControlServer } from './control/server';
import { prepareReach, type Reach } from './ui/controlServer';
import { registerLmTools } from './ui/lmTools';

/**
 * The name of the performance measures activate() leaves in the extension host, one per
 * synchronous stretch (from the start or the end of an await to the next await), as VS Code
 * marks its own steps: the benchmark reads the longest (bench/host/inHost.ts), which must stay
 * short, since the whole extension host waits meanwhile.
 */
export const ACTIVATION_MEASURE = 'backgroundTasks/activate';

/** Measures the stretches of activate() between its awaits. */
class Stretches {
  private began = performance.now();

  /** Ends the stretch, awaits `p` (whose synchronous start, already run, counts in it), starts the next. */
  async wait<T>(p: Promise<T>): Promise<T> {
    performance.measure(ACTIVATION_MEASURE, { start: this.began });
    try {
      return await p;
    } finally {
      this.began = performance.now();
    }
  }

  /** Lets the host's other work run before the next stretch. */
  turn(): Promise<void> {
    return this.wait(new Promise((resolve) => setImmediate(resolve)));
  }

  end(): void {
    performance.measure(ACTIVATION_MEASURE, { start: this.began });
  }
}

/** What the integration tests reach through the API's hidden `__testing` property. */
export interface TestingHooks {
  ui: UiServices;
  tree: TaskTree;
  notifier: CompletionNotifier;
  statusBar: TaskStatusBar;
  problems: TaskProblems;
  /** The control socket, when it listens. */
  control: ControlServer | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<BackgroundTasksApi> {
  const stretches = new Stretches();
  const storage = context.storageUri ?? context.globalStorageUri;
  const initial = readSettings();
  // The extension's own warnings (a task.json that could not be saved...), where a person can read them.
  const log = vscode.window.createOutputChannel('Background Tasks', { log: true });
  context.subscriptions.push(log);
  await stretches.turn();
  // The two read and write different folders: their waits on the disk overlap.
  let reachOf: Reach | undefined;
  const [reach, engine] = await stretches.wait(Promise.all([prepareReach(context, storage.fsPath, (message) => log.warn(message)).then((r) => (reachOf = r)), TaskEngine.open({
    storageDir: storage.fsPath,
    maxConcurrentTasks: initial.maxConcurrentTasks,
    cancelGraceMs: initial.cancelGraceMs,
    historyLimit: initial.historySize,
    shell: initial.shell || undefined,
    defaultCwd: initial.defaultCwd,
    lanes: initial.lanes,
    defaultTimeoutSeconds: initial.defaultTimeoutSeconds,
    niceness: initial.niceness,
    log: (message) => log.warn(message),
    // No task starts before both are ready (the history waits for loadHistory() below).
    taskEnvironment: (env) => reachOf?.taskEnvironment(env) ?? { ...env },
    // Read once everything below listens: a task that ended while the window was away is
    // announced, and the tree's "loading" ends, only if the notifier and the tree hear it.
    deferHistory: true,
  })]));
  context.subscriptions.push({ dispose: () => engine.dispose() });

  // The ui pieces in a few turns, so the host's other work runs between them.
  await stretches.turn();
  const trust = new Trust();
  const seams: UiServices['seams'] = { notifications: vscodeNotifications, prompts: vscodePrompts };
  // A bad setting value is said once, with what is used instead; through the seam the tests record.
  const settings = new SettingsWatcher(engine, (message) => void seams.notifications.show('warning', message, []));
  const channels = new TaskChannels(engine);
  const documents = new TaskDocuments(engine);
  await stretches.turn();
  const tree = registerTree(context, engine);
  const statusBar = new TaskStatusBar(engine);
  const problems = new TaskProblems(engine, (message) => log.warn(message));
  tree.provider.problemCount = (id) => problems.count(id);
  const applyTreeSettings = (current: Settings): void => {
    tree.provider.laneLimits = current.lanes;
    tree.provider.setGrouping(current.treeGroupBy);
  };
  applyTreeSettings(settings.current);
  documents.problemsOf = (id) => problems.problems(id);
  context.subscriptions.push(
    problems,
    problems.onDidChange((id) => tree.provider.problemsChanged(id)),
    settings,
    settings.onDidChange((current) => {
      applyTreeSettings(current);
      // The lane groups show their limits.
      if (current.treeGroupBy === 'lane') tree.provider.refresh();
    }),
    channels,
    documents,
    statusBar,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    vscode.workspace.onDidChangeWorkspaceFolders(() => settings.reload()),
    engine.onDidRemoveTask(() => channels.prune()),
  );

  await stretches.turn();
  const ui: UiServices = {
    engine,
    trust,
    seams,
    channels,
    documents,
    recent: new RecentCommands(context.workspaceState),
    settings,
    tree: tree.provider,
  };
  const notifier = new CompletionNotifier(
    () => ui.seams.notifications,
    () => settings.current.notificationLevel,
    {
      showOutput: (id) => vscode.commands.executeCommand(Command.showOutput, id),
      rerun: (id) => vscode.commands.executeCommand(Command.rerun, id),
      showTasks: (status) => vscode.commands.executeCommand(Command.showTasks, { status }),
      showProblems: () => vscode.commands.executeCommand('workbench.actions.view.problems'),
    },
    (message) => log.error(message),
    (id) => problems.count(id),
  );
  context.subscriptions.push(
    notifier,
    // A task with a matcher is announced once its log is read to the end (a second at most), so
    // the notice knows whether to offer Show Problems.
    engine.onDidFinishTask((task) => (task.problemMatcher === undefined ? notifier.taskFinished(task) : void problems.settled(task.id, 1000).then(() => notifier.taskFinished(task)))),
  );
  await stretches.turn();
  registerRunCommands(context, ui);
  registerPipeSelection(context, ui, vscode.Uri.joinPath(storage, 'inputs').fsPath);
  registerTaskCommands(context, ui);
  await stretches.turn();
  registerQueueCommands(context, ui);
  registerShowTasks(context, ui);
  registerWorkspaceTasks(context, ui);
  await stretches.turn();
  registerLmTools(context, engine, trust);
  await stretches.turn();
  const control = await stretches.wait(reach.start(engine, trust));

  // The hooks exist only for the extension's own tests, never in the API other extensions get.
  const testing: TestingHooks | undefined =
    context.extensionMode === vscode.ExtensionMode.Test ? { ui, tree, notifier, statusBar, problems, control } : undefined;
  const api = createApi(engine, trust, testing);
  engine.loadHistory();
  stretches.end();
  return api;
}

export function deactivate(): void {
  // The engine is disposed with context.subscriptions; running tasks keep running and the
  // next activation finds them again.
}
