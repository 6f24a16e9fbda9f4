// The launcher's small program, run as `perl -e LAUNCHER_PERL` when
// BACKGROUND_TASKS_LAUNCHER=perl: a Perl process of about 7 MB where the Node launcher
// (launcherScript.ts, the default) takes about 45, at 1.2–1.4× the time to start many
// tiny tasks (measured: bench/RESULTS.md, section 1, "ours, Perl launcher"). Perl (perl-base,
// with POSIX) is part of every Debian and Ubuntu system and of macOS; where it is missing or
// fails to start, the engine falls back to the Node program, which speaks the same protocol
// (see launcher.ts). No backquotes and no dollar-brace in here: it is a String.raw template
// (COMMAND_SH is its one substitution).
//
// Each task: one fork, whose child prepares the task's wrapper (run_task below) and then
// execs /bin/sh as that wrapper, which forks and execs '<shell> -c <command>': the Node
// launcher's shape (launcherScript.ts), but from a parent of a few MB. The log, the
// stdin file and the working folder are opened and checked before the fork, so their errors
// arrive as errors, not as a task that ran. Children are reaped in a SIGCHLD handler. Perl
// runs signal handlers between its own operations, so a SIGCHLD that lands just before the
// process blocks in select() would wait for the next input: while tasks run, select() also
// wakes twice a second. Only a wrapper that was killed waits for that: the others report
// their exit themselves.
import { COMMAND_SH } from './commandShell';

