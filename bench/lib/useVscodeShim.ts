// Importing this makes require('vscode') load ./vscodeShim in this process (plain Node has no
// 'vscode'). A side-effect module, so it runs before any later import needs it.
import Module from 'node:module';
import * as path from 'node:path';

type Resolve = (request: string, ...rest: unknown[]) => string;

const mod = Module as unknown as { _resolveFilename: Resolve };
const original = mod._resolveFilename;
const shim = path.join(__dirname, 'vscodeShim.js');
mod._resolveFilename = function (request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? shim : original.call(this, request, ...rest);
};
