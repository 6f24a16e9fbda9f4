import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Sandbox, waitFor } from './helpers';
import { peakOf, readStampFile, stamped, until } from './queueHelpers';

describe('engine: lanes', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('never runs more tasks of a lane than its limit, nor more than maxConcurrentTasks (tasks’ own timestamps)', async () => {
    const engine = await box.open({ maxConcurrentTasks: 4, lanes: { gpu: 1, db: 2 } });
    const stamps = path.join(box.tempDir(), 'stamps');
    const lanes = ['gpu', 'db', 'other', undefined] as const;
    const ids: string[] = [];
    for (let i = 0; i < 48; i++) {
      const lane = lanes[i % lanes.length];
      ids.push(engine.spawnTask({ command: stamped(stamps, `${lane ?? 'none'}-${i}`, 'sleep 0.05'), ...(lane ? { lane } : {}) }));
    }
    const done = await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.ok(done.every((t) => t.state.status === 'completed'));
    const all = readStampFile(stamps);
    assert.equal(all.length, 96);
    const peak = (lane: string): number => peakOf(all, (label) => label.startsWith(`${lane}-`));
    assert.equal(peak('gpu'), 1);
    assert.ok(peak('db') <= 2, `db peak ${peak('db')}`);
    assert.equal(peak('other'), 1, 'a lane the setting does not name has a limit of 1');
    assert.ok(peakOf(all) <= 4, `overall peak ${peakOf(all)}`);
    assert.ok(peakOf(all) >= 2, 'lanes ran side by side');
    assert.deepEqual(engine.getStatistics().byLane, { gpu: 12, db: 12, other: 12 });
  });

  it('lets tasks of other lanes (and of none) pass a task waiting for its lane', async () => {
    const engine = await box.open({ maxConcurrentTasks: 3 });
    const go = path.join(box.tempDir(), 'go');
    const gpu1 = engine.spawnTask({ command: until(go), lane: 'gpu' });
    await waitFor(() => engine.getTask(gpu1)?.state.status === 'running', 'gpu1 running');
    const gpu2 = engine.spawnTask({ command: 'true', lane: 'gpu', priority: 'urgent' });
    const db = engine.spawnTask({ command: 'true', lane: 'db', priority: 'low' });
    const plain = engine.spawnTask({ command: 'true', priority: 'low' });
    await engine.waitForTask(db);
    await engine.waitForTask(plain);
    assert.equal(engine.getTask(gpu2)?.state.status, 'pending', 'the gpu lane is full');
    assert.equal(engine.getQueue()[0].id, gpu2);
    fs.writeFileSync(go, '');
    assert.equal((await engine.waitForTask(gpu2)).state.status, 'completed');
  });

  it('takes new lane limits at once (setLanes)', async () => {
    const engine = await box.open({ maxConcurrentTasks: 5 });
    const go = path.join(box.tempDir(), 'go');
    const ids = [1, 2, 3].map(() => engine.spawnTask({ command: until(go), lane: 'gpu' }));
    await waitFor(() => engine.getTask(ids[0])?.state.status === 'running', 'the first running');
    const probe = engine.spawnTask({ command: 'true' });
    await engine.waitForTask(probe);
    assert.deepEqual(ids.map((id) => engine.getTask(id)?.state.status), ['running', 'pending', 'pending']);
    engine.setLanes({ gpu: 3 });
    await waitFor(() => ids.every((id) => engine.getTask(id)?.state.status === 'running'), 'all three running');
    fs.writeFileSync(go, '');
    await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.throws(() => engine.setLanes({ gpu: 0 }), { name: 'TaskOptionsError', field: 'lanes' } as object);
    assert.throws(() => engine.setLanes([] as unknown as Record<string, number>), { name: 'TaskOptionsError', field: 'lanes' } as object);
  });

  it('refuses a bad lane name, naming the field', async () => {
    const engine = await box.open();
    for (const lane of ['', '   ', 'a\nb', 7, 'x'.repeat(65)]) {
      assert.throws(() => engine.spawnTask({ command: 'true', lane: lane as string }), { name: 'TaskOptionsError', field: 'lane' } as object);
    }
  });
});
