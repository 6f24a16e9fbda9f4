import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskStore, type TaskRecord } from '../../src/core/store';
import { Sandbox } from './helpers';

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
  this.timeout(60_000);
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('replaces task.json atomically and in order: a concurrent reader never sees half a file nor an older one', async () => {
    const store = new TaskStore(box.tempDir());
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
    const errors: unknown[] = [];
    store.onSaveError = (_id, err) => errors.push(err);
    // Synchronous saves and background ones interleaved, as the engine does them; a
    // background save overtaken by a later one must never land after it.
    const saves = 400;
    for (let n = 1; n <= saves; n++) {
      const r = record(id, n);
      if (n % 3 === 0) store.save(r);
      else store.saveAsync(r);
      if (n % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(store.flushSync(), []);
    fs.writeFileSync(stop, '');
    await done;
    const seen = JSON.parse(out.slice('ready\n'.length)) as { reads: number; bad: number; backwards: number; last: number; firstBad: string };
    assert.deepEqual(errors, []);
    assert.ok(seen.reads > 20, `the reader read often enough to matter: ${out}`);
    assert.deepEqual([seen.bad, seen.firstBad, seen.backwards], [0, '', 0], out);
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).metadata.n, saves, 'the last save is the one on disk');
    assert.deepEqual(fs.readdirSync(store.taskDir(id)), ['output.log', 'task.json'], 'no temp file left in the task folder');
    const staging = path.join(store.tasksDir, '.saving');
    assert.deepEqual(fs.existsSync(staging) ? fs.readdirSync(staging) : [], [], 'no staged file left');
  });
});
