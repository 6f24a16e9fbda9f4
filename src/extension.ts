// activate() builds the engine on this workspace's storage, registers each ui piece, and
// returns the API. Everything else lives in ui/ (VS Code) and core/ (plain Node.js).
import * as vscode from 'vscode';
import type { BackgroundTasksApi } from './api';
import { TaskEngine } from './core/engine';
import { createApi } from './ui/apiImpl';
import { Command } from './ui/commandIds';
import { TaskDocuments, SCHEME } from './ui/documents';
import { CompletionNotifier } from './ui/notifications';
import { TaskChannels } from './ui/outputChannels';
import { RecentCommands } from './ui/recentCommands';
import { registerPipeSelection } from './ui/pipeSelection';
import { registerRunCommands } from './ui/runCommands';
import { vscodeNotifications, vscodePrompts } from './ui/seams';
import type { UiServices } from './ui/services';
import { readSettings, SettingsWatcher } from './ui/settings';
import { registerShowTasks } from './ui/showTasks';
import { TaskStatusBar } from './ui/statusBar';
import { registerTaskCommands } from './ui/taskCommands';
import { registerTree, type TaskTree } from './ui/tree';
import { Trust } from './ui/trust';
import type { ControlServer } from './control/server';
import { prepareReach } from './ui/controlServer';
import { registerLmTools } from './ui/lmTools';

/** What the integration tests reach through the API's hidden `__testing` property. */
export interface TestingHooks {
  ui: UiServices;
  tree: TaskTree;
  notifier: CompletionNotifier;
  statusBar: TaskStatusBar;
  /** The control socket, when it listens. */
  control: ControlServer | undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<BackgroundTasksApi> {
  const storage = context.storageUri ?? context.globalStorageUri;
  const initial = readSettings();
  const log = (message: string): void => console.warn(message);
  const reach = await prepareReach(context, storage.fsPath, log);
  const core = await TaskEngine.open({
    storageDir: storage.fsPath,
    maxConcurrentTasks: initial.maxConcurrentTasks,
    cancelGraceMs: initial.cancelGraceMs,
    historyLimit: initial.historySize,
    shell: initial.shell || undefined,
    defaultCwd: initial.defaultCwd,
    log,
    taskEnvironment: (env) => reach.taskEnvironment(env),
  });
  context.subscriptions.push({ dispose: () => core.dispose() });

  const trust = new Trust();
  const settings = new SettingsWatcher(core);
  const channels = new TaskChannels(core);
  const documents = new TaskDocuments(core);
  const tree = registerTree(context, core);
  const statusBar = new TaskStatusBar(core);
  context.subscriptions.push(
    settings,
    channels,
    documents,
    statusBar,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, documents),
    vscode.workspace.onDidChangeWorkspaceFolders(() => settings.reload()),
    core.onDidRemoveTask(() => channels.prune()),
  );

  const ui: UiServices = {
    engine: core,
    trust,
    seams: { notifications: vscodeNotifications, prompts: vscodePrompts },
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
    },
  );
  context.subscriptions.push(notifier, core.onDidFinishTask((task) => notifier.taskFinished(task)));
  registerRunCommands(context, ui);
  registerPipeSelection(context, ui, vscode.Uri.joinPath(storage, 'inputs').fsPath);
  registerTaskCommands(context, ui);
  registerShowTasks(context, ui);
  registerLmTools(context, core, trust);
  const control = await reach.start(core, trust);

  const testing: TestingHooks = { ui, tree, notifier, statusBar, control };
  return createApi(core, trust, testing);
}

export function deactivate(): void {
  // The engine is disposed with context.subscriptions; running tasks keep running and the
  // next activation finds them again.
}
