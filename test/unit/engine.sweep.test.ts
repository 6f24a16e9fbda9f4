import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, q, readWhenReady, Sandbox, waitFor } from './helpers';

const MARKER = 'BACKGROUND_TASKS_TASK_ID';

function markerOf(pid: number): string | undefined {
  try {
    const entry = fs.readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith(`${MARKER}=`));
    return entry?.slice(MARKER.length + 1);
  } catch {
    return undefined;
  }
}

describe('engine: cancel leaves nothing behind', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('ends a process that left the task’s group with setsid', async () => {
    const engine = await box.open();
    const pidFile = path.join(box.tempDir(), 'escaped');
    const id = engine.spawnTask({ command: `setsid sh -c 'echo $$ > ${q(pidFile)}; exec sleep 300' & sleep 300` });
    const escaped = Number(await readWhenReady(pidFile));
    box.trackPid(escaped);
    const running = await waitFor(() => engine.getTask(id)?.state.status === 'running' && engine.getTask(id), 'running');
    assert.notEqual(fs.readFileSync(`/proc/${escaped}/stat`, 'latin1').split(') ')[1].split(' ')[2], String(running.state.status === 'running' && running.state.pid), 'it did leave the group');
    assert.match(markerOf(escaped) ?? '', /^[0-9a-f]{32}$/, 'it carries the task’s marker');
    engine.cancelTask(id);
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'cancelled');
    await waitFor(() => !isAlive(escaped), 'the escaped process to end');
  });

  it('ends the grandchild of a double fork whose parent exited (and that left the group)', async () => {
    const engine = await box.open({ cancelGraceMs: 300 });
    const pidFile = path.join(box.tempDir(), 'orphan');
    // The middle process exits at once; the grandchild, now an orphan, starts its own session and ignores SIGTERM.
    const grandchild = `trap '' TERM; echo $$ > ${q(pidFile)}; while :; do sleep 0.05; done`;
    const id = engine.spawnTask({ command: `sh -c ${q(`setsid sh -c ${q(grandchild)} & exit 0`)}; sleep 300` });
    const orphan = Number(await readWhenReady(pidFile));
    box.trackPid(orphan);
    // Reparented once the middle process is gone: to init, or under the Python launcher to its keeper (the session's subreaper).
    const adopter = (): string | undefined => {
      const ppid = fs.readFileSync(`/proc/${orphan}/stat`, 'latin1').split(') ')[1].split(' ')[1];
      if (ppid === '1') return 'init';
      try {
        return fs.readFileSync(`/proc/${ppid}/comm`, 'utf8').trim() === 'bgt-keeper' ? 'the keeper' : undefined;
      } catch {
        return undefined;
      }
    };
    await waitFor(adopter, 'reparented to init or the launcher’s keeper');
    engine.cancelTask(id);
    await engine.waitForTask(id);
    await waitFor(() => !isAlive(orphan), 'the orphan to be killed after the grace period');
  });

  it('gives each task its own marker, never one inherited from the caller or the host', async () => {
    process.env[MARKER] = 'inherited-from-the-host';
    try {
      const engine = await box.open();
      const a = engine.spawnTask({ command: `echo "$${MARKER}"`, env: { [MARKER]: 'given-by-a-caller' } });
      const b = engine.spawnTask({ command: `echo "$${MARKER}"` });
      const [ta, tb] = await Promise.all([engine.waitForTask(a), engine.waitForTask(b)]);
      const [ma, mb] = [ta, tb].map((t) => fs.readFileSync(t.logPath, 'utf8').trim());
      assert.match(ma, /^[0-9a-f]{32}$/);
      assert.match(mb, /^[0-9a-f]{32}$/);
      assert.notEqual(ma, mb);
      assert.deepEqual(ta.envKeys, [], 'the caller’s marker was dropped');
    } finally {
      delete process.env[MARKER];
    }
  });

  it('does not end another task when one is cancelled', async () => {
    const engine = await box.open();
    const dir = box.tempDir();
    const victim = engine.spawnTask({ command: `setsid sleep 300 & echo $! > ${q(path.join(dir, 'v'))}; sleep 300` });
    const bystander = engine.spawnTask({ command: `setsid sleep 300 & echo $! > ${q(path.join(dir, 'b'))}; sleep 300` });
    const [v, b] = [Number(await readWhenReady(path.join(dir, 'v'))), Number(await readWhenReady(path.join(dir, 'b')))];
    box.trackPid(v);
    box.trackPid(b);
    box.trackTask(await waitFor(() => engine.getTask(bystander)?.state.status === 'running' && engine.getTask(bystander), 'bystander running'));
    engine.cancelTask(victim);
    await engine.waitForTask(victim);
    await waitFor(() => !isAlive(v), 'the victim’s escaped process to end');
    assert.ok(isAlive(b), 'the other task’s process lives on');
    assert.equal(engine.getTask(bystander)?.state.status, 'running');
  });

  it('finds what a reattached task left behind, after a restart', async () => {
    const storageDir = box.tempDir();
    const pidFile = path.join(box.tempDir(), 'escaped');
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: `setsid sh -c 'echo $$ > ${q(pidFile)}; exec sleep 300' & sleep 300` });
    const escaped = Number(await readWhenReady(pidFile));
    box.trackPid(escaped);
    box.trackTask(await waitFor(() => first.getTask(id)?.state.status === 'running' && first.getTask(id), 'running'));
    first.dispose();
    const second = await box.open({ storageDir });
    assert.equal(second.getTask(id)?.state.status, 'running');
    second.cancelTask(id);
    await second.waitForTask(id);
    await waitFor(() => !isAlive(escaped), 'the escaped process to end');
  });
});
