// A person's path: open a terminal from the palette, type `bgt run -- sleep 2`, press Enter,
// and hear about it: the toast "Task completed: sleep 2" appears when the task is done.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVsCode, PROJECT_ROOT, type E2eSession } from './fixture';

/**
 * Runs a palette command once the palette lists it: on a cold, busy machine an extension's
 * commands show up some seconds after the workbench, so the palette is asked again until then.
 */
async function runWhenListed(session: E2eSession, title: string, timeoutMs = 90_000): Promise<void> {
  const { page } = session;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.press('Enter');
      return;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('bgt in the integrated terminal', () => {
  let vscode: E2eSession;
  before(async () => {
    // The DOM renderer keeps the terminal's text in the page, where the test can read the id bgt printed.
    vscode = await openVsCode({ settings: { 'terminal.integrated.gpuAcceleration': 'off' } });
  });
  after(async () => {
    await vscode?.close();
  });

  it('a person types `bgt run -- sleep 2` in a terminal and gets the toast when it is done', async () => {
    const { page } = vscode;
    // The extension starts after the window (onStartupFinished) and only then puts bgt on the
    // terminals' PATH; a terminal typed into before that lacks it. A command of ours starts it.
    await runWhenListed(vscode, 'Background Tasks: Show Statistics');
    await page.locator('.tab', { hasText: /statistics/i }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await vscode.runCommand('Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper .xterm').first();
    await terminal.waitFor({ state: 'visible', timeout: 60_000 });
    // The shell prints its prompt once it is ready for typing.
    await page.waitForFunction(() => (document.querySelector('.terminal-wrapper .xterm-rows')?.textContent ?? '').trim().length > 0, undefined, { timeout: 60_000 }).catch(async (error: unknown) => {
      await vscode.screenshot('terminal-bgt-no-prompt');
      throw error;
    });
    await terminal.click();
    await page.keyboard.type('bgt run -- sleep 2');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'Task completed: sleep 2' });
    await toast
      .first()
      .waitFor({ state: 'visible', timeout: 90_000 })
      .catch(async (error: unknown) => {
        const rows = await page.locator('.terminal-wrapper .xterm-rows').first().textContent();
        await vscode.screenshot('terminal-bgt-no-toast');
        throw new Error(`${String(error)}\nThe terminal shows: ${rows}`);
      });
    // The notification names the task whose id bgt printed in the terminal.
    const id = /\[([0-9a-z]+)\]/.exec((await toast.first().textContent()) ?? '')?.[1];
    assert.ok(id, 'the toast names no task');
    const rows = (await page.locator('.terminal-wrapper .xterm-rows').first().textContent()) ?? '';
    assert.ok(rows.includes(`bgt run -- sleep 2${id}`) || rows.includes(id), `the terminal does not show the id ${id}: ${rows}`);
    const shot = await vscode.screenshot('terminal-bgt');
    fs.mkdirSync(path.join(PROJECT_ROOT, 'media', 'screenshots'), { recursive: true });
    fs.copyFileSync(shot, path.join(PROJECT_ROOT, 'media', 'screenshots', 'terminal-bgt.png'));
  });
});
