import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import { TaskOptionsError } from '../../src/core/engine';
import type { SpawnOptions } from '../../src/core/types';
import { Sandbox, waitFor } from './helpers';

function refuses(engine: TaskEngine, options: unknown, field: string, message?: RegExp): void {
  assert.throws(
    () => engine.spawnTask(options as SpawnOptions),
    (err: unknown) => {
      assert.ok(err instanceof TaskOptionsError, `expected TaskOptionsError, got ${String(err)}`);
      assert.ok(err instanceof Error);
      assert.equal(err.field, field);
      if (message) assert.match(err.message, message);
      return true;
    },
  );
}

describe('engine: bad options are refused at once, naming the field', () => {
  const box = new Sandbox();
  let engine: TaskEngine;
  before(async () => {
    engine = await box.open();
  });
  after(() => box.cleanup());

  it('refuses an empty command', () => refuses(engine, { command: '' }, 'command', /empty/));
  it('refuses a blank command', () => refuses(engine, { command: ' \t\n ' }, 'command', /empty/));
  it('refuses a missing command', () => refuses(engine, {}, 'command', /must be a string .*got nothing/));
  it('refuses a command that is not a string, saying so', () => {
    const before = engine.getAllTasks().length;
    refuses(engine, { command: 42 }, 'command', /must be a string .*got a number/);
    refuses(engine, { command: ['ls', '-l'] }, 'command', /must be a string .*got a list/);
    refuses(engine, { command: null }, 'command', /must be a string .*got null/);
    assert.equal(engine.getAllTasks().length, before, 'nothing was queued');
  });
  it('refuses an unknown type', () => refuses(engine, { command: 'true', type: 'docs' }, 'type', /"code", "system"/));
  it('refuses an unknown priority', () => refuses(engine, { command: 'true', priority: 'asap' }, 'priority', /urgent/));
  it('refuses an unknown mode', () => refuses(engine, { command: 'true', mode: 'sync' }, 'mode'));
  it('refuses piped mode without an input', () => refuses(engine, { command: 'true', mode: 'piped' }, 'mode'));
  it('refuses a dependency that does not exist', () => refuses(engine, { command: 'true', dependsOn: ['000000'] }, 'dependsOn', /000000/));
  it('refuses a stdin source that does not exist', () => refuses(engine, { command: 'cat', stdinFrom: 'ffffff' }, 'stdinFrom', /ffffff/));
  it('refuses a stdin file that does not exist', () => refuses(engine, { command: 'cat', stdinFile: '/no/such/file' }, 'stdinFile'));
  it('refuses metadata that is not plain values', () => {
    refuses(engine, { command: 'true', metadata: { nested: { a: 1 } } }, 'metadata', /nested/);
    refuses(engine, { command: 'true', metadata: { n: Number.NaN } }, 'metadata');
    refuses(engine, { command: 'true', metadata: 'text' }, 'metadata');
  });
  it('refuses env values that are not strings', () => refuses(engine, { command: 'true', env: { A: 1 } }, 'env', /"A"/));

  it('refuses a dependency cycle', () => {
    const root = engine.spawnTask({ command: 'sleep 100' });
    const a = engine.spawnTask({ command: 'true', dependsOn: [root] });
    const b = engine.spawnTask({ command: 'true', dependsOn: [a] });
    const c = engine.spawnTask({ command: 'cat', stdinFrom: b });
    // c already waits (through b) for a; making a wait for c closes the loop.
    assert.throws(() => engine.addDependencies(a, [c]), { name: 'TaskOptionsError', field: 'dependsOn', message: /cycle/ } as object);
    assert.throws(() => engine.addDependencies(a, [a]), { name: 'TaskOptionsError', field: 'dependsOn' } as object);
    assert.deepEqual(engine.getTask(a)?.dependsOn, [root], 'nothing changed');
    engine.addDependencies(c, [root]);
    assert.deepEqual(engine.getTask(c)?.dependsOn, [root]);
    engine.cancelTask(root);
  });

  it('leaves no task behind for a refused option', () => {
    const before = engine.getAllTasks().length;
    refuses(engine, { command: '   ' }, 'command');
    assert.equal(engine.getAllTasks().length, before);
  });

  it('says what to do when the storage folder cannot take a new task, and keeps nothing of it', async () => {
    const storageDir = box.tempDir();
    const broken = await box.open({ storageDir });
    const kept = broken.spawnTask({ command: 'true' });
    await broken.waitForTask(kept);
    // Root ignores permission bits, so make the tasks folder unusable another way: a file in its place.
    const tasks = path.join(storageDir, 'tasks');
    fs.renameSync(tasks, `${tasks}.moved`);
    fs.writeFileSync(tasks, 'not a folder');
    assert.throws(() => broken.spawnTask({ command: 'echo never' }), /Cannot create the task's folder in .*tasks \(ENOTDIR\): check that the folder exists, is writable/);
    assert.deepEqual(broken.getAllTasks().map((t) => t.id), [kept]);
  });

  it('survives a storage that refuses a background save (no exception in a timer), and saves once it can', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir, maxConcurrentTasks: 1 });
    const staging = path.join(storageDir, 'tasks', '.saving');
    fs.writeFileSync(staging, 'in the way'); // root ignores permissions: a file where the staging folder goes
    const blocker = engine.spawnTask({ command: 'sleep 0.5' });
    const queued = engine.spawnTask({ command: 'echo later' });
    await waitFor(() => box.warnings.some((w) => w.includes(`could not save task`)), 'a warning about the failed save');
    fs.rmSync(staging);
    const file = path.join(storageDir, 'tasks', queued, 'task.json');
    await waitFor(() => fs.existsSync(file), 'the save to land once the storage takes it');
    assert.equal((await engine.waitForTask(blocker)).state.status, 'completed');
    assert.equal((await engine.waitForTask(queued)).state.status, 'completed');
  });
});
