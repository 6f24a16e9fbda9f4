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

/**
 * Imports each external module (`vscode`, Node's own) through one shared ESM module of the
 * bundle. esbuild otherwise wraps every file's `import * as fs from 'node:fs'` in a copy of the
 * module's properties (its `__toESM`), 65 copies of `node:fs`, `node:path`, `vscode`… when the
 * bundle loads: a quarter of its load time. Through this module each is copied once.
 */
const externalsOncePlugin = {
  name: 'externals-once',
  setup(build) {
    const filter = /^(vscode|node:[a-z_/]+)$/;
    build.onResolve({ filter }, (args) =>
      args.namespace === 'external-once' ? { path: args.path, external: true } : { path: args.path, namespace: 'external-once' },
    );
    // The default export too: `import process from 'node:process'` (the MCP SDK's stdio) reads it.
    build.onLoad({ filter: /.*/, namespace: 'external-once' }, (args) => {
      const name = JSON.stringify(args.path);
      // (A require(), not `export { default } from`: that would copy the module's properties again.)
      return { contents: `export * from ${name};\nexport default require(${name});\n`, loader: 'js' };
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
  plugins: [problemMatcherPlugin, externalsOncePlugin],
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
