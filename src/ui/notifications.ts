// The completion notices (the seed's message queue): priority decides how loud, failures are
// errors with the last lines of output, and a burst of finishes becomes one grouped notice.
import { buildCompletionMessage } from '../core/format';
import type { TaskSnapshot, TaskStatus } from '../core/types';
import type { NotificationSink, Severity } from './seams';
import type { NotificationLevel } from './settings';

export const SHOW_OUTPUT = 'Show Output';
export const RERUN = 'Rerun';
export const SHOW_TASKS = 'Show Tasks';
export const SHOW_FAILED = 'Show Failed';
export const SHOW_PROBLEMS = 'Show Problems';

/** Finishes this close together are notified together. */
const GATHER_MS = 400;
/** More toasts than this at once become one grouped notice. */
const GROUP_ABOVE = 3;
const STATUS_MESSAGE_MS = 8000;

export interface NotificationActions {
  showOutput(id: string): unknown;
  rerun(id: string): unknown;
  showTasks(status?: TaskStatus): unknown;
  showProblems?(id: string): unknown;
}

export interface Notice {
  severity: Severity;
  text: string;
  buttons: string[];
}

/**
 * How a single finished task is announced: a toast, a status bar line, or nothing. The text and
 * priority are the task's message, which the engine built when the task ended (a failure already
 * raised to at least high, its last lines of output included); here they are only reshaped.
 */
export function noticeFor(task: TaskSnapshot, level: NotificationLevel): Notice | 'quiet' | undefined {
  const status = task.state.status;
  if (level === 'none' || (level === 'failuresOnly' && status !== 'failed')) return undefined;
  const message = task.message ?? buildCompletionMessage(task);
  const text = withLane(toastText(message.text), task, message.text);
  if (status === 'failed') return { severity: 'error', text, buttons: [SHOW_OUTPUT, RERUN] };
  // A cancel is something a person (or a failed dependency, already announced) did: no toast.
  if (status === 'cancelled') return 'quiet';
  if (message.priority === 'low') return 'quiet';
  return { severity: message.priority === 'urgent' ? 'warning' : 'information', text, buttons: [SHOW_OUTPUT] };
}

/** The engine's message does not name the lane; a toast about a lane's task does, after its first part. */
function withLane(text: string, task: TaskSnapshot, message: string): string {
  if (task.lane === undefined || message.includes('Lane:')) return text;
  const cut = text.indexOf(' · ');
  return cut < 0 ? `${text} · Lane: ${task.lane}` : `${text.slice(0, cut)} · Lane: ${task.lane}${text.slice(cut)}`;
}

/** "12 tasks finished, 2 failed". */
export function groupText(tasks: readonly TaskSnapshot[]): string {
  const failed = tasks.filter((t) => t.state.status === 'failed').length;
  const cancelled = tasks.filter((t) => t.state.status === 'cancelled').length;
  let text = `${tasks.length} tasks finished`;
  if (failed) text += `, ${failed} failed`;
  if (cancelled) text += `, ${cancelled} cancelled`;
  return `${text}.`;
}

function oneLine(text: string): string {
  return text.split('\n')[0];
}

/** A toast shows one paragraph: the seed's indented lines become " · "-separated parts. */
export function toastText(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' · ')
    .replace('Output (last lines): · ', 'Output: ');
}

export class CompletionNotifier {
  private gathered: TaskSnapshot[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Settles when every button chosen so far has been acted on (tests wait on it). */
  idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: () => NotificationSink,
    private readonly level: () => NotificationLevel,
    private readonly actions: NotificationActions,
    private readonly logError: (message: string) => void,
    /** How many problems a task's matchers found; a failure with some offers Show Problems. */
    private readonly problemCount: (id: string) => number = () => 0,
  ) {}

  /** How many finished tasks wait for the gathering window to close. */
  get gathering(): number {
    return this.gathered.length;
  }

  taskFinished(task: TaskSnapshot): void {
    this.gathered.push(task);
    this.timer ??= setTimeout(() => this.flush(), GATHER_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const tasks = this.gathered;
    this.gathered = [];
    const level = this.level();
    const toasts: [TaskSnapshot, Notice][] = [];
    const quiet: TaskSnapshot[] = [];
    for (const task of tasks) {
      const notice = noticeFor(task, level);
      if (notice === 'quiet') quiet.push(task);
      else if (notice) toasts.push([task, notice]);
    }
    if (quiet.length === 1) this.sink().statusMessage(oneLine((quiet[0].message ?? buildCompletionMessage(quiet[0])).text), STATUS_MESSAGE_MS);
    else if (quiet.length > 1) this.sink().statusMessage(groupText(quiet), STATUS_MESSAGE_MS);
    if (toasts.length > GROUP_ABOVE) {
      const all = toasts.map(([task]) => task);
      const failed = all.some((t) => t.state.status === 'failed');
      this.show({ severity: failed ? 'error' : 'information', text: groupText(all), buttons: failed ? [SHOW_FAILED, SHOW_TASKS] : [SHOW_TASKS] });
    } else {
      for (const [task, notice] of toasts) {
        const offer = task.state.status === 'failed' && this.problemCount(task.id) > 0;
        this.show(offer ? { ...notice, buttons: [SHOW_PROBLEMS, ...notice.buttons] } : notice, task.id);
      }
    }
  }

  private show(notice: Notice, taskId?: string): void {
    const shown = Promise.resolve(this.sink().show(notice.severity, notice.text, notice.buttons)).then((choice) => {
      if (choice === SHOW_OUTPUT && taskId) return this.actions.showOutput(taskId);
      if (choice === RERUN && taskId) return this.actions.rerun(taskId);
      if (choice === SHOW_PROBLEMS && taskId) return this.actions.showProblems?.(taskId);
      if (choice === SHOW_TASKS) return this.actions.showTasks();
      if (choice === SHOW_FAILED) return this.actions.showTasks('failed');
      return undefined;
    });
    const acted = shown.then(
      () => undefined,
      (error: unknown) => this.logError(`A notification's button failed: ${error instanceof Error ? error.message : String(error)}`),
    );
    this.idle = Promise.all([this.idle, acted]).then(() => undefined);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
