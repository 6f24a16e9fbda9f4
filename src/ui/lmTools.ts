// The five agent tools for VS Code's own agent (vscode.lm.registerTool). Their text and input
// checks are control/tools.ts, shared with `bgt mcp`; here only the confirmation VS Code shows
// before a run or a cancel, and Restricted Mode, which refuses both with the reason.
import * as vscode from 'vscode';
import type { TaskEngine } from '../core/engine';
import { engineAccess } from '../control/access';
import { runTool, TOOL_NAMES, type ToolName } from '../control/tools';
import { codeBlock } from './taskText';
import type { Trust } from './trust';

type Input = Record<string, unknown>;

function prepare(name: ToolName, input: Input, engine: TaskEngine, trust: Trust): vscode.PreparedToolInvocation | undefined {
  if (!trust.isTrusted()) return undefined; // refused with the reason when invoked; nothing to confirm
  if (name === 'backgroundTasks_run' && typeof input.command === 'string') {
    const where = typeof input.cwd === 'string' ? ` in ${input.cwd}` : '';
    return {
      invocationMessage: `Queueing a background task: ${input.command}`,
      confirmationMessages: {
        title: 'Run this command in the background?',
        message: new vscode.MarkdownString(`${codeBlock(input.command, 'sh')}\n\nIt runs${where} as a background task of this window.`),
      },
    };
  }
  if (name === 'backgroundTasks_cancel' && typeof input.id === 'string') {
    const task = engine.getTask(input.id);
    if (!task) return undefined;
    return {
      invocationMessage: `Cancelling background task ${task.id}`,
      confirmationMessages: {
        title: `Cancel background task ${task.id}?`,
        message: new vscode.MarkdownString(`${codeBlock(task.command, 'sh')}\n\nIt is ${task.state.status}; cancelling stops its whole process group.`),
      },
    };
  }
  return undefined;
}

export function registerLmTools(context: vscode.ExtensionContext, engine: TaskEngine, trust: Trust): void {
  if (typeof vscode.lm?.registerTool !== 'function') return; // a host older than the stable tools API
  const access = engineAccess(engine, () => trust.isTrusted());
  for (const name of TOOL_NAMES) {
    const tool: vscode.LanguageModelTool<Input> = {
      invoke: async (options) => {
        await engine.ready; // ids from before a reload are known once the history is in
        const answer = await runTool(access, name, options.input, { caller: 'an agent in VS Code' });
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(answer.text)]);
      },
    };
    if (name === 'backgroundTasks_run' || name === 'backgroundTasks_cancel') {
      tool.prepareInvocation = (options) => prepare(name, (options.input ?? {}) as Input, engine, trust);
    }
    context.subscriptions.push(vscode.lm.registerTool(name, tool));
  }
}
