// Restricted Mode: nothing runs, a message says why, and the history still opens. The test
// host trusts every folder, so the ui's trust seam pretends otherwise.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, type Harness } from './helpers';

describe('workspace trust', () => {
  let h: Harness;
  let earlier: string;
  before(async () => {
    h = await harness();
    earlier = h.api.spawnTask({ command: 'echo from a trusted time' });
    await finished(h.api, earlier);
    h.hooks.ui.trust.setOverride(false);
  });
  after(() => h.hooks.ui.trust.setOverride(undefined));

  for (const [command, args] of [
    ['run', ['echo nope']],
    ['runVerbose', ['echo nope']],
    ['runSelection', ['echo nope']],
    ['runWithOptions', [{ command: 'echo nope' }]],
    ['runAfter', ['x', 'echo nope']],
    ['pipeInto', ['x', 'echo nope']],
    ['pipeSelection', ['text', 'cat']],
    ['rerun', ['x']],
  ] as const) {
    it(`${command} refuses with a message saying why`, async () => {
      const before = h.api.getAllTasks().length;
      const shown = h.notifications.shown.length;
      assert.equal(await vscode.commands.executeCommand(`backgroundTasks.${command}`, ...args), undefined);
      assert.equal(h.api.getAllTasks().length, before, 'nothing was queued');
      const notice = h.notifications.shown[shown];
      assert.equal(notice?.severity, 'error');
      assert.match(notice.text, /Restricted Mode/);
      assert.deepEqual(notice.buttons, ['Manage Workspace Trust']);
    });
  }

  it('resumeQueue, resumeTask and runNext refuse (they let commands run); pauseQueue is allowed', async () => {
    assert.equal(await vscode.commands.executeCommand('backgroundTasks.pauseQueue'), true);
    try {
      for (const [command, expected] of [['resumeQueue', true], ['resumeTask', false], ['runNext', false]] as const) {
        const shown = h.notifications.shown.length;
        assert.equal(await vscode.commands.executeCommand(`backgroundTasks.${command}`, 'x'), expected, command);
        assert.match(h.notifications.shown[shown]?.text ?? '', /Restricted Mode/, command);
      }
      assert.equal(h.api.isQueuePaused(), true, 'still paused');
      assert.throws(() => h.api.resumeQueue(), /Restricted Mode/);
    } finally {
      h.hooks.ui.trust.setOverride(undefined);
      h.api.resumeQueue();
      h.hooks.ui.trust.setOverride(false);
    }
  });

  it('the API refuses too', () => {
    assert.throws(() => h.api.spawnTask({ command: 'echo nope' }), /Restricted Mode/);
  });

  it('history, output and details still open', async () => {
    assert.ok(h.api.getAllTasks().some((t) => t.id === earlier));
    assert.equal(await vscode.commands.executeCommand('backgroundTasks.showOutput', earlier), earlier);
    const uri = await vscode.commands.executeCommand<vscode.Uri>('backgroundTasks.showDetails', earlier);
    assert.ok(uri);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
