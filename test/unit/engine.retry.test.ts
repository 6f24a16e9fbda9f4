import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import type { TaskSnapshot } from '../../src/core/types';
import { q, Sandbox, waitFor } from './helpers';

/** Fails (exit 3) until it has run `n` times, counting its runs in `counter`. */
const failUntil = (counter: string, n: number): string =>
  `echo run >> ${q(counter)}; runs=$(wc -l < ${q(counter)}); echo "attempt output $runs"; [ "$runs" -ge ${n} ] || exit 3`;

function finishes(engine: TaskEngine): TaskSnapshot[] {
  const list: TaskSnapshot[] = [];
  engine.onDidFinishTask((t) => list.push(t));
  return list;
}

const runsIn = (counter: string): number => (fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').trim().split('\n').length : 0);

describe('engine: retries', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('runs a failed attempt again as the same task, and completes on the 2nd attempt', async () => {
    const engine = await box.open();
    const ended = finishes(engine);
    const counter = path.join(box.tempDir(), 'runs');
    const id = engine.spawnTask({ command: failUntil(counter, 2), retries: 2 });
    assert.equal(engine.getTask(id)?.attempts, 3);
    assert.equal(engine.getTask(id)?.attempt, 1);
    const end = await engine.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    assert.equal(end.attempt, 2);
    assert.equal(end.attempts, 3);
    assert.equal(runsIn(counter), 2);
    assert.equal(fs.readFileSync(end.logPath, 'utf8'), 'attempt output 1\n--- attempt 2 of 3 (exit code 3) ---\nattempt output 2\n');
    assert.equal(ended.length, 1, 'one finish event');
    assert.match(end.message!.text, /Attempts: 2 of 3/);
    assert.equal(engine.getStatistics().retried, 1);
  });

  it('fails after its last attempt, with one finish event and one message, each attempt’s output in the one log', async () => {
    const engine = await box.open();
    const ended = finishes(engine);
    const statuses: string[] = [];
    const counter = path.join(box.tempDir(), 'runs');
    const id = engine.spawnTask({ command: failUntil(counter, 99), retries: 2 });
    engine.onDidChangeTask((t) => t.id === id && statuses.push(`${t.state.status}#${t.attempt}`));
    const end = await engine.waitForTask(id);
    assert.ok(end.state.status === 'failed' && end.state.exitCode === 3);
    assert.equal(end.attempt, 3);
    assert.equal(runsIn(counter), 3);
    const log = fs.readFileSync(end.logPath, 'utf8');
    assert.equal(log, 'attempt output 1\n--- attempt 2 of 3 (exit code 3) ---\nattempt output 2\n--- attempt 3 of 3 (exit code 3) ---\nattempt output 3\n');
    assert.equal(ended.length, 1);
    assert.ok(statuses.includes('pending#2') && statuses.includes('pending#3'), statuses.join(' '));
    assert.equal(statuses.filter((s) => s.startsWith('failed')).length, 1);
  });

  it('retries a timed-out attempt, and a separator ends the line of output it cut off', async () => {
    const engine = await box.open({ cancelGraceMs: 200 });
    const id = engine.spawnTask({ command: 'printf partial; sleep 600', timeoutSeconds: 0.5, retries: 1 });
    const end = await engine.waitForTask(id);
    assert.ok(end.state.status === 'failed' && end.state.timedOut && end.state.error === 'timed out after 0.5s');
    assert.equal(end.attempt, 2);
    // The shell may add its "Terminated" notice to the cut-off line.
    assert.match(fs.readFileSync(end.logPath, 'utf8'), /^partial(Terminated)?\n--- attempt 2 of 2 \(timed out after 0\.5s\) ---\npartial(Terminated\n)?$/);
  });

  it('waits its retry delay pending with startAt, and a cancel during the delay ends it cancelled, never run again', async () => {
    const engine = await box.open();
    const ended = finishes(engine);
    const counter = path.join(box.tempDir(), 'runs');
    const id = engine.spawnTask({ command: failUntil(counter, 99), retries: 3, retryDelaySeconds: 600 });
    const waiting = await waitFor(() => {
      const t = engine.getTask(id);
      return t?.state.status === 'pending' && t.attempt === 2 && t;
    }, 'waiting for attempt 2');
    assert.ok(waiting.state.status === 'pending' && waiting.state.startAt! > Date.now() + 500_000);
    assert.equal(engine.getTask(id)?.retryDelaySeconds, 600);
    assert.ok(engine.cancelTask(id).ok);
    const end = await engine.waitForTask(id);
    assert.equal(end.state.status, 'cancelled');
    assert.equal(runsIn(counter), 1);
    assert.equal(ended.length, 1);
    const csv = engine.exportHistory('csv').split('\r\n')[1];
    assert.match(csv, /,1,\{\}$/, 'one attempt ran');
  });

  it('never retries a cancel', async () => {
    const engine = await box.open();
    const counter = path.join(box.tempDir(), 'runs');
    const id = engine.spawnTask({ command: `echo run >> ${q(counter)}; sleep 600`, retries: 3 });
    await waitFor(() => runsIn(counter) === 1, 'its command running');
    engine.cancelTask(id);
    const end = await engine.waitForTask(id);
    assert.equal(end.state.status, 'cancelled');
    assert.equal(end.attempt, 1);
    assert.equal(runsIn(counter), 1);
  });

  it('goes on with its next attempt in an engine rebuilt on the same storage, running each attempt once', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const counter = path.join(box.tempDir(), 'runs');
    // Attempt 3 succeeds, once the test lets it end: it is still running when its engine goes.
    const go = path.join(box.tempDir(), 'go');
    const id = engine.spawnTask({ command: `${failUntil(counter, 3)}; while [ ! -e ${q(go)} ]; do sleep 0.02; done`, retries: 4, retryDelaySeconds: 1 });
    await waitFor(() => engine.getTask(id)?.attempt === 2, 'attempt 2 queued');
    engine.dispose();
    const again = await box.open({ storageDir });
    const t = again.getTask(id)!;
    assert.ok(t.attempt === 2 && (t.state.status === 'pending' || t.state.status === 'running' || t.state.status === 'completed'));
    await waitFor(() => again.getTask(id)?.attempt === 3 && again.getTask(id)?.state.status === 'running', 'attempt 3 running');
    // Thrown away while attempt 3 runs (its start not written to task.json): the next engine adopts it from its pid file.
    again.dispose();
    const third = await box.open({ storageDir });
    fs.writeFileSync(go, '');
    const end = await third.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    assert.equal(end.attempt, 3);
    assert.equal(runsIn(counter), 3, 'each attempt ran once');
    assert.ok(fs.existsSync(path.join(storageDir, 'tasks', id, 'attempt-3', 'exit')));
    assert.equal(fs.readFileSync(end.logPath, 'utf8').match(/--- attempt/g)?.length, 2);
  });

  it('queues the next attempt of one that failed while no engine watched it (its exit file found on restore)', async () => {
    const storageDir = box.tempDir();
    const engine = await box.open({ storageDir });
    const dir = box.tempDir();
    const go = path.join(dir, 'go');
    const counter = path.join(dir, 'runs');
    const id = engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done; ${failUntil(counter, 2)}`, retries: 1 });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'attempt 1 running');
    engine.dispose();
    fs.writeFileSync(go, '');
    await waitFor(() => fs.existsSync(path.join(storageDir, 'tasks', id, 'exit')), 'attempt 1 ended (exit file)');
    const again = await box.open({ storageDir });
    const ended = finishes(again);
    const end = await again.waitForTask(id);
    assert.equal(end.state.status, 'completed');
    assert.equal(end.attempt, 2);
    assert.equal(runsIn(counter), 2);
    assert.equal(ended.length, 1);
  });

  it('carries timeout, retries, retry delay and lane on rerun', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'true', timeoutSeconds: 30, retries: 2, retryDelaySeconds: 5, lane: 'db' });
    await engine.waitForTask(id);
    const again = engine.getTask(engine.rerunTask(id))!;
    assert.deepEqual([again.timeoutSeconds, again.attempts, again.retryDelaySeconds, again.lane, again.attempt], [30, 3, 5, 'db', 1]);
    await engine.waitForTask(again.id);
  });

  it('refuses bad retry options, naming the field', async () => {
    const engine = await box.open();
    for (const retries of [-1, 1.5, '2', 1000]) {
      assert.throws(() => engine.spawnTask({ command: 'true', retries: retries as number }), { name: 'TaskOptionsError', field: 'retries' } as object);
    }
    assert.throws(() => engine.spawnTask({ command: 'true', retryDelaySeconds: -2 }), { name: 'TaskOptionsError', field: 'retryDelaySeconds' } as object);
  });
});
