// /discover: search and filter upcoming sessions. The filters live in the URL query string, so a
// filtered view can be shared and the back button walks through earlier searches.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { LANGUAGES, LEVELS, SORTS, levelLabel } from '../catalog.js';
import { dateText, moneyText, paiseFromRupees, rupeesFromPaise } from '../format.js';
import { pageList } from '../paging.js';
import { sessionPicks } from '../recommend.js';
import { navigate } from '../router.js';

const PAGE_SIZE = 12;
const PICKS_SHOWN = 3;
const DEFAULT_SORT = 'soonest';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const validDate = (text) => DATE.test(text) && !Number.isNaN(new Date(`${text}T00:00:00Z`).getTime());

/**
 * The URL's filters, checked: `{ filters, problems }`. Prices are rupees in the URL (what people
 * read and type); a value the search can't use is dropped and named in `problems`, in words.
 */
export function readQuery(query) {
  const problems = [];
  const filters = {
    q: query.q ?? '',
    tag: query.tag ?? '',
    language: query.language ?? '',
    level: '',
    free: query.free === 'true',
    minRupees: '',
    maxRupees: '',
    from: '',
    to: '',
    sort: DEFAULT_SORT,
    mentor: query.mentor ?? '', // set by links from a mentor's profile; not editable here
  };
  if (query.level) {
    if (LEVELS.some((l) => l.value === query.level)) filters.level = query.level;
    else problems.push(`“${query.level}” isn’t a level we use (try Beginner, Intermediate or Advanced)`);
  }
  for (const [key, field, words] of [['min_price', 'minRupees', 'lowest'], ['max_price', 'maxRupees', 'highest']]) {
    if (query[key] === undefined || query[key] === '') continue;
    if (paiseFromRupees(query[key]) === null) problems.push(`“${query[key]}” isn’t a ${words} price in rupees`);
    else filters[field] = query[key];
  }
  for (const [key, words] of [['from', 'start'], ['to', 'end']]) {
    if (!query[key]) continue;
    if (validDate(query[key])) filters[key] = query[key];
    else problems.push(`“${query[key]}” isn’t a ${words} date we can read`);
  }
  if (query.sort) {
    if (SORTS.some((s) => s.value === query.sort)) filters.sort = query.sort;
    else problems.push(`“${query.sort}” isn’t a way we can sort`);
  }
  return { filters, problems };
}

const signedIn = () => Boolean(Alpine.store('session').user);

/** The URL query for the form: rupees as typed, defaults left out. */
function queryFrom(form) {
  return {
    q: form.q.trim(),
    tag: form.tag.trim(),
    language: form.language.trim(),
    level: form.level,
    mentor: form.mentor,
    free: form.free ? 'true' : '',
    min_price: form.free ? '' : rupeesText(form.minRupees),
    max_price: form.free ? '' : rupeesText(form.maxRupees),
    from: form.from,
    to: form.to,
    sort: form.sort === DEFAULT_SORT ? '' : form.sort,
  };
}

const priceText = (rupees) => {
  const paise = paiseFromRupees(rupees);
  return paise === 0 ? '₹0' : moneyText(paise);
};

const rupeesText = (text) => {
  const paise = paiseFromRupees(text);
  return paise === null ? '' : rupeesFromPaise(paise);
};

/** The API's filters for the form: the same, with prices in paise (the API's unit). */
function apiFilters(form) {
  const query = queryFrom(form);
  const paise = (text) => (text === '' ? '' : paiseFromRupees(text));
  return { ...query, min_price: paise(query.min_price), max_price: paise(query.max_price), sort: form.sort };
}

export default () => {
  const page = {
    form: readQuery(Alpine.store('route').query).filters,
    urlProblems: readQuery(Alpine.store('route').query).problems,
    errors: {},
    filtersOpen: false,

    levels: LEVELS,
    languages: LANGUAGES,
    sorts: SORTS,

    forYou: sessionPicks('/sessions', { limit: PICKS_SHOWN, auth: true }),
    trending: sessionPicks('/trending', { limit: PICKS_SHOWN, auth: signedIn() }),

    init() {
      this.load();
      this.loadPicks();
      // Back/forward and shared links change the query: the form and the results follow it.
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'discover') return;
        ({ filters: this.form, problems: this.urlProblems } = readQuery(query));
        this.errors = {};
        this.load();
      });
    },

    /** The filters currently applied (from the URL), as removable chips. */
    get chips() {
      const query = Alpine.store('route').query;
      const form = readQuery(query).filters; // what is applied, not what is being typed
      const chips = [];
      if (query.q) chips.push({ key: 'q', label: `“${query.q}”` });
      if (query.tag) chips.push({ key: 'tag', label: `Tag: ${query.tag}` });
      if (query.language) chips.push({ key: 'language', label: query.language });
      if (form.level) chips.push({ key: 'level', label: levelLabel(form.level) });
      if (query.mentor) chips.push({ key: 'mentor', label: 'One mentor' });
      if (query.free === 'true') chips.push({ key: 'free', label: 'Free only' });
      if (form.minRupees !== '') chips.push({ key: 'min_price', label: `From ${priceText(form.minRupees)}` });
      if (form.maxRupees !== '') chips.push({ key: 'max_price', label: `Up to ${priceText(form.maxRupees)}` });
      if (form.from) chips.push({ key: 'from', label: `From ${dateText(`${form.from}T12:00:00`)}` });
      if (form.to) chips.push({ key: 'to', label: `Until ${dateText(`${form.to}T12:00:00`)}` });
      return chips;
    },

    /** "For you" is the learner's own list; others see Trending only. */
    get showForYou() {
      return Alpine.store('session').user?.role === 'learner';
    },

    /** The rows above the results, once per visit to the page (a new search keeps them). */
    loadPicks() {
      if (this.showForYou) this.forYou.load();
      this.trending.load();
    },

    get filtered() {
      return this.chips.length > 0;
    },

    validate() {
      this.errors = {};
      const { minRupees, maxRupees, from, to, free } = this.form;
      const typed = (text) => String(text ?? '').trim() !== '';
      const min = typed(minRupees) ? paiseFromRupees(minRupees) : '';
      const max = typed(maxRupees) ? paiseFromRupees(maxRupees) : '';
      if (!free) {
        if (min === null || max === null) this.errors.price = 'Enter prices in rupees, like 500 or 499.50.';
        else if (min !== '' && max !== '' && min > max) this.errors.price = 'The lowest price is above the highest.';
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

    load() {
      return this.list.load();
    },
  };
  page.list = pageList(async (cursor) => {
    try {
      return await get(withQuery('/api/sessions', { ...apiFilters(page.form), limit: PAGE_SIZE, cursor }));
    } catch (error) {
      // A filter the API refuses (a date out of range...) is the link's problem, not an outage.
      if (error.status === 400) error.message = 'One of the filters can’t be used for a search. Change it, or clear the filters.';
      throw error;
    }
  }, { chunk: 3 });
  return page;
};
