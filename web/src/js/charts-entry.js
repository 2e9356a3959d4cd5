// The Chart.js bundle (assets/charts.js): only the parts the app draws (bars, and the rating trend's
// line), loaded by the pages that draw one (charts.js), so the app every visitor downloads first
// carries none of it.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
window.PeerLearnCharts = { Chart };
