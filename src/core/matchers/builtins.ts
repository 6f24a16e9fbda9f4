// The matchers VS Code core defines in its own code rather than as an extension contribution,
// so they are not in any package.json that `vscode.extensions.all` shows; plus `$gcc`, which
// only the C/C++ extension contributes. Written from VS Code's documented behaviour (its
// problemMatcher.ts) and checked against the tools' real output in test/fixtures/matchers.
import type { ProblemMatcherConfig, ProblemPatternConfig } from './types';

export const BUILTIN_PATTERNS: Record<string, ProblemPatternConfig | ProblemPatternConfig[]> = {
  msCompile: {
    regexp: '^(?:\\s*\\d+>)?(\\S.*)\\((\\d+|\\d+,\\d+|\\d+,\\d+,\\d+,\\d+)\\)\\s*:\\s+((?:fatal +)?error|warning|info)\\s+(\\w+\\d+)\\s*:\\s*(.*)$',
    file: 1,
    location: 2,
    severity: 3,
    code: 4,
    message: 5,
  },
  'gulp-tsc': {
    regexp: '^([^\\s].*)\\((\\d+|\\d+,\\d+|\\d+,\\d+,\\d+,\\d+)\\):\\s+(\\d+)\\s+(.*)$',
    file: 1,
    location: 2,
    code: 3,
    message: 4,
  },
  lessCompile: { regexp: '^\\s*(.*) in file (.*) line no. (\\d+)$', message: 1, file: 2, line: 3 },
  jshint: {
    regexp: '^(.*):\\s+line\\s+(\\d+),\\s+col\\s+(\\d+),\\s(.+?)(?:\\s+\\((\\w)(\\d+)\\))?$',
    file: 1,
    line: 2,
    column: 3,
    message: 4,
    severity: 5,
    code: 6,
  },
  'jshint-stylish': [
    { regexp: '^(.+)$', file: 1 },
    { regexp: '^\\s+line\\s+(\\d+)\\s+col\\s+(\\d+)\\s+(.+?)(?:\\s+\\((\\w)(\\d+)\\))?$', line: 1, column: 2, message: 3, severity: 4, code: 5, loop: true },
  ],
  'eslint-compact': {
    regexp: '^(.+):\\sline\\s(\\d+),\\scol\\s(\\d+),\\s(Error|Warning|Info)\\s-\\s(.+)\\s\\((.+)\\)$',
    file: 1,
    line: 2,
    column: 3,
    severity: 4,
    message: 5,
    code: 6,
  },
  'eslint-stylish': [
    { regexp: '^((?:[a-zA-Z]:)*[./\\\\]+.*?)$', file: 1 },
    { regexp: '^\\s+(\\d+):(\\d+)\\s+(error|warning|info)\\s+(.+?)(?:\\s\\s+(.*))?$', line: 1, column: 2, severity: 3, message: 4, code: 5, loop: true },
  ],
  go: { regexp: '^([^:]*: )?((.:)?[^:]*):(\\d+)(:(\\d+))?: (.*)$', file: 2, line: 4, column: 6, message: 7 },
  gcc: {
    regexp: '^(.*?):(\\d+):(\\d*):?\\s+(?:fatal\\s+)?(warning|error):\\s+(.*)$',
    file: 1,
    line: 2,
    column: 3,
    severity: 4,
    message: 5,
  },
};

export const BUILTIN_MATCHERS: Record<string, ProblemMatcherConfig> = {
  msCompile: { owner: 'msCompile', source: 'cpp', fileLocation: 'absolute', pattern: '$msCompile' },
  lessCompile: { owner: 'lessCompile', source: 'less', fileLocation: 'absolute', pattern: '$lessCompile', severity: 'error' },
  'gulp-tsc': { owner: 'typescript', source: 'ts', fileLocation: ['relative', '${workspaceFolder}'], pattern: '$gulp-tsc' },
  jshint: { owner: 'jshint', source: 'jshint', fileLocation: 'absolute', pattern: '$jshint' },
  'jshint-stylish': { owner: 'jshint', source: 'jshint', fileLocation: 'absolute', pattern: '$jshint-stylish' },
  // eslint's compact format prints absolute paths.
  'eslint-compact': { owner: 'eslint', source: 'eslint', fileLocation: 'absolute', pattern: '$eslint-compact' },
  'eslint-stylish': { owner: 'eslint', source: 'eslint', fileLocation: 'absolute', pattern: '$eslint-stylish' },
  go: { owner: 'go', source: 'go', fileLocation: ['relative', '${workspaceFolder}'], pattern: '$go' },
  // As the C/C++ extension contributes it: gcc prints paths as it was given them.
  gcc: { owner: 'cpptools', source: 'gcc', fileLocation: ['autoDetect', '${cwd}'], pattern: '$gcc' },
};
