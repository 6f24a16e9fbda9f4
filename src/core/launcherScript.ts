// The launcher's own program, run as `<node> -e LAUNCHER_SCRIPT` (ELECTRON_RUN_AS_NODE=1 under
// Electron). Kept as a string so the compiled tests (out/) and the bundle (dist/) carry it alike,
// with no file to find. Plain ES2020 with no template literals, so String.raw keeps it verbatim.
//
// Protocol, one JSON object per line. In (from the engine):
//   {op:'init', env, wrapper}                      the base environment of every task, the wrapper
//   {op:'start', id, shell, command, dir, log, stdin?, cwd, env}
//   {op:'sweep', id, token, signal, skipGroup?}    signal every process of this user carrying
//                                                  BACKGROUND_TASKS_TASK_ID=<token>
// Out (to the engine), written once per turn:
//   {ev:'started', id, pid, startTime} | {ev:'error', id, message} | {ev:'exit', id, pid, code, signal}
//   {ev:'swept', id, signal, pids}
// It ends when its stdin ends (the engine disposed or gone); the tasks, each in its own
// session, keep running, and their parent becomes init, which reaps them.
export const LAUNCHER_SCRIPT = String.raw`'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const MARK = 'BACKGROUND_TASKS_TASK_ID=';
let base = {};
let wrapper = '';
let out = [];
let queued = false;
let input = '';
const goodShells = new Set();

function send(msg) {
  out.push(JSON.stringify(msg));
  if (!queued) { queued = true; setImmediate(flush); }
}
function flush() {
  queued = false;
  if (out.length === 0) return;
  const text = out.join('\n') + '\n';
  out = [];
  process.stdout.write(text);
}
function isDir(p) { try { return fs.statSync(p).isDirectory(); } catch (e) { return false; } }
function shellProblem(shell) {
  if (goodShells.has(shell)) return undefined;
  const dirs = shell.includes('/') ? [''] : String(base.PATH || '/usr/bin:/bin').split(':').filter(Boolean).map((d) => d + '/');
  for (const d of dirs) {
    try {
      fs.accessSync(d + shell, fs.constants.X_OK);
      if (fs.statSync(d + shell).isFile()) { goodShells.add(shell); return undefined; }
    } catch (e) { /* try the next folder */ }
  }
  return 'the shell "' + shell + '" was not found or is not executable: set backgroundTasks.shell to a program such as /bin/bash';
}
function describe(err, j) {
  if (err.code === 'ENOENT' && !isDir(j.cwd)) return 'working folder does not exist: ' + j.cwd;
  return (err.code ? err.code + ': ' : '') + err.message;
}
function startTime(pid) {
  try {
    const text = fs.readFileSync('/proc/' + pid + '/stat', 'latin1');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch (e) { return undefined; }
}
function start(j) {
  const problem = shellProblem(j.shell);
  if (problem) return send({ ev: 'error', id: j.id, message: problem });
  let log;
  let stdin;
  let child;
  try {
    log = fs.openSync(j.log, 'a', 0o600);
    stdin = j.stdin === undefined ? 'ignore' : fs.openSync(j.stdin, 'r');
    child = spawn('/bin/sh', ['-c', wrapper, 'background-task', j.shell, j.command, j.dir], {
      cwd: j.cwd, env: Object.assign({}, base, j.env), detached: true, stdio: [stdin, log, log],
    });
  } catch (err) {
    return send({ ev: 'error', id: j.id, message: describe(err, j) });
  } finally {
    if (log !== undefined) fs.closeSync(log);
    if (typeof stdin === 'number') fs.closeSync(stdin);
  }
  child.on('error', (err) => send({ ev: 'error', id: j.id, message: describe(err, j) }));
  const pid = child.pid;
  if (pid === undefined) return;
  send({ ev: 'started', id: j.id, pid, startTime: startTime(pid) });
  child.on('exit', (code, signal) => send({ ev: 'exit', id: j.id, pid, code, signal }));
}
function pgrpOf(pid) {
  try {
    const text = fs.readFileSync('/proc/' + pid + '/stat', 'latin1');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[2]);
  } catch (e) { return undefined; }
}
function sweep(m) {
  const needle = MARK + m.token;
  const uid = process.getuid();
  const pids = [];
  let names = [];
  try { names = fs.readdirSync('/proc'); } catch (e) { /* not Linux: nothing to find */ }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57 || Number(name) === process.pid) continue;
    try {
      if (fs.statSync('/proc/' + name).uid !== uid) continue;
      const env = fs.readFileSync('/proc/' + name + '/environ', 'latin1');
      const at = env.indexOf(needle);
      if (at < 0 || (at > 0 && env[at - 1] !== '\0') || (env[at + needle.length] || '\0') !== '\0') continue;
      if (m.skipGroup !== undefined && pgrpOf(name) === m.skipGroup) continue;
      process.kill(Number(name), m.signal);
      pids.push(Number(name));
    } catch (e) { /* gone meanwhile, or not ours */ }
  }
  send({ ev: 'swept', id: m.id, signal: m.signal, pids });
}
function handle(m) {
  if (m.op === 'init') { base = m.env; wrapper = m.wrapper; }
  else if (m.op === 'start') start(m);
  else if (m.op === 'sweep') sweep(m);
}
process.stdout.on('error', () => process.exit(0));
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  for (let i = input.indexOf('\n'); i >= 0; i = input.indexOf('\n')) {
    const line = input.slice(0, i);
    input = input.slice(i + 1);
    try { handle(JSON.parse(line)); } catch (err) { process.stderr.write('launcher: bad request: ' + String(err) + '\n'); }
  }
});
process.stdin.on('end', () => { flush(); process.exit(0); });
`;
