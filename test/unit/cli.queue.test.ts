// bgt's queue control, the compiled CLI against a real engine and control server: timeouts
// (exit 124), retries, delayed starts, lanes, pause and resume of the queue and of a real
// task's processes, and the history exported as JSON and CSV.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatStartAt } from '../../src/core/format';
import type { TaskSnapshot, TaskStatistics } from '../../src/core/types';
import { bgt, modeOf, startEndpoint, stopEndpoints, type Endpoint } from './controlHelpers';
import { Sandbox, q, waitFor } from './helpers';

/** The one-letter states (R, S, T for stopped...) of every process in a process group. */
function groupStates(pgid: number): string[] {
  const states: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) states.push(fields[0]);
    } catch {
      // ended while we looked
    }
  }
  return states;
}

/** A small CSV reader (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

describe('bgt: queue control', function () {
  this.timeout(90_000);
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
  const idOf = async (args: string[]): Promise<string> => {
    const r = await run(args);
    assert.equal(r.code, 0, `bgt ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  it('run --wait --timeout 1 on a program that runs longer exits 124; the task failed, "timed out after 1s"', async () => {
    const r = await run(['run', '--wait', '--timeout', '1', '--', 'sleep', '30']);
    assert.equal(r.code, 124, r.stderr);
    const id = r.stderr.trim().split('\n')[0];
    const task = ep.engine.getTask(id);
    assert.equal(task?.timeoutSeconds, 1);
    assert.equal(task?.state.status, 'failed');
    assert.equal(task?.state.status === 'failed' && task.state.error, 'timed out after 1s');
    assert.equal((await run(['wait', id])).code, 124, 'bgt wait says the same');
    assert.match((await run(['wait', id])).stderr, new RegExp(`^\\[${id}\\] failed \\(timed out after 1s, `));
    assert.match((await run(['ls'])).stdout, /Error: timed out after 1s/);
  });

  it('--timeout takes 5m, 1h30m, 2.5; the snapshot and ls --json carry it', async () => {
    const cases: [string, number][] = [['5m', 300], ['1h30m', 5400], ['2.5', 2.5], ['45s', 45]];
    for (const [text, seconds] of cases) {
      const id = await idOf(['run', '--timeout', text, '--', 'true']);
      assert.equal(ep.engine.getTask(id)?.timeoutSeconds, seconds, text);
      await ep.engine.waitForTask(id);
    }
    const listed = JSON.parse((await run(['ls', '--json'])).stdout) as TaskSnapshot[];
    assert.deepEqual(listed.map((t) => t.timeoutSeconds).sort((a, b) => (a ?? 0) - (b ?? 0)), [2.5, 45, 300, 5400]);
    for (const t of listed) assert.equal(t.attempts, 1);
    assert.match((await run(['ls'])).stdout, /\n {4}Timeout: 5400s\n/);
  });

  it('--retries: a command that fails once then succeeds completes on attempt 2 as one task; one that never does exits with its code after all attempts', async () => {
    const counter = path.join(box.tempDir(), 'count');
    const flaky = `n=$(cat ${q(counter)} 2>/dev/null || echo 0); echo "attempt $n"; echo $((n+1)) > ${q(counter)}; [ "$n" -ge 1 ]`;
    const ok = await run(['run', '--wait', '--retries', '2', '--retry-delay', '0.2', flaky]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /attempt 0[\s\S]*attempt 1/);
    const okTask = ep.engine.getTask(ok.stderr.trim()) as TaskSnapshot;
    assert.equal(okTask.state.status, 'completed');
    assert.deepEqual([okTask.attempt, okTask.attempts, okTask.retryDelaySeconds], [2, 3, 0.2]);
    assert.match((await run(['show', okTask.id])).stdout, new RegExp(`^Task ${okTask.id}: completed \\(exit 0, [^)]*attempt 2/3\\)`));

    const never = await run(['run', '--wait', '--retries', '1', '--', 'sh', '-c', 'echo try; exit 3']);
    assert.equal(never.code, 3);
    assert.equal(never.stdout.match(/^try$/gm)?.length, 2, never.stdout);
    const neverTask = ep.engine.getTask(never.stderr.trim()) as TaskSnapshot;
    assert.deepEqual([neverTask.state.status, neverTask.attempt, neverTask.attempts], ['failed', 2, 2]);
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as TaskStatistics;
    assert.equal(stats.retried, 2);
    assert.match((await run(['stats'])).stdout, /needed more than one attempt: 2\./);
  });

  it('--delay and --at queue a task that starts later: pending with startAt, "starts at HH:MM" in ls and show', async () => {
    const before = Date.now();
    const delayed = await idOf(['run', '--delay', '10m', '--', 'true']);
    const state = ep.engine.getTask(delayed)?.state;
    assert.equal(state?.status, 'pending');
    const startAt = state?.status === 'pending' ? (state.startAt ?? 0) : 0;
    assert.ok(startAt >= before + 600_000 && startAt <= Date.now() + 600_000, `startAt ${startAt}`);
    assert.ok((await run(['ls'])).stdout.includes(formatStartAt(startAt)), 'ls shows when it starts');
    assert.match((await run(['show', delayed])).stdout, new RegExp(`^Task ${delayed}: queued \\(${formatStartAt(startAt)}\\)`));
    const json = JSON.parse((await run(['show', delayed, '--json'])).stdout) as TaskSnapshot;
    assert.equal(json.state.status === 'pending' && json.state.startAt, startAt);

    const inTwoHours = new Date(Date.now() + 2 * 3600_000);
    const hhmm = `${String(inTwoHours.getHours()).padStart(2, '0')}:${String(inTwoHours.getMinutes()).padStart(2, '0')}`;
    const clock = await idOf(['run', '--at', hhmm, '--', 'true']);
    const clockAt = new Date(startAtOf(ep.engine.getTask(clock)) ?? 0);
    assert.deepEqual([clockAt.getHours(), clockAt.getMinutes(), clockAt.getSeconds()], [inTwoHours.getHours(), inTwoHours.getMinutes(), 0]);
    assert.ok(clockAt.getTime() > Date.now() && clockAt.getTime() < Date.now() + 24 * 3600_000, 'today, or tomorrow if the time had passed');

    const epochSeconds = Math.floor(Date.now() / 1000) + 3600;
    assert.equal(startAtOf(ep.engine.getTask(await idOf(['run', '--at', `@${epochSeconds}`, 'true']))), epochSeconds * 1000);
    assert.equal(startAtOf(ep.engine.getTask(await idOf(['run', '--at', '2099-06-01T12:30Z', 'true']))), Date.UTC(2099, 5, 1, 12, 30));
    assert.equal(startAtOf(ep.engine.getTask(await idOf(['run', '--at', '2099-06-01T12:30+02:00', 'true']))), Date.UTC(2099, 5, 1, 10, 30));
    assert.equal(startAtOf(ep.engine.getTask(await idOf(['run', '--at', '2099-06-01 12:30', 'true']))), new Date(2099, 5, 1, 12, 30).getTime());
  });

  it('--lane puts the task in its lane (snapshot, ls --json, stats by lane)', async () => {
    const id = await idOf(['run', '--lane', 'gpu', '--', 'true']);
    assert.equal((await ep.engine.waitForTask(id)).lane, 'gpu');
    const listed = JSON.parse((await run(['ls', '--json'])).stdout) as TaskSnapshot[];
    assert.equal(listed[0].lane, 'gpu');
    assert.match((await run(['ls'])).stdout, new RegExp(`\\[${id}\\] COMPLETED .*\\n {4}Lane: gpu\\n`));
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as TaskStatistics;
    assert.deepEqual(stats.byLane, { gpu: 1 });
    assert.match((await run(['stats'])).stdout, /By lane: 1 gpu\./);
    assert.match((await run(['show', id])).stdout, new RegExp(`^Task ${id}: completed \\(exit 0, [^)]*lane gpu\\)`));
  });

  it('bad values for the new options exit 64 with a message naming the option, and queue nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--timeout', 'soon'], /--timeout needs a duration: seconds \(90, 2\.5\) or a number with s, m, h or d .*got "soon"/],
      [['--timeout', '-1'], /--timeout needs a duration.*got "-1"/],
      [['--timeout=-5'], /--timeout needs a duration.*got "-5"/],
      [['--retries', '1.5'], /--retries needs a whole number of at least 0.*got "1\.5"/],
      [['--retries', 'many'], /--retries needs a whole number/],
      [['--retry-delay', '5 minutes'], /--retry-delay needs a duration/],
      [['--delay', '10x'], /--delay needs a duration/],
      [['--at', '25:00'], /--at names no time of day; give HH:MM/],
      [['--at', 'tomorrow'], /--at is not a time bgt reads; give HH:MM/],
      [['--at', '2020-01-01T00:00'], /--at is in the past/],
      [['--at', '2099-02-30T10:00'], /--at names no such date and time/],
      [['--at', `@${Math.floor(Date.now() / 1000) - 60}`], /--at is in the past/],
      [['--delay', '5', '--at', '18:00'], /give --delay or --at, not both/],
      [['--lane', ''], /--lane needs a lane name/],
      [['--timeout'], /option --timeout needs a value/],
    ];
    for (const [options, expected] of cases) {
      const r = await run(['run', ...options, '--', 'true']);
      assert.equal(r.code, 64, `bgt run ${options.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected, options.join(' '));
      assert.match(r.stderr, /Run bgt run --help for its usage/);
    }
    // What only the engine knows (its limits) comes back as a usage error too.
    for (const [options, expected] of [[['--retries', '500'], /^bgt run: retries must be a whole number from 0 to 100/], [['--lane', 'x'.repeat(200)], /^bgt run: A lane is a name such as "gpu"/]] as const) {
      const r = await run(['run', ...options, '--', 'true']);
      assert.equal(r.code, 64, `bgt run ${options.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, expected);
    }
    assert.equal(ep.engine.getAllTasks().length, 0);
  });

  it('pause ID stops every process of a running task (SIGSTOP), resume ID continues it; ls marks it ⏸', async () => {
    const dir = box.tempDir();
    const go = path.join(dir, 'go');
    const started = path.join(dir, 'started');
    const id = await idOf(['run', '--', 'sh', '-c', `: > ${q(started)}; while [ ! -e ${q(go)} ]; do sleep 0.05; done; echo finished`]);
    const running = await waitFor(() => {
      const t = ep.engine.getTask(id);
      return t?.state.status === 'running' ? t.state : undefined;
    }, 'the task to run');
    // Paused in the middle of its wrapper's fork, a process can sit in D instead of T: pause the command itself.
    await waitFor(() => fs.existsSync(started), 'the command to start');
    const paused = await run(['pause', id]);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, new RegExp(`Paused task \\[${id}\\]`));
    const state = ep.engine.getTask(id)?.state;
    assert.ok(state?.status === 'running' && state.pausedAt !== undefined, 'running, with pausedAt');
    // Stopped, as far as a process can be: T; Z, a child that ended just as its parent was
    // stopped (the parent cannot reap it until it is resumed); D, a shell stopped inside its
    // vfork() whose child was stopped before its exec (dash forks commands with vfork: the
    // parent then waits, uninterruptibly, for a child that cannot run). Seen under load: 4 zombies
    // and 8 such parents in 150 stops of `while :; do sleep 0.01; done` with stress-ng running.
    await waitFor(() => {
      const states = groupStates(running.pid);
      return states.includes('T') && states.every((s) => s === 'T' || s === 'Z' || s === 'D');
    }, 'every process of the task to be stopped (T, or Z or D as explained above)');
    assert.match((await run(['ls'])).stdout, new RegExp(`^⏸ . \\[${id}\\]`, 'm'));
    assert.match((await run(['show', id])).stdout, new RegExp(`^Task ${id}: running \\([^)]*paused`));
    assert.match((await run(['wait', id, '--max-wait', '0'])).stderr, new RegExp(`^\\[${id}\\] running \\([^)]*paused`));

    const again = await run(['pause', id]);
    assert.equal(again.code, 1, 'nothing more to pause');
    assert.match(again.stderr, /already paused/);

    fs.writeFileSync(go, '');
    const resumed = await run(['resume', id]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, new RegExp(`Resumed task \\[${id}\\]`));
    assert.equal((await run(['wait', id])).code, 0);
    assert.equal(fs.readFileSync(ep.engine.getTask(id)?.logPath ?? '', 'utf8'), 'finished\n');
    const notPaused = await run(['resume', id]);
    assert.equal(notPaused.code, 1);
    assert.match(notPaused.stderr, /has already ended \(completed\)/);
  });

  it('pause/resume of a task: 65 for an unknown id, 1 for a pending one, 64 for two ids', async () => {
    assert.equal((await run(['pause', 'nope00'])).code, 65);
    assert.equal((await run(['resume', 'nope00'])).code, 65);
    ep.engine.pauseQueue();
    const pending = await idOf(['run', 'true']);
    const r = await run(['pause', pending]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is pending, not running: there is nothing to pause \(bgt pause with no id pauses the queue\)/);
    assert.equal((await run(['resume', pending])).code, 1);
    assert.equal((await run(['pause', pending, 'other'])).code, 64);
  });

  it('pause without an id holds the queue (pending tasks wait, stats say so), resume lets it go; both are idempotent', async () => {
    const sleeper = await idOf(['run', '--', 'sleep', '30']);
    await waitFor(() => ep.engine.getTask(sleeper)?.state.status === 'running', 'the sleeper to run');
    const paused = await run(['pause']);
    assert.equal(paused.code, 0, paused.stderr);
    assert.match(paused.stdout, /^Paused the queue: 0 pending tasks wait, running ones go on/);
    assert.equal(ep.engine.isQueuePaused(), true);
    const waiting = await idOf(['run', '--', 'echo', 'later']);
    assert.equal(ep.engine.getTask(waiting)?.state.status, 'pending');
    assert.equal(ep.engine.getTask(sleeper)?.state.status, 'running', 'a running task goes on');
    assert.match((await run(['ls'])).stdout, /\nThe queue is paused: the pending task waits until bgt resume\.\n$/);
    const stats = JSON.parse((await run(['stats', '--json'])).stdout) as TaskStatistics;
    assert.equal(stats.queuePaused, true);
    assert.match((await run(['stats'])).stdout, /queued: 1 \(the queue is paused: bgt resume starts it again\)/);
    const twice = await run(['pause']);
    assert.equal(twice.code, 0);
    assert.match(twice.stdout, /already paused/);

    const resumed = await run(['resume']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^Resumed the queue/);
    assert.equal((await ep.engine.waitForTask(waiting)).state.status, 'completed');
    assert.doesNotMatch((await run(['ls'])).stdout, /queue is paused/);
    assert.equal((JSON.parse((await run(['stats', '--json'])).stdout) as TaskStatistics).queuePaused, false);
    const notPaused = await run(['resume']);
    assert.equal(notPaused.code, 0);
    assert.match(notPaused.stdout, /was not paused/);
  });

  it('export --json and --csv print the history, which parses back; -o writes a 0600 file; never an env value', async () => {
    const secret = `s3cret-${Date.now()}`;
    const a = (await run(['run', '--lane', 'db', '--meta', 'ticket=42', '--', 'echo', 'one, "two"'], { env: { API_TOKEN: secret } })).stdout.trim();
    assert.ok(ep.engine.getTask(a)?.envKeys.includes('API_TOKEN'));
    const b = await idOf(['run', '--retries', '1', '--', 'sh', '-c', 'exit 2']);
    await ep.engine.waitForTask(a);
    await ep.engine.waitForTask(b);
    const json = await run(['export', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => r.id).sort(), [a, b].sort());
    const first = rows.find((r) => r.id === a) as Record<string, unknown>;
    assert.equal(first.command, `echo 'one, "two"'`);
    assert.equal(first.lane, 'db');
    assert.equal(first.status, 'completed');
    assert.equal((rows.find((r) => r.id === b) as Record<string, unknown>).attempts, 2);

    const csv = await run(['export', '--csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...lines] = parseCsv(csv.stdout.replace(/\r?\n$/, ''));
    assert.deepEqual(header, ['id', 'command', 'status', 'exitCode', 'type', 'priority', 'lane', 'createdAt', 'startedAt', 'endedAt', 'durationMs', 'attempts', 'metadata']);
    assert.equal(lines.length, 2);
    const row = Object.fromEntries(header.map((h, i) => [h, lines.find((l) => l[0] === a)?.[i]]));
    assert.equal(row.command, `echo 'one, "two"'`);
    assert.equal(row.lane, 'db');
    assert.deepEqual(JSON.parse(row.metadata ?? ''), { ticket: '42' });
    assert.equal(lines.find((l) => l[0] === b)?.[header.indexOf('exitCode')], '2');

    const file = path.join(box.tempDir(), 'history.csv');
    const written = await run(['export', '--csv', '-o', file]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, '');
    assert.equal(fs.readFileSync(file, 'utf8'), csv.stdout);
    assert.equal(modeOf(file), 0o600);
    for (const text of [json.stdout, csv.stdout]) assert.ok(!text.includes(secret));

    for (const args of [['export'], ['export', '--json', '--csv'], ['export', '--xml'], ['export', '--csv', 'extra']]) {
      const r = await run(args);
      assert.equal(r.code, 64, args.join(' '));
    }
    assert.match((await run(['export', '--csv', '-o', '/nonexistent/dir/h.csv'])).stderr, /its folder does not exist/);
  });

  it('in Restricted Mode pause and resume refuse (77); export still works', async () => {
    const id = await idOf(['run', '--', 'sleep', '30']);
    ep.trusted = false;
    for (const args of [['pause'], ['resume'], ['pause', id], ['resume', id]]) {
      const r = await run(args);
      assert.equal(r.code, 77, args.join(' '));
      assert.match(r.stderr, /Restricted Mode/);
    }
    assert.equal(ep.engine.isQueuePaused(), false);
    assert.equal((await run(['export', '--json'])).code, 0);
  });

  it('--help for pause, resume and export, and the new run options', async () => {
    const env = { BACKGROUND_TASKS_SOCKET: '' };
    for (const command of ['pause', 'resume', 'export']) {
      const r = await bgt([command, '--help'], { env });
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: bgt ${command}`));
    }
    const runHelp = (await bgt(['run', '--help'], { env })).stdout;
    for (const option of ['--timeout S', '--retries N', '--retry-delay S', '--delay S', '--at TIME', '--lane NAME', '124']) assert.ok(runHelp.includes(option), option);
    const main = (await bgt(['--help'], { env })).stdout;
    for (const command of ['pause [ID]', 'resume [ID]', 'export --json|--csv']) assert.ok(main.includes(command), command);
  });
});

function startAtOf(task: TaskSnapshot | undefined): number | undefined {
  return task?.state.status === 'pending' ? task.state.startAt : undefined;
}
