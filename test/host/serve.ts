// `npm start`: VS Code in the browser with the packaged extension installed, for trying it on a
// machine without desktop VS Code. Serves on 127.0.0.1 until Ctrl-C, then ends code-server's
// whole process group.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer, freePort, installExtension, startCodeServer } from './codeServer';

async function main(): Promise<void> {
  const projectRoot = path.resolve(__dirname, '..', '..', '..');
  const vsix = path.join(projectRoot, 'background-tasks.vsix');
  const workspace = path.resolve(process.env.BT_WORKSPACE ?? process.argv[2] ?? projectRoot);
  if (!fs.existsSync(workspace)) throw new Error(`The folder to open does not exist: ${workspace}`);
  const state = path.join(projectRoot, '.vscode-test', 'start');
  const folders = {
    workspace,
    userDataDir: path.join(state, 'user-data'),
    extensionsDir: path.join(state, 'extensions'),
  };
  fs.mkdirSync(folders.userDataDir, { recursive: true });
  fs.mkdirSync(folders.extensionsDir, { recursive: true });
  const install = ensureCodeServer();
  installExtension(install, vsix, folders.extensionsDir, folders.userDataDir);
  const port = Number(process.env.PORT ?? 0) || (await freePort());
  const server = await startCodeServer(install, { ...folders, port, logFile: path.join(state, 'code-server.log') });
  const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
  process.stdout.write(
    `\nBackground Tasks is installed in VS Code at:\n\n  ${url}\n\nOpen it in a browser (forward port ${port} if this machine is remote). Ctrl-C stops it.\n`,
  );
  let stopping = false;
  const stop = () => {
    stopping = true;
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.on('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`code-server exited (code ${code}); see ${path.join(state, 'code-server.log')}\n`);
    process.exit(code ?? 1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
