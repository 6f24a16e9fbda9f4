import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // placeholder
}

export function deactivate(): void {}
