// Short-lived success and error messages, announced to screen readers by the shell's live region.
import Alpine from '@alpinejs/csp';

const TOAST_SECONDS = 5;
let nextId = 1;

export function registerToasts() {
  Alpine.store('toasts', {
    items: [],
    dismiss(id) {
      this.items = this.items.filter((item) => item.id !== id);
    },
  });
}

/**
 * Shows a toast; `kind` is 'info', 'success' or 'error'. `href` makes it open a page (a notification's),
 * `detail` is a second, quieter line.
 */
export function toast(message, kind = 'info', { href = null, detail = '' } = {}) {
  const store = Alpine.store('toasts');
  const id = nextId++;
  store.items.push({ id, message, kind, href, detail });
  setTimeout(() => store.dismiss(id), (kind === 'error' ? 2 * TOAST_SECONDS : TOAST_SECONDS) * 1000);
}
