// The session store: who is signed in (the `Me` of the API), restored on start from the refresh
// cookie when this browser may hold one. The access token itself stays inside api.js, in memory only.
import Alpine from '@alpinejs/csp';
import { get, mayHaveSession, onSessionChange, post, refreshSession, setSession, signOutRequest } from './api.js';
import { forgetPushDevice } from './push-device.js';
import { navigate, refreshRoute } from './router.js';
import { navFor } from './routes.js';
import { toast } from './toasts.js';

export const SUSPENDED_MESSAGE = 'Your account has been suspended. Contact support if you think this is a mistake.';

export function registerSession() {
  Alpine.store('session', {
    user: null,
    ready: false,
    resending: false,

    get signedIn() {
      return this.user !== null;
    },

    /** The signed-in menu for this person's role (from the page registry). */
    get nav() {
      return this.user ? navFor(this.user.role) : [];
    },

    /** Restores the session from the refresh cookie; resolves either way. */
    async restore() {
      // Nobody signed in on this browser: nothing to restore, and no refresh call bound to fail.
      if (!mayHaveSession()) {
        this.ready = true;
        return;
      }
      try {
        await refreshSession();
      } catch (error) {
        if (error.status === 403) toast(SUSPENDED_MESSAGE, 'error');
      } finally {
        this.ready = true;
      }
    },

    /** Signs in; resolves with the API's answer (`first_sign_in` tells a first visit). */
    async login(email, password) {
      const body = await post('/api/auth/login', { email, password });
      setSession(body);
      return body;
    },

    async logout() {
      await forgetPushDevice().catch(() => {});
      try {
        await signOutRequest();
      } catch {
        // Signing out locally still matters when the server can't be reached.
      }
      setSession(null);
      navigate('/login', { replace: true });
      toast("You're signed out.");
    },

    async reload() {
      this.user = await get('/api/me', { auth: true });
      return this.user;
    },

    setUser(user) {
      this.user = user;
    },

    async resendVerification() {
      this.resending = true;
      try {
        await post('/api/auth/verify-email/resend', {}, { auth: true });
        toast(`We've sent a new verification link to ${this.user.email}.`, 'success');
      } catch (error) {
        toast(error.message, 'error');
      } finally {
        this.resending = false;
      }
    },
  });

  onSessionChange((body) => {
    const store = Alpine.store('session');
    const wasSignedIn = store.user !== null;
    store.user = body?.user ?? null;
    // A session that ends under a signed-in page (expired, signed out) sends the person to sign in.
    if (wasSignedIn && !store.user && store.ready) refreshRoute();
  });
}
