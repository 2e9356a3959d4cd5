// /: a landing page when signed out. Signed in, the person's dashboard: a learner's upcoming
// bookings (Join opens with the room), their latest notifications (live from the notifications
// store), history, hours by topic, spending by month, ratings given,
// receipts, then sessions picked for them, trending and mentors for them; a mentor's upcoming
// sessions with bookings and waitlists, earnings, ratings, performance and what learners want;
// then the profile steps that fit the role. One API call feeds each dashboard
// (/api/me/dashboard, /api/mentor/dashboard); each chart has a table with the same numbers.
import Alpine from '@alpinejs/csp';
import { get, withQuery } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import {
  anyEarnings,
  anySpending,
  distributionRows,
  distributionSummary,
  earningsSummary,
  hoursText,
  joinState,
  monthLabel,
  percentText,
  spendingSeries,
  spendingSummary,
  topicSeries,
  topicSummary,
  trendSummary,
  weekLabel,
} from '../dashboards.js';
import { latestNotifications, notificationHref } from '../notification-list.js';
import { completeness } from '../people.js';
import { demandList, mentorPicks, sessionPicks } from '../recommend.js';
import { navigate } from '../router.js';
import { toast } from '../toasts.js';

const UPCOMING_SHOWN = 5;
const NOTICES_SHOWN = 5;

