// A person's path: open a terminal from the palette, type `bgt run -- sleep 2`, press Enter,
// and hear about it: the toast "Task completed: sleep 2" appears when the task is done.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVsCode, PROJECT_ROOT, type E2eSession } from './fixture';

describe('bgt in the integrated terminal', () => {
  let vscode: E2eSession;
  before(async () => {
    vscode = await openVsCode();
  });
  after(async () => {
    await vscode?.close();
  });

  it('a person types `bgt run -- sleep 2` in a terminal and gets the toast when it is done', async () => {
    const { page } = vscode;
    await vscode.runCommand('Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper .xterm').first();
    await terminal.waitFor({ state: 'visible', timeout: 60_000 });
    // The shell prints its prompt once it is ready for typing.
    await page.waitForFunction(() => (document.querySelector('.terminal-wrapper .xterm-rows')?.textContent ?? '').trim().length > 0, undefined, { timeout: 60_000 });
    await terminal.click();
    await page.keyboard.type('bgt run -- sleep 2');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notification-toast', { hasText: 'Task completed: sleep 2' });
    await toast.first().waitFor({ state: 'visible', timeout: 90_000 });
    // The id bgt printed is the one the notification names.
    const rows = (await page.locator('.terminal-wrapper .xterm-rows').first().textContent()) ?? '';
    const id = /bgt run -- sleep 2\s*([0-9a-z]{4,})/.exec(rows)?.[1];
    assert.ok(id, `no task id printed in the terminal: ${rows}`);
    assert.match((await toast.first().textContent()) ?? '', new RegExp(`\\[${id}\\]`));
    const shot = await vscode.screenshot('terminal-bgt');
    fs.mkdirSync(path.join(PROJECT_ROOT, 'media', 'screenshots'), { recursive: true });
    fs.copyFileSync(shot, path.join(PROJECT_ROOT, 'media', 'screenshots', 'terminal-bgt.png'));
  });
});
