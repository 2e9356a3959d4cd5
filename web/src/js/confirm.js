// The confirm dialog the shell renders once: `await confirmAction({...})` resolves true or false.
import Alpine from '@alpinejs/csp';

const DEFAULTS = { title: '', message: '', details: '', confirmLabel: 'Confirm', cancelLabel: 'Keep it', danger: false };

export function registerConfirm() {
  Alpine.store('confirm', {
    open: false,
    ...DEFAULTS,
    resolver: null,

    ask(options) {
      this.resolver?.(false);
      Object.assign(this, DEFAULTS, options, { open: true });
      return new Promise((resolve) => {
        this.resolver = resolve;
      });
    },

    answer(value) {
      if (!this.open) return;
      this.open = false;
      const resolve = this.resolver;
      this.resolver = null;
      resolve?.(value);
    },
  });
}

/** Asks the person to confirm; `danger` paints the confirm button red. */
export function confirmAction(options) {
  return Alpine.store('confirm').ask(options);
}
