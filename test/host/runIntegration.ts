// Runs test/integration inside a real VS Code extension host: code-server with the smoke-test
// driver, a browser page whose payload loads this extension in development mode and the suite
// as its extensionTestsPath. The page reports the suite's console and its exit code back here.
import * as path from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, ensureCodeServer, findChromium, startCodeServer, type RunningCodeServer } from './codeServer';
import { makeRunFolders } from './workspace';

/** Must match the marker in test/integration/index.ts. */
const MOCHA_MARK = '\u2063bt\u2063';
/** Offline, the workbench cannot reach its extension gallery; those errors say nothing about us. */
const EXPECTED_NOISE = /ENOTFOUND|open-vsx|marketplace|gallery/i;
const SUITE_TIMEOUT_MS = Number(process.env.BT_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);

/**
 * One pass of the suite. `restricted`: workspace trust stays on and the folder is not trusted,
 * so the extension runs in Restricted Mode (test/integration/restricted/).
 */
async function runPass(restricted: boolean): Promise<number> {
  const extensionRoot = path.resolve(__dirname, '..', '..', '..');
  const suite = restricted ? ['integration', 'restricted'] : ['integration'];
  const testsIndex = path.join(extensionRoot, 'out', 'test', ...suite, 'index.js');
  const chromiumPath = findChromium();
  const install = ensureCodeServer();
  const folders = makeRunFolders(restricted ? 'restricted' : 'integration', { trust: restricted });
  let server: RunningCodeServer | undefined;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  try {
    server = await startCodeServer(install, { ...folders, smokeTestDriver: true, workspaceTrust: restricted });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server!.port}${p}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(extensionRoot)],
      ['extensionTestsPath', remote(testsIndex)],
    ]);
    const url = `${server.url}?folder=${encodeURIComponent(remote(folders.workspace))}&payload=${encodeURIComponent(payload)}`;

    const page = await browser.newPage();
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    // The page forwards every console of the workbench and the extension host. Mocha's lines
    // carry a marker (see test/integration/index.ts) and are printed; the rest is kept and
    // shown only when the suite fails or BT_SHOW_HOST_LOG is set.
    const hostLog: string[] = [];
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const list = Array.isArray(args) ? args : [args];
      const text = format(...list);
      if (text.startsWith(MOCHA_MARK)) {
        process.stdout.write(`${text.slice(MOCHA_MARK.length)}\n`);
      } else if (process.env.BT_SHOW_HOST_LOG) {
        process.stderr.write(`[host ${type}] ${text}\n`);
      } else if (!EXPECTED_NOISE.test(text)) {
        hostLog.push(`[host ${type}] ${text}`);
        if (hostLog.length > 200) hostLog.shift();
      }
    });
    page.on('pageerror', (error) => process.stderr.write(`[page error] ${error.message}\n`));
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        process.stderr.write(`Integration suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s.\n`);
        resolve(1);
      }, SUITE_TIMEOUT_MS);
    });
    const code = await Promise.race([exitCode, timeout]);
    clearTimeout(timer);
    if (code !== 0 && !process.env.BT_SHOW_HOST_LOG) {
      process.stderr.write(`\nThe last lines of the workbench and extension host console:\n${hostLog.slice(-60).join('\n')}\n`);
    }
    return code;
  } finally {
    await browser.close().catch(() => undefined);
    await server?.stop();
    folders.remove();
  }
}

async function main(): Promise<number> {
  const trusted = await runPass(false);
  if (trusted !== 0) return trusted;
  process.stdout.write('\nIn Restricted Mode (an untrusted workspace):\n');
  return runPass(true);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  },
);
