#!/usr/bin/env node
// `npm test`: every layer in order (types and lint, unit, integration, e2e), stopping at the
// first that fails, then one line totalling every test run: "N passed, M failed".
import { spawn } from 'node:child_process';

const layers = [
  { name: 'check-types', script: 'check-types', tests: false },
  { name: 'lint', script: 'lint', tests: false },
  { name: 'unit', script: 'test:unit', tests: true },
  { name: 'integration', script: 'test:integration', tests: true },
  { name: 'e2e', script: 'test:e2e', tests: true },
];

function run(script) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      text += chunk;
    });
    child.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      text += chunk;
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), text }));
  });
}

/** Sums mocha's "N passing" / "N failing" / "N pending" lines (a layer may run mocha more than once). */
function counts(text) {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const sum = (word) => [...plain.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
  return { passed: sum('passing'), failed: sum('failing'), pending: sum('pending') };
}

let passed = 0;
let failed = 0;
const summary = [];
const started = Date.now();
for (const layer of layers) {
  const t0 = Date.now();
  process.stdout.write(`\n=== ${layer.name} (npm run ${layer.script}) ===\n`);
  const { code, text } = await run(layer.script);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (!layer.tests) {
    summary.push(`${layer.name}: ${code === 0 ? 'ok' : 'FAILED'} (${seconds}s)`);
    if (code !== 0) {
      failed += 1;
      break;
    }
    continue;
  }
  const c = counts(text);
  passed += c.passed;
  failed += c.failed + c.pending;
  let note = '';
  if (c.pending > 0) note = ` — ${c.pending} skipped (not allowed: run them or remove them)`;
  if (code !== 0 && c.failed === 0) {
    failed += 1;
    note += ' — the layer failed outside its tests (see above)';
  }
  if (code === 0 && c.passed === 0) {
    failed += 1;
    note += ' — it ran no test';
  }
  summary.push(`${layer.name}: ${c.passed} passed, ${c.failed} failed (${seconds}s)${note}`);
  if (code !== 0 || c.pending > 0 || c.passed === 0) break;
}
process.stdout.write(`\n=== summary (${((Date.now() - started) / 1000).toFixed(1)}s) ===\n${summary.join('\n')}\n`);
const skipped = layers.slice(summary.length).map((l) => l.name);
if (skipped.length > 0) process.stdout.write(`not run after the failure: ${skipped.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
