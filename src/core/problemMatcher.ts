// Turns a task's output into problems, line by line, as VS Code's task system does: a matcher's
// patterns match consecutive lines (the last may loop, one problem per line), file names are
// resolved by the matcher's fileLocation, and a watch task's begin line starts a new cycle
// that replaces the problems of the last one. Feed it text in any chunks; it keeps partial lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stripAnsi } from './logReader';
import { parseSeverity, type ResolvedMatcher } from './matchers/catalog';
import type { Problem, ProblemPatternConfig } from './matchers/types';

export type { Problem, ProblemMatcherSpec, ProblemMatcherConfig, ProblemPatternConfig } from './matchers/types';

/** Where the task ran, for `${cwd}` and `${workspaceFolder}` in a matcher's fileLocation. */
export interface MatchContext {
  cwd: string;
  workspaceFolder?: string;
  /** Tells autodetect whether a relative name exists; default fs.existsSync. */
  exists?: (file: string) => boolean;
}

/** VS Code's "no end column": the problem covers the rest of the line. */
export const WHOLE_LINE = 2 ** 31 - 1;

type Data = Partial<Record<'file' | 'message' | 'code' | 'severity' | 'location' | 'line' | 'column' | 'endLine' | 'endColumn', string>>;

interface CompiledPattern {
  regexp: RegExp;
  config: ProblemPatternConfig;
}

/** One matcher's state while it reads lines. */
class LineMatcher {
  private readonly patterns: CompiledPattern[];
  private readonly loop: boolean;
  private buffer: string[] = [];
  /** In a loop: what the earlier patterns found (the file), copied for each looping line. */
  private loopData: Data | undefined;
  readonly begins?: RegExp;
  readonly ends?: RegExp;

  constructor(
    readonly matcher: ResolvedMatcher,
    private readonly prefix: string | undefined,
    private readonly exists: (file: string) => boolean,
  ) {
    this.patterns = matcher.patterns.map((config) => ({ regexp: new RegExp(config.regexp), config }));
    this.loop = this.patterns.length > 1 && this.patterns[this.patterns.length - 1].config.loop === true;
    if (matcher.background) {
      this.begins = new RegExp(matcher.background.begins);
      this.ends = new RegExp(matcher.background.ends);
    }
  }

  reset(): void {
    this.buffer = [];
    this.loopData = undefined;
  }

  /** The problems this line completes (none, one, or one per looping line). */
  line(text: string): Problem | undefined {
    const last = this.patterns[this.patterns.length - 1];
    if (this.loopData) {
      const m = last.regexp.exec(text);
      if (m) {
        const data = { ...this.loopData };
        fill(data, last.config, m);
        return this.toProblem(data, last.config);
      }
      this.reset();
    }
    this.buffer.push(text);
    if (this.buffer.length > this.patterns.length) this.buffer.shift();
    if (this.buffer.length < this.patterns.length) return undefined;
    const data: Data = {};
    let beforeLast: Data = {};
    for (let i = 0; i < this.patterns.length; i++) {
      const m = this.patterns[i].regexp.exec(this.buffer[i]);
      if (!m) return undefined;
      if (i === this.patterns.length - 1) beforeLast = { ...data };
      fill(data, this.patterns[i].config, m);
    }
    this.buffer = [];
    if (this.loop) this.loopData = beforeLast;
    return this.toProblem(data, last.config);
  }

  private toProblem(data: Data, last: ProblemPatternConfig): Problem | undefined {
    const wholeFile = (last.kind ?? this.patterns[0].config.kind) === 'file';
    if (!data.file || !data.message) return undefined;
    const where = wholeFile ? { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } : location(data);
    if (!where) return undefined;
    const m = this.matcher;
    return {
      file: this.resolveFile(data.file),
      severity: parseSeverity(data.severity) ?? m.severity,
      message: data.message,
      ...(data.code ? { code: data.code } : {}),
      ...(m.source !== undefined ? { source: m.source } : {}),
      owner: m.owner,
      ...where,
    };
  }

  private resolveFile(name: string): string {
    const { kind } = this.matcher.fileLocation;
    if (kind === 'absolute') return path.resolve(name);
    const relative = path.resolve(this.prefix ?? '/', name);
    if (kind === 'relative') return relative;
    // autodetect: under the prefix when the file is there (VS Code joins even a name that looks
    // absolute), otherwise the name as printed.
    const joined = path.join(this.prefix ?? '/', name);
    if (this.exists(joined)) return joined;
    return path.isAbsolute(name) ? name : relative;
  }
}

