// The launcher's fallback program, run as `<node> -e LAUNCHER_SCRIPT` (ELECTRON_RUN_AS_NODE=1
// under Electron) where Perl (launcherPerl.ts) is missing or fails to start; it speaks the same
// protocol (launcher.ts). Kept as a string so the compiled tests (out/) and the bundle (dist/)
// carry it alike, with no file to find. Plain ES2020 with no template literals, so String.raw
// keeps it verbatim.
// It ends when its stdin ends (the engine disposed or gone); the tasks, each in its own
// session, keep running, and their parent becomes init, which reaps them.
export const LAUNCHER_SCRIPT = String.raw`'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const MARK = 'BACKGROUND_TASKS_TASK_ID=';
let base = {};
let wrapper = '';
let nice = '0';
// The wrappers' $6: the command gets the umask the launcher was started with.
const umask = (function () { const m = process.umask(0o077); process.umask(m); return '0' + m.toString(8); })();
let out = [];
let queued = false;
let input = '';
const goodShells = new Set();

function clean(s) { return String(s).replace(/[\t\n\r]/g, ' '); }
function send(msg) {
  out.push(msg);
  if (!queued) { queued = true; setImmediate(flush); }
}
function flush() {
  queued = false;
  if (out.length === 0) return;
  const text = out.join('');
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
function fail(id, message) { send('error\t' + id + '\t' + clean(message) + '\n'); }
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
  if (problem) return fail(j.id, problem);
  let log;
  let stdin;
  let child;
  try {
    log = fs.openSync(j.log, 'a', 0o600);
    stdin = j.stdin === undefined ? 'ignore' : fs.openSync(j.stdin, 'r');
    child = spawn('/bin/sh', ['-c', wrapper, '/bin/sh', j.shell, j.command, j.dir, nice, umask, ''], {
      cwd: j.cwd, env: Object.assign({}, base, j.env), detached: true, stdio: [stdin, log, log],
    });
  } catch (err) {
    return fail(j.id, describe(err, j));
  } finally {
    if (log !== undefined) fs.closeSync(log);
    if (typeof stdin === 'number') fs.closeSync(stdin);
  }
  child.on('error', (err) => fail(j.id, describe(err, j)));
  const pid = child.pid;
  if (pid === undefined) return;
  send('started\t' + j.id + '\t' + pid + '\t' + (startTime(pid) || '') + '\n');
  child.on('exit', (code, signal) => send('exit\t' + j.id + '\t' + pid + '\t' + (code === null ? '' : code) + '\t' + (signal === null ? '' : (require('os').constants.signals[signal] || '')) + '\n'));
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
  send('swept\t' + m.id + '\t' + m.signal + '\t' + pids.join(',') + '\n');
}
function pairs(list) {
  const env = {};
  for (const kv of list) { const at = kv.indexOf('='); if (at > 0) env[kv.slice(0, at)] = kv.slice(at + 1); }
  return env;
}
function handle(f) {
  if (f[0] === 'env') base = pairs(f.slice(1));
  else if (f[0] === 'wrapper') wrapper = f[1];
  else if (f[0] === 'nice') nice = /^[0-9]+$/.test(f[1]) ? f[1] : '0';
  else if (f[0] === 'start') start({ id: f[1], shell: f[2], command: f[3], dir: f[4], log: f[5], stdin: f[6] === '' ? undefined : f[6], cwd: f[7], env: pairs(f.slice(8)) });
  else if (f[0] === 'sweep') sweep({ id: f[1], token: f[2], signal: f[3], skipGroup: f[4] === '' ? undefined : Number(f[4]) });
}
process.stdout.on('error', () => process.exit(0));
// Records: "<n>\0" then n fields, each ended by "\0".
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
  for (;;) {
    const at = input.indexOf('\0');
    if (at < 0) return;
    const count = Number(input.slice(0, at));
    const fields = [];
    let pos = at + 1;
    for (let k = 0; k < count; k++) {
      const end = input.indexOf('\0', pos);
      if (end < 0) return;
      fields.push(input.slice(pos, end));
      pos = end + 1;
    }
    input = input.slice(pos);
    try { handle(fields); } catch (err) { process.stderr.write('launcher: bad request: ' + String(err) + '\n'); }
  }
});
process.stdin.on('end', () => { flush(); process.exit(0); });
send('ready\n');
`;
