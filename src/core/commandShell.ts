/*
 * The wrapper of every task, run by both launchers (launcherScript.ts, launcherPerl.ts) as
 * `/bin/sh -c WRAPPER_SH /bin/sh <shell> <command> <folder> <niceness> <umask> <id>`,
 * in a process group of its own (in the Python launcher's one session, or a session of its own
 * under the Perl and Node launchers), with the working folder, environment, stdin and log
 * (stdout and stderr) already set. <id> is given by the Python and Perl launchers: the wrapper then says
 * "started" itself, on fd 3, once the pid file is claimed, with SIGPIPE ignored for that one
 * write (an engine gone meanwhile must not kill the task; the next engine finds the pid file).
 *
 * The pid file, written first, proves the task started (see adoptStarted in restore.ts); it
 * is created exclusively (set -C), so a second wrapper of the same task (a start resent after
 * the launcher died, or queued again by an engine that could not yet see the pid file) exits
 * 125 without running anything: a task runs once. A folder that refuses the file (read-only)
 * does not stop the task. A SIGTERM, SIGINT or SIGHUP that comes before the command starts
 * (a cancel right after the start) is caught and the command is then not started at all: the
 * wrapper ends as the signal would have ended it (143, 130, 129), exit file written.
 *
 * The command then runs in one of two ways.
 *
 * In the wrapper itself, with eval, when the shell is /bin/sh (which the wrapper is): a task
 * of `true` is then one process, as under `xargs sh -c`. Measured with xargs -P 8 driving 500
 * wrappers on this kind of machine: 2.6–2.8 s against 2.4–2.6 for bare `sh -c true`, where a
 * wrapper waiting in a subshell took 3.7–4.1 s. The command sees what `sh -c` gives it: no
 * positional parameters ("shift" drops the one that carried it), `$0` "/bin/sh", `$$` and
 * `$PPID` of a shell the launcher started, the default signals (the traps are reset first), the launcher's umask,
 * and its exit status is the wrapper's; an EXIT trap writes it into the exit file, also after
 * `exit N` or a failure under `set -e`. Killed by a signal, the wrapper writes nothing (as
 * with SIGKILL before): the launcher reports the signal, and an engine that was away reads
 * a cancel or a timeout from the task's state. A shell error message says "eval: "
 * (`/bin/sh: 1: eval: foo: not found`).
 *
 * In a subshell that execs `<shell> -c <command>`, while the wrapper waits with the signals
 * caught and writes the exit file after it: for any other shell, for a niceness above 0
 * (`nice -n N`, and the task's session's autogroup, which the kernel shares the CPU by first;
 * the Python launcher passes 0 here and sets both itself: its tasks share one session), and
 * for a /bin/sh command that could undo the EXIT trap: one naming `trap` or `exec` (which
 * would replace the wrapper).
 * The wrapper's own stderr is then /dev/null (dash says "Terminated" of a command it waited
 * for that died of SIGTERM, no line of the task's output).
 *
 * Every step is a builtin (printf, read, eval, umask): no process of its own. The exit file is
 * written by the builtin printf in one write() of a few bytes, so a reader sees it empty or
 * whole; the reader (TaskStore.readExit) also only accepts a value ended by its newline. A
 * folder it cannot write to (made read-only) leaves no exit file and no shell complaint in the
 * task's log. The wrapper's variables are named __bgt_*, out of the command's way.
 */
export const WRAPPER_SH = `trap '__bgt_x=143' TERM; trap '__bgt_x=130' INT; trap '__bgt_x=129' HUP
__bgt_d=$3
case $__bgt_d in /*) ;; *) __bgt_d=$PWD/$__bgt_d;; esac
umask 077
set -C
{ command printf '%s\\n' "$$" > "$__bgt_d/pid"; } 2>/dev/null || { [ -e "$__bgt_d/pid" ] && exit 125; }
set +C
if [ -n "$6" ]; then
  { read -r __bgt_s < /proc/$$/stat; } 2>/dev/null
  __bgt_t() { __bgt_s=\${20}; }
  __bgt_t \${__bgt_s##*) }
  unset -f __bgt_t
  trap '' PIPE
  { command printf 'started\\t%s\\t%s\\t%s\\n' "$6" "$$" "$__bgt_s" >&3; } 2>/dev/null
  trap - PIPE
  exec 3>&-
  unset __bgt_s
fi
[ -z "$__bgt_x" ] || { { command printf '%s\\n' "$__bgt_x" > "$__bgt_d/exit"; } 2>/dev/null; exit "$__bgt_x"; }
if [ "$1" = /bin/sh ] && [ "\${4:-0}" = 0 ]; then
  case $2 in *trap*|*exec*) ;; *)
    trap '__bgt_x=$?; umask 077; { command printf "%s\\n" "$__bgt_x" > "$__bgt_d/exit"; } 2>/dev/null; exit "$__bgt_x"' EXIT
    trap - TERM INT HUP
    [ -z "$__bgt_x" ] || exit "$__bgt_x"
    umask "$5"
    set -- "$2"
    eval "shift; $1"
    exit;;
  esac
fi
exec 4>&2 2>/dev/null
if [ "\${4:-0}" != 0 ] && command -v nice >/dev/null; then
  command printf '%s\\n' "$4" > /proc/self/autogroup
  (exec 2>&4 4>&-; umask "$5"; exec nice -n "$4" "$1" -c "$2")
else
  (exec 2>&4 4>&-; umask "$5"; exec "$1" -c "$2")
fi
__bgt_x=$?
{ command printf '%s\\n' "$__bgt_x" > "$__bgt_d/exit"; } 2>/dev/null
exit "$__bgt_x"`;
