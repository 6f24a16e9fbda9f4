import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import { processStartTime } from '../../src/core/procinfo';
import type { TaskSnapshot } from '../../src/core/types';
import { fixture, happenedBefore, isAlive, q, recordStates, Sandbox, waitFor } from './helpers';

const until = (file: string): string => `while [ ! -e ${q(file)} ]; do sleep 0.02; done`;
const taskJson = (engine: TaskEngine, id: string): string => path.join(path.dirname(engine.logPath(id)), 'task.json');
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

describe('engine: storage, restore and reattach', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('stores tasks/<id>/{task.json,output.log,exit} with folders 0700 and files 0600', async () => {
    const storageDir = path.join(box.tempDir(), 'fresh', 'storage');
    const engine = await box.open({ storageDir });
    const id = engine.spawnTask({ command: 'echo secret', env: { TOKEN: 's3cr3t' } });
    await engine.waitForTask(id);
    const dir = path.join(storageDir, 'tasks', id);
    // The end is written in the thread pool, right after the finish event (task.json of a
    // task this short may be written then for the first time).
    const saved = await waitFor(() => {
      if (!fs.existsSync(path.join(dir, 'task.json'))) return undefined;
      const s = JSON.parse(fs.readFileSync(path.join(dir, 'task.json'), 'utf8'));
      return s.state.status === 'completed' && s;
    }, 'the end on disk');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['exit', 'output.log', 'pid', 'task.json']);
    assert.equal(mode(path.join(storageDir, 'tasks')), 0o700);
    assert.equal(mode(dir), 0o700);
    for (const f of ['exit', 'output.log', 'pid', 'task.json']) assert.equal(mode(path.join(dir, f)), 0o600, f);
    assert.equal(fs.readFileSync(path.join(dir, 'exit'), 'utf8'), '0\n');
    assert.deepEqual(saved.env, { TOKEN: 's3cr3t' }, 'env kept on disk so a rerun has it');
  });

  it('restores history in a new engine on the same storage', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const ok = first.spawnTask({ command: 'echo one', metadata: { k: 'v' } });
    const bad = first.spawnTask({ command: 'exit 5', type: 'system' });
    await first.waitForTask(ok);
    await first.waitForTask(bad);
    const before = first.getAllTasks();
    first.dispose();
    const second = await box.open({ storageDir });
    assert.deepEqual(second.getAllTasks(), before);
    const again = second.spawnTask({ command: 'true' });
    assert.notEqual(again, ok);
    assert.equal(second.getAllTasks()[0].id, again, 'new tasks still list first');
  });

  it('queues pending tasks again after a restart', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const first = await box.open({ storageDir, maxConcurrentTasks: 1 });
    const blocker = first.spawnTask({ command: until(go) });
    await waitFor(() => first.getTask(blocker)?.state.status === 'running', 'blocker running');
    const waiting = first.spawnTask({ command: 'echo later', priority: 'high' });
    box.trackTask(first.getTask(blocker));
    first.dispose();
    const second = await box.open({ storageDir, maxConcurrentTasks: 1 });
    const states = recordStates(second);
    assert.equal(second.getTask(blocker)?.state.status, 'running');
    // A verbose task ends only after a scheduling pass has looked at the waiting one.
    await second.waitForTask(second.spawnTask({ command: 'true', mode: 'verbose' }));
    assert.equal(second.getTask(waiting)?.state.status, 'pending', 'the reattached task still holds the slot');
    fs.writeFileSync(go, '');
    const t = await second.waitForTask(waiting);
    // The reattached task held the slot: the waiting one started only once it had ended.
    happenedBefore(states.events, `${blocker}:completed`, `${waiting}:running`);
    assert.equal(t.state.status, 'completed');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'later\n');
  });

  it('reattaches a running task after the engine is thrown away mid-task', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: `echo before; ${until(go)}; echo after; exit 3` });
    await waitFor(() => first.getTask(id)?.state.status === 'running', 'running');
    const running = first.getTask(id)!;
    box.trackTask(running);
    first.dispose();
    assert.ok(running.state.status === 'running' && isAlive(running.state.pid), 'dispose left the process alive');
    const second = await box.open({ storageDir });
    const finishes: TaskSnapshot[] = [];
    second.onDidFinishTask((t) => finishes.push(t));
    // Watched again, same process; its start time is now the one its pid file gives (the
    // running state is not written, the pid file proves it), within a few ms of the first's.
    const again = second.getTask(id)!.state;
    assert.ok(again.status === 'running' && running.state.status === 'running');
    assert.deepEqual([again.pid, again.pidStartTime], [running.state.pid, running.state.pidStartTime], 'watched again, same pid');
    assert.ok(Math.abs(again.startedAt - running.state.startedAt) < 1000);
    fs.writeFileSync(go, '');
    const t = await second.waitForTask(id);
    assert.equal(t.state.status === 'failed' && t.state.exitCode, 3, 'result from the wrapper’s exit file');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'before\nafter\n');
    // A second finish event would come from the same end being seen twice: one more task's end comes after it.
    const sentinel = await second.waitForTask(second.spawnTask({ command: 'true' }));
    assert.deepEqual(finishes.map((f) => f.id), [id, sentinel.id]);
  });

  it('cancels a reattached task through its process group', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'sleep 1000' });
    await waitFor(() => first.getTask(id)?.state.status === 'running', 'running');
    const running = first.getTask(id)!;
    box.trackTask(running);
    first.dispose();
    const second = await box.open({ storageDir });
    assert.equal(second.cancelTask(id).ok, true);
    const t = await second.waitForTask(id);
    assert.equal(t.state.status, 'cancelled');
    assert.ok(running.state.status === 'running');
    await waitFor(() => running.state.status === 'running' && !isAlive(running.state.pid), 'process gone');
  });

  it('finishes a cancel that an engine thrown away had started (SIGKILL after the grace period)', async () => {
    const storageDir = box.tempDir();
    const ready = path.join(box.tempDir(), 'ready');
    const first = await box.open({ storageDir, cancelGraceMs: 60_000 });
    const id = first.spawnTask({ command: `${q(fixture('ignore-term.sh'))} ${q(ready)}` });
    await waitFor(() => fs.existsSync(ready), 'fixture ready');
    const running = await waitFor(() => first.getTask(id)?.state.status === 'running' && first.getTask(id), 'running');
    box.trackTask(running);
    first.cancelTask(id, 'stop it');
    first.dispose();
    const second = await box.open({ storageDir, cancelGraceMs: 200 });
    assert.equal(second.getTask(id)?.state.status, 'running');
    const t = await second.waitForTask(id);
    assert.ok(t.state.status === 'cancelled' && running.state.status === 'running');
    assert.deepEqual([t.state.reason, t.state.signal], ['stop it', 'SIGKILL']);
    const pid = running.state.pid;
    await waitFor(() => !isAlive(pid), 'process gone');
  });

  it('finishes a cancel whose wrapper ended before the engine came back, while a program of its group ignores SIGTERM (SIGKILL to the group)', async () => {
    const storageDir = box.tempDir();
    const ready = path.join(box.tempDir(), 'ready');
    const first = await box.open({ storageDir, cancelGraceMs: 60_000 });
    // The task's shell dies of the SIGTERM; its background child ignores it and stays in the group.
    const id = first.spawnTask({ command: `${q(fixture('ignore-term.sh'))} ${q(ready)} & wait` });
    await waitFor(() => fs.existsSync(ready), 'fixture ready');
    const running = await waitFor(() => first.getTask(id)?.state.status === 'running' && first.getTask(id), 'running');
    box.trackTask(running);
    first.cancelTask(id, 'stop it');
    first.dispose();
    // The wrapper is the command's shell (commandShell.ts): it dies of the SIGTERM, leaving no exit file.
    const pid = running.state.status === 'running' ? running.state.pid : 0;
    await waitFor(() => !isAlive(pid), 'the wrapper gone');
    // Its grace period ends before the first poll notices that the wrapper has gone.
    const second = await box.open({ storageDir, cancelGraceMs: 200, pollIntervalMs: 1500 });
    const t = await second.waitForTask(id);
    assert.equal(t.state.status, 'cancelled');
    assert.deepEqual([t.state.reason, t.state.signal], ['stop it', 'SIGKILL']);
    await waitFor(() => {
      try {
        process.kill(-pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the whole group gone');
  });

  it('records the result of a task that ended while no engine was watching, with one finish event', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: `${until(go)}; echo done` });
    await waitFor(() => first.getTask(id)?.state.status === 'running', 'running');
    box.trackTask(first.getTask(id));
    first.dispose();
    fs.writeFileSync(go, '');
    const exitFile = path.join(path.dirname(first.logPath(id)), 'exit');
    await waitFor(() => fs.existsSync(exitFile), 'the wrapper to record the exit');
    const second = await box.open({ storageDir });
    assert.equal(second.getTask(id)?.state.status, 'completed');
    const finishes: string[] = [];
    second.onDidFinishTask((t) => finishes.push(t.id));
    // Announced later in the turn of the first listener: one more task's end comes after it.
    const sentinel = await second.waitForTask(second.spawnTask({ command: 'true' }));
    assert.deepEqual(finishes, [id, sentinel.id], 'announced after open() resolved');
    // Open a third time: it had finished before this open, so nothing is announced again.
    second.dispose();
    const third = await box.open({ storageDir });
    const again: string[] = [];
    third.onDidFinishTask((t) => again.push(t.id));
    const last = await third.waitForTask(third.spawnTask({ command: 'true' }));
    assert.deepEqual(again, [last.id]);
  });

  it('never runs a task twice when its running state had not reached task.json (crash right after the start)', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: `echo started; ${until(go)}; echo once` });
    await waitFor(() => first.getTask(id)?.state.status === 'running', 'running');
    const running = first.getTask(id)!;
    box.trackTask(running);
    first.dispose();
    // What a crash before the background save leaves: task.json still says pending.
    const file = taskJson(first, id);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    saved.state = { status: 'pending', enqueuedAt: saved.createdAt };
    fs.writeFileSync(file, JSON.stringify(saved));
    const second = await box.open({ storageDir });
    const adopted = second.getTask(id)!;
    assert.ok(adopted.state.status === 'running' && running.state.status === 'running');
    assert.equal(adopted.state.pid, running.state.pid, 'the same process, watched again');
    fs.writeFileSync(go, '');
    const t = await second.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'started\nonce\n', 'the command ran once');
  });

  it('does not adopt a pid that now belongs to another process, and does not run the task again', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'echo ran' });
    await first.waitForTask(id);
    first.dispose();
    const other = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
    box.trackPid(other.pid!);
    const dir = path.dirname(first.logPath(id));
    fs.rmSync(path.join(dir, 'exit'));
    fs.writeFileSync(path.join(dir, 'pid'), `${other.pid}\n`);
    const file = taskJson(first, id);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    saved.state = { status: 'pending', enqueuedAt: saved.createdAt };
    fs.writeFileSync(file, JSON.stringify(saved));
    const second = await box.open({ storageDir });
    const t = second.getTask(id)!;
    assert.ok(t.state.status === 'failed');
    assert.equal(t.state.error, 'lost');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'ran\n', 'not started again');
    assert.ok(isAlive(other.pid!), 'the other process is left alone');
  });

  it('marks a task failed "lost" when its pid is alive but is another process', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'sleep 1000' });
    const running = await waitFor(() => first.getTask(id)?.state.status === 'running' && first.getTask(id)!.state, 'running');
    box.trackTask(first.getTask(id));
    first.dispose();
    // Another process that is alive: a running state on disk that points at it, with the start
    // time recorded for the task's own process.
    // Start times count clock ticks (10 ms): one started in the task's own tick would be the same
    // process to any check, so start another until its start time differs.
    const recorded = running.status === 'running' ? running.pidStartTime : undefined;
    let other = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
    for (;;) {
      box.trackPid(other.pid!);
      box.trackGroup(other.pid!);
      const pid = other.pid!;
      const started = await waitFor(() => processStartTime(pid), 'the other process to start');
      if (started !== recorded) break;
      other.kill('SIGKILL');
      other = spawn('sleep', ['1000'], { stdio: 'ignore', detached: true });
    }
    const file = taskJson(first, id);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    saved.state = { ...running, pid: other.pid };
    fs.writeFileSync(file, JSON.stringify(saved));
    const second = await box.open({ storageDir });
    const t = second.getTask(id)!;
    assert.deepEqual(t.state.status === 'failed' && t.state.error, 'lost');
    assert.ok(isAlive(other.pid!), 'the other process is left alone');
    assert.equal(second.cancelTask(id).ok, false);
    assert.ok(isAlive(other.pid!));
  });

  it('marks a task failed "lost" when its process is gone and left no exit file', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'sleep 1000' });
    await waitFor(() => first.getTask(id)?.state.status === 'running', 'running');
    const running = first.getTask(id)!;
    // Its command has started once the wrapper wrote its pid file (a wrapper killed before that
    // never ran the command, and is queued again by the next engine).
    const pidFile = path.join(path.dirname(first.logPath(id)), 'pid');
    await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').endsWith('\n'), 'the pid file');
    first.dispose();
    if (running.state.status === 'running') process.kill(-running.state.pid, 'SIGKILL');
    await waitFor(() => running.state.status === 'running' && !isAlive(running.state.pid), 'killed');
    const second = await box.open({ storageDir });
    const t = second.getTask(id)!;
    assert.ok(t.state.status === 'failed' && running.state.status === 'running', JSON.stringify(t.state));
    assert.equal(t.state.error, 'lost');
    assert.ok(Math.abs((t.state.startedAt ?? 0) - running.state.startedAt) < 1000, 'its start kept (from the pid file)');
  });

  it('sets aside a corrupt task.json with one warning and loads the rest', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const ids = [first.spawnTask({ command: 'true' }), first.spawnTask({ command: 'true' }), first.spawnTask({ command: 'true' })];
    await Promise.all(ids.map((id) => first.waitForTask(id)));
    first.dispose();
    fs.writeFileSync(taskJson(first, ids[0]), '{"this is": not json at all');
    fs.writeFileSync(taskJson(first, ids[1]), JSON.stringify({ id: ids[1], hello: 'not a task' }));
    box.warnings.length = 0;
    const second = await box.open({ storageDir });
    assert.deepEqual(second.getAllTasks().map((t) => t.id), [ids[2]]);
    assert.equal(box.warnings.length, 1, 'warned once');
    assert.match(box.warnings[0], /2 unreadable task file\(s\)/);
    const aside = fs.readdirSync(path.dirname(taskJson(first, ids[0])));
    assert.ok(aside.some((f) => /^task\.json\.corrupt-\d+$/.test(f)), aside.join());
    second.dispose();
    box.warnings.length = 0;
    await box.open({ storageDir });
    assert.equal(box.warnings.length, 0, 'not reported again');
  });

  it('sets aside a half-written task.json', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'true' });
    await first.waitForTask(id);
    first.dispose();
    const text = fs.readFileSync(taskJson(first, id), 'utf8');
    fs.writeFileSync(taskJson(first, id), text.slice(0, Math.floor(text.length / 2)));
    box.warnings.length = 0;
    const second = await box.open({ storageDir });
    assert.equal(second.getTask(id), undefined);
    assert.equal(box.warnings.length, 1);
    // Its id is not handed out again while its folder is there.
    assert.ok(fs.existsSync(path.dirname(taskJson(first, id))));
  });

  it('keeps at most historyLimit finished tasks, removing the oldest with their logs', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir, historyLimit: 3, maxConcurrentTasks: 1 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(first.spawnTask({ command: `echo ${i}` }));
      await first.waitForTask(ids[i]);
    }
    assert.deepEqual(first.getAllTasks().map((t) => t.id), ids.slice(2).reverse());
    assert.ok(!fs.existsSync(path.dirname(first.logPath(ids[0]))), 'folder removed');
    first.setHistoryLimit(1);
    assert.deepEqual(first.getAllTasks().map((t) => t.id), [ids[4]]);
    first.dispose();
    const second = await box.open({ storageDir, historyLimit: 0 });
    assert.deepEqual(second.getAllTasks(), [], 'enforced on open too');
  });

  it('removes many finished tasks at once (Clear Finished, a lower history limit): one list on disk, the folders deleted after, the input of a waiting task kept', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir, maxConcurrentTasks: 4 });
    // The history limit removes the first to have finished, in whatever order the four slots ended them.
    const finishOrder: string[] = [];
    engine.onDidFinishTask((t) => finishOrder.push(t.id));
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(engine.spawnTask({ command: `echo ${i}` }));
    for (const id of ids) await engine.waitForTask(id);
    engine.pauseQueue();
    const sink = engine.spawnTask({ command: 'cat', stdinFrom: ids[0] });
    const removed: string[] = [];
    engine.onDidRemoveTask((t) => removed.push(t.id));
    const tasksDir = path.join(storageDir, 'tasks');
    engine.setHistoryLimit(8);
    const oldest = finishOrder.filter((id) => id !== ids[0]).slice(0, 4);
    assert.deepEqual([...removed].sort(), [...oldest].sort(), 'the four first finished but the input of the waiting task');
    assert.deepEqual(new Set(engine.getAllTasks().map((t) => t.id)), new Set([sink, ...ids.filter((id) => !oldest.includes(id))]));
    assert.equal(engine.clearFinished(), 7);
    assert.deepEqual(engine.getAllTasks().map((t) => t.id).sort(), [ids[0], sink].sort());
    // In the background: every removed folder, then the lists.
    await waitFor(() => ids.slice(1).every((id) => !fs.existsSync(path.join(tasksDir, id))), 'the removed folders deleted');
    await waitFor(() => !fs.readdirSync(tasksDir).some((n) => n.startsWith('.removing-')), 'the lists of removals deleted');
    assert.ok(fs.existsSync(path.join(tasksDir, ids[0], 'output.log')), 'the input kept with its output');
    engine.resumeQueue();
    const fed = await engine.waitForTask(sink);
    assert.equal(fs.readFileSync(fed.logPath, 'utf8'), '0\n');
  });

  it('finishes a removal of many that a host which went away left undone: those tasks are not listed again, their folders go', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(first.spawnTask({ command: `echo ${i}` }));
    for (const id of ids) await first.waitForTask(id);
    first.dispose();
    // As removeMany() leaves it when the host dies before any folder is deleted; and a torn
    // temp list and an unreadable list, which removed nothing.
    const tasksDir = path.join(storageDir, 'tasks');
    fs.writeFileSync(path.join(tasksDir, '.removing-0a0b0c0d'), JSON.stringify([ids[1], ids[2], '../outside']));
    fs.writeFileSync(path.join(tasksDir, '.removing-01020304.tmp'), '["');
    fs.writeFileSync(path.join(tasksDir, '.removing-05060708'), '{ not json');
    const second = await box.open({ storageDir });
    assert.deepEqual(second.getAllTasks().map((t) => t.id).sort(), [ids[0], ids[3]].sort());
    await waitFor(() => !fs.existsSync(path.join(tasksDir, ids[1])) && !fs.existsSync(path.join(tasksDir, ids[2])), 'their folders deleted');
    await waitFor(() => fs.readdirSync(tasksDir).filter((n) => n.startsWith('.removing-')).length === 0, 'the lists deleted');
    assert.ok(fs.existsSync(path.join(tasksDir, ids[0], 'task.json')) && fs.existsSync(path.join(tasksDir, ids[3], 'task.json')), 'the others kept');
  });
});
