// Settings apply without a reload.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, waitFor, type Harness } from './helpers';

const config = () => vscode.workspace.getConfiguration('backgroundTasks');
const KEYS = ['maxConcurrentTasks', 'shell', 'cancelGracePeriod', 'historySize', 'notificationLevel', 'defaultWorkingFolder'];

describe('settings', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  afterEach(async () => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    for (const key of KEYS) await config().update(key, undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.maxConcurrentTasks === 10 && h.hooks.ui.settings.current.historySize === 500, 'the defaults back');
  });

  it('declares every setting with a description and a default', () => {
    const properties = (vscode.extensions.getExtension('isaac.background-tasks')?.packageJSON as {
      contributes: { configuration: { properties: Record<string, { default: unknown; markdownDescription?: string }> } };
    }).contributes.configuration.properties;
    for (const key of KEYS) {
      const p = properties[`backgroundTasks.${key}`];
      assert.ok(p, key);
      assert.ok(p.markdownDescription && p.default !== undefined, key);
    }
    assert.equal(config().get('maxConcurrentTasks'), 10);
    assert.equal(config().get('cancelGracePeriod'), 3);
    assert.equal(config().get('historySize'), 500);
    assert.equal(config().get('notificationLevel'), 'all');
  });

  it('maxConcurrentTasks limits how many run at once', async () => {
    await config().update('maxConcurrentTasks', 1, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.maxConcurrentTasks === 1, 'the setting');
    assert.equal(h.api.getStatistics().maxConcurrent, 1);
    const a = h.api.spawnTask({ command: 'sleep 30' });
    const b = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(a)?.state.status === 'running', 'the first to start');
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(h.api.getTask(b)?.state.status, 'pending');
    await config().update('maxConcurrentTasks', 2, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.api.getTask(b)?.state.status === 'running', 'the second to start once the limit rises');
  });

  it('shell and defaultWorkingFolder decide how and where commands run', async () => {
    await config().update('shell', '/bin/bash', vscode.ConfigurationTarget.Global);
    await config().update('defaultWorkingFolder', '/tmp', vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.shell === '/bin/bash' && h.hooks.ui.settings.current.defaultCwd === '/tmp', 'the settings');
    const id = h.api.spawnTask({ command: 'echo "bash=${BASH_VERSION:+yes} cwd=$PWD"' });
    await finished(h.api, id);
    await vscode.commands.executeCommand('backgroundTasks.showOutput', id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('bash=yes cwd=/tmp'), 'bash in /tmp');
    assert.equal(h.api.getTask(id)?.cwd, '/tmp');
  });

  it('cancelGracePeriod is how long a task that ignores SIGTERM gets before SIGKILL', async () => {
    await config().update('cancelGracePeriod', 0.5, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.cancelGraceMs === 500, 'the setting');
    const id = h.api.spawnTask({ command: "trap '' TERM; sleep 30 & wait; sleep 30" });
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the start');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    h.api.cancelTask(id);
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'cancelled');
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms with a 0.5 s grace period`);
  });

  it('historySize bounds the finished tasks kept', async () => {
    await config().update('historySize', 2, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.historySize === 2, 'the setting');
    for (let i = 0; i < 3; i++) await finished(h.api, h.api.spawnTask({ command: `echo ${i}` }));
    await waitFor(() => h.api.getAllTasks({ status: ['completed', 'failed', 'cancelled'] }).length <= 2, 'history trimmed');
  });

  it('an out-of-range value is clamped, not an error', async () => {
    await config().update('maxConcurrentTasks', 0, vscode.ConfigurationTarget.Global);
    await waitFor(() => config().get('maxConcurrentTasks') === 0, 'the value written');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(h.hooks.ui.settings.current.maxConcurrentTasks, 1);
  });
});
