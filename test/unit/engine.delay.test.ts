import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatListingLine, formatStartAt } from '../../src/core/format';
import { Sandbox } from './helpers';
import { readStampFile, stamped } from './queueHelpers';

const msOf = (ns: bigint): number => Number(ns / 1_000_000n);

describe('engine: delayed start', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('keeps a task with delaySeconds pending with startAt, and starts it no earlier', async () => {
    const engine = await box.open();
    const stamps = path.join(box.tempDir(), 'stamps');
    const before = Date.now();
    const id = engine.spawnTask({ command: stamped(stamps, 'late', 'true'), delaySeconds: 1.5 });
    const t = engine.getTask(id)!;
    assert.ok(t.state.status === 'pending' && t.state.startAt! >= before + 1500);
    const startAt = (t.state as { startAt: number }).startAt;
    assert.match(formatListingLine(t), /\(starts at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d\)/);
    // A task queued after it, without a delay, goes first.
    const now = engine.spawnTask({ command: stamped(stamps, 'now', 'true') });
    await engine.waitForTask(now);
    const end = await engine.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    const started = readStampFile(stamps).find((s) => s.label === 'late' && s.kind === 's')!;
    assert.ok(msOf(started.ns) >= startAt, `started ${startAt - msOf(started.ns)} ms before its time`);
    assert.ok(end.state.status === 'completed' && end.state.startedAt >= startAt);
  });

  it('starts at startAt across an engine rebuilt on the same storage', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const stamps = path.join(box.tempDir(), 'stamps');
    const startAt = Date.now() + 2000;
    const id = engine.spawnTask({ command: stamped(stamps, 'late', 'true'), startAt });
    engine.dispose();
    const again = await box.open({ storageDir });
    const t = again.getTask(id)!;
    assert.ok(t.state.status === 'pending' && t.state.startAt === startAt, JSON.stringify(t.state));
    assert.deepEqual(again.getQueue().map((q) => q.id), [id]);
    const end = await again.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    const started = readStampFile(stamps).find((s) => s.kind === 's')!;
    assert.ok(msOf(started.ns) >= startAt);
  });

  it('starts a delayed task whose time has come only when the queue is not paused', async () => {
    const engine = await box.open();
    engine.pauseQueue();
    const stamps = path.join(box.tempDir(), 'stamps');
    const id = engine.spawnTask({ command: stamped(stamps, 'late', 'true'), delaySeconds: 0.3 });
    const probe = engine.spawnTask({ command: 'sleep 1', mode: 'verbose' });
    await engine.waitForTask(probe);
    assert.equal(engine.getTask(id)?.state.status, 'pending');
    engine.resumeQueue();
    assert.equal((await engine.waitForTask(id)).state.status, 'completed');
  });

  it('says "starts at HH:MM", with the date when not today', () => {
    const now = new Date(2026, 11, 1, 9, 0).getTime();
    assert.equal(formatStartAt(new Date(2026, 11, 1, 18, 5).getTime(), now), 'starts at 18:05');
    assert.equal(formatStartAt(new Date(2026, 11, 2, 7, 30).getTime(), now), 'starts at 2026-12-02 07:30');
  });

  it('refuses bad start options, naming the field', async () => {
    const engine = await box.open();
    assert.throws(() => engine.spawnTask({ command: 'true', startAt: Number.NaN }), { name: 'TaskOptionsError', field: 'startAt' } as object);
    assert.throws(() => engine.spawnTask({ command: 'true', delaySeconds: -1 }), { name: 'TaskOptionsError', field: 'delaySeconds' } as object);
    assert.throws(() => engine.spawnTask({ command: 'true', delaySeconds: 5, mode: 'verbose' }), { name: 'TaskOptionsError', field: 'delaySeconds' } as object);
    // A start time already past is no delay at all.
    const id = engine.spawnTask({ command: 'true', startAt: Date.now() - 1000 });
    assert.equal((engine.getTask(id)!.state as { startAt?: number }).startAt, undefined);
    await engine.waitForTask(id);
  });
});
