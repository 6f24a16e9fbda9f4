import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAlive, q, Sandbox, waitFor } from './helpers';
import { groupStopped, groupStoppedWait } from './queueHelpers';

/** Field `n` (1-based, as in proc(5)) of /proc/<pid>/stat. */
function statField(pid: number, n: number): string | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[n - 3];
  } catch {
    return undefined;
  }
}

/** The command name of a process (/proc/<pid>/comm). */
function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Live processes of this host's launcher programs (their argv holds the program): its children and their children. */
function launcherProcesses(): number[] {
  const pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
  const isProgram = (pid: number): boolean => {
    try {
      return statField(pid, 3) !== 'Z' && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('BACKGROUND_TASKS_TASK_ID=');
    } catch {
      return false;
    }
  };
  const children = pids.filter((pid) => statField(pid, 4) === String(process.pid) && isProgram(pid));
  const grandchildren = pids.filter((pid) => children.includes(Number(statField(pid, 4))) && isProgram(pid));
  return [...children, ...grandchildren];
}

/**
 * The launchers of this host: its children running a launcher program, or under the Python
 * program their child, the launcher its keeper ("bgt-keeper") forked.
 */
function launchers(): number[] {
  return launcherProcesses().filter((pid) => commOf(pid) !== 'bgt-keeper');
}

/** The Python program's keepers: the host's children that hold the tasks' session. */
function keepers(): number[] {
  return launcherProcesses().filter((pid) => commOf(pid) === 'bgt-keeper');
}

function childrenOf(parent: number): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n) && statField(Number(n), 4) === String(parent)).map(Number);
}

function zombiesOf(parent: number): number[] {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n) && statField(Number(n), 4) === String(parent) && statField(Number(n), 3) === 'Z').map(Number);
}

