// The object activate() returns: the engine behind the BackgroundTasksApi promise, with
// workspace trust enforced and VS Code events. The extension's own tests reach the ui through a
// hidden property that exists only in VS Code's test mode.
import * as vscode from 'vscode';
import type { BackgroundTasksApi } from '../api';
import type { TaskEngine } from '../core/engine';
import type { TaskSnapshot } from '../core/types';
import { UntrustedWorkspaceError, type Trust } from './trust';

/** Wraps an engine event as a vscode.Event. */
function vscodeEvent(subscribe: (listener: (task: TaskSnapshot) => void) => { dispose(): void }): vscode.Event<TaskSnapshot> {
  return (listener, thisArgs?, disposables?) => {
    const subscription = subscribe((task) => listener.call(thisArgs, task));
    const disposable = new vscode.Disposable(() => subscription.dispose());
    disposables?.push(disposable);
    return disposable;
  };
}

export function createApi(engine: TaskEngine, trust: Trust, testing: unknown): BackgroundTasksApi {
  const api: BackgroundTasksApi = {
    spawnTask(options) {
      if (!trust.isTrusted()) throw new UntrustedWorkspaceError();
      return engine.spawnTask(options);
    },
    getTask: (id) => engine.getTask(id),
    getAllTasks: (filter) => engine.getAllTasks(filter),
    cancelTask: (id) => engine.cancelTask(id, 'cancelled through the API').ok,
    clearFinished: () => engine.clearFinished(),
    getStatistics: () => engine.getStatistics(),
    reportProgress(id, percent, message) {
      engine.reportProgress(id, percent, message);
    },
    waitForTask: (id) => engine.waitForTask(id),
    pauseQueue: () => engine.pauseQueue(),
    resumeQueue() {
      if (!trust.isTrusted()) throw new UntrustedWorkspaceError();
      engine.resumeQueue();
    },
    isQueuePaused: () => engine.isQueuePaused(),
    pauseTask: (id) => engine.pauseTask(id),
    resumeTask(id) {
      if (!trust.isTrusted()) throw new UntrustedWorkspaceError();
      return engine.resumeTask(id);
    },
    runNext(id) {
      if (!trust.isTrusted()) throw new UntrustedWorkspaceError();
      return engine.runNext(id);
    },
    getQueue: () => engine.getQueue(),
    exportHistory: (format) => engine.exportHistory(format),
    onDidChangeTask: vscodeEvent((listener) => engine.onDidChangeTask(listener)),
    onDidFinishTask: vscodeEvent((listener) => engine.onDidFinishTask(listener)),
  };
  // Only when the extension runs its own tests; invisible to Object.keys and to the shipped types.
  if (testing) Object.defineProperty(api, '__testing', { value: testing, enumerable: false });
  return api;
}
