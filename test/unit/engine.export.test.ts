import * as assert from 'node:assert/strict';
import { EXPORT_COLUMNS } from '../../src/core/export';
import { Sandbox } from './helpers';

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  assert.equal(field, '', 'the text ends with a line break');
  return rows;
}

describe('engine: exporting the history', function () {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('writes JSON and CSV with the columns, quoting commas, quotes and line breaks, never env values', async () => {
    const engine = await box.open();
    const tricky = `echo "a, b"\necho 'x'`;
    const first = engine.spawnTask({ command: tricky, env: { SECRET_TOKEN: 'hunter2-value' }, metadata: { note: 'he said "hi", then\nleft', n: 3 }, lane: 'db', priority: 'high' });
    const second = engine.spawnTask({ command: 'exit 4', type: 'system', retries: 1 });
    await engine.waitForTask(first);
    await engine.waitForTask(second);
    const pending = engine.spawnTask({ command: 'true', delaySeconds: 600 });

    const json = engine.exportHistory('json');
    const csv = engine.exportHistory('csv');
    for (const text of [json, csv]) assert.ok(!text.includes('hunter2-value') && !text.includes('SECRET_TOKEN'), 'no env');

    const rows = JSON.parse(json) as Record<string, unknown>[];
    assert.deepEqual(rows.map((r) => r.id), [first, second, pending], 'oldest first');
    assert.deepEqual(Object.keys(rows[0]), [...EXPORT_COLUMNS]);
    assert.equal(rows[0].command, tricky);
    assert.equal(rows[0].status, 'completed');
    assert.equal(rows[0].exitCode, 0);
    assert.equal(rows[0].lane, 'db');
    assert.equal(rows[0].priority, 'high');
    assert.deepEqual(rows[0].metadata, { note: 'he said "hi", then\nleft', n: 3 });
    assert.equal(typeof rows[0].durationMs, 'number');
    assert.ok(!Number.isNaN(Date.parse(rows[0].startedAt as string)));
    assert.deepEqual([rows[1].status, rows[1].exitCode, rows[1].type, rows[1].attempts], ['failed', 4, 'system', 2]);
    assert.deepEqual([rows[2].status, rows[2].startedAt, rows[2].exitCode, rows[2].attempts], ['pending', null, null, 0]);

    const table = parseCsv(csv);
    assert.deepEqual(table[0], [...EXPORT_COLUMNS]);
    assert.equal(table.length, 4);
    const col = (name: string): number => table[0].indexOf(name);
    assert.equal(table[1][col('command')], tricky);
    assert.deepEqual(JSON.parse(table[1][col('metadata')]), { note: 'he said "hi", then\nleft', n: 3 });
    assert.equal(table[2][col('exitCode')], '4');
    assert.equal(table[3][col('startedAt')], '');
    assert.equal(table[1][col('createdAt')], rows[0].createdAt);
    assert.throws(() => engine.exportHistory('xml' as 'json'), { name: 'TaskOptionsError', field: 'format' } as object);
  });

  it('exports an empty history as an empty list and a header', async () => {
    const engine = await box.open();
    assert.deepEqual(JSON.parse(engine.exportHistory('json')), []);
    assert.equal(engine.exportHistory('csv'), `${EXPORT_COLUMNS.join(',')}\r\n`);
  });
});
