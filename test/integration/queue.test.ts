// Queue control through its commands in the real host: pause and resume the queue and single
// tasks (real processes, their stopped state read from /proc), Run Next, drag and drop through
// the tree's controller, Export History, and what the tree, status bar and documents say.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskSnapshot } from '../../src/api';
import { detailsUri, statisticsUri } from '../../src/ui/documents';
import type { GroupNode, TaskNode, TreeNode } from '../../src/ui/treeNodes';
import { noticeFor } from '../../src/ui/notifications';
import { finished, harness, waitFor, type Harness } from './helpers';

const run = <T>(command: string, ...args: unknown[]) => vscode.commands.executeCommand<T>(`backgroundTasks.${command}`, ...args);

/** The scheduler state of a process (`T`: stopped by a signal), from /proc. */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

function pidOf(task: TaskSnapshot | undefined): number {
  assert.ok(task && task.state.status === 'running', `not running: ${JSON.stringify(task?.state)}`);
  return task.state.pid;
}

describe('queue control', () => {
  let h: Harness;
  const provider = () => h.hooks.tree.provider;
  const roots = (): TreeNode[] => {
    provider().flush();
    return provider().getChildren();
  };
  const pendingGroup = (): GroupNode | undefined => roots().find((g): g is GroupNode => g.kind === 'group' && g.status === 'pending');
  const pendingIds = (): string[] => {
    const group = pendingGroup();
    return group ? (provider().getChildren(group) as TaskNode[]).map((n) => n.task.id) : [];
  };
  const nodeOf = (id: string): TaskNode | undefined =>
    roots()
      .flatMap((g) => provider().getChildren(g))
      .find((n): n is TaskNode => n.kind === 'task' && n.task.id === id);
  const queueIds = () => h.api.getQueue().map((t) => t.id);

  before(async () => {
    h = await harness();
  });
  afterEach(async () => {
    h.api.resumeQueue();
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    await waitFor(() => h.api.getAllTasks({ status: ['running', 'pending'] }).length === 0, 'nothing active');
  });

  it('Pause Queue keeps new tasks pending (the status bar says so) until Resume Queue', async () => {
    assert.equal(await run('pauseQueue'), true);
    assert.equal(h.api.isQueuePaused(), true);
    const id = h.api.spawnTask({ command: 'echo after the pause' });
    await waitFor(() => h.hooks.statusBar.shownText?.includes('1 queued') && h.hooks.statusBar.shownText, 'the status bar to count it');
    assert.match(h.hooks.statusBar.shownText ?? '', /^\$\(debug-pause\) Queue paused · 1 queued$/);
    assert.equal(h.api.getTask(id)?.state.status, 'pending', 'it waits');
    assert.equal(h.api.getStatistics().queuePaused, true);
    assert.equal(await run('resumeQueue'), false);
    assert.equal((await finished(h.api, id)).state.status, 'completed');
    await waitFor(() => !h.hooks.statusBar.shownText?.includes('paused'), 'the status bar to drop "paused"');
  });

  it('Pause Task stops all of a running task\'s processes (SIGSTOP) and Resume Task continues them', async () => {
    const id = h.api.spawnTask({ command: 'echo command-started; sleep 300' });
    const pid = pidOf(await waitFor(() => h.api.getTask(id)?.state.status === 'running' && h.api.getTask(id), 'the start'));
    // Paused only once its command runs: a wrapper stopped in the middle of its fork shows as D, not T.
    const logPath = h.api.getTask(id)?.logPath ?? '';
    await waitFor(() => fs.existsSync(logPath) && fs.readFileSync(logPath, 'utf8').includes('command-started'), 'the command to run');
    await waitFor(() => nodeOf(id)?.task.state.status === 'running', 'the running node');
    assert.match(nodeOf(id)?.contextValue ?? '', /canPause=true,paused=false/);

    assert.equal(await run('pauseTask', id), true);
    const paused = h.api.getTask(id);
    assert.ok(paused?.state.status === 'running' && paused.state.pausedAt !== undefined, JSON.stringify(paused?.state));
    await waitFor(() => processState(pid) === 'T', () => `the process to be stopped (state ${processState(pid)})`);
    const node = await waitFor(() => {
      const n = nodeOf(id);
      return n?.task.state.status === 'running' && n.task.state.pausedAt !== undefined ? n : undefined;
    }, 'the paused node');
    assert.equal((node.iconPath as vscode.ThemeIcon).id, 'debug-pause');
    assert.match(String(node.description), / · paused/);
    assert.match(node.contextValue ?? '', /canPause=false,paused=true/);
    assert.equal(await run('pauseTask', id), false, 'nothing more to pause');
    assert.ok(h.notifications.shown.some((n) => n.text.includes(`could not pause task [${id}]`)), JSON.stringify(h.notifications.shown.slice(-2)));

    // From the tree: the node is the argument.
    assert.equal(await run('resumeTask', node), true);
    await waitFor(() => processState(pid) !== 'T', 'the process to run again');
    const resumed = h.api.getTask(id);
    assert.ok(resumed?.state.status === 'running' && resumed.state.pausedAt === undefined);
    assert.equal(await run('resumeTask', id), false, 'nothing to resume');
  });

  it('Pause Task with no argument asks which running task; Resume Task offers only paused ones', async () => {
    const a = h.api.spawnTask({ command: 'sleep 300' });
    const b = h.api.spawnTask({ command: 'sleep 301' });
    await waitFor(() => h.api.getTask(a)?.state.status === 'running' && h.api.getTask(b)?.state.status === 'running', 'both to start');
    h.prompts.answer(`[${b}]`);
    assert.equal(await run('pauseTask'), true);
    assert.ok((h.api.getTask(b)?.state as { pausedAt?: number }).pausedAt);
    h.prompts.answer(() => true);
    assert.equal(await run('resumeTask'), true);
    const offered = h.prompts.calls.at(-1)?.items ?? [];
    assert.equal(offered.length, 1, `only the paused task is offered: ${offered.join(' | ')}`);
    assert.ok(offered[0].includes(`[${b}]`));
  });

  it('Run Next moves a pending task to the front; the Pending group shows the queue order', async () => {
    h.api.pauseQueue();
    const [a, b, c] = ['echo a', 'echo b', 'echo c'].map((command) => h.api.spawnTask({ command }));
    await waitFor(() => pendingIds().length === 3, 'three pending nodes');
    assert.deepEqual(pendingIds(), queueIds(), 'the tree shows the queue order');
    assert.deepEqual(queueIds(), [a, b, c]);
    assert.match(nodeOf(c)?.contextValue ?? '', /canRunNext=true/);
    assert.equal(await run('runNext', c), true);
    assert.deepEqual(queueIds(), [c, a, b]);
    await waitFor(() => pendingIds()[0] === c && pendingIds(), 'the tree to follow');
    assert.deepEqual(pendingIds(), [c, a, b]);
    // Higher priority first: an urgent task is ahead until Run Next puts another before it.
    const u = h.api.spawnTask({ command: 'echo urgent', priority: 'urgent' });
    assert.equal(queueIds()[0], u);
    assert.equal(await run('runNext', b), true);
    assert.deepEqual(queueIds(), [b, u, c, a]);
    assert.equal(h.api.getTask(b)?.priority, 'urgent', 'it takes the highest priority present');
    h.api.cancelTask(a);
    assert.equal(await run('runNext', a), false, 'a cancelled task has no place in the queue');
  });

  it('drag and drop: a pending task dropped onto another goes before it, onto the Pending group last; anything else is ignored', async () => {
    h.api.pauseQueue();
    const [a, b, c, d] = ['echo a', 'echo b', 'echo c', 'echo d'].map((command) => h.api.spawnTask({ command }));
    const low = h.api.spawnTask({ command: 'echo low', priority: 'low' });
    await waitFor(() => pendingIds().length === 5, 'five pending nodes');
    const dnd = h.hooks.tree.dragAndDrop;
    const drop = async (sourceId: string, target: TreeNode | undefined): Promise<void> => {
      const transfer = new vscode.DataTransfer();
      const source = nodeOf(sourceId);
      assert.ok(source);
      dnd.handleDrag([source], transfer);
      await dnd.handleDrop(target, transfer);
    };
    await drop(d, nodeOf(b));
    assert.deepEqual(queueIds(), [a, d, b, c, low]);
    // Onto a low-priority task: it takes that priority and that place.
    await drop(a, nodeOf(low));
    assert.deepEqual(queueIds(), [d, b, c, a, low]);
    assert.equal(h.api.getTask(a)?.priority, 'low');
    await drop(d, pendingGroup());
    assert.deepEqual(queueIds(), [b, c, a, low, d]);
    await waitFor(() => pendingIds().join() === queueIds().join(), 'the tree to show the new order');

    // A finished task neither drags nor takes a drop.
    h.api.resumeQueue();
    const done = await finished(h.api, h.api.spawnTask({ command: 'true' }));
    h.api.pauseQueue();
    const e = h.api.spawnTask({ command: 'echo e' });
    const before = queueIds();
    const doneNode = await waitFor(() => nodeOf(done.id), 'the finished node');
    const transfer = new vscode.DataTransfer();
    dnd.handleDrag([doneNode], transfer);
    assert.equal(transfer.get('application/vnd.backgroundtasks.task-ids'), undefined, 'nothing to carry');
    await waitFor(() => nodeOf(e), 'the new pending node');
    await drop(e, doneNode);
    assert.deepEqual(queueIds(), before, 'a drop onto a finished task changes nothing');
  });

  it('Export History writes JSON or CSV to the file given, or asks for both', async () => {
    const ok = h.api.spawnTask({ command: 'echo exported', metadata: { ticket: 'BT-11' }, env: { SECRET_TOKEN: 'hunter2' } });
    await finished(h.api, ok);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-export-'));
    try {
      const jsonFile = path.join(dir, 'history.json');
      const written = await run<vscode.Uri>('exportHistory', 'json', vscode.Uri.file(jsonFile));
      assert.equal(written?.fsPath, jsonFile);
      const text = fs.readFileSync(jsonFile, 'utf8');
      const rows = JSON.parse(text) as { id: string; command: string; metadata: unknown }[];
      const row = rows.find((r) => r.id === ok);
      assert.ok(row, `the task is in the export: ${text.slice(0, 300)}`);
      assert.equal(row.command, 'echo exported');
      assert.ok(!text.includes('hunter2'), 'never env values');

      // A path works as well as a URI.
      const csvFile = path.join(dir, 'history.csv');
      await run('exportHistory', 'csv', csvFile);
      const csv = fs.readFileSync(csvFile, 'utf8');
      assert.match(csv.split(/\r?\n/)[0], /^id,command,status,exitCode,type,priority,lane,createdAt,startedAt,endedAt,durationMs,attempts,metadata$/);
      assert.ok(csv.includes(ok) && csv.includes('BT-11'));

      // The person's way: a pick for the format, then the save dialog.
      const asked = path.join(dir, 'asked.csv');
      h.prompts.answer('CSV', vscode.Uri.file(asked));
      assert.equal((await run<vscode.Uri>('exportHistory'))?.fsPath, asked);
      assert.deepEqual(h.prompts.calls.slice(-2).map((c) => c.kind), ['pick', 'save']);
      assert.match(h.prompts.calls.at(-1)?.items?.[0] ?? '', /background-tasks-history\.csv$/);
      assert.match(fs.readFileSync(asked, 'utf8'), /^id,command,/);
      // Dismissing the dialog writes nothing.
      h.prompts.answer('JSON', undefined);
      assert.equal(await run('exportHistory'), undefined);
      // A bad format says what it takes.
      assert.equal(await run('exportHistory', 'xml', csvFile), undefined);
      assert.ok(h.notifications.shown.some((n) => n.text.includes('"json" or "csv"')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a delayed start as "starts at HH:MM", attempts as "attempt 2/2", and both in the details', async () => {
    const later = h.api.spawnTask({ command: 'echo later', delaySeconds: 3600 });
    const node = await waitFor(() => nodeOf(later), 'the delayed node');
    // An hour from now may be tomorrow: then the date comes first.
    assert.match(String(node.description), /starts at (?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}/);
    const finishes: string[] = [];
    const subscription = h.api.onDidFinishTask((t) => finishes.push(t.id));
    const flaky = h.api.spawnTask({ command: 'exit 3', retries: 1, lane: 'unit-lane' });
    const ended = await finished(h.api, flaky);
    assert.equal(ended.attempt, 2);
    assert.equal(ended.attempts, 2);
    subscription.dispose();
    const flakyNode = await waitFor(() => nodeOf(flaky)?.task.state.status === 'failed' && nodeOf(flaky), 'the failed node');
    assert.match(String(flakyNode.description), /lane unit-lane · .* · exit code 3 · attempt 2\/2/);
    // One finish event for the last attempt; its notice names the lane and the attempts. (The recorder
    // may show it inside a grouped notice when other tasks end at the same moment, so the notice's
    // text is checked from the real noticeFor().)
    assert.deepEqual(finishes.filter((id) => id === flaky), [flaky], 'exactly one finish event');
    const notice = noticeFor(ended, 'all');
    assert.ok(notice && notice !== 'quiet');
    assert.match(notice.text, /Lane: unit-lane/);
    assert.match(notice.text, /Attempts: 2 of 2/);
    assert.ok(h.notifications.about(flaky).length <= 1, 'never a notice per attempt');
    const uri = await run<vscode.Uri>('showDetails', flaky);
    assert.equal(uri?.toString(), detailsUri(flaky).toString());
    const text = (await vscode.workspace.openTextDocument(detailsUri(flaky))).getText();
    assert.match(text, /\| Attempt \| 2 of 2 \|/);
    assert.match(text, /\| Lane \| unit-lane \|/);
    const laterText = (await vscode.workspace.openTextDocument(detailsUri(later))).getText();
    assert.match(laterText, /\| Starts at \| /);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Statistics counts timed out and retried tasks, tasks by lane, and whether the queue is paused', async () => {
    h.api.pauseQueue();
    h.api.spawnTask({ command: 'echo in a lane', lane: 'stats-lane' });
    await run('showStatistics');
    const text = await waitFor(async () => {
      const t = (await vscode.workspace.openTextDocument(statisticsUri())).getText();
      return t.includes('stats-lane') && t;
    }, 'the lane in the statistics');
    assert.match(text, /\| Queue \| paused/);
    assert.match(text, /\| Timed out \| \d+ \|/);
    assert.match(text, /\| Retried \(more than one attempt\) \| \d+ \|/);
    assert.match(text, /## By lane/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
