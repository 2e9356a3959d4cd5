// The shell around every page: the navigation menu (drawn from the page registry), the verify-email
// banner, and the attribute bundles (`Alpine.bind`) that nav links and form fields share, so each
// keeps one definition of its classes, aria-current and aria-invalid.
import Alpine from '@alpinejs/csp';

const LINK = 'rounded-lg px-3 py-2 text-sm font-medium hover:bg-slate-100';
const LIT = ['text-brand-800', 'bg-brand-50'];
const BANNER_DISMISSED_KEY = 'peerlearn.verifyBannerDismissed';

const routeName = () => Alpine.store('route').name;

/** The lit state of a link to route `name` (lit while the current route is one of `lit`). */
function navState(name, lit = [name]) {
  return {
    ':class'() {
      return lit.includes(routeName()) ? LIT : ['text-slate-700'];
    },
    ':aria-current'() {
      return routeName() === name ? 'page' : null;
    },
  };
}

export function registerShell() {
  Alpine.bind('navState', navState);

  // One signed-in menu entry from `navFor(role)`.
  Alpine.bind('navLink', (link) => ({
    href: link.path,
    class: LINK,
    'data-testid': `nav-${link.name}`,
    ...navState(link.name, link.lit),
  }));

  // A form field whose error lives at `errors[key]` of the component (or of `errorsOf`).
  Alpine.bind('field', (key, errorsOf = 'errors') => ({
    ':class'() {
      return this[errorsOf][key] ? 'input-invalid' : '';
    },
    ':aria-invalid'() {
      return this[errorsOf][key] ? 'true' : 'false';
    },
  }));

  Alpine.data('navMenu', () => ({
    open: false,
    toggle() {
      this.open = !this.open;
    },
    close() {
      this.open = false;
    },
    closeOnLink(event) {
      if (event.target.closest('a')) this.open = false;
    },
  }));

  Alpine.data('verifyBanner', () => ({
    dismissed: sessionStorage.getItem(BANNER_DISMISSED_KEY) === '1',
    get shown() {
      const user = Alpine.store('session').user;
      return Boolean(user && !user.email_verified && !this.dismissed && routeName() !== 'verify-email');
    },
    dismiss() {
      this.dismissed = true;
      sessionStorage.setItem(BANNER_DISMISSED_KEY, '1');
    },
  }));
}
