// Calls a language model tool the way another extension (or the agent) does.
import * as vscode from 'vscode';

/** The text of a tool's answer. */
export async function invoke(name: string, input: object): Promise<string> {
  const result = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}
