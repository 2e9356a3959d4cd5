// Builds the static site into dist/: renders one template per page of the registry (src/js/routes.js)
// into the shell, inlines page fragments, refuses any Alpine expression the CSP build can't evaluate,
// bundles the JS with esbuild and compiles the CSS with Tailwind. `--watch` rebuilds on change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { checkExpressions } from './csp-check.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

// `<!-- include pages/login.html -->` or `<!-- include partials/tag-input.html id="x" label="Y" -->`:
// the file's text, with each `{{name}}` replaced by the attribute of that name. Includes nest.
const INCLUDE = /<!--\s*include\s+(\S+)((?:\s+[\w-]+="[^"]*")*)\s*-->/g;
const ATTRIBUTE = /([\w-]+)="([^"]*)"/g;

function inline(text, from) {
  return text.replace(INCLUDE, (_, file, attrs) => {
    const params = Object.fromEntries([...attrs.matchAll(ATTRIBUTE)].map((m) => [m[1], m[2]]));
    const body = readFileSync(join(src, file), 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name) => {
      if (!(name in params)) throw new Error(`${file} (included from ${from}) needs ${name}="..."`);
      return params[name];
    });
    return inline(body, file);
  });
}

// The shell's `<!-- pages -->` line becomes one template per page of the registry. Imported afresh on
// each build so `--watch` sees registry changes.
async function pageTemplates() {
  const { PAGES } = await import(`./src/js/routes.js?at=${Date.now()}`);
  return PAGES.map((page) => {
    if (!existsSync(join(src, 'pages', `${page}.html`))) throw new Error(`routes.js names page "${page}" but src/pages/${page}.html is missing`);
    return `    <template x-if="$store.route.page === '${page}'"><!-- include pages/${page}.html --></template>`;
  }).join('\n');
}

function fingerprint(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10);
}

async function build() {
  const started = performance.now();
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, 'assets'), { recursive: true });
  cpSync(join(src, 'static'), dist, { recursive: true });

  await esbuild.build({
    entryPoints: [join(src, 'js', 'main.js')],
    outfile: join(dist, 'assets', 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });

  const tailwind = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'tailwindcss', 'lib', 'cli.js'),
      '--config', join(root, 'tailwind.config.js'),
      '--input', join(src, 'css', 'app.css'),
      '--output', join(dist, 'assets', 'app.css'),
      '--minify',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, BROWSERSLIST_IGNORE_OLD_DATA: '1' } },
  );
  if (tailwind.status !== 0) throw new Error(`tailwindcss failed:\n${tailwind.stderr}`);

  // Query-string fingerprints let CloudFront cache the assets while index.html stays fresh.
  const shell = readFileSync(join(src, 'index.html'), 'utf8').replace(/^\s*<!--\s*pages\s*-->$/m, await pageTemplates());
  const inlined = inline(shell, 'index.html');
  const problems = checkExpressions(inlined);
  if (problems.length) throw new Error(`Alpine's CSP build can't evaluate:\n${problems.join('\n')}`);
  const html = inlined
    .replace('/assets/app.js', `/assets/app.js?v=${fingerprint(join(dist, 'assets', 'app.js'))}`)
    .replace('/assets/app.css', `/assets/app.css?v=${fingerprint(join(dist, 'assets', 'app.css'))}`);
  writeFileSync(join(dist, 'index.html'), html);

  console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}

async function buildReportingErrors() {
  try {
    await build();
  } catch (error) {
    console.error(error.message);
    if (!watching) process.exitCode = 1;
  }
}

const watching = process.argv.includes('--watch');
await buildReportingErrors();
if (watching && existsSync(src)) {
  let timer;
  watch(src, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(buildReportingErrors, 100);
  });
  console.log('watching src/ for changes');
}
