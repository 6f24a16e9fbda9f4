// `npm run bench`: every benchmark, ours and the baselines alternating, several rounds. Writes
// bench/results/latest.json and bench/RESULTS.md. BENCH_QUICK=1: fewer rounds, smaller sizes;
// BENCH_ONLY=queue,capture,...: a subset.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { benchBundle } from './lib/benchBundle';
import { benchCapture } from './lib/benchCapture';
import { benchChatty } from './lib/benchChatty';
import { benchHistory } from './lib/benchHistory';
import { benchQueue } from './lib/benchQueue';
import { makeContext, type Context } from './lib/context';
import { createCostMs, machineInfo } from './lib/machine';
import { ensurePeers } from './lib/peers';
import { toMarkdown, writeJson, type Report } from './lib/report';
import type { BenchResult } from './lib/results';

const BENCHES: Record<string, (ctx: Context) => Promise<BenchResult>> = {
  queue: benchQueue,
  capture: benchCapture,
  chatty: benchChatty,
  history: benchHistory,
  bundle: benchBundle,
};

async function main(): Promise<void> {
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const started = Date.now();
  const machine = machineInfo();
  const peers = ensurePeers(log);
  const ctx = makeContext(peers, log);
  const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
  const results: BenchResult[] = [];
  try {
    for (const [name, bench] of Object.entries(BENCHES)) {
      if (only && !only.includes(name)) continue;
      results.push(await bench(ctx));
    }
  } finally {
    ctx.cleanup();
  }
  machine.load.push(os.loadavg()[0]);
  machine.createCostMs?.push(createCostMs());
  const report: Report = { machine, quick: ctx.quick, totalSeconds: (Date.now() - started) / 1000, skipped: peers.skipped, results };
  // Source folder, not out/bench: RESULTS.md is committed, latest.json ignored.
  const benchDir = path.join(__dirname, '..', '..', 'bench');
  writeJson(path.join(benchDir, 'results', 'latest.json'), report);
  const md = toMarkdown(report);
  if (!only) fs.writeFileSync(path.join(benchDir, 'RESULTS.md'), md);
  log(`\n${md}`);
  log(only ? 'BENCH_ONLY set: RESULTS.md left as it was; figures in bench/results/latest.json.' : 'Wrote bench/RESULTS.md and bench/results/latest.json.');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
