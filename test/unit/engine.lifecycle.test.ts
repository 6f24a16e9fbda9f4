import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskSnapshot } from '../../src/core/types';
import { fixture, isAlive, q, readWhenReady, Sandbox, waitFor } from './helpers';

describe('engine: a task’s life', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('goes pending → running → completed, with timestamps, events and a message', async () => {
    const engine = await box.open();
    const seen: string[] = [];
    engine.onDidChangeTask((t) => seen.push(t.state.status));
    const id = engine.spawnTask({ command: 'echo hello', metadata: { suite: 'unit' } });
    assert.match(id, /^[0-9a-f]{6}$/);
    assert.equal(engine.getTask(id)?.state.status, 'pending');
    const done = await engine.waitForTask(id);
    assert.equal(done.state.status, 'completed');
    if (done.state.status !== 'completed') return;
    assert.equal(done.state.exitCode, 0);
    assert.ok(done.state.startedAt >= done.createdAt && done.state.endedAt >= done.state.startedAt);
    assert.deepEqual(seen, ['pending', 'running', 'completed']);
    assert.equal(fs.readFileSync(done.logPath, 'utf8'), 'hello\n');
    assert.match(done.message?.text ?? '', /^\[N\] ¢ \[[0-9a-f]{6}\] ✓ Task completed: echo hello\n[\s\S]*suite: unit/);
    assert.deepEqual({ priority: done.message?.priority, type: done.message?.type }, { priority: 'normal', type: 'code' });
  });

  it('records a non-zero exit as failed with its exit code and the output tail', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: q(fixture('exit2.sh')), priority: 'low' });
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'failed');
    assert.equal(t.state.status === 'failed' && t.state.exitCode, 2);
    assert.equal(t.message?.priority, 'high', 'a failure is raised to high');
    assert.match(t.message?.text ?? '', /about to fail\n {6}something went wrong/);
    assert.deepEqual(engine.readTail(id, 1), ['something went wrong']);
  });

  it('fails with exit code 127 and the shell’s message when the program does not exist', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'no-such-program-xyz --flag' });
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status === 'failed' && t.state.exitCode, 127);
    assert.match(fs.readFileSync(t.logPath, 'utf8'), /no-such-program-xyz: .*not found/);
  });

  it('fails a task whose working folder does not exist, visibly in history', async () => {
    const engine = await box.open();
    const missing = path.join(box.tempDir(), 'gone', 'deeper');
    const id = engine.spawnTask({ command: 'pwd', cwd: missing });
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'failed');
    assert.equal(t.state.status === 'failed' && t.state.error, `working folder does not exist: ${missing}`);
    assert.equal(t.state.status === 'failed' && t.state.startedAt, undefined);
    assert.match(fs.readFileSync(t.logPath, 'utf8'), /working folder does not exist/);
    assert.equal(engine.getAllTasks({ status: 'failed' }).length, 1);
  });

  it('runs in the given cwd (default: defaultCwd) with env added to the inherited one', async () => {
    const cwd = box.tempDir();
    const engine = await box.open({ defaultCwd: cwd });
    process.env.BT_INHERITED = 'yes';
    const id = engine.spawnTask({ command: 'pwd; echo "$BT_ADDED $BT_INHERITED"', env: { BT_ADDED: 'added' } });
    const t = await engine.waitForTask(id);
    delete process.env.BT_INHERITED;
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), `${fs.realpathSync(cwd)}\nadded yes\n`);
    assert.equal(t.cwd, cwd);
    assert.deepEqual(t.envKeys, ['BT_ADDED']);
    assert.ok(!JSON.stringify(t).includes('"added"'), 'env values are not in snapshots');
  });

  it('writes stdout and stderr into one log in write order', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: `${q(fixture('interleave.sh'))} 400` });
    const t = await engine.waitForTask(id);
    const expected = Array.from({ length: 400 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), expected);
  });

  it('completes promptly when a background child still holds stdout open', async () => {
    const engine = await box.open();
    const pidFile = path.join(box.tempDir(), 'child.pid');
    const id = engine.spawnTask({ command: `${q(fixture('background-child.sh'))} ${q(pidFile)}` });
    const t = await engine.waitForTask(id);
    const childPid = Number(await readWhenReady(pidFile));
    box.trackPid(childPid);
    assert.equal(t.state.status, 'completed');
    assert.ok(isAlive(childPid), 'the background child is still running (and holding the log) when the task ends');
  });

  it('runs each task in its own process group, led by its wrapper', async () => {
    const engine = await box.open();
    // Every change is an event: the running state (with its pid) is heard even for a task this short.
    const pids: number[] = [];
    engine.onDidChangeTask((s) => s.state.status === 'running' && pids.push(s.state.pid));
    const id = engine.spawnTask({ command: 'cut -d" " -f5 /proc/$$/stat' });
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    const pgid = Number(fs.readFileSync(t.logPath, 'utf8'));
    assert.notEqual(pgid, Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[2]), 'not the engine’s group');
    assert.deepEqual(pids, [pgid], 'its group is led by the process the engine recorded as running');
  });

  it('uses the configured shell, changeable live', async () => {
    const engine = await box.open({ shell: '/bin/sh' });
    engine.setShell('/bin/bash');
    const id = engine.spawnTask({ command: 'echo "$BASH_VERSION" | cut -c1' });
    assert.match(fs.readFileSync((await engine.waitForTask(id)).logPath, 'utf8'), /^\d\n$/);
    assert.throws(() => engine.setShell(' '), { name: 'TaskOptionsError', field: 'shell' } as object);
  });

  it('emits exactly one finish event per task', async () => {
    const engine = await box.open({ maxConcurrentTasks: 4 });
    const finishes = new Map<string, number>();
    engine.onDidFinishTask((t) => finishes.set(t.id, (finishes.get(t.id) ?? 0) + 1));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(engine.spawnTask({ command: i % 3 === 0 ? 'exit 1' : 'true' }));
    const sleeper = engine.spawnTask({ command: 'sleep 100' });
    const pending = engine.spawnTask({ command: 'true', dependsOn: [sleeper] });
    ids.push(sleeper, pending);
    await waitFor(() => engine.getTask(sleeper)?.state.status === 'running', 'sleeper running');
    engine.cancelTask(pending);
    engine.cancelTask(pending);
    engine.cancelTask(sleeper);
    engine.cancelTask(sleeper);
    await Promise.all(ids.map((id) => engine.waitForTask(id)));
    // A late second finish event would come from a process end or a cancel already under way;
    // one more task started and ended after them all gives those time to show.
    await engine.waitForTask(engine.spawnTask({ command: 'true' }));
    finishes.delete(engine.getAllTasks()[0].id);
    assert.equal(finishes.size, ids.length);
    assert.ok([...finishes.values()].every((n) => n === 1), JSON.stringify([...finishes]));
  });

  it('lists tasks newest first, filtered by one or several statuses', async () => {
    const engine = await box.open();
    const a = engine.spawnTask({ command: 'true' });
    const b = engine.spawnTask({ command: 'exit 3' });
    const c = engine.spawnTask({ command: 'sleep 100', dependsOn: [b] });
    await Promise.all([a, b, c].map((id) => engine.waitForTask(id)));
    assert.deepEqual(engine.getAllTasks().map((t) => t.id), [c, b, a]);
    assert.deepEqual(engine.getAllTasks({ status: 'completed' }).map((t) => t.id), [a]);
    assert.deepEqual(engine.getAllTasks({ status: ['failed', 'cancelled'] }).map((t) => t.id), [c, b]);
    assert.equal(engine.getTask('zzzzzz'), undefined);
  });

  it('reruns a task with the same command, type, priority, cwd, env and metadata', async () => {
    const cwd = box.tempDir();
    const engine = await box.open();
    const first = engine.spawnTask({ command: 'echo "$X" >> out.txt', type: 'system', priority: 'high', cwd, env: { X: 'x1' }, metadata: { k: 1 } });
    await engine.waitForTask(first);
    const again = engine.rerunTask(first);
    assert.notEqual(again, first);
    const t = await engine.waitForTask(again);
    assert.deepEqual([t.command, t.type, t.priority, t.cwd, t.envKeys, t.metadata], ['echo "$X" >> out.txt', 'system', 'high', cwd, ['X'], { k: 1 }]);
    assert.equal(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8'), 'x1\nx1\n');
    assert.throws(() => engine.rerunTask('nope00'), { name: 'TaskOptionsError', field: 'id' } as object);
  });

  it('deletes a removed task’s whole folder, also what is not one of its usual files (stdin text, a later attempt)', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const plain = engine.spawnTask({ command: 'echo out' });
    const piped = engine.spawnTask({ command: 'cat', stdinText: 'x\n' });
    const retried = engine.spawnTask({ command: 'exit 3', retries: 1 });
    const never = engine.spawnTask({ command: 'true', dependsOn: [retried] });
    for (const id of [plain, piped, retried, never]) await engine.waitForTask(id);
    assert.ok(fs.existsSync(path.join(storageDir, 'tasks', retried, 'attempt-2')), 'the retried task has a second attempt’s folder');
    assert.equal(fs.existsSync(engine.logPath(never)), false, 'a task cancelled before it started has no log');
    for (const id of [plain, piped, retried, never]) assert.equal(engine.removeTask(id), true, id);
    const tasksDir = path.join(storageDir, 'tasks');
    await waitFor(
      () => fs.readdirSync(tasksDir).filter((n) => !n.startsWith('.saving')).length === 0,
      () => `tasks/ emptied; still there: ${fs.readdirSync(tasksDir).join(', ')}`,
    );
  });

  it('removes finished tasks with their folders, and clears all finished at once', async () => {
    const engine = await box.open();
    const removedIds: string[] = [];
    engine.onDidRemoveTask((t) => removedIds.push(t.id));
    const a = engine.spawnTask({ command: 'true' });
    const b = engine.spawnTask({ command: 'exit 1' });
    const running = engine.spawnTask({ command: 'sleep 100' });
    await engine.waitForTask(a);
    await engine.waitForTask(b);
    box.trackTask(await waitFor(() => engine.getTask(running)?.state.status === 'running' && engine.getTask(running), 'running'));
    const dirA = path.dirname(engine.getTask(a)!.logPath);
    assert.equal(engine.removeTask(running), false, 'a running task is not removed');
    assert.equal(engine.removeTask(a), true);
    assert.ok(!fs.existsSync(dirA));
    assert.equal(engine.removeTask(a), false);
    assert.equal(engine.clearFinished(), 1);
    assert.deepEqual(removedIds, [a, b]);
    assert.deepEqual(engine.getAllTasks().map((t) => t.id), [running]);
    engine.cancelTask(running);
    await engine.waitForTask(running);
  });

  it('computes statistics: by status, type, priority, running and queued now, success rate, mean and p95', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const ids = [
      engine.spawnTask({ command: 'true', type: 'system', priority: 'urgent' }),
      engine.spawnTask({ command: 'true' }),
      engine.spawnTask({ command: 'exit 1', priority: 'low' }),
    ];
    await Promise.all(ids.map((id) => engine.waitForTask(id)));
    const blocker = engine.spawnTask({ command: 'sleep 100' });
    engine.spawnTask({ command: 'true' });
    await waitFor(() => engine.getTask(blocker)?.state.status === 'running', 'blocker running');
    const s = engine.getStatistics();
    assert.equal(s.totalTasks, 5);
    assert.deepEqual(s.byStatus, { pending: 1, running: 1, completed: 2, failed: 1, cancelled: 0 });
    assert.deepEqual(s.byType, { code: 4, system: 1 });
    assert.deepEqual(s.byPriority, { urgent: 1, high: 0, normal: 3, low: 1 });
    assert.deepEqual([s.maxConcurrent, s.runningNow, s.queuedNow], [1, 1, 1]);
    assert.ok(Math.abs((s.successRate ?? 0) - 2 / 3) < 1e-9);
    assert.ok(typeof s.meanDurationMs === 'number' && typeof s.p95DurationMs === 'number');
    assert.ok(s.p95DurationMs >= 0 && s.meanDurationMs >= 0);
    engine.cancelTask(blocker);
    await engine.waitForTask(blocker);
  });

  it('hands out read-only snapshots that do not change behind the caller', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'true', metadata: { a: 1 } });
    const before: TaskSnapshot = engine.getTask(id)!;
    await engine.waitForTask(id);
    assert.equal(before.state.status, 'pending');
    assert.throws(() => ((before.metadata as Record<string, unknown>).a = 2));
  });
});
