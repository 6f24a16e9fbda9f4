// One handler per method of the control protocol. Parameters are checked here and named in
// errors; the engine checks the spawn options themselves (and names the field too).
import type { SpawnOptions, TaskSnapshot, TaskStatus } from '../core/types';
import { TASK_STATUSES } from '../core/types';
import { AccessError, UNTRUSTED_REFUSAL, waitForEnd, type EngineLike, type TaskAccess } from './access';
import { EXPORT_FORMATS, isEnded, PROTOCOL_VERSION, type ExportFormat, type HelloResult, type RunParams, type RunResult, type WaitResult } from './protocol';
import type { StdinPipes } from './stdinPipes';

export interface Connection {
  readonly access: TaskAccess;
  readonly engine: EngineLike;
  readonly signal: AbortSignal;
  readonly closed: boolean;
  readonly server: { readonly pipes: StdinPipes; readonly options: { isTrusted(): boolean } };
  readonly socket: { writableLength: number; once(event: 'drain' | 'close', listener: () => void): unknown };
  notify(method: string, params: unknown): boolean;
}

type Params = Record<string, unknown>;
type Handler = (conn: Connection, params: Params) => Promise<unknown>;

const FOLLOW_CHUNK = 64 * 1024;
const FOLLOW_POLL_MS = 100;
/** Past this much unsent output, follow waits for the client to read. */
const FOLLOW_HIGH_WATER = 1024 * 1024;

function invalid(field: string, message: string): AccessError {
  return new AccessError('invalid', message, field);
}

function taskId(params: Params): string {
  const id = params.id;
  if (typeof id !== 'string' || id === '') throw invalid('id', `"id" must be a task id string; got ${JSON.stringify(id)}.`);
  return id;
}

function known(conn: Connection, id: string): TaskSnapshot {
  const task = conn.engine.getTask(id);
  if (!task) throw new AccessError('unknownTask', `No task with id "${id}". Run \`bgt ls\` to see the tasks.`, 'id');
  return task;
}

