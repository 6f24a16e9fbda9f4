// The shapes of problem matchers and patterns as people write them in tasks.json and as
// extensions contribute them (`contributes.problemMatchers` / `problemPatterns`). Plain data:
// a task keeps its matcher in this form on disk, and it is resolved again when its log is read.

/** One line's regular expression and which of its groups hold what (1-based group numbers). */
export interface ProblemPatternConfig {
  regexp: string;
  /** 'file': the problem is about the whole file; 'location' (default): about a line and column. */
  kind?: 'file' | 'location';
  file?: number;
  /** A group holding "line", "line,column" or "line,column,endLine,endColumn". */
  location?: number;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  severity?: number;
  code?: number;
  message?: number;
  /** On the last pattern of several: it repeats, one problem per matching line. */
  loop?: boolean;
}

export type PatternRef = string | ProblemPatternConfig | ProblemPatternConfig[];

/** The begin/end lines of one cycle of a watch task (`$tsc-watch`). */
export interface BackgroundConfig {
  activeOnStart?: boolean;
  beginsPattern?: string | { regexp: string };
  endsPattern?: string | { regexp: string };
}

export interface ProblemMatcherConfig {
  name?: string;
  /** "$name" of a matcher this one starts from. */
  base?: string;
  owner?: string;
  source?: string;
  /** Used when the pattern captures no severity: "error" (default), "warning", "info". */
  severity?: string;
  /** "absolute", "relative", "autoDetect", or ["relative" | "autoDetect", "<folder>"]; default ["relative", "${workspaceFolder}"]. */
  fileLocation?: string | string[];
  /** A pattern, several lines of patterns, or "$name" of a contributed pattern. */
  pattern?: PatternRef;
  background?: BackgroundConfig;
  /** The older name of `background`. */
  watching?: BackgroundConfig;
}

/** What a task names: "$tsc", a definition, or a list of either. */
export type ProblemMatcherSpec = string | ProblemMatcherConfig | (string | ProblemMatcherConfig)[];

export type ProblemSeverity = 'error' | 'warning' | 'info';

/** A problem found in a task's output. Lines and columns are 1-based, as tools print them. */
export interface Problem {
  /** Absolute path of the file. */
  file: string;
  severity: ProblemSeverity;
  message: string;
  code?: string;
  /** Shown next to the message in the Problems panel ("ts", "eslint", "gcc"). */
  source?: string;
  owner: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
