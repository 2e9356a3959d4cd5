// /settings/notifications: which channels (in-app, email, push) each kind of notification uses, and
// quiet hours (email and push wait until they end; in-app never waits), in the person's time zone.
import { get, put } from '../api.js';
import { CHANNELS, changesOf, copy, quietProblems } from '../notify-prefs.js';
import { toast } from '../toasts.js';

/** "Now 23:10 in Asia/Kolkata" for the quiet-hours hint. */
function nowIn(timeZone) {
  try {
    return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date());
  } catch {
    return '';
  }
}

export default () => ({
  status: 'loading', // loading | ready | failed
  loadError: '',
  channels: CHANNELS,
  categories: [],
  savedCategories: [],
  quiet: { enabled: false, start: '22:00', end: '07:00' },
  savedQuiet: { enabled: false, start: '22:00', end: '07:00' },
  timezone: '',
  saving: false,
  saveState: '', // '' | saved | failed
  message: '',
  quietErrors: {},

  async init() {
    await this.load();
  },

  async load() {
    this.status = 'loading';
    try {
      this.fill(await get('/api/notifications/preferences', { auth: true }));
      this.status = 'ready';
    } catch (error) {
      this.loadError = error.message;
      this.status = 'failed';
    }
  },

  fill(prefs) {
    this.categories = copy(prefs.categories);
    this.savedCategories = copy(prefs.categories);
    this.quiet = copy(prefs.quiet_hours);
    this.savedQuiet = copy(prefs.quiet_hours);
    this.timezone = prefs.timezone;
  },

  get changes() {
    return changesOf(this.categories, this.savedCategories, this.quiet, this.savedQuiet);
  },

  get dirty() {
    return this.changes !== null;
  },

  get statusText() {
    if (this.dirty) return 'Unsaved changes';
    return this.saveState === 'saved' ? 'Saved.' : '';
  },

  get zoneName() {
    return (this.timezone || '').replaceAll('_', ' ');
  },

  get nowText() {
    const time = nowIn(this.timezone);
    return time ? `It's ${time} there now.` : '';
  },

  isLocked(category, channel) {
    return category.locked.includes(channel);
  },

  boxId(category, channel) {
    return `notify-${category.name}-${channel}`;
  },

  boxLabel(category, channel) {
    const name = CHANNELS.find((c) => c.key === channel).label.toLowerCase();
    const locked = this.isLocked(category, channel) ? ' (always on)' : '';
    return `${category.label}: ${name}${locked}`;
  },

  toggle(category, channel) {
    if (this.isLocked(category, channel)) return;
    category.channels[channel] = !category.channels[channel];
    this.saveState = '';
  },

  edited() {
    this.saveState = '';
    this.quietErrors = {};
  },

  async save() {
    this.message = '';
    this.quietErrors = quietProblems(this.quiet);
    if (Object.keys(this.quietErrors).length) {
      this.saveState = 'failed';
      return;
    }
    const body = this.changes;
    if (!body) {
      toast('Nothing to save: your notification settings are up to date.');
      return;
    }
    this.saving = true;
    this.saveState = '';
    try {
      this.fill(await put('/api/notifications/preferences', body, { auth: true }));
      this.saveState = 'saved';
    } catch (error) {
      this.saveState = 'failed';
      if (error.field === 'quiet_hours.start') this.quietErrors = { start: error.message };
      else if (error.field === 'quiet_hours.end') this.quietErrors = { end: error.message };
      else this.message = error.message;
    } finally {
      this.saving = false;
    }
  },

  reset() {
    this.categories = copy(this.savedCategories);
    this.quiet = copy(this.savedQuiet);
    this.quietErrors = {};
    this.message = '';
    this.saveState = '';
  },
});
