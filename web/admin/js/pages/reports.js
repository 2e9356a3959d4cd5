// /admin/reports: choose metrics, a dimension and a date range (India's days) -> a table with its
// totals, a Chart.js chart of the same rows, and "Download CSV" of the very same query (the API's
// CSV carries a last `total` line equal to the table's totals). The form checks the API's limits
// before asking; the API checks them again and names the field.
import Alpine from '@alpinejs/csp';
import { get, getBlob } from '../../../src/js/api.js';
import { barChart } from '../../../src/js/charts.js';
import { toast } from '../../../src/js/toasts.js';
import {
  DIMENSIONS,
  METRICS,
  addDays,
  csvFilename,
  indiaToday,
  keyLabel,
  metricLabel,
  rangeProblem,
  reportPath,
  reportSeries,
  reportSummary,
  valueText,
} from '../reports.js';

const DEFAULT_METRICS = ['bookings', 'gmv_paise', 'platform_revenue_paise'];

export default () => {
  let chart = null; // kept out of Alpine's reactive state

  const to = indiaToday();
  return {
    metricsOffered: METRICS,
    dimensions: DIMENSIONS,
    form: { metrics: [...DEFAULT_METRICS], dimension: 'day', from: addDays(to, -29), to },
    problem: '',
    report: { status: 'idle', data: null, query: null, message: '' },
    chartFailed: false,
    downloading: false,

    init() {
      const query = Alpine.store('route').query ?? {};
      if (query.metrics) this.form.metrics = String(query.metrics).split(',').filter((m) => METRICS.some((x) => x.name === m));
      if (DIMENSIONS.some((d) => d.value === query.dimension)) this.form.dimension = query.dimension;
      if (query.from) this.form.from = String(query.from);
      if (query.to) this.form.to = String(query.to);
      this.show();
    },

    destroy() {
      chart?.destroy();
      chart = null;
    },

    isChosen(name) {
      return this.form.metrics.includes(name);
    },

    toggle(name) {
      this.form.metrics = this.isChosen(name) ? this.form.metrics.filter((m) => m !== name) : [...this.form.metrics, name];
    },

    query() {
      // in the API's order, so the table's columns don't depend on the order they were ticked
      const metrics = METRICS.map((m) => m.name).filter((name) => this.form.metrics.includes(name));
      return { metrics, dimension: this.form.dimension, from: this.form.from, to: this.form.to };
    },

    async show() {
      const query = this.query();
      this.problem = rangeProblem(query);
      if (this.problem) return;
      this.report = { status: 'loading', data: null, query, message: '' };
      try {
        const data = await get(reportPath(query), { auth: true });
        this.report = { status: 'ready', data, query, message: '' };
        await this.$nextTick();
        await this.drawChart();
      } catch (error) {
        this.report = { status: 'failed', data: null, query, message: error.message };
      }
    },

    async download() {
      const query = this.report.query ?? this.query();
      this.problem = rangeProblem(query);
      if (this.problem) return;
      this.downloading = true;
      try {
        const blob = await getBlob(reportPath(query, { csv: true }));
        const url = URL.createObjectURL(blob);
        const link = document.createElement('a');
        link.href = url;
        link.download = csvFilename(query);
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      } catch (error) {
        toast(error.message || "The CSV didn't download.", 'error');
      } finally {
        this.downloading = false;
      }
    },

    get data() {
      return this.report.data;
    },

    get columns() {
      return this.data?.metrics ?? [];
    },

    get rows() {
      return this.data?.rows ?? [];
    },

    get series() {
      return this.data ? reportSeries(this.data) : null;
    },

    get summary() {
      return this.data ? reportSummary(this.data) : '';
    },

    get leftOut() {
      const left = this.series?.left ?? [];
      return left.length ? `The chart shows the money; ${left.map(metricLabel).join(', ')} ${left.length === 1 ? 'is' : 'are'} in the table.` : '';
    },

    get dimensionLabel() {
      return DIMENSIONS.find((d) => d.value === this.data?.dimension)?.label ?? '';
    },

    metricLabel,

    cell(name, values) {
      return valueText(name, values[name] ?? 0);
    },

    total(name) {
      return valueText(name, this.data?.totals?.[name] ?? 0);
    },

    rowLabel(key) {
      return keyLabel(this.data.dimension, key);
    },

    async drawChart() {
      chart?.destroy();
      chart = null;
      const canvas = this.$refs.reportChart;
      const series = this.series;
      if (!canvas || !series || !this.rows.length) return;
      try {
        chart = await barChart(canvas, series.labels, series.datasets, { money: series.money, horizontal: ['tag', 'mentor', 'language'].includes(this.data.dimension) });
        canvas.dataset.drawn = 'true';
        this.chartFailed = false;
      } catch {
        this.chartFailed = true;
      }
    },
  };
};
