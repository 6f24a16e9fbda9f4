// `npm run soak`: SOAK_SECONDS (default 600) of random work through the engine, with engines
// thrown away and rebuilt on the same storage, outside kills and a read-only storage folder,
// then checks (see lib/soak/checks.ts). Prints its counts; exits 1 on any violation.
// As root it runs itself as `nobody`: root ignores permission bits, so the read-only folder
// would not be read-only. SOAK_SEED repeats a run's random choices.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkAll } from './lib/soak/checks';
import { Driver } from './lib/soak/driver';
import { count, newLedger, violation } from './lib/soak/ledger';
import { Random } from './lib/soak/random';
import { writeScripts } from './lib/soak/scripts';

const NOBODY = 65534;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

function runAsNobody(): never {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-soak-'));
  fs.chownSync(dir, NOBODY, NOBODY);
  log(`soak: running as uid ${NOBODY} (nobody) so that chmod really makes the storage read-only`);
  const r = spawnSync(process.execPath, [__filename], {
    uid: NOBODY,
    gid: NOBODY,
    stdio: 'inherit',
    cwd: dir,
    env: { ...process.env, HOME: dir, SOAK_DIR: dir },
  });
  if (r.status === 0) fs.rmSync(dir, { recursive: true, force: true });
  process.exit(r.status ?? 1);
}

async function main(): Promise<number> {
  const seconds = Number(process.env.SOAK_SECONDS) || 600;
  const seed = Number(process.env.SOAK_SEED) || Math.floor(Math.random() * 2 ** 31);
  const dir = process.env.SOAK_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bt-soak-'));
  const storageDir = path.join(dir, 'storage');
  const scripts = writeScripts(dir);
  const ledger = newLedger();
  log(`soak: ${seconds} s, seed ${seed}, folder ${dir}`);
  process.on('uncaughtException', (err) => violation(ledger, `uncaught exception in the engine host: ${err.stack?.split('\n').slice(0, 8).join(' | ')}`));
  process.on('unhandledRejection', (err) => violation(ledger, `unhandled rejection in the engine host: ${String((err as Error)?.stack ?? err).split('\n').slice(0, 8).join(' | ')}`));

  const driver = new Driver({ storageDir, seconds, scripts, random: new Random(seed), ledger, log });
  await driver.run();
  log('soak: work done; waiting for every task to end');
  if (!(await driver.drain(180_000))) log('soak: some tasks did not end within 180 s');
  driver.close();
  // A last engine on the same storage: what it restores is the history to compare.
  const engine = await driver.open();
  await new Promise((r) => setTimeout(r, 1500));
  const history = engine.getAllTasks();
  driver.close();
  count(ledger, 'tasks in the final history', history.length);
  checkAll(ledger, history, scripts.side);

  log('\nsoak counts:');
  for (const [k, v] of Object.entries(ledger.counts).sort()) log(`  ${k.padEnd(44)} ${v}`);
  if (ledger.violations.length > 0) {
    log(`\nsoak: ${ledger.violations.length} violation(s) (seed ${seed}, folder kept: ${dir}):`);
    for (const v of ledger.violations.slice(0, 40)) log(`  - ${v}`);
    return 1;
  }
  log(`\nsoak: no violations (seed ${seed})`);
  if (!process.env.SOAK_DIR) fs.rmSync(dir, { recursive: true, force: true });
  return 0;
}

if (process.getuid?.() === 0 && !process.env.SOAK_AS_ROOT) runAsNobody();
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(2);
  },
);
