// Named matchers and patterns, and turning what a task names ("$tsc", a definition with a
// `base`, a list) into complete matchers. Names come from the built-ins and from every
// installed extension's `contributes.problemPatterns` / `problemMatchers`.
import { BUILTIN_MATCHERS, BUILTIN_PATTERNS } from './builtins';
import type { BackgroundConfig, PatternRef, ProblemMatcherConfig, ProblemMatcherSpec, ProblemPatternConfig, ProblemSeverity } from './types';

/** What one extension's package.json contributes. */
export interface MatcherContribution {
  problemPatterns?: unknown;
  problemMatchers?: unknown;
}

export type FileLocationKind = 'absolute' | 'relative' | 'autodetect';

/** A matcher with every reference followed and every default applied. */
export interface ResolvedMatcher {
  /** "$tsc", or "(inline)" for a definition without a name. */
  label: string;
  owner: string;
  source?: string;
  severity: ProblemSeverity;
  fileLocation: { kind: FileLocationKind; prefix?: string };
  patterns: ProblemPatternConfig[];
  background?: { activeOnStart: boolean; begins: string; ends: string };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bare = (name: string): string => (name.startsWith('$') ? name.slice(1) : name);

export class MatcherCatalog {
  private readonly patterns = new Map<string, ProblemPatternConfig | ProblemPatternConfig[]>();
  private readonly matchers = new Map<string, ProblemMatcherConfig>();

  constructor(contributions: readonly MatcherContribution[] = []) {
    for (const [name, p] of Object.entries(BUILTIN_PATTERNS)) this.patterns.set(name, p);
    for (const [name, m] of Object.entries(BUILTIN_MATCHERS)) this.matchers.set(name, m);
    // Patterns first: a contributed matcher may name a pattern another extension contributes.
    for (const c of contributions) {
      for (const p of Array.isArray(c.problemPatterns) ? c.problemPatterns : []) {
        if (isObject(p) && typeof p.name === 'string') {
          const lines = Array.isArray(p.patterns) ? (p.patterns as ProblemPatternConfig[]) : (p as unknown as ProblemPatternConfig);
          this.patterns.set(p.name, lines);
        }
      }
    }
    for (const c of contributions) {
      for (const m of Array.isArray(c.problemMatchers) ? c.problemMatchers : []) {
        if (isObject(m) && typeof m.name === 'string') this.matchers.set(m.name, m as ProblemMatcherConfig);
      }
    }
  }

  /** Every matcher name, with its "$". */
  names(): string[] {
    return [...this.matchers.keys()].map((n) => `$${n}`).sort();
  }

  has(name: string): boolean {
    return this.matchers.has(bare(name));
  }

