// Pipe Selection Into...: the editor's selection (or the whole document when nothing is
// selected) becomes a new task's stdin. The text is written to a file of its own under the
// extension's storage (0600, as commands' inputs can hold secrets) and removed when the task ends.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Command } from './commandIds';
import { checkTrusted, showError, showInfo, type UiServices } from './services';
import { shortCommand } from './taskText';

function writeInput(dir: string, text: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `selection-${Date.now()}-${randomBytes(3).toString('hex')}.txt`);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

function selectedText(): { text: string; cwd?: string } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return undefined;
  const { document, selection } = editor;
  const text = selection.isEmpty ? document.getText() : document.getText(selection);
  return { text, cwd: vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath };
}

/** From code: `(text, command)`; from the editor: the selection, then a prompt for the command. */
async function pipeSelection(ui: UiServices, inputsDir: string, textArg?: unknown, commandArg?: unknown): Promise<string | undefined> {
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
  let file: string | undefined;
  try {
    file = writeInput(inputsDir, input.text);
    const id = ui.engine.spawnTask({ command: command.trim(), cwd: input.cwd, stdinFile: file, metadata: { input: 'editor selection' } });
    void ui.recent.add(command.trim());
    const inputFile = file;
    const subscription = ui.engine.onDidFinishTask((task) => {
      if (task.id !== id) return;
      subscription.dispose();
      fs.rm(inputFile, { force: true }, () => undefined);
    });
    return id;
  } catch (error) {
    if (file) fs.rmSync(file, { force: true });
    showError(ui, error, `pipe the selection into "${shortCommand(command, 60)}"`);
    return undefined;
  }
}

export function registerPipeSelection(context: vscode.ExtensionContext, ui: UiServices, inputsDir: string): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(Command.pipeSelection, (text?: unknown, command?: unknown) => pipeSelection(ui, inputsDir, text, command)),
  );
}
