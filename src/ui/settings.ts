// The backgroundTasks.* settings: read them once at start and apply every change without a reload.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

export type NotificationLevel = 'all' | 'failuresOnly' | 'none';

export interface Settings {
  maxConcurrentTasks: number;
  /** Empty: the engine's default (/bin/sh). */
  shell: string;
  cancelGraceMs: number;
  historySize: number;
  notificationLevel: NotificationLevel;
  /** Absolute; the first workspace folder (or the home folder) when the setting is empty. */
  defaultCwd: string;
}

/** What settings are applied to: the engine's setters. */
export interface SettingsTarget {
  setMaxConcurrentTasks(n: number): void;
  setCancelGraceMs(ms: number): void;
  setHistoryLimit(n: number): void;
  setShell(path: string): void;
  setDefaultCwd(path: string): void;
}

export const SECTION = 'backgroundTasks';

function clamp(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  return Math.min(max, Math.max(min, n));
}

function workspaceRoot(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const level = config.get<string>('notificationLevel');
  const folder = (config.get<string>('defaultWorkingFolder') ?? '').trim();
  const root = workspaceRoot();
  return {
    maxConcurrentTasks: Math.round(clamp(config.get('maxConcurrentTasks'), 1, 1000, 10)),
    shell: (config.get<string>('shell') ?? '').trim(),
    cancelGraceMs: Math.round(clamp(config.get('cancelGracePeriod'), 0, 600, 3) * 1000),
    historySize: Math.round(clamp(config.get('historySize'), 0, 100_000, 500)),
    notificationLevel: level === 'failuresOnly' || level === 'none' ? level : 'all',
    defaultCwd: folder ? path.resolve(root, folder.replace(/^~(?=$|\/)/, os.homedir())) : root,
  };
}

export function applySettings(target: SettingsTarget, settings: Settings): void {
  target.setMaxConcurrentTasks(settings.maxConcurrentTasks);
  target.setCancelGraceMs(settings.cancelGraceMs);
  target.setHistoryLimit(settings.historySize);
  if (settings.shell) target.setShell(settings.shell);
  else target.setShell('/bin/sh');
  target.setDefaultCwd(settings.defaultCwd);
}

/** Keeps `current` up to date and the target in step with the settings. */
export class SettingsWatcher implements vscode.Disposable {
  current: Settings = readSettings();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly target: SettingsTarget) {
    applySettings(target, this.current);
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) this.reload();
    });
  }

  reload(): void {
    this.current = readSettings();
    applySettings(this.target, this.current);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
