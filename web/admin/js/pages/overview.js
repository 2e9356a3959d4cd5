// /admin/: the overview. Live tiles (people online, rooms live, today's bookings and money) from the
// admin's user channel: the page subscribes to `stats` and renews every 20 s (each renewal answers
// with fresh figures; pushes come between, at most one every few seconds). Today's figures from the
// REST API fill the tiles before the socket answers, and stand if it can't. Below, the last 30
// days' bookings and revenue (one report by day) as charts, each with its table.
import { get } from '../../../src/js/api.js';
import { barChart } from '../../../src/js/charts.js';
import { timeText } from '../../../src/js/format.js';
import { openChannel } from '../live-channel.js';
import { addDays, everyDay, indiaToday, keyLabel, reportPath, statTiles, statsFromToday, valueText } from '../reports.js';

const RENEW_MS = 20_000;
const TREND_DAYS = 30;
const TREND_METRICS = ['bookings', 'gmv_paise', 'platform_revenue_paise'];

export default () => {
  const charts = new Map(); // Chart.js instances, kept out of Alpine's reactive state
  let socket = null;
  let renew = null;

  return {
    stats: null,
    live: 'connecting', // connecting | open | reconnecting | closed | refused
    liveMessage: '',
    today: { status: 'loading', message: '' },
    trend: { status: 'loading', report: null, message: '' },
    chartFailed: false,

    init() {
      this.loadToday();
      this.loadTrend();
      this.connect();
    },

    destroy() {
      clearInterval(renew);
      socket?.close();
      socket = null;
      for (const chart of charts.values()) chart.destroy();
      charts.clear();
    },

    get tiles() {
      return this.stats ? statTiles(this.stats) : [];
    },

    get liveText() {
      if (this.live === 'open' && this.stats?.as_of) return `Live · updated ${timeText(this.stats.as_of)}`;
      if (this.live === 'open') return 'Live';
      if (this.live === 'refused') return this.liveMessage || 'Live figures are for admins.';
      if (this.live === 'reconnecting') return 'Reconnecting… the figures may be a little old.';
      if (this.live === 'closed') return 'Live updates stopped; reload to resume.';
      return 'Connecting…';
    },

    get liveClass() {
      return this.live === 'open' ? 'text-emerald-700' : 'text-slate-600';
    },

    connect() {
      socket = openChannel({
        onState: (state) => {
          if (this.live === 'refused') return;
          this.live = state;
          if (state === 'open') this.subscribe();
        },
      });
      socket.on('stats.update', (message) => {
        this.stats = { ...(this.stats ?? {}), ...message };
      });
      socket.on('error', (message) => {
        if (message.code !== 'forbidden') return;
        this.live = 'refused';
        this.liveMessage = message.message;
        clearInterval(renew);
      });
      renew = setInterval(() => this.subscribe(), RENEW_MS);
    },

    subscribe() {
      if (this.live !== 'refused') socket?.send('subscribe', { topic: 'stats' });
    },

    async loadToday() {
      this.today = { status: 'loading', message: '' };
      try {
        const figures = statsFromToday(await get('/api/admin/stats/today', { auth: true }));
        // the socket's answer, when it came first, is newer: it wins
        this.stats = this.stats?.as_of ? { ...figures, ...this.stats } : { ...(this.stats ?? {}), ...figures };
        this.today = { status: 'ready', message: '' };
      } catch (error) {
        this.today = { status: 'failed', message: error.message };
      }
    },

    async loadTrend() {
      const to = indiaToday();
      const from = addDays(to, -(TREND_DAYS - 1));
      this.trend = { status: 'loading', report: null, message: '' };
      try {
        const report = await get(reportPath({ metrics: TREND_METRICS, dimension: 'day', from, to }), { auth: true });
        this.trend = { status: 'ready', report: everyDay(report, from, to), message: '' };
        await this.$nextTick();
        await this.drawCharts();
      } catch (error) {
        this.trend = { status: 'failed', report: null, message: error.message };
      }
    },

    get rows() {
      return this.trend.report?.rows ?? [];
    },

    get totals() {
      return this.trend.report?.totals ?? {};
    },

    dayLabel(key) {
      return keyLabel('day', key);
    },

    count(value) {
      return valueText('', value);
    },

    get bookingsSummary() {
      return `Bookings by day over the last ${TREND_DAYS} days (India's days), ${valueText('', this.totals.bookings ?? 0)} in all. The table has each day.`;
    },

    get revenueSummary() {
      return `GMV and platform revenue by day over the last ${TREND_DAYS} days: ${valueText('gmv_paise', this.totals.gmv_paise ?? 0)} GMV, ${valueText('platform_revenue_paise', this.totals.platform_revenue_paise ?? 0)} platform revenue. The table has each day.`;
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
      const labels = this.rows.map((row) => keyLabel('day', row.key));
      await this.draw('bookingsChart', (canvas) =>
        barChart(canvas, labels, [{ label: 'Bookings', data: this.rows.map((r) => r.values.bookings), color: '#4f46e5' }]),
      );
      await this.draw('revenueChart', (canvas) =>
        barChart(
          canvas,
          labels,
          [
            { label: 'GMV', data: this.rows.map((r) => r.values.gmv_paise), color: '#0d9488' },
            { label: 'Platform revenue', data: this.rows.map((r) => r.values.platform_revenue_paise), color: '#f59e0b' },
          ],
          { money: true },
        ),
      );
    },
  };
};
