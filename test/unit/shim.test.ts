// The `bgt` shim on the terminal's PATH, and the environment bgt hands its tasks.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { terminalEnv } from '../../src/cli/waiting';
import { prependPath, shimText, writeShim } from '../../src/control/shim';
import { CLI } from './controlHelpers';
import { Sandbox } from './helpers';

describe('the bgt shim', () => {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('is an executable sh script on PATH that runs the CLI with the given Node', () => {
    const bin = box.tempDir('bgt-bin-');
    const shim = writeShim(bin, process.execPath, CLI, false);
    assert.equal(fs.statSync(shim).mode & 0o777, 0o755);
    const out = execFileSync('sh', ['-c', 'bgt --help'], { env: { ...process.env, PATH: prependPath(bin, process.env.PATH) }, encoding: 'utf8' });
    assert.match(out, /^Usage: bgt COMMAND/);
    // Written again only when it would change, and never half-written (temp file, then rename).
    assert.equal(writeShim(bin, process.execPath, CLI, false), shim);
    assert.deepEqual(fs.readdirSync(bin), ['bgt']);
  });

  it('runs Electron as Node on desktop, and bgt keeps that variable out of its tasks', () => {
    assert.match(shimText('/opt/code/code', '/ext/dist/cli.js', true), /ELECTRON_RUN_AS_NODE=1/);
    assert.doesNotMatch(shimText('/usr/bin/node', "/it's/cli.js", false), /ELECTRON/);
    assert.match(shimText('/usr/bin/node', "/it's/cli.js", false), /exec '\/usr\/bin\/node' '\/it'\\''s\/cli\.js' "\$@"/);
    const env = terminalEnv({ ELECTRON_RUN_AS_NODE: '1', BGT_SHIM_ELECTRON: '1', VIRTUAL_ENV: '/v', _: '/usr/bin/bgt', SHLVL: '2' });
    assert.deepEqual(env, { VIRTUAL_ENV: '/v' });
  });

  it('PATH gets the bgt folder first, once', () => {
    assert.equal(prependPath('/b', '/usr/bin:/b:/bin'), '/b:/usr/bin:/bin');
    assert.equal(prependPath('/b', undefined), '/b');
  });
});
