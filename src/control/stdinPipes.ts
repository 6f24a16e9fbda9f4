// Live stdin for `producer | bgt run -- consumer`: a FIFO (0600, in a private folder) is the
// task's stdinFile, and bgt writes its own stdin into it. Same user, same machine, so the
// bytes go from bgt to the task through the kernel and never through the extension host.
//
// A FIFO's open for reading blocks until there is a writer, and the engine opens the task's
// stdin when it starts it: this side holds the FIFO open read-write from its creation until
// the task has started and bgt has its write end (or has gone), so that open never blocks and
// the task sees end-of-file exactly when bgt closes its end.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable, TaskSnapshot } from '../core/types';

interface Pipe {
  path: string;
  fd: number | undefined;
  attached: boolean;
  started: boolean;
}

/** Removes FIFOs left by an extension host that ended without disposing (before the engine starts tasks). */
export async function clearStalePipes(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((name) => name.endsWith('.fifo')).map((name) => fs.promises.rm(path.join(dir, name), { force: true }).catch(() => undefined)));
}

export class StdinPipes implements Disposable {
  private readonly pipes = new Map<string, Pipe>();
  private readonly sub: Disposable;

  constructor(
    private readonly dir: string,
    onDidChangeTask: (listener: (task: TaskSnapshot) => void) => Disposable,
  ) {
    this.sub = onDidChangeTask((task) => this.update(task));
  }

  /** Makes a FIFO held open by this side; `bind` ties it to the task once queued. */
  async create(): Promise<{ path: string; bind(id: string): void; abandon(): void }> {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const fifo = path.join(this.dir, `${randomBytes(8).toString('hex')}.fifo`);
    await new Promise<void>((resolve, reject) =>
      execFile('mkfifo', ['-m', '600', fifo], (err, _out, stderr) =>
        err ? reject(new Error(`could not make a pipe for stdin (mkfifo ${fifo}): ${stderr.trim() || err.message}`)) : resolve(),
      ),
    );
    // Read-write: never blocks, and keeps a writer on the FIFO until the task has it.
    const fd = fs.openSync(fifo, fs.constants.O_RDWR);
    const pipe: Pipe = { path: fifo, fd, attached: false, started: false };
    return {
      path: fifo,
      bind: (id) => this.pipes.set(id, pipe),
      abandon: () => this.close(pipe, true),
    };
  }

  /** bgt has opened its write end (or its connection ended and it never will). */
  attached(id: string): void {
    const pipe = this.pipes.get(id);
    if (!pipe) return;
    pipe.attached = true;
    this.release(id, pipe);
  }

  dispose(): void {
    this.sub.dispose();
    // A task still pending then fails with "input file does not exist" instead of blocking the next engine.
    for (const pipe of this.pipes.values()) this.close(pipe, true);
    this.pipes.clear();
  }

  /** Follows the task's state (also called once at bind time: it may have started already). */
  update(task: TaskSnapshot | undefined): void {
    if (!task) return;
    const pipe = this.pipes.get(task.id);
    if (!pipe) return;
    const status = task.state.status;
    if (status === 'pending') return;
    pipe.started = true;
    if (status !== 'running') {
      this.close(pipe, true);
      this.pipes.delete(task.id);
      return;
    }
    this.release(task.id, pipe);
  }

  private release(id: string, pipe: Pipe): void {
    if (!pipe.attached || !pipe.started) return;
    // The task and bgt hold their ends; the name is no longer needed either.
    this.close(pipe, true);
    this.pipes.delete(id);
  }

  private close(pipe: Pipe, unlink: boolean): void {
    if (pipe.fd !== undefined) {
      try {
        fs.closeSync(pipe.fd);
      } catch {
        // already closed
      }
      pipe.fd = undefined;
    }
    if (unlink) fs.rmSync(pipe.path, { force: true });
  }
}
