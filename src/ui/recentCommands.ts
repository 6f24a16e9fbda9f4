// Commands run in this workspace, newest first, for the Run quick pick.
import type * as vscode from 'vscode';

const KEY = 'backgroundTasks.recentCommands';
const LIMIT = 30;

export class RecentCommands {
  constructor(private readonly state: vscode.Memento) {}

  list(): string[] {
    const stored = this.state.get<unknown>(KEY);
    return Array.isArray(stored) ? stored.filter((c): c is string => typeof c === 'string') : [];
  }

  async add(command: string): Promise<void> {
    const list = [command, ...this.list().filter((c) => c !== command)].slice(0, LIMIT);
    await this.state.update(KEY, list);
  }

  async clear(): Promise<void> {
    await this.state.update(KEY, undefined);
  }
}
