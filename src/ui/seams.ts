// The two places where the extension talks to a person: notifications and prompts. Both go
// through small interfaces so the integration tests can record what was shown and answer
// prompts, while the real UI (and the e2e tests) use the VS Code implementations below.
import * as vscode from 'vscode';

export type Severity = 'information' | 'warning' | 'error';

export interface NotificationSink {
  /** A toast; resolves to the chosen button, or undefined when dismissed. */
  show(severity: Severity, message: string, buttons: readonly string[]): Thenable<string | undefined>;
  /** A quiet message in the status bar, for low-priority tasks. */
  statusMessage(text: string, timeoutMs: number): void;
}

export const vscodeNotifications: NotificationSink = {
  show(severity, message, buttons) {
    switch (severity) {
      case 'error':
        return vscode.window.showErrorMessage(message, ...buttons);
      case 'warning':
        return vscode.window.showWarningMessage(message, ...buttons);
      default:
        return vscode.window.showInformationMessage(message, ...buttons);
    }
  },
  statusMessage(text, timeoutMs) {
    vscode.window.setStatusBarMessage(text, timeoutMs);
  },
};

export interface PickOptions {
  title: string;
  placeHolder?: string;
}

export interface InputOptions {
  title: string;
  prompt: string;
  value?: string;
  placeHolder?: string;
  validate?: (value: string) => string | undefined;
}

/** A filterable list with toggle buttons (Show Tasks...). */
export interface FilteredPick<F extends string> {
  title: string;
  filters: readonly { id: F; label: string; icon: string }[];
  initial: F;
  items(filter: F): vscode.QuickPickItem[];
}

export interface SaveOptions {
  title: string;
  defaultUri?: vscode.Uri;
  /** e.g. `{ CSV: ['csv'] }`. */
  filters: Record<string, string[]>;
}

export interface Prompts {
  /** Type a new command or choose a recent one. */
  command(title: string, recent: readonly string[]): Thenable<string | undefined>;
  input(options: InputOptions): Thenable<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: PickOptions): Thenable<T | undefined>;
  filtered<F extends string>(pick: FilteredPick<F>): Thenable<vscode.QuickPickItem | undefined>;
  /** A modal yes/no; resolves true for yes. */
  confirm(message: string, yes: string): Thenable<boolean>;
  /** Where to save a file; undefined when dismissed. */
  save(options: SaveOptions): Thenable<vscode.Uri | undefined>;
}

export const vscodePrompts: Prompts = {
  command: pickCommand,
  input(options) {
    return vscode.window.showInputBox({
      title: options.title,
      prompt: options.prompt,
      value: options.value,
      placeHolder: options.placeHolder,
      ignoreFocusOut: true,
      validateInput: options.validate,
    });
  },
  pick(items, options) {
    return vscode.window.showQuickPick(items, { ...options, matchOnDescription: true, matchOnDetail: true });
  },
  filtered: pickFiltered,
  async confirm(message, yes) {
    return (await vscode.window.showWarningMessage(message, { modal: true }, yes)) === yes;
  },
  save(options) {
    return vscode.window.showSaveDialog({ title: options.title, defaultUri: options.defaultUri, filters: options.filters });
  },
};

function pickCommand(title: string, recent: readonly string[]): Promise<string | undefined> {
  const quickPick = vscode.window.createQuickPick();
  quickPick.title = title;
  quickPick.placeholder = 'Type a shell command, or choose a recent one';
  quickPick.ignoreFocusOut = true;
  const recentItems: vscode.QuickPickItem[] = recent.map((command) => ({ label: command, description: 'recent' }));
  quickPick.items = recentItems;
  return new Promise((resolve) => {
    quickPick.onDidChangeValue((value) => {
      const typed = value.trim();
      // What was typed comes first, so Enter runs it; matching recents stay below.
      quickPick.items =
        typed && !recent.includes(typed) ? [{ label: typed, description: 'run this command' }, ...recentItems] : recentItems;
    });
    quickPick.onDidAccept(() => {
      const chosen = quickPick.selectedItems[0]?.label ?? quickPick.value.trim();
      resolve(chosen || undefined);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

function pickFiltered<F extends string>(pick: FilteredPick<F>): Promise<vscode.QuickPickItem | undefined> {
  const quickPick = vscode.window.createQuickPick();
  let filter = pick.initial;
  const buttons = pick.filters.map((f) => ({ id: f.id, iconPath: new vscode.ThemeIcon(f.icon), tooltip: `Show ${f.label}` }));
  const update = () => {
    const label = pick.filters.find((f) => f.id === filter)?.label ?? filter;
    quickPick.title = `${pick.title} (${label})`;
    quickPick.items = pick.items(filter);
  };
  quickPick.buttons = buttons;
  quickPick.matchOnDescription = true;
  quickPick.placeholder = 'Choose a task to see its actions; the buttons filter by status';
  update();
  return new Promise((resolve) => {
    quickPick.onDidTriggerButton((button) => {
      const chosen = buttons.find((b) => b === button);
      if (chosen) {
        filter = chosen.id;
        update();
      }
    });
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}
