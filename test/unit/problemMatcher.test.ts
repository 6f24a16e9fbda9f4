// The problem-matcher engine on output recorded from the real tools (test/fixtures/matchers).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MatcherCatalog } from '../../src/core/matchers/catalog';
import { ProblemCollector, WHOLE_LINE, type Problem, type ProblemMatcherSpec } from '../../src/core/problemMatcher';
import { fixture } from './helpers';

const DIR = fixture('matchers');
const typescript = JSON.parse(fs.readFileSync(path.join(DIR, 'typescript-contributes.json'), 'utf8')) as object;
const catalog = new MatcherCatalog([typescript]);
const recorded = (name: string): string => fs.readFileSync(path.join(DIR, name), 'utf8');

function collect(spec: ProblemMatcherSpec, text: string, cwd = DIR, chunk = 0, exists?: (f: string) => boolean): Problem[] {
  const { matchers, errors } = catalog.resolve(spec);
  assert.deepEqual(errors, []);
  const collector = new ProblemCollector(matchers, { cwd, workspaceFolder: cwd, exists });
  if (chunk > 0) for (let i = 0; i < text.length; i += chunk) collector.push(text.slice(i, i + chunk));
  else collector.push(text);
  collector.end();
  return [...collector.problems];
}

const brief = (p: Problem): string => `${p.severity} ${path.relative(DIR, p.file)}:${p.startLine}:${p.startColumn} ${p.code ?? '-'} ${p.message}`;

