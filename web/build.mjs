// Builds the static sites into dist/: the app's shell (index.html) and one file per page of the registry
// (src/js/routes.js) with their partials inlined, refusing any Alpine expression the CSP build can't
// evaluate; the JS bundled by esbuild, the CSS compiled by Tailwind; then the admin site the same way
// into dist/admin/ (admin/js/routes.js). `--watch` rebuilds on change.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { checkExpressions } from './csp-check.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
// The admin site (admin/): its own shell, registry and pages, built into dist/admin/ from the app's
// shared modules; its includes look in admin/ first, then src/ (the shared partials).
const admin = join(root, 'admin');
const adminDist = join(dist, 'admin');

// `<!-- include pages/login.html -->` or `<!-- include partials/tag-input.html id="x" label="Y" -->`:
// the file's text, with each `{{name}}` replaced by the attribute of that name. Includes nest.
const INCLUDE = /<!--\s*include\s+(\S+)((?:\s+[\w-]+="[^"]*")*)\s*-->/g;
const ATTRIBUTE = /([\w-]+)="([^"]*)"/g;

function inline(text, from, roots = [src]) {
  return text.replace(INCLUDE, (_, file, attrs) => {
    const params = Object.fromEntries([...attrs.matchAll(ATTRIBUTE)].map((m) => [m[1], m[2]]));
    const found = roots.map((dir) => join(dir, file)).find((path) => existsSync(path));
    if (!found) throw new Error(`${from} includes ${file}, which is in none of ${roots.map((dir) => relative(root, dir)).join(', ')}`);
    const body = readFileSync(found, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name) => {
      if (!(name in params)) throw new Error(`${file} (included from ${from}) needs ${name}="..."`);
      return params[name];
    });
    return inline(body, file, roots);
  });
}

// Each page of the registry becomes its own file, dist/pages/<page>.html, fetched when first shown
// (js/pages.js): the shell a visitor downloads before the app runs carries no other page. Imported
// afresh on each build so `--watch` sees registry changes.
async function writePages() {
  const { PAGES } = await import(`./src/js/routes.js?at=${Date.now()}`);
  pageNames = PAGES;
  mkdirSync(join(dist, 'pages'), { recursive: true });
  const hash = createHash('sha256');
  for (const page of PAGES) {
    const file = join(src, 'pages', `${page}.html`);
    if (!existsSync(file)) throw new Error(`routes.js names page "${page}" but src/pages/${page}.html is missing`);
    const html = compact(checked(inline(readFileSync(file, 'utf8'), `pages/${page}.html`), `pages/${page}.html`));
    writeFileSync(join(dist, 'pages', `${page}.html`), html);
    hash.update(html);
  }
  return hash.digest('hex').slice(0, 10);
}

let pageNames = [];

function checked(html, name) {
  const problems = checkExpressions(html);
  if (problems.length) throw new Error(`${name}: Alpine's CSP build can't evaluate:\n${problems.join('\n')}`);
  return html;
}

// Indentation and comments are bytes every visitor downloads before the app runs.
const compact = (html) => html.replace(/<!--[\s\S]*?-->/g, '').replace(/\n\s+/g, '\n');

// Alpine's CSP build tokenizes and parses an expression every time it evaluates it (each card,
// each tick of the clock). Parsing is pure, so parse each expression once: this cut Discover's
// main-thread blocking on a throttled phone by more than half. The build fails if the function
// it wraps changes shape in a new version.
const CSP_PARSE = 'function generateRuntimeFunction(expression) {';
const cacheCspParses = {
  name: 'cache-csp-parses',
  setup(build) {
    build.onLoad({ filter: /@alpinejs[\\/]csp[\\/]dist[\\/]module\.esm\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (source.split(CSP_PARSE).length !== 2) throw new Error(`@alpinejs/csp changed: no single "${CSP_PARSE}" to cache`);
      const cached = [
        'var parsedExpressions = new Map();',
        'function generateRuntimeFunction(expression) {',
        '  let parsed = parsedExpressions.get(expression);',
        '  if (!parsed) parsedExpressions.set(expression, (parsed = parseRuntimeFunction(expression)));',
        '  return parsed;',
        '}',
        'function parseRuntimeFunction(expression) {',
      ].join('\n');
      return { contents: source.replace(CSP_PARSE, cached), loader: 'js' };
    });
  },
};

function fingerprint(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 10);
}

