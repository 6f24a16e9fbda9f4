// The launcher's program where Python 3.8 or later is found (Linux), run as
// `python3 -I -S -c LAUNCHER_PYTHON`: it starts each task with posix_spawn, which glibc does
// with a vfork-like clone, so no page of the launcher is copied, whatever its size. Measured on
// this kind of machine, 500 × `true` through the wrapper at 8 at a time: 1.9 s, where xargs -P 8
// takes 2.5 s with bare `sh -c true`, the Perl program's fork 4.4 s and Node's spawn 4.7 s
// (bench/RESULTS.md, section 1). It speaks the protocol of launcher.ts, like the Node
// (launcherScript.ts) and Perl (launcherPerl.ts) programs. No backquotes and no dollar-brace
// in here: it is a String.raw template.
//
// One session for all tasks. The process the host starts makes a session of its own and
// forks: the parent stays as the session's keeper ("bgt-keeper"), the child is the launcher
// ("bgt-launcher"), and each task is a process group of its own in that session (not a session
// of its own, as under the Perl and Node programs). Where the kernel shares the CPU by session
// first (autogroup, on by default on Linux desktops), the tasks then share one session's part,
// as the jobs of one terminal do, instead of taking one part each against the editor's one:
// with 50 busy tasks on 2 cores, the host's event-loop delay p99 drops from ~35 ms to ~6 ms
// (bench/RESULTS.md, section 3). backgroundTasks.niceness lowers that session's part (one write
// of /proc/self/autogroup, which the kernel allows a user once per 100 ms) and the tasks' own
// priority (each starts through nice -n, with no shell of its own).
//
// The keeper is why a task outlives its launcher: it is the subreaper of the session
// (PR_SET_CHILD_SUBREAPER), so a task whose launcher died (killed, or ended with the engine)
// gets the keeper as its parent, in the same session: its group is not orphaned, and a paused
// (stopped) task is not sent the SIGHUP the kernel sends to a stopped orphaned group. The
// keeper holds none of the engine's pipes once the launcher has ended: it says "ended <code>
// <signal>" of the launcher on stdout, closes it, reaps the tasks it adopted and exits when it
// has no child left. Without ctypes (a minimal Python), or where the session cannot be made,
// there is no keeper and each task gets a session of its own, as before.
//
// Each task: the log, the stdin file and the working folder are opened and checked first, so
// their errors arrive as errors, not as a task that ran; the launcher enters the task's folder
// (posix_spawn has no chdir of its own, and this process has no other use for its own), and
// posix_spawn starts /bin/sh as the task's wrapper (commandShell.ts) with fd 3 for the
// wrapper's "started", and SIGPIPE and SIGXFSZ, which Python ignores, back to their defaults.
// Children are reaped on SIGCHLD, which wakes select() through a pipe (signal.set_wakeup_fd), so
// no end waits for the next request. A Python older than 3.8 exits before "ready", and the
// engine takes the Node launcher instead.
export const LAUNCHER_PYTHON = String.raw`import os, sys, signal, select, errno, time
if sys.version_info < (3, 8) or not hasattr(os, 'posix_spawn'):
    sys.exit(3)
os.chdir('/')
libc = None
shared = False
try:
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        os.setsid()
    except OSError:
        pass
    # PR_SET_CHILD_SUBREAPER (36), in a session of its own.
    shared = os.getsid(0) == os.getpid() and libc.prctl(36, 1, 0, 0, 0) == 0
except Exception:
    shared = False

def set_name(text):
    try:
        libc.prctl(15, text, 0, 0, 0)
    except Exception:
        pass

def keep(launcher):
    # The keeper: fds 0 and 3 are the launcher's; 1 only to say how the launcher ended.
    set_name(b'bgt-keeper')
    for fd in (0, 3):
        try:
            os.close(fd)
        except OSError:
            pass
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid != launcher:
            continue
        if os.WIFSIGNALED(status):
            line = b'\nended\t\t' + str(os.WTERMSIG(status)).encode() + b'\n'
        else:
            line = b'\nended\t' + str(os.WEXITSTATUS(status)).encode() + b'\t\n'
        try:
            os.write(1, line)
        except OSError:
            pass
        null = os.open('/dev/null', os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
    os._exit(0)

if shared:
    try:
        child = os.fork()
    except OSError:
        child = 0
        shared = False
        libc.prctl(36, 0, 0, 0, 0)
    if child:
        keep(child)
    # Not a subreaper itself (fork clears it): what its tasks leave goes to the keeper.
    set_name(b'bgt-launcher')
MARK = b'BACKGROUND_TASKS_TASK_ID='
base = {}
wrapper = b''
nice = b'0'
# The session's autogroup niceness as last set, and when a write refused (EAGAIN) may be tried again.
group_nice = b'0'
group_retry = 0.0
nice_program = None
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

def find_program(name):
    for d in base.get(b'PATH', b'/usr/bin:/bin').split(b':') + [b'/usr/bin', b'/bin']:
        p = d + b'/' + name
        if d and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None

def set_group_nice():
    global group_nice, group_retry
    if not shared or nice == group_nice:
        return
    now = time.monotonic()
    if now < group_retry:
        return
    try:
        fd = os.open('/proc/self/autogroup', os.O_WRONLY)
        try:
            os.write(fd, nice + b'\n')
        finally:
            os.close(fd)
        group_nice = nice
    except OSError as e:
        if e.errno == errno.EAGAIN:
            group_retry = now + 0.15
        else:
            # No autogroup here: the tasks' own niceness alone.
            group_nice = nice

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
        argv = [b'/bin/sh', b'-c', wrapper, b'/bin/sh', shell, command, folder, nice, umask, id]
        program = b'/bin/sh'
        set_group_nice()
        if shared and nice != b'0':
            if nice_program:
                # nice execs the wrapper: the same process, at the niceness, and the wrapper
                # keeps its one-process form (its own niceness 0).
                program = nice_program
                argv = [nice_program, b'-n', nice] + argv[:7] + [b'0'] + argv[8:]
        try:
            pid = os.posix_spawn(program, argv, env,
                file_actions=[(os.POSIX_SPAWN_DUP2, infd, 0), (os.POSIX_SPAWN_DUP2, logfd, 1), (os.POSIX_SPAWN_DUP2, logfd, 2), (os.POSIX_SPAWN_DUP2, exits, 3)],
                setpgroup=0 if shared else None, setsid=not shared, setsigdef=(signal.SIGPIPE, signal.SIGXFSZ), setsigmask=())
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
    global base, wrapper, nice, nice_program
    op = f[0] if f else b''
    if op == b'start':
        start(f)
    elif op == b'env':
        base = pairs(f[1:])
        nice_program = find_program(b'nice')
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

out.append(b'ready\t' + str(os.getpid()).encode() + b'\n')
while True:
    reap()
    flush()
    # A niceness the kernel refused for now (EAGAIN) is set as soon as it allows.
    set_group_nice()
    wait = max(0.0, group_retry - time.monotonic()) if shared and nice != group_nice else None
    ready, _, _ = select.select([0, wake_r], [], [], wait)
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
