// The suite that runs in a workspace VS Code does not trust (Restricted Mode).
import { runSuite } from '../index';

export function run(): Promise<void> {
  return runSuite(__dirname);
}
