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
  /** The running server; replaced by startServer() after a stopServer(). */
  server: RunningCodeServer;
  folders: RunFolders;
  workspace: string;
  /** Saves a PNG of the page under test-results/screenshots and returns its path. */
  screenshot(name: string): Promise<string>;
  /** F1, types the title, chooses that command. */
  runCommand(title: string): Promise<void>;
  /** "Run in Background" from the palette, the command typed into its quick pick, Enter. */
  runInBackground(command: string): Promise<void>;
  /** Opens the Background Tasks view (idempotent: never toggles the side bar closed). */
  openView(): Promise<void>;
  /** Reloads the window (the page) and waits for the workbench again. */
  reload(): Promise<void>;
  /** Ends the whole VS Code server (its process group), as a crash or a machine restart would; the page stays open. */
  stopServer(): Promise<void>;
  /** Starts VS Code's server again on the same profile and workspace and opens the page on it. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Generous: a cold machine scans extensions and starts the extension host many seconds after the layout. */
export const READY_MS = 120_000;
/** One step of a person's path: a toast, a row, an editor. */
export const STEP_MS = 60_000;

/** Our view container's item in the activity bar: there once VS Code has read the extension's contributions. */
const ACTIVITY_ITEM = '.activitybar .action-item a[aria-label^="Background Tasks"]';

/**
 * Waits for what a person waits for before using the extension: the workbench, then the
 * extension's activity-bar item (on a cold machine the workbench is on screen seconds before the
 * server has scanned the extensions, and until then the palette does not list their commands).
 */
async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: READY_MS });
  await page.locator(ACTIVITY_ITEM).first().waitFor({ state: 'attached', timeout: READY_MS });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * F1, the title typed, then a click on the row whose label is exactly that title (Enter would take
 * whatever row is first). The palette lists the commands known when it opened and does not update
 * while open; commands contributed by an extension (and the "View: Show ..." of its container) can
 * be registered seconds after the workbench shows, on a cold machine many seconds. So, as a person
 * would, close it and look again until the command is there.
 */
async function runPaletteCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
    .first();
  const deadline = Date.now() + READY_MS;
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: STEP_MS });
    await input.fill(`>${title}`);
    const listed = await row.waitFor({ state: 'visible', timeout: 5000 }).then(
      () => true,
      () => false,
    );
    if (listed) break;
    if (Date.now() > deadline) throw new Error(`The command palette did not list "${title}" within ${READY_MS / 1000} s.`);
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden', timeout: STEP_MS });
  }
  await row.click();
  // Then the pointer leaves, as a person's hand does: left where the row was, it rests on whatever
  // the command opens there (a quick pick's input, once its title bar pushes it down) and that
  // element's hover, shown after a moment, covers the quick pick's buttons.
  await page.mouse.move(PARKED_POINTER.x, PARKED_POINTER.y);
}

/** Over the editor area's empty right side: no hover there, and clear of quick picks and toasts. */
const PARKED_POINTER = { x: 1300, y: 450 };

/** For an afterEach hook: a screenshot of the page when the test failed, named after the test. */
export async function screenshotIfFailed(test: Mocha.Test | undefined, session: E2eSession | undefined): Promise<void> {
  if (!session || test?.state !== 'failed') return;
  const file = await session.screenshot(`failed-${test.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
  process.stderr.write(`    screenshot of the failure: ${file}\n`);
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
    runCommand: (title) => runPaletteCommand(page, title),
    async runInBackground(command) {
      await runPaletteCommand(page, 'Background Tasks: Run in Background');
      const widget = page.locator('.quick-input-widget');
      await widget.locator('.quick-input-title', { hasText: 'Run in Background' }).waitFor({ timeout: STEP_MS });
      await widget.locator('input').fill(command);
      await widget.locator('.quick-input-list .monaco-list-row', { hasText: command }).first().waitFor({ timeout: STEP_MS });
      await page.keyboard.press('Enter');
      await widget.waitFor({ state: 'hidden', timeout: STEP_MS });
    },
    async openView() {
      await runPaletteCommand(page, 'View: Show Background Tasks');
      // A container with one view hides that view's header: wait for the pane's body (tree or welcome).
      await page
        .locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /tasks/i }) })
        .locator('.pane-body')
        .first()
        .waitFor({ state: 'visible', timeout: READY_MS });
    },
    async reload() {
      await page.reload();
      await waitForWorkbench(page);
    },
    async stopServer() {
      await session.server.stop();
    },
    async startServer() {
      // The same port: VS Code keys a remote workspace's storage by its URI, authority (host:port) included.
      session.server = await startCodeServer(install, { ...folders, port: session.server.port });
      await page.goto(`${session.server.url}?folder=${encodeURIComponent(folders.workspace)}`);
      await waitForWorkbench(page);
    },
    async close() {
      await browser.close().catch(() => undefined);
      await session.server.stop();
      folders.remove();
    },
  };
  return session;
}
