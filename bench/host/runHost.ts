// `node out/bench/host/runHost.js <result.json> [extension folder]`: the extension in a real VS Code (code-server,
// the test host of test/host) with a browser page: its activation time from the extension
// host's performance marks, and the extension host's memory with 1000 tasks in history.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureCodeServer, findChromium, startCodeServer, type RunningCodeServer } from '../../test/host/codeServer';
import { makeRunFolders } from '../../test/host/workspace';

async function main(resultFile: string, extensionRoot: string): Promise<void> {
  const folders = makeRunFolders('bench-host');
  const out = path.join(folders.root, 'host.json');
  process.env.BT_BENCH_OUT = out;
  const install = ensureCodeServer();
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
  let server: RunningCodeServer | undefined;
  try {
    // The payload keeps one extensionDevelopmentPath (the last given): the floor's extensions are installed ones.
    for (const name of EMPTY_EXTENSIONS) writeEmptyExtension(folders.extensionsDir, name);
    server = await startCodeServer(install, { ...folders, smokeTestDriver: true });
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${server!.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extensionRoot)],
      ['extensionTestsPath', remote(path.join(__dirname, 'inHost.js'))],
    ]);
    const page = await browser.newPage();
    const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    await page.exposeFunction('codeAutomationLog', () => undefined);
    await page.goto(`${server.url}?folder=${encodeURIComponent(remote(folders.workspace))}&payload=${encodeURIComponent(payload)}`);
    let exitCode: number | undefined;
    void exited.then((code) => (exitCode = code));
    const deadline = Date.now() + 5 * 60_000;
    while (!fs.existsSync(out) && exitCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!fs.existsSync(out)) {
      const why = exitCode === undefined ? 'wrote no figures within 5 minutes' : `ended its run (code ${exitCode}) without figures`;
      throw new Error(`the extension host ${why}; its errors: ${hostErrors(folders.root) || 'none logged'}`);
    }
    const figures = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, number>;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.writeFileSync(resultFile, JSON.stringify(figures, null, 2));
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    if (!process.env.BT_BENCH_KEEP) folders.remove();
  }
}

/**
 * The floor for activation: extensions that do nothing but `require('vscode')` and return from
 * activate(), which inHost.ts activates one before ours and one after, in the same host.
 */
const EMPTY_EXTENSIONS = ['empty-before', 'empty-after'];

function writeEmptyExtension(extensionsDir: string, name: string): void {
  const dir = path.join(extensionsDir, `isaac-bench.${name}-0.0.1`);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = { name, publisher: 'isaac-bench', version: '0.0.1', engines: { vscode: '^1.95.0' }, main: './extension.js', activationEvents: [] };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), "const vscode = require('vscode');\nexports.activate = () => ({ version: vscode.version });\n");
}

/** The first error lines of the extension host's log (an activation failure says why there). */
function hostErrors(root: string): string {
  const logs = path.join(root, 'user-data', 'logs');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'remoteexthost.log' || e.name === 'exthost.log') found.push(p);
    }
  };
  walk(logs);
  const lines = found.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('[error]')));
  return lines.slice(0, 3).map((l) => l.replace(/^\S+ \S+ \[error\] /, '')).join(' / ');
}

main(process.argv[2] ?? 'host.json', path.resolve(process.argv[3] ?? path.join(__dirname, '..', '..', '..'))).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
