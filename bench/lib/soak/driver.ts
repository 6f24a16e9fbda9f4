// The soak's random work: engine generations on one storage folder, and spawns, chains, pipes,
// cancels, limit changes, outside kills (of tasks and of the launcher), a read-only storage
// folder and a clearFinished.
import { execFileSync } from 'node:child_process';
import { TaskEngine } from '../../../src/core/engine';
import { TASK_PRIORITIES } from '../../../src/core/types';
import { launcherPids } from './launcher';
import { count, violation, type Ledger, type Planned } from './ledger';
import type { Random } from './random';
import { queuePauseEpisode, resumeAll, spawnRetry, spawnTimed, taskPauseEpisode } from './queueWork';
import { pipeCommand, taskCommand, type Scripts } from './scripts';

export interface DriverOptions {
  storageDir: string;
  seconds: number;
  scripts: Scripts;
  random: Random;
  ledger: Ledger;
  log: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const MAX_IN_FLIGHT = 40;

export class Driver {
  engine: TaskEngine | undefined;
  private limit = 4;
  private tokens = 0;
  private readonly recent: string[] = [];
  /** Tasks paused by the soak and not resumed yet. */
  private readonly paused = new Set<string>();
  private pausing = false;

  constructor(private readonly o: DriverOptions) {}

  async open(): Promise<TaskEngine> {
    const engine = await TaskEngine.open({
      storageDir: this.o.storageDir,
      maxConcurrentTasks: this.limit,
      historyLimit: 1_000_000,
      cancelGraceMs: 1000,
      pollIntervalMs: 200,
      log: (m) => {
        count(this.o.ledger, 'engine warnings');
        this.o.log(`  engine: ${m.slice(0, 200)}`);
      },
    });
    this.o.ledger.limits.push([Date.now(), this.limit]);
    engine.onDidFinishTask((s) => {
      const list = this.o.ledger.finishEvents.get(s.id) ?? [];
      list.push(s);
      this.o.ledger.finishEvents.set(s.id, list);
      count(this.o.ledger, `finished ${s.state.status}`);
    });
    engine.onDidRemoveTask((s) => {
      const p = this.o.ledger.planned.get(s.id);
      if (p) p.removed = true;
      count(this.o.ledger, 'removed by clearFinished');
    });
    count(this.o.ledger, 'engine generations');
    this.engine = engine;
    // Chains and pipes name recent tasks, which must be loaded to be found.
    await engine.ready;
    return engine;
  }

  close(): void {
    this.engine?.dispose();
    this.engine = undefined;
  }

  async run(): Promise<void> {
    const { seconds, random } = this.o;
    const start = Date.now();
    const end = start + seconds * 1000;
    const at = (f: number): number => start + f * seconds * 1000;
    const readOnlyAt = [at(0.35), at(0.7)];
    let clearAt: number | undefined = at(0.55);
    const queuePauseAt = [at(0.2), at(0.45), at(0.8)];
    let nextReopen = start + random.int(12_000, 30_000);
    await this.open();
    while (Date.now() < end) {
      const now = Date.now();
      if (now >= nextReopen) {
        await this.reopen();
        nextReopen = Date.now() + random.int(12_000, 30_000);
      } else if (readOnlyAt.length > 0 && now >= readOnlyAt[0]) {
        readOnlyAt.shift();
        await this.readOnlyEpisode();
      } else if (queuePauseAt.length > 0 && now >= queuePauseAt[0]) {
        queuePauseAt.shift();
        await queuePauseEpisode(() => this.engine!, random, this.o.ledger, () => this.reopen(), () => this.randomAction());
      } else if (clearAt !== undefined && now >= clearAt) {
        clearAt = undefined;
        this.engine!.clearFinished();
        count(this.o.ledger, 'clearFinished calls');
      } else {
        this.randomAction();
      }
      await sleep(random.int(100, 350));
    }
  }

