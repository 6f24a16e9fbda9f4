import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, isAlive, q, readWhenReady, Sandbox, waitFor } from './helpers';

describe('engine: cancel', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('never starts a cancelled pending task', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const dir = box.tempDir();
    engine.spawnTask({ command: `while [ ! -e ${q(path.join(dir, 'go'))} ]; do sleep 0.02; done` });
    const marker = path.join(dir, 'started');
    const victim = engine.spawnTask({ command: `touch ${q(marker)}` });
    // Queued after the victim with a limit of 1: had the victim started, it would have run
    // before this one, so once this one has ended the marker would be there.
    const later = engine.spawnTask({ command: 'true' });
    const victimStates: string[] = [];
    engine.onDidChangeTask((s) => s.id === victim && victimStates.push(s.state.status));
    const result = engine.cancelTask(victim, 'not needed');
    assert.equal(result.ok, true);
    assert.match(result.message, /before it started/);
    const t = engine.getTask(victim)!;
    assert.deepEqual(t.state.status === 'cancelled' && [t.state.reason, t.state.startedAt], ['not needed', undefined]);
    fs.writeFileSync(path.join(dir, 'go'), '');
    assert.equal((await engine.waitForTask(later)).state.status, 'completed');
    assert.ok(!fs.existsSync(marker), 'the cancelled task never ran');
    assert.deepEqual(victimStates, ['cancelled'], 'never running, never pending again');
    assert.equal(engine.getTask(victim)?.state.status, 'cancelled');
  });

  it('ends a running task’s whole process group with SIGTERM', async () => {
    const engine = await box.open();
    const pidFile = path.join(box.tempDir(), 'pids');
    const id = engine.spawnTask({ command: `${q(fixture('sleep-forever.sh'))} ${q(pidFile)}` });
    const [shellPid, childPid] = (await readWhenReady(pidFile)).split(' ').map(Number);
    box.trackTask(await waitFor(() => engine.getTask(id)?.state.status === 'running' && engine.getTask(id), 'running'));
    assert.ok(isAlive(shellPid) && isAlive(childPid));
    const result = engine.cancelTask(id);
    assert.equal(result.ok, true);
    assert.match(result.message, /SIGTERM/);
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'cancelled');
    assert.deepEqual(t.state.status === 'cancelled' && [t.state.reason, t.state.signal], ['cancelled by the user', 'SIGTERM']);
    await waitFor(() => !isAlive(childPid) && !isAlive(shellPid), 'the whole group to end');
  });

  it('kills a program that ignores SIGTERM once the grace period is over', async () => {
    const graceMs = 400;
    const engine = await box.open({ cancelGraceMs: graceMs });
    const ready = path.join(box.tempDir(), 'ready');
    const id = engine.spawnTask({ command: `${q(fixture('ignore-term.sh'))} ${q(ready)}` });
    await waitFor(() => fs.existsSync(ready), 'fixture ready');
    const running = await waitFor(() => engine.getTask(id)?.state.status === 'running' && engine.getTask(id), 'running');
    box.trackTask(running);
    const pid = running.state.status === 'running' ? running.state.pid : -1;
    const asked = Date.now();
    engine.cancelTask(id);
    const t = await engine.waitForTask(id);
    // SIGTERM alone did not end it: it ended with SIGKILL, and no sooner than the grace period.
    assert.ok(Date.now() - asked >= graceMs - 50, `ended ${Date.now() - asked} ms after the cancel`);
    assert.deepEqual(t.state.status === 'cancelled' && t.state.signal, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 'wrapper gone');
  });

  it('says so when cancelling a task that already ended, and changes nothing', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'true' });
    const before = await engine.waitForTask(id);
    const result = engine.cancelTask(id);
    assert.equal(result.ok, false);
    assert.match(result.message, /already ended \(completed\)/);
    assert.deepEqual(engine.getTask(id), before);
  });

  it('refuses an unknown id', async () => {
    const engine = await box.open();
    const result = engine.cancelTask('abcdef');
    assert.equal(result.ok, false);
    assert.match(result.message, /No task with id abcdef/);
  });

  it('applies a changed grace period live', async () => {
    const engine = await box.open({ cancelGraceMs: 60_000 });
    engine.setCancelGraceMs(100);
    const ready = path.join(box.tempDir(), 'ready');
    const id = engine.spawnTask({ command: `${q(fixture('ignore-term.sh'))} ${q(ready)}` });
    await waitFor(() => fs.existsSync(ready), 'fixture ready');
    box.trackTask(engine.getTask(id));
    engine.cancelTask(id);
    const t = await engine.waitForTask(id);
    assert.deepEqual(t.state.status === 'cancelled' && t.state.signal, 'SIGKILL');
  });
});