export const LAUNCHER_PERL = String.raw`use strict;
use POSIX ();
my $MARK = 'BACKGROUND_TASKS_TASK_ID=';
my %base;
my $out = '';
my %idOf;
my %early;
my %goodShell;
my $exits;
my $nice = 0;
# The wrapper once the command starts: $1 shell, $2 command, $3 task folder, $4 task id; the
# command runs as COMMAND_SH says (commandShell.ts). The
# trap keeps it alive through a SIGTERM to its group until the command has ended; a handler,
# unlike an ignored signal, is reset for the command. Its own stderr is /dev/null (dash says
# "Terminated" of a command killed by SIGTERM), the command's the log. A signal caught before the command started
# means it is not started (143). The exit goes into the task's folder
# (one write of a few bytes, so a reader sees it empty or whole), then straight to the engine
# on fd 3, which the command does not get. An engine gone meanwhile makes that write fail
# (SIGPIPE ignored by then), which is no matter: the exit file is written.
my $WRAPPER_SH = <<'SH';
trap 'stopping=1' TERM INT HUP
exec 4>&2 2>/dev/null
if [ -z "$stopping" ]; then
  (exec 2>&4 4>&- 3>&-; ${COMMAND_SH})
  code=$?
else
  code=143
fi
umask 077
{ printf '%s\n' "$code" > "$3/exit"; } 2>/dev/null
trap '' PIPE
{ printf 'exit\t%s\t%s\t%s\t\n' "$4" "$$" "$code" >&3; } 2>/dev/null
exit "$code"
SH

sub clean { my $s = shift; $s =~ s/[\t\n\r]/ /g; return $s; }

# A wrapper that ran its command has reported its exit itself (run_task); the others (killed,
# or ended before running anything: 125, 126, or a command's own 125 or 126, which the runner
# then hears twice, to no harm) are reported here.
sub report_exit {
  my ($pid, $status) = @_;
  my $id = delete $idOf{$pid};
  if (!defined $id) { $early{$pid} = $status; return; }
  return if !($status & 127) && ($status >> 8) != 125 && ($status >> 8) != 126;
  my ($code, $sig) = ($status & 127) ? ('', $status & 127) : ($status >> 8, '');
  $out .= "exit\t$id\t$pid\t$code\t$sig\n";
}

sub reap { while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { report_exit($p, $?); } }

sub shell_problem {
  my $shell = shift;
  return undef if $goodShell{$shell};
  my @dirs = index($shell, '/') >= 0 ? ('') : map { $_ . '/' } grep { length } split(/:/, defined $base{PATH} ? $base{PATH} : '/usr/bin:/bin');
  for my $d (@dirs) {
    if (-f $d . $shell && -x _) { $goodShell{$shell} = 1; return undef; }
  }
  return 'the shell "' . $shell . '" was not found or is not executable: set backgroundTasks.shell to a program such as /bin/bash';
}

sub start_time {
  my $pid = shift;
  open(my $f, '<', "/proc/$pid/stat") or return '';
  my $text = <$f>;
  close $f;
  return '' unless defined $text;
  my @fields = split(/ /, substr($text, rindex($text, ')') + 2));
  return defined $fields[19] ? $fields[19] : '';
}

sub fail { my ($id, $message) = @_; $out .= "error\t$id\t" . clean($message) . "\n"; }

sub start {
  my ($id, $shell, $command, $dir, $log, $stdin, $cwd, @env) = @_;
  my $problem = shell_problem($shell);
  return fail($id, $problem) if defined $problem;
  my ($logFh, $inFh);
  sysopen($logFh, $log, POSIX::O_WRONLY() | POSIX::O_APPEND() | POSIX::O_CREAT(), 0600) or return fail($id, "could not open the log $log: $!");
  if ($stdin ne '') { sysopen($inFh, $stdin, POSIX::O_RDONLY()) or return fail($id, "could not open the input $stdin: $!"); }
  else { sysopen($inFh, '/dev/null', POSIX::O_RDONLY()) or return fail($id, "could not open /dev/null: $!"); }
  return fail($id, "working folder does not exist: $cwd") unless -d $cwd;
  my $pid = fork();
  return fail($id, "could not fork: $!") unless defined $pid;
  run_task($id, $shell, $command, $dir, $cwd, $logFh, $inFh, @env) if $pid == 0;
  close $logFh;
  close $inFh;
  $idOf{$pid} = $id;
  report_exit($pid, delete $early{$pid}) if exists $early{$pid};
}

# The forked child becomes the task's wrapper: its own session, the pid file claimed
# exclusively (a second wrapper of the same task exits 125 without running anything: a task
# runs once), then "started" (only once a later engine can see the start in the pid file),
# then it execs /bin/sh with WRAPPER_SH, which runs '<shell> -c <command>', lives through
# SIGTERM, SIGINT and SIGHUP to its group until the command has ended, and records the exit.
# Its command line is "background-task <folder>" until then, and names the folder after:
# either tells a later engine that the pid is this task's.
sub run_task {
  my ($id, $shell, $command, $dir, $cwd, $logFh, $inFh, @env) = @_;
  $SIG{CHLD} = 'DEFAULT';
  # Caught, not ignored: exec resets a caught signal to its default for the shell after it.
  my $stopping = 0;
  $SIG{TERM} = $SIG{INT} = $SIG{HUP} = sub { $stopping = 1; };
  POSIX::setsid();
  # Lower priority for the task: its session's autogroup (the kernel shares the CPU between
  # sessions first) and the process itself, which its children inherit.
  if ($nice > 0) {
    if (open(my $ag, '>', '/proc/self/autogroup')) { print $ag "$nice\n"; close $ag; }
    POSIX::nice($nice);
  }
  chdir($cwd) or child_says("error\t$id\t" . clean("working folder does not exist: $cwd") . "\n", 126);
  # Named before the pid file names it, so that a later engine never finds the pid not yet ours.
  $0 = "background-task $dir";
  my $pidFh;
  my $claimed = sysopen($pidFh, "$dir/pid", POSIX::O_WRONLY() | POSIX::O_CREAT() | POSIX::O_EXCL(), 0600) && syswrite($pidFh, "$$\n");
  # A folder that refuses the file (read-only) does not stop the task.
  my $second = !$claimed && -e "$dir/pid";
  child_says("started\t$id\t$$\t" . start_time($$) . "\n", $second ? 125 : undef);
  POSIX::dup2(fileno($inFh), 0);
  POSIX::dup2(fileno($logFh), 1);
  POSIX::dup2(fileno($logFh), 2);
  close $inFh;
  close $logFh;
  close $pidFh if $claimed;
  my %env = %base;
  for my $kv (@env) { my $at = index($kv, '='); $env{substr($kv, 0, $at)} = substr($kv, $at + 1) if $at > 0; }
  %ENV = %env;
  # A stop caught before the command runs (a cancel or timeout right after the start) must
  # not let it start and run on until SIGKILL: the command is then not started at all.
  if ($stopping) {
    my $exitFh;
    syswrite($exitFh, "143\n") if sysopen($exitFh, "$dir/exit", POSIX::O_WRONLY() | POSIX::O_CREAT() | POSIX::O_TRUNC(), 0600);
    # Reported here: the launcher reports only the wrappers that were killed or never ran.
    $SIG{PIPE} = 'IGNORE';
    child_says("exit\t$id\t$$\t143\t\n", 143);
  }
  # From here the wrapper is /bin/sh (WRAPPER_SH): a Perl process that lived on beside its
  # command would have its pages copied on both sides of each fork, a shell costs a few pages.
  # fd 3, the engine's socket, stays open for its exit report (dup2 clears close-on-exec).
  POSIX::dup2(fileno($exits), 3);
  exec { '/bin/sh' } '/bin/sh', '-c', $WRAPPER_SH, 'background-task', $shell, $command, $dir, $id;
  child_says("error\t$id\t" . clean("could not run /bin/sh: $!") . "\n", 126);
}

# A wrapper's own line to the engine, on fd 3 with its exit report, so the two arrive in
# order: one small write, which never interleaves with another wrapper's.
sub child_says {
  my ($line, $exit) = @_;
  syswrite($exits, $line);
  POSIX::_exit($exit) if defined $exit;
}

sub pgrp_of {
  my $pid = shift;
  open(my $f, '<', "/proc/$pid/stat") or return -1;
  my $text = <$f>;
  close $f;
  return -1 unless defined $text;
  my @fields = split(/ /, substr($text, rindex($text, ')') + 2));
  return $fields[2];
}

sub sweep {
  my ($id, $token, $signal, $skip) = @_;
  my $needle = "\0" . $MARK . $token . "\0";
  (my $name = $signal) =~ s/^SIG//;
  my @pids;
  if (opendir(my $d, '/proc')) {
    for my $n (readdir $d) {
      next unless $n =~ /^[0-9]+$/ && $n != $$;
      my @st = stat("/proc/$n");
      next unless @st && $st[4] == $<;
      open(my $f, '<', "/proc/$n/environ") or next;
      local $/;
      my $env = <$f>;
      close $f;
      next unless defined $env && index("\0" . $env, $needle) >= 0;
      next if $skip ne '' && pgrp_of($n) == $skip;
      push @pids, $n if kill($name, $n);
    }
    closedir $d;
  }
  $out .= "swept\t$id\t$signal\t" . join(',', @pids) . "\n";
}

sub handle {
  my $op = shift;
  if ($op eq 'start') { start(@_); }
  elsif ($op eq 'env') { %base = (); for my $kv (@_) { my $at = index($kv, '='); $base{substr($kv, 0, $at)} = substr($kv, $at + 1) if $at > 0; } }
  elsif ($op eq 'sweep') { sweep(@_); }
  elsif ($op eq 'nice') { $nice = $_[0] =~ /^[0-9]+$/ ? $_[0] : 0; }
}

sub flush {
  while (length $out) {
    my $len = length $out;
    if ($len > 4096) { $len = rindex($out, "\n", 4095) + 1; $len = 4096 if $len <= 0; }
    my $n = syswrite(STDOUT, $out, $len);
    if (!defined $n) { next if $!{EINTR}; POSIX::_exit(0); }
    substr($out, 0, $n, '');
  }
}

# Records: "<n>\0" then n fields, each ended by "\0".
my $in = '';
sub parse {
  while (1) {
    my $at = index($in, "\0");
    return if $at < 0;
    my $count = substr($in, 0, $at);
    my @fields;
    my $pos = $at + 1;
    for (1 .. $count) {
      my $end = index($in, "\0", $pos);
      return if $end < 0;
      push @fields, substr($in, $pos, $end - $pos);
      $pos = $end + 1;
    }
    substr($in, 0, $pos, '');
    handle(@fields);
  }
}

# fd 3: the engine's socket for the wrappers' exit reports, as a descriptor that the commands
# do not inherit (Perl opens above fd 2 with close-on-exec).
open($exits, '>&', 3) or die "launcher: no fd 3: $!";
POSIX::close(3);
$SIG{CHLD} = \&reap;
$out .= "ready\n";
while (1) {
  reap();
  flush();
  my $rin = '';
  vec($rin, 0, 1) = 1;
  my $ready = select($rin, undef, undef, %idOf ? 0.5 : undef);
  next if $ready <= 0;
  my $n = sysread(STDIN, $in, 262144, length $in);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  parse();
}
flush();
POSIX::_exit(0);
`;
