// Every command, called the way code and keybindings call it (arguments), and the way a
// person does (prompts answered through the scripted seam).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { finished, harness, runCommand, waitFor, type Harness } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`backgroundTasks.${command}`, ...args);

describe('commands', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  afterEach(() => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
  });

  it('registers every command that package.json contributes, all in the category', async () => {
    const contributed = (vscode.extensions.getExtension('isaac.background-tasks')?.packageJSON as {
      contributes: { commands: { command: string; category: string }[] };
    }).contributes.commands;
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(contributed.length >= 16);
    for (const c of contributed) {
      assert.ok(registered.has(c.command), `${c.command} is not registered`);
      assert.equal(c.category, 'Background Tasks');
      assert.match(c.command, /^backgroundTasks\./);
    }
  });

  it('runVerbose starts the task at once and opens its output channel', async () => {
    const id = await run<string>('runVerbose', 'echo verbose out; sleep 0.3');
    assert.equal(typeof id, 'string');
    assert.equal(h.api.getTask(id)?.mode, 'verbose');
    assert.ok(h.hooks.ui.channels.has(id), 'the channel is open before the task ends');
    await finished(h.api, id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('verbose out'), 'live output in the channel');
  });

  it('runSelection runs the selected text, or the current line when nothing is selected', async () => {
    const document = await vscode.workspace.openTextDocument({ content: 'echo first line\necho second line\n\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    const lineId = await run<string>('runSelection');
    assert.equal((await finished(h.api, lineId)).command, 'echo second line');
    editor.selection = new vscode.Selection(0, 5, 0, 15);
    const selId = await run<string>('runSelection');
    assert.equal((await finished(h.api, selId)).command, 'first line');
    editor.selection = new vscode.Selection(2, 0, 2, 0);
    assert.equal(await run('runSelection'), undefined, 'an empty line runs nothing');
    assert.ok(h.notifications.shown.some((n) => /empty/.test(n.text)), JSON.stringify(h.notifications.shown.slice(-3)));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('runWithOptions asks command, type, priority, folder, what to run after, timeout, retries and a problem matcher', async () => {
    const blocker = await runCommand('sleep 30');
    // '' is Enter on a prefilled input: the default timeout and no retries (no lanes are set, so no lane step).
    h.prompts.answer('echo with options', 'system', 'high', '/tmp', `[${blocker}]`, '', '', '$gcc');
    const id = await run<string>('runWithOptions');
    const task = h.api.getTask(id);
    assert.ok(task);
    assert.equal(task.command, 'echo with options');
    assert.equal(task.type, 'system');
    assert.equal(task.priority, 'high');
    assert.equal(task.cwd, '/tmp');
    assert.deepEqual(task.dependsOn, [blocker]);
    assert.equal(task.problemMatcher, '$gcc');
    assert.deepEqual(h.prompts.calls.slice(-8).map((c) => c.kind), ['command', 'pick', 'pick', 'input', 'pick', 'input', 'input', 'pick']);
    assert.equal(task.attempts, 1);
    h.api.cancelTask(blocker);
    assert.equal((await finished(h.api, id)).state.status, 'cancelled', 'a task after a cancelled one is cancelled');
    const direct = await run<string>('runWithOptions', { command: 'echo direct', priority: 'low', metadata: { from: 'test' } });
    assert.deepEqual((await finished(h.api, direct)).metadata, { from: 'test' });
  });

  it('runAfter queues a command behind a running task', async () => {
    const first = await runCommand('sleep 0.5');
    const second = await run<string>('runAfter', first, 'echo after');
    const pending = h.api.getTask(second);
    assert.equal(pending?.state.status, 'pending');
    assert.deepEqual(pending?.state.status === 'pending' && pending.state.waitingFor, [first]);
    assert.equal((await finished(h.api, second)).state.status, 'completed');
    assert.ok(((await finished(h.api, first)).state as { endedAt: number }).endedAt <= ((h.api.getTask(second)?.state as { startedAt: number }).startedAt));
  });

  it('pipeInto feeds a finished task output to a new command', async () => {
    const source = await runCommand("printf 'a\\nb\\nc\\n'");
    await finished(h.api, source);
    const sink = await run<string>('pipeInto', source, 'wc -l');
    assert.equal(h.api.getTask(sink)?.stdinFrom, source);
    await finished(h.api, sink);
    await run('showOutput', sink);
    await waitFor(() => h.hooks.ui.channels.recordedText(sink)?.trim() === '3', 'wc -l to print 3');
  });

  it('pipeSelection feeds the editor selection to a command as stdin, kept 0600 in the task folder and removed with the task', async () => {
    const document = await vscode.workspace.openTextDocument({ content: 'pear\napple\nfig\nnot this line\n' });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 3, 0);
    h.prompts.answer('sort');
    const id = await run<string>('pipeSelection');
    assert.equal(typeof id, 'string');
    const task = h.api.getTask(id);
    assert.equal(task?.mode, 'piped');
    assert.equal(task?.metadata.input, 'editor selection');
    assert.equal((await finished(h.api, id)).state.status, 'completed');
    await run('showOutput', id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id) === 'apple\nfig\npear\n', 'the sorted selection');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // From code: the text and the command as arguments.
    const fromCode = await run<string>('pipeSelection', 'x\ny\n', 'wc -l');
    await finished(h.api, fromCode);
    await run('showOutput', fromCode);
    await waitFor(() => h.hooks.ui.channels.recordedText(fromCode)?.trim() === '2', 'wc -l of the given text');
    // The selection lives with its task (a reload cannot orphan it) and goes when the task goes.
    const stdin = path.join(path.dirname(task!.logPath), 'stdin');
    assert.equal(fs.readFileSync(stdin, 'utf8'), 'pear\napple\nfig\n');
    assert.equal(fs.statSync(stdin).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(path.join(path.dirname(path.dirname(path.dirname(task!.logPath))), 'inputs')), 'no inputs folder');
    await run('remove', id);
    await waitFor(() => !fs.existsSync(stdin), 'the selection removed with its task');
  });

  it('cancel takes an id, a tree node or a multi-selection, and says when there is nothing to cancel', async () => {
    const a = await runCommand('sleep 30');
    const b = await runCommand('sleep 30');
    const c = await runCommand('sleep 30');
    await waitFor(() => h.api.getAllTasks({ status: 'running' }).filter((t) => [a, b, c].includes(t.id)).length === 3, 'three running');
    assert.equal(await run('cancel', a), true);
    h.hooks.tree.provider.flush();
    await waitFor(() => {
      h.hooks.tree.provider.flush();
      h.hooks.tree.provider.getChildren().forEach((g) => h.hooks.tree.provider.getChildren(g));
      return h.hooks.tree.provider.findNode(b) && h.hooks.tree.provider.findNode(c);
    }, 'tree nodes');
    const nodeB = h.hooks.tree.provider.findNode(b);
    const nodeC = h.hooks.tree.provider.findNode(c);
    assert.equal(await run('cancel', nodeB, [nodeB, nodeC]), true);
    for (const id of [a, b, c]) assert.equal((await finished(h.api, id)).state.status, 'cancelled');
    assert.equal(await run('cancel', a), false);
    assert.ok(h.notifications.shown.some((n) => /already ended/.test(n.text)), JSON.stringify(h.notifications.shown.slice(-3)));
  });

  it('cancel without an argument offers running and pending tasks in a quick pick', async () => {
    const id = await runCommand('sleep 30');
    h.prompts.answer(`[${id}]`);
    assert.equal(await run('cancel'), true);
    assert.equal((await finished(h.api, id)).state.status, 'cancelled');
    const call = h.prompts.calls[h.prompts.calls.length - 1];
    assert.equal(call.title, 'Cancel Task');
    assert.ok(call.items?.every((label) => /RUNNING|PENDING/.test(label)), call.items?.join('\n'));
  });

  it('rerun queues the same command, type, priority and metadata again', async () => {
    const first = h.api.spawnTask({ command: 'exit 5', type: 'system', priority: 'urgent', metadata: { job: 'x' } });
    await finished(h.api, first);
    const again = await run<string>('rerun', first);
    assert.notEqual(again, first);
    const task = await finished(h.api, again);
    assert.equal(task.command, 'exit 5');
    assert.equal(task.type, 'system');
    assert.equal(task.priority, 'urgent');
    assert.deepEqual(task.metadata, { job: 'x' });
  });

  it('showDetails opens a read-only document with every field', async () => {
    const id = h.api.spawnTask({ command: 'echo details | cat', metadata: { owner: 'qa' }, env: { SECRET: 'hunter2' } });
    await finished(h.api, id);
    const uri = await run<vscode.Uri>('showDetails', id);
    assert.equal(uri.scheme, 'background-tasks');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
    assert.match(text, new RegExp(`# Task ${id}`));
    assert.match(text, /echo details \| cat/);
    assert.match(text, /\| Exit code \| 0 \|/);
    assert.match(text, /\| owner \| qa \|/);
    assert.match(text, /\| Environment \| SECRET \|/);
    assert.ok(!text.includes('hunter2'), 'environment values are never shown');
    assert.ok(text.includes(h.api.getTask(id)?.logPath ?? '?'));
    assert.match(text, /details/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('showStatistics opens a document of totals', async () => {
    const uri = await run<vscode.Uri>('showStatistics');
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.equal(uri.path, '/Statistics.md');
    assert.match(text, /# Background Tasks: statistics/);
    assert.match(text, new RegExp(`\\| Tasks \\| ${h.api.getStatistics().totalTasks} \\|`));
    assert.match(text, /## By status/);
    assert.match(text, /## By priority/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('showTasks filters by status and runs the chosen action on the chosen task', async () => {
    const bad = await runCommand('exit 9');
    await finished(h.api, bad);
    h.prompts.answer(['failed', `[${bad}]`], 'Show Task Details');
    assert.equal(await run('showTasks'), bad);
    const listing = h.prompts.calls.find((c) => c.kind === 'filtered');
    assert.ok(listing?.items?.length);
    assert.ok(listing.items.every((label) => label.includes('FAILED')), listing.items.join('\n'));
    const actions = h.prompts.calls[h.prompts.calls.length - 1];
    assert.ok(actions.items?.some((l) => l.includes('Rerun Task')));
    assert.ok(!actions.items?.some((l) => l.includes('Cancel Task')), 'a finished task cannot be cancelled');
    assert.equal(vscode.window.activeTextEditor?.document.uri.path, `/Task ${bad}.md`);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('openLog opens the log file; copyCommand returns the command', async () => {
    const id = await runCommand('echo into the log');
    await finished(h.api, id);
    const uri = await run<vscode.Uri>('openLog', id);
    assert.equal(uri.fsPath, h.api.getTask(id)?.logPath);
    assert.match(vscode.window.activeTextEditor?.document.getText() ?? '', /into the log/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const copied = await Promise.race([run<string>('copyCommand', id), new Promise<string>((r) => setTimeout(() => r('clipboard timed out'), 5000))]);
    assert.equal(copied, 'echo into the log');
  });

  it('remove deletes a finished task and refuses a running one', async () => {
    const done = await runCommand('true');
    await finished(h.api, done);
    await run('showOutput', done);
    assert.equal(await run('remove', done), true);
    assert.equal(h.api.getTask(done), undefined);
    assert.equal(h.hooks.ui.channels.has(done), false, 'its channel is disposed');
    const live = await runCommand('sleep 30');
    assert.equal(await run('remove', live), false);
    assert.ok(h.notifications.shown.some((n) => /only a finished task can be removed/.test(n.text)), JSON.stringify(h.notifications.shown.slice(-3)));
  });

  it('clearFinished asks first when there are many, and disposes their channels', async () => {
    const ids = await Promise.all(Array.from({ length: 22 }, (_, i) => runCommand(`echo ${i}`)));
    for (const id of ids) await finished(h.api, id);
    await run('showOutput', ids[0]);
    h.prompts.answer(false);
    assert.equal(await run('clearFinished'), 0, 'saying no clears nothing');
    assert.ok(h.api.getTask(ids[0]));
    h.prompts.answer(true);
    const cleared = await run<number>('clearFinished');
    assert.ok(cleared >= 22, `cleared ${cleared}`);
    assert.equal(h.api.getTask(ids[0]), undefined);
    assert.equal(h.hooks.ui.channels.has(ids[0]), false);
    assert.equal(await run('clearFinished'), 0);
    assert.ok(h.notifications.shown.some((n) => /no finished tasks/.test(n.text)), JSON.stringify(h.notifications.shown.slice(-3)));
  });

  it('says so when an id names no task', async () => {
    assert.equal(await run('showOutput', 'nope42'), undefined);
    assert.ok(h.notifications.shown.some((n) => /no task \[nope42\]/.test(n.text)), JSON.stringify(h.notifications.shown.slice(-3)));
  });
});