// Every program: Python (the default on Linux), Perl and Node (BACKGROUND_TASKS_LAUNCHER); Python and Perl fall back to Node where they are missing or broken.
for (const kind of ['python', 'perl', 'node'] as const) {
describe(`engine: the launcher (${kind})`, function () {
  const box = new Sandbox();
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.BACKGROUND_TASKS_LAUNCHER;
    process.env.BACKGROUND_TASKS_LAUNCHER = kind;
  });
  afterEach(() => {
    if (before === undefined) delete process.env.BACKGROUND_TASKS_LAUNCHER;
    else process.env.BACKGROUND_TASKS_LAUNCHER = before;
    box.cleanup();
  });

  it(`is the ${kind} program, and starts each task with the host's environment as it is then`, async () => {
    const engine = await box.open();
    const first = await engine.waitForTask(engine.spawnTask({ command: 'echo "[$BGT_TEST_LATE]"' }));
    assert.equal(fs.readFileSync(first.logPath, 'utf8'), '[]\n');
    const [launcher] = launchers();
    const exe = fs.readlinkSync(`/proc/${launcher}/exe`);
    assert.ok(kind === 'node' ? exe === fs.realpathSync(process.execPath) : exe.includes(kind), exe);
    // Set after the launcher started: the next task has it, and a variable removed is gone.
    process.env.BGT_TEST_LATE = 'set later';
    try {
      const second = await engine.waitForTask(engine.spawnTask({ command: 'echo "[$BGT_TEST_LATE]"' }));
      assert.equal(fs.readFileSync(second.logPath, 'utf8'), '[set later]\n');
    } finally {
      delete process.env.BGT_TEST_LATE;
    }
    const third = await engine.waitForTask(engine.spawnTask({ command: 'echo "[${BGT_TEST_LATE-unset}]"' }));
    assert.equal(fs.readFileSync(third.logPath, 'utf8'), '[unset]\n');
    assert.deepEqual(launchers(), [launcher], 'one launcher all along');
  });

  it('forks every task, not the host; reaps them; and ends with the engine', async () => {
    const engine = await box.open({ maxConcurrentTasks: 8 });
    // Each task prints its wrapper's parent: the process that forked it. The wrapper is the
    // command's shell ($$), or its parent ($PPID) when the command runs in a shell of its own.
    const ids = Array.from({ length: 20 }, (_, i) => engine.spawnTask({ command: i % 2 ? `cut -d' ' -f4 /proc/$$/stat` : `exec cut -d' ' -f4 /proc/$PPID/stat` }));
    const done = await Promise.all(ids.map((id) => engine.waitForTask(id)));
    assert.ok(done.every((t) => t.state.status === 'completed'));
    const parents = new Set(done.map((t) => Number(fs.readFileSync(t.logPath, 'utf8'))));
    assert.equal(parents.size, 1, `one launcher forked them all: ${[...parents].join(', ')}`);
    const [launcher] = parents;
    assert.notEqual(launcher, process.pid, 'the host forked none of them');
    assert.deepEqual(launchers(), [launcher], 'the launcher is the host’s child (under the Python program, its keeper’s)');
    await waitFor(() => zombiesOf(launcher).length === 0, 'no zombie left under the launcher');
    engine.dispose();
    await waitFor(() => !isAlive(launcher), 'the launcher to end with the engine');
  });

  it('starts every queued task exactly once while its launcher is killed, again and again', async () => {
    const engine = await box.open({ maxConcurrentTasks: 4 });
    const ledger = path.join(box.tempDir(), 'ledger');
    const ids = Array.from({ length: 60 }, (_, i) => engine.spawnTask({ command: `echo ${i} >> ${q(ledger)}; sleep 0.0${i % 5}` }));
    const kills: number[] = [];
    // Killed only once the engine has seen a batch of starts since the last kill: a launcher
    // killed before it can answer, time after time, is one that cannot run (its starts then fail,
    // by design), and on a loaded machine a fixed kill rate would be exactly that.
    let startedAtLastKill = 0;
    const started = (): number => ids.filter((id) => engine.getTask(id)?.state.status !== 'pending').length;
    const killer = setInterval(() => {
      if (started() < startedAtLastKill + 4) return;
      for (const pid of launchers()) {
        // Three times: a start is resent after each, and fails only when its launcher dies under it five times.
        if (childrenOf(pid).length === 0 || kills.length >= 3) continue;
        process.kill(pid, 'SIGKILL');
        kills.push(pid);
        startedAtLastKill = started();
      }
    }, 100);
    const done = await Promise.all(ids.map((id) => engine.waitForTask(id))).finally(() => clearInterval(killer));
    assert.ok(kills.length >= 2, `the launcher was killed while tasks started (${kills.length} times)`);
    assert.deepEqual(done.filter((t) => t.state.status !== 'completed').map((t) => JSON.stringify(t.state)), [], box.warnings.join('\n'));
    const lines = fs.readFileSync(ledger, 'utf8').trim().split('\n').map(Number).sort((a, b) => a - b);
    assert.deepEqual(lines, ids.map((_, i) => i), 'each task ran once: none lost, none twice');
    assert.ok(box.warnings.some((w) => /launcher process .* was killed by SIGKILL/.test(w)), box.warnings.join('\n'));
  });

  it('keeps a running task through the death of its launcher and records its exit', async () => {
    const engine = await box.open();
    const go = path.join(box.tempDir(), 'go');
    const id = engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done; exit 7` });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'running');
    box.trackTask(engine.getTask(id));
    const [launcher] = launchers();
    process.kill(launcher, 'SIGKILL');
    await waitFor(() => !isAlive(launcher), 'the launcher gone');
    fs.writeFileSync(go, '');
    const t = await engine.waitForTask(id);
    assert.deepEqual(t.state.status === 'failed' && t.state.exitCode, 7);
  });

  it('keeps a paused task stopped through the death of its launcher (no SIGHUP), and runs it on once resumed', async () => {
    const engine = await box.open();
    const dir = box.tempDir();
    const go = path.join(dir, 'go');
    const started = path.join(dir, 'started');
    const id = engine.spawnTask({ command: `touch ${q(started)}; while [ ! -e ${q(go)} ]; do sleep 0.02; done; echo finished` });
    await waitFor(() => fs.existsSync(started) && engine.getTask(id)?.state.status === 'running', 'its command running');
    box.trackTask(engine.getTask(id));
    assert.equal(engine.pauseTask(id), true);
    const pid = (engine.getTask(id)!.state as { pid: number }).pid;
    await waitFor(() => groupStopped(pid), groupStoppedWait(pid));
    const [launcher] = launchers();
    process.kill(launcher, 'SIGKILL');
    await waitFor(() => !isAlive(launcher), 'the launcher gone');
    // A stopped group that its parent's death leaves orphaned is sent SIGHUP and SIGCONT by the
    // kernel at that death, before the parent can be reaped: had it been, it would run or be gone.
    assert.ok(groupStopped(pid), groupStoppedWait(pid)());
    fs.writeFileSync(go, '');
    assert.equal(engine.resumeTask(id), true);
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed', JSON.stringify(t.state));
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'finished\n');
  });

  it('keeps tasks through the death of the host, for the next engine to reattach', async () => {
    const storageDir = box.tempDir();
    const go = path.join(box.tempDir(), 'go');
    const engineJs = path.resolve(__dirname, '../../src/core/engine.js');
    // A host that queues a task, says so, and is then killed without any cleanup.
    const script = `const { TaskEngine } = require(${JSON.stringify(engineJs)});
      TaskEngine.open({ storageDir: ${JSON.stringify(storageDir)} }).then((e) => {
        const id = e.spawnTask({ command: ${JSON.stringify(`while [ ! -e ${q(go)} ]; do sleep 0.02; done; echo survived`)} });
        e.onDidChangeTask((t) => t.state.status === 'running' && console.log(id));
      });`;
    const host = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const id = await new Promise<string>((resolve) => host.stdout.on('data', (d: Buffer) => resolve(d.toString().trim())));
    host.kill('SIGKILL');
    await new Promise((resolve) => host.on('close', resolve));
    // Whatever happens below, the task's group is killed when the test ends.
    const pidFile = path.join(storageDir, 'tasks', id, 'pid');
    box.trackGroup(Number(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 'the pid file')));
    const engine = await box.open({ storageDir });
    assert.equal(engine.getTask(id)?.state.status, 'running', 'found running by the next engine');
    box.trackTask(engine.getTask(id));
    fs.writeFileSync(go, '');
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'completed');
    assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'survived\n');
  });

  it('starts tasks at the niceness set (their session autogroup too), and at the host\'s again once it is 0', async () => {
    // What a task reads of itself: its niceness (field 19 of stat) and, where the kernel has
    // them, its session autogroup's ("/autogroup-N nice K").
    const probe = `awk '{ print $19 }' /proc/$$/stat; cat /proc/$$/autogroup 2>/dev/null || echo none; echo $$`;
    const hostNice = Number(statField(process.pid, 19));
    const engine = await box.open({ niceness: 7 });
    const niced = await engine.waitForTask(engine.spawnTask({ command: probe }));
    const [nice, group, self] = fs.readFileSync(niced.logPath, 'utf8').trim().split('\n');
    assert.equal(Number(nice), Math.min(19, hostNice + 7));
    if (group !== 'none') assert.match(group, / nice 7$/);
    // The Python program starts it through nice, which execs the wrapper: still one process.
    if (kind === 'python') assert.equal(self, fs.readFileSync(path.join(path.dirname(niced.logPath), 'pid'), 'utf8').trim(), 'the command is its wrapper');
    engine.setNiceness(0);
    const plain = await engine.waitForTask(engine.spawnTask({ command: probe }));
    const [again, plainGroup] = fs.readFileSync(plain.logPath, 'utf8').trim().split('\n');
    assert.equal(Number(again), hostNice);
    if (plainGroup !== 'none') assert.match(plainGroup, / nice 0$/);
    assert.throws(() => engine.setNiceness(20), /niceness must be a whole number from 0 \(normal\) to 19/);
  });

  it('adds nothing of its own to a cancelled task\'s log, and keeps the command\'s stderr there', async () => {
    const engine = await box.open();
    const id = engine.spawnTask({ command: 'echo out; echo err >&2; sleep 30' });
    const log = engine.logPath(id);
    await waitFor(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8') === 'out\nerr\n', 'both lines in the log');
    assert.equal(engine.cancelTask(id).ok, true);
    const t = await engine.waitForTask(id);
    assert.equal(t.state.status, 'cancelled');
    assert.equal(fs.readFileSync(log, 'utf8'), 'out\nerr\n', 'no "Terminated" from the wrapper');
  });

  it('runs a /bin/sh command as `sh -c` would: no arguments, its own exit, the umask, and its own $$ and $PPID', async () => {
    const engine = await box.open();
    const run = async (command: string): Promise<{ status: string; exitCode?: number; text: string; dir: string }> => {
      const t = await engine.waitForTask(engine.spawnTask({ command }));
      return { status: t.state.status, exitCode: 'exitCode' in t.state ? t.state.exitCode : undefined, text: fs.readFileSync(t.logPath, 'utf8'), dir: path.dirname(t.logPath) };
    };
    const umask = `0${(process.umask() & 0o777).toString(8).padStart(3, '0')}`;
    const pidOf = (dir: string): number => Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
    // Run by the wrapper itself (commandShell.ts): $$ is the wrapper, $PPID the launcher.
    const plain = await run('echo "args:$# [$*] $0"; umask; exit 3; echo after');
    assert.deepEqual([plain.status, plain.exitCode, plain.text], ['failed', 3, `args:0 [] /bin/sh\n${umask}\n`]);
    const ids = await run('echo $$ $PPID');
    const [self, parent] = ids.text.trim().split(' ').map(Number);
    assert.equal(self, pidOf(ids.dir), 'the command is its wrapper');
    assert.deepEqual(launchers(), [parent], 'its parent is the launcher');
    const failing = await run('set -e; false; echo after');
    assert.deepEqual([failing.status, failing.exitCode, failing.text], ['failed', 1, '']);
    assert.equal(fs.readFileSync(path.join(failing.dir, 'exit'), 'utf8'), '1\n', 'the exit file says so');
    // A command that names trap or exec runs in a shell of its own, under a wrapper that waits.
    const own = await run('echo "args:$# [$*]"; umask; trap; echo $$ $PPID; exit 4');
    const [ownSelf, ownParent] = own.text.trim().split('\n')[2].split(' ').map(Number);
    assert.deepEqual([own.status, own.exitCode, own.text.split('\n').slice(0, 2)], ['failed', 4, ['args:0 []', umask]], 'no traps');
    assert.equal(ownParent, pidOf(own.dir), 'the parent of that shell is the wrapper');
    assert.notEqual(ownSelf, ownParent);
    assert.equal(fs.readFileSync(path.join(own.dir, 'exit'), 'utf8'), '4\n');
    const bad = await run('if');
    assert.deepEqual([bad.status, bad.exitCode], ['failed', 2]);
    assert.match(bad.text, /Syntax error/);
    const missing = await run('no-such-command-anywhere');
    assert.deepEqual([missing.status, missing.exitCode], ['failed', 127]);
    assert.match(missing.text, /no-such-command-anywhere: not found/);
  });

  it('cancels a command run by its wrapper without a word in its log, and one in a shell of its own', async () => {
    const engine = await box.open();
    for (const command of ['echo begun; sleep 300; echo after', 'trap "" USR1; echo begun; sleep 300; echo after']) {
      const id = engine.spawnTask({ command });
      await waitFor(() => engine.getTask(id)?.state.status === 'running' && fs.readFileSync(engine.logPath(id), 'utf8') === 'begun\n', 'running');
      assert.equal(engine.cancelTask(id, 'enough').ok, true);
      const t = await engine.waitForTask(id);
      assert.deepEqual([t.state.status, t.state.status === 'cancelled' && t.state.signal], ['cancelled', 'SIGTERM'], command);
      assert.equal(fs.readFileSync(t.logPath, 'utf8'), 'begun\n', `nothing after the cancel: ${command}`);
    }
  });

  it('says clearly when the shell does not exist', async () => {
    const engine = await box.open({ shell: '/no/such/shell' });
    const t = await engine.waitForTask(engine.spawnTask({ command: 'true' }));
    assert.equal(t.state.status, 'failed');
    assert.match(t.state.status === 'failed' ? t.state.error ?? '' : '', /could not start: the shell "\/no\/such\/shell" was not found or is not executable: set backgroundTasks.shell/);
  });

  it('cancels a task asked to stop while the launcher is still starting it', async () => {
    const engine = await box.open();
    const pids: number[] = [];
    engine.onDidChangeTask((s) => s.state.status === 'running' && pids.push(s.state.pid));
    const id = engine.spawnTask({ command: 'exec sleep 300' });
    // In the same turn as the spawn: the launcher has not answered yet.
    await new Promise((resolve) => setImmediate(resolve));
    const asked = engine.cancelTask(id, 'changed my mind');
    assert.equal(asked.ok, true, asked.message);
    const t = await engine.waitForTask(id);
    assert.deepEqual(t.state.status === 'cancelled' && t.state.reason, 'changed my mind');
    assert.equal(new Set(pids).size, 1, 'it did start (one process), and was stopped once it ran');
    await waitFor(() => !isAlive(pids[0]), 'its process gone');
  });

  it('keeps a cancel asked for while starting when the engine goes away before the start is heard', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir, cancelGraceMs: 200 });
    const id = first.spawnTask({ command: `trap '' TERM; while :; do sleep 0.05; done` });
    await new Promise((resolve) => setImmediate(resolve));
    assert.match(first.cancelTask(id, 'no longer wanted').message, /starting/);
    first.dispose();
    const pidFile = path.join(path.dirname(first.logPath(id)), 'pid');
    // The launcher got the start before it went: the wrapper runs, untended, until the next engine.
    const pid = Number(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 'the wrapper’s pid file'));
    box.trackGroup(pid);
    const second = await box.open({ storageDir, cancelGraceMs: 200 });
    const t = await second.waitForTask(id);
    assert.deepEqual(t.state.status === 'cancelled' && t.state.reason, 'no longer wanted');
    await waitFor(() => !isAlive(pid), 'its process gone');
  });

  it('runs a task whose engine went away before its start was heard, and records it (its wrapper outlives the closed channel)', async () => {
    const storageDir = box.tempDir();
    const first = await box.open({ storageDir });
    const id = first.spawnTask({ command: 'sleep 0.3; echo ran' });
    // The start is on its way; the channel the wrapper says "started" on is closed under it.
    await new Promise((resolve) => setImmediate(resolve));
    first.dispose();
    const dir = path.dirname(first.logPath(id));
    await waitFor(() => fs.existsSync(path.join(dir, 'exit')), 'the task to end by itself');
    const second = await box.open({ storageDir });
    const t = await second.waitForTask(id);
    assert.deepEqual([t.state.status, fs.readFileSync(t.logPath, 'utf8')], ['completed', 'ran\n']);
  });

  it('lets a plain Node caller exit once its tasks are done, without dispose()', async () => {
    const engineJs = path.resolve(__dirname, '../../src/core/engine.js');
    const script = `const { TaskEngine } = require(${JSON.stringify(engineJs)});
      TaskEngine.open({ storageDir: ${JSON.stringify(box.tempDir())} }).then(async (e) => {
        const t = await e.waitForTask(e.spawnTask({ command: 'echo hi' }));
        console.log(t.state.status);
      });`;
    const host = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    host.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => host.on('close', resolve));
    assert.deepEqual([code, out.trim()], [0, 'completed'], 'it exited by itself after its task');
  });
});
}

for (const kind of ['perl', 'python'] as const) {
describe(`engine: the launcher falls back to Node (${kind})`, function () {
  const box = new Sandbox();
  const variable = kind === 'perl' ? 'BACKGROUND_TASKS_PERL' : 'BACKGROUND_TASKS_PYTHON';
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.BACKGROUND_TASKS_LAUNCHER;
    process.env.BACKGROUND_TASKS_LAUNCHER = kind;
  });
  afterEach(() => {
    delete process.env[variable];
    if (before === undefined) delete process.env.BACKGROUND_TASKS_LAUNCHER;
    else process.env.BACKGROUND_TASKS_LAUNCHER = before;
    box.cleanup();
  });

  it(`runs the tasks through the Node launcher when ${kind} cannot run its program, and says so once`, async () => {
    // As a broken install (or a Python older than 3.8) behaves: it exits at once with a complaint.
    const program = path.join(box.tempDir(), kind);
    const complaint = kind === 'perl' ? "Can't locate POSIX.pm in @INC" : 'SyntaxError: invalid syntax';
    fs.writeFileSync(program, `#!/bin/sh\necho "${complaint}" >&2\nexit 2\n`, { mode: 0o755 });
    process.env[variable] = program;
    const engine = await box.open();
    const done = await Promise.all([1, 2, 3].map((i) => engine.waitForTask(engine.spawnTask({ command: `echo ${i}` }))));
    assert.deepEqual(done.map((t) => [t.state.status, fs.readFileSync(t.logPath, 'utf8')]), [1, 2, 3].map((i) => ['completed', `${i}\n`]));
    const [launcher] = launchers();
    assert.equal(fs.readlinkSync(`/proc/${launcher}/exe`), fs.realpathSync(process.execPath));
    const said = box.warnings.filter((w) => w.includes(program));
    assert.equal(said.length, 1, box.warnings.join('\n'));
    assert.match(said[0], new RegExp(`exited with code 2: ${complaint.replace(/[.()@]/g, '\\$&')}.*; the Node launcher takes over`));
  });
});
}


