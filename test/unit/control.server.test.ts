// The control endpoint against a real engine on a real socket: permissions, the protocol, and
// requests that must never block or crash it (not JSON, unknown methods, a 100 MB line, an
// idle client, 200 clients at once, a stale socket).
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ControlClient, NoEngineError } from '../../src/control/client';
import { ErrorCode } from '../../src/control/protocol';
import { chooseSocketPath, socketFolder } from '../../src/control/socketPath';
import { bgt, modeOf, RawClient, startEndpoint, stopEndpoints } from './controlHelpers';
import { Sandbox, waitFor } from './helpers';

describe('control endpoint: the socket and its protocol', function () {
  this.timeout(60_000);
  const box = new Sandbox();
  const clients: RawClient[] = [];
  afterEach(() => {
    clients.splice(0).forEach((c) => c.close());
    stopEndpoints();
    box.cleanup();
  });

  async function raw(socketPath: string): Promise<RawClient> {
    const c = new RawClient(socketPath);
    clients.push(c);
    await c.connected();
    return c;
  }

  it('lives in a private folder (0700) as a 0600 socket of at most 107 bytes, and is removed on dispose', async () => {
    const runtime = box.tempDir('bgt-xdg-');
    const folder = socketFolder({ XDG_RUNTIME_DIR: runtime });
    assert.equal(path.dirname(folder), runtime);
    assert.equal(modeOf(folder), 0o700);
    const socketPath = await chooseSocketPath('/some/very/long/workspace/storage/path/'.repeat(5), folder);
    assert.ok(Buffer.byteLength(socketPath) <= 107, socketPath);
    const ep = await startEndpoint(box, { socketPath });
    assert.equal(modeOf(socketPath), 0o600);
    assert.ok(fs.statSync(socketPath).isSocket());
    ep.server.dispose();
    assert.equal(fs.existsSync(socketPath), false);
  });

  it('answers a request line with a JSON-RPC 2.0 response', async () => {
    const ep = await startEndpoint(box);
    const c = await raw(ep.socketPath);
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'hello' }));
    await waitFor(() => c.lines.length >= 1, 'the answer');
    const [answer] = c.messages();
    assert.equal(answer.id, 7);
    assert.deepEqual((answer.result as { protocol: number }).protocol, 1);
  });

  it('a line that is not JSON gets a parse error, and the connection goes on working', async () => {
    const ep = await startEndpoint(box);
    const c = await raw(ep.socketPath);
    c.send('this is not json');
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'list' }));
    await waitFor(() => c.lines.length >= 2, 'two answers');
    const [bad, good] = c.messages();
    assert.equal(bad.error?.code, ErrorCode.parse);
    assert.match(bad.error?.message ?? '', /Not JSON/);
    assert.deepEqual(good.result, []);
  });

  it('an unknown method gets "method not found" naming it and the methods there are', async () => {
    const ep = await startEndpoint(box);
    const c = await raw(ep.socketPath);
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'launchMissiles' }));
    c.send(JSON.stringify([1, 2]));
    await waitFor(() => c.lines.length >= 2, 'two answers');
    const [unknown, batch] = c.messages();
    assert.equal(unknown.id, 1);
    assert.equal(unknown.error?.code, ErrorCode.methodNotFound);
    assert.match(unknown.error?.message ?? '', /launchMissiles.*run, /);
    assert.equal(batch.error?.code, ErrorCode.invalidRequest);
  });

  it('a 100 MB line is refused with an error and the connection closed; others are still served', async () => {
    const ep = await startEndpoint(box);
    const c = await raw(ep.socketPath);
    const mb = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < 100 && !c.closed; i++) {
      if (!c.socket.write(mb)) await new Promise((resolve) => (c.socket.once('drain', resolve), c.socket.once('close', resolve)));
    }
    await waitFor(() => c.closed, 'the server to close the connection');
    assert.match(c.messages()[0]?.error?.message ?? '', /too long/);
    const client = await ControlClient.connect(ep.socketPath);
    assert.deepEqual(await client.request('list'), []);
    client.close();
  });

  it('a client that connects and never writes is told so and closed; it blocks nobody meanwhile', async () => {
    const ep = await startEndpoint(box, { idleMs: 500 });
    const idle = await raw(ep.socketPath);
    const client = await ControlClient.connect(ep.socketPath);
    assert.deepEqual(await client.request('list'), []);
    client.close();
    await waitFor(() => idle.closed, 'the idle client to be closed');
    assert.match(idle.messages()[0]?.error?.message ?? '', /No request within/);
  });

  it('serves 200 clients at once', async () => {
    const ep = await startEndpoint(box);
    const id = ep.engine.spawnTask({ command: 'true' });
    const all = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const c = await ControlClient.connect(ep.socketPath);
        try {
          return await c.request<{ id: string }>('get', { id });
        } finally {
          c.close();
        }
      }),
    );
    assert.equal(all.length, 200);
    assert.ok(all.every((t) => t.id === id));
    await waitFor(() => ep.server.clientCount === 0, 'every connection to be let go');
  });

  it('follow streams the output as notifications and answers with the ended task', async () => {
    const ep = await startEndpoint(box);
    const id = ep.engine.spawnTask({ command: 'for i in 1 2 3; do echo line$i; sleep 0.2; done' });
    const client = await ControlClient.connect(ep.socketPath);
    let text = '';
    const result = await client.request<{ task: { state: { status: string } } }>('follow', { id }, (method, params) => {
      if (method === 'output') text += (params as { text: string }).text;
    });
    client.close();
    assert.equal(result.task.state.status, 'completed');
    assert.equal(text, 'line1\nline2\nline3\n');
  });

  it('a stale socket (its window is gone) is reported at once as no engine, by the client and by bgt (exit 69)', async () => {
    const dir = box.tempDir('bgt-stale-');
    const socketPath = path.join(dir, 'stale.sock');
    // A listener killed without cleaning up leaves its socket file behind, as a crashed window does.
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(fs.existsSync(socketPath));
    await assert.rejects(ControlClient.connect(socketPath), (err: Error) => err instanceof NoEngineError && /nobody listens/.test(err.message));
    const result = await bgt(['ls'], { socketPath });
    assert.equal(result.code, 69);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr, /no Background Tasks engine at .*stale\.sock/);
    assert.ok(result.ms < 5000, `took ${result.ms} ms`);
    // A new window on the same workspace takes the stale path over.
    assert.equal(await chooseSocketPath('ws', dir).then((p) => path.dirname(p)), dir);
  });
});
