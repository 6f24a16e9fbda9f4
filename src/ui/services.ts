// What the commands share: the engine and the ui pieces, built once in activate().
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import type { TaskChannels } from './outputChannels';
import type { RecentCommands } from './recentCommands';
import type { NotificationSink, Prompts } from './seams';
import type { SettingsWatcher } from './settings';
import type { TaskDocuments } from './documents';
import type { TaskTreeProvider } from './tree';
import { UNTRUSTED_MESSAGE, type Trust } from './trust';

export interface UiServices {
  engine: TaskEngine;
  trust: Trust;
  /** Replaced by the integration tests to record notifications and answer prompts. */
  seams: { notifications: NotificationSink; prompts: Prompts };
  channels: TaskChannels;
  documents: TaskDocuments;
  recent: RecentCommands;
  settings: SettingsWatcher;
  tree: TaskTreeProvider;
}

const MANAGE_TRUST = 'Manage Workspace Trust';

/** True when commands may run; otherwise says why (with a way to change it) and returns false. */
export function checkTrusted(ui: UiServices): boolean {
  if (ui.trust.isTrusted()) return true;
  void Promise.resolve(ui.seams.notifications.show('error', UNTRUSTED_MESSAGE, [MANAGE_TRUST])).then((choice) =>
    choice === MANAGE_TRUST ? vscode.commands.executeCommand('workbench.trust.manage') : undefined,
  );
  return false;
}

/** Shows an error a person can act on; the engine's messages already say what was wrong with what. */
export function showError(ui: UiServices, error: unknown, doing: string): void {
  const message = error instanceof Error ? error.message : String(error);
  void ui.seams.notifications.show('error', `Background Tasks: could not ${doing}: ${message}`, []);
}

export function showInfo(ui: UiServices, message: string): void {
  void ui.seams.notifications.show('information', message, []);
}
