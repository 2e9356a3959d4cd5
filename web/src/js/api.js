// Fetch wrapper for the same-origin /api: JSON in and out, errors as ApiError, and the in-memory
// access token. An authenticated call that gets a 401 refreshes the session once and retries once.
import { tryAgainText } from './format.js';
import { currentPath, navigate } from './router.js';
import { toast } from './toasts.js';

export class ApiError extends Error {
  constructor(status, { code = 'error', message, field = null, retry_after_seconds = null, retry_at = null } = {}) {
    super(message || 'Something went wrong. Please try again.');
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retry_after_seconds;
    // A 429 says when to come back: `retry_at` (UTC), else now + the seconds to wait.
    this.retryAt = status === 429 ? retryAtFrom(retry_at, retry_after_seconds) : null;
    if (this.retryAt) this.message = `${firstSentence(this.message)} ${tryAgainText(this.retryAt)}.`;
  }
}

const DEFAULT_WAIT_SECONDS = 60;

function retryAtFrom(iso, seconds) {
  const at = iso ? new Date(iso) : null;
  if (at && !Number.isNaN(at.getTime())) return at;
  return new Date(Date.now() + (Number(seconds) || DEFAULT_WAIT_SECONDS) * 1000);
}

/** "Too many sign-in attempts." from a message that may go on to say when (in UTC or seconds). */
function firstSentence(text) {
  const match = /^.*?[.!](?=\s|$)/.exec(text);
  return match ? match[0] : text;
}

const NETWORK_ERROR = { code: 'network', message: "Can't reach PeerLearn. Check your connection and try again." };
const REFRESH_MARGIN_SECONDS = 60;

// Set while a refresh cookie may exist (after a sign-in, until sign-out or a refused refresh), so a
// visitor who never signed in doesn't make a refresh call that can only fail on every page load.
const MAY_HAVE_SESSION_KEY = 'peerlearn.mayHaveSession';

let accessToken = null;
let refreshTimer = null;
let refreshing = null; // one refresh in flight, shared by every caller that needs it
const sessionListeners = [];

/** Calls `listener(body)` with each login-shaped body ({access_token, user, ...}), or null on sign-out. */
export function onSessionChange(listener) {
  sessionListeners.push(listener);
}

/** Whether this browser may hold a refresh cookie worth trying. */
export function mayHaveSession() {
  try {
    return localStorage.getItem(MAY_HAVE_SESSION_KEY) === '1';
  } catch {
    return true; // storage blocked: ask the server rather than sign the person out
  }
}

function rememberSession(present) {
  try {
    if (present) localStorage.setItem(MAY_HAVE_SESSION_KEY, '1');
    else localStorage.removeItem(MAY_HAVE_SESSION_KEY);
  } catch {
    // Private modes may refuse storage; the refresh cookie still works on its own.
  }
}

export function setSession(body) {
  accessToken = body?.access_token ?? null;
  if (accessToken) toldSuspended = false;
  rememberSession(Boolean(accessToken));
  clearTimeout(refreshTimer);
  if (body?.expires_in) {
    // Refresh a little before expiry so long-lived pages keep a valid token without a failed call.
    const delaySeconds = Math.max(body.expires_in - REFRESH_MARGIN_SECONDS, 10);
    refreshTimer = setTimeout(() => refreshSession().catch(() => {}), delaySeconds * 1000);
  }
  sessionListeners.forEach((listener) => listener(body ?? null));
}

// One refresh at a time in this browser, across its tabs: two tabs presenting the same cookie at
// once would each rotate it (the server gives the second a grace rotation), and the cookie jar would
// keep whichever answer lands last, possibly the one the server has already replaced, ending the
// sign-in at the next refresh. Waiting for the lock means the second tab sends the new cookie. (A page
// navigated away mid-refresh loses its answer whatever the client does; the server's grace covers it.)
const REFRESH_LOCK = 'peerlearn-refresh';

