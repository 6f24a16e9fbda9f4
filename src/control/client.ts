// A client of the control endpoint, for bgt, bgt mcp and the tests. A missing or stale socket
// (a window that closed, a terminal restored after a restart) is a NoEngineError at once; a
// listener that never answers is one after a few seconds, never a hang.
import * as net from 'node:net';
import { LineSplitter } from './lines';
import { ErrorCode, MAX_LINE_BYTES, SOCKET_ENV, type RpcError, type RpcResponse } from './protocol';

const CONNECT_TIMEOUT_MS = 5000;

export class NoEngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoEngineError';
  }
}

/** An error answer of the endpoint, with its JSON-RPC code and the field it names. */
export class RemoteError extends Error {
  readonly code: number;
  readonly field: string | undefined;
  constructor(error: RpcError) {
    super(error.message);
    this.name = 'RemoteError';
    this.code = error.code;
    this.field = error.data?.field;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onNotify?: (method: string, params: unknown) => void;
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    readonly socketPath: string,
  ) {
    const splitter = new LineSplitter(MAX_LINE_BYTES * 4, (line) => this.onLine(line), () => this.fail(new Error('the endpoint sent a line too long to read')));
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new NoEngineError(`the Background Tasks engine at ${socketPath} closed the connection (the VS Code window reloaded or closed?)`)));
  }

  /** The socket path from the environment, or a NoEngineError that says how to get one. */
  static socketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
    const socketPath = env[SOCKET_ENV];
    if (!socketPath) {
      throw new NoEngineError(
        `${SOCKET_ENV} is not set, so there is no VS Code window to talk to. Run bgt in an integrated terminal of a VS Code window with the Background Tasks extension (or set ${SOCKET_ENV} to its socket).`,
      );
    }
    return socketPath;
  }

  static connect(socketPath: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new NoEngineError(`the Background Tasks engine at ${socketPath} did not accept a connection within ${timeoutMs / 1000} s.`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(socket, socketPath));
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const why = err.code === 'ENOENT' ? 'no such socket' : err.code === 'ECONNREFUSED' ? 'nobody listens there' : err.message;
        reject(
          new NoEngineError(
            `no Background Tasks engine at ${socketPath} (${why}): the VS Code window that owned this terminal has closed or reloaded. Open a new terminal in a VS Code window with Background Tasks.`,
          ),
        );
      });
    });
  }

  /** Sends a request; `onNotify` hears the notifications that come before its answer (follow). */
  request<T>(method: string, params: unknown = {}, onNotify?: (method: string, params: unknown) => void, timeoutMs?: number): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new NoEngineError(`the Background Tasks engine at ${this.socketPath} did not answer "${method}" within ${timeoutMs / 1000} s (is the VS Code window frozen?).`));
        }, timeoutMs);
      }
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        onNotify,
      });
      this.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method: string, params: unknown): void {
    if (!this.closedError) this.socket.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }

  /** Stops reading answers (the caller's output is full); resume() reads on. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.closedError ??= new Error('closed');
    this.socket.end();
    this.socket.destroy();
  }

  private onLine(line: string): void {
    let msg: RpcResponse & { method?: string; params?: unknown };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return;
    }
    if (typeof msg.method === 'string') {
      for (const p of this.pending.values()) p.onNotify?.(msg.method, msg.params);
      return;
    }
    const pending = typeof msg.id === 'number' ? this.pending.get(msg.id) : undefined;
    if (!pending) {
      // An error with no id (idle, too many clients) ends the connection for every request.
      if (msg.error && msg.id === null) this.fail(new Error(`the Background Tasks engine closed the connection: ${msg.error.message}`));
      return;
    }
    this.pending.delete(msg.id as number);
    if (msg.error) pending.reject(new RemoteError(msg.error));
    else pending.resolve(msg.result);
  }

  private fail(err: Error): void {
    this.closedError ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export function isUnknownTask(err: unknown): boolean {
  return err instanceof RemoteError && err.code === ErrorCode.unknownTask;
}
