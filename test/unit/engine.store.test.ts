import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskStore, type TaskRecord } from '../../src/core/store';
import { q, Sandbox, waitFor } from './helpers';

/** A reader in another process: reads task.json until `stop` exists; counts whole reads, bad ones, and steps back. */
const READER = `
const fs = require('fs');
const [file, stop] = process.argv.slice(1);
let reads = 0, bad = 0, backwards = 0, last = -1, firstBad = '';
while (!fs.existsSync(stop)) {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) { if (last >= 0) { bad++; firstBad ||= e.code; } continue; }
  try {
    const n = JSON.parse(text).metadata.n;
    if (reads++ === 0) console.log('ready');
    if (n < last) backwards++;
    last = n;
  } catch { bad++; firstBad ||= 'partial: ' + text.length + ' bytes'; }
}
console.log(JSON.stringify({ reads, bad, backwards, last, firstBad }));
`;

function record(id: string, n: number): TaskRecord {
  return {
    id, seq: 1, command: 'true', type: 'code', priority: 'normal', mode: 'background',
    // Large enough that a write in place would be seen half done.
    metadata: { n, pad: 'p'.repeat(512 * 1024) },
    cwd: '/', env: {}, dependsOn: [], createdAt: 0, state: { status: 'pending', enqueuedAt: 0 },
  };
}

describe('engine: the task store', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('replaces task.json atomically and in order: a concurrent reader never sees half a file nor an older one', async () => {
    const warnings: string[] = [];
    const store = new TaskStore(box.tempDir(), (m) => warnings.push(m));
    store.init();
    const id = 'a0a0a0';
    store.create(record(id, 0));
    const file = path.join(store.taskDir(id), 'task.json');
    const stop = path.join(box.tempDir(), 'stop');
    const reader = spawn(process.execPath, ['-e', READER, file, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    await new Promise<void>((resolve) => reader.stdout.on('data', () => out.startsWith('ready\n') && resolve()));
    // Synchronous saves and background ones interleaved, as the engine does them; a
    // background save overtaken by a later one must never land after it.
    const saves = 400;
    for (let n = 1; n <= saves; n++) {
      const r = record(id, n);
      if (n % 3 === 0) store.writer.save(r);
      else store.writer.saveSoon(r);
      if (n % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(store.writer.flushSync(), []);
    fs.writeFileSync(stop, '');
    await done;
    const seen = JSON.parse(out.slice('ready\n'.length)) as { reads: number; bad: number; backwards: number; last: number; firstBad: string };
    assert.deepEqual(warnings, []);
    assert.ok(seen.reads > 20, `the reader read often enough to matter: ${out}`);
    assert.deepEqual([seen.bad, seen.firstBad, seen.backwards], [0, '', 0], out);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).metadata.n, saves, 'the last save is the one on disk');
    assert.deepEqual(fs.readdirSync(store.taskDir(id)), ['output.log', 'task.json'], 'no temp file left in the task folder');
    const staging = path.join(store.tasksDir, '.saving');
    assert.deepEqual(fs.existsSync(staging) ? fs.readdirSync(staging) : [], [], 'no staged file left');
  });

  it('backs off a write that cannot succeed, says so once, and once more when it works again', async () => {
    const warnings: string[] = [];
    const store = new TaskStore(box.tempDir(), (m) => warnings.push(m));
    store.init();
    const id = 'b0b0b0';
    // A file where the task's folder should be: neither the write nor making the folder can work.
    fs.writeFileSync(store.taskDir(id), 'in the way');
    store.writer.saveSoon(record(id, 1));
    store.writer.saveSoon(record(id, 2));
    const failing = await waitFor(() => store.writer.failing().find((f) => f.attempts >= 4), 'four failed attempts');
    assert.deepEqual(failing.delays.slice(0, 4), [250, 500, 1000, 2000], 'each wait twice the one before');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /could not save task b0b0b0 in .* \((ENOTDIR|EEXIST|ENOENT)\); trying again, less and less often/);
    store.writer.saveSoon(record(id, 3)); // while failing: no new attempt now, the retry writes the latest
    assert.equal(store.writer.failing()[0].attempts, failing.attempts);
    fs.rmSync(store.taskDir(id));
    await waitFor(() => store.writer.failing().length === 0, 'the retry to land', 30_000);
    assert.equal(warnings.length, 2);
    assert.match(warnings[1], /task b0b0b0 is saved again, after \d+ attempts/);
    assert.equal(JSON.parse(fs.readFileSync(path.join(store.taskDir(id), 'task.json'), 'utf8')).metadata.n, 3);
  });

  it('makes a running task’s folder again when it is removed from under it, with one warning', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const id = engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done` });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'running');
    box.trackTask(engine.getTask(id));
    const dir = path.dirname(engine.logPath(id));
    await waitFor(() => fs.existsSync(path.join(dir, 'task.json')), 'task.json on disk');
    fs.rmSync(dir, { recursive: true });
    engine.reportProgress(id, 50); // a change to save: it fails, the folder being gone
    await waitFor(() => fs.existsSync(path.join(dir, 'task.json')), 'task.json written again');
    const mine = box.warnings.filter((w) => w.includes(id));
    assert.equal(mine.length, 2, mine.join('\n'));
    assert.match(mine[0], /could not save task/);
    assert.match(mine[1], /saved again/);
    fs.writeFileSync(go, '');
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed', 'the wrapper wrote its exit into the folder made again');
  });

  it('says why a task cannot be removed, as a value, and removes a finished one with its folder', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const running = engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done` });
    const done = await engine.waitForTask(engine.spawnTask({ command: 'echo bye' }));
    assert.deepEqual(engine.tryRemoveTask('nope00'), { ok: false, reason: 'unknown', message: 'No task with id nope00.' });
    const refused = engine.tryRemoveTask(running);
    assert.deepEqual(refused.ok === false && refused.reason, 'not finished');
    assert.equal(engine.removeTask(running), false);
    const tasksDir = path.dirname(path.dirname(done.logPath));
    assert.deepEqual(engine.tryRemoveTask(done.id), { ok: true });
    assert.ok(!fs.existsSync(path.dirname(done.logPath)), 'gone from its place at once');
    await waitFor(() => !fs.readdirSync(tasksDir).some((n) => n.startsWith('.removed-')), 'its files deleted in the background');
    fs.writeFileSync(go, '');
    await engine.waitForTask(running);
  });
});
