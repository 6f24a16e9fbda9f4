// The task tree through the real provider: groups, counts, icons, descriptions, tooltips,
// context flags, batching of refreshes, the badge, and the status bar item.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { GROUP_NODE_LIMIT } from '../../src/ui/tree';
import type { GroupNode, MoreNode, TaskNode } from '../../src/ui/treeNodes';
import { finished, harness, waitFor, type Harness } from './helpers';

describe('task tree', () => {
  let h: Harness;
  const groups = (): GroupNode[] => {
    h.hooks.tree.provider.flush();
    return h.hooks.tree.provider.getChildren() as GroupNode[];
  };
  const nodeOf = (id: string): TaskNode | undefined =>
    groups()
      .flatMap((g) => h.hooks.tree.provider.getChildren(g) as TaskNode[])
      .find((n) => n.task.id === id);

  before(async () => {
    h = await harness();
    h.api.clearFinished();
  });
  // A cancelled running task ends a moment later: the next test starts once it has, so its end
  // (a change of group, a whole-tree refresh) does not land in the middle of that test.
  afterEach(async () => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    await waitFor(() => h.api.getAllTasks({ status: ['running', 'pending'] }).length === 0, 'nothing active');
  });

  it('groups tasks by status in a fixed order with counts, hiding empty groups', async () => {
    const ok = h.api.spawnTask({ command: 'true' });
    const bad = h.api.spawnTask({ command: 'false' });
    await finished(h.api, ok);
    await finished(h.api, bad);
    const running = h.api.spawnTask({ command: 'sleep 30' });
    const waiting = h.api.spawnTask({ command: 'echo later', dependsOn: [running] });
    await waitFor(() => h.api.getTask(running)?.state.status === 'running', 'the start');
    const shown = await waitFor(() => {
      const g = groups();
      return g.some((x) => x.status === 'running') && g.some((x) => x.status === 'pending') ? g : undefined;
    }, 'running and pending groups');
    assert.deepEqual(
      shown.map((g) => g.status),
      ['running', 'pending', 'failed', 'completed'],
      'no Cancelled group while nothing is cancelled',
    );
    for (const g of shown) {
      assert.equal(g.description, String(h.api.getAllTasks({ status: g.status }).length));
      assert.equal(h.hooks.tree.provider.getChildren(g).length, Number(g.description));
    }
    assert.equal(shown[0].label, 'Running');

    const runningNode = nodeOf(running);
    assert.ok(runningNode);
    assert.equal((runningNode.iconPath as vscode.ThemeIcon).id, 'loading~spin');
    assert.match(runningNode.contextValue ?? '', /^task,status=running,canCancel=true,canRerun=false/);
    assert.deepEqual(runningNode.command?.arguments, [running]);
    assert.equal(runningNode.command?.command, 'backgroundTasks.showOutput');
    assert.equal(h.hooks.tree.provider.getParent(runningNode), shown[0]);

    const waitingNode = nodeOf(waiting);
    assert.match(String(waitingNode?.description), new RegExp(`waiting for \\[${running}\\]`));
    assert.equal((waitingNode?.iconPath as vscode.ThemeIcon).id, 'clock');

    const badNode = nodeOf(bad);
    assert.match(String(badNode?.description), /¢ \[\w+\] · [\d.]+s · exit code 1/);
    assert.equal((badNode?.iconPath as vscode.ThemeIcon).id, 'error');
    assert.match(badNode?.contextValue ?? '', /canRerun=true/);
    assert.match(badNode?.contextValue ?? '', /canPipe=true/);

    h.api.cancelTask(running);
    await finished(h.api, waiting);
    await waitFor(() => groups().some((g) => g.status === 'cancelled'), 'a Cancelled group');
  });

  it('tooltips are untrusted Markdown with the task text escaped', async () => {
    const id = h.api.spawnTask({ command: 'echo "**bold** [x](command:workbench.action.quit)"', metadata: { 'note<b>': '_hi_' } });
    await finished(h.api, id);
    const node = await waitFor(() => nodeOf(id), 'the node');
    assert.equal(node.tooltip, undefined, 'built only when VS Code asks for it');
    const resolved = await h.hooks.tree.provider.resolveTreeItem(node, node);
    const tooltip = resolved.tooltip as vscode.MarkdownString;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.ok(!tooltip.isTrusted, 'not trusted');
    assert.ok(!tooltip.supportHtml, 'no HTML');
    assert.match(tooltip.value, /```sh\necho "\*\*bold\*\* \[x\]\(command:workbench.action.quit\)"\n```/, 'the command sits in a code block');
    assert.match(tooltip.value, /note\\<b\\>: \\_hi\\_/, 'metadata is escaped');
  });

  it('batches refreshes: a burst of new tasks reaches the view in one refresh, not one per event', async () => {
    const blocker = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(blocker)?.state.status === 'running', 'the blocker to start');
    const pendingShown = (): number => {
      const pending = (h.hooks.tree.provider.getChildren() as GroupNode[]).find((g) => g.status === 'pending');
      return pending ? h.hooks.tree.provider.getChildren(pending).length : 0;
    };
    // Whole-tree refreshes only (the running blocker also gets targeted ones, once a second).
    const whole: number[] = [];
    const sub = h.hooks.tree.provider.onDidChangeTreeData((e) => {
      if (e === undefined) whole.push(pendingShown());
    });
    // 40 tasks added in one turn: 40 change events, and they wait on the blocker, so none moves on.
    const ids = Array.from({ length: 40 }, (_, i) => h.api.spawnTask({ command: `echo ${i}`, dependsOn: [blocker] }));
    await waitFor(() => whole.length > 0, 'a refresh after the burst');
    sub.dispose();
    // Unbatched, the first refresh would fire inside the loop, with one task shown.
    assert.equal(whole[0], ids.length, `the first refresh after the burst shows all of it: ${JSON.stringify(whole)}`);
  });

  it('refreshes only the changed node when a task stays in its group', async () => {
    const id = h.api.spawnTask({ command: 'sleep 30' });
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the start');
    await waitFor(() => nodeOf(id)?.task.state.status === 'running', 'the running node');
    const fired: unknown[] = [];
    const sub = h.hooks.tree.provider.onDidChangeTreeData((e) => fired.push(e));
    h.api.reportProgress(id, 10);
    await waitFor(() => fired.length > 0, 'a refresh');
    sub.dispose();
    const event = fired.find((e) => Array.isArray(e));
    assert.ok(Array.isArray(event), 'a targeted refresh (an array of nodes), not the whole tree');
    assert.ok((event as TaskNode[]).some((n) => n.task.id === id));
  });

  it('shows the welcome view (no children) when there are no tasks, and counts unseen finishes in a badge', async () => {
    for (const t of h.api.getAllTasks({ status: ['running', 'pending'] })) h.api.cancelTask(t.id);
    await waitFor(() => h.api.getAllTasks({ status: ['running', 'pending'] }).length === 0, 'nothing active');
    h.api.clearFinished();
    assert.deepEqual(groups(), []);
    const view = h.hooks.tree.view;
    if (view.visible) await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor(() => !view.visible, 'the view to be hidden');
    view.badge = undefined;
    const id = h.api.spawnTask({ command: 'true' });
    await finished(h.api, id);
    const badge = await waitFor(() => view.badge, 'a badge');
    assert.ok(badge.value >= 1);
    assert.match(badge.tooltip, /finished since you last looked/);
    await vscode.commands.executeCommand('backgroundTasks.tasks.focus');
    await waitFor(() => view.visible && view.badge === undefined, 'the badge to clear when the view shows');
  });

  it('a status bar item counts running and queued tasks and hides when idle', async () => {
    const id = h.api.spawnTask({ command: 'sleep 30' });
    const text = await waitFor(() => h.hooks.statusBar.shownText?.includes('running') && h.hooks.statusBar.shownText, 'the status bar item');
    assert.match(text, /\$\(loading~spin\) \d+ running/);
    h.api.cancelTask(id);
    await finished(h.api, id);
    await waitFor(() => h.hooks.statusBar.shownText === undefined, 'the item to hide');
  });

  it('shows the newest tasks of a long group and one "… N more" node that opens Show Tasks for that status', async () => {
    h.api.clearFinished();
    const ids = Array.from({ length: GROUP_NODE_LIMIT + 5 }, () => h.api.spawnTask({ command: 'true' }));
    for (const id of ids) await finished(h.api, id);
    const completed = groups().find((g) => g.status === 'completed')!;
    assert.equal(completed.description, String(GROUP_NODE_LIMIT + 5), 'the count is of every task');
    const children = h.hooks.tree.provider.getChildren(completed);
    assert.equal(children.length, GROUP_NODE_LIMIT + 1);
    const tasks = children.slice(0, GROUP_NODE_LIMIT) as TaskNode[];
    assert.deepEqual(tasks.map((n) => n.task.id), ids.slice(5).reverse(), 'the newest first');
    const more = children[GROUP_NODE_LIMIT] as MoreNode;
    assert.equal(more.kind, 'more');
    assert.equal(more.label, '… 5 more');
    assert.equal(h.hooks.tree.provider.getParent(more), completed);
    assert.deepEqual([more.command?.command, more.command?.arguments], ['backgroundTasks.showTasks', [{ status: 'completed' }]]);
    assert.equal(h.api.clearFinished(), GROUP_NODE_LIMIT + 5);
  });
});
