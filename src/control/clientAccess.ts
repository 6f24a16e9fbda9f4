// TaskAccess over the control socket, for `bgt mcp`: the same five tools as in VS Code, with
// the window's engine behind them. The connection is made on first use and again after a
// window reload (the socket path of a workspace stays the same).
import type { TaskSnapshot, TaskStatistics } from '../core/types';
import { AccessError, type TaskAccess } from './access';
import { ControlClient, RemoteError } from './client';
import { ErrorCode, type ActionResult, type RunResult, type WaitResult } from './protocol';

export function clientAccess(socketPath: string): TaskAccess & { close(): void } {
  let client: ControlClient | undefined;
  const call = async <T>(method: string, params: unknown = {}): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      client ??= await ControlClient.connect(socketPath);
      try {
        return await client.request<T>(method, params);
      } catch (err) {
        if (err instanceof RemoteError) throw toAccessError(err);
        // The window reloaded under us: one fresh connection, then give up with the reason.
        client.close();
        client = undefined;
        if (attempt > 0) throw err;
      }
    }
  };
  return {
    run: async (options) => (await call<RunResult>('run', options)).id,
    get: async (id) => {
      try {
        return await call<TaskSnapshot>('get', { id });
      } catch (err) {
        if (err instanceof AccessError && err.kind === 'unknownTask') return undefined;
        throw err;
      }
    },
    list: (status) => call<TaskSnapshot[]>('list', status ? { status } : {}),
    tail: async (id, lines) => (await call<{ lines: string[] }>('tail', { id, lines, stripAnsi: true })).lines,
    wait: (id, ms) => call<WaitResult>('wait', { id, timeoutMs: ms }),
    cancel: (id, reason) => call<{ ok: boolean; message: string }>('cancel', { id, reason }),
    rerun: async (id) => (await call<{ id: string }>('rerun', { id })).id,
    clear: async () => (await call<{ removed: number }>('clear')).removed,
    stats: () => call<TaskStatistics>('stats'),
    pauseQueue: () => call<ActionResult>('pauseQueue'),
    resumeQueue: () => call<ActionResult>('resumeQueue'),
    pauseTask: (id) => call<ActionResult>('pauseTask', { id }),
    resumeTask: (id) => call<ActionResult>('resumeTask', { id }),
    exportHistory: async (format) => (await call<{ text: string }>('exportHistory', { format })).text,
    close: () => client?.close(),
  };
}

function toAccessError(err: RemoteError): Error {
  if (err.code === ErrorCode.unknownTask) return new AccessError('unknownTask', err.message, err.field);
  if (err.code === ErrorCode.untrusted) return new AccessError('untrusted', err.message);
  if (err.code === ErrorCode.invalidParams) return new AccessError('invalid', err.message, err.field);
  return err;
}
