// /my/sessions/new and /my/sessions/<id>/edit: a mentor publishes or changes a session. The date and
// time are wall-clock time in the chosen zone (by default the mentor's profile zone); the form shows
// what that is in the mentor's own time, mirrors the API's bounds, and puts server errors under fields.
import Alpine from '@alpinejs/csp';
import { get, patch, post } from '../api.js';
import {
  CAPACITY_MAX,
  DESCRIPTION_MAX,
  DURATIONS,
  EARLY_JOIN_DEFAULT,
  EARLY_JOIN_MAX,
  LANGUAGES,
  LEVELS,
  PRICE_MAX_PAISE,
  PRICE_MIN_PAISE,
  TAGS_MAX,
  TITLE_MAX,
  TITLE_MIN,
} from '../catalog.js';
import { moneyText, paiseFromRupees, plural, rupeesFromPaise, sameClock, viewerZone, whenText, zoneLongName } from '../format.js';
import { navigate } from '../router.js';
import { toast } from '../toasts.js';
import { browserTimeZone, timeZones, utcToZoned, zonedToUtc } from '../zones.js';

// The API's field names, and the form's name for each (errors land under the form's field).
const FIELD_FOR = {
  title: 'title',
  description: 'description',
  tags: 'tags',
  starts_at_local: 'when',
  timezone: 'timezone',
  duration_minutes: 'duration',
  capacity: 'capacity',
  price_paise: 'price',
  level: 'level',
  language: 'language',
  early_join_minutes: 'earlyJoin',
};
const CODE_FIELD = { price_locked: 'price', capacity_below_booked: 'capacity' };

const rupeesText = (paise) => (paise ? rupeesFromPaise(paise) : '');

function blankForm(timezone) {
  return {
    title: '',
    description: '',
    tags: [],
    date: '',
    time: '',
    timezone,
    duration: 60,
    capacity: 1,
    free: false,
    priceRupees: '',
    level: 'beginner',
    language: 'English',
    earlyJoin: EARLY_JOIN_DEFAULT,
  };
}

function formFrom(session) {
  const { date, time } = utcToZoned(session.starts_at, session.timezone);
  return {
    title: session.title,
    description: session.description ?? '',
    tags: [...session.tags],
    date,
    time,
    timezone: session.timezone,
    duration: session.duration_minutes,
    capacity: session.capacity,
    free: session.price_paise === 0,
    priceRupees: rupeesText(session.price_paise),
    level: session.level,
    language: session.language,
    earlyJoin: session.early_join_minutes,
  };
}

/** The API body for the whole form. */
function bodyFrom(form) {
  return {
    title: form.title.trim(),
    description: form.description.trim(),
    tags: form.tags,
    level: form.level,
    language: form.language.trim(),
    starts_at_local: `${form.date}T${form.time.slice(0, 5)}`,
    timezone: form.timezone,
    duration_minutes: Number(form.duration),
    capacity: Number(form.capacity),
    price_paise: form.free ? 0 : paiseFromRupees(form.priceRupees),
    early_join_minutes: Number(form.earlyJoin),
  };
}

