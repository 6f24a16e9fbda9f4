// A full restart, not a reload: the whole VS Code server (extension host included) is stopped
// while two tasks run, one ends while VS Code is down, and VS Code is started again on the same
// profile and workspace. The README promises that both are found again, each with its real
// result, announced once, and that nothing runs twice.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator } from 'playwright-core';
import { openVsCode, screenshotIfFailed, READY_MS, STEP_MS, type E2eSession } from './fixture';

/** Polls a condition outside the page (a file the tasks write); fails with `what` after `timeoutMs`. */
async function until(check: () => boolean, what: string, timeoutMs = READY_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const lines = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('a person whose VS Code restarts while tasks run', () => {
  let vscode: E2eSession;
  const tree = (): Locator => vscode.page.locator('.pane', { has: vscode.page.locator('.pane-header', { hasText: /tasks/i }) }).locator('.monaco-list');
  const row = (text: string | RegExp): Locator => tree().locator('.monaco-list-row', { hasText: text });
  const toast = (text: string | RegExp): Locator => vscode.page.locator('.notification-toast', { hasText: text });

  // Each task appends to a file when it starts and when it ends: a second run would show as a second line.
  // The long one runs until the test creates `release`, so it is surely still running when VS Code is back,
  // however slow the machine is to start it again.
  const LONG = 'echo long started >> long.runs; until [ -f release ]; do sleep 0.2; done; echo long output; echo ended >> long.runs';
  // The short one ends only once the test lets it, after the whole server (extension host
  // included) is gone: with a fixed sleep, an extension host slow to shut down on a loaded
  // machine could see it end, announce it to a window that was no longer there, and record it.
  const SHORT = 'echo short started >> short.runs; until [ -f release-short ]; do sleep 0.2; done; echo short output; echo ended >> short.runs; exit 3';


  before(async () => {
    vscode = await openVsCode();
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, vscode);
  });
  after(async () => {
    await vscode?.close();
  });

  it('finds both tasks again after the server was stopped, each with its real result, announced once', async () => {
    const longRuns = path.join(vscode.workspace, 'long.runs');
    const shortRuns = path.join(vscode.workspace, 'short.runs');
    await vscode.openView();
    await vscode.runInBackground(LONG);
    await vscode.runInBackground(SHORT);
    await until(() => lines(longRuns).length === 1 && lines(shortRuns).length === 1, 'both tasks to start');
    await row('echo long started').waitFor({ timeout: STEP_MS });

    await vscode.stopServer();
    // The tasks run in process groups of their own: the short one goes on and ends while VS Code is down.
    fs.writeFileSync(path.join(vscode.workspace, 'release-short'), '');
    await until(() => lines(shortRuns).length === 2, 'the short task to end while VS Code is down');
    assert.equal(lines(longRuns).length, 1, 'the long task still runs');

    await vscode.startServer();
    await vscode.openView();
    await tree().locator('.monaco-list-row', { hasText: /^Running/ }).first().waitFor({ timeout: READY_MS });
    const long = row('echo long started');
    await long.waitFor({ timeout: STEP_MS });
    assert.equal(await long.locator('.codicon-loading').count(), 1, 'the long task is listed as running');
    // The short one's result, as recorded by its wrapper while nobody watched: exit 3, announced as a failure.
    const shortToast = toast(/Task failed: echo short started/);
    await shortToast.first().waitFor({ timeout: READY_MS });
    assert.match((await shortToast.first().textContent()) ?? '', /exit code: 3|exit 3/i, 'the real exit code');
    await vscode.screenshot('after-restart');
    fs.writeFileSync(path.join(vscode.workspace, 'release'), '');

    await toast(/Task completed: echo long started/).first().waitFor({ timeout: READY_MS });
    await tree().locator('.monaco-list-row', { hasText: /^Completed/ }).first().waitFor({ timeout: STEP_MS });
    assert.equal(await shortToast.count(), 1, 'the short task is announced once');
    assert.deepEqual(lines(longRuns), ['long started', 'ended'], 'the long task ran once, to its end');
    assert.deepEqual(lines(shortRuns), ['short started', 'ended'], 'the short task ran once');

    // Its whole output, through the task's own output channel.
    await long.click();
    await vscode.page.locator('.panel .monaco-editor .view-lines', { hasText: 'long output' }).waitFor({ timeout: STEP_MS });
    await row('echo short started').click();
    await vscode.page.locator('.panel .monaco-editor .view-lines', { hasText: 'short output' }).waitFor({ timeout: STEP_MS });
  });
});
