// The launcher's small program, run as `perl -e LAUNCHER_PERL` when
// BACKGROUND_TASKS_LAUNCHER=perl: a Perl process of about 7 MB where the Node launcher
// (launcherScript.ts) takes about 45. Perl (perl-base, with POSIX) is part of every Debian and
// Ubuntu system and of macOS; where it is missing or fails to start, the engine falls back to
// the Node program, which speaks the same protocol (see launcher.ts). No backquotes and no
// dollar-brace in here: it is a String.raw template.
//
// Each task: one fork, whose child sets up the session, folder and descriptors and execs
// /bin/sh as the task's wrapper (commandShell.ts) straight away. The log, the stdin file and
// the working folder are opened and checked before the fork, so their errors arrive as
// errors, not as a task that ran. Children are reaped in a SIGCHLD handler, which also writes
// their exits out. Perl runs signal handlers between its own operations, so a SIGCHLD that
// lands in the few operations before select() blocks would wait for the next input: while
// tasks run, select() also wakes ten times a second.
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
my $wrapper = '';
my $flushing = 0;
# The wrappers' $6: the command gets the umask the launcher was started with.
my $umask = sprintf('0%o', umask);
sub clean { my $s = shift; $s =~ s/[\t\n\r]/ /g; return $s; }

# Every wrapper's end is reported here, by its pid (a wrapper says "started" itself, on fd 3:
# the runner holds an exit that comes first until its start).
sub report_exit {
  my ($pid, $status) = @_;
  my $id = delete $idOf{$pid};
  if (!defined $id) { $early{$pid} = $status; return; }
  my ($code, $sig) = ($status & 127) ? ('', $status & 127) : ($status >> 8, '');
  $out .= "exit\t$id\t$pid\t$code\t$sig\n";
}

sub reap { while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { report_exit($p, $?); } }

# SIGCHLD: Perl runs the handler between two of its operations, so the exits go out at once,
# not after the next select().
sub on_child { reap(); flush(); }

sub shell_problem {
  my $shell = shift;
  return undef if $goodShell{$shell};
  my @dirs = index($shell, '/') >= 0 ? ('') : map { $_ . '/' } grep { length } split(/:/, defined $base{PATH} ? $base{PATH} : '/usr/bin:/bin');
  for my $d (@dirs) {
    if (-f $d . $shell && -x _) { $goodShell{$shell} = 1; return undef; }
  }
  return 'the shell "' . $shell . '" was not found or is not executable: set backgroundTasks.shell to a program such as /bin/bash';
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
  # Set here, not in the child: every page the child writes before its exec is a copy.
  my %env = %base;
  for my $kv (@env) { my $at = index($kv, '='); $env{substr($kv, 0, $at)} = substr($kv, $at + 1) if $at > 0; }
  %ENV = %env;
  my $pid = fork();
  return fail($id, "could not fork: $!") unless defined $pid;
  run_task($id, $shell, $command, $dir, $cwd, $logFh, $inFh) if $pid == 0;
  close $logFh;
  close $inFh;
  $idOf{$pid} = $id;
  report_exit($pid, delete $early{$pid}) if exists $early{$pid};
}

# The forked child becomes the task's wrapper: its own session, its folder, stdin and log,
# fd 3 for the wrapper's "started", then at once /bin/sh with the wrapper (commandShell.ts),
# which claims the pid file, says "started" and runs the command. The less this Perl child
# does, the fewer of its pages are copied before the exec.
sub run_task {
  my ($id, $shell, $command, $dir, $cwd, $logFh, $inFh) = @_;
  POSIX::setsid();
  chdir($cwd) or child_says("error\t$id\t" . clean("working folder does not exist: $cwd") . "\n", 126);
  POSIX::dup2(fileno($inFh), 0);
  POSIX::dup2(fileno($logFh), 1);
  POSIX::dup2(fileno($logFh), 2);
  # dup2 clears close-on-exec: the wrapper gets the engine's socket as fd 3 and closes it
  # before the command runs.
  POSIX::dup2(fileno($exits), 3);
  exec { '/bin/sh' } '/bin/sh', '-c', $wrapper, '/bin/sh', $shell, $command, $dir, $nice, $umask, $id;
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
  elsif ($op eq 'wrapper') { $wrapper = $_[0]; }
}

sub flush {
  return if $flushing;
  $flushing = 1;
  while (length $out) {
    my $len = length $out;
    if ($len > 4096) { $len = rindex($out, "\n", 4095) + 1; $len = 4096 if $len <= 0; }
    my $n = syswrite(STDOUT, $out, $len);
    if (!defined $n) { next if $!{EINTR}; POSIX::_exit(0); }
    substr($out, 0, $n, '');
  }
  $flushing = 0;
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
$SIG{CHLD} = \&on_child;
$out .= "ready\n";
while (1) {
  reap();
  flush();
  my $rin = '';
  vec($rin, 0, 1) = 1;
  my $ready = select($rin, undef, undef, %idOf ? 0.1 : undef);
  next if $ready <= 0;
  my $n = sysread(STDIN, $in, 262144, length $in);
  if (!defined $n) { next if $!{EINTR}; last; }
  last if $n == 0;
  parse();
}
flush();
POSIX::_exit(0);
`;
