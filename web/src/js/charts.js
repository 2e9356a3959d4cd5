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
