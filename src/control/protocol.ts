// The control endpoint's protocol: JSON-RPC 2.0, one message per line, over the window's Unix
// socket. Shared by the server (in the extension host) and its clients (bgt, bgt mcp, tests).
import { constants as osConstants } from 'node:os';
import type { TaskSnapshot } from '../core/types';

/** The environment variable that carries the socket path to terminals and tasks. */
export const SOCKET_ENV = 'BACKGROUND_TASKS_SOCKET';
export const PROTOCOL_VERSION = 1;
/** A request line longer than this is refused and the connection closed (env of a big shell fits). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/** JSON-RPC's own codes, then ours (in the range the spec leaves to applications). */
export const ErrorCode = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  unknownTask: -32001,
  untrusted: -32002,
  busy: -32003,
} as const;

export interface RpcError {
  code: number;
  message: string;
  /** For invalidParams: the field that was wrong. */
  data?: { field?: string };
}

export interface RpcRequest {
  jsonrpc: '2.0';
  id?: number | string | null;
  method: string;
  params?: unknown;
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: number | string | null;
  result?: unknown;
  error?: RpcError;
}

/** What `run` takes: the API's spawn options plus `stdin: true` to get a pipe for the task's stdin. */
export interface RunParams {
  command: string;
  cwd?: string;
  env?: Record<string, string>;
  type?: string;
  priority?: string;
  dependsOn?: string[];
  stdinFrom?: string;
  metadata?: Record<string, string>;
  timeoutSeconds?: number;
  retries?: number;
  retryDelaySeconds?: number;
  /** Epoch milliseconds. */
  startAt?: number;
  delaySeconds?: number;
  lane?: string;
  stdin?: boolean;
}

/** The answer of cancel, pauseTask, resumeTask, pauseQueue and resumeQueue: whether it did something, in words. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

export const EXPORT_FORMATS = ['json', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface RunResult {
  id: string;
  /** A FIFO the caller writes the task's stdin into; `stdinAttached` once it is open. */
  stdinPipe?: string;
}

export interface HelloResult {
  protocol: number;
  trusted: boolean;
  pid: number;
}

/** `wait`: the snapshot, and whether the time ran out first. */
export interface WaitResult {
  task: TaskSnapshot;
  timedOut: boolean;
}

/** Sent while a `follow` request runs; its response comes once the task has ended. */
export interface OutputNotification {
  id: string;
  text: string;
}

/** Exit codes of bgt, for scripts (sysexits where one fits). */
export const Exit = {
  ok: 0,
  failure: 1,
  /** --max-wait ran out and the task still runs (EX_TEMPFAIL). */
  stillRunning: 75,
  timedOut: 124,
  /** Cancelled, or failed with no exit code (lost, spawn error). */
  noExitCode: 125,
  usage: 64,
  unknownTask: 65,
  noEngine: 69,
  untrusted: 77,
} as const;

/** The exit code a script sees for an ended task (undefined while it has not ended). */
export function exitCodeOf(task: Pick<TaskSnapshot, 'state'>): number | undefined {
  const s = task.state;
  switch (s.status) {
    case 'completed':
      return 0;
    case 'cancelled':
      return Exit.noExitCode;
    case 'failed':
      if (s.timedOut || s.error?.startsWith('timed out')) return Exit.timedOut;
      if (s.exitCode !== undefined) return s.exitCode;
      if (s.signal) {
        const n = (osConstants.signals as Record<string, number | undefined>)[s.signal];
        if (n !== undefined) return 128 + n;
      }
      return Exit.noExitCode;
    default:
      return undefined;
  }
}

export function isEnded(task: Pick<TaskSnapshot, 'state'>): boolean {
  const status = task.state.status;
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