function fill(data: Data, config: ProblemPatternConfig, m: RegExpExecArray): void {
  const take = (key: keyof Data, group: number | undefined): void => {
    if (group === undefined || data[key] !== undefined) return;
    const value = m[group]?.trim();
    if (value) data[key] = value;
  };
  take('file', config.file);
  // A message spread over several lines is joined, as VS Code does.
  const message = config.message !== undefined ? m[config.message]?.trim() : undefined;
  if (message) data.message = data.message === undefined ? message : `${data.message}\n${message}`;
  take('code', config.code);
  take('severity', config.severity);
  take('location', config.location);
  take('line', config.line);
  take('column', config.column);
  take('endLine', config.endLine);
  take('endColumn', config.endColumn);
}

function location(data: Data): Pick<Problem, 'startLine' | 'startColumn' | 'endLine' | 'endColumn'> | undefined {
  let [line, column, endLine, endColumn] = [data.line, data.column, data.endLine, data.endColumn].map((v) => (v === undefined ? undefined : Number(v)));
  if (data.location !== undefined) {
    const parts = data.location.split(',').map(Number);
    [line, column, endLine, endColumn] = parts.length === 4 ? parts : parts.length === 2 ? [parts[0], parts[1]] : [parts[0]];
  }
  if (line === undefined || !Number.isFinite(line)) return undefined;
  const col = column !== undefined && Number.isFinite(column) && column > 0 ? column : undefined;
  if (col === undefined) return { startLine: line, startColumn: 1, endLine: line, endColumn: WHOLE_LINE };
  const endCol = endColumn !== undefined && Number.isFinite(endColumn) ? endColumn : col;
  return { startLine: line, startColumn: col, endLine: endLine !== undefined && Number.isFinite(endLine) ? endLine : line, endColumn: endCol };
}

/** Replaces `${cwd}`, `${workspaceFolder}` and `${workspaceRoot}` in a matcher's file prefix. */
export function resolvePrefix(prefix: string | undefined, context: MatchContext): string | undefined {
  if (prefix === undefined) return undefined;
  const folder = context.workspaceFolder ?? context.cwd;
  const resolved = prefix.replace(/\$\{(cwd|workspaceFolder|workspaceRoot)\}/g, (_, name: string) => (name === 'cwd' ? context.cwd : folder));
  return path.resolve(context.cwd, resolved);
}

/**
 * Collects the problems of one task's output. `changed` is called when the list changes;
 * `problems` is always the current list (a watch task's current cycle).
 */
export class ProblemCollector {
  private readonly lines: LineMatcher[];
  private partial = '';
  private current: Problem[] = [];
  /** Per matcher, the problems of its current cycle (a plain matcher has one endless cycle). */
  private readonly found: Problem[][];

  constructor(
    matchers: readonly ResolvedMatcher[],
    context: MatchContext,
    private readonly changed: (problems: readonly Problem[]) => void = () => undefined,
  ) {
    const exists = context.exists ?? ((file: string) => fs.existsSync(file));
    this.lines = matchers.map((m) => new LineMatcher(m, resolvePrefix(m.fileLocation.prefix, context), exists));
    this.found = matchers.map(() => []);
  }

  get problems(): readonly Problem[] {
    return this.current;
  }

  /** Reads a chunk of output; a line is matched once its end arrives. */
  push(text: string): void {
    const chunk = this.partial + text;
    const parts = chunk.split('\n');
    this.partial = parts.pop() ?? '';
    let dirty = false;
    for (const raw of parts) dirty = this.line(raw) || dirty;
    if (dirty) this.publish();
  }

  /** The output has ended: the last line counts even without its newline. */
  end(): void {
    const last = this.partial;
    this.partial = '';
    if (last !== '' && this.line(last)) this.publish();
  }

  private line(raw: string): boolean {
    const text = stripAnsi(raw).replace(/\r$/, '');
    let dirty = false;
    this.lines.forEach((matcher, i) => {
      if (matcher.begins?.test(text)) {
        // A new cycle of a watch task: what the last one found no longer holds.
        matcher.reset();
        if (this.found[i].length > 0) dirty = true;
        this.found[i] = [];
        return;
      }
      if (matcher.ends?.test(text)) {
        matcher.reset();
        return;
      }
      const problem = matcher.line(text);
      if (problem) {
        this.found[i].push(problem);
        dirty = true;
      }
    });
    return dirty;
  }

  private publish(): void {
    this.current = this.found.flat();
    this.changed(this.current);
  }
}
