// The backgroundTasks.* settings: read them once at start and apply every change without a reload.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readLanes, readTimeoutSeconds, readTreeGroupBy, type TreeGroupBy } from './settingsValues';

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
  /** Timeout of a task that gives none, in seconds; 0 = none. */
  defaultTimeoutSeconds: number;
  /** Lane name → how many of its tasks may run at once. */
  lanes: Record<string, number>;
  treeGroupBy: TreeGroupBy;
  /** CPU niceness of tasks, 0 (normal) to 19 (lowest). */
  niceness: number;
  /** What was wrong with the values just read, and what is used instead. */
  warnings: string[];
}

/** What settings are applied to: the engine's setters. */
export interface SettingsTarget {
  setMaxConcurrentTasks(n: number): void;
  setCancelGraceMs(ms: number): void;
  setHistoryLimit(n: number): void;
  setShell(path: string): void;
  setDefaultCwd(path: string): void;
  setDefaultTimeoutSeconds(seconds: number): void;
  setLanes(limits: Record<string, number>): void;
  setNiceness(niceness: number): void;
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
  const timeout = readTimeoutSeconds(config.get('defaultTimeoutSeconds'));
  const lanes = readLanes(config.get('lanes'));
  const groupBy = readTreeGroupBy(config.get('treeGroupBy'));
  return {
    maxConcurrentTasks: Math.round(clamp(config.get('maxConcurrentTasks'), 1, 1000, 10)),
    shell: (config.get<string>('shell') ?? '').trim(),
    cancelGraceMs: Math.round(clamp(config.get('cancelGracePeriod'), 0, 600, 3) * 1000),
    historySize: Math.round(clamp(config.get('historySize'), 0, 100_000, 500)),
    notificationLevel: level === 'failuresOnly' || level === 'none' ? level : 'all',
    defaultCwd: folder ? path.resolve(root, folder.replace(/^~(?=$|\/)/, os.homedir())) : root,
    defaultTimeoutSeconds: timeout.value,
    lanes: lanes.value,
    treeGroupBy: groupBy.value,
    niceness: Math.round(clamp(config.get('niceness'), 0, 19, 0)),
    warnings: [timeout.warning, lanes.warning, groupBy.warning].filter((w): w is string => w !== undefined),
  };
}

export function applySettings(target: SettingsTarget, settings: Settings): void {
  target.setMaxConcurrentTasks(settings.maxConcurrentTasks);
  target.setCancelGraceMs(settings.cancelGraceMs);
  target.setHistoryLimit(settings.historySize);
  if (settings.shell) target.setShell(settings.shell);
  else target.setShell('/bin/sh');
  target.setDefaultCwd(settings.defaultCwd);
  target.setDefaultTimeoutSeconds(settings.defaultTimeoutSeconds);
  target.setLanes(settings.lanes);
  target.setNiceness(settings.niceness);
}

/**
 * Keeps `current` up to date and the target in step with the settings. A bad value is announced
 * once (through `warn`), not again on every unrelated change, and its fallback applies.
 */
export class SettingsWatcher implements vscode.Disposable {
  current: Settings = readSettings();
  private readonly subscription: vscode.Disposable;
  private readonly changed = new vscode.EventEmitter<Settings>();
  /** Fires after every reload, once the target has the new values. */
  readonly onDidChange = this.changed.event;
  private announced = new Set<string>();

  constructor(
    private readonly target: SettingsTarget,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    applySettings(target, this.current);
    this.announce();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) this.reload();
    });
  }

  reload(): void {
    this.current = readSettings();
    applySettings(this.target, this.current);
    this.announce();
    this.changed.fire(this.current);
  }

  private announce(): void {
    for (const warning of this.current.warnings) if (!this.announced.has(warning)) this.warn(warning);
    this.announced = new Set(this.current.warnings);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
