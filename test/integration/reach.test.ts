// Reach beyond the palette, in a real extension host: bgt in an integrated terminal, the five
// language model tools through vscode.lm.invokeTool, and `bgt mcp` through the MCP SDK's client.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import * as vscode from 'vscode';
import { finished, harness, waitFor, type Harness } from './helpers';
import { invoke } from './tools';

const TOOLS = ['backgroundTasks_run', 'backgroundTasks_status', 'backgroundTasks_output', 'backgroundTasks_wait', 'backgroundTasks_cancel'];

describe('Reach: bgt in the terminal, language model tools, bgt mcp', function () {
  this.timeout(120_000);
  let h: Harness;
  let scratch: string;
  const terminals: vscode.Terminal[] = [];
  before(async () => {
    h = await harness();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-reach-'));
  });
  after(() => {
    terminals.forEach((t) => t.dispose());
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  function terminal(): vscode.Terminal {
    const t = vscode.window.createTerminal({ name: 'bgt test' });
    terminals.push(t);
    return t;
  }

  /** Reads a file the terminal writes once it holds a whole line. */
  async function lineOf(file: string): Promise<string> {
    return waitFor(() => (fs.existsSync(file) && fs.readFileSync(file, 'utf8').endsWith('\n') ? fs.readFileSync(file, 'utf8').trim() : undefined), `the terminal to write ${file}`, 60_000);
  }

  it('the control socket listens, 0600 in a 0700 folder, at a path of at most 107 bytes', () => {
    const socketPath = h.hooks.control?.socketPath;
    assert.ok(socketPath, 'the control server did not start');
    assert.ok(Buffer.byteLength(socketPath) <= 107);
    assert.equal(fs.statSync(socketPath).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
  });

  it('`bgt run` typed in an integrated terminal queues a task that appears through the API and completes', async () => {
    const marker = `reach-${Date.now()}`;
    const t = terminal();
    t.sendText(`bgt run -- echo ${marker}`);
    const task = await waitFor(() => h.api.getAllTasks().find((s) => s.command === `echo ${marker}`), 'the task from the terminal', 60_000);
    const done = await finished(h.api, task.id);
    assert.equal(done.state.status, 'completed');
    assert.equal(fs.readFileSync(done.logPath, 'utf8'), `${marker}\n`);
    assert.equal(done.cwd, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
  });

  it('bgt’s exit codes reach the terminal’s shell: the task’s code, 65 for an unknown id, 0 for ls', async () => {
    const t = terminal();
    const rc = (name: string) => path.join(scratch, name);
    t.sendText(`bgt run --wait --quiet -- sh -c 'exit 7'; echo $? > ${rc('run')}; bgt show nope00 2>/dev/null; echo $? > ${rc('show')}; bgt ls > /dev/null; echo $? > ${rc('ls')}`);
    assert.equal(await lineOf(rc('run')), '7');
    assert.equal(await lineOf(rc('show')), '65');
    assert.equal(await lineOf(rc('ls')), '0');
  });

  it('`bgt pause` / `bgt resume` typed in a terminal hold and release the window’s queue; with an id they stop and continue a task', async () => {
    const t = terminal();
    const file = (name: string) => path.join(scratch, name);
    try {
      t.sendText(`bgt pause > ${file('pause.out')}; echo $? > ${file('pause')}`);
      assert.equal(await lineOf(file('pause')), '0');
      assert.match(fs.readFileSync(file('pause.out'), 'utf8'), /^Paused the queue/);
      assert.equal(h.api.isQueuePaused(), true);
      const marker = `held-${Date.now()}`;
      t.sendText(`bgt run -- echo ${marker} > ${file('held.id')}`);
      const held = await lineOf(file('held.id'));
      assert.equal(h.api.getTask(held)?.state.status, 'pending', 'a paused queue starts nothing');
      t.sendText(`bgt resume; echo $? > ${file('resume')}`);
      assert.equal(await lineOf(file('resume')), '0');
      assert.equal(h.api.isQueuePaused(), false);
      assert.equal((await finished(h.api, held)).state.status, 'completed');

      t.sendText(`bgt run -- sleep 60 > ${file('sleeper.id')}`);
      const sleeper = await lineOf(file('sleeper.id'));
      await waitFor(() => h.api.getTask(sleeper)?.state.status === 'running', 'the sleeper to run', 60_000);
      t.sendText(`bgt pause ${sleeper}; echo $? > ${file('pauseTask')}`);
      assert.equal(await lineOf(file('pauseTask')), '0');
      const paused = h.api.getTask(sleeper)?.state;
      assert.ok(paused?.status === 'running' && paused.pausedAt !== undefined, JSON.stringify(paused));
      t.sendText(`bgt resume ${sleeper}; echo $? > ${file('resumeTask')}; bgt resume ${sleeper} 2>/dev/null; echo $? > ${file('resumeAgain')}`);
      assert.equal(await lineOf(file('resumeTask')), '0');
      assert.equal(await lineOf(file('resumeAgain')), '1', 'nothing left to resume');
      const resumed = h.api.getTask(sleeper)?.state;
      assert.ok(resumed?.status === 'running' && resumed.pausedAt === undefined, JSON.stringify(resumed));
      h.api.cancelTask(sleeper);
      await finished(h.api, sleeper);
    } finally {
      // The paused queue survives a reload: never leave it paused for the suites after this one.
      h.api.resumeQueue();
    }
  });

  it('the five tools are registered, each answering with "[id] status" first', async () => {
    const names = vscode.lm.tools.map((t) => t.name);
    for (const name of TOOLS) assert.ok(names.includes(name), `${name} is not in vscode.lm.tools`);
    const queued = await invoke('backgroundTasks_run', { command: 'echo tool-run' });
    const id = /^\[(\w+)\] queued/.exec(queued)?.[1];
    assert.ok(id, queued);
    const waited = await invoke('backgroundTasks_wait', { id, waitSeconds: 60 });
    assert.match(waited, new RegExp(`^\\[${id}\\] completed \\(exit 0, [^)]+\\)\\ncommand: echo tool-run\\noutput \\(last 1 lines\\):\\ntool-run$`));
    assert.match(await invoke('backgroundTasks_status', { id }), new RegExp(`^\\[${id}\\] completed`));
    assert.match(await invoke('backgroundTasks_status', { status: 'completed' }), /^\[\w+\] completed/);
    assert.match(await invoke('backgroundTasks_output', { id, lines: 5 }), /\ntool-run$/);
    const finishedRun = await invoke('backgroundTasks_run', { command: 'exit 5', waitSeconds: 60 });
    assert.match(finishedRun, /^\[\w+\] failed \(exit 5, /);
    const sleeper = /^\[(\w+)\]/.exec(await invoke('backgroundTasks_run', { command: 'sleep 30' }))?.[1] ?? '';
    assert.match(await invoke('backgroundTasks_cancel', { id: sleeper }), new RegExp(`^\\[${sleeper}\\] cancelled`));
    assert.match(await invoke('backgroundTasks_run', { command: '' }), /"command"/);
    assert.match(await invoke('backgroundTasks_output', { id: 'nope00' }), /No task with id "nope00"/);
  });

  it('`bgt mcp` serves the same tools to the MCP SDK’s client: initialize, list, run, wait', async () => {
    const extension = vscode.extensions.getExtension('isaac.background-tasks');
    assert.ok(extension);
    const client = new Client({ name: 'integration-test', version: '1.0.0' });
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ELECTRON_RUN_AS_NODE: '1', BACKGROUND_TASKS_SOCKET: h.hooks.control?.socketPath ?? '' };
    // bgt's own stderr, in the failure's message: a server that ends says why.
    const transport = new StdioClientTransport({ command: process.execPath, args: [path.join(extension.extensionPath, 'dist', 'cli.js'), 'mcp'], env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const saying = async <T>(step: Promise<T>): Promise<T> => {
      try {
        return await step;
      } catch (err) {
        throw new Error(`${String(err)}; bgt mcp's stderr: ${JSON.stringify(stderr)}`, { cause: err });
      }
    };
    await saying(client.connect(transport));
    try {
      assert.equal(client.getServerVersion()?.name, 'background-tasks');
      const { tools } = await saying(client.listTools());
      assert.deepEqual(tools.map((t) => t.name), TOOLS);
      const run = await saying(client.callTool({ name: 'backgroundTasks_run', arguments: { command: 'echo over-mcp' } }));
      const text = (r: typeof run) => (r.content as { text: string }[]).map((c) => c.text).join('');
      const id = /^\[(\w+)\] queued/.exec(text(run))?.[1];
      assert.ok(id, text(run));
      assert.ok(h.api.getTask(id), 'the task is the window’s');
      const waited = await saying(client.callTool({ name: 'backgroundTasks_wait', arguments: { id, waitSeconds: 60 } }));
      assert.match(text(waited), new RegExp(`^\\[${id}\\] completed \\(exit 0`));
      assert.match(text(waited), /over-mcp/);
    } finally {
      await client.close();
    }
  });
});
