// Shared by the integration suites: the activated API, the ui behind it, a notification
// recorder and scripted prompts in place of the real ones, and waiting without sleeping.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BackgroundTasksApi, TaskSnapshot } from '../../src/api';
import type { TestingHooks } from '../../src/extension';
import type { FilteredPick, InputOptions, NotificationSink, PickOptions, Prompts, SaveOptions, Severity } from '../../src/ui/seams';

export interface Shown {
  severity: Severity;
  text: string;
  buttons: readonly string[];
}

/** Records every notification and answers with `choose` (default: dismiss). */
export class NotificationRecorder implements NotificationSink {
  readonly shown: Shown[] = [];
  readonly statusMessages: string[] = [];
  choose: (notice: Shown) => string | undefined = () => undefined;

  show(severity: Severity, text: string, buttons: readonly string[]): Thenable<string | undefined> {
    const notice = { severity, text, buttons: [...buttons] };
    this.shown.push(notice);
    return Promise.resolve(this.choose(notice));
  }

  statusMessage(text: string): void {
    this.statusMessages.push(text);
  }

  about(id: string): Shown[] {
    return this.shown.filter((n) => n.text.includes(`[${id}]`));
  }
}

export interface PromptCall {
  kind: 'command' | 'input' | 'pick' | 'filtered' | 'confirm' | 'save';
  title: string;
  items?: string[];
}

/** Answers prompts from a queue, in order; each answer is a value or a function of the items. */
export class ScriptedPrompts implements Prompts {
  readonly calls: PromptCall[] = [];
  private readonly answers: unknown[] = [];

  /** Queues answers: a string for command/input, a label (or predicate) for picks, a boolean for confirm. */
  answer(...answers: unknown[]): this {
    this.answers.push(...answers);
    return this;
  }

  get pending(): number {
    return this.answers.length;
  }

  private next(call: PromptCall): unknown {
    this.calls.push(call);
    if (this.answers.length === 0) return undefined;
    return this.answers.shift();
  }

  command(title: string, recent: readonly string[]): Thenable<string | undefined> {
    return Promise.resolve(this.next({ kind: 'command', title, items: [...recent] }) as string | undefined);
  }

  input(options: InputOptions): Thenable<string | undefined> {
    const answer = this.next({ kind: 'input', title: options.title });
    const value = answer === '' || answer === undefined ? (answer === '' ? options.value : undefined) : String(answer);
    return Promise.resolve(value);
  }

  pick<T extends vscode.QuickPickItem>(items: readonly T[], options: PickOptions): Thenable<T | undefined> {
    const answer = this.next({ kind: 'pick', title: options.title, items: items.map((i) => i.label) });
    return Promise.resolve(choose(items, answer));
  }

  filtered<F extends string>(pick: FilteredPick<F>): Thenable<vscode.QuickPickItem | undefined> {
    // The answer is [filter, label-or-predicate]: press that filter button, then choose.
    const answer = this.next({ kind: 'filtered', title: pick.title }) as [F, unknown] | undefined;
    if (!answer) return Promise.resolve(undefined);
    const items = pick.items(answer[0]);
    this.calls[this.calls.length - 1].items = items.map((i) => i.label);
    return Promise.resolve(choose(items, answer[1]));
  }

  confirm(message: string): Thenable<boolean> {
    return Promise.resolve(this.next({ kind: 'confirm', title: message }) === true);
  }

  /** The answer is a vscode.Uri (or undefined: dismissed). */
  save(options: SaveOptions): Thenable<vscode.Uri | undefined> {
    const answer = this.next({ kind: 'save', title: options.title, items: [options.defaultUri?.fsPath ?? '', ...Object.keys(options.filters)] });
    return Promise.resolve(answer instanceof vscode.Uri ? answer : undefined);
  }
}

function choose<T extends vscode.QuickPickItem>(items: readonly T[], answer: unknown): T | undefined {
  if (typeof answer === 'function') return items.find((item) => (answer as (i: T) => boolean)(item));
  if (typeof answer === 'string') return items.find((item) => item.label === answer || item.label.includes(answer));
  return undefined;
}

export interface Harness {
  api: BackgroundTasksApi;
  hooks: TestingHooks;
  notifications: NotificationRecorder;
  prompts: ScriptedPrompts;
}

/** Activates the extension and puts fresh recorders in place of the real notifications and prompts. */
export async function harness(): Promise<Harness> {
  const extension = vscode.extensions.getExtension<BackgroundTasksApi>('isaac.background-tasks');
  assert.ok(extension, 'isaac.background-tasks is not loaded');
  const api = await extension.activate();
  const hooks = (api as unknown as { __testing: TestingHooks }).__testing;
  assert.ok(hooks, 'the API has no __testing hooks');
  const notifications = new NotificationRecorder();
  const prompts = new ScriptedPrompts();
  hooks.ui.seams.notifications = notifications;
  hooks.ui.seams.prompts = prompts;
  hooks.ui.channels.record = true;
  hooks.ui.trust.setOverride(undefined);
  return { api, hooks, notifications, prompts };
}

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until no finished task waits to be announced, so one test's notices do not leak into the next. */
export async function notificationsSettled(h: Harness): Promise<void> {
  await waitFor(() => h.hooks.notifier.gathering === 0, 'the notifier to settle');
  await h.hooks.notifier.idle;
}

export async function finished(api: BackgroundTasksApi, id: string | undefined): Promise<TaskSnapshot> {
  assert.ok(id, 'no task id');
  return api.waitForTask(id);
}

/** Runs a command through the Run command with a string argument and returns its id. */
export async function runCommand(command: string): Promise<string> {
  const id = await vscode.commands.executeCommand<string | undefined>('backgroundTasks.run', command);
  assert.equal(typeof id, 'string', `backgroundTasks.run returned ${String(id)}`);
  return id as string;
}
