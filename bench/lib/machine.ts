// What the figures were measured on: cores, memory, kernel, Node version, date.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  platform: string;
  /** 1-minute load average when the run started and ended: other work on the machine skews figures. */
  load: number[];
  /**
   * Kernel CPU (ms) per file created in the temp folder, when the run started and ended: ext4
   * after many deletions pays up to 50 times its quiet cost (bench/README.md, "recently deleted
   * inodes"), and every task makes several files.
   */
  createCostMs?: number[];
}

/** Kernel CPU per file created (and closed) in a fresh folder under the temp folder, over 500 files. */
export function createCostMs(): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-create-'));
  try {
    const before = process.cpuUsage();
    for (let i = 0; i < 500; i++) fs.closeSync(fs.openSync(path.join(dir, String(i)), 'w'));
    return process.cpuUsage(before).system / 1000 / 500;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load: [os.loadavg()[0]],
    createCostMs: [createCostMs()],
  };
}
