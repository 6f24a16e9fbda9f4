// The window engine's control endpoint: a Unix socket in a private folder, JSON-RPC 2.0 with
// one message per line. Every connection is parsed, limited and timed on its own, so a bad or
// idle client gets an error and a closed connection, never a blocked or crashed host.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Disposable } from '../core/types';
import { AccessError, engineAccess, type EngineLike, type TaskAccess } from './access';
import { handlers, type Connection } from './handlers';
import { LineSplitter } from './lines';
import { ErrorCode, MAX_LINE_BYTES, type RpcError, type RpcRequest } from './protocol';
import { StdinPipes } from './stdinPipes';

export interface ControlServerOptions {
  socketPath: string;
  engine: EngineLike;
  isTrusted: () => boolean;
  /** Where FIFOs for piped stdin are made (a private folder). */
  pipesDir: string;
  /** A connection with nothing in flight is closed after this long; default 15 s (bgt writes at once). */
  idleMs?: number;
  maxClients?: number;
  maxLineBytes?: number;
  log?: (message: string) => void;
}

export class ControlServer implements Disposable {
  private readonly server: net.Server;
  private readonly connections = new Set<ClientConnection>();
  readonly pipes: StdinPipes;
  private disposed = false;

  private constructor(readonly options: ControlServerOptions) {
    this.pipes = new StdinPipes(options.pipesDir, (l) => options.engine.onDidChangeTask(l));
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on('error', (err) => options.log?.(`Background Tasks: control socket error: ${err.message}`));
  }

  /** Listens at `socketPath` (its folder must exist and be private); the socket is made 0600. */
  static async listen(options: ControlServerOptions): Promise<ControlServer> {
    const control = new ControlServer(options);
    await new Promise<void>((resolve, reject) => {
      control.server.once('error', reject);
      control.server.listen(options.socketPath, () => {
        control.server.off('error', reject);
        resolve();
      });
    });
    fs.chmodSync(options.socketPath, 0o600);
    return control;
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get clientCount(): number {
    return this.connections.size;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.server.close();
    for (const c of this.connections) c.close();
    this.pipes.dispose();
    fs.rmSync(this.options.socketPath, { force: true });
    try {
      fs.rmdirSync(path.dirname(this.options.socketPath));
    } catch {
      // Another window's socket is still there.
    }
  }

  private accept(socket: net.Socket): void {
    if (this.disposed) return void socket.destroy();
    const max = this.options.maxClients ?? 512;
    if (this.connections.size >= max) {
      socket.end(errorLine(null, { code: ErrorCode.busy, message: `Too many clients (${max}) are connected to Background Tasks; try again in a moment.` }));
      return;
    }
    const conn = new ClientConnection(socket, this, () => this.connections.delete(conn));
    this.connections.add(conn);
  }
}

function errorLine(id: RpcRequest['id'], error: RpcError): string {
  return `${JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error })}\n`;
}

class ClientConnection implements Connection {
  private readonly splitter: LineSplitter;
  private idleTimer: NodeJS.Timeout | undefined;
  private inflight = 0;
  private readonly aborter = new AbortController();
  readonly access: TaskAccess;

  constructor(
    readonly socket: net.Socket,
    readonly server: ControlServer,
    private readonly onClose: () => void,
  ) {
    const { options } = server;
    this.access = engineAccess(options.engine, options.isTrusted);
    this.splitter = new LineSplitter(
      options.maxLineBytes ?? MAX_LINE_BYTES,
      (line) => this.handleLine(line),
      (bytes) => {
        const limit = options.maxLineBytes ?? MAX_LINE_BYTES;
        this.send(errorLine(null, { code: ErrorCode.invalidRequest, message: `Request line too long (over ${limit} bytes, ${bytes} read without a newline); closing the connection.` }));
        // Nothing more is read from a client that broke framing: flush the error, then hang up.
        socket.end(() => socket.destroy());
      },
    );
    socket.on('data', (chunk: Buffer) => {
      if (!socket.destroyed && !socket.writableEnded) this.splitter.push(chunk);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(this.idleTimer);
      this.aborter.abort();
      this.onClose();
    });
    this.armIdle();
  }

  get signal(): AbortSignal {
    return this.aborter.signal;
  }

  get engine(): EngineLike {
    return this.server.options.engine;
  }

  get closed(): boolean {
    return this.socket.destroyed || this.socket.writableEnded;
  }

  send(line: string): boolean {
    if (this.closed) return false;
    return this.socket.write(line);
  }

  notify(method: string, params: unknown): boolean {
    return this.send(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  close(): void {
    this.socket.destroy();
  }

  private armIdle(): void {
    clearTimeout(this.idleTimer);
    if (this.inflight > 0) return;
    const ms = this.server.options.idleMs ?? 15_000;
    this.idleTimer = setTimeout(() => {
      this.send(errorLine(null, { code: ErrorCode.invalidRequest, message: `No request within ${Math.round(ms / 1000)} s; closing the connection.` }));
      this.socket.end();
    }, ms);
    this.idleTimer.unref();
  }

  private handleLine(line: string): void {
    let request: RpcRequest;
    try {
      request = JSON.parse(line) as RpcRequest;
    } catch {
      this.send(errorLine(null, { code: ErrorCode.parse, message: `Not JSON: each line must be one JSON-RPC 2.0 request, e.g. {"jsonrpc":"2.0","id":1,"method":"list"}; got ${JSON.stringify(line.slice(0, 80))}.` }));
      this.armIdle();
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request) || typeof request.method !== 'string') {
      this.send(errorLine(null, { code: ErrorCode.invalidRequest, message: 'A request must be a JSON object with "jsonrpc": "2.0", a "method" string and an "id" (batches are not supported).' }));
      this.armIdle();
      return;
    }
    const handler = Object.prototype.hasOwnProperty.call(handlers, request.method) ? handlers[request.method] : undefined;
    if (!handler) {
      this.send(errorLine(request.id, { code: ErrorCode.methodNotFound, message: `Unknown method "${request.method}"; the methods are ${Object.keys(handlers).join(', ')}.` }));
      this.armIdle();
      return;
    }
    this.inflight++;
    clearTimeout(this.idleTimer);
    const params = (request.params ?? {}) as Record<string, unknown>;
    // The history loads in the background: an id from before the reload is known once it is in.
    Promise.resolve(this.engine.ready)
      .then(() => handler(this, typeof params === 'object' && params !== null ? params : {}))
      .then(
        (result) => {
          if (request.id !== undefined) this.send(`${JSON.stringify({ jsonrpc: '2.0', id: request.id, result: result ?? null })}\n`);
        },
        (err: unknown) => {
          if (request.id !== undefined || !(err instanceof AccessError)) this.send(errorLine(request.id, rpcErrorOf(err)));
        },
      )
      .finally(() => {
        this.inflight--;
        if (!this.closed) this.armIdle();
      });
  }
}

function rpcErrorOf(err: unknown): RpcError {
  if (err instanceof AccessError) {
    const code = err.kind === 'unknownTask' ? ErrorCode.unknownTask : err.kind === 'untrusted' ? ErrorCode.untrusted : ErrorCode.invalidParams;
    return { code, message: err.message, ...(err.field ? { data: { field: err.field } } : {}) };
  }
  return { code: ErrorCode.internal, message: `Background Tasks failed to handle the request: ${err instanceof Error ? err.message : String(err)}` };
}
