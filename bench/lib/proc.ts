// Running commands and Node children for measurements: wall time, and /proc memory figures.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

/** A field of /proc/<pid>/status in KiB (VmRSS, VmHWM...), or undefined when unreadable. */
export function procStatusKiB(pid: number | 'self', field: string): number | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets this process's VmHWM to its current RSS (Linux: "5" into clear_refs). */
export function resetPeakRss(): boolean {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Wall time in ms of `bash -c script`; throws with its stderr when it fails. */
export function timeShell(script: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('bash', ['-c', script], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`bash -c failed (exit ${code}): ${script.slice(0, 200)}\n${err}`));
    });
  });
}

/** Runs `node <script> <json>` and parses the last stdout line as JSON. */
export function runNodeJson<T>(script: string, arg: unknown, nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, script, JSON.stringify(arg)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} ${JSON.stringify(arg)} exited ${code}\n${out.slice(-2000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script}: no JSON result on its last line:\n${out.slice(-2000)}`));
      }
    });
  });
}

/** True when `cmd` is on PATH. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
