import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import { happenedBefore, q, recordStates, Sandbox, waitFor } from './helpers';

/** A command that runs until `file` exists. */
const until = (file: string): string => `while [ ! -e ${q(file)} ]; do sleep 0.02; done`;

function status(engine: TaskEngine, id: string): string | undefined {
  return engine.getTask(id)?.state.status;
}

describe('engine: scheduling, chains and pipes', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('never runs more than the limit under 300 quick tasks (timestamps written by the tasks)', async () => {
    const limit = 4;
    const engine = await box.open({ maxConcurrentTasks: limit });
    const stamps = path.join(box.tempDir(), 'stamps');
    let maxSeen = 0;
    engine.onDidChangeTask(() => (maxSeen = Math.max(maxSeen, engine.getStatistics().runningNow)));
    const cmd = `echo "s $(date +%s%N)" >> ${q(stamps)}; sleep 0.01; echo "e $(date +%s%N)" >> ${q(stamps)}`;
    const ids = Array.from({ length: 300 }, () => engine.spawnTask({ command: cmd }));
    assert.equal(new Set(ids).size, 300, 'ids are unique');
    const done = await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.ok(done.every((t) => t.state.status === 'completed'));
    const events = fs
      .readFileSync(stamps, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [kind, ns] = line.split(' ');
        return { kind, ns: BigInt(ns) };
      })
      // At equal times a start counts before an end: the stricter reading for the limit.
      .sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : a.kind === 's' ? -1 : 1));
    assert.equal(events.length, 600);
    let running = 0;
    let peak = 0;
    for (const e of events) {
      running += e.kind === 's' ? 1 : -1;
      peak = Math.max(peak, running);
    }
    assert.ok(peak <= limit, `peak ${peak} > limit ${limit}`);
    assert.ok(peak >= 2, 'tasks did run side by side');
    assert.ok(maxSeen <= limit, `engine reported ${maxSeen} running`);
  });

  it('starts by priority first, then arrival order', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const dir = box.tempDir();
    const order = path.join(dir, 'order');
    const blocker = engine.spawnTask({ command: until(path.join(dir, 'go')) });
    await waitFor(() => status(engine, blocker) === 'running', 'blocker running');
    const names = ['low1', 'normal1', 'urgent1', 'high1', 'normal2', 'urgent2', 'low2'] as const;
    const ids = names.map((name) =>
      engine.spawnTask({ command: `echo ${name} >> ${q(order)}`, priority: name.replace(/\d/, '') as 'low' }),
    );
    fs.writeFileSync(path.join(dir, 'go'), '');
    await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.deepEqual(fs.readFileSync(order, 'utf8').trim().split('\n'), ['urgent1', 'urgent2', 'high1', 'normal1', 'normal2', 'low1', 'low2']);
  });

  it('starts verbose tasks at once, outside the limit', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const go = path.join(box.tempDir(), 'go');
    const blocker = engine.spawnTask({ command: until(go) });
    await waitFor(() => status(engine, blocker) === 'running', 'blocker running');
    const verbose = engine.spawnTask({ command: until(go), mode: 'verbose' });
    await waitFor(() => status(engine, verbose) === 'running', 'verbose task running beside the blocker');
    assert.equal(engine.getTask(verbose)?.mode, 'verbose');
    const states = recordStates(engine);
    const queued = engine.spawnTask({ command: 'true' });
    // A second verbose task starts in the first scheduling pass that sees `queued`.
    const sentinel = engine.spawnTask({ command: 'true', mode: 'verbose' });
    await engine.waitForTask(sentinel);
    assert.equal(status(engine, queued), 'pending', 'a verbose task does not free a slot either');
    fs.writeFileSync(go, '');
    await Promise.all([blocker, verbose, queued].map((id) => engine.waitForTask(id)));
    // A verbose task does not take a slot, nor free one: the queued task waited for the blocker.
    happenedBefore(states.events, `${blocker}:completed`, `${queued}:running`);
  });

  it('applies a new limit live: raising starts more, lowering stops nothing', async () => {
    const engine = await box.open({ maxConcurrentTasks: 1 });
    const go = path.join(box.tempDir(), 'go');
    const ids = [1, 2, 3, 4].map(() => engine.spawnTask({ command: until(go) }));
    await waitFor(() => status(engine, ids[0]) === 'running', 'first running');
    assert.deepEqual(ids.map((id) => status(engine, id)), ['running', 'pending', 'pending', 'pending']);
    engine.setMaxConcurrentTasks(3);
    await waitFor(() => engine.getStatistics().runningNow === 3, 'three running');
    const states = recordStates(engine);
    engine.setMaxConcurrentTasks(1);
    // A verbose task ends only after a scheduling pass under the new limit has run.
    await engine.waitForTask(engine.spawnTask({ command: 'true', mode: 'verbose' }));
    assert.deepEqual(ids.map((id) => status(engine, id)), ['running', 'running', 'running', 'pending'], 'lowering the limit stopped nothing');
    assert.equal(engine.getStatistics().maxConcurrent, 1);
    assert.throws(() => engine.setMaxConcurrentTasks(0), { name: 'TaskOptionsError' } as object);
    fs.writeFileSync(go, '');
    const ended = await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.deepEqual(ended.map((t) => t.state.status), ['completed', 'completed', 'completed', 'completed'], 'none was stopped');
    // Under the new limit of 1, the fourth started only once all three had ended.
    for (const id of ids.slice(0, 3)) happenedBefore(states.events, `${id}:completed`, `${ids[3]}:running`);
  });

  it('runs a dependant only after every dependency completed', async () => {
    const engine = await box.open();
    const dir = box.tempDir();
    const a = engine.spawnTask({ command: until(path.join(dir, 'a')) });
    const b = engine.spawnTask({ command: until(path.join(dir, 'b')) });
    const c = engine.spawnTask({ command: 'echo c', dependsOn: [a, b] });
    await waitFor(() => status(engine, a) === 'running' && status(engine, b) === 'running', 'a and b running');
    const pending = engine.getTask(c)!.state;
    assert.deepEqual(pending.status === 'pending' && pending.waitingFor, [a, b]);
    fs.writeFileSync(path.join(dir, 'a'), '');
    await engine.waitForTask(a);
    await waitFor(() => {
      const s = engine.getTask(c)!.state;
      return s.status === 'pending' && String(s.waitingFor) === b;
    }, 'c waiting for b only');
    fs.writeFileSync(path.join(dir, 'b'), '');
    const tb = await engine.waitForTask(b);
    const tc = await engine.waitForTask(c);
    assert.equal(tc.state.status, 'completed');
    assert.ok(tc.state.status === 'completed' && tb.state.status === 'completed' && tc.state.startedAt >= tb.state.endedAt);
    // A dependency that has already completed lets the dependant run at once.
    assert.equal((await engine.waitForTask(engine.spawnTask({ command: 'true', dependsOn: [c] }))).state.status, 'completed');
  });

  it('cancels dependants down the chain when a dependency fails', async () => {
    const engine = await box.open();
    const a = engine.spawnTask({ command: 'exit 4' });
    const b = engine.spawnTask({ command: 'echo never', dependsOn: [a] });
    const c = engine.spawnTask({ command: 'echo never', dependsOn: [b] });
    const [tb, tc] = [await engine.waitForTask(b), await engine.waitForTask(c)];
    assert.deepEqual(tb.state.status === 'cancelled' && tb.state.reason, `dependency ${a} failed`);
    assert.deepEqual(tc.state.status === 'cancelled' && tc.state.reason, `dependency ${b} was cancelled`);
    assert.equal(engine.readOutput(b)?.text, '', 'never started');
    assert.equal(fs.existsSync(tb.logPath), false, 'no log is made for a task that never started');
    // Depending on a task that already failed: cancelled straight away.
    const late = await engine.waitForTask(engine.spawnTask({ command: 'true', dependsOn: [a] }));
    assert.equal(late.state.status, 'cancelled');
  });

  it('cancels dependants when a dependency is cancelled', async () => {
    const engine = await box.open();
    const a = engine.spawnTask({ command: 'sleep 100' });
    const b = engine.spawnTask({ command: 'true', dependsOn: [a] });
    await waitFor(() => status(engine, a) === 'running', 'a running');
    engine.cancelTask(a);
    const tb = await engine.waitForTask(b);
    assert.equal(tb.state.status === 'cancelled' && tb.state.reason, `dependency ${a} was cancelled`);
  });

  it('feeds another task’s complete output as stdin (stdinFrom waits for it)', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const source = engine.spawnTask({ command: `printf 'b\\na\\nc\\n'; ${until(go)}; printf 'd\\n'` });
    const sink = engine.spawnTask({ command: 'sort', stdinFrom: source });
    assert.equal(engine.getTask(sink)?.mode, 'piped');
    assert.equal(engine.getTask(sink)?.stdinFrom, source);
    await waitFor(() => status(engine, source) === 'running', 'source running');
    const states = recordStates(engine);
    // A verbose task ends only after a scheduling pass has looked at the sink.
    await engine.waitForTask(engine.spawnTask({ command: 'true', mode: 'verbose' }));
    assert.equal(status(engine, sink), 'pending');
    fs.writeFileSync(go, '');
    const t = await engine.waitForTask(sink);
    happenedBefore(states.events, `${source}:completed`, `${sink}:running`);
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'a\nb\nc\nd\n');
  });

  it('pipes a failed task’s output too, but cancels when the input task was cancelled', async () => {
    const engine = await box.open();
    const failed = engine.spawnTask({ command: 'echo partial; exit 1' });
    const fromFailed = await engine.waitForTask(engine.spawnTask({ command: 'cat', stdinFrom: failed }));
    assert.equal(fs.readFileSync(fromFailed.logPath, 'utf8'), 'partial\n');
    const pendingSource = engine.spawnTask({ command: 'true', dependsOn: [engine.spawnTask({ command: 'sleep 100' })] });
    const sink = engine.spawnTask({ command: 'cat', stdinFrom: pendingSource });
    engine.cancelTask(pendingSource);
    const t = await engine.waitForTask(sink);
    assert.equal(t.state.status === 'cancelled' && t.state.reason, `input task ${pendingSource} was cancelled`);
  });

  it('reads stdin from a file (stdinFile), and from /dev/null by default', async () => {
    const engine = await box.open();
    const input = path.join(box.tempDir(), 'selection.txt');
    fs.writeFileSync(input, 'selected text\n');
    const piped = await engine.waitForTask(engine.spawnTask({ command: 'tr a-z A-Z', stdinFile: input }));
    assert.equal(fs.readFileSync(piped.logPath, 'utf8'), 'SELECTED TEXT\n');
    const plain = await engine.waitForTask(engine.spawnTask({ command: 'cat; echo end' }));
    assert.equal(fs.readFileSync(plain.logPath, 'utf8'), 'end\n');
  });
});
