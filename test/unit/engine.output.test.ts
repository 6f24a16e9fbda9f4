import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, q, Sandbox, waitFor } from './helpers';

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('engine: output and progress', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('captures 200 MB of output byte for byte, and the engine’s memory does not grow with it', async () => {
    const bytes = 200_000_000;
    const engine = await box.open();
    const expected = execFileSync('sh', ['-c', `${q(fixture('print-lot.sh'))} ${bytes} | sha256sum`]).toString().split(' ')[0];
    // Someone follows the task's progress the way the ui does, which must stay cheap too.
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const id = engine.spawnTask({ command: `${q(fixture('print-lot.sh'))} ${bytes}` });
    const t = await engine.waitForTask(id);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    assert.equal(t.state.status, 'completed');
    assert.equal(fs.statSync(t.logPath).size, bytes);
    assert.equal(await sha256(t.logPath), expected);
    const grewMb = (peak - baseline) / 1e6;
    assert.ok(grewMb < 64, `RSS grew by ${grewMb.toFixed(1)} MB while 200 MB went by`);
  });

  it('reads invalid UTF-8 output as U+FFFD, never a crash', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: q(fixture('invalid-utf8.sh')) });
    await engine.waitForTask(id);
    const { text } = engine.readOutput(id)!;
    assert.equal(text.replace(/\ufffd+/g, '?'), 'before été ? lone ? cut ? after\n');
    let followed = '';
    const follower = engine.followOutput(id, (s) => (followed += s))!;
    await waitFor(() => followed.endsWith('after\n'), 'followed text');
    assert.equal(followed, text);
    follower.dispose();
    assert.deepEqual(engine.readTail(id, 1), [text.trimEnd()]);
  });

  it('follows a running task’s output live and finishes with the task', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const id = engine.spawnTask({ command: `echo first; while [ ! -e ${q(go)} ]; do sleep 0.02; done; printf 'second \\342\\202'; printf '\\254\\n'` });
    let seen = '';
    engine.followOutput(id, (s) => (seen += s), { pollMs: 20 });
    await waitFor(() => seen === 'first\n', 'first line while running');
    assert.equal(engine.getTask(id)?.state.status, 'running');
    fs.writeFileSync(go, '');
    await engine.waitForTask(id);
    await waitFor(() => seen === 'first\nsecond €\n', 'the rest after the end');
  });

  it('reads output from an offset, in bounded pieces', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'printf "0123456789"' });
    await engine.waitForTask(id);
    const first = engine.readOutput(id, { maxBytes: 4 })!;
    assert.deepEqual([first.text, first.nextOffset, first.size], ['0123', 4, 10]);
    assert.equal(engine.readOutput(id, { offset: first.nextOffset })!.text, '456789');
    assert.equal(engine.readOutput('nope00'), undefined);
  });

  it('sets a running task’s progress from OSC 9;4 in its output', async () => {
    const engine = await box.open();
    const step = path.join(box.tempDir(), 'step');
    const id = engine.spawnTask({ command: `${q(fixture('osc-progress.sh'))} ${q(step)}` });
    const progress = () => engine.getTask(id)?.progress;
    await waitFor(() => progress()?.state === 'set' && progress()?.percent === 42, 'set 42 (BEL)');
    fs.writeFileSync(`${step}.1`, '');
    await waitFor(() => progress()?.state === 'error' && progress()?.percent === 80, 'error 80 (ESC \\)');
    fs.writeFileSync(`${step}.2`, '');
    await waitFor(() => progress()?.state === 'indeterminate', 'indeterminate');
    fs.writeFileSync(`${step}.3`, '');
    await waitFor(() => engine.getTask(id)?.progress === undefined, 'cleared');
    fs.writeFileSync(`${step}.4`, '');
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    assert.equal(engine.readOutput(id, { stripAnsi: true })!.text, 'starting\nmore\ndone\n');
  });

  it('sets progress from code with reportProgress, only on running tasks', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const id = engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done` });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'running');
    const changes: number[] = [];
    engine.onDidChangeTask((t) => t.progress?.percent !== undefined && changes.push(t.progress.percent));
    assert.equal(engine.reportProgress(id, 50, 'halfway'), true);
    assert.deepEqual({ ...engine.getTask(id)!.progress, updatedAt: 0 }, { state: 'set', percent: 50, message: 'halfway', updatedAt: 0 });
    engine.reportProgress(id, 150);
    assert.equal(engine.getTask(id)?.progress?.percent, 100);
    assert.deepEqual(changes, [50, 100]);
    assert.equal(engine.reportProgress('nope00', 10), false);
    assert.equal(engine.reportProgress(id, Number.NaN), false);
    // Progress is saved (throttled, and at the latest on dispose), not on every report.
    engine.dispose();
    const saved = JSON.parse(fs.readFileSync(path.join(path.dirname(engine.logPath(id)), 'task.json'), 'utf8'));
    assert.equal(saved.progress.percent, 100);
    fs.writeFileSync(go, '');
  });
});
