// The integration suite's entry, loaded by the extension host as `extensionTestsPath`
// (code-server here, @vscode/test-electron on a desktop). It runs mocha itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Marks mocha's lines so the runner can tell them from the workbench's console. */
const MOCHA_MARK = '\u2063bt\u2063';

/** Runs every *.test.js in `dir` with mocha, in the extension host. */
export function runSuite(dir: string): Promise<void> {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  base.consoleLog = (...args: unknown[]) => console.log(MOCHA_MARK + format(...args));
  // BT_INTEGRATION_GREP runs only the matching tests, while working on one suite.
  const grep = process.env.BT_INTEGRATION_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec', forbidOnly: true, ...(grep ? { grep } : {}) });
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  for (const file of files) mocha.addFile(path.join(dir, file));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed.`));
        else resolve();
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

export function run(): Promise<void> {
  return runSuite(__dirname);
}
