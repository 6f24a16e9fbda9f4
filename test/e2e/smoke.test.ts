import * as assert from 'node:assert/strict';
import { openVsCode, READY_MS, screenshotIfFailed, type E2eSession } from './fixture';

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
    // A list item is drawn before its name is filled in: wait for the name itself.
    const ours = vscode.page.locator('.extension-list-item .name', { hasText: 'Background Tasks' }).first();
    await ours.waitFor({ state: 'visible', timeout: READY_MS });
    await vscode.screenshot('extensions');
    assert.equal((await ours.textContent())?.trim(), 'Background Tasks');
  });
});
