// A person's paths through the real UI (Chromium, keyboard and mouse): run from the palette,
// the toast and the output; a failure's error toast and Rerun; the tree's groups and inline
// cancel; Show Tasks filtering; statistics; a window reload with a task running.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { openVsCode, screenshotIfFailed, READY_MS, STEP_MS, type E2eSession } from './fixture';

describe('a person using Background Tasks', () => {
  let vscode: E2eSession;
  const toast = (text: string | RegExp): Locator => vscode.page.locator('.notification-toast', { hasText: text });
  const tree = (): Locator => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header', { hasText: /tasks/i }) }).locator('.monaco-list');
  const row = (text: string | RegExp): Locator => tree().locator('.monaco-list-row', { hasText: text });


  async function clearToasts(): Promise<void> {
    await vscode.runCommand('Notifications: Clear All Notifications');
    await vscode.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: STEP_MS });
  }

  /** Through the palette's "View: Show Background Tasks", which opens the view and never toggles it closed. */
  async function openTree(): Promise<void> {
    await vscode.openView();
    await tree().waitFor({ timeout: STEP_MS });
  }

  before(async () => {
    vscode = await openVsCode({ files: { 'build.sh': 'echo building the project\nsleep 1\necho build ok\n' } });
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, vscode);
  });
  after(async () => {
    await vscode?.close();
  });

  it('runs a command from the palette, then the toast opens its output', async () => {
    await vscode.runInBackground('echo hello from e2e');
    const done = toast(/Task completed: echo hello from e2e/);
    await done.waitFor({ timeout: STEP_MS });
    await vscode.screenshot('toast-completed');
    await done.locator('.monaco-button', { hasText: 'Show Output' }).click();
    const output = vscode.page.locator('.panel .monaco-editor .view-lines');
    await output.filter({ hasText: 'hello from e2e' }).waitFor({ timeout: STEP_MS });
    await vscode.screenshot('output-channel');
    await clearToasts();
  });

  it('shows a failure as an error toast whose Rerun runs it again', async () => {
    await vscode.runInBackground('echo about to fail; exit 3');
    const failed = toast(/Task failed: echo about to fail; exit 3/);
    await failed.waitFor({ timeout: STEP_MS });
    assert.equal(await failed.locator('.codicon-error').count(), 1, 'an error icon');
    await vscode.screenshot('toast-failed');
    const firstId = /\[([0-9a-z]+)\] ✗/.exec((await failed.first().textContent()) ?? '')?.[1];
    assert.ok(firstId, 'the toast names the task');
    await failed.locator('.monaco-button', { hasText: 'Rerun' }).click();
    // The rerun is a new task (a new id) and fails again: a second error toast.
    await vscode.page
      .locator('.notification-toast', { hasText: /Task failed: echo about to fail; exit 3/ })
      .filter({ hasNotText: `[${firstId}]` })
      .waitFor({ timeout: STEP_MS });
    await clearToasts();
  });

  it('groups tasks in the tree and cancels a running one with its inline button', async () => {
    await openTree();
    await vscode.runInBackground('sleep 300');
    const running = row('sleep 300');
    await running.waitFor({ timeout: STEP_MS });
    await tree().locator('.monaco-list-row', { hasText: /^Running/ }).first().waitFor({ timeout: STEP_MS });
    assert.ok(await tree().locator('.monaco-list-row', { hasText: 'Completed' }).count(), 'a Completed group');
    assert.ok(await tree().locator('.monaco-list-row', { hasText: 'Failed' }).count(), 'a Failed group');
    assert.equal(await running.locator('.codicon-loading').count(), 1, 'a spinning icon');
    await vscode.screenshot('tree');
    await running.hover();
    await running.locator('.action-label[aria-label="Cancel Task"]').click();
    await tree().locator('.monaco-list-row', { hasText: /^Cancelled/ }).waitFor({ timeout: STEP_MS });
    await vscode.screenshot('tree-cancelled');
  });

  it('filters Show Tasks by status with its buttons', async () => {
    await vscode.runCommand('Background Tasks: Show Tasks...');
    const widget = vscode.page.locator('.quick-input-widget');
    await widget.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: STEP_MS });
    await widget.locator('.action-label[aria-label="Show failed"]').click();
    await widget.locator('.quick-input-title', { hasText: '(failed)' }).waitFor({ timeout: STEP_MS });
    // The list is drawn again after the title changes: wait until it shows failed tasks only.
    const rows = widget.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'FAILED' }).first().waitFor({ timeout: STEP_MS });
    await rows.filter({ hasNotText: 'FAILED' }).first().waitFor({ state: 'detached', timeout: STEP_MS });
    const texts = await rows.allTextContents();
    assert.ok(texts.length >= 1 && texts.every((r) => r.includes('FAILED')), texts.join('\n'));
    await vscode.screenshot('show-tasks-failed');
    await vscode.page.keyboard.press('Escape');
  });

  it('shows statistics in a read-only document', async () => {
    await vscode.runCommand('Background Tasks: Show Statistics');
    await vscode.page.locator('.tab', { hasText: 'Statistics.md' }).waitFor({ timeout: STEP_MS });
    await vscode.page.locator('.editor-instance .view-lines', { hasText: 'Background Tasks: statistics' }).waitFor({ timeout: STEP_MS });
    await vscode.screenshot('statistics');
  });

  it('keeps a running task through a window reload, and announces its end', async () => {
    await clearToasts();
    await vscode.runInBackground('sleep 8; echo survived the reload');
    await openTree();
    await row('sleep 8; echo survived the reload').waitFor({ timeout: STEP_MS });
    await vscode.reload();
    await openTree();
    const again = row('sleep 8; echo survived the reload');
    await again.waitFor({ timeout: STEP_MS });
    await toast(/Task completed: sleep 8; echo survived the reload/).waitFor({ timeout: READY_MS });
    await vscode.screenshot('after-reload');
    // Clicking a task opens its output; with the toast still up this is the README's overview.
    await again.click();
    await vscode.page.locator('.panel .monaco-editor .view-lines', { hasText: 'survived the reload' }).waitFor({ timeout: STEP_MS });
    await vscode.screenshot('overview');
  });
});
