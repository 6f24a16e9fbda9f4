// The queue-control settings, applied without a reload: defaultTimeoutSeconds, lanes and
// treeGroupBy; bad values are announced with their fallback. And Run with Options' new steps.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { detailsUri } from '../../src/ui/documents';
import type { LaneNode, TaskNode, TreeNode } from '../../src/ui/treeNodes';
import { finished, harness, notificationsSettled, waitFor, type Harness } from './helpers';

const config = () => vscode.workspace.getConfiguration('backgroundTasks');
const KEYS = ['defaultTimeoutSeconds', 'lanes', 'treeGroupBy', 'maxConcurrentTasks', 'niceness'];
const set = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

describe('queue settings', () => {
  let h: Harness;
  const roots = (): TreeNode[] => {
    h.hooks.tree.provider.flush();
    return h.hooks.tree.provider.getChildren();
  };
  const nodeOf = (id: string): TaskNode | undefined =>
    roots()
      .flatMap((g) => h.hooks.tree.provider.getChildren(g))
      .find((n): n is TaskNode => n.kind === 'task' && n.task.id === id);

  before(async () => {
    h = await harness();
  });
  afterEach(async () => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    for (const key of KEYS) await set(key, undefined);
    await waitFor(() => {
      const s = h.hooks.ui.settings.current;
      return s.defaultTimeoutSeconds === 0 && Object.keys(s.lanes).length === 0 && s.treeGroupBy === 'status' && s.maxConcurrentTasks === 10 && s.niceness === 0;
    }, 'the defaults back');
    await notificationsSettled(h);
  });

  it('declares the three settings with descriptions and defaults', () => {
    const properties = (vscode.extensions.getExtension('isaac.background-tasks')?.packageJSON as {
      contributes: { configuration: { properties: Record<string, { default: unknown; markdownDescription?: string }> } };
    }).contributes.configuration.properties;
    for (const key of ['defaultTimeoutSeconds', 'lanes', 'treeGroupBy']) {
      const p = properties[`backgroundTasks.${key}`];
      assert.ok(p?.markdownDescription && p.default !== undefined, key);
    }
    assert.equal(config().get('defaultTimeoutSeconds'), 0);
    assert.deepEqual(config().get('lanes'), {});
    assert.equal(config().get('treeGroupBy'), 'status');
  });

  it('defaultTimeoutSeconds stops a task at the limit: failed, "timed out after 1s" in the tree, the notice and the details', async () => {
    await set('defaultTimeoutSeconds', 1);
    await waitFor(() => h.hooks.ui.settings.current.defaultTimeoutSeconds === 1, 'the setting');
    const id = h.api.spawnTask({ command: 'sleep 300' });
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'failed');
    assert.equal(task.state.status === 'failed' && task.state.error, 'timed out after 1s');
    const node = await waitFor(() => nodeOf(id)?.task.state.status === 'failed' && nodeOf(id), 'the failed node');
    assert.match(String(node.description), /timed out after 1s/);
    const notice = await waitFor(() => h.notifications.about(id)[0], 'the failure notice');
    assert.equal(notice.severity, 'error');
    assert.match(notice.text, /timed out after 1s/);
    await vscode.commands.executeCommand('backgroundTasks.showDetails', id);
    const text = (await vscode.workspace.openTextDocument(detailsUri(id))).getText();
    assert.match(text, /\| Error \| timed out after 1s \|/);
    assert.match(text, /\| Timeout \| 1s \|/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // A task's own timeout wins; 0 is none.
    const own = h.api.spawnTask({ command: 'sleep 0.5', timeoutSeconds: 0 });
    assert.equal((await finished(h.api, own)).state.status, 'completed');
  });

  it('niceness starts tasks at a lower CPU priority from the next task on, without a reload', async () => {
    const probe = `awk '{ print $19 }' /proc/$$/stat`;
    const niceOf = async (id: string): Promise<number> => {
      const t = await finished(h.api, id);
      assert.equal(t.state.status, 'completed');
      return Number((await vscode.workspace.fs.readFile(vscode.Uri.file(t.logPath))).toString().trim());
    };
    const normal = await niceOf(h.api.spawnTask({ command: probe }));
    await set('niceness', 5);
    await waitFor(() => h.hooks.ui.settings.current.niceness === 5, 'the setting');
    assert.equal(await niceOf(h.api.spawnTask({ command: probe })), Math.min(19, normal + 5));
  });

  it('lanes limits how many tasks of a lane run at once, inside maxConcurrentTasks; an unnamed lane runs one', async () => {
    await set('lanes', { gpu: 1, db: 2 });
    await waitFor(() => h.hooks.ui.settings.current.lanes.db === 2, 'the setting');
    const gpu = [0, 1].map(() => h.api.spawnTask({ command: 'sleep 300', lane: 'gpu' }));
    const db = [0, 1, 2].map(() => h.api.spawnTask({ command: 'sleep 300', lane: 'db' }));
    const other = [0, 1].map(() => h.api.spawnTask({ command: 'sleep 300', lane: 'unnamed' }));
    const free = h.api.spawnTask({ command: 'sleep 300' });
    const status = (id: string) => h.api.getTask(id)?.state.status;
    await waitFor(() => [gpu[0], db[0], db[1], other[0], free].every((id) => status(id) === 'running'), 'one gpu, two db, one unnamed and the free task to run');
    assert.deepEqual([gpu[1], db[2], other[1]].map(status), ['pending', 'pending', 'pending'], 'the rest wait for their lanes');
    const { gpu: g, db: d, unnamed: u } = h.api.getStatistics().byLane;
    assert.deepEqual({ g, d, u }, { g: 2, d: 3, u: 2 }, 'tasks by lane');
    // Raising a lane's limit starts its next task without a reload.
    await set('lanes', { gpu: 2, db: 2 });
    await waitFor(() => status(gpu[1]) === 'running', 'the second gpu task once the lane allows two');
    assert.equal(status(db[2]), 'pending');
    // The global limit still holds.
    await set('maxConcurrentTasks', 1);
    h.api.cancelTask(db[0]);
    await finished(h.api, db[0]);
    assert.equal(status(db[2]), 'pending', 'a free lane slot is not enough while maxConcurrentTasks is full');
  });

  it('treeGroupBy "lane" groups the tree by lane, the lanes of the setting first and "No lane" last', async () => {
    await set('lanes', { gpu: 1 });
    const a = h.api.spawnTask({ command: 'sleep 300', lane: 'gpu' });
    const b = h.api.spawnTask({ command: 'sleep 300', lane: 'gpu' });
    const c = h.api.spawnTask({ command: 'sleep 300', lane: 'alpha' });
    const d = h.api.spawnTask({ command: 'sleep 300' });
    await waitFor(() => h.api.getTask(a)?.state.status === 'running', 'the gpu task to start');
    await set('treeGroupBy', 'lane');
    const lanes = await waitFor(() => {
      const r = roots();
      return r.every((n) => n.kind === 'lane') && r.length > 0 && (r as LaneNode[]);
    }, 'lane groups');
    const labels = lanes.map((l) => l.label);
    assert.equal(labels[0], 'gpu');
    assert.equal(labels.at(-1), 'No lane');
    assert.ok(labels.indexOf('alpha') > 0);
    const gpu = lanes[0];
    const children = h.hooks.tree.provider.getChildren(gpu) as TaskNode[];
    assert.deepEqual(children.slice(0, 2).map((n) => n.task.id), [a, b], 'running first, then pending');
    assert.match(String(gpu.description), /^\d+ · 1 of 1 running$/);
    assert.equal(h.hooks.tree.provider.getParent(children[0]), gpu);
    const none = lanes.at(-1)!;
    assert.ok((h.hooks.tree.provider.getChildren(none) as TaskNode[]).some((n) => n.task.id === d));
    assert.ok((h.hooks.tree.provider.getChildren(lanes[labels.indexOf('alpha')]) as TaskNode[]).some((n) => n.task.id === c));
    await set('treeGroupBy', 'status');
    await waitFor(() => roots().every((n) => n.kind === 'group'), 'status groups again');
  });

  it('bad values get a warning that names the setting, and a fallback', async () => {
    await set('defaultTimeoutSeconds', -5);
    await set('lanes', { gpu: 0, db: 2.5, ok: 3 });
    await set('treeGroupBy', 'colour');
    await waitFor(() => h.hooks.ui.settings.current.warnings.length === 3, () => `three warnings: ${JSON.stringify(h.hooks.ui.settings.current.warnings)}`);
    const s = h.hooks.ui.settings.current;
    assert.equal(s.defaultTimeoutSeconds, 0);
    assert.deepEqual(s.lanes, { ok: 3 });
    assert.equal(s.treeGroupBy, 'status');
    const warnings = await waitFor(() => {
      const shown = h.notifications.shown.filter((n) => n.severity === 'warning' && n.text.includes('backgroundTasks.'));
      return ['defaultTimeoutSeconds', 'lanes', 'treeGroupBy'].every((k) => shown.some((n) => n.text.includes(`backgroundTasks.${k}`))) && shown;
    }, 'a warning for each');
    assert.ok(warnings.some((n) => /"gpu": 0/.test(n.text) && /"db": 2\.5/.test(n.text)), 'the lane entries named');
    // An unrelated change does not repeat them.
    const count = h.notifications.shown.length;
    await set('maxConcurrentTasks', 9);
    await waitFor(() => h.hooks.ui.settings.current.maxConcurrentTasks === 9, 'the unrelated change');
    assert.equal(h.notifications.shown.filter((n, i) => i >= count && n.severity === 'warning').length, 0);
  });

  it('Run with Options asks timeout, retries (and their delay) and lane; Enter keeps the defaults', async () => {
    await set('lanes', { gpu: 1 });
    await set('defaultTimeoutSeconds', 600);
    await waitFor(() => h.hooks.ui.settings.current.lanes.gpu === 1 && h.hooks.ui.settings.current.defaultTimeoutSeconds === 600, 'the settings');
    // command, type, priority, folder, timeout, retries, retry delay, lane, matcher (no task runs, so no "run after" step)
    h.prompts.answer('exit 4', 'code', 'normal', '', '30', '2', '0.5', 'gpu', 'No problem matcher');
    const id = await vscode.commands.executeCommand<string>('backgroundTasks.runWithOptions');
    const task = h.api.getTask(id);
    assert.ok(task, `no task: ${JSON.stringify(h.prompts.calls.slice(-9))}`);
    assert.equal(task.timeoutSeconds, 30);
    assert.equal(task.attempts, 3);
    assert.equal(task.retryDelaySeconds, 0.5);
    assert.equal(task.lane, 'gpu');
    assert.deepEqual(
      h.prompts.calls.slice(-5).map((c) => c.title.replace(/^.*: /, '')),
      ['timeout', 'retries', 'delay between attempts', 'lane', 'problem matcher (turns its output into Problems)'],
    );
    const ended = await finished(h.api, id);
    assert.equal(ended.attempt, 3);
    // Enter on each: the setting's timeout, no retries, no lane.
    h.prompts.answer('true', 'code', 'normal', '', '', '', 'No lane', 'No problem matcher');
    const plain = h.api.getTask(await vscode.commands.executeCommand<string>('backgroundTasks.runWithOptions'));
    assert.ok(plain);
    assert.equal(plain.attempts, 1);
    assert.equal(plain.lane, undefined);
    assert.equal(plain.timeoutSeconds, 600, 'the default from the setting');
  });
});
