// Restricted Mode through the reach surfaces: the run and cancel tools refuse with the reason,
// bgt run exits 77, and reading (the status tool, bgt ls) still works.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { harness, type Harness } from '../helpers';
import { invoke } from '../tools';

describe('Restricted Mode: bgt and the agent tools', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });

  /** Runs bgt as a child process, never synchronously: the endpoint it talks to lives in this very process. */
  function bgt(...args: string[]): Promise<{ status: number | null; stderr: string }> {
    const extension = vscode.extensions.getExtension('isaac.background-tasks');
    assert.ok(extension);
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1', BACKGROUND_TASKS_SOCKET: h.hooks.control?.socketPath ?? '' };
    return new Promise((resolve) => {
      execFile(process.execPath, [path.join(extension.extensionPath, 'dist', 'cli.js'), ...args], { env, timeout: 30_000 }, (err, _stdout, stderr) => {
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stderr });
      });
    });
  }

  it('the run and cancel tools refuse with the reason; status still answers', async () => {
    assert.match(await invoke('backgroundTasks_run', { command: 'echo nope' }), /^Refused: .*Restricted Mode/);
    assert.match(await invoke('backgroundTasks_cancel', { id: 'abc123' }), /^Refused: .*Restricted Mode/);
    assert.equal(await invoke('backgroundTasks_status', {}), 'No tasks.');
    assert.equal(h.api.getAllTasks().length, 0);
  });

  it('bgt run exits 77 with the reason; bgt ls still works', async () => {
    const run = await bgt('run', '--', 'echo', 'nope');
    assert.equal(run.status, 77, run.stderr);
    assert.match(run.stderr, /Restricted Mode/);
    assert.equal((await bgt('ls')).status, 0);
    assert.equal(h.api.getAllTasks().length, 0);
  });
});
