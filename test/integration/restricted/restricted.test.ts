// A real untrusted workspace: the extension loads (limited support), nothing runs, the
// history still reads. The trusted suite's trust.test.ts covers every command through the
// trust seam; this one checks that the seam's answer is VS Code's own.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { harness, type Harness } from '../helpers';

describe('Restricted Mode (an untrusted workspace)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });

  it('the workspace is really untrusted, and the extension is active in it', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('isaac.background-tasks')?.isActive, true);
    assert.equal(h.hooks.ui.trust.isTrusted(), false);
  });

  it('Run in Background refuses with a message saying why, and queues nothing', async () => {
    const shown = h.notifications.shown.length;
    assert.equal(await vscode.commands.executeCommand('backgroundTasks.run', 'echo nope'), undefined);
    assert.equal(h.api.getAllTasks().length, 0);
    assert.equal(h.notifications.shown[shown]?.severity, 'error');
    assert.match(h.notifications.shown[shown]?.text ?? '', /Restricted Mode/);
  });

  it('the API refuses to spawn', () => {
    assert.throws(() => h.api.spawnTask({ command: 'echo nope' }), /Restricted Mode/);
  });

  it('reading still works: Show Tasks, statistics', async () => {
    const stats = await vscode.commands.executeCommand<vscode.Uri>('backgroundTasks.showStatistics');
    assert.ok(stats, 'statistics opened');
    assert.equal(h.api.getStatistics().totalTasks, 0);
  });
});