export default () => ({
  status: 'loading', // loading | ready | not-found | forbidden | not-editable | failed
  message: '',
  session: null, // when editing
  form: blankForm(browserTimeZone()),
  errors: {},
  formMessage: '',
  formCode: '',
  saving: false,
  zones: [],

  levels: LEVELS,
  languages: LANGUAGES,
  durations: DURATIONS,
  capacityMax: CAPACITY_MAX,
  earlyJoinMax: EARLY_JOIN_MAX,
  descriptionMax: DESCRIPTION_MAX,
  titleMax: TITLE_MAX,
  priceMinRupees: PRICE_MIN_PAISE / 100,
  priceMaxRupees: PRICE_MAX_PAISE / 100,

  init() {
    this.load();
  },

  get editing() {
    return Alpine.store('route').name === 'session-edit';
  },

  get isMentor() {
    return Alpine.store('session').user?.role === 'mentor';
  },

  get booked() {
    return this.session?.booked_count ?? 0;
  },

  get priceLocked() {
    return this.editing && this.booked > 0;
  },

  get capacityMin() {
    return Math.max(1, this.editing ? this.booked : 1);
  },

  get today() {
    return utcToZoned(new Date().toISOString(), this.form.timezone || viewerZone()).date;
  },

  get startsAt() {
    return zonedToUtc(this.form.date, this.form.time, this.form.timezone);
  },

  /** "That's Sat, 14 Jun, 6:30 pm IST in your time." */
  get localHint() {
    const start = this.startsAt;
    if (!start) return '';
    const local = whenText(start.toISOString());
    return sameClock(this.form.timezone, viewerZone(), start.toISOString())
      ? `${local} — your time zone.`
      : `This is ${local} in your time (${zoneLongName()}).`;
  },

  get durationChoices() {
    const current = Number(this.form.duration);
    return DURATIONS.some((d) => d.value === current) ? DURATIONS : [...DURATIONS, { value: current, label: `${current} min` }];
  },

  async load() {
    this.status = 'loading';
    if (!this.isMentor) {
      this.status = 'forbidden';
      return;
    }
    const zone = Alpine.store('session').user?.timezone || browserTimeZone();
    if (!this.editing) {
      this.form = blankForm(zone);
      // "Publish one" on the home page's "What learners want" names the tag learners asked for.
      const tag = String(Alpine.store('route').query.tag ?? '').trim();
      if (tag && tag.length <= 40) this.form.tags = [tag];
      this.zones = timeZones(zone);
      this.status = 'ready';
      return;
    }
    try {
      this.session = await get(`/api/sessions/${encodeURIComponent(Alpine.store('route').params.id)}`);
    } catch (error) {
      this.status = error.status === 404 ? 'not-found' : 'failed';
      this.message = error.message;
      return;
    }
    if (this.session.mentor.id !== Alpine.store('session').user.id) {
      this.status = 'forbidden';
      return;
    }
    if (this.session.status !== 'scheduled') {
      this.status = 'not-editable';
      return;
    }
    this.form = formFrom(this.session);
    this.zones = timeZones(this.form.timezone);
    this.status = 'ready';
  },

  validate() {
    const f = this.form;
    const errors = {};
    const title = f.title.trim();
    if (title.length < TITLE_MIN) errors.title = `Give the session a title of at least ${TITLE_MIN} characters.`;
    else if (title.length > TITLE_MAX) errors.title = `Keep the title under ${TITLE_MAX} characters.`;
    if (f.description.length > DESCRIPTION_MAX) errors.description = `Keep the description under ${DESCRIPTION_MAX} characters.`;
    if (f.tags.length < 1) errors.tags = 'Add at least one tag so learners can find it.';
    else if (f.tags.length > TAGS_MAX) errors.tags = `Use at most ${TAGS_MAX} tags.`;
    if (!f.date || !f.time) errors.when = 'Choose a date and a start time.';
    else if (!this.startsAt) errors.when = 'That date or time isn’t valid.';
    else if (this.startsAt.getTime() <= Date.now()) errors.when = 'Choose a time in the future.';
    if (!f.timezone) errors.timezone = 'Choose a time zone.';
    const duration = Number(f.duration);
    if (!Number.isInteger(duration) || duration < 15 || duration > 240) errors.duration = 'Choose a length between 15 minutes and 4 hours.';
    const capacity = Number(f.capacity);
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > CAPACITY_MAX) {
      errors.capacity = `Choose between 1 and ${CAPACITY_MAX} learners.`;
    } else if (capacity < this.capacityMin) {
      errors.capacity = `${plural(this.booked, 'learner has', 'learners have')} booked, so capacity can’t go below ${this.booked}.`;
    }
    if (!f.free && !this.priceLocked) {
      const paise = paiseFromRupees(f.priceRupees);
      if (String(f.priceRupees).trim() === '') errors.price = 'Enter a price in rupees, or make the session free.';
      else if (paise === null) errors.price = 'Enter the price in rupees and paise, like 499 or 499.50 (at most two decimals).';
      else if (paise < PRICE_MIN_PAISE || paise > PRICE_MAX_PAISE) {
        errors.price = `Paid sessions cost between ${moneyText(PRICE_MIN_PAISE)} and ${moneyText(PRICE_MAX_PAISE)}.`;
      }
    }
    if (!LEVELS.some((l) => l.value === f.level)) errors.level = 'Choose a level.';
    if (f.language.trim().length < 2) errors.language = 'Say which language you’ll teach in.';
    const earlyJoin = Number(f.earlyJoin);
    if (!Number.isInteger(earlyJoin) || earlyJoin < 0 || earlyJoin > EARLY_JOIN_MAX) errors.earlyJoin = `Choose 0 to ${EARLY_JOIN_MAX} minutes.`;
    this.errors = errors;
    return Object.keys(errors).length === 0;
  },

  focusFirstError() {
    this.$nextTick(() => this.$root.querySelector('[aria-invalid="true"]')?.focus());
  },

  /** For an edit, only what changed; a new time always travels with its zone. */
  changes() {
    const body = bodyFrom(this.form);
    const before = bodyFrom(formFrom(this.session));
    const changed = Object.fromEntries(Object.entries(body).filter(([key, value]) => JSON.stringify(value) !== JSON.stringify(before[key])));
    if ('starts_at_local' in changed || 'timezone' in changed) {
      changed.starts_at_local = body.starts_at_local;
      changed.timezone = body.timezone;
    }
    if (this.priceLocked) delete changed.price_paise;
    return changed;
  },

  async submit() {
    this.formMessage = '';
    this.formCode = '';
    if (!this.validate()) return this.focusFirstError();
    const body = this.editing ? this.changes() : bodyFrom(this.form);
    if (this.editing && Object.keys(body).length === 0) {
      toast('Nothing to save — the session is unchanged.');
      return;
    }
    this.saving = true;
    try {
      if (this.editing) {
        this.session = await patch(`/api/sessions/${this.session.id}`, body, { auth: true });
        toast('Changes saved.', 'success');
        navigate('/my/sessions');
      } else {
        const session = await post('/api/sessions', body, { auth: true });
        toast('Session published — this is how learners see it.', 'success');
        navigate(`/sessions/${session.id}`);
      }
    } catch (error) {
      const field = CODE_FIELD[error.code] ?? FIELD_FOR[error.field];
      if (field) {
        this.errors = { [field]: error.message };
        this.focusFirstError();
      } else {
        this.formMessage = error.message;
        this.formCode = error.code;
      }
    } finally {
      this.saving = false;
    }
  },
});