describe('problem matchers on real tool output', () => {
  it('$tsc (from the TypeScript extension) reads tsc, files relative to the task folder', () => {
    const problems = collect('$tsc', recorded('tsc.txt'));
    assert.deepEqual(problems.map(brief), [
      "error src/bad.ts:2:14 2322 Type 'string' is not assignable to type 'number'.",
      "error src/bad.ts:5:14 2552 Cannot find name 'undefinedName'. Did you mean 'undefined'?",
    ]);
    assert.equal(problems[0].file, path.join(DIR, 'src/bad.ts'));
    assert.equal(problems[0].source, 'ts');
    assert.equal(problems[0].owner, 'typescript');
  });

  it('reads lines split across chunks at any point', () => {
    const whole = collect('$tsc', recorded('tsc.txt')).map(brief);
    for (const size of [1, 7, 33]) assert.deepEqual(collect('$tsc', recorded('tsc.txt'), DIR, size).map(brief), whole);
  });

  it('$eslint-stylish: a file line, then a looping pattern, one problem per line', () => {
    const problems = collect('$eslint-stylish', recorded('eslint-stylish.txt'));
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${path.basename(p.file)}:${p.startLine}:${p.startColumn} ${p.code} ${p.message}`),
      [
        "error bad.js:2:7 no-unused-vars 'unused' is assigned a value but never used",
        "error bad.js:4:3 no-debugger Unexpected 'debugger' statement",
        "warning bad.js:5:10 no-undef 'missing' is not defined",
        'warning other.js:1:10 semi Missing semicolon',
        "error other.js:2:5 no-redeclare 'x' is already defined",
        "error other.js:2:5 no-unused-vars 'x' is assigned a value but never used",
        'warning other.js:2:10 semi Missing semicolon',
      ],
    );
    // Absolute: the path exactly as eslint printed it.
    assert.ok(path.isAbsolute(problems[0].file) && problems[0].file.endsWith('/src/bad.js'));
  });

  it('$gcc: errors and warnings, notes and source lines ignored; autodetect finds the file under the task folder', () => {
    const problems = collect('$gcc', recorded('gcc.txt'));
    assert.deepEqual(problems.map(brief), [
      'error src/bad.c:4:12 - ‘undeclared’ undeclared (first use in this function)',
      'warning src/bad.c:3:9 - unused variable ‘unused’ [-Wunused-variable]',
    ]);
    assert.equal(problems[0].source, 'gcc');
  });

  it('autodetect keeps a name as printed when it is not under the task folder', () => {
    const problems = collect('$gcc', recorded('gcc.txt'), '/nowhere', 0, () => false);
    assert.equal(problems[0].file, path.resolve('/nowhere', 'src/bad.c'));
    const absolute = collect('$gcc', '/abs/x.c:1:2: error: boom\n', '/nowhere', 0, () => false);
    assert.equal(absolute[0].file, '/abs/x.c');
  });

  it('$tsc-watch: each compilation replaces the problems of the last one', () => {
    const { matchers } = catalog.resolve('$tsc-watch');
    const seen: string[][] = [];
    const collector = new ProblemCollector(matchers, { cwd: DIR }, (list) => seen.push(list.map((p) => `${p.startLine}:${p.message}`)));
    for (const line of recorded('tsc-watch.txt').split(/(?<=\n)/)) collector.push(line);
    assert.deepEqual(collector.problems.map((p) => p.message), ["Type 'number' is not assignable to type 'string'."]);
    // Two problems, then a new cycle with none, then one.
    assert.ok(seen.some((list) => list.length === 2));
    assert.ok(seen.some((list) => list.length === 0));
  });

  it('fileLocation: relative to a folder given as ["relative", "${workspaceFolder}"], and absolute', () => {
    const pattern = { regexp: '^(.*):(\\d+): (.*)$', file: 1, line: 2, message: 3 };
    const rel = collect({ pattern, fileLocation: ['relative', '${workspaceFolder}/sub'] }, 'a/b.txt:3: oops\n', '/ws');
    assert.equal(rel[0].file, '/ws/sub/a/b.txt');
    assert.equal(rel[0].startColumn, 1);
    assert.equal(rel[0].endColumn, WHOLE_LINE);
    const cwd = collect({ pattern, fileLocation: ['relative', '${cwd}'] }, 'b.txt:3: oops\n', '/ws/pkg');
    assert.equal(cwd[0].file, '/ws/pkg/b.txt');
    const abs = collect({ pattern, fileLocation: 'absolute' }, '/etc/x.conf:9: bad\n', '/ws');
    assert.equal(abs[0].file, '/etc/x.conf');
    const dflt = collect({ pattern }, 'c.txt:1: m\n', '/ws');
    assert.equal(dflt[0].file, '/ws/c.txt');
  });

  it('$msCompile: a location group with line,column; severity and code', () => {
    const problems = collect('$msCompile', 'C:/src/a.cpp(12,5): warning C4996: old api\n  3>/src/b.cs(1,2,1,9): error CS1002: ; expected\n', '/ws');
    assert.deepEqual(
      problems.map((p) => [p.severity, p.startLine, p.startColumn, p.endLine, p.endColumn, p.code, p.message]),
      [
        ['warning', 12, 5, 12, 5, 'C4996', 'old api'],
        ['error', 1, 2, 1, 9, 'CS1002', '; expected'],
      ],
    );
  });

  it('$eslint-compact, $go, $jshint, $lessCompile, $gulp-tsc on lines in their formats', () => {
    assert.equal(collect('$eslint-compact', '/ws/a.js: line 3, col 9, Error - Unexpected console statement. (no-console)\n')[0].code, 'no-console');
    const go = collect('$go', 'main.go:7:2: undefined: foo\n', '/ws');
    assert.deepEqual([go[0].file, go[0].startLine, go[0].startColumn, go[0].severity], ['/ws/main.go', 7, 2, 'error']);
    const jshint = collect('$jshint', '/ws/a.js: line 1, col 5, Missing semicolon. (W033)\n');
    assert.deepEqual([jshint[0].severity, jshint[0].code], ['warning', '033']);
    assert.equal(collect('$lessCompile', 'Unrecognised input in file /ws/a.less line no. 4\n')[0].startLine, 4);
    assert.equal(collect('$gulp-tsc', 'src/a.ts(3,4): 2304 Cannot find name\n', '/ws')[0].code, '2304');
  });

  it('a matcher with a base, a default severity, and kind "file"', () => {
    const warn = collect({ base: '$tsc', severity: 'warning', pattern: { regexp: '^W (.*): (.*)$', file: 1, message: 2, kind: 'file' } }, 'W x.ts: whole file\n', '/ws');
    assert.deepEqual([warn[0].severity, warn[0].startLine, warn[0].owner, warn[0].file], ['warning', 1, 'typescript', '/ws/x.ts']);
  });

  it('names what cannot be resolved', () => {
    const { errors } = catalog.resolve(['$nope', { pattern: '$missing' }, { pattern: { regexp: '(' } }]);
    assert.match(errors[0], /Unknown problem matcher "\$nope".*\$tsc/);
    assert.match(errors[1], /"\$missing"/);
    assert.match(errors[2], /not valid/);
  });
});
