import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { durationOf, formatListingLine } from '../../src/core/format';
import { q, readWhenReady, Sandbox, waitFor } from './helpers';
import { cpuTicks, groupStopped, groupStoppedWait, peakOf, procState, readStampFile, stamped, until } from './queueHelpers';

describe('engine: pausing the queue and single tasks', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('holds pending tasks while the queue is paused, running ones go on; resumed, the limit holds', async () => {
    const limit = 2;
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir, maxConcurrentTasks: limit });
    const dir = box.tempDir();
    const stamps = path.join(dir, 'stamps');
    const go = path.join(dir, 'go');
    const queueEvents: boolean[] = [];
    engine.onDidChangeQueue(() => queueEvents.push(engine.isQueuePaused()));
    const running = [1, 2].map((i) => engine.spawnTask({ command: stamped(stamps, `r${i}`, until(go)) }));
    await waitFor(() => running.every((id) => engine.getTask(id)?.state.status === 'running'), 'the first two running');
    engine.pauseQueue();
    assert.equal(engine.isQueuePaused(), true);
    assert.equal(engine.getStatistics().queuePaused, true);
    const waiting = Array.from({ length: 6 }, (_, i) => engine.spawnTask({ command: stamped(stamps, `w${i}`, 'sleep 0.05') }));
    fs.writeFileSync(go, '');
    await Promise.all(running.map((id) => engine.waitForTask(id)));
    // A verbose task still starts at once: when it has run, the queue had its chances to start the others.
    const verbose = engine.spawnTask({ command: 'true', mode: 'verbose' });
    assert.equal((await engine.waitForTask(verbose)).state.status, 'completed');
    assert.ok(waiting.every((id) => engine.getTask(id)?.state.status === 'pending'), 'nothing started while paused');
    assert.deepEqual(engine.getQueue().map((t) => t.id), waiting);

    // Paused is kept on disk: an engine rebuilt on the same storage still holds the queue.
    engine.dispose();
    const again = await box.open({ storageDir, maxConcurrentTasks: limit });
    assert.equal(again.isQueuePaused(), true);
    const probe = again.spawnTask({ command: 'true', mode: 'verbose' });
    await again.waitForTask(probe);
    assert.ok(waiting.every((id) => again.getTask(id)?.state.status === 'pending'), 'still held after the rebuild');
    again.resumeQueue();
    assert.equal(again.isQueuePaused(), false);
    const done = await Promise.all(waiting.map((id) => again.waitForTask(id)));
    assert.ok(done.every((t) => t.state.status === 'completed'));
    const all = readStampFile(stamps);
    assert.equal(all.length, 16);
    assert.ok(peakOf(all) <= limit, `peak ${peakOf(all)} > ${limit}`);
    assert.deepEqual(queueEvents, [true]);
  });

  it('stops all of a task’s processes with SIGSTOP (their CPU time does not grow) and continues them', async () => {
    const engine = await box.open();
    const dir = box.tempDir();
    const inGroup = path.join(dir, 'in-group');
    const leftGroup = path.join(dir, 'left-group');
    // One busy child in the task's group, one that left it with setsid (found by its marker).
    const busy = 'while :; do :; done';
    const cmd = `sh -c ${q(busy)} & echo $! > ${q(inGroup)}; setsid sh -c ${q(`echo $$ > ${q(leftGroup)}; ${busy}`)} & wait`;
    const id = engine.spawnTask({ command: cmd });
    const pids = [Number(await readWhenReady(inGroup)), Number(await readWhenReady(leftGroup))];
    for (const pid of pids) box.trackPid(pid);
    const wrapper = await waitFor(() => {
      const s = engine.getTask(id)?.state;
      return s?.status === 'running' && s.pid;
    }, 'task running');
    box.trackGroup(wrapper);

    assert.equal(engine.pauseTask(id), true);
    assert.equal(engine.pauseTask(id), false, 'already paused');
    const paused = engine.getTask(id)!;
    assert.ok(paused.state.status === 'running' && paused.state.pausedAt !== undefined);
    assert.match(formatListingLine(paused), /^⏸ /);
    await waitFor(() => pids.every((pid) => procState(pid) === 'T'), 'both children stopped');
    const before = pids.map(cpuTicks);
    // Another busy process, measured: once it has had 30 ticks of CPU, a running child would have had some too.
    const other = spawn('sh', ['-c', busy], { stdio: 'ignore' });
    box.trackPid(other.pid!);
    const otherStart = cpuTicks(other.pid!);
    await waitFor(() => cpuTicks(other.pid!) - otherStart >= 30, 'the measuring process used 30 ticks');
    other.kill('SIGKILL');
    assert.deepEqual(pids.map(cpuTicks), before, 'the paused children used no CPU');
    const d1 = durationOf(engine.getTask(id)!, Date.now());
    const d2 = durationOf(engine.getTask(id)!, Date.now() + 60_000);
    assert.equal(d1, d2, 'a paused task’s duration stops counting');

    assert.equal(engine.resumeTask(id), true);
    assert.equal(engine.resumeTask(id), false, 'not paused any more');
    const resumed = engine.getTask(id)!;
    assert.ok(resumed.state.status === 'running' && resumed.state.pausedAt === undefined && (resumed.state.pausedMs ?? 0) > 0);
    await waitFor(() => pids.every((pid, i) => cpuTicks(pid) > before[i]), 'both children run again');
    engine.cancelTask(id);
    assert.equal((await engine.waitForTask(id)).state.status, 'cancelled');
  });

  it('cancels a paused task (SIGCONT after SIGTERM lets it die)', async () => {
    const engine = await box.open({ cancelGraceMs: 60_000 });
    const dir = box.tempDir();
    const started = path.join(dir, 'started');
    const id = engine.spawnTask({ command: `touch ${q(started)}; ${until(path.join(dir, 'never'))}` });
    // Paused once its command runs (not in the wrapper's first steps).
    await waitFor(() => fs.existsSync(started) && engine.getTask(id)?.state.status === 'running', 'its command running');
    box.trackTask(engine.getTask(id));
    assert.equal(engine.pauseTask(id), true);
    const pid = (engine.getTask(id)!.state as { pid: number }).pid;
    await waitFor(() => groupStopped(pid), groupStoppedWait(pid));
    engine.cancelTask(id);
    const end = await engine.waitForTask(id);
    assert.equal(end.state.status, 'cancelled');
    assert.ok(end.state.status === 'cancelled' && end.state.signal === 'SIGTERM', 'it died of the SIGTERM, no SIGKILL needed');
  });

  it('keeps a paused task paused through an engine rebuilt on the same storage, and resumes it there', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const dir = box.tempDir();
    const go = path.join(dir, 'go');
    const started = path.join(dir, 'started');
    const id = engine.spawnTask({ command: `touch ${q(started)}; ${until(go)}; echo finished` });
    await waitFor(() => fs.existsSync(started) && engine.getTask(id)?.state.status === 'running', 'its command running');
    box.trackTask(engine.getTask(id));
    assert.equal(engine.pauseTask(id), true);
    const pid = (engine.getTask(id)!.state as { pid: number }).pid;
    // SIGSTOP takes effect once the process is back from the kernel (it may be in D for a moment).
    await waitFor(() => groupStopped(pid), groupStoppedWait(pid));
    engine.dispose();
    fs.writeFileSync(go, '');
    const again = await box.open({ storageDir });
    const s = again.getTask(id)!.state;
    assert.ok(s.status === 'running' && s.pausedAt !== undefined, 'still paused after the rebuild');
    assert.ok(groupStopped(pid), groupStoppedWait(pid)());
    assert.equal(again.resumeTask(id), true);
    const end = await again.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    assert.match(fs.readFileSync(end.logPath, 'utf8'), /finished/);
    assert.ok(end.state.status === 'completed' && (end.state.pausedMs ?? 0) > 0, 'the pause is left out of its duration');
  });

  it('says so when the paused state cannot be saved, and changes nothing', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    // Its temp file's name taken by a folder: the write fails as on a read-only disk (root ignores chmod).
    fs.mkdirSync(path.join(storageDir, 'queue.json.tmp'));
    assert.throws(() => engine.pauseQueue(), /Cannot pause the queue: .*queue\.json cannot be written \(EISDIR\)/);
    assert.equal(engine.isQueuePaused(), false);
    const id = engine.spawnTask({ command: 'true' });
    assert.equal((await engine.waitForTask(id)).state.status, 'completed');
  });

  it('refuses to pause what does not run', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'true' });
    await engine.waitForTask(id);
    assert.equal(engine.pauseTask(id), false);
    assert.equal(engine.resumeTask(id), false);
    assert.equal(engine.pauseTask('nosuch'), false);
  });
});
