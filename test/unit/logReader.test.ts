import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnsiStripper, LogFollower, readRange, readTail, stripAnsi, Utf8StreamDecoder } from '../../src/core/logReader';
import { Sandbox, waitFor } from './helpers';

describe('logReader', () => {
  const box = new Sandbox();
  after(() => box.cleanup());

  it('strips ANSI colours, cursor moves and OSC sequences, keeping the text', () => {
    const text = '\x1b[31mred\x1b[0m \x1b[2K\x1b[1Aup \x1b]0;title\x07x\x1b]9;4;1;50\x1b\\y';
    assert.equal(stripAnsi(text), 'red up xy');
    assert.equal(stripAnsi('plain [text] ] stays'), 'plain [text] ] stays');
  });

  it('strips an escape sequence split across chunks', () => {
    const s = new AnsiStripper();
    const out = s.push('a\x1b[3') + s.push('1mb\x1b]0;ti') + s.push('tle\x07c\x1b') + s.push('[0m') + s.end();
    assert.equal(out, 'abc');
  });

  it('joins a character split across reads (a line split mid-character)', () => {
    const bytes = Buffer.from('line with é and 😀 end\n', 'utf8');
    const d = new Utf8StreamDecoder();
    let text = '';
    // Every split point, including inside the 2-byte é and the 4-byte emoji.
    for (let cut = 1; cut < bytes.length; cut++) {
      const dec = new Utf8StreamDecoder();
      const joined = dec.write(bytes.subarray(0, cut)) + dec.write(bytes.subarray(cut)) + dec.end();
      assert.equal(joined, 'line with é and 😀 end\n', `cut at ${cut}`);
    }
    for (const b of bytes) text += d.write(Buffer.from([b]));
    assert.equal(text + d.end(), 'line with é and 😀 end\n');
  });

  it('turns invalid UTF-8 into U+FFFD without throwing', () => {
    const d = new Utf8StreamDecoder();
    const text = d.write(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x80, 0x63, 0xe2, 0x82])) + d.end();
    assert.equal(text.replace(/\ufffd+/g, '?'), 'a?b?c?');
    assert.ok(!text.includes('\u0000'));
  });

  it('reads a range without cutting a character at its end', () => {
    const file = path.join(box.tempDir(), 'log');
    fs.writeFileSync(file, 'ab€cd'); // € is 3 bytes: offsets 2..4
    const first = readRange(file, 0, 3);
    assert.equal(first.text, 'ab');
    assert.equal(first.nextOffset, 2);
    const second = readRange(file, first.nextOffset, 100);
    assert.equal(second.text, '€cd');
    assert.equal(second.nextOffset, 7);
    assert.equal(readRange(path.join(box.tempDir(), 'missing'), 0).text, '');
  });

  it('gives the last lines of a large file reading only its end', () => {
    const file = path.join(box.tempDir(), 'big.log');
    const fd = fs.openSync(file, 'w');
    fs.ftruncateSync(fd, 512 * 1024 * 1024); // a sparse 512 MB of zeros
    fs.writeSync(fd, 'one\ntwo\n\x1b[31mthree\x1b[0m\n', 512 * 1024 * 1024);
    fs.closeSync(fd);
    assert.deepEqual(readTail(file, 2), ['two', 'three']);
    assert.deepEqual(readTail(file, 1, 64 * 1024, false), ['\x1b[31mthree\x1b[0m']);
    assert.deepEqual(readTail(path.join(box.tempDir(), 'missing'), 5), []);
  });

  it('follows a growing log live, joining characters split across writes', async () => {
    const file = path.join(box.tempDir(), 'live.log');
    fs.writeFileSync(file, 'start\n');
    let seen = '';
    const follower = new LogFollower(file, (t) => (seen += t), { pollMs: 20 });
    try {
      await waitFor(() => seen === 'start\n', 'first text');
      const euro = Buffer.from('€', 'utf8');
      fs.appendFileSync(file, Buffer.concat([Buffer.from('price: '), euro.subarray(0, 1)]));
      await waitFor(() => seen.includes('price: '), 'partial line');
      assert.ok(!seen.includes('\ufffd'), 'no replacement char for a split character');
      fs.appendFileSync(file, Buffer.concat([euro.subarray(1), Buffer.from('5\n')]));
      await waitFor(() => seen.endsWith('€5\n'), 'joined character');
      assert.equal(seen, 'start\nprice: €5\n');
      assert.equal(follower.offset, Buffer.byteLength(seen));
    } finally {
      follower.dispose();
    }
  });

  it('follows from an offset and can strip ANSI; finish() flushes a trailing cut character', async () => {
    const file = path.join(box.tempDir(), 'offset.log');
    fs.writeFileSync(file, Buffer.concat([Buffer.from('skip\n\x1b[32mgreen\x1b[0m '), Buffer.from([0xe2, 0x82])]));
    let seen = '';
    const follower = new LogFollower(file, (t) => (seen += t), { offset: 5, stripAnsi: true });
    await follower.finish();
    assert.equal(seen, 'green \ufffd');
  });
});