export default () => {
  const charts = new Map(); // Chart.js instances by ref: kept out of Alpine's reactive state

  return {
    upcoming: { status: 'loading', items: [], message: '' },
    board: { status: 'loading', data: null, message: '' },
    notices: { status: 'loading', items: [], message: '' },
    chartFailed: false,
    forYou: sessionPicks('/sessions', { limit: 4, auth: true }),
    trending: sessionPicks('/trending', { limit: 2, auth: true }),
    mentors: mentorPicks({ limit: 2 }),
    demand: demandList(),

    init() {
      if (!this.user) return;
      this.loadUpcoming();
      if (this.isMentor) this.demand.load();
      else if (this.user.role === 'learner') {
        this.loadNotices();
        this.loadPicks();
      }
    },

    destroy() {
      for (const chart of charts.values()) chart.destroy();
      charts.clear();
    },

    /** For you, Trending and Mentors for you, side by side (a failure of one leaves the others). */
    loadPicks() {
      this.forYou.load();
      this.trending.load();
      this.mentors.load();
    },

    newSessionHref(tag) {
      return withQuery('/my/sessions/new', { tag });
    },

    get user() {
      return Alpine.store('session').user;
    },

    get isMentor() {
      return this.user?.role === 'mentor';
    },

    get firstName() {
      return this.user?.name?.split(' ')[0] ?? '';
    },

    get profile() {
      return this.user ? completeness(this.user) : { percent: 0, missing: [] };
    },

    get now() {
      return Alpine.store('clock').now;
    },

    get d() {
      return this.board.data;
    },

    /** The newest few: the ones fetched, joined by any the notifications store has heard of since
     * (it keeps the newest from its catch-up and the live channel, and marks them read). */
    get latestNotices() {
      return latestNotifications(this.notices.items, Alpine.store('notifications').recent, NOTICES_SHOWN);
    },

    noticeHref(item) {
      return notificationHref(item);
    },

    /** Opens a notification's page, marking it read on the way (as /notifications does). */
    async openNotice(item, event) {
      event?.preventDefault();
      if (!item.read) {
        try {
          await Alpine.store('notifications').markRead(item.id);
          this.notices.items = this.notices.items.map((known) => (known.id === item.id ? { ...known, read: true } : known));
        } catch (error) {
          toast(error.message, 'error');
        }
      }
      navigate(notificationHref(item));
    },

    // ------------------------------------------------ formatting for the templates
    monthLabel,
    weekLabel,
    hoursText,
    percentText,

    join(item) {
      return joinState(item, this.now);
    },

    roomHref(item) {
      return `/sessions/${encodeURIComponent(item.session_id)}/room`;
    },

    sessionHref(item) {
      return `/sessions/${encodeURIComponent(item.session_id)}`;
    },

    get spendingShown() {
      return Boolean(this.d?.spending_by_month && anySpending(this.d.spending_by_month));
    },

    get earningsShown() {
      return Boolean(this.d?.earnings && anyEarnings(this.d.earnings.by_week));
    },

    get distribution() {
      return distributionRows(this.d?.ratings?.summary);
    },

    get ratedAtAll() {
      return (this.d?.ratings?.summary?.rating_count ?? 0) > 0;
    },

    get spendingText() {
      return this.d ? spendingSummary(this.d.spending_by_month, this.d.spending) : '';
    },

    get topicText() {
      return this.d ? topicSummary(this.d.minutes_by_tag) : '';
    },

    get earningsText() {
      return this.d?.earnings ? earningsSummary(this.d.earnings.by_week) : '';
    },

    get distributionText() {
      return this.d?.ratings ? distributionSummary(this.d.ratings.summary) : '';
    },

    get trendText() {
      return this.d?.ratings ? trendSummary(this.d.ratings.by_month) : '';
    },

    // ------------------------------------------------ loading
    /** The dashboard: its upcoming list feeds "Your upcoming ..." above the rest. */
    async loadUpcoming() {
      this.upcoming = { status: 'loading', items: [], message: '' };
      this.board = { status: 'loading', data: null, message: '' };
      try {
        const data = await get(this.isMentor ? '/api/mentor/dashboard' : '/api/me/dashboard', { auth: true });
        this.board = { status: 'ready', data, message: '' };
        this.upcoming = { status: 'ready', items: (data.upcoming ?? []).slice(0, UPCOMING_SHOWN), message: '' };
        await this.$nextTick();
        await this.drawCharts();
      } catch (error) {
        this.upcoming = { status: 'failed', items: [], message: error.message };
        this.board = { status: 'failed', data: null, message: error.message };
      }
    },

    /** The latest notifications; the answer's unread count also goes to the bell. */
    async loadNotices() {
      this.notices = { status: 'loading', items: [], message: '' };
      try {
        const page = await get(withQuery('/api/notifications/', { limit: NOTICES_SHOWN }), { auth: true });
        if (typeof page.unread === 'number') Alpine.store('notifications').setUnread(page.unread);
        this.notices = { status: 'ready', items: page.items ?? [], message: '' };
      } catch (error) {
        this.notices = { status: 'failed', items: [], message: error.message };
      }
    },

    async draw(ref, make) {
      const canvas = this.$refs[ref];
      if (!canvas) return;
      try {
        charts.get(ref)?.destroy();
        charts.set(ref, await make(canvas));
        canvas.dataset.drawn = 'true';
      } catch {
        this.chartFailed = true; // the tables still have every number
      }
    },

    async drawCharts() {
      const d = this.d;
      if (!d) return;
      if (this.isMentor) {
        const weeks = d.earnings.by_week;
        if (this.earningsShown) {
          await this.draw('earningsChart', (c) =>
            barChart(c, weeks.map((w) => weekLabel(w.week_start)), [{ label: 'Earned', data: weeks.map((w) => w.earned_paise), color: '#4f46e5' }], { money: true }),
          );
        }
        if (this.ratedAtAll) {
          const rows = this.distribution;
          await this.draw('ratingsChart', (c) =>
            barChart(c, rows.map((r) => r.label), [{ label: 'Reviews', data: rows.map((r) => r.count), color: '#f59e0b' }], { horizontal: true }),
          );
        }
        if (d.ratings.by_month.length) {
          const months = d.ratings.by_month;
          await this.draw('trendChart', (c) => lineChart(c, months.map((m) => monthLabel(m.month)), 'Average rating', months.map((m) => m.average), { min: 1, max: 5 }));
        }
        return;
      }
      if (this.spendingShown) {
        const series = spendingSeries(d.spending_by_month);
        await this.draw('spendingChart', (c) =>
          barChart(c, series.labels, series.datasets.map((s) => ({ label: s.label, data: s.paise, color: s.color })), { money: true, stacked: true }),
        );
      }
      if (d.minutes_by_tag.length) {
        const topics = topicSeries(d.minutes_by_tag);
        await this.draw('topicsChart', (c) => barChart(c, topics.labels, [{ label: 'Hours', data: topics.hours, color: '#0d9488' }], { horizontal: true, unit: ' h' }));
      }
    },
  };
};
