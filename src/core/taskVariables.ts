// VS Code's variables in task definitions (`${workspaceFolder}`, `${file}`, `${env:HOME}`,
// `${config:editor.tabSize}`, `${input:name}`...), resolved the way VS Code resolves them for
// tasks. Plain data in, strings out: what the editor knows (the active file, settings, the
// answer to an input) comes in through the context, so this is testable without VS Code.
import * as os from 'node:os';
import * as path from 'node:path';

export interface VariableContext {
  /** The folder of the task's tasks.json (or of the task a provider gave). */
  workspaceFolder?: string;
  /** Every folder of the workspace, for `${workspaceFolder:name}`. */
  workspaceFolders?: readonly { name: string; path: string }[];
  /** The file in the active editor. */
  file?: string;
  lineNumber?: number;
  selectedText?: string;
  cwd?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** A setting's value, for `${config:section.name}`. */
  config?: (key: string) => unknown;
  /** Asks for an input's value (`${input:id}`); undefined when the person cancels. */
  input?: (id: string) => Promise<string | undefined>;
  execPath?: string;
}

/** A variable that cannot be resolved here; the message names it and says what to do. */
export class VariableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VariableError';
  }
}

/** The person dismissed an input: the task is not run, and nothing else is said. */
export class InputCancelled extends Error {
  constructor(readonly inputId: string) {
    super(`The input "${inputId}" was cancelled.`);
    this.name = 'InputCancelled';
  }
}

const VARIABLE = /\$\{([^{}]+)\}/g;

/** Resolves the variables of one task run; each input is asked at most once per run. */
export class VariableResolver {
  private readonly answers = new Map<string, string>();

  constructor(private readonly context: VariableContext) {}

  async resolve(text: string): Promise<string> {
    let out = '';
    let last = 0;
    for (const m of text.matchAll(VARIABLE)) {
      out += text.slice(last, m.index) + (await this.value(m[1]));
      last = (m.index ?? 0) + m[0].length;
    }
    return out + text.slice(last);
  }

  /** Resolves every string inside arrays and objects (args, options.env...). */
  async deep<T>(value: T): Promise<T> {
    if (typeof value === 'string') return (await this.resolve(value)) as T;
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const v of value) out.push(await this.deep(v));
      return out as T;
    }
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.deep(v);
      return out as T;
    }
    return value;
  }

  private async value(name: string): Promise<string> {
    const c = this.context;
    const colon = name.indexOf(':');
    if (colon > 0) {
      const kind = name.slice(0, colon);
      const arg = name.slice(colon + 1);
      if (kind === 'env') return c.env?.[arg] ?? '';
      if (kind === 'config') return configValue(c, arg);
      if (kind === 'input') return this.input(arg);
      if (kind === 'workspaceFolder') {
        const folder = c.workspaceFolders?.find((f) => f.name === arg);
        if (!folder) throw new VariableError(`\${workspaceFolder:${arg}}: no workspace folder is named "${arg}" (folders: ${(c.workspaceFolders ?? []).map((f) => f.name).join(', ') || 'none'}).`);
        return folder.path;
      }
      if (kind === 'command') {
        throw new VariableError(`\${${name}}: a command variable runs another extension's command inside VS Code's own task system; Background Tasks cannot run it. Replace it with a value or an input.`);
      }
    }
    const folder = (): string => {
      if (!c.workspaceFolder) throw new VariableError(`\${${name}} needs a workspace folder: open a folder first.`);
      return c.workspaceFolder;
    };
    const file = (): string => {
      if (!c.file) throw new VariableError(`\${${name}} needs an open file: open the file in an editor, then run the task again.`);
      return c.file;
    };
    switch (name) {
      case 'workspaceFolder':
      case 'workspaceRoot':
        return folder();
      case 'workspaceFolderBasename':
        return path.basename(folder());
      case 'file':
        return file();
      case 'fileBasename':
        return path.basename(file());
      case 'fileBasenameNoExtension':
        return path.basename(file(), path.extname(file()));
      case 'fileExtname':
        return path.extname(file());
      case 'fileDirname':
        return path.dirname(file());
      case 'fileDirnameBasename':
        return path.basename(path.dirname(file()));
      case 'relativeFile':
        return c.workspaceFolder ? path.relative(c.workspaceFolder, file()) : file();
      case 'relativeFileDirname':
        return c.workspaceFolder ? path.relative(c.workspaceFolder, path.dirname(file())) || '.' : path.dirname(file());
      case 'fileWorkspaceFolder': {
        const f = file();
        const owner = c.workspaceFolders?.find((w) => f === w.path || f.startsWith(w.path + path.sep));
        return owner?.path ?? folder();
      }
      case 'lineNumber':
        if (c.lineNumber === undefined) file();
        return String(c.lineNumber ?? '');
      case 'selectedText':
        return c.selectedText ?? '';
      case 'cwd':
        return c.cwd ?? folder();
      case 'pathSeparator':
      case '/':
        return path.sep;
      case 'userHome':
        return os.homedir();
      case 'execPath':
        return c.execPath ?? process.execPath;
      default:
        throw new VariableError(`\${${name}} is not a variable Background Tasks knows: use \${workspaceFolder}, \${file}, \${env:NAME}, \${config:NAME}, \${input:ID} or another of VS Code's task variables.`);
    }
  }

  private async input(id: string): Promise<string> {
    const known = this.answers.get(id);
    if (known !== undefined) return known;
    if (!this.context.input) throw new VariableError(`\${input:${id}}: inputs cannot be asked for here.`);
    const answer = await this.context.input(id);
    if (answer === undefined) throw new InputCancelled(id);
    this.answers.set(id, answer);
    return answer;
  }
}

function configValue(c: VariableContext, key: string): string {
  const value = c.config?.(key);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new VariableError(`\${config:${key}} is ${Array.isArray(value) ? 'a list' : 'an object'}, not a single value; name one of its fields, e.g. \${config:${key}.<field>}.`);
}
