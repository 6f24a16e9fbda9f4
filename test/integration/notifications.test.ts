// Completion notices through the recording seam: how loud, which buttons, what each does,
// and a burst of finishes grouped into one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, notificationsSettled, waitFor, type Harness } from './helpers';


describe('notifications', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  beforeEach(() => notificationsSettled(h));
  afterEach(async () => {
    h.notifications.choose = () => undefined;
    await vscode.workspace.getConfiguration('backgroundTasks').update('notificationLevel', undefined, vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.notificationLevel === 'all', 'the level back to all');
  });

  it('priority decides how loud: urgent is a warning, high and normal information, low only the status bar', async () => {
    const urgent = h.api.spawnTask({ command: 'true', priority: 'urgent' });
    const high = h.api.spawnTask({ command: 'true', priority: 'high' });
    const low = h.api.spawnTask({ command: 'echo quietly', priority: 'low', metadata: { build: 7 } });
    for (const id of [urgent, high, low]) await finished(h.api, id);
    await waitFor(
      () => h.notifications.about(urgent).length && h.notifications.about(high).length,
      () => `the two toasts; shown: ${JSON.stringify(h.notifications.shown)} ${JSON.stringify(h.notifications.statusMessages)}`,
    );
    assert.equal(h.notifications.about(urgent)[0].severity, 'warning');
    assert.match(h.notifications.about(urgent)[0].text, /^\[U\] ¢ /);
    assert.equal(h.notifications.about(high)[0].severity, 'information');
    await waitFor(() => h.notifications.statusMessages.some((m) => m.includes(`[${low}]`)), 'the status bar message');
    assert.equal(h.notifications.about(low).length, 0, 'no toast for a low-priority task');
  });

  it('a failure is an error even at low priority; Rerun runs it again', async () => {
    h.notifications.choose = (n) => (n.buttons.includes('Rerun') ? 'Rerun' : undefined);
    const before = new Set(h.api.getAllTasks().map((t) => t.id));
    const id = h.api.spawnTask({ command: 'echo flaky; exit 1', priority: 'low', metadata: { suite: 'unit' } });
    await finished(h.api, id);
    const notice = await waitFor(() => h.notifications.about(id)[0], 'the failure notice');
    assert.equal(notice.severity, 'error');
    assert.match(notice.text, /^\[H\]/, 'raised to high');
    assert.match(notice.text, /suite: unit/, 'metadata in the text');
    assert.match(notice.text, /flaky/, 'the last output lines');
    const rerun = await waitFor(() => h.api.getAllTasks().find((t) => !before.has(t.id) && t.id !== id && t.command === 'echo flaky; exit 1'), 'the rerun');
    h.notifications.choose = () => undefined;
    await finished(h.api, rerun.id);
    await waitFor(() => h.notifications.about(rerun.id).length, 'the notice of the rerun');
  });

  it('many tasks finishing at once become one grouped notice with Show Failed', async () => {
    h.notifications.choose = (n) => (n.buttons.includes('Show Failed') ? 'Show Failed' : undefined);
    h.prompts.answer(undefined);
    const ids = [0, 1, 2, 3, 4, 5].map((i) => h.api.spawnTask({ command: `sleep 0.3; exit ${i < 2 ? 1 : 0}` }));
    for (const id of ids) await finished(h.api, id);
    const group = await waitFor(
      () => h.notifications.shown.find((n) => /^6 tasks finished, 2 failed\.$/.test(n.text)),
      () => `the grouped notice; shown: ${JSON.stringify(h.notifications.shown.slice(-8))}`,
    );
    assert.equal(group.severity, 'error');
    assert.deepEqual(group.buttons, ['Show Failed', 'Show Tasks']);
    for (const id of ids) assert.equal(h.notifications.about(id).length, 0, 'no toast per task');
    await h.hooks.notifier.idle;
    await waitFor(() => h.prompts.calls.some((c) => c.kind === 'filtered'), 'Show Tasks to open');
    h.notifications.choose = () => undefined;
  });

  it('notificationLevel failuresOnly announces only failures, none nothing', async () => {
    const config = vscode.workspace.getConfiguration('backgroundTasks');
    await config.update('notificationLevel', 'failuresOnly', vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.notificationLevel === 'failuresOnly', 'the setting to apply');
    const ok = h.api.spawnTask({ command: 'true' });
    const bad = h.api.spawnTask({ command: 'false' });
    await finished(h.api, ok);
    await finished(h.api, bad);
    await waitFor(() => h.notifications.about(bad).length, 'the failure notice');
    // Both finishes have been through the notifier (nothing gathering), so ok's notice would be there.
    await notificationsSettled(h);
    assert.equal(h.notifications.about(ok).length, 0);
    await config.update('notificationLevel', 'none', vscode.ConfigurationTarget.Global);
    await waitFor(() => h.hooks.ui.settings.current.notificationLevel === 'none', 'the setting to apply');
    const silent = h.api.spawnTask({ command: 'false' });
    await finished(h.api, silent);
    // The finish event reached the notifier before waitForTask resolved; once nothing gathers, it was decided.
    await notificationsSettled(h);
    assert.equal(h.notifications.about(silent).length, 0);
    assert.ok(!h.notifications.statusMessages.some((m) => m.includes(`[${silent}]`)));
  });

  it('a cancelled task gets a status bar message, not a toast', async () => {
    const id = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the start');
    h.api.cancelTask(id);
    await finished(h.api, id);
    await waitFor(() => h.notifications.statusMessages.some((m) => m.includes(`[${id}]`)), 'the status message');
    assert.equal(h.notifications.about(id).length, 0);
  });
});
