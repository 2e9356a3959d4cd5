// /my/earnings: a mentor's money: pending (inside a session's dispute window), available, on its
// way and withdrawn; earnings by week (a Chart.js chart and the same numbers as a table); where
// payouts go (shown masked); and withdrawals: request one, follow each to the bank.
import { get, post, put, withQuery } from '../api.js';
import { moneyBarChart } from '../charts.js';
import { amountText, paiseFromRupees, rupeesFromPaise } from '../format.js';
import { withdrawalStatusBadge, withdrawalStatusLabel } from '../payments.js';
import { pageList } from '../paging.js';
import { toast } from '../toasts.js';

const PAGE_SIZE = 20;
const WEEKS_SHOWN = 12;
// Mirrors of the API's formats (payouts/schemas.py), to say what's wrong before sending.
export const FORMATS = {
  legal_name: { test: (v) => v.trim().length >= 2 && v.trim().length <= 100, hint: 'Your name as on your PAN card and bank account.' },
  pan: { test: (v) => /^[A-Z]{5}[0-9]{4}[A-Z]$/.test(v), hint: '10 characters: 5 letters, 4 digits, 1 letter (e.g. ABCDE1234F).' },
  account_number: { test: (v) => /^[0-9]{9,18}$/.test(v), hint: '9 to 18 digits, no spaces.' },
  ifsc: { test: (v) => /^[A-Z]{4}0[A-Z0-9]{6}$/.test(v), hint: '11 characters: 4 letters, a zero, then 6 letters or digits (e.g. HDFC0001234).' },
};
const FIELDS = Object.keys(FORMATS);
const weekFormat = new Intl.DateTimeFormat('en-IN', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const emptyForm = () => ({ legal_name: '', pan: '', account_number: '', account_again: '', ifsc: '' });

/** "16 Nov" for a week's Monday ("2026-11-16"): a date, not an instant, so read in UTC. */
export const weekLabel = (day) => weekFormat.format(new Date(`${day}T00:00:00Z`));

export default () => {
  let chart = null; // Chart.js instance: kept out of Alpine's reactive state

  const page = {
    status: 'loading', // loading | ready | failed
    message: '',
    earnings: null,
    chartStatus: 'idle', // idle | ready | failed
    account: null, // PayoutAccountOut, or null when none is set up
    accountStatus: 'loading', // loading | ready | failed
    editing: false,
    form: emptyForm(),
    errors: {},
    formMessage: '',
    saving: false,
    formats: FORMATS,
    amount: '',
    withdrawError: '',
    withdrawing: false,

    init() {
      this.load();
      this.loadAccount();
      this.withdrawals.load();
    },

    destroy() {
      chart?.destroy();
      chart = null;
    },

    get weeks() {
      return (this.earnings?.by_week ?? []).slice(-WEEKS_SHOWN);
    },

    weekLabel,
    statusLabel: withdrawalStatusLabel,
    statusBadge: withdrawalStatusBadge,

    get chartSummary() {
      const weeks = this.weeks;
      if (!weeks.length) return 'No earnings yet.';
      const total = weeks.reduce((sum, w) => sum + w.earned_paise, 0);
      return `Earnings by week for the last ${weeks.length} weeks, ${amountText(total)} in all. The table below has each week.`;
    },

    get canWithdraw() {
      const e = this.earnings;
      return Boolean(e && this.account?.ready && e.available_paise >= e.min_withdrawal_paise);
    },

    get withdrawHint() {
      const e = this.earnings;
      if (!e) return '';
      if (!this.account) return 'Set up payouts below before withdrawing.';
      if (!this.account.ready) return 'Your bank account is being checked; you can withdraw once it is ready.';
      if (e.available_paise < e.min_withdrawal_paise) return `You can withdraw once at least ${amountText(e.min_withdrawal_paise)} is available.`;
      return `Leave empty to withdraw everything available (${amountText(e.available_paise)}). The smallest withdrawal is ${amountText(e.min_withdrawal_paise)}.`;
    },

    async load() {
      this.status = this.earnings ? 'ready' : 'loading';
      try {
        this.earnings = await get('/api/me/earnings', { auth: true });
        this.status = 'ready';
        await this.$nextTick();
        await this.drawChart();
      } catch (error) {
        if (!this.earnings) this.status = 'failed';
        this.message = error.message;
      }
    },

    async drawChart() {
      const canvas = this.$refs.chart;
      if (!canvas || !this.weeks.length) return;
      try {
        chart?.destroy();
        chart = await moneyBarChart(canvas, this.weeks.map((w) => weekLabel(w.week_start)), this.weeks.map((w) => w.earned_paise));
        this.chartStatus = 'ready';
      } catch {
        this.chartStatus = 'failed'; // the table still has every number
      }
    },

    async loadAccount() {
      try {
        this.account = await get('/api/me/payout-account', { auth: true });
        this.accountStatus = 'ready';
      } catch (error) {
        if (error.status === 404) {
          this.account = null;
          this.accountStatus = 'ready';
          this.editing = true;
        } else {
          this.accountStatus = 'failed';
          this.message = error.message;
        }
      }
    },

    edit() {
      this.form = { ...emptyForm(), legal_name: this.account?.legal_name ?? '', ifsc: this.account?.ifsc ?? '' };
      this.errors = {};
      this.formMessage = '';
      this.editing = true;
    },

    cancelEdit() {
      this.editing = false;
      this.errors = {};
    },

    /** PAN and IFSC are upper-case; the account number digits only (spaces people type are dropped). */
    tidy(name) {
      if (name === 'pan' || name === 'ifsc') this.form[name] = this.form[name].toUpperCase().replace(/\s/g, '');
      if (name === 'account_number' || name === 'account_again') this.form[name] = this.form[name].replace(/[\s-]/g, '');
    },

    check(name) {
      this.tidy(name);
      const errors = { ...this.errors };
      if (name === 'account_again') {
        if (this.form.account_again && this.form.account_again !== this.form.account_number) errors.account_again = 'The two account numbers differ.';
        else delete errors.account_again;
      } else if (this.form[name] && !FORMATS[name].test(this.form[name])) errors[name] = FORMATS[name].hint;
      else delete errors[name];
      this.errors = errors;
    },

    async saveAccount() {
      [...FIELDS, 'account_again'].forEach((name) => this.tidy(name));
      const errors = {};
      for (const name of FIELDS) if (!FORMATS[name].test(this.form[name])) errors[name] = FORMATS[name].hint;
      if (this.form.account_again !== this.form.account_number) errors.account_again = 'The two account numbers differ.';
      this.errors = errors;
      this.formMessage = '';
      if (Object.keys(errors).length) return;
      this.saving = true;
      try {
        const { legal_name, pan, account_number, ifsc } = this.form;
        this.account = await put('/api/me/payout-account', { legal_name: legal_name.trim(), pan, account_number, ifsc }, { auth: true });
        this.editing = false;
        this.form = emptyForm();
        toast('Payout account saved.', 'success');
      } catch (error) {
        const field = (error.field ?? '').split('.').pop();
        if (FIELDS.includes(field)) this.errors = { [field]: error.message };
        else this.formMessage = error.message;
      } finally {
        this.saving = false;
      }
    },

    async withdraw() {
      this.withdrawError = '';
      const text = this.amount.trim();
      const amount = text ? paiseFromRupees(text) : null;
      if (text && !amount) {
        this.withdrawError = 'Enter an amount in rupees, like 500 or 1250.50.';
        return;
      }
      this.withdrawing = true;
      try {
        const made = await post('/api/me/withdrawals', amount ? { amount_paise: amount } : {}, { auth: true });
        this.amount = '';
        toast(made.status === 'requested' ? `Withdrawal of ${amountText(made.amount_paise)} requested. An admin approves it shortly.` : `Withdrawal of ${amountText(made.amount_paise)} is on its way.`, 'success');
        this.withdrawals.load();
        this.load();
      } catch (error) {
        this.withdrawError = error.message;
      } finally {
        this.withdrawing = false;
      }
    },

    fillAll() {
      this.amount = rupeesFromPaise(this.earnings.available_paise);
    },
  };
  page.withdrawals = pageList((cursor) => get(withQuery('/api/me/withdrawals', { limit: PAGE_SIZE, cursor }), { auth: true }));
  return page;
};
