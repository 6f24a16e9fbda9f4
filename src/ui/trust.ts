// Workspace trust: in Restricted Mode nothing runs. The check goes through this seam so the
// integration tests (whose host trusts every folder) can exercise the refusal path.
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE =
  'Background Tasks: this workspace is in Restricted Mode, so no command is run. ' +
  'Trust the workspace to run tasks; the task history, output and details still open.';

export class Trust {
  private override: boolean | undefined;

  isTrusted(): boolean {
    return this.override ?? vscode.workspace.isTrusted;
  }

  /** For tests: pretend the workspace is (un)trusted; undefined goes back to the real answer. */
  setOverride(trusted: boolean | undefined): void {
    this.override = trusted;
  }
}

/** The error thrown to API callers and shown to people when something would run untrusted. */
export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(UNTRUSTED_MESSAGE);
    this.name = 'UntrustedWorkspaceError';
  }
}
