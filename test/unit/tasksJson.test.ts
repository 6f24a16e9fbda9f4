// tasks.json as VS Code reads it (JSONC), VS Code's task variables, and command-line quoting.
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import { commandLine, parseTasksJson, TasksJsonError } from '../../src/core/tasksJson';
import { InputCancelled, VariableError, VariableResolver } from '../../src/core/taskVariables';

const TASKS_JSON = `{
  // See https://go.microsoft.com/fwlink/?LinkId=733558
  "version": "2.0.0",
  "options": { "env": { "SHARED": "1" } },
  "tasks": [
    {
      "label": "build",
      "type": "shell",
      "command": "tsc -p .", /* a block comment */
      "problemMatcher": "$tsc",
      "dependsOn": ["clean", "lint",],
      "dependsOrder": "sequence",
      "options": { "cwd": "\${workspaceFolder}/pkg", "env": { "MODE": "dev" } },
      "linux": { "options": { "env": { "MODE": "linux" } } },
    },
    { "label": "clean", "type": "process", "command": "rm", "args": ["-rf", "out dir"] },
    { "label": "lint", "type": "shell", "command": "eslint", "args": ["src", { "value": "a b", "quoting": "escape" }] },
    { "type": "npm", "script": "test", "label": "npm: test" },
    { "label": "all", "dependsOn": "build" },
  ],
  "inputs": [
    { "id": "name", "type": "promptString", "description": "Your name", "default": "me" },
  ],
}`;

describe('tasks.json', () => {
  it('reads comments and trailing commas, with platform overrides and shared options', () => {
    const file = parseTasksJson(TASKS_JSON, 'tasks.json', 'linux');
    assert.deepEqual(file.tasks.map((t) => t.label), ['build', 'clean', 'lint', 'npm: test', 'all']);
    const build = file.tasks[0];
    assert.equal(build.type, 'shell');
    assert.equal(build.problemMatcher, '$tsc');
    assert.deepEqual(build.dependsOn, ['clean', 'lint']);
    assert.equal(build.dependsOrder, 'sequence');
    assert.deepEqual(build.options?.env, { SHARED: '1', MODE: 'linux' });
    assert.equal(build.options?.cwd, '${workspaceFolder}/pkg');
    assert.deepEqual(file.tasks[4].dependsOn, ['build']);
    assert.equal(file.tasks[3].raw.script, 'test');
    assert.equal(file.inputs[0].id, 'name');
    assert.equal(parseTasksJson(TASKS_JSON, 'tasks.json', 'darwin').tasks[0].options?.env?.MODE, 'dev');
  });

  it('says which line is broken', () => {
    assert.throws(() => parseTasksJson('{\n  "tasks": [\n    { "label": "x" \n    "type": "shell" }\n  ]\n}', '/ws/.vscode/tasks.json'), (e: Error) => {
      assert.ok(e instanceof TasksJsonError);
      assert.match(e.message, /\/ws\/\.vscode\/tasks\.json line 4: CommaExpected/);
      return true;
    });
  });

  it('quotes arguments as the shell would', () => {
    assert.equal(commandLine('shell', 'tsc -p .'), 'tsc -p .');
    assert.equal(commandLine('shell', 'echo', ['$HOME', 'a b', "it's"]), `echo $HOME 'a b' 'it'\\''s'`);
    assert.equal(commandLine('shell', 'eslint', ['src', { value: 'a b', quoting: 'escape' }, { value: 'x"y', quoting: 'weak' }]), 'eslint src a\\ b "x\\"y"');
    assert.equal(commandLine('process', 'rm', ['-rf', 'out dir', '$HOME']), `rm -rf 'out dir' '$HOME'`);
    assert.equal(commandLine('shell', '/opt/my tools/run', ['x']), `'/opt/my tools/run' x`);
  });
});

describe('task variables', () => {
  const context = {
    workspaceFolder: '/ws/app',
    workspaceFolders: [{ name: 'app', path: '/ws/app' }, { name: 'lib', path: '/ws/lib' }],
    file: '/ws/app/src/main.ts',
    lineNumber: 12,
    env: { HOME: '/home/me' },
    config: (key: string) => ({ 'editor.tabSize': 4, 'files.exclude': { x: true } })[key],
  };

  it('resolves folder, file, env and config variables', async () => {
    const r = new VariableResolver(context);
    assert.equal(
      await r.resolve('${workspaceFolder}|${workspaceFolderBasename}|${file}|${relativeFile}|${fileBasename}|${fileBasenameNoExtension}|${fileExtname}|${fileDirname}|${relativeFileDirname}|${lineNumber}'),
      '/ws/app|app|/ws/app/src/main.ts|src/main.ts|main.ts|main|.ts|/ws/app/src|src|12',
    );
    assert.equal(await r.resolve('${env:HOME}/x ${env:NOPE}.'), '/home/me/x .');
    assert.equal(await r.resolve('tab=${config:editor.tabSize}'), 'tab=4');
    assert.equal(await r.resolve('${workspaceFolder:lib}/src'), '/ws/lib/src');
    assert.equal(await r.resolve('${userHome}'), os.homedir());
    assert.deepEqual(await r.deep({ args: ['${workspaceFolderBasename}', 3], cwd: '${fileDirname}' }), { args: ['app', 3], cwd: '/ws/app/src' });
  });

  it('asks each input once per run, and stops when it is cancelled', async () => {
    const asked: string[] = [];
    const r = new VariableResolver({ ...context, input: async (id) => (asked.push(id), id === 'stop' ? undefined : `<${id}>`) });
    assert.equal(await r.resolve('${input:name} ${input:name} ${input:other}'), '<name> <name> <other>');
    assert.deepEqual(asked, ['name', 'other']);
    await assert.rejects(r.resolve('${input:stop}'), InputCancelled);
  });

  it('explains what it cannot resolve', async () => {
    const r = new VariableResolver({ workspaceFolder: '/ws', config: () => ({ a: 1 }) });
    await assert.rejects(r.resolve('${file}'), (e: Error) => e instanceof VariableError && /open the file in an editor/.test(e.message));
    await assert.rejects(r.resolve('${command:foo.bar}'), /cannot run it/);
    await assert.rejects(r.resolve('${nonsense}'), /not a variable Background Tasks knows/);
    await assert.rejects(r.resolve('${config:x}'), /an object, not a single value/);
    await assert.rejects(r.resolve('${workspaceFolder:zzz}'), /no workspace folder is named "zzz"/);
  });
});
