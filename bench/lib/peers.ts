// The Debian peers we measure against: task-spooler, nq, GNU parallel. Installed when missing
// and we are root; otherwise the exact apt command is printed and that peer is skipped.
import { spawnSync } from 'node:child_process';
import { hasCommand } from './proc';

export interface Peers {
  /** task-spooler's binary: Debian calls it `tsp` (upstream `ts`, which moreutils also uses). */
  tsp?: string;
  nq?: string;
  parallel?: string;
  skipped: string[];
}

const PACKAGES: Record<'tsp' | 'nq' | 'parallel', string> = { tsp: 'task-spooler', nq: 'nq', parallel: 'parallel' };

function findTsp(): string | undefined {
  if (hasCommand('tsp')) return 'tsp';
  // `ts` may be moreutils' timestamp filter: only task-spooler's answers -V with its name.
  if (hasCommand('ts')) {
    const v = spawnSync('ts', ['-V'], { encoding: 'utf8', env: { ...process.env, TS_SOCKET: '/nonexistent' } });
    if (`${v.stdout}${v.stderr}`.toLowerCase().includes('task spooler')) return 'ts';
  }
  return undefined;
}

function find(): Omit<Peers, 'skipped'> {
  return {
    tsp: findTsp(),
    nq: hasCommand('nq') ? 'nq' : undefined,
    parallel: hasCommand('parallel') ? 'parallel' : undefined,
  };
}

export function ensurePeers(log: (line: string) => void): Peers {
  let found = find();
  const missing = (Object.keys(PACKAGES) as (keyof typeof PACKAGES)[]).filter((k) => !found[k]);
  if (missing.length > 0 && process.getuid?.() === 0) {
    const pkgs = missing.map((k) => PACKAGES[k]);
    log(`installing peers: apt-get install -y ${pkgs.join(' ')}`);
    spawnSync('apt-get', ['install', '-y', ...pkgs], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    found = find();
  }
  const skipped: string[] = [];
  for (const k of Object.keys(PACKAGES) as (keyof typeof PACKAGES)[]) {
    if (!found[k]) {
      const line = `SKIPPED peer ${PACKAGES[k]}: not installed. Install it with: sudo apt-get install -y ${PACKAGES[k]}`;
      log(line);
      skipped.push(line);
    }
  }
  return { ...found, skipped };
}
