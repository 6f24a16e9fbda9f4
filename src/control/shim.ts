// The `bgt` on the terminal's PATH: a two-line sh script that runs dist/cli.js with the
// extension host's own Node, so bgt works on any machine the extension host runs on (a
// remote, a container) with nothing installed. On desktop VS Code that binary is Electron,
// which runs as plain Node with ELECTRON_RUN_AS_NODE=1.
import * as fs from 'node:fs';
import * as path from 'node:path';

function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function shimText(nodePath: string, cliPath: string, electron: boolean): string {
  const lines = ['#!/bin/sh', '# bgt, the Background Tasks command line; written by the extension when it starts (see bgt --help).'];
  // BGT_SHIM_ELECTRON tells bgt to keep ELECTRON_RUN_AS_NODE out of the tasks it queues.
  if (electron) lines.push('ELECTRON_RUN_AS_NODE=1 BGT_SHIM_ELECTRON=1; export ELECTRON_RUN_AS_NODE BGT_SHIM_ELECTRON');
  lines.push(`exec ${shQuote(nodePath)} ${shQuote(cliPath)} "$@"`, '');
  return lines.join('\n');
}

/** Writes `binDir/bgt` (0755) atomically, so a terminal never runs half a script; returns its path. */
export function writeShim(binDir: string, nodePath: string, cliPath: string, electron = !!process.versions.electron): string {
  fs.mkdirSync(binDir, { recursive: true, mode: 0o700 });
  const target = path.join(binDir, 'bgt');
  const text = shimText(nodePath, cliPath, electron);
  try {
    if (fs.readFileSync(target, 'utf8') === text) return target;
  } catch {
    // not there yet
  }
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, text, { mode: 0o755 });
  fs.chmodSync(temp, 0o755);
  fs.renameSync(temp, target);
  return target;
}

/** PATH with `dir` first, and only once (a terminal's PATH may already hold it). */
export function prependPath(dir: string, current: string | undefined): string {
  const rest = (current ?? '').split(path.delimiter).filter((p) => p !== '' && p !== dir);
  return [dir, ...rest].join(path.delimiter);
}
