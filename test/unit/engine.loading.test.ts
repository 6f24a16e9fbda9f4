import * as assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TaskStore, type TaskRecord } from '../../src/core/store';
import { Sandbox } from './helpers';

/** A storage folder holding `count` finished tasks, written with the engine's own store. */
function history(box: Sandbox, count: number): string {
  const storageDir = box.tempDir();
  const store = new TaskStore(storageDir);
  store.init();
  for (let i = 1; i <= count; i++) {
    const at = 1_700_000_000_000 + i;
    const record: TaskRecord = {
      id: i.toString(16).padStart(6, '0'), seq: i, command: `echo ${i}`, type: 'code', priority: 'normal', mode: 'background',
      metadata: { note: 'x'.repeat(200) }, cwd: '/', env: {}, dependsOn: [], createdAt: at,
      state: { status: 'completed', startedAt: at, endedAt: at + 1, exitCode: 0 },
    };
    store.create(record);
  }
  return storageDir;
}

describe('engine: loading the history without blocking', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('is usable at once while thousands of tasks load in short slices, then lists them all', async () => {
    const count = 3000;
    const storageDir = history(box, count);
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    let turns = 0;
    const counter = setInterval(() => turns++, 0);
    const engine = await box.open({ storageDir, loaded: false, historyLimit: count + 10 });
    assert.equal(engine.isLoading, true);
    const loads: number[] = [];
    engine.onDidLoad(() => loads.push(engine.getAllTasks().length));
    // Works at once: queued, run and finished while the history still loads.
    const id = engine.spawnTask({ command: 'echo new' });
    const early = engine.getAllTasks().length;
    assert.ok(early < count, `only what is loaded is listed so far (${early})`);
    await engine.ready;
    clearInterval(counter);
    delay.disable();
    assert.equal(engine.isLoading, false);
    assert.deepEqual(loads, [count + 1], 'onDidLoad fired once, with everything listed');
    assert.equal(engine.getAllTasks()[0].id, id, 'a task queued while loading is listed after the whole history');
    assert.equal((await engine.waitForTask(id)).state.status, 'completed');
    // Timers ran between the slices (a load in one piece would let none run). The delays
    // themselves are the benchmark's to measure: on a shared machine they say more about the load.
    assert.ok(turns >= 3, `the event loop turned while loading (${turns} times; longest delay ${(delay.max / 1e6).toFixed(1)} ms)`);
  });

  it('waits for a task of the history that is not loaded yet, and refuses an unknown id once it is', async () => {
    const count = 3000;
    const storageDir = history(box, count);
    const engine = await box.open({ storageDir, loaded: false, historyLimit: count + 10 });
    const last = count.toString(16).padStart(6, '0');
    assert.equal(engine.isLoading, true);
    const waited = engine.waitForTask(last);
    const unknown = engine.waitForTask('ffffff');
    assert.equal((await waited).command, `echo ${count}`);
    await assert.rejects(unknown, /No task with id "ffffff"/);
  });

  it('with deferHistory, reads nothing and fires nothing until loadHistory(), then announces what ended while nobody watched', async () => {
    const storageDir = history(box, 3);
    const store = new TaskStore(storageDir);
    const at = 1_700_000_100_000;
    // Running when its window went away; its process is gone without a trace.
    store.create({
      id: 'aaaaaa', seq: 4, command: 'sleep 8', type: 'code', priority: 'normal', mode: 'background',
      metadata: {}, cwd: '/', env: {}, dependsOn: [], createdAt: at,
      state: { status: 'running', startedAt: at, pid: 2_147_483_646, pidStartTime: '1' },
    });
    const engine = await box.open({ storageDir, loaded: false, deferHistory: true });
    const heard: string[] = [];
    engine.onDidFinishTask((t) => heard.push(`finished ${t.id} ${t.state.status}`));
    engine.onDidLoad(() => heard.push('loaded'));
    // Turns in which activate() would register its listeners one group at a time.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(engine.isLoading, true);
    assert.deepEqual(engine.getAllTasks(), []);
    assert.deepEqual(heard, []);
    engine.loadHistory();
    engine.loadHistory();
    await engine.ready;
    assert.deepEqual(heard, ['finished aaaaaa failed', 'loaded']);
    assert.equal(engine.getAllTasks().length, 4);
  });

  it('with deferHistory, an engine disposed before loadHistory() is ready at once', async () => {
    const engine = await box.open({ loaded: false, deferHistory: true });
    engine.dispose();
    await engine.ready;
    assert.equal(engine.isLoading, true);
  });

  it('keeps the newest-ended tasks of a history over the limit, whatever the order the folders are read in', async () => {
    const storageDir = history(box, 60);
    const engine = await box.open({ storageDir, historyLimit: 10 });
    const kept = engine.getAllTasks().map((t) => t.command);
    assert.deepEqual(kept, Array.from({ length: 10 }, (_, k) => `echo ${60 - k}`));
    // One more finish removes the oldest of those ten, not one found later on disk.
    await engine.waitForTask(engine.spawnTask({ command: 'true' }));
    assert.equal(engine.getAllTasks().length, 10);
    assert.ok(!engine.getAllTasks().some((t) => t.command === 'echo 51'), 'echo 51, the oldest kept, went first');
  });

  it('loads an empty or missing history at once', async () => {
    const engine = await box.open({ loaded: false });
    await engine.ready;
    assert.deepEqual(engine.getAllTasks(), []);
  });
});
