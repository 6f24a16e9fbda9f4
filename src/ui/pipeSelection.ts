// Pipe Selection Into...: the editor's selection (or the whole document when nothing is
// selected) becomes a new task's stdin. The engine keeps the text in the task's own folder
// (tasks/<id>/stdin, 0600, as inputs can hold secrets), so it goes when the task goes, whatever
// happens to this window meanwhile.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Command } from './commandIds';
import { checkTrusted, showError, showInfo, type UiServices } from './services';
import { shortCommand } from './taskText';

function selectedText(): { text: string; cwd?: string } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const { document, selection } = editor;
  const text = selection.isEmpty ? document.getText() : document.getText(selection);
  return { text, cwd: vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath };
}

/** From code: `(text, command)`; from the editor: the selection, then a prompt for the command. */
async function pipeSelection(ui: UiServices, textArg?: unknown, commandArg?: unknown): Promise<string | undefined> {
  if (!checkTrusted(ui)) return undefined;
  const input = typeof textArg === 'string' ? { text: textArg, cwd: undefined } : selectedText();
  if (!input) {
    showInfo(ui, 'Background Tasks: open a file and select the text to pipe into a command.');
    return undefined;
  }
  const lines = input.text.split('\n').length;
  const command =
    typeof commandArg === 'string' ? commandArg : await ui.seams.prompts.command(`Pipe ${lines} line${lines === 1 ? '' : 's'} into`, ui.recent.list());
  if (!command?.trim()) return undefined;
  try {
    const id = ui.engine.spawnTask({ command: command.trim(), cwd: input.cwd, stdinText: input.text, metadata: { input: 'editor selection' } });
    void ui.recent.add(command.trim());
    return id;
  } catch (error) {
    showError(ui, error, `pipe the selection into "${shortCommand(command, 60)}"`);
    return undefined;
  }
}

/**
 * Earlier versions kept selections in `<storage>/inputs` and removed each file only when its task
 * ended in the same window; a reload left them there. Nothing writes there now: remove what is left.
 */
function removeOldInputs(inputsDir: string): void {
  fs.rm(inputsDir, { recursive: true, force: true }, () => undefined);
}

export function registerPipeSelection(context: vscode.ExtensionContext, ui: UiServices, oldInputsDir: string): void {
  removeOldInputs(oldInputsDir);
  context.subscriptions.push(vscode.commands.registerCommand(Command.pipeSelection, (text?: unknown, command?: unknown) => pipeSelection(ui, text, command)));
}
