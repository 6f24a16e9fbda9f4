// Writes the results: bench/results/latest.json (ignored by git) and bench/RESULTS.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineInfo } from './machine';
import { ratioOf, type BenchResult } from './results';
import { fmt } from './stats';

export interface Report {
  machine: MachineInfo;
  quick: boolean;
  totalSeconds: number;
  skipped: string[];
  results: BenchResult[];
}

export function writeJson(file: string, report: Report): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}

function mark(met: boolean | undefined): string {
  return met === undefined ? 'not measured' : met ? '**met**' : '**missed**';
}

export function toMarkdown(report: Report): string {
  const m = report.machine;
  const out: string[] = [
    '# Benchmark results',
    '',
    `Measured by \`npm run bench\`${report.quick ? ' with BENCH_QUICK=1 (fewer rounds, smaller sizes)' : ''} on ${m.date.slice(0, 10)}:`,
    `${m.cores} × ${m.cpuModel}, ${m.memoryGiB} GiB memory, ${m.kernel}, Node ${m.node}. Total run ${Math.round(report.totalSeconds)} s; 1-minute load average ${m.load.map((l) => l.toFixed(1)).join(' at the start, ')} at the end (above the core count, other work on the machine competed with the run).` +
      (m.createCostMs ? ` Creating a file in the temp folder cost ${m.createCostMs.map((c) => c.toFixed(3)).join(' ms of kernel CPU at the start, ')} ms at the end (ext4 right after many deletions: up to 0.85; see bench/README.md).` : ''),
    'Every figure is the median over the rounds; ours and the baselines alternate within each round.',
    'The ratio is ours / baseline (below 1: we are faster or smaller).',
    '',
    '## Targets',
    '',
    '| target | measured | result |',
    '| --- | --- | --- |',
  ];
  for (const r of report.results) {
    for (const t of r.targets) out.push(`| ${t.text} | ${t.measured} | ${mark(t.met)}${t.note ? ` (${t.note})` : ''} |`);
  }
  for (const r of report.results) {
    out.push('', `## ${r.title}`, '');
    if (r.rows.length > 0) {
      out.push('| case | subject | metric | median | rounds | ours / this |', '| --- | --- | --- | ---: | ---: | ---: |');
      for (const row of r.rows) {
        const ratio = ratioOf(r, row);
        out.push(
          `| ${row.group} | ${row.ours ? `**${row.subject}**` : row.subject} | ${row.metric} | ${fmt(row.median)} ${row.unit} | ${row.samples.length} | ${ratio === undefined ? '' : `${fmt(ratio)}×`} |`,
        );
      }
    }
    for (const n of r.notes) out.push('', n);
  }
  if (report.skipped.length > 0) out.push('', '## Skipped', '', ...report.skipped.map((s) => `- ${s}`));
  return out.join('\n') + '\n';
}
