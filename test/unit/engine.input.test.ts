import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { q, Sandbox, waitFor } from './helpers';

describe('engine: long commands and stdin text', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('runs a command longer than one argument may be (200 KiB, beyond MAX_ARG_STRLEN)', async () => {
    const engine = await box.open();
    const word = 'x'.repeat(200 * 1024);
    // A quote and a second line prove the file runs as `-c` would: same parsing, same exit.
    const id = engine.spawnTask({ command: `echo ${word} "it's"\nexit 3` });
    const t = await engine.waitForTask(id);
    assert.deepEqual(t.state.status === 'failed' && [t.state.exitCode, t.state.error], [3, undefined]);
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), `${word} it's\n`);
    const file = path.join(path.dirname(t.logPath), 'command');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the command file is private');
  });

  it('runs a short command without a command file', async () => {
    const engine = await box.open();
    const t = await engine.waitForTask(engine.spawnTask({ command: 'echo short' }));
    assert.equal(t.state.status, 'completed');
    assert.ok(!fs.existsSync(path.join(path.dirname(t.logPath), 'command')));
  });

  it('gives stdinText to the process from a private file in the task’s folder, removed with the task', async () => {
    const engine = await box.open();
    const text = 'secret line 1\nline "2" with \'quotes\' and é\n';
    const id = engine.spawnTask({ command: 'cat; echo "[end]"', stdinText: text });
    const stdinFile = path.join(path.dirname(engine.logPath(id)), 'stdin');
    assert.equal(fs.statSync(stdinFile).mode & 0o777, 0o600);
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    assert.equal(t.mode, 'piped');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), `${text}[end]\n`);
    assert.ok(!JSON.stringify(t).includes('secret'), 'the text is not in the snapshot');
    assert.ok(!fs.readFileSync(path.join(path.dirname(t.logPath), 'task.json'), 'utf8').includes('secret'), 'nor in task.json');
    assert.equal(engine.removeTask(id), true);
    assert.ok(!fs.existsSync(stdinFile), 'removed with the task');
  });

  it('gives a rerun the same stdin text', async () => {
    const engine = await box.open();
    const first = await engine.waitForTask(engine.spawnTask({ command: 'tr a-z A-Z', stdinText: 'again\n' }));
    const again = await engine.waitForTask(engine.rerunTask(first.id));
    assert.notEqual(again.id, first.id);
    assert.equal(fs.readFileSync(again.logPath, 'utf8'), 'AGAIN\n');
    engine.removeTask(first.id);
    const third = await engine.waitForTask(engine.rerunTask(again.id));
    assert.equal(fs.readFileSync(third.logPath, 'utf8'), 'AGAIN\n', 'its own copy, not the removed task’s');
  });

  it('keeps the stdin text of a running task for an engine rebuilt on the same storage', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const first = await box.open({ storageDir });
    // Reads one line, waits, then reads the rest: the file must still be there for it.
    const id = first.spawnTask({ command: `read a; echo "got $a"; while [ ! -e ${q(go)} ]; do sleep 0.02; done; cat`, stdinText: 'one\ntwo\n' });
    await waitFor(() => fs.existsSync(first.logPath(id)) && fs.readFileSync(first.logPath(id), 'utf8') === 'got one\n', 'the first line read');
    box.trackTask(first.getTask(id));
    first.dispose();
    const second = await box.open({ storageDir });
    assert.equal(second.getTask(id)?.state.status, 'running');
    assert.ok(fs.existsSync(path.join(path.dirname(second.logPath(id)), 'stdin')));
    fs.writeFileSync(go, '');
    const t = await second.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'got one\ntwo\n');
  });

  it('refuses stdinText that is not a string, or given with another input', async () => {
    const engine = await box.open();
    const from = await engine.waitForTask(engine.spawnTask({ command: 'true' }));
    assert.throws(() => engine.spawnTask({ command: 'cat', stdinText: 5 as unknown as string }), { name: 'TaskOptionsError', field: 'stdinText' } as object);
    assert.throws(() => engine.spawnTask({ command: 'cat', stdinText: 'x', stdinFrom: from.id }), { name: 'TaskOptionsError', field: 'stdinText' } as object);
    assert.equal(engine.getAllTasks().length, 1);
  });
});
