import * as assert from 'node:assert/strict';
import {
  durationOf,
  effectiveNotificationPriority,
  formatCompletionMessage,
  formatDuration,
  formatListingDetails,
  formatListingLine,
  markOf,
  priorityLabel,
  resultOf,
  STATUS_MARKS,
  TYPE_MARKS,
} from '../../src/core/format';
import type { TaskSnapshot, TaskState } from '../../src/core/types';

function task(state: TaskState, extra: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    id: 'abc123',
    command: 'pytest tests/unit',
    type: 'code',
    priority: 'normal',
    mode: 'background',
    metadata: {},
    cwd: '/w',
    envKeys: [],
    dependsOn: [],
    createdAt: 0,
    state,
    logPath: '/w/output.log',
    attempt: 1,
    attempts: 1,
    ...extra,
  };
}

describe('format', () => {
  it('has the seed marks for statuses and types', () => {
    assert.deepEqual(STATUS_MARKS, { completed: '✓', failed: '✗', running: '⟳', cancelled: '⊘', pending: '○' });
    assert.deepEqual(TYPE_MARKS, { code: '¢', system: '!' });
  });

  it('formats durations as 2.3s, 5m 02s and 1h 03m', () => {
    assert.equal(formatDuration(2300), '2.3s');
    assert.equal(formatDuration(500), '0.5s');
    assert.equal(formatDuration(0), '0.0s');
    assert.equal(formatDuration(59_960), '59.9s');
    assert.equal(formatDuration(5 * 60_000 + 2_000), '5m 02s');
    assert.equal(formatDuration(3600_000 + 3 * 60_000 + 59_000), '1h 03m');
    assert.equal(formatDuration(-5), '0.0s');
    assert.equal(formatDuration(Number.NaN), '0.0s');
  });

  it('gives priority letters', () => {
    assert.deepEqual(
      (['urgent', 'high', 'normal', 'low'] as const).map(priorityLabel),
      ['[U]', '[H]', '[N]', '[L]'],
    );
  });

  it('formats listing lines in the seed shape', () => {
    const done = task({ status: 'completed', startedAt: 1000, endedAt: 3300, exitCode: 0 });
    assert.equal(formatListingLine(done, 9999), '✓ ¢ [abc123] COMPLETED  2.3s            pytest tests/unit');
    const running = task({ status: 'running', startedAt: 1000, pid: 1 }, { id: 'def456', type: 'system', command: 'system update check' });
    assert.equal(formatListingLine(running, 6100), '⟳ ! [def456] RUNNING    5.1s (running)  system update check');
    const failed = task({ status: 'failed', startedAt: 0, endedAt: 500, exitCode: 1 }, { id: 'ghi789', command: 'npm run build' });
    assert.equal(formatListingLine(failed, 0), '✗ ¢ [ghi789] FAILED     0.5s            npm run build');
    assert.deepEqual(formatListingDetails(failed), ['    Exit code: 1']);
    const pending = task({ status: 'pending', enqueuedAt: 0, waitingFor: ['aaa111'] });
    assert.match(formatListingLine(pending, 0), /^○ ¢ \[abc123\] PENDING {4}\(after aaa111\) +pytest tests\/unit$/);
    const cancelled = task({ status: 'cancelled', reason: 'cancelled by the user', endedAt: 5 });
    assert.match(formatListingLine(cancelled, 0), /^⊘ ¢ \[abc123\] CANCELLED {2}- +pytest/);
  });

  it('measures durations of running, ended and never-started tasks', () => {
    assert.equal(durationOf(task({ status: 'running', startedAt: 100, pid: 1 }), 400), 300);
    assert.equal(durationOf(task({ status: 'completed', startedAt: 100, endedAt: 250, exitCode: 0 })), 150);
    assert.equal(durationOf(task({ status: 'pending', enqueuedAt: 0 })), undefined);
    assert.equal(durationOf(task({ status: 'cancelled', reason: 'x', endedAt: 5 })), undefined);
  });

  it('raises a failure to at least high priority', () => {
    const failed = (priority: TaskSnapshot['priority']) => task({ status: 'failed', endedAt: 1, error: 'lost' }, { priority });
    assert.equal(effectiveNotificationPriority(failed('low')), 'high');
    assert.equal(effectiveNotificationPriority(failed('normal')), 'high');
    assert.equal(effectiveNotificationPriority(failed('urgent')), 'urgent');
    assert.equal(effectiveNotificationPriority(task({ status: 'completed', startedAt: 0, endedAt: 1, exitCode: 0 }, { priority: 'low' })), 'low');
  });

  it('writes a completion message with mark, id, command, duration, exit code and metadata', () => {
    const done = task({ status: 'completed', startedAt: 0, endedAt: 2150, exitCode: 0 }, { metadata: { project: 'isaac', n: 3 } });
    const text = formatCompletionMessage(done, ['not shown for success']);
    assert.equal(
      text,
      ['[N] ¢ [abc123] ✓ Task completed: pytest tests/unit', '    Exit code: 0', '    Duration: 2.1s', '    project: isaac', '    n: 3'].join('\n'),
    );
  });

  it('adds the last lines of output to a failure message', () => {
    const failed = task({ status: 'failed', startedAt: 0, endedAt: 500, exitCode: 1 }, { command: 'npm run build', priority: 'low' });
    const text = formatCompletionMessage(failed, ["Error: Module not found: 'react'"]);
    assert.match(text, /^\[H\] ¢ \[abc123\] ✗ Task failed: npm run build\n/);
    assert.match(text, /Exit code: 1/);
    assert.match(text, /Output \(last lines\):\n {6}Error: Module not found: 'react'$/);
  });

  it('marks a paused task ⏸, says "paused", and leaves paused time out of its duration', () => {
    const paused = task({ status: 'running', startedAt: 1000, pid: 1, pausedAt: 4000, pausedMs: 500 });
    assert.equal(markOf(paused), '⏸');
    assert.equal(markOf(task({ status: 'running', startedAt: 1000, pid: 1 })), '⟳');
    assert.equal(durationOf(paused, 9000), 2500);
    assert.match(formatListingLine(paused, 9000), /^⏸ ¢ \[abc123\] RUNNING {4}2\.5s \(paused\) +pytest/);
    assert.equal(durationOf(task({ status: 'completed', startedAt: 0, endedAt: 3000, exitCode: 0, pausedMs: 1000 })), 2000);
  });

  it('shows "attempt 2/3" for a task with retries, and "timed out after 30s" as the result of a timeout', () => {
    const retrying = task({ status: 'running', startedAt: 1000, pid: 1 }, { attempt: 2, attempts: 3 });
    assert.match(formatListingLine(retrying, 2000), /1\.0s \(running\) attempt 2\/3 pytest/);
    const timedOut = task({ status: 'failed', startedAt: 0, endedAt: 30_100, signal: 'SIGTERM', error: 'timed out after 30s', timedOut: true }, { attempt: 3, attempts: 3 });
    assert.equal(resultOf(timedOut), 'timed out after 30s');
    const text = formatCompletionMessage(timedOut);
    assert.match(text, /Error: timed out after 30s/);
    assert.match(text, /Attempts: 3 of 3/);
  });
});
