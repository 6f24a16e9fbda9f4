// A person's VS Code for e2e tests: the packaged .vsix installed into a fresh code-server
// (without the smoke-test driver, so toasts show as a person sees them) and Chromium driven by
// playwright-core with keyboard and mouse only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CHROMIUM_ARGS,
  ensureCodeServer,
  findChromium,
  installExtension,
  startCodeServer,
  type RunningCodeServer,
} from '../host/codeServer';
import { makeRunFolders, type RunFolders } from '../host/workspace';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const VSIX = path.join(PROJECT_ROOT, 'background-tasks.vsix');
/** Screenshots of key states; the README shows some of them. */
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'screenshots');

export interface E2eSession {
  page: Page;
  browser: Browser;
  server: RunningCodeServer;
  folders: RunFolders;
  workspace: string;
  /** Saves a PNG of the page under test-results/screenshots and returns its path. */
  screenshot(name: string): Promise<string>;
  /** F1, types the title, presses Enter. */
  runCommand(title: string): Promise<void>;
  /** Reloads the window (the page) and waits for the workbench again. */
  reload(): Promise<void>;
  close(): Promise<void>;
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  // Extensions activate after the layout; let the status bar and views settle.
  await page.waitForSelector('.statusbar', { timeout: 30_000 });
  await page.waitForTimeout(3000);
}

export interface OpenOptions {
  /** Files to create in the workspace before VS Code opens it. */
  files?: Record<string, string>;
  /** Settings written to the workspace's .vscode/settings.json. */
  settings?: Record<string, unknown>;
}

export async function openVsCode(options: OpenOptions = {}): Promise<E2eSession> {
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first (npm run test:e2e does).`);
  const chromiumPath = findChromium();
  const install = ensureCodeServer();
  const folders = makeRunFolders('e2e');
  for (const [name, text] of Object.entries(options.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(folders.workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(folders.workspace, name), text);
  }
  if (options.settings) {
    fs.mkdirSync(path.join(folders.workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(folders.workspace, '.vscode', 'settings.json'), JSON.stringify(options.settings, null, 2));
  }
  installExtension(install, VSIX, folders.extensionsDir, folders.userDataDir);
  const server = await startCodeServer(install, folders);
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
  let page: Page;
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await page.goto(`${server.url}?folder=${encodeURIComponent(folders.workspace)}`);
    await waitForWorkbench(page);
  } catch (error) {
    await browser.close().catch(() => undefined);
    await server.stop();
    folders.remove();
    throw error;
  }
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const session: E2eSession = {
    page,
    browser,
    server,
    folders,
    workspace: folders.workspace,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    async runCommand(title) {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill(`>${title}`);
      // Wait until the palette shows the command before choosing it.
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: title })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
    },
    async reload() {
      await page.reload();
      await waitForWorkbench(page);
    },
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      folders.remove();
    },
  };
  return session;
}
