import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resultOf } from '../../src/core/format';
import { isAlive, q, readWhenReady, Sandbox, waitFor } from './helpers';
import { procState, until } from './queueHelpers';

/** A program that ignores SIGTERM, records its pid, and runs until killed. */
const stubborn = (pidFile: string): string => `trap '' TERM; echo $$ > ${q(pidFile)}; while :; do sleep 0.05; done`;

describe('engine: timeouts', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('stops a program that ignores SIGTERM at its timeout (SIGKILL after the grace period): failed, "timed out after 1s"', async () => {
    const engine = await box.open({ cancelGraceMs: 300 });
    const pidFile = path.join(box.tempDir(), 'pid');
    const id = engine.spawnTask({ command: stubborn(pidFile), timeoutSeconds: 1 });
    assert.equal(engine.getTask(id)?.timeoutSeconds, 1);
    const pid = Number(await readWhenReady(pidFile));
    box.trackPid(pid);
    const end = await engine.waitForTask(id);
    const s = end.state;
    assert.equal(s.status, 'failed');
    assert.ok(s.status === 'failed');
    assert.equal(s.error, 'timed out after 1s');
    assert.equal(s.timedOut, true);
    assert.equal(s.signal, 'SIGKILL');
    assert.equal(resultOf(end), 'timed out after 1s');
    assert.ok(s.endedAt - s.startedAt! >= 1000, 'not stopped before its time');
    assert.equal(isAlive(pid), false, 'the program is gone');
    assert.match(end.message!.text, /timed out after 1s/);
    assert.equal(engine.getStatistics().timedOut, 1);
  });

  it('takes the default timeout from setDefaultTimeoutSeconds; 0 given means none', async () => {
    const engine = await box.open({ cancelGraceMs: 200 });
    engine.setDefaultTimeoutSeconds(1);
    const go = path.join(box.tempDir(), 'go');
    const byDefault = engine.spawnTask({ command: until(go) });
    const none = engine.spawnTask({ command: until(go), timeoutSeconds: 0 });
    assert.equal(engine.getTask(byDefault)?.timeoutSeconds, 1);
    assert.equal(engine.getTask(none)?.timeoutSeconds, undefined);
    const end = await engine.waitForTask(byDefault);
    assert.ok(end.state.status === 'failed' && end.state.timedOut);
    assert.equal(engine.getTask(none)?.state.status, 'running');
    fs.writeFileSync(go, '');
    assert.equal((await engine.waitForTask(none)).state.status, 'completed');
    assert.throws(() => engine.setDefaultTimeoutSeconds(-1), { name: 'TaskOptionsError', field: 'defaultTimeoutSeconds' } as object);
  });

  it('counts running time only: a paused task does not time out, and its clock goes on when resumed', async () => {
    const engine = await box.open({ cancelGraceMs: 200 });
    const dir = box.tempDir();
    const started = path.join(dir, 'started');
    const id = engine.spawnTask({ command: `touch ${q(started)}; sleep 600`, timeoutSeconds: 1 });
    await waitFor(() => fs.existsSync(started) && engine.getTask(id)?.state.status === 'running', 'its command running');
    box.trackTask(engine.getTask(id));
    assert.equal(engine.pauseTask(id), true);
    const pausedAt = Date.now();
    // Two seconds paused by the task's own clock: a helper task measures them (not a sleep deciding the result).
    const witness = engine.spawnTask({ command: 'sleep 2' });
    await engine.waitForTask(witness);
    assert.equal(engine.getTask(id)?.state.status, 'running', 'not timed out while paused');
    assert.ok(Date.now() - pausedAt >= 2000);
    engine.resumeTask(id);
    const end = await engine.waitForTask(id);
    assert.ok(end.state.status === 'failed' && end.state.timedOut);
    assert.ok(end.state.status === 'failed' && (end.state.pausedMs ?? 0) >= 2000, 'its pause is recorded');
  });

  it('keeps a reattached task’s deadline when the engine is rebuilt on the same storage', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir, cancelGraceMs: 200 });
    const timeout = 4;
    const id = engine.spawnTask({ command: 'sleep 600', timeoutSeconds: timeout });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'running');
    box.trackTask(engine.getTask(id));
    const startedAt = (engine.getTask(id)!.state as { startedAt: number }).startedAt;
    engine.dispose();
    // No engine watches it past its deadline; the next one must stop it at once, not start the clock again.
    await waitFor(() => Date.now() > startedAt + timeout * 1000 + 500, 'its deadline passed');
    const reopenedAt = Date.now();
    const again = await box.open({ storageDir, cancelGraceMs: 200 });
    const end = await again.waitForTask(id);
    assert.ok(end.state.status === 'failed' && end.state.timedOut, JSON.stringify(end.state));
    assert.ok(end.state.endedAt - reopenedAt < timeout * 1000, 'stopped on its old deadline, not a new one');
  });

  it('records the timeout when the engine that began the stop went away (timingOut on disk before the signal)', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir, cancelGraceMs: 600_000 });
    const pidFile = path.join(box.tempDir(), 'pid');
    const id = engine.spawnTask({ command: stubborn(pidFile), timeoutSeconds: 1 });
    const pid = Number(await readWhenReady(pidFile));
    box.trackPid(pid);
    await waitFor(() => {
      const s = engine.getTask(id)?.state;
      return s?.status === 'running' && s.timingOut !== undefined;
    }, 'the timeout reached');
    const onDisk = JSON.parse(fs.readFileSync(path.join(storageDir, 'tasks', id, 'task.json'), 'utf8')) as { state: { timingOut?: unknown } };
    assert.ok(onDisk.state.timingOut, 'timingOut is in task.json');
    engine.dispose();
    assert.equal(isAlive(pid), true, 'it ignores SIGTERM, and the grace period is long');
    assert.notEqual(procState(pid), 'Z');
    const again = await box.open({ storageDir, cancelGraceMs: 200 });
    const end = await again.waitForTask(id);
    assert.ok(end.state.status === 'failed' && end.state.timedOut && end.state.error === 'timed out after 1s', JSON.stringify(end.state));
    await waitFor(() => !isAlive(pid), 'the program killed by the new engine');
  });

  it('refuses bad timeouts, naming the field', async () => {
    const engine = await box.open();
    for (const bad of [-1, Number.NaN, '5', Infinity]) {
      assert.throws(() => engine.spawnTask({ command: 'true', timeoutSeconds: bad as number }), { name: 'TaskOptionsError', field: 'timeoutSeconds' } as object);
    }
  });
});
