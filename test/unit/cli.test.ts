// bgt, the compiled CLI, run as a child process against a real engine and control server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskSnapshot } from '../../src/core/types';
import { CLI, bgt, startEndpoint, stopEndpoints, type Endpoint } from './controlHelpers';
import { Sandbox, waitFor } from './helpers';

describe('bgt, the command line', function () {
  this.timeout(60_000);
  const box = new Sandbox();
  let ep: Endpoint;
  beforeEach(async () => {
    ep = await startEndpoint(box);
  });
  afterEach(() => {
    stopEndpoints();
    box.cleanup();
  });

  const run = (args: string[], options: Parameters<typeof bgt>[1] = {}) => bgt(args, { socketPath: ep.socketPath, ...options });
  const output = (id: string) => fs.readFileSync(ep.engine.getTask(id)?.logPath ?? '', 'utf8');

  it('run prints the new id alone on a line; the task runs in this folder with this environment', async () => {
    const cwd = box.tempDir('bgt-cwd-');
    const r = await run(['run', 'echo "$GREETING from $(pwd)" && echo second'], { cwd, env: { GREETING: 'hello' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-z]+\n$/);
    const id = r.stdout.trim();
    const task = await ep.engine.waitForTask(id);
    assert.equal(task.state.status, 'completed');
    assert.equal(output(id), `hello from ${fs.realpathSync(cwd)}\nsecond\n`);
    assert.ok(task.envKeys.includes('GREETING'));
  });

  it('several arguments are quoted so the shell sees exactly those words', async () => {
    const r = await run(['run', '--wait', '--', 'printf', '%s|\\n', 'a b', "c'd", '$HOME', '']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "a b|\nc'd|\n$HOME|\n|\n");
  });

  it('run --wait streams the output, puts the id on stderr, and exits with the task’s code', async () => {
    const r = await run(['run', '--wait', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\nerr\n');
    const id = r.stderr.trim();
    assert.equal(ep.engine.getTask(id)?.state.status, 'failed');
    const quiet = await run(['run', '--wait', '--quiet', '--', 'echo', 'hidden']);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stdout, '');
  });

  it('exit codes: 128+n for a signal, 125 for a cancelled task, 75 when --max-wait runs out', async () => {
    assert.equal((await run(['run', '--wait', '--', 'sh', '-c', 'kill -TERM $$'])).code, 128 + 15);
    const sleeper = (await run(['run', '--', 'sleep', '30'])).stdout.trim();
    const waited = await run(['wait', sleeper, '--max-wait', '0.3']);
    assert.equal(waited.code, 75);
    assert.match(waited.stderr, new RegExp(`\\[${sleeper}\\] running`));
    const cancel = await run(['cancel', sleeper]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal((await run(['wait', sleeper])).code, 125);
    assert.equal((await run(['cancel', sleeper])).code, 1);
  });

  it('wait with several ids exits with the code of the first that did not complete', async () => {
    const ok = (await run(['run', 'true'])).stdout.trim();
    const bad = (await run(['run', 'exit 4'])).stdout.trim();
    const worse = (await run(['run', 'exit 9'])).stdout.trim();
    assert.equal((await run(['wait', ok])).code, 0);
    assert.equal((await run(['wait', ok, bad, worse])).code, 4);
    assert.equal((await run(['wait', worse, bad])).code, 9);
  });

  it('usage errors exit 64, unknown ids 65, no socket 69, Restricted Mode 77 (reading still works)', async () => {
    for (const args of [['run'], ['ls', '--bogus'], ['run', '-p', 'extreme', '--', 'true'], ['wait'], ['frobnicate'], ['run', '--quiet', 'true']]) {
      const r = await run(args);
      assert.equal(r.code, 64, `bgt ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /bgt/);
    }
    for (const args of [['show', 'nope00'], ['wait', 'nope00'], ['cancel', 'nope00'], ['tail', 'nope00'], ['rerun', 'nope00'], ['run', '--after', 'nope00', 'true']]) {
      assert.equal((await run(args)).code, 65, `bgt ${args.join(' ')}`);
    }
    const none = await bgt(['ls'], { env: { BACKGROUND_TASKS_SOCKET: '' } });
    assert.equal(none.code, 69);
    assert.match(none.stderr, /BACKGROUND_TASKS_SOCKET is not set/);
    const before = ep.engine.getAllTasks().length;
    ep.trusted = false;
    const refused = await run(['run', 'true']);
    assert.equal(refused.code, 77);
    assert.match(refused.stderr, /Restricted Mode/);
    assert.equal((await run(['clear'])).code, 77);
    assert.equal((await run(['ls'])).code, 0);
    assert.equal(ep.engine.getAllTasks().length, before, 'a refused run queued nothing');
  });

  it('piped stdin becomes the task’s stdin (git log | bgt run -- grep fix)', async () => {
    const r = await run(['run', '--wait', '--', 'grep', 'fix'], { input: 'a\nfix one\nb\nfix two\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'fix one\nfix two\n');
    const file = path.join(box.tempDir(), 'in.txt');
    fs.writeFileSync(file, 'x\ny\n');
    const fromFile = await run(['run', '--', 'wc', '-l'], { input: fs.readFileSync(file, 'utf8') });
    const task = await ep.engine.waitForTask(fromFile.stdout.trim());
    assert.equal(output(task.id).trim(), '2');
  });

  it('piped stdin is live: the task reads each line as it is written (tail -f log | bgt run -- cat)', async () => {
    let stdin: NodeJS.WritableStream | undefined;
    let seen = '';
    const done = run(['run', '--wait', '--', 'cat'], {
      feed: (s) => {
        stdin = s;
        s.write('first\n');
      },
      onStdout: (text) => {
        seen += text;
        // Only once the task has echoed the first line does the second go in.
        if (seen === 'first\n') stdin?.end('second\n');
      },
    });
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'first\nsecond\n');
  });

  it('a task that stops reading ends bgt run too, even if its input never ends (yes | bgt run -- head -2)', async () => {
    const r = await run(['run', '--wait', '--', 'head', '-2'], {
      feed: (s) => {
        const tick = setInterval(() => s.write('y\n'), 20);
        s.on('close', () => clearInterval(tick));
        s.on('error', () => clearInterval(tick));
        setTimeout(() => clearInterval(tick), 20_000).unref();
      },
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'y\ny\n');
  });

  it('every task gets the socket: a task can queue its follow-up with bgt', async () => {
    const r = await run(['run', '--wait', '--', 'sh', '-c', `"${process.execPath}" "${CLI}" run -- echo follow-up`]);
    assert.equal(r.code, 0, r.stderr);
    const followUp = r.stdout.trim();
    const task = await ep.engine.waitForTask(followUp);
    assert.equal(task.command, 'echo follow-up');
  });

  it('options reach the task: priority, type, --after, --meta, --stdin-from, --cwd', async () => {
    const first = (await run(['run', 'printf "a\\nb\\n"'])).stdout.trim();
    const cwd = box.tempDir('bgt-cwd-');
    const r = await run(['run', '-p', 'high', '-t', 'system', '--after', first, '--meta', 'ticket=42', '--stdin-from', first, '--cwd', cwd, '--', 'wc', '-l']);
    assert.equal(r.code, 0, r.stderr);
    const task = await ep.engine.waitForTask(r.stdout.trim());
    assert.equal(task.priority, 'high');
    assert.equal(task.type, 'system');
    assert.deepEqual(task.dependsOn, [first]);
    assert.equal(task.metadata.ticket, '42');
    assert.match((await run(['show', task.id])).stdout, /\n {2}Metadata:\n {4}ticket: 42\n/);
    assert.equal(task.cwd, cwd);
    assert.equal(output(task.id).trim(), '2');
  });

  it('ls, show, stats in words and as JSON; tail; rerun; clear', async () => {
    const id = (await run(['run', '--wait', '--quiet', '--', 'sh', '-c', 'seq 1 30; exit 2'])).stderr.trim();
    const ls = await run(['ls']);
    assert.match(ls.stdout, /^All Tasks \(1\):\n─+\n✗ ¢ \[\w+\] FAILED/);
    assert.match(ls.stdout, /Exit code: 2/);
    assert.match((await run(['ls', '--completed'])).stdout, /No completed tasks/);
    const json = JSON.parse((await run(['ls', '--json', '--failed'])).stdout) as TaskSnapshot[];
    assert.deepEqual(json.map((t) => t.id), [id]);
    assert.equal((JSON.parse((await run(['show', id, '--json'])).stdout) as TaskSnapshot).state.status, 'failed');
    assert.match((await run(['show', id])).stdout, /Exit code: 2[\s\S]*Output \(last 10 lines\):\n {2}21\n/);
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(stats, JSON.parse(JSON.stringify(ep.engine.getStatistics())));
    assert.match((await run(['stats'])).stdout, /^1 task: 0 pending, 0 running, 0 completed, 1 failed, 0 cancelled\./);
    assert.equal((await run(['tail', '-n', '3', id])).stdout, '28\n29\n30\n');
    const again = (await run(['rerun', id])).stdout.trim();
    assert.notEqual(again, id);
    assert.equal((await ep.engine.waitForTask(again)).command, ep.engine.getTask(id)?.command);
    assert.equal((await run(['clear'])).stdout, 'Removed 2 finished tasks.\n');
  });

  it('tail -f prints the output live until the task ends', async () => {
    const id = (await run(['run', 'for i in 1 2 3 4; do echo l$i; sleep 0.3; done'])).stdout.trim();
    await waitFor(() => ep.engine.getTask(id)?.state.status === 'running', 'the task to start');
    const r = await run(['tail', '-f', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'l1\nl2\nl3\nl4\n');
    assert.ok(['completed'].includes(ep.engine.getTask(id)?.state.status ?? ''));
  });

  it('--help for bgt and each command; `bgt run -- grep --help` runs grep', async () => {
    const main = await bgt(['--help'], { env: { BACKGROUND_TASKS_SOCKET: '' } });
    assert.equal(main.code, 0);
    for (const word of ['run', 'ls', 'show', 'cancel', 'rerun', 'clear', 'stats', 'wait', 'tail', 'mcp', '69', '77']) assert.match(main.stdout, new RegExp(word));
    for (const command of ['run', 'ls', 'show', 'cancel', 'rerun', 'clear', 'stats', 'wait', 'tail', 'mcp']) {
      const r = await bgt([command, '--help'], { env: { BACKGROUND_TASKS_SOCKET: '' } });
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: bgt ${command}`));
    }
    const grep = await run(['run', '--', 'grep', '--help']);
    assert.match(grep.stdout, /^[0-9a-z]+\n$/);
  });
});

describe('bgt: piped stdin when the window goes away', function () {
  this.timeout(60_000);
  const box = new Sandbox();
  afterEach(() => {
    stopEndpoints();
    box.cleanup();
  });

  it('a queued task whose stdin pipe outlived its window fails with the reason instead of blocking the next engine', async () => {
    const ep = await startEndpoint(box);
    ep.engine.setMaxConcurrentTasks(1);
    const blocker = ep.engine.spawnTask({ command: 'sleep 30' });
    let stdin: NodeJS.WritableStream | undefined;
    const piped = bgt(['run', '--', 'cat'], { socketPath: ep.socketPath, feed: (s) => (stdin = s) });
    const task = await waitFor(() => ep.engine.getAllTasks().find((t) => t.command === 'cat'), 'the piped task');
    assert.equal(task.state.status, 'pending');
    const pipes = path.join(path.dirname(path.dirname(path.dirname(task.logPath))), 'pipes');
    assert.equal(fs.readdirSync(pipes).length, 1);
    ep.server.dispose();
    assert.deepEqual(fs.readdirSync(pipes), [], 'the FIFO is gone with its window');
    stdin?.end('late\n');
    ep.engine.cancelTask(blocker);
    const ended = await ep.engine.waitForTask(task.id);
    assert.equal(ended.state.status, 'failed');
    assert.match(ended.state.status === 'failed' ? (ended.state.error ?? '') : '', /input file does not exist/);
    assert.equal((await piped).code !== null, true, 'bgt ended');
  });
});
