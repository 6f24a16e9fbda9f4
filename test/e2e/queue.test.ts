// Queue control as a person uses it: Pause Queue from the view's title bar, tasks waiting in
// the Pending group with the status bar saying why, a drag of one pending task onto another
// that reorders the queue, a window reload that keeps the queue paused and in that order, and
// Resume Queue that lets them run.
import * as assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { openVsCode, screenshotIfFailed, STEP_MS, type E2eSession } from './fixture';

describe('reordering the queue in the tree', () => {
  let vscode: E2eSession;
  const tree = (): Locator => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header', { hasText: /tasks/i }) }).locator('.monaco-list');
  const row = (text: string | RegExp): Locator => tree().locator('.monaco-list-row', { hasText: text });
  const titleAction = (label: string): Locator => vscode.page.locator(`.part.sidebar .title-actions .action-label[aria-label^="${label}"]`);
  const statusBar = (): Locator => vscode.page.locator('.statusbar-item', { hasText: 'Queue paused' });
  const COMMANDS = ['echo first-in-queue', 'echo second-in-queue', 'echo third-in-queue'];

  /** The rows under Pending, top to bottom, as the commands they show (read in one pass in the page). */
  async function waitForPendingOrder(expected: string[]): Promise<void> {
    await vscode.page.waitForFunction(
      (want) => {
        const rows = Array.from(document.querySelectorAll('.part.sidebar .monaco-list-row')).sort(
          (a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top,
        );
        const shown = rows.map((r) => r.textContent ?? '').map((t) => want.find((w) => t.includes(w))).filter((t) => t !== undefined);
        return JSON.stringify(shown) === JSON.stringify(want);
      },
      expected,
      { timeout: STEP_MS },
    );
  }

  /** Drags the side bar's edge to the right, so the picture shows the tasks' descriptions whole. */
  async function widenSideBar(): Promise<void> {
    const box = await vscode.page.locator('.part.sidebar').boundingBox();
    if (!box) return;
    const edge = { x: box.x + box.width + 1, y: box.y + box.height / 2 };
    await vscode.page.mouse.move(edge.x, edge.y);
    await vscode.page.mouse.down();
    await vscode.page.mouse.move(edge.x + 260, edge.y, { steps: 5 });
    await vscode.page.mouse.up();
  }

  before(async () => {
    vscode = await openVsCode();
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, vscode);
  });
  after(async () => {
    await vscode?.close();
  });

  it('pauses the queue from the title bar, drags a pending task onto another, keeps both through a reload, and runs them', async () => {
    await vscode.openView();
    await widenSideBar();
    await vscode.runInBackground('echo warm-up');
    await row('echo warm-up').waitFor({ timeout: STEP_MS });
    // The title bar's pause button (a person's way); it turns into Resume Queue.
    await titleAction('Pause Queue').click();
    await titleAction('Resume Queue').waitFor({ timeout: STEP_MS });
    for (const command of COMMANDS) await vscode.runInBackground(command);
    await tree().locator('.monaco-list-row', { hasText: /^Pending/ }).first().waitFor({ timeout: STEP_MS });
    await waitForPendingOrder(COMMANDS);
    await statusBar().filter({ hasText: '3 queued' }).waitFor({ timeout: STEP_MS });

    // The third onto the first: it goes before it.
    await row(COMMANDS[2]).dragTo(row(COMMANDS[0]));
    const reordered = [COMMANDS[2], COMMANDS[0], COMMANDS[1]];
    await waitForPendingOrder(reordered);
    // The README's picture: the tree and the status bar, without the warm-up's toast.
    await vscode.runCommand('Notifications: Clear All Notifications');
    await vscode.page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: STEP_MS });
    await vscode.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_MS });
    await vscode.screenshot('tree-queue-reordered');

    // A window reload keeps all of it: the queue still paused, the tasks waiting in the new order.
    await vscode.reload();
    await vscode.openView();
    await titleAction('Resume Queue').waitFor({ timeout: STEP_MS });
    await statusBar().filter({ hasText: '3 queued' }).waitFor({ timeout: STEP_MS });
    await waitForPendingOrder(reordered);

    // Resume: the button turns back, and all of them run and finish.
    await titleAction('Resume Queue').click();
    await titleAction('Pause Queue').waitFor({ timeout: STEP_MS });
    await tree().locator('.monaco-list-row', { hasText: /^Pending/ }).waitFor({ state: 'detached', timeout: STEP_MS });
    await statusBar().waitFor({ state: 'detached', timeout: STEP_MS });
    assert.equal(await tree().locator('.monaco-list-row', { hasText: /^Pending/ }).count(), 0);
  });
});
