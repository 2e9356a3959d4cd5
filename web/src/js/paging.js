// One paged list of the API's `{items, next_cursor}` pages, for any component to hold: its status,
// items, cursor and "Load more" state, with answers that can't land out of order. A component keeps
// one as a property (`list: pageList(cursor => get(...))`) and the page reads `list.items`.

/** Resolves after the browser has had a turn (a new task), so long renders can be split up. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * `fetchPage(cursor)` resolves with one page ('' asks for the first). `wrap` turns an API item into
 * what the page keeps, `key` names it (to drop repeats across pages), and `loaded(items)` hears of
 * each batch added, as the reactive items the page shows. `chunk` shows a first page a few items
 * per task: rendering twelve rich cards at once blocked a throttled phone's main thread for ~150 ms.
 */
export function pageList(
  fetchPage,
  { wrap = (item) => item, key = (item) => item.id, loaded = () => {}, status = 'loading', chunk = 0 } = {},
) {
  return {
    status, // idle | loading | ready | failed
    message: '',
    error: null,
    items: [],
    size: 0, // how many items are loaded (all of them, even while a first page is still being shown)
    cursor: null,
    loadingMore: false,
    moreError: '',
    request: 0,

    /** Loads the first page (again): a new search, another tab, a retry. */
    async load() {
      const request = ++this.request;
      this.status = 'loading';
      this.moreError = '';
      try {
        const page = await fetchPage('');
        if (request !== this.request) return;
        const items = (page.items ?? []).map(wrap);
        this.cursor = page.next_cursor ?? null;
        this.items = chunk ? items.slice(0, chunk) : items;
        this.size = items.length;
        this.status = 'ready';
        for (let shown = chunk; chunk && shown < items.length; shown += chunk) {
          await nextTask();
          if (request !== this.request) return;
          this.items = items.slice(0, shown + chunk);
        }
        loaded(this.items);
      } catch (error) {
        if (request !== this.request) return;
        this.error = error;
        this.message = error.message;
        this.status = 'failed';
      }
    },

    /** Appends the next page, if there is one. */
    async more() {
      if (!this.cursor || this.loadingMore) return;
      const request = this.request;
      this.loadingMore = true;
      this.moreError = '';
      try {
        const page = await fetchPage(this.cursor);
        if (request !== this.request) return;
        const seen = new Set(this.items.map(key));
        const added = (page.items ?? []).map(wrap).filter((item) => !seen.has(key(item)));
        this.items = [...this.items, ...added];
        this.size = this.items.length;
        this.cursor = page.next_cursor ?? null;
        if (added.length) loaded(this.items.slice(-added.length));
      } catch (error) {
        this.moreError = error.message;
      } finally {
        this.loadingMore = false;
      }
    },
  };
}
