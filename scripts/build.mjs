/**
 * Compiles the TypeScript of `src/` and `analytics-service/src/` to JavaScript under `dist/`, file
 * for file (`npm run build`; `npm run worker` and `npm start` run it first). The worker then runs on plain `node`:
 * with tsx's loader it started about 30 MB larger, as the loader runs on a thread of its own, and
 * peaked 15–30 MB higher draining a backlog (`npm run bench:worker -- --tsx` runs it that way).
 *
 * Each file is transpiled on its own, as tsx does (`isolatedModules`): no type checking here, that
 * is `npm run typecheck`. Files the code reads beside itself (the bundled price book and scoring
 * model, the dashboard's static files) are copied alongside.
 *
 * Usage: `node scripts/build.mjs [--quiet] [--outdir DIR] [extra.ts …]`: extra entry points (the
 * worker bench's drain); `--outdir` builds elsewhere than `dist/` (inside the repository, so that the
 * compiled code finds `node_modules`), as the test of the compiled agent does.
 */
import { cpSync, existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TREES = ['src', 'analytics-service/src'];
/**
 * Read at run time relative to the compiled code, so copied to the same place under `dist/`: the
 * worker's config, and the agent's knowledge base (`src/agent/knowledge/knowledge_base.ts`).
 */
const ASSETS = ['analytics-service/config', 'knowledge'];

function isSource(file) {
  return file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts');
}

const sources = [];
const others = [];
for (const tree of TREES) {
  for (const entry of readdirSync(join(ROOT, tree), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = relative(ROOT, join(entry.parentPath ?? entry.path, entry.name));
    (isSource(file) ? sources : others).push(file);
  }
}
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const outAt = args.indexOf('--outdir');
const OUT = outAt >= 0 ? resolve(args[outAt + 1] ?? '') : join(ROOT, 'dist');
if (outAt >= 0) args.splice(outAt, 2);
// The build replaces OUT whole: never the repository itself or a folder that is not a build.
const MARK = '.signalroom-build';
const isBuild = (dir) => existsSync(join(dir, MARK)) || dir === join(ROOT, 'dist');
if (!OUT.startsWith(`${ROOT}/`) || (existsSync(OUT) && !isBuild(OUT))) {
  console.error(`build: --outdir ${OUT} must be a new or earlier build folder inside ${ROOT}`);
  process.exit(2);
}
const extra = args.filter((a) => !a.startsWith('--')).map((f) => relative(ROOT, resolve(f)));

const started = performance.now();
// Built beside `dist/` and swapped in at the end, so a failed build leaves the last good one and a
// worker running from `dist/` (which loads its queue driver lazily) never sees a half-written tree;
// only between the removal and the rename, a moment, is there no `dist/` at all.
const next = `${OUT}.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
try {
  await build({
    absWorkingDir: ROOT,
    entryPoints: [...sources, ...extra],
    outbase: '.',
    outdir: next,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20.10',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  for (const file of [...others, ...ASSETS]) cpSync(join(ROOT, file), join(next, file), { recursive: true });
  writeFileSync(join(next, MARK), 'built by scripts/build.mjs; replaced whole by the next build\n');
} catch (err) {
  rmSync(next, { recursive: true, force: true });
  throw err;
}
rmSync(OUT, { recursive: true, force: true });
renameSync(next, OUT);
const ms = Math.round(performance.now() - started);
if (!quiet) console.error(`built ${sources.length + extra.length} files into dist/ in ${ms} ms`);
