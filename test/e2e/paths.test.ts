// A person's paths through the real UI (Chromium, keyboard and mouse): run from the palette,
// the toast and the output; a failure's error toast and Rerun; the tree's groups and inline
// cancel; Show Tasks filtering; statistics; a window reload with a task running.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { openVsCode, type E2eSession } from './fixture';

describe('a person using Background Tasks', () => {
  let vscode: E2eSession;
  const toast = (text: string | RegExp): Locator => vscode.page.locator('.notification-toast', { hasText: text });
  const tree = (): Locator => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header', { hasText: /tasks/i }) }).locator('.monaco-list');
  const row = (text: string | RegExp): Locator => tree().locator('.monaco-list-row', { hasText: text });

  /** Runs "Run in Background" from the palette and types the command into its quick pick. */
  async function runInBackground(command: string): Promise<void> {
    await vscode.runCommand('Background Tasks: Run in Background');
    const input = vscode.page.locator('.quick-input-widget input');
    await vscode.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Run in Background' }).waitFor({ timeout: 15_000 });
    await input.fill(command);
    await vscode.page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: 15_000 });
    await vscode.page.keyboard.press('Enter');
  }

  async function clearToasts(): Promise<void> {
    await vscode.runCommand('Notifications: Clear All Notifications');
    await vscode.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  async function openTree(): Promise<void> {
    if (await tree().isVisible().catch(() => false)) return;
    await vscode.page.locator('.activitybar .action-item a[aria-label^="Background Tasks"]').first().click({ force: true });
    await tree().waitFor({ timeout: 15_000 });
  }

  before(async () => {
    vscode = await openVsCode({ files: { 'build.sh': 'echo building the project\nsleep 1\necho build ok\n' } });
  });
  after(async () => {
    await vscode?.close();
  });

  it('runs a command from the palette, then the toast opens its output', async () => {
    await runInBackground('echo hello from e2e');
    const done = toast(/Task completed: echo hello from e2e/);
    await done.waitFor({ timeout: 30_000 });
    await vscode.screenshot('toast-completed');
    await done.locator('.monaco-button', { hasText: 'Show Output' }).click();
    const output = vscode.page.locator('.panel .monaco-editor .view-lines');
    await output.filter({ hasText: 'hello from e2e' }).waitFor({ timeout: 15_000 });
    await vscode.screenshot('output-channel');
    await clearToasts();
  });

  it('shows a failure as an error toast whose Rerun runs it again', async () => {
    await runInBackground('echo about to fail; exit 3');
    const failed = toast(/Task failed: echo about to fail; exit 3/);
    await failed.waitFor({ timeout: 30_000 });
    assert.equal(await failed.locator('.codicon-error').count(), 1, 'an error icon');
    await vscode.screenshot('toast-failed');
    const firstId = /\[([0-9a-z]+)\] ✗/.exec((await failed.first().textContent()) ?? '')?.[1];
    assert.ok(firstId, 'the toast names the task');
    await failed.locator('.monaco-button', { hasText: 'Rerun' }).click();
    // The rerun is a new task (a new id) and fails again: a second error toast.
    await vscode.page
      .locator('.notification-toast', { hasText: /Task failed: echo about to fail; exit 3/ })
      .filter({ hasNotText: `[${firstId}]` })
      .waitFor({ timeout: 30_000 });
    await clearToasts();
  });

  it('groups tasks in the tree and cancels a running one with its inline button', async () => {
    await openTree();
    await runInBackground('sleep 300');
    const running = row('sleep 300');
    await running.waitFor({ timeout: 15_000 });
    await tree().locator('.monaco-list-row', { hasText: /^Running/ }).first().waitFor({ timeout: 15_000 });
    assert.ok(await tree().locator('.monaco-list-row', { hasText: 'Completed' }).count(), 'a Completed group');
    assert.ok(await tree().locator('.monaco-list-row', { hasText: 'Failed' }).count(), 'a Failed group');
    assert.equal(await running.locator('.codicon-loading').count(), 1, 'a spinning icon');
    await vscode.screenshot('tree');
    await running.hover();
    await running.locator('.action-label[aria-label="Cancel Task"]').click();
    await tree().locator('.monaco-list-row', { hasText: /^Cancelled/ }).waitFor({ timeout: 15_000 });
    await vscode.screenshot('tree-cancelled');
  });

  it('filters Show Tasks by status with its buttons', async () => {
    await vscode.runCommand('Background Tasks: Show Tasks...');
    const widget = vscode.page.locator('.quick-input-widget');
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 15_000 });
    await widget.locator('.action-label[aria-label="Show failed"]').click();
    await widget.locator('.quick-input-title', { hasText: '(failed)' }).waitFor({ timeout: 10_000 });
    const rows = await widget.locator('.quick-input-list .monaco-list-row').allTextContents();
    assert.ok(rows.length >= 1, 'failed tasks listed');
    assert.ok(rows.every((r) => r.includes('FAILED')), rows.join('\n'));
    await vscode.screenshot('show-tasks-failed');
    await vscode.page.keyboard.press('Escape');
  });

  it('shows statistics in a read-only document', async () => {
    await vscode.runCommand('Background Tasks: Show Statistics');
    await vscode.page.locator('.tab', { hasText: 'Statistics.md' }).waitFor({ timeout: 15_000 });
    await vscode.page.locator('.editor-instance .view-lines', { hasText: 'Background Tasks: statistics' }).waitFor({ timeout: 15_000 });
    await vscode.screenshot('statistics');
  });

  it('keeps a running task through a window reload, and announces its end', async () => {
    await clearToasts();
    await runInBackground('sleep 8; echo survived the reload');
    await openTree();
    await row('sleep 8; echo survived the reload').waitFor({ timeout: 15_000 });
    await vscode.reload();
    await openTree();
    const again = row('sleep 8; echo survived the reload');
    await again.waitFor({ timeout: 30_000 });
    await toast(/Task completed: sleep 8; echo survived the reload/).waitFor({ timeout: 60_000 });
    await vscode.screenshot('after-reload');
    // Clicking a task opens its output; with the toast still up this is the README's overview.
    await again.click();
    await vscode.page.locator('.panel .monaco-editor .view-lines', { hasText: 'survived the reload' }).waitFor({ timeout: 15_000 });
    await vscode.screenshot('overview');
  });
});
