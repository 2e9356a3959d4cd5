// The Chart.js bundle (assets/charts.js): only the bar chart's parts, loaded by the pages that draw
// one (charts.js), so the app every visitor downloads first carries none of it.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
window.PeerLearnCharts = { Chart };
