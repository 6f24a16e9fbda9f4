import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogProgressScanner, OscProgressParser, parseOscProgress } from '../../src/core/progress';
import { Sandbox } from './helpers';

describe('progress (OSC 9;4)', () => {
  const box = new Sandbox();
  after(() => box.cleanup());

  it('parses every state, ended by BEL or ESC \\', () => {
    const text = 'a\x1b]9;4;1;42\x07b\x1b]9;4;2;80\x1b\\c\x1b]9;4;3;\x07\x1b]9;4;4;60\x07\x1b]9;4;0;0\x07\x1b]9;4;0\x07';
    assert.deepEqual(parseOscProgress(text), [
      { state: 'set', percent: 42 },
      { state: 'error', percent: 80 },
      { state: 'indeterminate' },
      { state: 'paused', percent: 60 },
      { state: 'clear' },
      { state: 'clear' },
    ]);
  });

  it('ignores unknown states and other OSC sequences, and clamps percent', () => {
    assert.deepEqual(parseOscProgress('\x1b]9;4;7;10\x07\x1b]0;title\x07\x1b]9;4;1;250\x07'), [{ state: 'set', percent: 100 }]);
    assert.deepEqual(parseOscProgress('\x1b]9;4;1;50'), []); // unterminated
  });

  it('joins a sequence split across chunks', () => {
    const p = new OscProgressParser();
    assert.equal(p.push('out\x1b]9;'), undefined);
    assert.equal(p.push('4;1;3'), undefined);
    assert.deepEqual(p.push('3\x1b'), undefined);
    assert.deepEqual(p.push('\\more'), { state: 'set', percent: 33 });
    assert.deepEqual(p.push('\x1b]9;4;1;1\x07\x1b]9;4;1;2\x07'), { state: 'set', percent: 2 });
  });

  it('scans only new bytes of a log, and at most maxBytes of them', async () => {
    const file = path.join(box.tempDir(), 'p.log');
    fs.writeFileSync(file, 'x\x1b]9;4;1;10\x07');
    const scanner = new LogProgressScanner(file, 1024);
    assert.deepEqual(await scanner.scan(), { state: 'set', percent: 10 });
    assert.equal(await scanner.scan(), undefined, 'nothing new');
    // A sequence far back beyond maxBytes of new output is skipped; the newest one is found.
    fs.appendFileSync(file, '\x1b]9;4;1;20\x07' + 'y'.repeat(10_000) + '\x1b]9;4;1;90\x07tail');
    assert.deepEqual(await scanner.scan(), { state: 'set', percent: 90 });
    fs.appendFileSync(file, 'y'.repeat(5000));
    assert.equal(await scanner.scan(), undefined);
  });
});
