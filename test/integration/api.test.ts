// The API other extensions get from activate().
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskSnapshot } from '../../src/api';
import { finished, harness, waitFor, type Harness } from './helpers';

describe('API', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });

  it('is the DESIGN.md surface, with the test hooks hidden from enumeration', () => {
    const names = Object.keys(h.api).sort();
    assert.deepEqual(names, [
      'cancelTask',
      'clearFinished',
      'exportHistory',
      'getAllTasks',
      'getQueue',
      'getStatistics',
      'getTask',
      'isQueuePaused',
      'onDidChangeTask',
      'onDidFinishTask',
      'pauseQueue',
      'pauseTask',
      'reportProgress',
      'resumeQueue',
      'resumeTask',
      'runNext',
      'spawnTask',
      'waitForTask',
    ]);
    assert.ok(!JSON.stringify(Object.keys(h.api)).includes('__testing'));
  });

  it('spawnTask takes a file as stdin (stdinFile)', async () => {
    const file = path.join(os.tmpdir(), `bt-api-stdin-${process.pid}.txt`);
    fs.writeFileSync(file, 'one\ntwo\n');
    try {
      const id = h.api.spawnTask({ command: 'wc -l', stdinFile: file });
      const task = await finished(h.api, id);
      assert.equal(task.mode, 'piped');
      assert.equal(fs.readFileSync(task.logPath, 'utf8').trim(), '2');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('spawnTask runs a command with its options and getTask/getAllTasks find it', async () => {
    const id = h.api.spawnTask({
      command: 'echo "$GREETING from $PWD"',
      type: 'system',
      priority: 'high',
      metadata: { ticket: 'BT-1', attempt: 2, dryRun: false },
      env: { GREETING: 'hi' },
      cwd: '/tmp',
    });
    assert.match(id, /^[0-9a-z]+$/);
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'completed');
    assert.equal(task.type, 'system');
    assert.equal(task.priority, 'high');
    assert.deepEqual(task.metadata, { ticket: 'BT-1', attempt: 2, dryRun: false });
    assert.deepEqual(task.envKeys, ['GREETING']);
    assert.equal(h.api.getTask(id)?.cwd, '/tmp');
    assert.ok(h.api.getAllTasks().some((t) => t.id === id));
    assert.ok(h.api.getAllTasks({ status: 'completed' }).some((t) => t.id === id));
    assert.ok(!h.api.getAllTasks({ status: 'failed' }).some((t) => t.id === id));
    assert.equal(h.api.getTask('no-such-task'), undefined);
  });

  it('spawnTask throws a readable error for bad options', () => {
    assert.throws(() => h.api.spawnTask({ command: '' }), /command/i);
    assert.throws(() => h.api.spawnTask({ command: 'true', dependsOn: ['no-such-task'] }), /no-such-task/);
    assert.throws(() => h.api.spawnTask({ command: 'true', priority: 'asap' as never }), /priority/i);
  });

  it('fires onDidChangeTask and onDidFinishTask as vscode.Events', async () => {
    const changes: TaskSnapshot[] = [];
    const finishes: TaskSnapshot[] = [];
    const disposables: vscode.Disposable[] = [];
    h.api.onDidChangeTask((t) => changes.push(t), undefined, disposables);
    disposables.push(h.api.onDidFinishTask((t) => finishes.push(t)));
    const id = h.api.spawnTask({ command: 'exit 4' });
    await finished(h.api, id);
    await waitFor(() => finishes.some((t) => t.id === id), 'the finish event');
    const statuses = changes.filter((t) => t.id === id).map((t) => t.state.status);
    assert.ok(statuses.includes('pending') || statuses.includes('running'), `changes seen: ${statuses.join(',')}`);
    assert.equal(statuses[statuses.length - 1], 'failed');
    assert.equal(finishes.filter((t) => t.id === id).length, 1);
    for (const d of disposables) d.dispose();
    const before = changes.length;
    await finished(h.api, h.api.spawnTask({ command: 'true' }));
    assert.equal(changes.length, before, 'a disposed listener hears nothing');
  });

  it('cancelTask stops a running task and says false when there is nothing to cancel', async () => {
    const id = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the task to start');
    assert.equal(h.api.cancelTask(id), true);
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'cancelled');
    assert.equal(h.api.cancelTask(id), false);
    assert.equal(h.api.cancelTask('no-such-task'), false);
  });

  it('reportProgress shows in the task and the tree', async () => {
    const id = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the task to start');
    h.api.reportProgress(id, 42, 'halfway there');
    const task = await waitFor(() => (h.api.getTask(id)?.progress?.percent === 42 ? h.api.getTask(id) : undefined), 'the progress');
    assert.equal(task?.progress?.message, 'halfway there');
    await waitFor(() => {
      h.hooks.tree.provider.flush();
      const groups = h.hooks.tree.provider.getChildren();
      const node = groups.flatMap((g) => h.hooks.tree.provider.getChildren(g)).find((n) => n.kind === 'task' && n.task.id === id);
      return String(node?.description ?? '').includes('42%');
    }, '42% in the tree');
    h.api.cancelTask(id);
    await finished(h.api, id);
  });

  it('getStatistics counts by status, type and priority; clearFinished removes finished tasks', async () => {
    const ok = h.api.spawnTask({ command: 'true', priority: 'low' });
    const bad = h.api.spawnTask({ command: 'false', type: 'system' });
    await finished(h.api, ok);
    await finished(h.api, bad);
    const stats = h.api.getStatistics();
    assert.equal(stats.totalTasks, h.api.getAllTasks().length);
    assert.ok(stats.byStatus.completed >= 1 && stats.byStatus.failed >= 1);
    assert.ok(stats.byType.system >= 1 && stats.byPriority.low >= 1);
    assert.equal(stats.maxConcurrent, 10);
    assert.ok(stats.successRate !== undefined && stats.successRate > 0 && stats.successRate < 1);
    const finishedCount = h.api.getAllTasks({ status: ['completed', 'failed', 'cancelled'] }).length;
    assert.equal(h.api.clearFinished(), finishedCount);
    assert.equal(h.api.getTask(ok), undefined);
    assert.equal(h.api.getStatistics().byStatus.completed, 0);
  });
});
