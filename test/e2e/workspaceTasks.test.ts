// A person's path: a tasks.json task run from the palette with "Run Task in Background...",
// its tsc errors in the Problems panel. The screenshot is the README's picture.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVsCode, PROJECT_ROOT, READY_MS, screenshotIfFailed, STEP_MS, type E2eSession } from './fixture';

const TSC = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsc');
const TASKS_JSON = `{
  // Type-checks src/ with tsc; its errors go to the Problems panel through $tsc.
  "version": "2.0.0",
  "tasks": [
    {
      "label": "check types",
      "type": "shell",
      "command": ${JSON.stringify(TSC)},
      "args": ["--noEmit", "--strict", "src/app.ts"],
      "problemMatcher": "$tsc",
    },
  ],
}
`;
const APP_TS = "// Two mistakes for tsc to find.\nexport const retries: number = 'three';\n\nexport function twice(n: number): number {\n  return n * factor;\n}\n";

describe('Run Task in Background and the Problems panel', () => {
  let session: E2eSession;
  before(async () => {
    session = await openVsCode({ files: { '.vscode/tasks.json': TASKS_JSON, 'src/app.ts': APP_TS } });
  });
  afterEach(async function () {
    await screenshotIfFailed(this.currentTest, session);
  });
  after(async () => {
    await session?.close();
  });

  it('runs a tasks.json task from the palette and shows its tsc errors in the Problems panel', async () => {
    const page = session.page;
    await session.runCommand('Background Tasks: Run Task in Background...');
    // The pick lists the workspace's tasks once VS Code's task providers have answered.
    const taskRow = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^check types$/ }) }).first();
    await taskRow.waitFor({ state: 'visible', timeout: READY_MS });
    await taskRow.click();
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: "Type 'string' is not assignable to type 'number'." }).first();
    // The rows come while tsc runs or once it ends, on a busy machine many seconds later.
    await row.waitFor({ state: 'visible', timeout: READY_MS });
    await page.locator('.markers-panel .monaco-list-row', { hasText: "Cannot find name 'factor'" }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await page.locator('.markers-panel').innerText();
    assert.match(text, /app\.ts/);
    assert.match(text, /\[Ln 2, Col 14\]/);
    const shot = await session.screenshot('problems-panel');
    fs.mkdirSync(path.join(PROJECT_ROOT, 'media', 'screenshots'), { recursive: true });
    fs.copyFileSync(shot, path.join(PROJECT_ROOT, 'media', 'screenshots', 'problems-panel.png'));
  });

  it('shows the problems again after a window reload (the log is read again)', async () => {
    await session.reload();
    await session.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await session.page
      .locator('.markers-panel .monaco-list-row', { hasText: "Type 'string' is not assignable to type 'number'." })
      .first()
      .waitFor({ state: 'visible', timeout: READY_MS });
  });
});
