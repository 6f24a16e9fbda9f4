// `npm run test:desktop`: the same integration suite in a desktop VS Code downloaded by
// @vscode/test-electron. It needs internet (the download); on a machine without it, use
// `npm run test:integration`, or point VSCODE_EXECUTABLE at an installed VS Code.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  const extensionDevelopmentPath = path.resolve(__dirname, '..', '..', '..');
  const extensionTestsPath = path.join(extensionDevelopmentPath, 'out', 'test', 'integration', 'index.js');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-desktop-'));
  try {
    await runTests({
      extensionDevelopmentPath,
      extensionTestsPath,
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Desktop tests failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
