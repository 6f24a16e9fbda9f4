// How bgt reads durations and start times (--timeout 5m, --at 18:00): every form, its edges,
// and the message a bad value gets.
import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/args';
import { parseAt, parseCount, parseDuration } from '../../src/cli/when';

function usage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof UsageError && err.command === 'run' && message.test(err.message));
}

describe('bgt: durations and start times', () => {
  it('durations: plain seconds, a unit, several units', () => {
    const cases: [string, number][] = [['90', 90], ['2.5', 2.5], ['0', 0], ['30s', 30], ['5m', 300], ['2h', 7200], ['1d', 86_400], ['1h30m', 5400], ['1m30s', 90], ['1H', 3600], [' 45s ', 45]];
    for (const [text, seconds] of cases) assert.equal(parseDuration('--timeout', text), seconds, text);
    for (const bad of ['', 'soon', '-1', '5 m', 'm5', '1.2.3', '5mm', '1e3', '∞']) {
      usage(() => parseDuration('--timeout', bad), new RegExp(`^--timeout needs a duration: seconds \\(90, 2\\.5\\).*got "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`));
    }
  });

  it('counts: whole numbers of at least 0', () => {
    assert.equal(parseCount('--retries', '3'), 3);
    assert.equal(parseCount('--retries', '0'), 0);
    for (const bad of ['1.5', '-1', 'two', '']) usage(() => parseCount('--retries', bad), /^--retries needs a whole number of at least 0/);
  });

  it('HH:MM and HH:MM:SS: today when still ahead, else tomorrow at that clock time', () => {
    const now = new Date(2026, 5, 10, 17, 30, 15).getTime();
    assert.equal(parseAt('18:00', now), new Date(2026, 5, 10, 18, 0, 0).getTime());
    assert.equal(parseAt('17:30:30', now), new Date(2026, 5, 10, 17, 30, 30).getTime());
    assert.equal(parseAt('9:05', now), new Date(2026, 5, 11, 9, 5, 0).getTime(), 'passed today: tomorrow');
    assert.equal(parseAt('17:30', now), new Date(2026, 5, 11, 17, 30, 0).getTime(), 'this very minute has begun: tomorrow');
    const lastOfMonth = new Date(2026, 5, 30, 23, 0).getTime();
    assert.equal(parseAt('06:00', lastOfMonth), new Date(2026, 6, 1, 6, 0).getTime(), 'over the end of a month');
    for (const bad of ['24:00', '12:60', '7:5', '12:00:61']) usage(() => parseAt(bad, now), /^--at (names no time of day|is not a time bgt reads); give HH:MM/);
  });

  it('a date and time: local, or with Z or an offset; a past or impossible one is an error', () => {
    const now = new Date(2026, 0, 1).getTime();
    assert.equal(parseAt('2026-12-24T09:30', now), new Date(2026, 11, 24, 9, 30).getTime());
    assert.equal(parseAt('2026-12-24 09:30:15', now), new Date(2026, 11, 24, 9, 30, 15).getTime());
    assert.equal(parseAt('2026-12-24T09:30Z', now), Date.UTC(2026, 11, 24, 9, 30));
    assert.equal(parseAt('2026-12-24T09:30+01:00', now), Date.UTC(2026, 11, 24, 8, 30));
    assert.equal(parseAt('2026-12-24T09:30-0530', now), Date.UTC(2026, 11, 24, 15, 0));
    assert.equal(parseAt('2028-02-29T00:00Z', now), Date.UTC(2028, 1, 29), 'a leap day');
    usage(() => parseAt('2027-02-29T00:00', now), /^--at names no such date and time/);
    usage(() => parseAt('2026-13-01T00:00', now), /^--at names no such date and time/);
    usage(() => parseAt('2025-12-31T23:59', now), /^--at is in the past \(/);
    usage(() => parseAt('2026-12-24', now), /^--at is not a time bgt reads/);
  });

  it('@SECONDS since the epoch, as date +%s prints', () => {
    const now = 1_700_000_000_000;
    assert.equal(parseAt('@1800000000', now), 1_800_000_000_000);
    assert.equal(parseAt('@1800000000.5', now), 1_800_000_000_500);
    usage(() => parseAt('@1600000000', now), /^--at is in the past/);
    usage(() => parseAt('1800000000', now), /^--at is not a time bgt reads; give HH:MM .*@SECONDS since the epoch/);
  });
});
