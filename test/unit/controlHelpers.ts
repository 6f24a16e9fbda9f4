// Shared by the control and CLI unit tests: a real engine on a temp folder with the real
// control server on a real socket, and bgt (the compiled CLI) run as a child process.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { TaskEngine } from '../../src/core/engine';
import { ControlServer, type ControlServerOptions } from '../../src/control/server';
import { SOCKET_ENV } from '../../src/control/protocol';
import type { Sandbox } from './helpers';

/** out/src/cli/main.js, compiled by `npm run compile-tests` next to this file's output. */
export const CLI = path.resolve(__dirname, '../../src/cli/main.js');

export interface Endpoint {
  engine: TaskEngine;
  server: ControlServer;
  socketPath: string;
  trusted: boolean;
}

const running: ControlServer[] = [];

/** Disposes every server startEndpoint made (before the sandbox's cleanup disposes the engines). */
export function stopEndpoints(): void {
  for (const server of running.splice(0)) server.dispose();
}

export async function startEndpoint(sandbox: Sandbox, extra: Partial<ControlServerOptions> = {}): Promise<Endpoint> {
  const dir = sandbox.tempDir('bgt-sock-');
  const storageDir = sandbox.tempDir();
  const endpoint = { trusted: true } as Endpoint;
  endpoint.socketPath = path.join(dir, 'ctl.sock');
  endpoint.engine = await sandbox.open({
    storageDir,
    taskEnvironment: (env) => ({ ...env, [SOCKET_ENV]: endpoint.socketPath }),
  });
  endpoint.server = await ControlServer.listen({
    socketPath: endpoint.socketPath,
    engine: endpoint.engine,
    isTrusted: () => endpoint.trusted,
    pipesDir: path.join(storageDir, 'pipes'),
    ...extra,
  });
  running.push(endpoint.server);
  return endpoint;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  socketPath?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to bgt's stdin (a pipe), then closed; absent: stdin is /dev/null. */
  input?: string;
  /** Called with the child's stdin pipe to write to it over time (tail -f | bgt run). */
  feed?: (stdin: NodeJS.WritableStream) => void;
  onStdout?: (text: string) => void;
  timeoutMs?: number;
}

/** Runs bgt (the compiled CLI) with the endpoint's socket in its environment. */
export function bgt(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env = { ...process.env, ...options.env };
  if (options.socketPath !== undefined) env[SOCKET_ENV] = options.socketPath;
  const piped = options.input !== undefined || options.feed !== undefined;
  const started = Date.now();
  // Node gives a child a socket for 'pipe'; a shell gives a real pipe, which is what bgt looks for: `cat |` makes one.
  const command = piped ? ['sh', ['-c', 'cat | exec "$0" "$@"', process.execPath, CLI, ...args]] as const : [process.execPath, [CLI, ...args]] as const;
  const child = spawn(command[0], command[1], { cwd: options.cwd, env, stdio: [piped ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
    options.onStdout?.(d.toString());
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (options.input !== undefined) child.stdin?.end(options.input);
  if (options.feed && child.stdin) options.feed(child.stdin);
  child.stdin?.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bgt ${args.join(' ')} did not end within ${options.timeoutMs ?? 30_000} ms; stdout: ${stdout} stderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A raw connection that sends lines and collects the lines it gets back. */
export class RawClient {
  readonly lines: string[] = [];
  readonly socket: net.Socket;
  closed = false;
  private buffer = '';

  constructor(socketPath: string) {
    this.socket = net.connect(socketPath);
    this.socket.on('data', (d: Buffer) => {
      this.buffer += d.toString();
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        this.lines.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 1);
      }
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => (this.closed = true));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  send(line: string): void {
    this.socket.write(`${line}\n`);
  }

  messages(): { id?: unknown; result?: unknown; error?: { code: number; message: string }; method?: string }[] {
    return this.lines.map((l) => JSON.parse(l) as { id?: unknown });
  }

  close(): void {
    this.socket.destroy();
  }
}

export function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}
