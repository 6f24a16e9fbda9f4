// The launcher's program where Python 3.8 or later is found (Linux), run as
// `python3 -I -S -c LAUNCHER_PYTHON`: it starts each task with posix_spawn, which glibc does
// with a vfork-like clone, so no page of the launcher is copied, whatever its size. Measured on
// this kind of machine, 500 × `true` through the wrapper at 8 at a time: 1.9 s, where xargs -P 8
// takes 2.5 s with bare `sh -c true`, the Perl program's fork 4.4 s and Node's spawn 4.7 s
// (bench/RESULTS.md, section 1). It speaks the protocol of launcher.ts, like the Node
// (launcherScript.ts) and Perl (launcherPerl.ts) programs. No backquotes and no dollar-brace
// in here: it is a String.raw template.
//
// Each task: the log, the stdin file and the working folder are opened and checked first, so
// their errors arrive as errors, not as a task that ran; the launcher enters the task's folder
// (posix_spawn has no chdir of its own, and this process has no other use for its own), and
// posix_spawn starts /bin/sh as the task's wrapper (commandShell.ts) in a session of its own,
// with fd 3 for the wrapper's "started", and SIGPIPE and SIGXFSZ, which Python ignores, back to
// their defaults. Children are reaped on SIGCHLD, which wakes select() through a pipe
// (signal.set_wakeup_fd), so no end waits for the next request. A Python older than 3.8 exits
// before "ready", and the engine takes the Node launcher instead.
export const LAUNCHER_PYTHON = String.raw`import os, sys, signal, select, errno
if sys.version_info < (3, 8) or not hasattr(os, 'posix_spawn'):
    sys.exit(3)
MARK = b'BACKGROUND_TASKS_TASK_ID='
base = {}
wrapper = b''
nice = b'0'
mask = os.umask(0o077)
os.umask(mask)
umask = ('0%o' % mask).encode()
out = []
id_of = {}
early = {}
good_shells = set()
# fd 3: the engine's pipe for the wrappers' "started", kept above fd 2 and close-on-exec, so
# that only the wrappers get it (as their fd 3), not the commands.
exits = os.dup(3)
os.close(3)
wake_r, wake_w = os.pipe()
os.set_blocking(wake_w, False)
os.set_blocking(wake_r, False)
signal.signal(signal.SIGCHLD, lambda n, f: None)
signal.set_wakeup_fd(wake_w)

def clean(s):
    return s.replace(b'\t', b' ').replace(b'\n', b' ').replace(b'\r', b' ')

def fail(id, message):
    out.append(b'error\t' + id + b'\t' + clean(message) + b'\n')

def why(e):
    return ((errno.errorcode.get(e.errno, '') + ': ') if e.errno else '') + (e.strerror or str(e))

def pairs(items):
    env = {}
    for kv in items:
        at = kv.find(b'=')
        if at > 0:
            env[kv[:at]] = kv[at + 1:]
    return env

def shell_problem(shell):
    if shell in good_shells:
        return None
    dirs = [b''] if b'/' in shell else [d + b'/' for d in base.get(b'PATH', b'/usr/bin:/bin').split(b':') if d]
    for d in dirs:
        p = d + shell
        if os.path.isfile(p) and os.access(p, os.X_OK):
            good_shells.add(shell)
            return None
    return b'the shell "' + shell + b'" was not found or is not executable: set backgroundTasks.shell to a program such as /bin/bash'

def start(f):
    id, shell, command, folder, log, stdin, cwd = f[1:8]
    problem = shell_problem(shell)
    if problem:
        return fail(id, problem)
    try:
        logfd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as e:
        return fail(id, b'could not open the log ' + log + b': ' + why(e).encode())
    infd = None
    try:
        try:
            infd = os.open(stdin or b'/dev/null', os.O_RDONLY)
        except OSError as e:
            return fail(id, b'could not open the input ' + stdin + b': ' + why(e).encode())
        if not os.path.isdir(cwd):
            return fail(id, b'working folder does not exist: ' + cwd)
        try:
            os.chdir(cwd)
        except OSError as e:
            return fail(id, b'could not enter the working folder ' + cwd + b': ' + why(e).encode())
        env = dict(base)
        env.update(pairs(f[8:]))
        try:
            pid = os.posix_spawn(b'/bin/sh', [b'/bin/sh', b'-c', wrapper, b'/bin/sh', shell, command, folder, nice, umask, id], env,
                file_actions=[(os.POSIX_SPAWN_DUP2, infd, 0), (os.POSIX_SPAWN_DUP2, logfd, 1), (os.POSIX_SPAWN_DUP2, logfd, 2), (os.POSIX_SPAWN_DUP2, exits, 3)],
                setsid=True, setsigdef=(signal.SIGPIPE, signal.SIGXFSZ), setsigmask=())
        except OSError as e:
            return fail(id, b'could not run /bin/sh: ' + why(e).encode())
        finally:
            # Out again, so that the launcher holds no task's folder (a drive to unmount).
            os.chdir('/')
        id_of[pid] = id
        if pid in early:
            report_exit(pid, early.pop(pid))
    finally:
        os.close(logfd)
        if infd is not None:
            os.close(infd)

def report_exit(pid, status):
    id = id_of.pop(pid, None)
    if id is None:
        early[pid] = status
        return
    if os.WIFSIGNALED(status):
        code, sig = b'', str(os.WTERMSIG(status)).encode()
    else:
        code, sig = str(os.WEXITSTATUS(status)).encode(), b''
    out.append(b'exit\t' + id + b'\t' + str(pid).encode() + b'\t' + code + b'\t' + sig + b'\n')

def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        report_exit(pid, status)

def sweep(f):
    id, token, name, skip = f[1:5]
    needle = b'\0' + MARK + token + b'\0'
    try:
        signum = signal.Signals[name.decode()]
    except (KeyError, UnicodeDecodeError):
        signum = signal.SIGTERM
    uid = os.getuid()
    me = os.getpid()
    pids = []
    try:
        names = os.listdir('/proc')
    except OSError:
        names = []
    for n in names:
        if not n.isdigit() or int(n) == me:
            continue
        try:
            if os.stat('/proc/' + n).st_uid != uid:
                continue
            with open('/proc/' + n + '/environ', 'rb') as fh:
                env = fh.read()
            if needle not in b'\0' + env:
                continue
            if skip and os.getpgid(int(n)) == int(skip):
                continue
            os.kill(int(n), signum)
            pids.append(n)
        except (OSError, ValueError):
            pass
    out.append(b'swept\t' + id + b'\t' + name + b'\t' + ','.join(pids).encode() + b'\n')

def handle(f):
    global base, wrapper, nice
    op = f[0] if f else b''
    if op == b'start':
        start(f)
    elif op == b'env':
        base = pairs(f[1:])
    elif op == b'wrapper':
        wrapper = f[1]
    elif op == b'nice':
        nice = f[1] if f[1].isdigit() else b'0'
    elif op == b'sweep':
        sweep(f)

def flush():
    global out
    data = b''.join(out)
    out = []
    while data:
        try:
            n = os.write(1, data)
        except InterruptedError:
            continue
        except OSError:
            os._exit(0)
        data = data[n:]

# Records: "<n>\0" then n fields, each ended by "\0".
buf = b''
def parse():
    global buf
    while True:
        at = buf.find(b'\0')
        if at < 0:
            return
        count = int(buf[:at])
        fields = []
        pos = at + 1
        for _ in range(count):
            end = buf.find(b'\0', pos)
            if end < 0:
                return
            fields.append(buf[pos:end])
            pos = end + 1
        buf = buf[pos:]
        try:
            handle(fields)
        except Exception as e:
            sys.stderr.write('launcher: bad request: %r\n' % (e,))

out.append(b'ready\n')
while True:
    reap()
    flush()
    ready, _, _ = select.select([0, wake_r], [], [])
    if wake_r in ready:
        try:
            while os.read(wake_r, 512):
                pass
        except BlockingIOError:
            pass
    if 0 in ready:
        chunk = os.read(0, 262144)
        if not chunk:
            break
        buf += chunk
        parse()
reap()
flush()
os._exit(0)
`;
