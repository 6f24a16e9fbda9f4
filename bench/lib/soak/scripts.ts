// The soak's task programs: each prints known content (a counted sequence) and stamps its start
// and end into a side file, so logs can be checked byte for byte and concurrency measured.
import * as fs from 'node:fs';
import * as path from 'node:path';

const TASK = `# $1 token, $2 lines, $3 seconds of sleep, $4 exit code, $5 side file
printf 'S %s %s\\n' "$1" "$(date +%s%N)" >> "$5"
seq -f "$1 line %.0f" 1 "$2"
sleep "$3"
echo "$1 done"
printf 'E %s %s\\n' "$1" "$(date +%s%N)" >> "$5"
exit "$4"
`;

// stdin is another task's log: pass it on unchanged.
const PIPE = `# $1 token, $2 side file
printf 'S %s %s\\n' "$1" "$(date +%s%N)" >> "$2"
cat
printf 'E %s %s\\n' "$1" "$(date +%s%N)" >> "$2"
`;

// Counts its attempts in a file of its own and stamps each as `<token>.<n>`; fails (exit 3)
// while n <= $3, then exits 0.
const RETRY = `# $1 token, $2 lines, $3 failing attempts, $4 side file
n=$(( $(cat "$4.$1" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$4.$1"
printf 'S %s.%s %s\\n' "$1" "$n" "$(date +%s%N)" >> "$4"
seq -f "$1 line %.0f" 1 "$2"
echo "$1 done"
printf 'E %s.%s %s\\n' "$1" "$n" "$(date +%s%N)" >> "$4"
[ "$n" -gt "$3" ] || exit 3
`;

export interface Scripts {
  task: string;
  pipe: string;
  retry: string;
  side: string;
}

export function writeScripts(dir: string): Scripts {
  const s = { task: path.join(dir, 'task.sh'), pipe: path.join(dir, 'pipe.sh'), retry: path.join(dir, 'retry.sh'), side: path.join(dir, 'side.log') };
  fs.writeFileSync(s.task, TASK, { mode: 0o755 });
  fs.writeFileSync(s.retry, RETRY, { mode: 0o755 });
  fs.writeFileSync(s.pipe, PIPE, { mode: 0o755 });
  fs.writeFileSync(s.side, '');
  return s;
}

export function taskCommand(s: Scripts, token: string, lines: number, sleep: number, exit: number): string {
  return `sh ${s.task} ${token} ${lines} ${sleep} ${exit} ${s.side}`;
}

export function retryCommand(s: Scripts, token: string, lines: number, fails: number): string {
  return `sh ${s.retry} ${token} ${lines} ${fails} ${s.side}`;
}

export function pipeCommand(s: Scripts, token: string): string {
  return `sh ${s.pipe} ${token} ${s.side}`;
}

/** What task.sh prints when it runs to its end. */
export function expectedLog(token: string, lines: number): string {
  let out = '';
  for (let i = 1; i <= lines; i++) out += `${token} line ${i}\n`;
  return `${out}${token} done\n`;
}

/** Start and end stamps (ms since the epoch) per token, from the side file. */
export function readStamps(side: string): Map<string, { start?: number; end?: number }> {
  const map = new Map<string, { start?: number; end?: number }>();
  for (const line of fs.readFileSync(side, 'utf8').split('\n')) {
    const m = /^([SE]) (\S+) (\d+)$/.exec(line);
    if (!m) continue;
    const entry = map.get(m[2]) ?? {};
    const ms = Number(BigInt(m[3]) / 1000n) / 1000;
    if (m[1] === 'S') entry.start = ms;
    else entry.end = ms;
    map.set(m[2], entry);
  }
  return map;
}
