// bgt's help texts: `bgt --help` and `bgt COMMAND --help`.

const EXIT_CODES = `Exit codes:
  0      done (for run --wait and wait: the task completed)
  N      run --wait, wait: the task's own exit code (wait: of the first task that did not complete)
  128+N  the task was killed by signal N
  124    the task timed out (run --timeout)
  125    the task was cancelled, or failed without an exit code (lost, could not start)
  75     wait --max-wait ran out and the task still runs
  64     usage error          65  unknown task id
  69     no engine reachable (BACKGROUND_TASKS_SOCKET unset, or its window closed)
  77     refused: the workspace is in Restricted Mode (reading still works)
  1      cancel, pause ID, resume ID: nothing to do (the task has ended, is not running or
         not paused); anything else that failed (the message says what)`;

export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: bgt run [options] [--] COMMAND...

Queues COMMAND in the window's Background Tasks and prints the new task id alone on a line:
  id=$(bgt run -- make)
One argument is a shell command as it is (bgt run 'npm test && npm run lint'); several are
quoted so the shell sees exactly those words. The task runs in this folder with this
shell's environment (kept on disk 0600, never shown). When stdin is a pipe or a file
(git log | bgt run -- grep fix), it becomes the task's stdin, live; bgt keeps running until it ends.

Options:
  -p, --priority P     urgent, high, normal (default) or low
  -t, --type T         code (default) or system
  --after ID           start only after task ID completed (repeatable)
  --stdin-from ID      the complete output of task ID becomes the stdin (waits for it)
  --meta KEY=VALUE     metadata shown in details and the notification (repeatable)
  --cwd DIR            working folder (default: the current one)
  --no-stdin           do not pass this stdin to the task even when it is a pipe
  --wait               wait for the end: the id goes to stderr, the output streams to stdout,
                       and bgt exits with the task's exit code
  --quiet              with --wait: print nothing, only exit with the code
  --timeout S          stop it after S of running (paused time not counted), as a cancel stops
                       it; it ends failed, "timed out after 90s" (run --wait, wait: exit 124)
  --retries N          run a failed attempt (non-zero exit, signal, timeout; never a cancel)
                       again, up to N more times, as the same task and log
  --retry-delay S      wait S between a failed attempt and the next (default 0)
  --delay S            do not start before S from now
  --at TIME            do not start before TIME:
                         18:00, 18:00:30           today, or tomorrow once it has passed
                         2026-12-24T09:30, "2026-12-24 09:30"   local time; a past one is an error
                         2026-12-24T09:30Z, 2026-12-24T09:30+01:00   with its zone
                         @1767225600               seconds since the epoch (date +%s)
  --lane NAME          run in lane NAME: it waits for a free slot in the lane (its limit is the
                       backgroundTasks.lanes setting, 1 when it is not named there) as well
                       as under maxConcurrentTasks
Durations (S): seconds (90, 2.5), or with a unit: 30s, 5m, 2h, 1d, 1h30m.

${EXIT_CODES}`,
  ls: `Usage: bgt ls [--running|--pending|--completed|--failed|--cancelled]... [--json]

Lists the tasks, newest first, in the listing format of the tree's Show Tasks: ⏸ marks a paused
task; a delayed one says when it starts ("starts at 18:00"), a retried one its attempt ("attempt 2/3");
a task in a lane or with a timeout has a Lane or Timeout line; a last line says when the queue is paused.
  --json   an array of task snapshots (as the API's getAllTasks returns), with attempt, attempts,
           lane and timeoutSeconds`,
  show: `Usage: bgt show ID [--json]

The details of one task: status, times, exit code, folder, metadata, the last lines of output,
and when set its lane, timeout, attempt, start time and whether it is paused.
  --json   the task snapshot (as the API's getTask returns)`,
  pause: `Usage: bgt pause [ID]

Without ID: pauses the queue. Pending tasks wait (a delayed one too, past its time); running ones
go on. The queue stays paused across a window reload until bgt resume. Exits 0, also when it was
already paused.
With ID: pauses that running task: SIGSTOP to all its processes. It stays running, its clock
(duration, timeout) stopped, until bgt resume ID. Exits 1 when there is nothing to pause (the task
is pending, already paused or has ended).`,
  resume: `Usage: bgt resume [ID]

Without ID: lets the paused queue start tasks again (exits 0, also when it was not paused).
With ID: continues that paused task (SIGCONT). Exits 1 when it is not paused.`,
  export: `Usage: bgt export --json|--csv [-o FILE]

Prints the history (every task the window keeps) as JSON or CSV, as the Export History command
writes it. Columns: id, command, status, exitCode, type, priority, lane, createdAt, startedAt,
endedAt, durationMs, attempts, metadata (as JSON); never environment values.
  -o, --output FILE   write it to FILE (created 0600) instead of stdout`,
  cancel: `Usage: bgt cancel ID

Cancels a pending task, or stops a running one (SIGTERM to its process group, SIGKILL after the
grace period). Exits 1 when the task had already ended.`,
  rerun: `Usage: bgt rerun ID

Queues the command of task ID again (same folder, environment, priority); prints the new id.`,
  clear: `Usage: bgt clear

Removes the completed, failed and cancelled tasks and their output; prints how many.`,
  stats: `Usage: bgt stats [--json]

Counts by status, type, priority and lane, success rate, durations, how many timed out and how
many needed more than one attempt, and whether the queue is paused.
  --json   what the API's getStatistics() returns`,
  wait: `Usage: bgt wait ID... [--max-wait S]

Waits until every task given has ended. Exits 0 when all completed, else with the exit code
of the first one (in the order given) that did not complete.
  --max-wait S   give up after S seconds (exit 75 when one still runs)

${EXIT_CODES}`,
  tail: `Usage: bgt tail [-f] [-n N] ID

Prints the last N lines (default 10) of a task's output.
  -f, --follow   then keep printing its output as it is written, until the task ends
  -n, --lines N  how many last lines to start with`,
  mcp: `Usage: bgt mcp

Serves the Background Tasks tools over MCP on stdin/stdout, for an agent started from this
terminal (Claude Code: claude mcp add background-tasks -- bgt mcp). The tools are
backgroundTasks_run, backgroundTasks_status, backgroundTasks_output, backgroundTasks_wait and
backgroundTasks_cancel; the tasks are this window's, in its tree, with its notifications.`,
};

export const MAIN_HELP = `Usage: bgt COMMAND [options]

Runs and watches the background tasks of the VS Code window this terminal belongs to.

Commands:
  run [options] [--] COMMAND...   queue a command; print its id (--wait: wait and stream;
                                  --timeout S, --retries N, --delay S, --at TIME, --lane NAME)
  ls [--running|...] [--json]     list tasks
  show ID [--json]                one task's details
  cancel ID                       cancel or stop a task
  rerun ID                        run a task's command again
  clear                           remove finished tasks
  stats [--json]                  statistics
  wait ID... [--max-wait S]       wait for tasks to end; exit with their code
  tail [-f] [-n N] ID             a task's output (-f: live until it ends)
  pause [ID]                      pause the queue, or one running task (SIGSTOP)
  resume [ID]                     resume the queue, or one paused task (SIGCONT)
  export --json|--csv [-o FILE]   the history as JSON or CSV
  mcp                             serve the tools to an agent over MCP (stdio)

bgt COMMAND --help tells more.

${EXIT_CODES}`;
