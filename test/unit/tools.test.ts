// The five agent tools' text and input checks (shared by the LM tools and bgt mcp), against a
// real engine; and package.json declares exactly the schemas the code checks.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { engineAccess } from '../../src/control/access';
import { runTool, TOOL_DESCRIPTIONS, TOOL_NAMES, TOOL_SCHEMAS } from '../../src/control/tools';
import type { TaskEngine } from '../../src/core/engine';
import { formatStartAt } from '../../src/core/format';
import type { TaskSnapshot } from '../../src/core/types';
import { Sandbox, waitFor } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');

describe('agent tools: text and inputs', function () {
  this.timeout(30_000);
  const box = new Sandbox();
  let engine: TaskEngine;
  let trusted = true;
  const ctx = { caller: 'a test' };
  const call = async (name: string, input: unknown) => runTool(engineAccess(engine, () => trusted), name, input, ctx);
  beforeEach(async () => {
    engine = await box.open();
    trusted = true;
  });
  afterEach(() => box.cleanup());

  it('run answers "[id] queued"; with waitSeconds the status, exit code, duration and output', async () => {
    const queued = await call('backgroundTasks_run', { command: 'echo hi' });
    assert.equal(queued.isError, false);
    const id = /^\[(\w+)\] queued\n/.exec(queued.text)?.[1];
    assert.ok(id, queued.text);
    const done = await call('backgroundTasks_run', { command: 'echo one; echo two', waitSeconds: 20 });
    assert.match(done.text, /^\[\w+\] completed \(exit 0, \d+\.\ds\)\ncommand: echo one; echo two\noutput \(last 2 lines\):\none\ntwo$/);
    const failed = await call('backgroundTasks_run', { command: 'exit 3', waitSeconds: 20 });
    assert.match(failed.text, /^\[\w+\] failed \(exit 3, /);
    const slow = await call('backgroundTasks_run', { command: 'sleep 5', waitSeconds: 0.2 });
    assert.match(slow.text, /^\[\w+\] running[\s\S]*Still running after 0.2 s/);
  });

  it('status describes one task or lists them (filtered by one status or several)', async () => {
    const a = engine.spawnTask({ command: 'true' });
    const b = engine.spawnTask({ command: 'exit 1' });
    await engine.waitForTask(a);
    await engine.waitForTask(b);
    assert.match((await call('backgroundTasks_status', { id: a })).text, new RegExp(`^\\[${a}\\] completed \\(exit 0`));
    const all = (await call('backgroundTasks_status', {})).text.split('\n');
    assert.equal(all.length, 2);
    assert.match(all[0], new RegExp(`^\\[${b}\\] failed \\(exit 1, .*\\) exit 1$`));
    assert.match((await call('backgroundTasks_status', { status: 'failed' })).text, new RegExp(`^\\[${b}\\]`));
    assert.equal((await call('backgroundTasks_status', { status: ['failed', 'completed'] })).text.split('\n').length, 2);
    assert.equal((await call('backgroundTasks_status', { status: 'running' })).text, 'No tasks with status running.');
  });

  it('output gives the last lines (default 50); wait the final status, or "still running"', async () => {
    const id = engine.spawnTask({ command: 'seq 1 80' });
    await engine.waitForTask(id);
    const out = (await call('backgroundTasks_output', { id })).text.split('\n');
    assert.match(out[0], /^\[\w+\] completed/);
    assert.equal(out[1], 'output (last 50 lines):');
    assert.deepEqual(out.slice(2), Array.from({ length: 50 }, (_, i) => String(31 + i)));
    assert.equal((await call('backgroundTasks_output', { id, lines: 2 })).text.split('\n').slice(2).join(','), '79,80');
    const sleeper = engine.spawnTask({ command: 'sleep 0.5' });
    assert.match((await call('backgroundTasks_wait', { id: sleeper, waitSeconds: 0 })).text, /^\[\w+\] (queued|running)[\s\S]*still running after 0 s/i);
    assert.match((await call('backgroundTasks_wait', { id: sleeper, waitSeconds: 30 })).text, /^\[\w+\] completed \(exit 0/);
  });

  it('cancel stops a task and answers with its status', async () => {
    const id = engine.spawnTask({ command: 'sleep 30' });
    const answer = await call('backgroundTasks_cancel', { id });
    assert.match(answer.text, new RegExp(`^\\[${id}\\] cancelled \\(cancelled by a test`));
    assert.equal(engine.getTask(id)?.state.status, 'cancelled');
  });

  it('bad inputs give an error text naming the field, never a throw', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['backgroundTasks_run', {}, /"command" is required/],
      ['backgroundTasks_run', { command: 42 }, /"command" must be a non-empty string/],
      ['backgroundTasks_run', { command: 'x', priority: 'asap' }, /"priority" must be one of "urgent"/],
      ['backgroundTasks_run', { command: 'x', type: 'gpu' }, /"type" must be one of/],
      ['backgroundTasks_run', { command: 'x', dependsOn: [1] }, /"dependsOn" must be an array of task ids/],
      ['backgroundTasks_run', { command: 'x', dependsOn: ['nope00'] }, /"dependsOn": No task with id "nope00"/],
      ['backgroundTasks_run', { command: 'x', waitSeconds: -1 }, /"waitSeconds" must be a number/],
      ['backgroundTasks_status', { status: 'done' }, /"status" must be one of "pending"/],
      ['backgroundTasks_status', { id: 'nope00' }, /No task with id "nope00"/],
      ['backgroundTasks_output', {}, /"id" is required/],
      ['backgroundTasks_output', { id: 'x', lines: 'ten' }, /"lines" must be a number/],
      ['backgroundTasks_wait', { id: 'nope00' }, /No task with id "nope00"/],
      ['backgroundTasks_cancel', { id: '' }, /"id" must be a non-empty string/],
      ['backgroundTasks_cancel', 'abc', /input must be a JSON object/],
    ];
    for (const [name, input, expected] of cases) {
      const answer = await call(name, input);
      assert.equal(answer.isError, true, `${name} ${JSON.stringify(input)}`);
      assert.match(answer.text, expected, `${name} ${JSON.stringify(input)}`);
    }
    assert.equal(engine.getAllTasks().length, 0);
  });

  it('run takes timeoutSeconds, retries, retryDelaySeconds, delaySeconds and lane; the answer says them', async () => {
    const queued = await call('backgroundTasks_run', { command: 'true', timeoutSeconds: 90, retries: 2, retryDelaySeconds: 5, delaySeconds: 600, lane: 'gpu' });
    assert.equal(queued.isError, false, queued.text);
    const id = /^\[(\w+)\]/.exec(queued.text)?.[1] ?? '';
    const task = engine.getTask(id) as TaskSnapshot;
    assert.deepEqual([task.timeoutSeconds, task.attempts, task.retryDelaySeconds, task.lane], [90, 3, 5, 'gpu']);
    const startAt = task.state.status === 'pending' ? (task.state.startAt ?? 0) : 0;
    assert.ok(startAt > Date.now() + 590_000, 'it starts in ten minutes');
    assert.equal(queued.text.split('\n')[0], `[${id}] queued (${formatStartAt(startAt)}, attempt 1/3, lane gpu, timeout 90s)`);
    assert.equal((await call('backgroundTasks_status', { id })).text.split('\n')[0], `[${id}] queued (${formatStartAt(startAt)}, attempt 1/3, lane gpu, timeout 90s)`);
  });

  it('a timed-out task answers "failed (timed out after 1s, …)"; a retried one its attempt', async () => {
    const timedOut = await call('backgroundTasks_run', { command: 'sleep 30', timeoutSeconds: 1, waitSeconds: 60 });
    assert.match(timedOut.text, /^\[\w+\] failed \(timed out after 1s, \d+\.\ds\)\n/);
    const retried = await call('backgroundTasks_run', { command: 'echo try; exit 4', retries: 1, waitSeconds: 60 });
    assert.match(retried.text, /^\[\w+\] failed \(exit 4, \d+\.\ds, attempt 2\/2\)\n/);
    assert.equal(retried.text.match(/^try$/gm)?.length, 2, retried.text);
  });

  it('status and output say a paused task is paused', async () => {
    const id = engine.spawnTask({ command: 'sleep 30', lane: 'db' });
    await waitFor(() => engine.getTask(id)?.state.status === 'running', 'the task to run');
    assert.equal(engine.pauseTask(id), true);
    assert.match((await call('backgroundTasks_status', { id })).text, new RegExp(`^\\[${id}\\] running \\(\\d+\\.\\ds, paused, lane db\\)\n`));
    assert.match((await call('backgroundTasks_output', { id })).text, new RegExp(`^\\[${id}\\] running \\([^)]*paused`));
    assert.match((await call('backgroundTasks_status', {})).text, new RegExp(`^\\[${id}\\] running \\([^)]*paused, lane db\\) sleep 30$`));
    assert.equal(engine.resumeTask(id), true);
    assert.doesNotMatch((await call('backgroundTasks_status', { id })).text, /paused/);
  });

  it('bad queue-control inputs give an error text naming the field, and queue nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ command: 'x', timeoutSeconds: -1 }, /^Error: "timeoutSeconds": timeoutSeconds must be a number of seconds of at least 0 .*got -1/],
      [{ command: 'x', timeoutSeconds: '30' }, /"timeoutSeconds": .*got "30"/],
      [{ command: 'x', retries: 1.5 }, /"retries": retries must be a whole number .*got 1\.5/],
      [{ command: 'x', retryDelaySeconds: -3 }, /"retryDelaySeconds": retryDelaySeconds must be a number of seconds/],
      [{ command: 'x', delaySeconds: 'soon' }, /"delaySeconds": delaySeconds must be a number of seconds/],
      [{ command: 'x', lane: 5 }, /"lane": A lane is a name such as "gpu".*got 5/],
      [{ command: 'x', lane: '' }, /"lane": A lane is a name/],
    ];
    for (const [input, expected] of cases) {
      const answer = await call('backgroundTasks_run', input);
      assert.equal(answer.isError, true, JSON.stringify(input));
      assert.match(answer.text, expected, JSON.stringify(input));
    }
    assert.equal(engine.getAllTasks().length, 0);
  });

  it('in Restricted Mode run and cancel refuse with the reason; status, output and wait still answer', async () => {
    const id = engine.spawnTask({ command: 'echo before' });
    await engine.waitForTask(id);
    trusted = false;
    for (const [name, input] of [['backgroundTasks_run', { command: 'true' }], ['backgroundTasks_cancel', { id }]] as const) {
      const answer = await call(name, input);
      assert.equal(answer.isError, true);
      assert.match(answer.text, /^Refused: .*Restricted Mode/);
    }
    assert.equal(engine.getAllTasks().length, 1);
    for (const name of ['backgroundTasks_status', 'backgroundTasks_output', 'backgroundTasks_wait']) {
      assert.match((await call(name, { id })).text, new RegExp(`^\\[${id}\\] completed`));
    }
  });

  it('package.json declares the five tools with exactly these schemas and descriptions', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      contributes: { languageModelTools: { name: string; inputSchema: object; modelDescription: string; toolReferenceName: string }[] };
    };
    const declared = pkg.contributes.languageModelTools;
    assert.deepEqual(declared.map((t) => t.name), [...TOOL_NAMES]);
    for (const tool of declared) {
      assert.deepEqual(tool.inputSchema, TOOL_SCHEMAS[tool.name as keyof typeof TOOL_SCHEMAS], tool.name);
      assert.equal(tool.modelDescription, TOOL_DESCRIPTIONS[tool.name as keyof typeof TOOL_DESCRIPTIONS], tool.name);
      assert.ok(tool.toolReferenceName);
    }
  });
});
