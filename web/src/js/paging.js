// One paged list of the API's `{items, next_cursor}` pages, for any component to hold: its status,
// items, cursor and "Load more" state, with answers that can't land out of order. A component keeps
// one as a property (`list: pageList(cursor => get(...))`) and the page reads `list.items`.

/**
 * `fetchPage(cursor)` resolves with one page ('' asks for the first). `wrap` turns an API item into
 * what the page keeps, `key` names it (to drop repeats across pages), and `loaded(items)` hears of
 * each batch added, as the reactive items the page shows.
 */
export function pageList(fetchPage, { wrap = (item) => item, key = (item) => item.id, loaded = () => {}, status = 'loading' } = {}) {
  return {
    status, // idle | loading | ready | failed
    message: '',
    error: null,
    items: [],
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
        this.items = (page.items ?? []).map(wrap);
        this.cursor = page.next_cursor ?? null;
        this.status = 'ready';
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