function optionalNumber(params: Params, field: string): number | undefined {
  const v = params[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw invalid(field, `"${field}" must be a number of at least 0; got ${JSON.stringify(v)}.`);
  return v;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/** What run passes on to spawnTask() as it is: the engine checks each (a TaskOptionsError names the field). */
const RUN_OPTION_KEYS = ['cwd', 'env', 'type', 'priority', 'dependsOn', 'stdinFrom', 'metadata', 'timeoutSeconds', 'retries', 'retryDelaySeconds', 'startAt', 'delaySeconds', 'lane'] as const;

async function run(conn: Connection, params: Params): Promise<RunResult> {
  const p = params as unknown as RunParams;
  if (!conn.server.options.isTrusted()) throw new AccessError('untrusted', UNTRUSTED_REFUSAL);
  const options: SpawnOptions = { command: p.command };
  for (const key of RUN_OPTION_KEYS) {
    if (p[key] !== undefined) (options as unknown as Record<string, unknown>)[key] = p[key];
  }
  if (p.stdin !== true) return { id: await conn.access.run(options) };
  const pipe = await conn.server.pipes.create();
  let id: string;
  try {
    id = await conn.access.run({ ...options, stdinFile: pipe.path });
  } catch (err) {
    pipe.abandon();
    throw err;
  }
  pipe.bind(id);
  conn.server.pipes.update(conn.engine.getTask(id)); // the engine may have started it already
  // Released as soon as bgt has its end; a client that goes away first releases it too.
  conn.signal.addEventListener('abort', () => conn.server.pipes.attached(id));
  return { id, stdinPipe: pipe.path };
}

/** Follows a task's output as `output` notifications; answers with the ended task. */
async function follow(conn: Connection, params: Params): Promise<{ task: TaskSnapshot } | undefined> {
  const id = taskId(params);
  known(conn, id);
  const lines = optionalNumber(params, 'lines');
  let offset = lines === undefined ? (optionalNumber(params, 'offset') ?? 0) : offsetOfLastLines(conn.engine, id, lines);
  for (;;) {
    const task = conn.engine.getTask(id);
    if (conn.closed || !task) return undefined;
    const ended = isEnded(task);
    const read = conn.engine.readOutput(id, { offset, maxBytes: FOLLOW_CHUNK });
    if (!read) return undefined;
    if (read.text !== '') conn.notify('output', { id, text: read.text });
    offset = read.nextOffset;
    if (conn.socket.writableLength > FOLLOW_HIGH_WATER) {
      await new Promise<void>((resolve) => {
        conn.socket.once('drain', resolve);
        conn.socket.once('close', resolve);
      });
      continue;
    }
    if (read.nextOffset < read.size) continue;
    // Read once more after the end: the last bytes may have landed after the read above.
    if (ended) {
      const last = conn.engine.readOutput(id, { offset });
      if (last?.text) conn.notify('output', { id, text: last.text });
      return { task };
    }
    await delay(FOLLOW_POLL_MS, conn.signal);
  }
}

/** The byte offset where the last `lines` lines of a task's log begin (looking at its last 256 KiB). */
function offsetOfLastLines(engine: EngineLike, id: string, lines: number): number {
  const size = engine.readOutput(id, { offset: 0, maxBytes: 0 })?.size ?? 0;
  const from = Math.max(0, size - 256 * 1024);
  const text = engine.readOutput(id, { offset: from, maxBytes: size - from })?.text ?? '';
  let start = text.length;
  let pos = text.endsWith('\n') ? text.length - 2 : text.length - 1;
  for (let n = 0; n < lines && start > 0; n++) {
    const nl = pos < 0 ? -1 : text.lastIndexOf('\n', pos);
    start = nl + 1;
    pos = nl - 1;
  }
  return from + Buffer.byteLength(text.slice(0, start));
}

function statuses(params: Params): TaskStatus[] | undefined {
  const v = params.status;
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    if (!(TASK_STATUSES as readonly unknown[]).includes(s)) throw invalid('status', `Unknown status ${JSON.stringify(s)}: use ${TASK_STATUSES.join(', ')}.`);
  }
  return list as TaskStatus[];
}

function exportFormat(params: Params): ExportFormat {
  const f = params.format;
  if (!(EXPORT_FORMATS as readonly unknown[]).includes(f)) throw invalid('format', `"format" must be ${EXPORT_FORMATS.map((x) => `"${x}"`).join(' or ')}; got ${JSON.stringify(f)}.`);
  return f as ExportFormat;
}

export const handlers: Record<string, Handler> = {
  hello: async (conn): Promise<HelloResult> => ({ protocol: PROTOCOL_VERSION, trusted: conn.server.options.isTrusted(), pid: process.pid }),
  run,
  stdinAttached: async (conn, params) => {
    conn.server.pipes.attached(taskId(params));
    return true;
  },
  get: async (conn, params) => known(conn, taskId(params)),
  list: async (conn, params) => conn.access.list(statuses(params)),
  cancel: async (conn, params) => conn.access.cancel(taskId(params), typeof params.reason === 'string' ? params.reason : 'cancelled with bgt'),
  rerun: async (conn, params) => ({ id: await conn.access.rerun(taskId(params)) }),
  clear: async (conn) => ({ removed: await conn.access.clear() }),
  stats: async (conn) => conn.access.stats(),
  tail: async (conn, params) => {
    const id = taskId(params);
    known(conn, id);
    return { lines: conn.engine.readTail(id, Math.floor(optionalNumber(params, 'lines') ?? 10), params.stripAnsi === true) };
  },
  wait: async (conn, params): Promise<WaitResult> => {
    const id = taskId(params);
    const before = known(conn, id);
    const ms = optionalNumber(params, 'timeoutMs');
    const ended = await waitForEnd(conn.engine, id, ms ?? 2 ** 31 - 1, conn.signal);
    return ended ? { task: ended, timedOut: false } : { task: conn.engine.getTask(id) ?? before, timedOut: true };
  },
  follow,
  pauseQueue: async (conn) => conn.access.pauseQueue(),
  resumeQueue: async (conn) => conn.access.resumeQueue(),
  pauseTask: async (conn, params) => conn.access.pauseTask(taskId(params)),
  resumeTask: async (conn, params) => conn.access.resumeTask(taskId(params)),
  exportHistory: async (conn, params) => ({ text: await conn.access.exportHistory(exportFormat(params)) }),
};
