import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import type { TaskGroup, TaskStatus } from '../../src/core/types';
import { Sandbox, waitFor } from './helpers';
import { until } from './queueHelpers';

const ORDER: readonly TaskStatus[] = ['running', 'pending', 'failed', 'completed', 'cancelled'];

/** Ids of a group's tasks as shown. */
function ids(group: TaskGroup | undefined): string[] {
  return (group?.tasks ?? []).map((t) => t.id);
}

/** Runs `commands` one after the other to their end; returns their ids in order. */
async function runAll(engine: TaskEngine, commands: string[], lane?: string): Promise<string[]> {
  const out: string[] = [];
  for (const command of commands) {
    const id = engine.spawnTask({ command, ...(lane ? { lane } : {}) });
    await engine.waitForTask(id);
    out.push(id);
  }
  return out;
}

describe('engine: tasks grouped for a list (groupTasks)', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('groups by status in the order asked, newest first, pending in queue order, the first `limit` of each with the full count', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const ok = await runAll(engine, ['true', 'true', 'true', 'true']);
    const bad = await runAll(engine, ['exit 3', 'exit 4']);
    const go = path.join(box.tempDir(), 'go');
    const running = engine.spawnTask({ command: until(go) });
    box.trackTask(await waitFor(() => engine.getTask(running)?.state.status === 'running' && engine.getTask(running), 'running'));
    // The only slot is taken: these wait, in priority order and then as queued.
    const low = engine.spawnTask({ command: 'true', priority: 'low' });
    const normal = engine.spawnTask({ command: 'true' });
    const urgent = engine.spawnTask({ command: 'true', priority: 'urgent' });

    const groups = engine.groupTasks({ by: 'status', limit: 3, statusOrder: ORDER });
    assert.deepEqual([...groups.keys()], ['running', 'pending', 'failed', 'completed'], 'in the order asked; an empty status has no group');
    assert.deepEqual(ids(groups.get('running')), [running]);
    assert.equal(groups.get('running')!.running, 1);
    assert.deepEqual(ids(groups.get('pending')), [urgent, normal, low], 'as they will start');
    assert.deepEqual(
      ids(groups.get('pending')),
      engine.getQueue().map((t) => t.id),
      'the order getQueue() gives',
    );
    assert.deepEqual(ids(groups.get('failed')), [bad[1], bad[0]], 'newest first');
    const completed = groups.get('completed')!;
    assert.equal(completed.count, 4, 'counts every task of the group');
    assert.deepEqual(ids(completed), [ok[3], ok[2], ok[1]], 'shows only the newest `limit`');
    assert.equal(completed.running, 0);
    // What it shows is the same as the snapshots the engine hands out.
    assert.deepEqual(completed.tasks[0], engine.getTask(ok[3]));

    const onlyFinished = engine.groupTasks({ by: 'status', limit: 10, statusOrder: ['completed', 'failed'] });
    assert.deepEqual([...onlyFinished.keys()], ['completed', 'failed'], 'statuses not asked for are left out');
    assert.equal(engine.groupTasks({ by: 'status', limit: 0, statusOrder: ORDER }).get('completed')!.tasks.length, 0, 'limit 0: counts only');
  });

  it('groups by lane: each lane its tasks by status, then newest first; counts and running per lane', async () => {
    const engine = await box.open({ maxConcurrentTasks: 4, lanes: { gpu: 1 } });
    const gpuDone = await runAll(engine, ['true', 'exit 1'], 'gpu');
    const plainDone = await runAll(engine, ['true', 'true', 'true']);
    const go = path.join(box.tempDir(), 'go');
    const gpuRunning = engine.spawnTask({ command: until(go), lane: 'gpu' });
    box.trackTask(await waitFor(() => engine.getTask(gpuRunning)?.state.status === 'running' && engine.getTask(gpuRunning), 'gpu task running'));
    const gpuWaiting = engine.spawnTask({ command: 'true', lane: 'gpu' });

    const lanes = engine.groupTasks({ by: 'lane', limit: 2, statusOrder: ORDER });
    assert.deepEqual([...lanes.keys()].sort(), ['', 'gpu']);
    const gpu = lanes.get('gpu')!;
    assert.equal(gpu.count, 4);
    assert.equal(gpu.running, 1);
    assert.deepEqual(ids(gpu), [gpuRunning, gpuWaiting], 'running, then pending, first; only `limit` shown');
    assert.deepEqual(ids(engine.groupTasks({ by: 'lane', limit: 10, statusOrder: ORDER }).get('gpu')), [gpuRunning, gpuWaiting, gpuDone[1], gpuDone[0]]);
    const none = lanes.get('')!;
    assert.equal(none.count, 3);
    assert.equal(none.running, 0);
    assert.deepEqual(ids(none), [plainDone[2], plainDone[1]], 'tasks in no lane under ""');
  });
});
