// The shape of benchmark results, and the alternating-rounds driver that fills them.
import { median } from './stats';

export interface Row {
  /** Rows of one group are compared with each other (e.g. "2000 × true"). */
  group: string;
  subject: string;
  metric: string;
  unit: string;
  samples: number[];
  median: number;
  /** Our engine's row: the others get a ratio ours/theirs on the same group and metric. */
  ours?: boolean;
}

export interface Target {
  text: string;
  measured: string;
  /** undefined: not measured this run. */
  met: boolean | undefined;
  note?: string;
}

export interface BenchResult {
  id: string;
  title: string;
  rows: Row[];
  targets: Target[];
  notes: string[];
}

/** ours.median / row.median for a baseline row; undefined for ours or without a match. */
export function ratioOf(result: BenchResult, row: Row): number | undefined {
  if (row.ours) return undefined;
  const ours = result.rows.find((r) => r.ours && r.group === row.group && r.metric === row.metric);
  return ours && row.median > 0 ? ours.median / row.median : undefined;
}

export function findRow(result: BenchResult, group: string, subject: string, metric: string): Row | undefined {
  return result.rows.find((r) => r.group === group && r.subject === subject && r.metric === metric);
}

/** One measured subject: runs once and returns named figures (metric -> value). */
export interface Subject {
  name: string;
  ours?: boolean;
  run: () => Promise<Record<string, number>>;
}

/**
 * Runs every subject once per round, rotating the order each round so no subject always
 * goes first (cold caches) or last, and collects the samples into rows.
 */
export async function alternate(
  group: string,
  subjects: Subject[],
  rounds: number,
  units: Record<string, string>,
  log: (line: string) => void,
): Promise<Row[]> {
  const samples = new Map<string, Record<string, number[]>>();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < subjects.length; i++) {
      const s = subjects[(i + r) % subjects.length];
      const figures = await s.run();
      const bag = samples.get(s.name) ?? {};
      for (const [k, v] of Object.entries(figures)) (bag[k] ??= []).push(v);
      samples.set(s.name, bag);
      log(`  ${group} · round ${r + 1}/${rounds} · ${s.name}: ${Object.entries(figures).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' ')}`);
    }
  }
  const rows: Row[] = [];
  for (const s of subjects) {
    for (const [metric, values] of Object.entries(samples.get(s.name) ?? {})) {
      rows.push({ group, subject: s.name, metric, unit: units[metric] ?? '', samples: values, median: median(values), ours: s.ours });
    }
  }
  return rows;
}
