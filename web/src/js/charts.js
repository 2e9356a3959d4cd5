// Charts drawn with Chart.js (from npm, bundled on its own into assets/charts.js by build.mjs and
// loaded on first use from this site). Each chart has a table beside it for screen readers.
import { amountText } from './format.js';

/* global __CHARTS_URL__ */
let loading = null;

function loadCharts() {
  if (window.PeerLearnCharts) return Promise.resolve(window.PeerLearnCharts);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = __CHARTS_URL__;
    script.onload = () => resolve(window.PeerLearnCharts);
    script.onerror = () => {
      loading = null;
      reject(new Error("The chart didn't load."));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/**
 * A bar chart of money by label on `canvas`; resolves with an object whose `destroy()` removes it.
 * The canvas itself is `role="img"` with a summary; the page shows the same numbers as a table.
 */
export async function moneyBarChart(canvas, labels, paise) {
  const { Chart } = await loadCharts();
  const reduceMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: 'Earned', data: paise.map((p) => p / 100), backgroundColor: '#4f46e5', borderRadius: 4 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 300 },
      plugins: {
        tooltip: { callbacks: { label: (item) => amountText(Math.round(item.parsed.y * 100)) } },
      },
      scales: {
        y: { beginAtZero: true, ticks: { callback: (value) => amountText(Math.round(Number(value) * 100)) } },
        x: { grid: { display: false } },
      },
    },
  });
}

const animation = () => (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ? false : { duration: 300 });

/**
 * Bars of several series on `canvas` (`datasets`: `{ label, data, color }`), stacked when asked,
 * across (`horizontal`) for long labels; `money` reads the numbers as paise.
 */
export async function barChart(canvas, labels, datasets, { money = false, stacked = false, horizontal = false, unit = '' } = {}) {
  const { Chart } = await loadCharts();
  const value = money ? (n) => amountText(Math.round(Number(n) * 100)) : (n) => `${n}${unit}`;
  const along = horizontal ? 'x' : 'y';
  const across = horizontal ? 'y' : 'x';
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: datasets.map((d) => ({ label: d.label, data: money ? d.data.map((p) => p / 100) : d.data, backgroundColor: d.color, borderRadius: 4 })),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      plugins: {
        legend: { display: datasets.length > 1 },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${value(item.parsed[along])}` } },
      },
      scales: {
        [along]: { beginAtZero: true, stacked, ticks: { callback: (n) => value(n), precision: money ? undefined : 0 } },
        [across]: { stacked, grid: { display: false } },
      },
    },
  });
}

/** A line of values by label (the rating trend), from `min` to `max` on its axis. */
export async function lineChart(canvas, labels, label, data, { min = 0, max = undefined } = {}) {
  const { Chart } = await loadCharts();
  return new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: [{ label, data, borderColor: '#4f46e5', backgroundColor: '#4f46e5', tension: 0.2 }] },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: animation(),
      plugins: { legend: { display: false } },
      scales: { y: { min, max }, x: { grid: { display: false } } },
    },
  });
}