  /** The matchers a task names; `errors` says what could not be used and why. */
  resolve(spec: ProblemMatcherSpec | undefined): { matchers: ResolvedMatcher[]; errors: string[] } {
    const matchers: ResolvedMatcher[] = [];
    const errors: string[] = [];
    const items = spec === undefined ? [] : Array.isArray(spec) ? spec : [spec];
    for (const item of items) {
      try {
        if (typeof item === 'string') {
          if (item.trim() === '') continue;
          matchers.push(this.complete(this.named(item), item.startsWith('$') ? item : `$${item}`));
        } else if (isObject(item)) {
          matchers.push(this.complete(this.withBase(item), typeof item.name === 'string' ? `$${item.name}` : '(inline)'));
        } else {
          errors.push(`A problem matcher must be a name such as "$tsc" or a definition object (got ${JSON.stringify(item)}).`);
        }
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    return { matchers, errors };
  }

  private named(name: string, seen: string[] = []): ProblemMatcherConfig {
    const key = bare(name);
    const found = this.matchers.get(key);
    if (!found) {
      throw new Error(`Unknown problem matcher "$${key}": install the extension that contributes it, or define it in tasks.json. Known: ${this.names().join(', ')}.`);
    }
    if (seen.includes(key)) throw new Error(`Problem matcher "$${key}" is its own base (${[...seen, key].join(' → ')}).`);
    return this.withBase(found, [...seen, key]);
  }

  /** A definition with its `base` matcher's fields underneath its own. */
  private withBase(config: ProblemMatcherConfig, seen: string[] = []): ProblemMatcherConfig {
    if (typeof config.base !== 'string') return config;
    const base = this.named(config.base, seen);
    const own = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
    return { ...base, ...own, base: undefined };
  }

  private complete(config: ProblemMatcherConfig, label: string): ResolvedMatcher {
    const patterns = this.patternsOf(config.pattern, label);
    const background = backgroundOf(config.background ?? config.watching, label);
    return {
      label,
      owner: config.owner ?? label,
      ...(config.source !== undefined ? { source: config.source } : {}),
      severity: parseSeverity(config.severity) ?? 'error',
      fileLocation: fileLocationOf(config.fileLocation, label),
      patterns,
      ...(background ? { background } : {}),
    };
  }

  private patternsOf(ref: PatternRef | undefined, label: string): ProblemPatternConfig[] {
    if (ref === undefined) throw new Error(`Problem matcher ${label} has no "pattern".`);
    let lines: ProblemPatternConfig | ProblemPatternConfig[] | undefined;
    if (typeof ref === 'string') {
      lines = this.patterns.get(bare(ref));
      if (!lines) throw new Error(`Problem matcher ${label} names the pattern "${ref}", which no installed extension contributes.`);
    } else {
      lines = ref;
    }
    const list = Array.isArray(lines) ? lines : [lines];
    if (list.length === 0 || list.some((p) => !isObject(p) || typeof p.regexp !== 'string')) {
      throw new Error(`Problem matcher ${label}: every pattern needs a "regexp" string.`);
    }
    for (const p of list) {
      try {
        new RegExp(p.regexp);
      } catch (error) {
        throw new Error(`Problem matcher ${label}: the regexp ${JSON.stringify(p.regexp)} is not valid (${(error as Error).message}).`);
      }
    }
    return list;
  }
}

export function parseSeverity(value: string | undefined): ProblemSeverity | undefined {
  const v = value?.trim().toLowerCase();
  if (v === 'error') return 'error';
  if (v === 'warning' || v === 'warn') return 'warning';
  if (v === 'info' || v === 'information' || v === 'hint' || v === 'note') return 'info';
  // Single letters, as jshint prints them (E123, W033).
  if (value === 'E') return 'error';
  if (value === 'W') return 'warning';
  if (value === 'I') return 'info';
  return undefined;
}

function fileLocationOf(value: string | string[] | undefined, label: string): ResolvedMatcher['fileLocation'] {
  const kindOf = (s: string): FileLocationKind | undefined => {
    const k = s.toLowerCase();
    return k === 'absolute' || k === 'relative' || k === 'autodetect' ? k : undefined;
  };
  if (value === undefined) return { kind: 'relative', prefix: '${workspaceFolder}' };
  const [first, prefix] = typeof value === 'string' ? [value, undefined] : value;
  const kind = typeof first === 'string' ? kindOf(first) : undefined;
  if (!kind) {
    throw new Error(`Problem matcher ${label}: fileLocation ${JSON.stringify(value)} is not "absolute", "relative", "autoDetect" or ["relative", "<folder>"].`);
  }
  if (kind === 'absolute') return { kind };
  return { kind, prefix: typeof prefix === 'string' && prefix !== '' ? prefix : '${workspaceFolder}' };
}

function backgroundOf(config: BackgroundConfig | undefined, label: string): ResolvedMatcher['background'] {
  if (!isObject(config)) return undefined;
  const text = (p: unknown): string | undefined => (typeof p === 'string' ? p : isObject(p) && typeof p.regexp === 'string' ? p.regexp : undefined);
  const begins = text(config.beginsPattern);
  const ends = text(config.endsPattern);
  if (begins === undefined || ends === undefined) {
    throw new Error(`Problem matcher ${label}: "background" needs both beginsPattern and endsPattern.`);
  }
  return { activeOnStart: (config as BackgroundConfig).activeOnStart === true, begins, ends };
}
