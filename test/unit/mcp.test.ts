// `bgt mcp` driven by the MCP SDK's own client over stdio, against a real engine.
import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TOOL_NAMES } from '../../src/control/tools';
import { CLI, startEndpoint, stopEndpoints, type Endpoint } from './controlHelpers';
import { Sandbox, waitFor } from './helpers';

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  return (result.content as { type: string; text: string }[]).map((c) => c.text).join('');
}

describe('bgt mcp: the tools over MCP', function () {
  this.timeout(60_000);
  const box = new Sandbox();
  let ep: Endpoint;
  let client: Client;
  beforeEach(async () => {
    ep = await startEndpoint(box, { idleMs: 1000 });
    client = new Client({ name: 'unit-test', version: '1.0.0' });
    const cwd = box.tempDir('bgt-mcp-cwd-');
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp'], cwd, env: { ...(process.env as Record<string, string>), BACKGROUND_TASKS_SOCKET: ep.socketPath } }),
    );
  });
  afterEach(async () => {
    await client.close();
    stopEndpoints();
    box.cleanup();
  });

  it('lists the five tools with their input schemas', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [...TOOL_NAMES]);
    assert.deepEqual(tools[0].inputSchema.required, ['command']);
  });

  it('reconnects by itself when the endpoint closed an idle connection (a long pause between calls)', async () => {
    // The first call's connection is closed by the server after idleMs; the next call still works.
    assert.match(text(await client.callTool({ name: 'backgroundTasks_status', arguments: {} })), /No tasks/);
    await waitFor(() => ep.server.clientCount === 0, 'the idle connection to be closed', 30_000);
    assert.match(text(await client.callTool({ name: 'backgroundTasks_status', arguments: {} })), /No tasks/);
  });

  it('runs a task in the window engine and waits for it, with the same text as in VS Code', async () => {
    const queued = text(await client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'echo from-mcp; pwd' } }));
    const id = /^\[(\w+)\] queued/.exec(queued)?.[1];
    assert.ok(id, queued);
    assert.equal(ep.engine.getTask(id)?.command, 'echo from-mcp; pwd');
    const waited = text(await client.callTool({ name: 'backgroundTasks_wait', arguments: { id, waitSeconds: 30 } }));
    assert.match(waited, new RegExp(`^\\[${id}\\] completed \\(exit 0, [^)]*\\)\\ncommand: echo from-mcp; pwd\\noutput \\(last 2 lines\\):\\nfrom-mcp\\n/`));
    const status = text(await client.callTool({ name: 'backgroundTasks_status', arguments: {} }));
    assert.match(status, new RegExp(`^\\[${id}\\] completed`));
    assert.match(text(await client.callTool({ name: 'backgroundTasks_output', arguments: { id, lines: 1 } })), /output \(last 1 lines\):\n\//);
  });

  it('run takes the queue-control inputs over MCP too: the schema lists them and the task has them', async () => {
    const { tools } = await client.listTools();
    const props = Object.keys(tools[0].inputSchema.properties ?? {});
    for (const name of ['timeoutSeconds', 'retries', 'retryDelaySeconds', 'delaySeconds', 'lane']) assert.ok(props.includes(name), name);
    const queued = text(await client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'exit 6', lane: 'gpu', timeoutSeconds: 30, retries: 1, waitSeconds: 60 } }));
    assert.match(queued, /^\[(\w+)\] failed \(exit 6, \d+\.\ds, attempt 2\/2, lane gpu\)/);
    const id = /^\[(\w+)\]/.exec(queued)?.[1] ?? '';
    const task = ep.engine.getTask(id);
    assert.deepEqual([task?.lane, task?.timeoutSeconds, task?.attempt, task?.attempts], ['gpu', 30, 2, 2]);
    const bad = await client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'x', retries: -1 } });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /"retries": retries must be a whole number .*got -1/);
  });

  it('a bad input or a refusal is an error result naming the reason', async () => {
    const bad = await client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'x', priority: 'asap' } });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /"priority" must be one of/);
    const sleeper = ep.engine.spawnTask({ command: 'sleep 30' });
    ep.trusted = false;
    const refused = await client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'true' } });
    assert.equal(refused.isError, true);
    assert.match(text(refused), /^Refused: .*Restricted Mode/);
    const notCancelled = await client.callTool({ name: 'backgroundTasks_cancel', arguments: { id: sleeper } });
    assert.match(text(notCancelled), /^Refused: .*Restricted Mode/);
    assert.notEqual(ep.engine.getTask(sleeper)?.state.status, 'cancelled');
    assert.match(text(await client.callTool({ name: 'backgroundTasks_status', arguments: { id: sleeper } })), new RegExp(`^\\[${sleeper}\\] (queued|running)`));
  });
});
