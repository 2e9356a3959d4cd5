// Shows the current route's page inside the shell's `<main x-page>`: each page is its own file,
// dist/pages/<page>.html (build.mjs), fetched once when first needed and started with Alpine, so
// the shell a visitor downloads first carries no other page.
import Alpine from '@alpinejs/csp';

const fragments = new Map();

function version() {
  return document.querySelector('[x-page]')?.dataset.pagesVersion ?? '';
}

/** Where this site's page files are: /pages (the app), /admin/pages (the admin site's shell says so). */
function base() {
  return document.querySelector('[x-page]')?.dataset.pagesBase ?? '/pages';
}

/** The page's HTML, fetched once per page (starting early is fine: the answer is kept). */
export function pageHtml(page) {
  if (!fragments.has(page)) {
    const loading = fetch(`${base()}/${page}.html?v=${version()}`, { credentials: 'same-origin' }).then((response) => {
      if (!response.ok) throw new Error(`page ${page}: ${response.status}`);
      return response.text();
    });
    loading.catch(() => fragments.delete(page)); // let a later visit try again
    fragments.set(page, loading);
  }
  return fragments.get(page);
}

/** What shows when a page can't be fetched (offline, or a deploy replaced it): a way to reload. */
function failed() {
  const box = document.createElement('div');
  box.className = 'mx-auto my-16 max-w-md px-4 text-center';
  box.setAttribute('role', 'alert');
  box.dataset.testid = 'page-failed';
  const text = document.createElement('p');
  text.className = 'text-slate-700';
  text.textContent = "This page didn't load. Check your connection, then reload.";
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'btn-primary mt-4';
  button.textContent = 'Reload';
  button.addEventListener('click', () => window.location.reload());
  box.append(text, button);
  return box;
}

function show(el, nodes) {
  Alpine.mutateDom(() => {
    [...el.children].forEach((child) => Alpine.destroyTree(child));
    el.replaceChildren(...nodes);
  });
  [...el.children].forEach((child) => Alpine.initTree(child));
}

export function registerPages() {
  Alpine.directive('page', (el, _directive, { effect }) => {
    let shown = null;
    let latest = 0;
    effect(() => {
      const page = Alpine.store('route').page;
      if (!page || page === shown) return;
      const request = ++latest;
      pageHtml(page).then(
        (html) => {
          if (request !== latest) return;
          const template = document.createElement('template');
          template.innerHTML = html;
          shown = page;
          show(el, [...template.content.childNodes]);
        },
        () => {
          if (request !== latest) return;
          shown = null;
          show(el, [failed()]);
        },
      );
    });
  });
}