  /** Waits until nothing is pending or running; false on timeout. */
  async drain(timeoutMs: number): Promise<boolean> {
    resumeAll(this.engine!, this.o.ledger, this.paused);
    if (this.engine!.isQueuePaused()) this.engine!.resumeQueue();
    this.engine!.setMaxConcurrentTasks((this.limit = 8));
    this.o.ledger.limits.push([Date.now(), this.limit]);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.engine!.getAllTasks({ status: ['pending', 'running'] }).length === 0) return true;
      await sleep(250);
    }
    return false;
  }

  private async reopen(): Promise<void> {
    this.close();
    const r = this.o.random.next();
    const gap = r < 0.4 ? 0 : r < 0.85 ? this.o.random.int(300, 3000) : 6000;
    this.o.log(`  reopening the engine after ${gap} ms`);
    await sleep(gap);
    await this.open();
  }

  private async readOnlyEpisode(): Promise<void> {
    const ms = 1500;
    this.o.log(`  storage folder read-only for ${ms} ms`);
    const from = Date.now();
    // Folders only: no task folder, task.json or exit file can be created or replaced.
    execFileSync('sh', ['-c', `find "$1" -type d -exec chmod u-w {} +`, 'sh', this.o.storageDir]);
    const until = Date.now() + ms;
    while (Date.now() < until) {
      this.randomAction();
      await sleep(this.o.random.int(100, 300));
    }
    execFileSync('sh', ['-c', `find "$1" -type d -exec chmod u+w {} +`, 'sh', this.o.storageDir]);
    this.o.ledger.readOnly.push([from, Date.now()]);
    count(this.o.ledger, 'read-only episodes');
  }

  private randomAction(): void {
    const engine = this.engine!;
    const r = this.o.random.next() * 10;
    const live = engine.getAllTasks({ status: ['pending', 'running'] });
    try {
      if (r < 6) {
        if (live.length < MAX_IN_FLIGHT) this.spawn(r < 4 ? 'plain' : r < 5.2 ? 'chain' : 'pipe');
      } else if (r < 7.5) {
        this.cancel(live.map((t) => t.id));
      } else if (r < 8.3) {
        engine.setMaxConcurrentTasks((this.limit = this.o.random.int(1, 8)));
        this.o.ledger.limits.push([Date.now(), this.limit]);
        count(this.o.ledger, 'limit changes');
      } else if (r < 8.7) {
        this.killOutside(live.filter((t) => t.state.status === 'running').map((t) => t.id));
      } else if (r < 8.75) {
        this.killLauncher();
      } else if (r < 9.7) {
        this.queueControlAction(r);
      }
    } catch (err) {
      count(this.o.ledger, `calls that threw (${(err as Error).constructor.name})`);
      this.o.log(`  call threw: ${String((err as Error).message).slice(0, 160)}`);
    }
  }

  private spawn(kind: Planned['kind']): void {
    const { random, scripts, ledger } = this.o;
    const token = `t${++this.tokens}`;
    const lines = random.chance(0.08) ? random.int(50_000, 200_000) : random.int(0, 3000);
    const exit = random.chance(0.15) ? 3 : 0;
    const sleepS = random.chance(0.3) ? 0 : random.int(1, 25) / 10;
    const base = { priority: random.pick(TASK_PRIORITIES)!, metadata: { token } };
    const planned: Planned = { token, id: '', kind, lines, exit, dependsOn: [], spawnedAt: Date.now() };
    if (kind === 'pipe') {
      const from = random.pick(this.recent.slice(-15));
      if (!from) return;
      planned.stdinFrom = from;
      planned.lines = -1;
      planned.exit = 0;
      planned.id = this.engine!.spawnTask({ ...base, command: pipeCommand(scripts, token), stdinFrom: from });
    } else {
      if (kind === 'chain') {
        const n = random.int(1, 2);
        for (let i = 0; i < n; i++) {
          const d = random.pick(this.recent.slice(-15));
          if (d && !planned.dependsOn.includes(d)) planned.dependsOn.push(d);
        }
        if (planned.dependsOn.length === 0) return;
      }
      planned.id = this.engine!.spawnTask({ ...base, command: taskCommand(scripts, token, lines, sleepS, exit), dependsOn: planned.dependsOn });
    }
    ledger.planned.set(planned.id, planned);
    this.recent.push(planned.id);
    count(ledger, `spawned ${kind}`);
  }

  /** Retries, timeouts and pausing a task (queue pauses are episodes of run()). */
  private queueControlAction(r: number): void {
    const { random, scripts, ledger } = this.o;
    const engine = this.engine!;
    if (r < 9.3) {
      if (engine.getAllTasks({ status: ['pending', 'running'] }).length >= MAX_IN_FLIGHT) return;
      const token = `t${++this.tokens}`;
      const planned = r < 9 ? spawnRetry(engine, random, scripts, token) : spawnTimed(engine, random, scripts, token);
      ledger.planned.set(planned.id, planned);
      count(ledger, `spawned ${planned.kind}`);
    } else if (!this.pausing) {
      this.pausing = true;
      void taskPauseEpisode(engine, random, ledger, this.paused)
        .catch((err: unknown) => count(ledger, `calls that threw (${(err as Error).constructor.name})`))
        .finally(() => (this.pausing = false));
    }
  }

  private cancel(ids: string[]): void {
    const id = this.o.random.pick(ids);
    if (!id) return;
    const result = this.engine!.cancelTask(id, 'soak cancel');
    if (result.ok) {
      const p = this.o.ledger.planned.get(id);
      if (p && p.cancelledAt === undefined) p.cancelledAt = Date.now();
      count(this.o.ledger, 'cancels');
    } else {
      count(this.o.ledger, 'cancels refused');
    }
  }

  /**
   * SIGKILL to the engine's launcher: its tasks run on and are polled, the starts it had not
   * answered go to the next one (none lost, none run twice: the checks say so).
   */
  private killLauncher(): void {
    for (const pid of launcherPids()) {
      try {
        process.kill(pid, 'SIGKILL');
        count(this.o.ledger, 'launcher killed');
      } catch {
        // ended meanwhile
      }
    }
  }

  private killOutside(ids: string[]): void {
    const id = this.o.random.pick(ids);
    const t = id && this.engine!.getTask(id);
    if (!t || t.state.status !== 'running') return;
    try {
      process.kill(-t.state.pid, 'SIGKILL');
      const p = this.o.ledger.planned.get(t.id);
      if (p && p.killedAt === undefined) p.killedAt = Date.now();
      count(this.o.ledger, 'killed from outside');
    } catch (err) {
      // The group ended after the snapshot said running: the engine hears of it a moment later.
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') count(this.o.ledger, 'kills that found the group already gone');
      else violation(this.o.ledger, `kill -9 of task ${t.id}'s group ${t.state.pid} failed: ${(err as Error).message}`);
    }
  }
}
