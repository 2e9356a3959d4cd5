// The magics every page of both sites may use in its markup ($money, $when, $date...): formatting
// from format.js, catalog.js and people.js, and the styles and links the CSP build can't write inline.
import Alpine from '@alpinejs/csp';
import { levelBadge, levelLabel, seatsText, statusBadge, statusLabel } from './catalog.js';
import {
  amountText,
  dateText,
  exactText,
  dayParts,
  durationText,
  moneyText,
  ratingText,
  relativeText,
  starFill,
  timeText,
  whenText,
  zoneLongName,
} from './format.js';
import { initials, joinedText } from './people.js';

export function registerMagics() {
  Alpine.magic('initials', () => (person) => initials(person?.name));
  Alpine.magic('joined', () => joinedText);
  Alpine.magic('money', () => moneyText);
  Alpine.magic('amount', () => amountText);
  Alpine.magic('exact', () => exactText);
  Alpine.magic('when', () => whenText);
  Alpine.magic('time', () => timeText);
  Alpine.magic('date', () => dateText);
  Alpine.magic('dayParts', () => dayParts);
  Alpine.magic('duration', () => durationText);
  Alpine.magic('rating', () => ratingText);
  Alpine.magic('zoneName', () => zoneLongName);
  // Reads the shared clock, so "in 5 minutes" stays true while the page is open.
  Alpine.magic('relative', () => (iso) => relativeText(iso, Alpine.store('clock').now));
  Alpine.magic('level', () => levelLabel);
  Alpine.magic('levelBadge', () => levelBadge);
  Alpine.magic('status', () => statusLabel);
  Alpine.magic('statusBadge', () => statusBadge);
  Alpine.magic('seats', () => seatsText);
  // Styles and links the CSP build can't write inline (no template literals or globals there).
  Alpine.magic('width', () => (percent) => `width: ${Number(percent) || 0}%`);
  Alpine.magic('starFill', () => (rating, n) => `width: ${starFill(rating, n)}%`);
  Alpine.magic('tagHref', () => (tag) => `/discover?tag=${encodeURIComponent(tag)}`);
}
