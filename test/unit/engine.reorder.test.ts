import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import { q, Sandbox, waitFor } from './helpers';
import { until } from './queueHelpers';

describe('engine: reordering the queue', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  /** An engine with one slot held by a blocker, and `names` queued behind it, each appending its name to `order` when it runs. */
  async function queued(names: Record<string, 'urgent' | 'high' | 'normal' | 'low'>, storageDir = box.tempDir()) {
    const engine = await box.open({ storageDir, maxConcurrentTasks: 1 });
    const dir = box.tempDir();
    const go = path.join(dir, 'go');
    const order = path.join(dir, 'order');
    const blocker = engine.spawnTask({ command: until(go) });
    await waitFor(() => engine.getTask(blocker)?.state.status === 'running', 'blocker running');
    const ids: Record<string, string> = {};
    for (const [name, priority] of Object.entries(names)) ids[name] = engine.spawnTask({ command: `echo ${name} >> ${q(order)}`, priority });
    const nameOf = new Map(Object.entries(ids).map(([n, id]) => [id, n]));
    const queue = (e: TaskEngine = engine): string[] => e.getQueue().map((t) => nameOf.get(t.id)!);
    const release = async (e: TaskEngine = engine): Promise<string[]> => {
      fs.writeFileSync(go, '');
      await Promise.all(Object.values(ids).map((id) => e.waitForTask(id)));
      return fs.readFileSync(order, 'utf8').trim().split('\n');
    };
    return { engine, ids, queue, release, storageDir };
  }

  it('lists the queue in start order: priority, then position', async () => {
    const { queue, release } = await queued({ a: 'normal', b: 'low', c: 'urgent', d: 'normal' });
    assert.deepEqual(queue(), ['c', 'a', 'd', 'b']);
    assert.deepEqual(await release(), ['c', 'a', 'd', 'b']);
  });

  it('runNext gives a task the highest priority present and the first place', async () => {
    const { engine, ids, queue, release } = await queued({ a: 'high', b: 'normal', c: 'low' });
    let changes = 0;
    engine.onDidChangeQueue(() => changes++);
    assert.equal(engine.runNext(ids.c), true);
    assert.equal(engine.getTask(ids.c)?.priority, 'high');
    assert.deepEqual(queue(), ['c', 'a', 'b']);
    assert.equal(changes, 1);
    assert.deepEqual(await release(), ['c', 'a', 'b']);
    assert.equal(engine.runNext(ids.a), false, 'not pending any more');
  });

  it('moveTask takes the priority of the task it lands before, or after at the end, and that position', async () => {
    const { engine, ids, queue, release } = await queued({ a: 'urgent', b: 'normal', c: 'normal', d: 'low', e: 'low' });
    assert.equal(engine.moveTask(ids.e, { before: ids.b }), true);
    assert.equal(engine.getTask(ids.e)?.priority, 'normal');
    assert.deepEqual(queue(), ['a', 'e', 'b', 'c', 'd']);
    assert.equal(engine.moveTask(ids.a, { after: ids.d }), true);
    assert.equal(engine.getTask(ids.a)?.priority, 'low');
    assert.deepEqual(queue(), ['e', 'b', 'c', 'd', 'a']);
    assert.equal(engine.moveTask(ids.c, { after: ids.e }), true);
    assert.deepEqual(queue(), ['e', 'c', 'b', 'd', 'a']);
    assert.equal(engine.moveTask(ids.c, { before: ids.c }), false, 'not onto itself');
    assert.equal(engine.moveTask(ids.c, { before: 'nosuch' }), false);
    assert.deepEqual(await release(), ['e', 'c', 'b', 'd', 'a']);
  });

  it('keeps the order through many moves to one place (positions renumbered) and through a rebuilt engine', async () => {
    const names = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`t${i}`, 'normal' as const]));
    const { engine, ids, queue, release, storageDir } = await queued(names);
    // Each move lands between the same two neighbours: the gap halves every time.
    const expected = Object.keys(names);
    for (let i = 0; i < 80; i++) {
      const mover = expected[expected.length - 1];
      engine.moveTask(ids[mover], { before: ids[expected[1]] });
      expected.splice(expected.length - 1, 1);
      expected.splice(1, 0, mover);
      assert.deepEqual(queue(), expected, `after move ${i + 1}`);
    }
    engine.dispose();
    const again = await box.open({ storageDir, maxConcurrentTasks: 1 });
    assert.deepEqual(queue(again), expected, 'the order is kept on disk');
    assert.deepEqual(await release(again), expected);
  });
});
