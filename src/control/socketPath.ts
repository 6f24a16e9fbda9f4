// Where the window's control socket lives. A socket path holds at most 107 bytes, and workspace
// storage paths are longer, so it goes in a short private folder: $XDG_RUNTIME_DIR/bgt-<uid>
// or <tmp>/bgt-<uid> (0700, owned by this user, checked), named after the workspace so a
// reloaded window listens where its old terminals already point.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const MAX_SOCKET_PATH_BYTES = 107;

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** Makes (or checks) a folder only this user can enter; false when it is someone else's or open to others. */
function privateFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
  }
  try {
    const st = fs.lstatSync(dir);
    return st.isDirectory() && st.uid === uid() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The private folder for sockets: the first base that works and leaves room for a name. */
export function socketFolder(env: NodeJS.ProcessEnv = process.env): string {
  const bases = [env.XDG_RUNTIME_DIR, os.tmpdir(), '/tmp'].filter((b): b is string => !!b && path.isAbsolute(b));
  for (const base of bases) {
    const dir = path.join(base, `bgt-${uid()}`);
    if (Buffer.byteLength(dir) + 20 <= MAX_SOCKET_PATH_BYTES && privateFolder(dir)) return dir;
  }
  // Every shared base is taken or too long: a fresh folder of our own in /tmp.
  return fs.mkdtempSync('/tmp/bgt-');
}

/** A short, stable name for a workspace's storage folder. */
export function socketName(storageDir: string): string {
  return `${createHash('sha256').update(storageDir).digest('hex').slice(0, 12)}.sock`;
}

/** 'live' when something answers at the path, 'stale' when a socket file is there and nobody listens, 'absent' otherwise. */
export function probeSocket(socketPath: string, timeoutMs = 1000): Promise<'live' | 'stale' | 'absent'> {
  if (!fs.existsSync(socketPath)) return Promise.resolve('absent');
  return new Promise((resolve) => {
    const conn = net.connect(socketPath);
    const done = (verdict: 'live' | 'stale'): void => {
      clearTimeout(timer);
      conn.destroy();
      resolve(verdict);
    };
    // A listener that accepts but is stuck still owns the path: treat it as live, never steal it.
    const timer = setTimeout(() => done('live'), timeoutMs);
    conn.once('connect', () => done('live'));
    conn.once('error', () => done('stale'));
  });
}

/**
 * The socket path for a workspace: its stable name when free or stale (the stale file is
 * removed), else a name of its own (two windows on one storage folder: empty windows).
 */
export async function chooseSocketPath(storageDir: string, folder = socketFolder()): Promise<string> {
  const stable = path.join(folder, socketName(storageDir));
  const verdict = await probeSocket(stable);
  if (verdict === 'absent') return stable;
  if (verdict === 'stale') {
    fs.rmSync(stable, { force: true });
    return stable;
  }
  return path.join(folder, `${socketName(storageDir).slice(0, 12)}-${process.pid}.sock`);
}