function oneAtATime(run) {
  // Web Locks need a secure context (https, or localhost); elsewhere this tab's `refreshing` still holds.
  if (!navigator.locks?.request) return run();
  return navigator.locks.request(REFRESH_LOCK, run);
}

/** Exchanges the HttpOnly refresh cookie for a new access token; rejects with ApiError when signed out. */
export function refreshSession() {
  refreshing ??= oneAtATime(() => send('POST', '/api/auth/refresh', {}, null))
    .then((body) => {
      setSession(body);
      return body;
    })
    .catch((error) => {
      // A network failure says nothing about the session; a 401/403 says it is gone.
      if (error.status === 401 || error.status === 403) setSession(null);
      throw error;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;

  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR);
  }

  const data = await response.json().catch(() => null);
  if (response.ok) return data ?? {};
  const error = data?.error ?? {};
  if (response.status === 429 && error.retry_after_seconds == null) {
    error.retry_after_seconds = Number(response.headers.get('Retry-After')) || null;
  }
  throw new ApiError(response.status, error);
}

// The answers that say this account may no longer be used (a ban, a deactivation): from the
// authorizer (the gateway's ACCESS_DENIED) on any call, or from the refresh.
const ACCOUNT_ENDED = new Set(['account_suspended', 'account_deactivated']);

let toldSuspended = false;

/** Ends this tab's session when `error` says the account was suspended, and says so on /login. */
function endIfSuspended(error) {
  if (error.status !== 403 || !ACCOUNT_ENDED.has(error.code)) return;
  if (accessToken) setSession(null);
  navigate('/login', { replace: true });
  if (!toldSuspended) toast(error.message, 'error');
  toldSuspended = true;
}

/**
 * Calls the API. `auth: true` sends the bearer token and, on a 401, refreshes once and retries once;
 * if that fails the user is sent to /login?next=<where they were>. A suspended account's call signs
 * the tab out and lands on /login with the reason.
 */
export async function api(method, path, body, { auth = false } = {}) {
  if (!auth) return send(method, path, body, null);
  try {
    return await send(method, path, body, accessToken);
  } catch (error) {
    endIfSuspended(error);
    if (error.status !== 401) throw error;
  }
  try {
    await refreshSession();
    return await send(method, path, body, accessToken);
  } catch (error) {
    endIfSuspended(error);
    if (error.status !== 401) throw error;
    // The session store may already have sent a signed-in page to /login; don't nest `next`.
    if (window.location.pathname !== '/login') {
      navigate(`/login?next=${encodeURIComponent(currentPath())}`, { replace: true });
      toast('Your session has ended. Please sign in again.');
    }
    throw new ApiError(401, { code: 'unauthorized', message: 'Your session has ended. Please sign in again.' });
  }
}

/**
 * A file the API serves only to some people (a room's chat image or attachment) as a Blob: the bearer
 * token goes with the request (an <img src> can't send it), the API's redirect to a short-lived
 * presigned URL is followed, and a 401 refreshes the session once.
 */
export async function getBlob(path) {
  const attempt = () =>
    fetch(path, { headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {}, credentials: 'same-origin' }).catch(() => null);
  let response = await attempt();
  if (response?.status === 401) {
    await refreshSession().catch(() => {});
    response = await attempt();
  }
  if (!response) throw new ApiError(0, NETWORK_ERROR);
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => null))?.error ?? {});
  return response.blob();
}

/** Signs this device out: the refresh cookie, and the access token sent with it (the API ends both). */
export function signOutRequest() {
  return send('POST', '/api/auth/logout', {}, accessToken);
}

export const get = (path, options) => api('GET', path, undefined, options);
export const post = (path, body = {}, options) => api('POST', path, body, options);
export const patch = (path, body, options) => api('PATCH', path, body, options);
export const put = (path, body, options) => api('PUT', path, body, options);
export const del = (path, options, body = undefined) => api('DELETE', path, body, options);

/** `path?a=1&b=2`, leaving out empty values. */
export function withQuery(path, params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '' && value !== false) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