describe('engine: the Python launcher\'s session', function () {
  const box = new Sandbox();
  let before: string | undefined;
  beforeEach(() => {
    before = process.env.BACKGROUND_TASKS_LAUNCHER;
    process.env.BACKGROUND_TASKS_LAUNCHER = 'python';
  });
  afterEach(() => {
    if (before === undefined) delete process.env.BACKGROUND_TASKS_LAUNCHER;
    else process.env.BACKGROUND_TASKS_LAUNCHER = before;
    box.cleanup();
  });

  it('runs every task in one session, its keeper\'s, each task a process group of its own; the keeper outlives the launcher while they run', async () => {
    const engine = await box.open({ maxConcurrentTasks: 4 });
    const go = path.join(box.tempDir(), 'go');
    const ids = [0, 1, 2].map(() => engine.spawnTask({ command: `while [ ! -e ${q(go)} ]; do sleep 0.02; done` }));
    await waitFor(() => ids.every((id) => engine.getTask(id)?.state.status === 'running'), 'all three running');
    const pids = ids.map((id) => {
      box.trackTask(engine.getTask(id));
      return (engine.getTask(id)!.state as { pid: number }).pid;
    });
    const [keeper] = keepers();
    assert.ok(keeper, 'a keeper, the host\'s child');
    const [launcher] = launchers();
    assert.equal(statField(launcher, 4), String(keeper), 'the launcher is the keeper\'s child');
    assert.equal(statField(keeper, 6), String(keeper), 'the keeper leads its session');
    for (const pid of pids) {
      assert.equal(statField(pid, 5), String(pid), 'a process group of its own');
      assert.equal(statField(pid, 6), String(keeper), 'in the keeper\'s session');
      assert.equal(statField(pid, 4), String(launcher), 'started by the launcher');
    }
    engine.dispose();
    await waitFor(() => !isAlive(launcher), 'the launcher to end with the engine');
    // The tasks run on, now the keeper's: it stays as long as they do.
    for (const pid of pids) assert.equal(statField(pid, 4), String(keeper), 'adopted by the keeper');
    assert.ok(isAlive(keeper), 'the keeper stays while its tasks run');
    fs.writeFileSync(go, '');
    await waitFor(() => !isAlive(keeper), 'the keeper to end after the last of them');
    for (const pid of pids) assert.ok(!isAlive(pid), `task ${pid} gone, reaped`);
  });
});
