// The control protocol's queue-control methods (pauseQueue, resumeQueue, pauseTask, resumeTask,
// exportHistory) and run's new options, against a real engine on a real socket: good requests
// do what they say, bad ones get a JSON-RPC error naming the field, and the server goes on.
import * as assert from 'node:assert/strict';
import { ControlClient, RemoteError } from '../../src/control/client';
import { ErrorCode, type ActionResult, type RunResult } from '../../src/control/protocol';
import type { TaskSnapshot } from '../../src/core/types';
import { RawClient, startEndpoint, stopEndpoints, type Endpoint } from './controlHelpers';
import { Sandbox, waitFor } from './helpers';

describe('control endpoint: queue control', function () {
  this.timeout(60_000);
  const box = new Sandbox();
  let ep: Endpoint;
  let client: ControlClient;
  beforeEach(async () => {
    ep = await startEndpoint(box);
    client = await ControlClient.connect(ep.socketPath);
  });
  afterEach(() => {
    client.close();
    stopEndpoints();
    box.cleanup();
  });

  it('run passes timeoutSeconds, retries, retryDelaySeconds, startAt, delaySeconds and lane to the engine', async () => {
    const startAt = Date.now() + 3600_000;
    const { id } = await client.request<RunResult>('run', { command: 'true', timeoutSeconds: 90, retries: 2, retryDelaySeconds: 5, startAt, lane: 'gpu' });
    const task = ep.engine.getTask(id) as TaskSnapshot;
    assert.deepEqual([task.timeoutSeconds, task.attempt, task.attempts, task.retryDelaySeconds, task.lane], [90, 1, 3, 5, 'gpu']);
    assert.equal(task.state.status === 'pending' && task.state.startAt, startAt);
    const before = Date.now();
    const delayed = (await client.request<RunResult>('run', { command: 'true', delaySeconds: 60 })).id;
    const at = ep.engine.getTask(delayed)?.state;
    assert.ok(at?.status === 'pending' && (at.startAt ?? 0) >= before + 60_000, JSON.stringify(at));
  });

  it('pauseQueue / resumeQueue / pauseTask / resumeTask answer ok and a message; the engine follows', async () => {
    assert.deepEqual(await client.request<ActionResult>('pauseQueue'), { ok: true, message: 'Paused the queue: 0 pending tasks wait, running ones go on; bgt resume starts it again.' });
    assert.equal(ep.engine.isQueuePaused(), true);
    assert.equal((await client.request<ActionResult>('pauseQueue')).ok, false, 'already paused');
    const waiting = (await client.request<RunResult>('run', { command: 'true' })).id;
    assert.equal(ep.engine.getTask(waiting)?.state.status, 'pending');
    assert.equal((await client.request<ActionResult>('resumeQueue')).ok, true);
    assert.equal((await ep.engine.waitForTask(waiting)).state.status, 'completed');
    assert.equal((await client.request<ActionResult>('resumeQueue')).ok, false, 'not paused');

    const sleeper = ep.engine.spawnTask({ command: 'sleep 30' });
    await waitFor(() => ep.engine.getTask(sleeper)?.state.status === 'running', 'the sleeper to run');
    assert.equal((await client.request<ActionResult>('pauseTask', { id: sleeper })).ok, true);
    const paused = ep.engine.getTask(sleeper)?.state;
    assert.ok(paused?.status === 'running' && paused.pausedAt !== undefined);
    const again = await client.request<ActionResult>('pauseTask', { id: sleeper });
    assert.deepEqual(again, { ok: false, message: `Task [${sleeper}] is already paused.` });
    assert.equal((await client.request<ActionResult>('resumeTask', { id: sleeper })).ok, true);
    const resumed = ep.engine.getTask(sleeper)?.state;
    assert.ok(resumed?.status === 'running' && resumed.pausedAt === undefined);
  });

  it('exportHistory answers with the engine’s text in either format', async () => {
    const id = ep.engine.spawnTask({ command: 'echo hi', lane: 'db' });
    await ep.engine.waitForTask(id);
    for (const format of ['json', 'csv'] as const) {
      const { text } = await client.request<{ text: string }>('exportHistory', { format });
      assert.equal(text, ep.engine.exportHistory(format));
      assert.ok(text.includes(id));
    }
  });

  it('bad requests get invalid-params (or unknown-task) errors naming the field; nothing is queued and the server goes on', async () => {
    const cases: [string, Record<string, unknown>, number, string, RegExp][] = [
      ['run', { command: 'true', timeoutSeconds: '10' }, ErrorCode.invalidParams, 'timeoutSeconds', /timeoutSeconds must be a number of seconds of at least 0 .*got "10"/],
      ['run', { command: 'true', timeoutSeconds: -1 }, ErrorCode.invalidParams, 'timeoutSeconds', /timeoutSeconds must be .*got -1/],
      ['run', { command: 'true', retries: 1.5 }, ErrorCode.invalidParams, 'retries', /retries must be a whole number .*got 1\.5/],
      ['run', { command: 'true', retries: -2 }, ErrorCode.invalidParams, 'retries', /retries must be a whole number .*got -2/],
      ['run', { command: 'true', retryDelaySeconds: [] }, ErrorCode.invalidParams, 'retryDelaySeconds', /retryDelaySeconds must be a number of seconds/],
      ['run', { command: 'true', startAt: 'tomorrow' }, ErrorCode.invalidParams, 'startAt', /startAt must be a time in epoch milliseconds/],
      ['run', { command: 'true', delaySeconds: -1 }, ErrorCode.invalidParams, 'delaySeconds', /delaySeconds must be a number of seconds .*got -1/],
      ['run', { command: 'true', lane: 5 }, ErrorCode.invalidParams, 'lane', /lane is a name such as "gpu".*got 5/],
      ['run', { command: 'true', lane: '  ' }, ErrorCode.invalidParams, 'lane', /lane is a name such as "gpu"/],
      ['exportHistory', {}, ErrorCode.invalidParams, 'format', /"format" must be "json" or "csv"; got undefined/],
      ['exportHistory', { format: 'xml' }, ErrorCode.invalidParams, 'format', /got "xml"/],
      ['pauseTask', {}, ErrorCode.invalidParams, 'id', /"id" must be a task id string/],
      ['resumeTask', { id: 7 }, ErrorCode.invalidParams, 'id', /"id" must be a task id string; got 7/],
      ['pauseTask', { id: 'nope00' }, ErrorCode.unknownTask, 'id', /No task with id "nope00"/],
      ['resumeTask', { id: 'nope00' }, ErrorCode.unknownTask, 'id', /No task with id "nope00"/],
    ];
    for (const [method, params, code, field, message] of cases) {
      const err = await client.request(method, params).then(
        () => undefined,
        (e: unknown) => e,
      );
      const what = `${method} ${JSON.stringify(params)}`;
      assert.ok(err instanceof RemoteError, `${what}: ${String(err)}`);
      assert.equal(err.code, code, what);
      assert.equal(err.field, field, what);
      assert.match(err.message, message, what);
    }
    assert.equal(ep.engine.getAllTasks().length, 0);
    // Params that are not an object at all, on a raw line: still an answer, never a crash.
    const raw = new RawClient(ep.socketPath);
    await raw.connected();
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'pauseTask', params: 'abc' }));
    raw.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'pauseQueue', params: [1] }));
    await waitFor(() => raw.lines.length >= 2, 'two answers');
    const [bad, queue] = raw.messages();
    assert.equal(bad.error?.code, ErrorCode.invalidParams);
    assert.equal((queue.result as ActionResult).ok, true);
    raw.close();
    assert.deepEqual(await client.request('list'), []);
  });

  it('in Restricted Mode the pause and resume methods are refused; exportHistory still answers', async () => {
    ep.trusted = false;
    for (const [method, params] of [['pauseQueue', {}], ['resumeQueue', {}], ['pauseTask', { id: 'x' }], ['resumeTask', { id: 'x' }]] as const) {
      await assert.rejects(client.request(method, params), (err: unknown) => err instanceof RemoteError && err.code === ErrorCode.untrusted && /Restricted Mode/.test(err.message), method);
    }
    assert.equal(ep.engine.isQueuePaused(), false);
    assert.equal(typeof (await client.request<{ text: string }>('exportHistory', { format: 'csv' })).text, 'string');
  });
});
