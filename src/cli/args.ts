// A small argument parser for bgt: flags, options with a value (-p high, --priority=high),
// repeatable options, and `--`. For `run` the first word that is not an option starts the
// command, so `bgt run make -j4` passes -j4 to make.

export class UsageError extends Error {
  constructor(
    message: string,
    /** The subcommand whose usage to point at. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  /** Long name without dashes, e.g. "priority". */
  name: string;
  short?: string;
  /** Takes a value (else a flag). */
  value?: boolean;
  repeat?: boolean;
}

export interface Parsed {
  flags: Set<string>;
  values: Map<string, string[]>;
  positionals: string[];
}

export function parseArgs(command: string, argv: readonly string[], specs: readonly OptionSpec[], stopAtPositional = false): Parsed {
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (stopAtPositional) {
        positionals.push(...argv.slice(i));
        break;
      }
      positionals.push(arg);
      continue;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
      spec = byLong.get(name);
    } else {
      spec = byShort.get(arg.slice(1, 2));
      if (arg.length > 2) inline = arg.slice(2);
    }
    if (!spec) throw new UsageError(`unknown option ${arg}`, command);
    if (!spec.value) {
      if (inline !== undefined) throw new UsageError(`option --${spec.name} takes no value`, command);
      flags.add(spec.name);
      continue;
    }
    const value = inline ?? argv[++i];
    // `bgt run --timeout -- cmd` forgot the value; `--` is never one.
    if (value === undefined || (inline === undefined && value === '--')) throw new UsageError(`option ${arg} needs a value`, command);
    const list = values.get(spec.name) ?? [];
    if (list.length > 0 && !spec.repeat) throw new UsageError(`option --${spec.name} given twice`, command);
    list.push(value);
    values.set(spec.name, list);
  }
  return { flags, values, positionals };
}

/** Quotes a word for sh when it needs it. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One argument is a shell command as it is; several are quoted so the shell sees exactly them. */
export function joinCommand(words: readonly string[]): string {
  return words.length === 1 ? words[0] : words.map(shellQuote).join(' ');
}
