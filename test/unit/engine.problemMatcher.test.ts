// The engine keeps a task's problem matcher with the task: on disk, through a reload, on rerun.
import * as assert from 'node:assert/strict';
import { Sandbox } from './helpers';

describe('engine: problemMatcher option', () => {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('keeps the matcher in the snapshot, through a reload of the engine, and on rerun', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const inline = { owner: 'x', pattern: { regexp: '^(.*):(\\d+): (.*)$', file: 1, line: 2, message: 3 } };
    const id = engine.spawnTask({ command: 'true', problemMatcher: ['$tsc', inline] });
    assert.deepEqual(engine.getTask(id)?.problemMatcher, ['$tsc', inline]);
    assert.throws(() => (engine.getTask(id)?.problemMatcher as string[]).push('$gcc'), TypeError, 'a snapshot cannot change the task');
    await engine.waitForTask(id);
    engine.dispose();
    const reopened = await box.open({ storageDir });
    assert.deepEqual(reopened.getTask(id)?.problemMatcher, ['$tsc', inline]);
    const again = reopened.rerunTask(id);
    assert.deepEqual(reopened.getTask(again)?.problemMatcher, ['$tsc', inline]);
    await reopened.waitForTask(again);
  });

  it('has none unless one is given', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'true' });
    assert.equal(engine.getTask(id)?.problemMatcher, undefined);
    await engine.waitForTask(id);
  });

  it('refuses a matcher of the wrong shape, naming the field', async () => {
    const engine = await box.open();
    for (const bad of ['', 42, { owner: 'no pattern' }, ['$tsc', null]]) {
      assert.throws(() => engine.spawnTask({ command: 'true', problemMatcher: bad as never }), { name: 'TaskOptionsError', field: 'problemMatcher' } as object);
    }
  });
});
