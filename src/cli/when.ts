// How bgt reads durations (--timeout 90, --timeout 5m, --retry-delay 1h30m) and times of day
// (--at 18:00, --at 2026-12-24T09:30, --at @1767225600). Errors say what was wrong and which
// forms there are; each is a UsageError, so bgt exits 64.
import { UsageError } from './args';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

export const DURATION_FORMS = 'seconds (90, 2.5) or a number with s, m, h or d (30s, 5m, 2h, 1h30m)';
export const TIME_FORMS = 'HH:MM or HH:MM:SS (today, or tomorrow once that time has passed), a date and time (2026-12-24T09:30 or "2026-12-24 09:30", local unless it ends in Z or +01:00), or @SECONDS since the epoch (as date +%s prints)';

/** Seconds in `text`: a plain number, or parts like `1h30m`, `5m`, `30s`, `2d`. */
export function parseDuration(option: string, text: string, command = 'run'): number {
  const trimmed = text.trim();
  let seconds: number | undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    seconds = Number(trimmed);
  } else if (/^(\d+(\.\d+)?[smhd])+$/i.test(trimmed)) {
    seconds = 0;
    for (const [, n, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/gi)) seconds += Number(n) * UNIT_SECONDS[unit.toLowerCase()];
  }
  if (seconds === undefined || !Number.isFinite(seconds)) throw new UsageError(`${option} needs a duration: ${DURATION_FORMS}; got "${text}"`, command);
  return seconds;
}

/** A whole number of at least 0 (--retries 3). */
export function parseCount(option: string, text: string, command = 'run'): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${option} needs a whole number of at least 0 (e.g. 3); got "${text}"`, command);
  return Number(text.trim());
}

/** The epoch milliseconds `text` names; a time of day that has passed today means tomorrow. */
export function parseAt(text: string, now = Date.now(), command = 'run'): number {
  const trimmed = text.trim();
  const bad = (why: string): UsageError => new UsageError(`--at ${why}; give ${TIME_FORMS}; got "${text}"`, command);
  const epoch = /^@(\d+(\.\d+)?)$/.exec(trimmed);
  if (epoch) return future(Math.round(Number(epoch[1]) * 1000));
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(trimmed);
  if (clock) {
    const [h, m, s] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (h > 23 || m > 59 || s > 59) throw bad('names no time of day');
    const at = new Date(now);
    at.setHours(h, m, s, 0);
    // setDate rather than adding 24 h keeps the clock time across a daylight saving change.
    if (at.getTime() <= now) at.setDate(at.getDate() + 1);
    return at.getTime();
  }
  const dated = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(trimmed);
  if (!dated) throw bad('is not a time bgt reads');
  const [y, mo, d, h, mi, s] = dated.slice(1, 7).map((part) => Number(part ?? 0));
  const zone = dated[7];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) throw bad('names no such date and time');
  if (!zone) return future(new Date(y, mo - 1, d, h, mi, s).getTime());
  const offset = zone.toUpperCase() === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return future(Date.UTC(y, mo - 1, d, h, mi, s) - offset * 60_000);

  function future(ms: number): number {
    if (ms <= now) throw bad(`is in the past (${new Date(ms).toLocaleString()})`);
    return ms;
  }
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
