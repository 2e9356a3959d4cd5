// /discover: search and filter upcoming sessions. The filters live in the URL query string, so a
// filtered view can be shared and the back button walks through earlier searches.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { LANGUAGES, LEVELS, SORTS, levelLabel } from '../catalog.js';
import { dateText, moneyText } from '../format.js';
import { navigate } from '../router.js';

const PAGE_SIZE = 12;
const DEFAULT_SORT = 'soonest';

const rupeesFrom = (paise) => (paise === undefined || paise === '' || Number.isNaN(Number(paise)) ? '' : String(Number(paise) / 100));
const priceText = (paise) => (Number(paise) === 0 ? '₹0' : moneyText(Number(paise)));
const paiseFrom = (rupees) => (String(rupees).trim() === '' ? '' : Math.round(Number(rupees) * 100));

/** The form's state from the URL query. */
function formFrom(query) {
  return {
    q: query.q ?? '',
    tag: query.tag ?? '',
    language: query.language ?? '',
    level: query.level ?? '',
    free: query.free === 'true',
    minRupees: rupeesFrom(query.min_price),
    maxRupees: rupeesFrom(query.max_price),
    from: query.from ?? '',
    to: query.to ?? '',
    sort: SORTS.some((s) => s.value === query.sort) ? query.sort : DEFAULT_SORT,
    mentor: query.mentor ?? '', // set by links from a mentor's profile; not editable here
  };
}

/** The URL query (and API filters) for the form: prices in paise, defaults left out. */
function queryFrom(form) {
  return {
    q: form.q.trim(),
    tag: form.tag.trim(),
    language: form.language.trim(),
    level: form.level,
    mentor: form.mentor,
    free: form.free ? 'true' : '',
    min_price: form.free ? '' : paiseFrom(form.minRupees),
    max_price: form.free ? '' : paiseFrom(form.maxRupees),
    from: form.from,
    to: form.to,
    sort: form.sort === DEFAULT_SORT ? '' : form.sort,
  };
}

export default () => ({
  form: formFrom(Alpine.store('route').query),
  errors: {},
  status: 'loading', // loading | ready | failed
  message: '',
  items: [],
  nextCursor: null,
  loadingMore: false,
  moreError: '',
  filtersOpen: false,
  request: 0,

  levels: LEVELS,
  languages: LANGUAGES,
  sorts: SORTS,

  init() {
    this.load();
    // Back/forward and shared links change the query: the form and the results follow it.
    this.$watch('$store.route.query', (query) => {
      if (Alpine.store('route').name !== 'discover') return;
      this.form = formFrom(query);
      this.errors = {};
      this.load();
    });
  },

  /** The filters currently applied (from the URL), as removable chips. */
  get chips() {
    const query = Alpine.store('route').query;
    const chips = [];
    if (query.q) chips.push({ key: 'q', label: `“${query.q}”` });
    if (query.tag) chips.push({ key: 'tag', label: `Tag: ${query.tag}` });
    if (query.language) chips.push({ key: 'language', label: query.language });
    if (query.level) chips.push({ key: 'level', label: levelLabel(query.level) });
    if (query.mentor) chips.push({ key: 'mentor', label: 'One mentor' });
    if (query.free === 'true') chips.push({ key: 'free', label: 'Free only' });
    if (query.min_price) chips.push({ key: 'min_price', label: `From ${priceText(query.min_price)}` });
    if (query.max_price) chips.push({ key: 'max_price', label: `Up to ${priceText(query.max_price)}` });
    if (query.from) chips.push({ key: 'from', label: `From ${dateText(`${query.from}T12:00:00`)}` });
    if (query.to) chips.push({ key: 'to', label: `Until ${dateText(`${query.to}T12:00:00`)}` });
    return chips;
  },

  get filtered() {
    return this.chips.length > 0;
  },

  validate() {
    this.errors = {};
    const { minRupees, maxRupees, from, to, free } = this.form;
    const min = String(minRupees).trim() === '' ? null : Number(minRupees);
    const max = String(maxRupees).trim() === '' ? null : Number(maxRupees);
    if (!free) {
      if (min !== null && (Number.isNaN(min) || min < 0)) this.errors.price = 'Enter a price of ₹0 or more.';
      else if (max !== null && (Number.isNaN(max) || max < 0)) this.errors.price = 'Enter a price of ₹0 or more.';
      else if (min !== null && max !== null && min > max) this.errors.price = 'The lowest price is above the highest.';
    }
    if (from && to && from > to) this.errors.dates = 'The start date is after the end date.';
    return Object.keys(this.errors).length === 0;
  },

  apply() {
    if (!this.validate()) {
      this.filtersOpen = true;
      return;
    }
    this.filtersOpen = false;
    navigate(withQuery('/discover', queryFrom(this.form)));
  },

  remove(key) {
    const query = { ...Alpine.store('route').query };
    delete query[key];
    navigate(withQuery('/discover', query));
  },

  clear() {
    navigate('/discover');
  },

  async load() {
    const request = ++this.request;
    this.status = 'loading';
    this.moreError = '';
    try {
      const page = await get(withQuery('/api/sessions', { ...queryFrom(this.form), sort: this.form.sort, limit: PAGE_SIZE }));
      if (request !== this.request) return;
      this.items = page.items ?? [];
      this.nextCursor = page.next_cursor ?? null;
      this.status = 'ready';
    } catch (error) {
      if (request !== this.request) return;
      this.message = error.message;
      this.status = 'failed';
    }
  },

  async loadMore() {
    if (!this.nextCursor || this.loadingMore) return;
    const request = this.request;
    this.loadingMore = true;
    this.moreError = '';
    try {
      const page = await get(
        withQuery('/api/sessions', { ...queryFrom(this.form), sort: this.form.sort, limit: PAGE_SIZE, cursor: this.nextCursor }),
      );
      if (request !== this.request) return;
      const seen = new Set(this.items.map((item) => item.id));
      this.items = [...this.items, ...(page.items ?? []).filter((item) => !seen.has(item.id))];
      this.nextCursor = page.next_cursor ?? null;
    } catch (error) {
      this.moreError = error.message;
    } finally {
      this.loadingMore = false;
    }
  },
});
