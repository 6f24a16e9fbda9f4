// Settings apply without a reload.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, waitFor, type Harness } from './helpers';

const config = () => vscode.workspace.getConfiguration('backgroundTasks');
const KEYS = ['maxConcurrentTasks', 'shell', 'cancelGracePeriod', 'historySize', 'notificationLevel', 'defaultWorkingFolder', 'defaultTimeoutSeconds', 'lanes', 'treeGroupBy'];

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
    // The order of the engine's own events proves the limit: the second starts only after the first ended.
    const events: string[] = [];
    const sub = h.api.onDidChangeTask((t) => events.push(`${t.id}:${t.state.status}`));
    const a = h.api.spawnTask({ command: 'sleep 1' });
    const b = h.api.spawnTask({ command: 'true' });
    await finished(h.api, b);
    sub.dispose();
    const aEnded = events.indexOf(`${a}:completed`);
    const bStarted = events.indexOf(`${b}:running`);
    assert.ok(aEnded >= 0 && bStarted > aEnded, `the second started before the first ended: ${events.join(' ')}`);

    const c = h.api.spawnTask({ command: 'sleep 30' });
    const d = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(c)?.state.status === 'running', 'the first to start');
    assert.equal(h.api.getTask(d)?.state.status, 'pending');
    await config().update('maxConcurrentTasks', 2, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.api.getTask(d)?.state.status === 'running', 'the second to start once the limit rises');
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
    await config().update('cancelGracePeriod', 0.2, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.cancelGraceMs === 200, 'the setting');
    const id = h.api.spawnTask({ command: "trap '' TERM; echo trap-set; sleep 30 & wait; sleep 30" });
    // Cancel only once the shell ignores TERM, so the KILL after the grace period is what ends it.
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the start');
    await vscode.commands.executeCommand('backgroundTasks.showOutput', id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('trap-set'), 'the trap to be set');
    const started = Date.now();
    h.api.cancelTask(id);
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'cancelled');
    // Under the default grace (3 s) it could not have ended this soon; the slack is for a loaded machine.
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms with a 0.2 s grace period`);
  });

  it('historySize bounds the finished tasks kept', async () => {
    await config().update('historySize', 2, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.historySize === 2, 'the setting');
    for (let i = 0; i < 3; i++) await finished(h.api, h.api.spawnTask({ command: `echo ${i}` }));
    await waitFor(() => h.api.getAllTasks({ status: ['completed', 'failed', 'cancelled'] }).length <= 2, 'history trimmed');
  });

  it('an out-of-range value is clamped, not an error', async () => {
    // From 5 to 0: the watcher applying 0 must land on 1, never stay at 5 or take 0.
    await config().update('maxConcurrentTasks', 5, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.maxConcurrentTasks === 5, 'the value 5 applied');
    await config().update('maxConcurrentTasks', 0, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.maxConcurrentTasks !== 5, 'the value 0 applied');
    assert.equal(h.hooks.ui.settings.current.maxConcurrentTasks, 1);
    assert.equal(h.api.getStatistics().maxConcurrent, 1);
  });
});
