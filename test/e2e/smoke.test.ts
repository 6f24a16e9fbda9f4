import * as assert from 'node:assert/strict';
import { openVsCode, screenshotIfFailed, type E2eSession } from './fixture';

describe('VS Code in a browser with the packaged extension', () => {
  let vscode: E2eSession;
  before(async () => {
    vscode = await openVsCode();
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, vscode);
  });
  after(async () => {
    await vscode?.close();
  });

  it('opens the workbench with the extension installed', async () => {
    await vscode.runCommand('Extensions: Show Installed Extensions');
    await vscode.page.waitForSelector('.extension-list-item', { timeout: 30_000 });
    const names = await vscode.page.locator('.extension-list-item .name').allTextContents();
    await vscode.screenshot('extensions');
    assert.ok(names.some((n) => n.includes('Background Tasks')), `installed: ${names.join(', ')}`);
  });
});