async function build() {
  const started = performance.now();
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(join(dist, 'assets'), { recursive: true });
  cpSync(join(src, 'static'), dist, { recursive: true });

  // Chart.js on its own: only the pages that draw a chart load it (js/charts.js), by this URL.
  await esbuild.build({
    entryPoints: [join(src, 'js', 'charts-entry.js')],
    outfile: join(dist, 'assets', 'charts.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const chartsUrl = `/assets/charts.js?v=${fingerprint(join(dist, 'assets', 'charts.js'))}`;

  await esbuild.build({
    define: { __CHARTS_URL__: JSON.stringify(chartsUrl) },
    entryPoints: [join(src, 'js', 'main.js')],
    outfile: join(dist, 'assets', 'app.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [cacheCspParses],
  });

  tailwind('tailwind.config.js', join(dist, 'assets', 'app.css'));

  // Query-string fingerprints let CloudFront cache the assets and pages while index.html stays fresh.
  const pagesVersion = await writePages();
  const html = compact(checked(inline(readFileSync(join(src, 'index.html'), 'utf8'), 'index.html'), 'index.html'))
    .replace('{{pagesVersion}}', pagesVersion)
    .replace('/assets/app.js', `/assets/app.js?v=${fingerprint(join(dist, 'assets', 'app.js'))}`)
    .replace('/assets/app.css', `/assets/app.css?v=${fingerprint(join(dist, 'assets', 'app.css'))}`);
  writeFileSync(join(dist, 'index.html'), html);

  await writeServiceWorker(pagesVersion, html);
  await buildAdmin(chartsUrl);

  console.log(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}

// Tailwind's CSS for the classes the config's `content` files use.
function tailwind(config, output) {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'tailwindcss', 'lib', 'cli.js'),
      '--config', join(root, config),
      '--input', join(src, 'css', 'app.css'),
      '--output', output,
      '--minify',
    ],
    { cwd: root, encoding: 'utf8', env: { ...process.env, BROWSERSLIST_IGNORE_OLD_DATA: '1' } },
  );
  if (run.status !== 0) throw new Error(`tailwindcss failed:\n${run.stderr}`);
}

// dist/admin/: the admin site (admin/index.html, admin/js/main.js, admin/pages/ from admin/js/routes.js),
// served at /admin/. Its own bundle and CSS (fingerprinted), the app's Chart.js bundle by its URL, and
// no service worker of its own (the app's worker lets /admin/ pass: the admin site is online only).
async function buildAdmin(chartsUrl) {
  mkdirSync(join(adminDist, 'assets'), { recursive: true });
  mkdirSync(join(adminDist, 'pages'), { recursive: true });
  await esbuild.build({
    define: { __CHARTS_URL__: JSON.stringify(chartsUrl) },
    entryPoints: [join(admin, 'js', 'main.js')],
    outfile: join(adminDist, 'assets', 'admin.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [cacheCspParses],
  });
  tailwind('tailwind.admin.config.js', join(adminDist, 'assets', 'admin.css'));

  const { ADMIN_PAGES } = await import(`./admin/js/routes.js?at=${Date.now()}`);
  const roots = [admin, src];
  const hash = createHash('sha256');
  for (const page of ADMIN_PAGES) {
    const file = join(admin, 'pages', `${page}.html`);
    if (!existsSync(file)) throw new Error(`admin/js/routes.js names page "${page}" but admin/pages/${page}.html is missing`);
    const name = `admin/pages/${page}.html`;
    const html = compact(checked(inline(readFileSync(file, 'utf8'), name, roots), name));
    writeFileSync(join(adminDist, 'pages', `${page}.html`), html);
    hash.update(html);
  }
  const html = compact(checked(inline(readFileSync(join(admin, 'index.html'), 'utf8'), 'admin/index.html', roots), 'admin/index.html'))
    .replace('{{pagesVersion}}', hash.digest('hex').slice(0, 10))
    .replace('/admin/assets/admin.js', `/admin/assets/admin.js?v=${fingerprint(join(adminDist, 'assets', 'admin.js'))}`)
    .replace('/admin/assets/admin.css', `/admin/assets/admin.css?v=${fingerprint(join(adminDist, 'assets', 'admin.css'))}`);
  writeFileSync(join(adminDist, 'index.html'), html);
}

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// dist/sw.js: the service worker (src/sw.js), told what to precache for the app shell to open
// offline (the shell, every page, the assets and the static files, by the URLs the shell asks for)
// and a cache name made from their content, so each build that changes any of them gets a new cache.
// Not Chart.js: 150 KB every first visit would download for the few pages that draw charts, whose
// figures need the network anyway.
async function writeServiceWorker(pagesVersion, shell) {
  const assets = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  const precache = [
    '/index.html',
    ...assets,
    ...pageNames.map((page) => `/pages/${page}.html?v=${pagesVersion}`),
    ...filesUnder(join(src, 'static')).map((file) => `/${relative(join(src, 'static'), file).split(sep).join('/')}`),
  ];
  const hash = createHash('sha256');
  for (const url of precache) {
    hash.update(url);
    hash.update(readFileSync(join(dist, url.split('?')[0])));
  }
  await esbuild.build({
    define: {
      __CACHE_NAME__: JSON.stringify(`peerlearn-shell-${hash.digest('hex').slice(0, 12)}`),
      __PRECACHE__: JSON.stringify(precache),
    },
    entryPoints: [join(src, 'sw.js')],
    outfile: join(dist, 'sw.js'),
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
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
  for (const dir of [src, admin]) {
    watch(dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(buildReportingErrors, 100);
    });
  }
  console.log('watching src/ and admin/ for changes');
}
