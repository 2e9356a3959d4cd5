// One ticking clock for countdowns and "in 5 minutes" hints, so every page reads the same `now`.
import Alpine from '@alpinejs/csp';

export function registerClock() {
  Alpine.store('clock', { now: Date.now() });
  setInterval(() => {
    Alpine.store('clock').now = Date.now();
  }, 1000);
}
