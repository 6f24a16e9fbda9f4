// The vertical slice: Run in Background -> the tree -> a notification -> Show Output.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, runCommand, waitFor, type Harness } from './helpers';

describe('Run in Background, end to end', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });

  it('runs a string argument, shows it in the tree, notifies, and Show Output opens its output', async () => {
    h.notifications.choose = (n) => (n.buttons.includes('Show Output') ? 'Show Output' : undefined);
    const id = await runCommand('echo hello from the slice');
    const node = await waitFor(() => {
      h.hooks.tree.provider.flush();
      const groups = h.hooks.tree.provider.getChildren();
      return groups.flatMap((g) => h.hooks.tree.provider.getChildren(g)).find((n) => n.kind === 'task' && n.task.id === id);
    }, `task ${id} in the tree`);
    assert.equal(node.label, 'echo hello from the slice');
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'completed');
    const notice = await waitFor(() => h.notifications.about(id)[0], `the notification of ${id}`);
    assert.equal(notice.severity, 'information');
    assert.deepEqual(notice.buttons, ['Show Output']);
    assert.match(notice.text, /✓ Task completed: echo hello from the slice/);
    await waitFor(() => h.hooks.ui.channels.has(id), `the output channel of ${id}`);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('hello from the slice'), 'the output in the channel');
  });

  it('announces a failing command as an error with its output, Show Output and Rerun', async () => {
    h.notifications.choose = () => undefined;
    const id = await runCommand('echo some context; echo it broke >&2; exit 3');
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'failed');
    assert.equal(task.state.status === 'failed' && task.state.exitCode, 3);
    const notice = await waitFor(() => h.notifications.about(id)[0], `the notification of ${id}`);
    assert.equal(notice.severity, 'error');
    assert.deepEqual(notice.buttons, ['Show Output', 'Rerun']);
    assert.match(notice.text, /✗ Task failed/);
    assert.match(notice.text, /Exit code: 3/);
    assert.match(notice.text, /it broke/, 'the last lines of output are in the notification');
    h.hooks.tree.provider.flush();
    const failed = h.hooks.tree.provider.getChildren().find((g) => g.kind === 'group' && g.status === 'failed');
    assert.ok(failed, 'a Failed group');
    const node = h.hooks.tree.provider.getChildren(failed).find((n) => n.kind === 'task' && n.task.id === id);
    assert.ok(node, 'the failed task is in the Failed group');
    assert.match(String(node.description), /exit code 3/);
    assert.equal(await vscode.commands.executeCommand('backgroundTasks.showOutput', id), id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('it broke'), 'stderr in the channel');
  });

  it('asks for a command when called without one, and remembers it for next time', async () => {
    h.prompts.answer('echo typed in the quick pick');
    const id = await vscode.commands.executeCommand<string>('backgroundTasks.run');
    assert.equal(typeof id, 'string');
    assert.equal((await finished(h.api, id)).command, 'echo typed in the quick pick');
    h.prompts.answer(undefined);
    assert.equal(await vscode.commands.executeCommand('backgroundTasks.run'), undefined, 'dismissing the prompt runs nothing');
    const lastCall = h.prompts.calls[h.prompts.calls.length - 1];
    assert.equal(lastCall.kind, 'command');
    assert.equal(lastCall.items?.[0], 'echo typed in the quick pick', 'the recent command is offered first');
  });
});
