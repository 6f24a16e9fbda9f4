import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('extension', () => {
  it('is installed and activates', async () => {
    const extension = vscode.extensions.getExtension('isaac.background-tasks');
    assert.ok(extension, 'isaac.background-tasks is not loaded');
    await extension.activate();
    assert.equal(extension.isActive, true);
  });
});
