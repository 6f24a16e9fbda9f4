// Throwaway folders for one test run: a workspace, a user-data and an extensions folder.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface RunFolders {
  root: string;
  workspace: string;
  userDataDir: string;
  extensionsDir: string;
  remove(): void;
}

/** `trust`: keep workspace trust on, so the folder opens in Restricted Mode. */
export function makeRunFolders(label: string, options: { trust?: boolean } = {}): RunFolders {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `bt-${label}-`));
  const folders = {
    root,
    workspace: path.join(root, 'workspace'),
    userDataDir: path.join(root, 'user-data'),
    extensionsDir: path.join(root, 'extensions'),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  for (const dir of [folders.workspace, folders.userDataDir, folders.extensionsDir]) fs.mkdirSync(dir, { recursive: true });
  // Settings a test run wants: no welcome page, no trust prompt, no telemetry.
  const userSettings = path.join(folders.userDataDir, 'User');
  fs.mkdirSync(userSettings, { recursive: true });
  fs.writeFileSync(
    path.join(userSettings, 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': options.trust === true,
        'security.workspace.trust.startupPrompt': 'never',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'workbench.enableExperiments': false,
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(path.join(folders.workspace, 'README.txt'), 'A throwaway workspace for Background Tasks tests.\n');
  return folders;
}
