// Reach beyond the palette, wired into the window: the control socket owned by this window's
// engine, `bgt` on the PATH of every integrated terminal and every task, and the socket's path
// in BACKGROUND_TASKS_SOCKET for both. A reloaded window listens on the same path, so the
// terminals it kept still reach it; a terminal of a closed window gets bgt's clear exit 69.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { ControlServer } from '../control/server';
import { SOCKET_ENV } from '../control/protocol';
import { prependPath, writeShim } from '../control/shim';
import { chooseSocketPath } from '../control/socketPath';
import { clearStalePipes } from '../control/stdinPipes';
import type { Trust } from './trust';

export interface Reach {
  /** The engine's taskEnvironment option: every task gets the socket and bgt. */
  taskEnvironment(env: Readonly<Record<string, string>>): Record<string, string>;
  /** Starts listening once the engine is open; a failure is logged, never fatal to activation. */
  start(engine: TaskEngine, trust: Trust): Promise<ControlServer | undefined>;
}

/** Chooses the socket path and writes the shim before the engine opens (it starts tasks at once). */
export async function prepareReach(context: vscode.ExtensionContext, storageDir: string, log: (m: string) => void): Promise<Reach> {
  const pipesDir = path.join(storageDir, 'pipes');
  // In the thread pool, while the socket is chosen; done before anything makes a new pipe.
  const cleared = clearStalePipes(pipesDir);
  const binDir = vscode.Uri.joinPath(context.globalStorageUri, 'bin').fsPath;
  let socketPath: string | undefined;
  let listening = false;
  try {
    socketPath = await chooseSocketPath(storageDir);
    writeShim(binDir, process.execPath, context.asAbsolutePath(path.join('dist', 'cli.js')));
  } catch (err) {
    log(`Background Tasks: bgt is not available in terminals: ${err instanceof Error ? err.message : String(err)}`);
  }
  await cleared;
  return {
    taskEnvironment: (env) =>
      listening && socketPath ? { ...env, [SOCKET_ENV]: socketPath, PATH: prependPath(binDir, env.PATH ?? process.env.PATH) } : { ...env },
    async start(engine, trust) {
      if (!socketPath) return undefined;
      try {
        const server = await ControlServer.listen({ socketPath, engine, isTrusted: () => trust.isTrusted(), pipesDir, log });
        listening = true;
        context.subscriptions.push(server);
        const collection = context.environmentVariableCollection;
        collection.description = 'Lets `bgt` in this terminal queue and watch the background tasks of this window.';
        collection.replace(SOCKET_ENV, socketPath);
        collection.prepend('PATH', binDir + path.delimiter);
        return server;
      } catch (err) {
        log(`Background Tasks: could not listen on ${socketPath}, so bgt cannot reach this window: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    },
  };
}
