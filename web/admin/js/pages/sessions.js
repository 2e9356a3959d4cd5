// /admin/sessions: sessions live now (each room's people and how long it has run; who is in it,
// polled; observe it; end it with a reason), upcoming, ended and flagged for a look (resolve a flag
// with a note). The list shown lives in the query string (?state=), so Back and a shared link keep it.
import Alpine from '@alpinejs/csp';
import { get, post, withQuery } from '../../../src/js/api.js';
import { confirmAction } from '../../../src/js/confirm.js';
import { pageList } from '../../../src/js/paging.js';
import { registerRoomMonitor } from '../../../src/js/room-monitor.js';
import { toast } from '../../../src/js/toasts.js';
import { FLAG_WORDS, NOTE_MAX, NOTE_MIN, STATES, liveCounts, runningText, stateFrom } from '../sessions-words.js';

// The admin site registers no shared components of its own accord: this page uses the app's room
// monitor (src/js/room-monitor.js), so it registers it (before Alpine starts: main.js imports pages).
registerRoomMonitor();

const PAGE_SIZE = 20;

export default () => {
  const page = {
    states: STATES,
    state: stateFrom(Alpine.store('route').query),
    noteMax: NOTE_MAX,
    watching: '', // the live session whose people are shown
    open: null, // the end or resolve form: { kind: 'end' | 'resolve', id, text, error, saving }

    init() {
      this.list.load();
      this.$watch('$store.route.query', (query) => {
        if (Alpine.store('route').name !== 'sessions') return;
        this.state = stateFrom(query);
        this.open = null;
        this.watching = '';
        this.list.load();
      });
    },

    stateHref(state) {
      return withQuery('/admin/sessions', { state: state === 'live' ? '' : state });
    },

    sessionHref(item) {
      return `/sessions/${encodeURIComponent(item.id)}`; // the app's page: a full page load
    },

    roomHref(item) {
      return `/sessions/${encodeURIComponent(item.id)}/room`; // an admin enters as an observer
    },

    mentorHref(item) {
      return `/admin/users/${encodeURIComponent(item.mentor_id)}`;
    },

    flagWords(flag) {
      return FLAG_WORDS[flag?.reason] ?? flag?.reason ?? '';
    },

    liveCounts,
    runningText,

    toggleWatch(item) {
      this.watching = this.watching === item.id ? '' : item.id;
    },

    isOpen(kind, id) {
      return this.open?.kind === kind && this.open?.id === id;
    },

    toggle(kind, id) {
      this.open = this.isOpen(kind, id) ? null : { kind, id, text: '', error: '', saving: false };
    },

    refresh() {
      this.list.load();
    },

    /** Ends a live session for everyone in it, after a reason and a confirmation. */
    async end(item) {
      const open = this.open;
      const reason = open.text.trim();
      open.error = '';
      if (reason.length < NOTE_MIN || reason.length > NOTE_MAX) {
        open.error = `Give a reason of ${NOTE_MIN} to ${NOTE_MAX} characters; the audit log keeps it.`;
        return;
      }
      const ok = await confirmAction({
        title: `End “${item.title}” now?`,
        message: 'Everyone in the room is told and disconnected, and the session is completed.',
        confirmLabel: 'End the session',
        cancelLabel: 'Keep it running',
        danger: true,
      });
      if (!ok) return;
      open.saving = true;
      try {
        await post(`/api/admin/sessions/${encodeURIComponent(item.id)}/end`, { reason }, { auth: true });
        toast(`“${item.title}” has ended.`, 'success');
        this.open = null;
        this.watching = '';
        this.list.load();
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },

    /** Takes a flag off the list with a note of what was done. */
    async resolve(item) {
      const open = this.open;
      const note = open.text.trim();
      open.error = '';
      if (note.length < NOTE_MIN || note.length > NOTE_MAX) {
        open.error = `Write what was done (${NOTE_MIN} to ${NOTE_MAX} characters); the audit log keeps it.`;
        return;
      }
      open.saving = true;
      try {
        const path = `/api/admin/sessions/${encodeURIComponent(item.id)}/flags/${encodeURIComponent(item.flag.reason)}/resolve`;
        await post(path, { note }, { auth: true });
        toast('Flag resolved.', 'success');
        this.open = null;
        this.list.load();
      } catch (error) {
        open.error = error.message;
      } finally {
        open.saving = false;
      }
    },
  };
  page.list = pageList(
    (cursor) => get(withQuery('/api/admin/sessions', { state: page.state, limit: PAGE_SIZE, cursor }), { auth: true }),
    { key: (item) => `${item.id}#${item.flag?.reason ?? ''}` },
  );
  return page;
};
