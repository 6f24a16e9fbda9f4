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
    const deadline = Date.now() + 5 * 60_000;
    while (!fs.existsSync(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (!fs.existsSync(out)) throw new Error('the extension host wrote no figures within 5 minutes');
    const figures = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, number>;
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    fs.writeFileSync(resultFile, JSON.stringify(figures, null, 2));
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    folders.remove();
  }
}

main(process.argv[2] ?? 'host.json', path.resolve(process.argv[3] ?? path.join(__dirname, '..', '..', '..'))).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
