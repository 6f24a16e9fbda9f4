import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Sandbox } from './helpers';

describe('engine: long commands and stdin text', function () {
  this.timeout(60_000);
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
});
