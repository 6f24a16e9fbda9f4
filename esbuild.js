// Bundles the extension into dist/extension.js and bgt (with bgt mcp) into dist/cli.js. `--watch` keeps rebuilding;
// `--production` minifies; `--outdir=<folder>` writes the two files there instead of dist/ (the bench builds the
// production bundle this way, so it measures exactly what the .vsix holds).
const esbuild = require('esbuild');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdir = (process.argv.find((a) => a.startsWith('--outdir=')) ?? '--outdir=dist').slice('--outdir='.length);

/** Prints errors in the shape the `$esbuild-watch` problem matcher reads. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

const common = {
  bundle: true,
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  platform: 'node',
  target: 'node20',
  logLevel: 'silent',
  plugins: [problemMatcherPlugin],
};

async function main() {
  const contexts = await Promise.all([
    esbuild.context({
      ...common,
      entryPoints: ['src/extension.ts'],
      outfile: path.join(outdir, 'extension.js'),
      external: ['vscode'],
      // jsonc-parser's UMD build loads its parts with a require() esbuild cannot follow; its ESM build bundles.
      mainFields: ['module', 'main'],
    }),
    // bgt runs outside the extension host, so it never sees 'vscode' and carries the MCP SDK itself.
    esbuild.context({ ...common, entryPoints: ['src/cli/main.ts'], outfile: path.join(outdir, 'cli.js') }),
  ]);
  if (watch) {
    await Promise.all(contexts.map((ctx) => ctx.watch()));
  } else {
    for (const ctx of contexts) {
      await ctx.rebuild();
      await ctx.dispose();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
