// Output channels: one per task, fed live, ANSI stripped, huge logs shown by their end,
// a bounded number open.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { finished, harness, waitFor, type Harness } from './helpers';

const showOutput = (id: string) => vscode.commands.executeCommand('backgroundTasks.showOutput', id);

describe('output channels', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });

  it('is created on first show, strips ANSI escapes, and follows a running task live', async () => {
    const id = h.api.spawnTask({ command: "printf '\\033[31mred\\033[0m plain\\n'; sleep 1; echo later" });
    assert.equal(h.hooks.ui.channels.has(id), false, 'not before it is shown');
    await waitFor(() => h.api.getTask(id)?.state.status === 'running', 'the start');
    await showOutput(id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id)?.includes('red plain'), 'the first line');
    assert.ok(!h.hooks.ui.channels.recordedText(id)?.includes('\x1b'), 'no escape sequences');
    assert.ok(!h.hooks.ui.channels.recordedText(id)?.includes('later'), 'the second line is not there yet');
    await finished(h.api, id);
    await waitFor(() => h.hooks.ui.channels.recordedText(id) === 'red plain\nlater\n', 'the rest, exactly once');
    await showOutput(id);
    assert.equal(h.hooks.ui.channels.recordedText(id), 'red plain\nlater\n', 'showing again does not repeat the text');
  });

  it('shows only the end of a huge log, saying so first', async () => {
    const id = h.api.spawnTask({ command: "head -c 3000000 /dev/zero | tr '\\0' x | fold -w 99; echo THE END" });
    await finished(h.api, id);
    await showOutput(id);
    const text = await waitFor(() => {
      const t = h.hooks.ui.channels.recordedText(id);
      return t?.includes('THE END') ? t : undefined;
    }, 'the end of the log');
    assert.match(text.split('\n')[0], /^\[Showing the last [\d.]+ [KM]B of a 2\.9 MB log\. .*Open Full Log/);
    assert.ok(text.length < 1.1 * (1 << 20), `${text.length} characters in the channel`);
    assert.match(text.split('\n')[1], /^x{99}$/, 'it starts at a whole line');
  });

  it('keeps at most 20 channels open, closing the least recently shown', async () => {
    const ids = Array.from({ length: 21 }, (_, i) => h.api.spawnTask({ command: `echo channel ${i}` }));
    for (const id of ids) await finished(h.api, id);
    for (const id of ids) await showOutput(id);
    assert.ok(h.hooks.ui.channels.ids().length <= 20);
    assert.equal(h.hooks.ui.channels.has(ids[0]), false);
    assert.equal(h.hooks.ui.channels.has(ids[20]), true);
    await showOutput(ids[1]);
    await showOutput(ids[0]);
    assert.equal(h.hooks.ui.channels.has(ids[1]), true, 'showing again makes it recent');
  });

  it('disposes the channels of cleared tasks', async () => {
    const id = h.api.spawnTask({ command: 'echo soon gone' });
    await finished(h.api, id);
    await showOutput(id);
    assert.equal(h.hooks.ui.channels.has(id), true);
    h.api.clearFinished();
    await waitFor(() => !h.hooks.ui.channels.has(id), 'the channel to go');
  });
});
