// Run Task in Background... and problem matchers in a real extension host: a tasks.json written
// into the test workspace, real tsc from this repository on a file with type errors, and the
// diagnostics VS Code itself reports for that file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GroupNode, TaskNode } from '../../src/ui/treeNodes';
import { detailsUri } from '../../src/ui/documents';
import { finished, harness, notificationsSettled, waitFor, type Harness } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`backgroundTasks.${command}`, ...args);
const BAD_TS = "export const count: number = 'three';\n\nexport function twice(n: number): number {\n  return n * undefinedName;\n}\n";

describe('workspace tasks and problem matchers', function () {
  // Real tsc: on a busy 2-core machine one run can take half a minute.
  this.timeout(300_000);
  let h: Harness;
  let ws: string;
  let badUri: vscode.Uri;
  const ours = () => vscode.languages.getDiagnostics(badUri).filter((d) => d.source === 'ts' && /is not assignable|undefinedName/.test(d.message));

  before(async () => {
    h = await harness();
    ws = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const extension = vscode.extensions.getExtension('isaac.background-tasks')!;
    const tsc = path.join(extension.extensionPath, 'node_modules', '.bin', 'tsc');
    fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    fs.mkdirSync(path.join(ws, 'src'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'src', 'bad.ts'), BAD_TS);
    badUri = vscode.Uri.file(path.join(ws, 'src', 'bad.ts'));
    const tasks = {
      // JSONC is what VS Code accepts; JSON is JSONC too.
      version: '2.0.0',
      tasks: [
        { label: 'echo-hello', type: 'shell', command: 'echo', args: ['hello ${workspaceFolderBasename}', '$GREETING'], options: { env: { GREETING: 'hi there' } } },
        { label: 'typecheck', type: 'shell', command: tsc, args: ['--noEmit', '--strict', 'src/bad.ts'], problemMatcher: '$tsc' },
        { label: 'prepare', type: 'process', command: 'sh', args: ['-c', 'echo prepared > prepared.txt'] },
        { label: 'after-prepare', type: 'shell', command: 'cat prepared.txt', dependsOn: ['prepare'] },
        { label: 'ask', type: 'shell', command: 'echo picked ${input:who}' },
        { label: 'by-command', type: 'shell', command: 'echo ${input:cmd}' },
      ],
      inputs: [
        { id: 'who', type: 'pickString', description: 'Who?', options: ['alice', 'bob'], default: 'bob' },
        { id: 'cmd', type: 'command', command: 'some.extension.command' },
      ],
    };
    fs.writeFileSync(path.join(ws, '.vscode', 'tasks.json'), `// written by the integration tests\n${JSON.stringify(tasks, null, 2)}\n`);
  });

  afterEach(async () => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    await notificationsSettled(h);
  });

  const output = (id: string) => h.hooks.ui.engine.readOutput(id)?.text ?? '';

  it('runs a tasks.json task through the command, with its variables, args and env', async () => {
    const id = await run<string>('runWorkspaceTask', 'echo-hello');
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'completed', output(id));
    assert.equal(task.metadata.workspaceTask, 'echo-hello');
    assert.equal(task.cwd, ws);
    assert.equal(output(id).trim(), `hello ${path.basename(ws)} hi there`);
  });

  it('rejects an unknown label, naming the labels it found', async () => {
    await assert.rejects(Promise.resolve(run('runWorkspaceTask', 'no-such-task')), (e: Error) => /no-such-task/.test(e.message) && /"echo-hello"/.test(e.message) && /"typecheck"/.test(e.message));
  });

  it('runs a task picked from the quick pick', async () => {
    h.prompts.answer('echo-hello');
    const id = await run<string>('runWorkspaceTask');
    assert.equal((await finished(h.api, id)).state.status, 'completed');
    assert.ok(h.prompts.calls.at(-1)?.items?.includes('typecheck'), 'the pick lists the tasks.json tasks');
  });

  it('runs dependsOn first, as a dependency of the task', async () => {
    const id = await run<string>('runWorkspaceTask', { label: 'after-prepare', type: 'shell' });
    const task = h.api.getTask(id)!;
    assert.equal(task.dependsOn.length, 1);
    assert.equal(h.api.getTask(task.dependsOn[0])?.metadata.workspaceTask, 'prepare');
    assert.equal((await finished(h.api, id)).state.status, 'completed', output(id));
    assert.equal(output(id).trim(), 'prepared');
  });

  it('asks a pickString input, and refuses a command input with a message', async () => {
    h.prompts.answer('alice');
    const id = await run<string>('runWorkspaceTask', 'ask');
    await finished(h.api, id);
    assert.equal(output(id).trim(), 'picked alice');
    await assert.rejects(Promise.resolve(run('runWorkspaceTask', 'by-command')), /some\.extension\.command.*refuses/);
  });

  it('$tsc puts the errors on the right file, line and column; the tree counts them; the failure offers Show Problems', async () => {
    const id = await run<string>('runWorkspaceTask', 'typecheck');
    assert.equal(h.api.getTask(id)?.problemMatcher, '$tsc');
    assert.equal((await finished(h.api, id)).state.status, 'failed', output(id));
    const diagnostics = await waitFor(() => (ours().length === 2 ? ours() : undefined), () => `two diagnostics on src/bad.ts (have ${JSON.stringify(vscode.languages.getDiagnostics(badUri))}; output: ${output(id)})`, 120_000);
    const first = diagnostics.find((d) => /is not assignable/.test(d.message))!;
    assert.deepEqual([first.range.start.line, first.range.start.character], [0, 13]);
    assert.equal(first.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(first.code, '2322');
    const second = diagnostics.find((d) => /undefinedName/.test(d.message))!;
    assert.deepEqual([second.range.start.line, second.range.start.character], [3, 13]);
    const provider = h.hooks.tree.provider;
    const node = () => {
      const failed = (provider.getChildren() as GroupNode[]).find((g) => g.status === 'failed');
      return failed && (provider.getChildren(failed) as TaskNode[]).find((n) => n.task?.id === id);
    };
    await waitFor(() => String(node()?.description ?? '').includes('2 problems'), () => `the tree node to show "2 problems" (it shows "${String(node()?.description)}")`);
    await waitFor(() => h.notifications.about(id).some((n) => n.buttons.includes('Show Problems')), () => `a failure notice with Show Problems (have ${JSON.stringify(h.notifications.about(id))})`);
    const details = h.hooks.ui.documents.provideTextDocumentContent(detailsUri(id));
    assert.match(details, /## Problems \(2\)/);
    assert.match(details, /bad\.ts:4:14 \| Cannot find name 'undefinedName'/);
  });

  it('publishes problems while the task still runs', async () => {
    const id = h.api.spawnTask({ command: `echo 'src/bad.ts:2:1: error: found early'; sleep 120`, cwd: ws, problemMatcher: '$gcc' });
    await waitFor(() => vscode.languages.getDiagnostics(badUri).some((d) => d.message === 'found early'), 'the problem printed before the task ends', 120_000);
    assert.equal(h.api.getTask(id)?.state.status, 'running');
    h.api.cancelTask(id);
    await finished(h.api, id);
  });

  it('runs a task of a task provider (an npm script from package.json)', async () => {
    fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ name: 'bt-test', version: '1.0.0', scripts: { hello: 'echo hello from npm' } }, null, 2));
    // The npm extension finds the script once it has seen the file; ask until it has.
    const id = await waitFor(
      () => Promise.resolve(vscode.commands.executeCommand<string>('backgroundTasks.runWorkspaceTask', { label: 'hello', type: 'npm' })).catch(() => undefined),
      'the npm script "hello" among the workspace tasks',
      120_000,
    );
    const task = await finished(h.api, id);
    assert.equal(task.state.status, 'completed', output(id));
    assert.match(output(id), /hello from npm/);
    assert.equal(task.metadata.workspaceTask, 'hello');
  });

  it('a rerun replaces the problems of the run before, and clearing removes them', async () => {
    const first = await run<string>('runWorkspaceTask', 'typecheck');
    await finished(h.api, first);
    await waitFor(() => ours().length === 2, 'the first run\'s problems', 120_000);
    fs.writeFileSync(path.join(ws, 'src', 'bad.ts'), "export const count: number = 'three';\n");
    const second = await run<string>('rerun', first);
    assert.notEqual(second, first);
    assert.equal(h.api.getTask(second)?.metadata.workspaceTask, 'typecheck');
    await finished(h.api, second);
    await waitFor(() => ours().length === 1, () => `one problem after the rerun (have ${ours().length})`, 120_000);
    assert.equal(h.hooks.problems.count(first), 2, 'the first run still knows its own problems');
    await run('clearFinished', { confirm: false });
    await waitFor(() => ours().length === 0, () => `no problems once cleared (have ${ours().length})`);
    fs.writeFileSync(path.join(ws, 'src', 'bad.ts'), BAD_TS);
  });

  it('reads problems of a command run with a matcher through the API', async () => {
    const id = h.api.spawnTask({ command: `printf '%s\\n' 'src/bad.ts:1:5: warning: from printf'`, cwd: ws, problemMatcher: '$gcc' });
    await finished(h.api, id);
    await waitFor(() => vscode.languages.getDiagnostics(badUri).some((d) => d.message === 'from printf' && d.severity === vscode.DiagnosticSeverity.Warning && d.range.start.character === 4), 'the $gcc warning');
    await run('clearFinished', { confirm: false });
    await waitFor(() => !vscode.languages.getDiagnostics(badUri).some((d) => d.message === 'from printf'), 'the warning to go with its task');
  });
});
